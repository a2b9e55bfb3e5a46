package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/safety"
)

// Sensitive matters the coach does not coach on: it tells the manager to
// involve the right people instead (see package safety).
const (
	SensitiveHarassment     = safety.Harassment
	SensitiveDiscrimination = safety.Discrimination
	SensitiveCrisis         = safety.Crisis
	SensitiveLegal          = safety.Legal
)

// Contact is someone a manager should involve: set by the organization's
// admins.
type Contact struct {
	Kind   string `json:"kind"` // hr, health, hotline, legal, other
	Name   string `json:"name"`
	Detail string `json:"detail"` // phone, mail address, intranet page, hours
}

var contactKinds = []string{"hr", "health", "hotline", "legal", "other"}

// Referral is what an answer says instead of coaching on a sensitive
// matter: what to do now and who to involve. It carries no text of what
// was found, only where.
type Referral struct {
	Topics    []string  `json:"topics"` // the matters, in safety.Matters order
	Places    []string  `json:"places"` // where they were found: question, intake, note...
	Immediate bool      `json:"immediate"`
	Message   string    `json:"message"`
	Steps     []string  `json:"steps"`
	Contacts  []Contact `json:"contacts"`
	// DefaultContacts is set when the organization has registered none:
	// Contacts then names the usual ones to look for.
	DefaultContacts bool `json:"default_contacts"`
	// Possible is a referral only the statistical model asked for. It
	// stops the coach like any other; the manager may read the texts and
	// dismiss it (Dismiss, then ask again).
	Possible bool `json:"possible"`
	// Dismiss names the texts behind a possible referral (their digests),
	// for DismissReferral.
	Dismiss []string `json:"dismiss,omitempty"`
	// Vague is a possible referral that cannot name its matter (see
	// safety.Finding): a prep plan gives it beside the coaching, as its
	// first watch-out, instead of in its place. Topics then holds the
	// model's guess, for the organization's counts only.
	Vague bool `json:"vague,omitempty"`
	// Customer is a referral on customer harassment alone (see
	// safety.Finding): a prep plan gives it beside the coaching too, since
	// the manager is the member's first support there.
	Customer bool `json:"customer,omitempty"`
}

// onlyPossibleInQuestion reports whether the referral is the statistical
// screen's reading of matter alone, in the manager's question alone.
func (r *Referral) onlyPossibleInQuestion(matter string) bool {
	return r != nil && r.Possible && !r.Immediate && slices.Equal(r.Topics, []string{matter}) &&
		slices.Equal(r.Places, []string{safety.PlaceQuestion})
}

// Blocks reports whether the referral replaces the coaching of an answer
// that can carry a referral beside it (besides: a prep plan); every other
// referral replaces it.
func (r *Referral) Blocks(besides bool) bool {
	return r != nil && !(besides && (r.Vague || r.Customer))
}

func referral(lang string, f safety.Finding, contacts []Contact) *Referral {
	var names []string
	for _, t := range f.Matters {
		names = append(names, msg(lang, "sensitive."+t))
	}
	key := "referral"
	if f.Possible {
		key = "referral.possible"
	}
	message := msg(lang, key, strings.Join(names, msg(lang, "list.sep")))
	switch {
	case f.Vague:
		message = msg(lang, "referral.vague") // names no matter: it cannot
	case f.Customer:
		message = msg(lang, "referral.customer")
	}
	r := &Referral{Topics: f.Matters, Places: nonNil(f.Places), Immediate: f.Immediate, Possible: f.Possible, Dismiss: f.Unsure,
		Message: message, Contacts: nonNil(contacts), Vague: f.Vague, Customer: f.Customer}
	if f.Immediate {
		r.Steps = append(r.Steps, msg(lang, "referral.step.emergency"))
	}
	for _, t := range f.Matters {
		if f.Vague {
			r.Steps = append(r.Steps, msg(lang, "referral.step.vague"))
			break
		}
		if f.Customer {
			r.Steps = append(r.Steps, msg(lang, "referral.step.customer"))
			break
		}
		r.Steps = append(r.Steps, msg(lang, "referral.step."+t))
	}
	r.Steps = append(r.Steps, msg(lang, "referral.step.record"))
	if len(contacts) == 0 {
		r.DefaultContacts = true
		r.Message += " " + msg(lang, "referral.nocontacts")
		kinds := []string{"hr"}
		if slices.Contains(f.Matters, safety.Crisis) || f.Vague {
			kinds = []string{"health", "hr", "hotline"}
		} else if slices.Contains(f.Matters, safety.Legal) {
			kinds = append(kinds, "legal")
		}
		for _, k := range kinds {
			r.Contacts = append(r.Contacts, Contact{Kind: k, Name: msg(lang, "contact.default."+k), Detail: msg(lang, "contact.default."+k+".detail")})
		}
	}
	return r
}

// screen reads what the coach is about to act on and returns the referral
// to give instead of coaching, or nil. The lexicon (with the
// organization's phrases) reads first; when it finds nothing and a
// classifier is configured within budget, the model may raise a matter,
// never lower one, and a failed call leaves the lexicon's answer.
func (c *Coach) screen(ctx context.Context, db DB, caller Caller, texts []safety.Text, g guard) *Referral {
	f := c.scan(ctx, db, texts, g)
	if (!f.Flagged() || f.Possible) && c.classifier != nil {
		var cf safety.Finding
		_, err := c.spend(ctx, db, caller, func() int64 { return c.classifierHold(texts) }, func() (used llm.Reply, err error) {
			cf, used, err = c.classifier.Classify(ctx, texts)
			return used, err
		})
		switch {
		case errors.Is(err, errOverBudget):
			// The day's budget is spent: the screen's own answer stands.
		case err != nil:
			c.logger.WarnContext(ctx, "safety classifier failed; the lexicon's answer stands", slog.String("error", err.Error()))
		case f.Possible && !cf.Flagged():
			// The chat model reads better than the statistical one: its
			// "nothing here" clears a possible flag.
			f = safety.Finding{}
		default:
			f.Merge(cf)
		}
	}
	if !f.Flagged() {
		return nil
	}
	return referral(promptLang(caller.Language), f, g.contacts)
}

// classifierHold is the most a classifier call over texts can cost: its
// prompt, the texts and a short answer.
func (c *Coach) classifierHold(texts []safety.Text) int64 {
	n := int64(600 + safety.ClassifierMaxTokens)
	for _, t := range texts {
		n += int64(c.countTokens(t.Text) + 8)
	}
	return n
}

// scan runs the detector, leaving out the statistical flags the manager
// dismissed. Dismissals are looked up only when the model alone flagged
// something, which is rare: most answers cost no extra query.
func (c *Coach) scan(ctx context.Context, db DB, texts []safety.Text, g guard) safety.Finding {
	f := c.safety.Scan(texts, g.phrases)
	if !f.Possible {
		return f
	}
	var dismissed []string
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT digest FROM safety_dismissals WHERE digest = ANY($1)`, f.Unsure)
		var err error
		dismissed, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		// Failing closed: the flag stands.
		c.logger.WarnContext(ctx, "read safety dismissals", slog.String("error", err.Error()))
		return f
	}
	if len(dismissed) == 0 {
		return f
	}
	texts = slices.Clone(texts)
	for i, t := range texts {
		texts[i].Dismissed = t.Fresh && slices.Contains(dismissed, safety.Digest(t.Text))
	}
	return c.safety.Scan(texts, g.phrases)
}

// DismissReferral records that the manager read the texts behind a
// possible referral and found no sensitive matter in them: the statistical
// screen no longer flags those texts (the lexicon and the classifier still
// read them). Only the digests are stored, with the matters for the
// admins' counts.
func DismissReferral(ctx context.Context, tx pgx.Tx, caller Caller, digests, matters []string) error {
	if len(digests) == 0 || len(digests) > 20 {
		return fmt.Errorf("%w: name between 1 and 20 texts to dismiss", ErrInvalid)
	}
	for _, d := range digests {
		if len(d) != 32 || strings.Trim(d, "0123456789abcdef") != "" {
			return fmt.Errorf("%w: %q is not a text digest", ErrInvalid, d)
		}
	}
	for _, m := range matters {
		if !slices.Contains(safety.Matters, m) {
			return fmt.Errorf("%w: unknown matter %q", ErrInvalid, m)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO safety_dismissals (org_id, digest, manager_id, matters)
		SELECT $1, d, $3, $4 FROM unnest($2::text[]) d ON CONFLICT DO NOTHING`, caller.OrgID, digests, caller.UserID, nonNil(matters))
	if err != nil {
		return fmt.Errorf("dismiss referral: %w", err)
	}
	return nil
}

// guard is what an organization set for the screen: its contacts and its
// own phrases.
type guard struct {
	contacts []Contact
	phrases  []safety.Phrase
}

func loadGuard(ctx context.Context, tx pgx.Tx) (guard, error) {
	var g guard
	var err error
	if g.contacts, err = Contacts(ctx, tx); err != nil {
		return guard{}, err
	}
	g.phrases, err = SafetyPhrases(ctx, tx)
	return g, err
}

// MemberReferral screens what the coach knows of a member (their requests
// and comments, the recent notes, actions and reflections) and returns the
// referral their page opens with, or nil.
func (c *Coach) MemberReferral(ctx context.Context, db DB, caller Caller, memberID uuid.UUID) (*Referral, error) {
	var (
		texts []safety.Text
		g     guard
	)
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := c.history.Member(ctx, tx, memberID); err != nil {
			return err
		}
		var err error
		if texts, err = c.history.SafetyTexts(ctx, tx, memberID, time.Now()); err != nil {
			return err
		}
		g, err = loadGuard(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The page is read often: the detector alone, no chat model call.
	f := c.scan(ctx, db, texts, g)
	if !f.Flagged() {
		return nil, nil
	}
	return referral(promptLang(caller.Language), f, g.contacts), nil
}

// SafetyPhrases returns the organization's own phrases for the screen.
func SafetyPhrases(ctx context.Context, tx pgx.Tx) ([]safety.Phrase, error) {
	rows, _ := tx.Query(ctx, `SELECT matter, phrase FROM org_safety_phrases ORDER BY position`)
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[safety.Phrase])
	if err != nil {
		return nil, fmt.Errorf("safety phrases: %w", err)
	}
	return nonNil(ps), nil
}

const maxSafetyPhrases = 500

// SetSafetyPhrases replaces the organization's phrases.
func (c *Coach) SetSafetyPhrases(ctx context.Context, tx pgx.Tx, caller Caller, ps []safety.Phrase) ([]safety.Phrase, error) {
	if len(ps) > maxSafetyPhrases {
		return nil, fmt.Errorf("%w: at most %d phrases", ErrInvalid, maxSafetyPhrases)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM org_safety_phrases WHERE org_id = $1`, caller.OrgID); err != nil {
		return nil, fmt.Errorf("set safety phrases: %w", err)
	}
	for i, p := range ps {
		p.Phrase = strings.TrimSpace(p.Phrase)
		if n := utf8.RuneCountInString(p.Phrase); n == 0 || n > 200 || strings.ContainsRune(p.Phrase, 0) {
			return nil, fmt.Errorf("%w: a phrase needs 1 to 200 characters of text", ErrInvalid)
		}
		if err := c.safety.ValidPhrase(p); err != nil {
			return nil, fmt.Errorf("%w: phrase %q: %s", ErrInvalid, p.Phrase, strings.TrimPrefix(err.Error(), safety.ErrInvalid.Error()+": "))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO org_safety_phrases (org_id, position, matter, phrase) VALUES ($1, $2, $3, $4)`,
			caller.OrgID, i, p.Matter, p.Phrase); err != nil {
			return nil, fmt.Errorf("set safety phrases: %w", err)
		}
	}
	return SafetyPhrases(ctx, tx)
}

// recordReferral counts a referral for the organization's admins: the
// matters and where the coach gave it, never the text, the manager or the
// member.
func recordReferral(ctx context.Context, tx pgx.Tx, caller Caller, kind string, r *Referral) error {
	if r == nil {
		return nil
	}
	for _, m := range r.Topics {
		_, err := tx.Exec(ctx, `INSERT INTO safety_referrals (org_id, id, matter, kind, immediate, possible) VALUES ($1, $2, $3, $4, $5, $6)`,
			caller.OrgID, uuid.Must(uuid.NewV7()), m, kind, r.Immediate && m == safety.Crisis, r.Possible)
		if err != nil {
			return fmt.Errorf("record referral: %w", err)
		}
	}
	return nil
}

// ReferralCount is how many referrals the coach gave on a matter in a
// month.
type ReferralCount struct {
	Month     string `json:"month"` // YYYY-MM
	Matter    string `json:"matter"`
	Count     int    `json:"count"`
	Immediate int    `json:"immediate"`
	// Possible counts the referrals only the statistical screen asked for,
	// Dismissed the texts managers then found not sensitive: together
	// they say how often the screen cries wolf.
	Possible  int `json:"possible"`
	Dismissed int `json:"dismissed"`
}

// ReferralCounts returns the organization's referrals per month and
// matter over the last months, newest first.
func ReferralCounts(ctx context.Context, tx pgx.Tx, months int) ([]ReferralCount, error) {
	rows, _ := tx.Query(ctx, `WITH events AS (
			SELECT created_at, matter, 1 AS referral, immediate::int AS immediate, possible::int AS possible, 0 AS dismissed
			FROM safety_referrals
			UNION ALL
			SELECT created_at, unnest(matters), 0, 0, 0, 1 FROM safety_dismissals)
		SELECT to_char(date_trunc('month', created_at), 'YYYY-MM'), matter, sum(referral)::int, sum(immediate)::int,
			sum(possible)::int, sum(dismissed)::int
		FROM events WHERE created_at >= date_trunc('month', now()) - make_interval(months => $1 - 1)
		GROUP BY 1, 2 ORDER BY 1 DESC, 2`, months)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ReferralCount])
	if err != nil {
		return nil, fmt.Errorf("referral counts: %w", err)
	}
	return nonNil(cs), nil
}

// Contacts returns the organization's contacts.
func Contacts(ctx context.Context, tx pgx.Tx) ([]Contact, error) {
	rows, _ := tx.Query(ctx, `SELECT kind, name, detail FROM org_contacts ORDER BY position`)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Contact])
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	return nonNil(cs), nil
}

// SetContacts replaces the organization's contacts.
func SetContacts(ctx context.Context, tx pgx.Tx, c Caller, cs []Contact) ([]Contact, error) {
	if len(cs) > 20 {
		return nil, fmt.Errorf("%w: at most 20 contacts", ErrInvalid)
	}
	for _, ct := range cs {
		if !slices.Contains(contactKinds, ct.Kind) {
			return nil, fmt.Errorf("%w: contact kind %q is not one of %s", ErrInvalid, ct.Kind, strings.Join(contactKinds, ", "))
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(ct.Name)); n == 0 || n > 200 || utf8.RuneCountInString(ct.Detail) > 500 {
			return nil, fmt.Errorf("%w: a contact needs a name (up to 200 characters) and at most 500 characters of detail", ErrInvalid)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM org_contacts WHERE org_id = $1`, c.OrgID); err != nil {
		return nil, fmt.Errorf("set contacts: %w", err)
	}
	for i, ct := range cs {
		_, err := tx.Exec(ctx, `INSERT INTO org_contacts (org_id, position, kind, name, detail) VALUES ($1, $2, $3, $4, $5)`,
			c.OrgID, i, ct.Kind, strings.TrimSpace(ct.Name), strings.TrimSpace(ct.Detail))
		if err != nil {
			return nil, fmt.Errorf("set contacts: %w", err)
		}
	}
	return Contacts(ctx, tx)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
