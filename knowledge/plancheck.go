package knowledge

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// PlanCheck is a kind of plan a document warns against, for members in
// given situations: curators declare it in the front matter, so what the
// coach flags in a manager's stated plan is guidance, not code.
//
//	plan_checks:
//	  - when: [avoids-challenges]
//	    plans: ['いきなり.*任せ', '大きな(案件|プロジェクト)を']
//	    watch: いきなり大きな役割を渡すと、…
//
// Every situation in When must hold for the member, and one of Plans must
// match: an RE2 regular expression, matched case-insensitively against the
// manager's words in the document's language, or "kind:<name>", a kind of
// plan the coach reads in them (PlanKinds).
type PlanCheck struct {
	When  []string `json:"when" yaml:"when,flow"`
	Plans []string `json:"plans" yaml:"plans"`
	// Unless are patterns of the plans that fit: "a small, optional first
	// step" is no push, whatever else the words match. The coach adds
	// "at their request" to a plan that grants the member's request, and
	// OwnStep to one told as the member's own proposal.
	Unless []string `json:"unless,omitempty" yaml:"unless,omitempty"`
	Watch  string   `json:"watch" yaml:"watch"`
	// Cite is the passage of the document's body the watch-out draws on,
	// quoted as its citation: a bullet or sentence, copied without its
	// markup. Without one the coach quotes the passage sharing the most
	// words with Watch, which may say something else.
	Cite string `json:"cite,omitempty" yaml:"cite,omitempty"`
	// Fits marks a plan the document supports for these members: the coach
	// says so (Watch) when nothing warns against the plan, rather than
	// only finding nothing against it.
	Fits bool `json:"fits,omitempty" yaml:"fits,omitempty"`
}

// Situations are what the coach can tell about a member from the history,
// for PlanCheck.When.
var Situations = []string{
	"any",              // every member
	"asked-to-listen",  // the member asked to be listened to this time
	"asked-for-advice", // ... for advice
	"asked-to-think-together",
	"asked-for-encouragement",
	"asked-to-decide",      // ... for the manager to decide
	"asked-to-report",      // ... only to report progress
	"asked-beyond-report",  // ... for any response but a report
	"condition-falling",    // self-reported condition falling or low
	"avoids-challenges",    // requests or notes speak of avoiding challenges
	"new-member",           // fewer than two 1on1s held
	"established-member",   // two 1on1s or more held: past settling in
	"evaluation-not-asked", // the member did not ask about their evaluation this time
	"joining-not-asked",    // the member did not ask for someone else to join this 1on1
	"manager-promise-open", // an action the manager owns is open past its date or for two weeks
	"missed-since-last",    // a 1on1 was cancelled or skipped since the last one held
	"asked-privacy",        // the member asked to keep something between the two of you
}

// PlanKinds are the kinds of plan the coach reads in a manager's words,
// for "kind:<name>" entries of PlanCheck.Plans and Unless: a curator's
// pattern finds the wording its author thought of, a kind reads wording
// no one listed (assistant/intent).
var PlanKinds = []string{
	"more-work",         // gives the member additional work, a role or a project
	"big-stretch",       // a large or high-visibility challenge all at once
	"small-step",        // a small, partial, optional or supported first step
	"push",              // pressure: urge, insist, "step up"
	"advise",            // the manager gives advice, tips, corrections
	"listen",            // the manager mainly listens and holds back advice
	"rating",            // evaluation, rating, bonus or pay talk in the 1on1
	"public-critique",   // criticism in front of others
	"skip-1on1",         // cancels, pauses, shortens or replaces the 1on1s
	"withhold-decision", // turns a decision asked for back to the member
	"decide",            // states a clear decision with reasons
	"set-direction",     // a fixed answer the member is brought to accept
	"explore-together",  // lays out options and thinks it through together
	"recognize",         // praises or thanks specific work
	"ease-load",         // reduces the member's load, protects their time
	"critique",          // lists faults or what to fix, asks why they failed
	"compare",           // compares the member with a colleague or a benchmark
	"take-over",         // takes the member's work, decision or credit over
	"monitor",           // tighter control: daily reports, approvals, tracking
	"involve-others",    // brings others into the 1on1 or tells them its content
	"status-review",     // spends the 1on1 on status, trackers, the manager's list
	"hearsay",           // passes on what others said about the member, or rumours, as fact
	"dismiss-feedback",  // brushes aside or argues against the member's feedback or concern
	"own-agenda",        // spends the 1on1 on the manager's own business: news, tasks, input for their report
}

// kindPrefix marks a plan kind among a check's patterns.
const kindPrefix = "kind:"

const (
	maxPlanChecks   = 20
	maxPlanPatterns = 30
)

// checkPlanChecks validates what a curator wrote in a document of body.
func checkPlanChecks(cs []PlanCheck, body string) error {
	if len(cs) > maxPlanChecks {
		return fmt.Errorf("%w: at most %d plan checks", ErrInvalid, maxPlanChecks)
	}
	for i, c := range cs {
		n := i + 1
		if len(c.When) == 0 {
			return fmt.Errorf("%w: plan check %d: when lists no situation (use [any])", ErrInvalid, n)
		}
		for _, w := range c.When {
			if !slices.Contains(Situations, w) {
				return fmt.Errorf("%w: plan check %d: situation %q is not one of %s", ErrInvalid, n, w, strings.Join(Situations, ", "))
			}
		}
		if len(c.Plans) == 0 || len(c.Plans) > maxPlanPatterns {
			return fmt.Errorf("%w: plan check %d: 1 to %d plans", ErrInvalid, n, maxPlanPatterns)
		}
		if len(c.Unless) > maxPlanPatterns {
			return fmt.Errorf("%w: plan check %d: at most %d unless patterns", ErrInvalid, n, maxPlanPatterns)
		}
		for _, p := range slices.Concat(c.Plans, c.Unless) {
			if strings.TrimSpace(p) == "" || utf8.RuneCountInString(p) > 200 {
				return fmt.Errorf("%w: plan check %d: each plan is 1 to 200 characters", ErrInvalid, n)
			}
			if k, ok := strings.CutPrefix(p, kindPrefix); ok {
				if !slices.Contains(PlanKinds, k) {
					return fmt.Errorf("%w: plan check %d: plan kind %q is not one of %s", ErrInvalid, n, k, strings.Join(PlanKinds, ", "))
				}
				continue
			}
			if _, err := compilePattern(p); err != nil {
				return fmt.Errorf("%w: plan check %d: %q is not a regular expression: %v", ErrInvalid, n, p, err)
			}
		}
		if w := strings.TrimSpace(c.Watch); w == "" || utf8.RuneCountInString(w) > 500 {
			return fmt.Errorf("%w: plan check %d: watch is 1 to 500 characters", ErrInvalid, n)
		}
		if c.Cite != "" && !Cites(body, c.Cite) {
			return fmt.Errorf("%w: plan check %d: cite is not a passage of the body (copy it without markup)", ErrInvalid, n)
		}
	}
	return nil
}

// Cites reports whether text holds passage, markup and spacing aside.
func Cites(text, passage string) bool {
	p := unmarked(passage)
	return p != "" && strings.Contains(unmarked(text), p)
}

var markupRE = regexp.MustCompile(`\*\*|__|\s+`)

// unmarked is s without emphasis markers and white space: Japanese has
// none between words, and a bullet wrapped over lines has it anywhere.
func unmarked(s string) string { return markupRE.ReplaceAllString(s, "") }

func (c PlanCheck) equal(d PlanCheck) bool {
	return slices.Equal(c.When, d.When) && slices.Equal(c.Plans, d.Plans) && slices.Equal(c.Unless, d.Unless) && c.Watch == d.Watch && c.Cite == d.Cite && c.Fits == d.Fits
}

// DocumentCheck is a plan check with the published document that makes it.
type DocumentCheck struct {
	DocumentID uuid.UUID
	Title      string
	PlanCheck
	plans, unless []matcher
}

// matcher is one of a check's entries: a pattern, or a kind of plan.
type matcher struct {
	re   *regexp.Regexp
	kind string
}

func (m matcher) matches(words string, kinds []string) bool {
	if m.re != nil {
		return m.re.MatchString(words)
	}
	return slices.Contains(kinds, m.kind)
}

// ForDocument readies c to be matched, as a check of document id.
// Patterns that do not compile (checked on save, so none but in rows
// stored before) are left out.
func (c PlanCheck) ForDocument(id uuid.UUID, title string) DocumentCheck {
	compile := func(ps []string) []matcher {
		var out []matcher
		for _, p := range ps {
			if k, ok := strings.CutPrefix(p, kindPrefix); ok {
				out = append(out, matcher{kind: k})
			} else if re, err := compilePattern(p); err == nil {
				out = append(out, matcher{re: re})
			}
		}
		return out
	}
	return DocumentCheck{DocumentID: id, Title: title, PlanCheck: c, plans: compile(c.Plans), unless: compile(c.Unless)}
}

// compilePattern compiles a curator's pattern, matched case-insensitively.
func compilePattern(p string) (*regexp.Regexp, error) { return regexp.Compile("(?i)" + p) }

// Matches reports whether the manager's words, read as plans of kinds,
// match one of the check's plans and none of the plans that fit. What
// the words report of the member's request ("She asked me to just
// listen, but…") is not the manager's plan: a fitting pattern is matched
// without it.
func (c DocumentCheck) Matches(words string, kinds []string) bool {
	if !slices.ContainsFunc(c.plans, func(m matcher) bool { return m.matches(words, kinds) }) {
		return false
	}
	own := ownWords(words)
	return !slices.ContainsFunc(c.unless, func(m matcher) bool { return m.matches(own, kinds) })
}

// Excepts reports whether one of the check's unless patterns (not its
// kinds) matches words: a plan given as a list is weighed step by step,
// and "only if she wants to" in one step speaks for the others.
func (c DocumentCheck) Excepts(words string) bool {
	own := ownWords(words)
	return slices.ContainsFunc(c.unless, func(m matcher) bool { return m.re != nil && m.re.MatchString(own) })
}

// ownWords are the manager's words without what they report of the
// member's request. "Since she asked for it, I'll…" is the plan's reason,
// not a request set against it: the curators' unless patterns read it as
// "at their request".
func ownWords(words string) string {
	own := requestHonored.ReplaceAllString(words, "at their request")
	// "Member P asked to keep it to 15 minutes, so I'll do exactly that":
	// the request told, then granted (said after the request is taken
	// out, which would take it too).
	granted := honoredAfter.MatchString(own)
	own = requestReported.ReplaceAllStringFunc(requestHonoredJa.ReplaceAllString(own, "本人の希望で"), func(m string) string {
		// "unless she asks" is the plan's condition, not her request.
		if askedIf.MatchString(m) {
			return m
		}
		return " "
	})
	if granted {
		own += " at their request"
	}
	if proposedByMember.MatchString(own) {
		own += " " + OwnStep
	}
	return own
}

// Says reports whether one of the check's plan patterns matches words,
// whatever its kinds and unless patterns: where in a question the plan
// it weighs is said.
func (c DocumentCheck) Says(words string) bool {
	return slices.ContainsFunc(c.plans, func(m matcher) bool { return m.re != nil && m.re.MatchString(words) })
}

// requestReported is a clause that tells what the member asked for: "she
// asked me to just listen", 「励ましてほしいって希望が来てるけど」.
var requestReported = regexp.MustCompile(`(?i)(?:\b(?:unless|until|if|once|whether) )?\b(?:she|he|they|them)(?: has| had| just|'s|’s|'ve|’ve| has been| had been|'s been|’s been)?(?: just| already| specifically| explicitly)? (?:asked|asking|asks|wants|wanted|wrote|said|says|requested|would like|'d like|told me)\b[^.;!?,、。]*|` +
	`[^。、]*(?:(?:ほしい|欲しい|たい)(?:って|と)(?:は|も)?(?:言われ|言って|書い|希望|の希望|連絡)|希望が(?:来|出|届)|[ぁ-ゖー」』]とのこと)[^。、]*[、。]?`)

// askedIf is a requestReported match that is a condition of the plan
// ("unless she asks", "if he wants to").
var askedIf = regexp.MustCompile(`(?i)^(?:unless|until|if|once|whether) `)

// requestHonored is the member's request given as the plan's reason.
var requestHonored = regexp.MustCompile(`(?i)\b(?:as|since|because|like) (?:she|he|they|them)(?: has| had| just)? (?:asked|requested|wanted)(?: (?:for it|for this|for that|for))?\b|\b(?:per|at) (?:her|his|their|them'?s?) (?:own )?request\b`)

// honoredAfter grants a request told before it: "so I'll do exactly
// that", "I'll do as she asked".
var honoredAfter = regexp.MustCompile(`(?i)\bso i'?ll do (?:exactly |just )?(?:that|so|as (?:she|he|they) asked)\b|\bi'?ll do as (?:she|he|they) asked\b|\bso i'?ll (?:honou?r|respect|go with) (?:that|it)\b|` +
	// "I'll announce it at stand-up. She asked me to do it": the plan
	// told, then the request it grants.
	`\b(?:she|he|they) (?:asked|wants|wanted) me to (?:do|say|announce|share) (?:it|that|this|so)\b|\b(?:she|he|they) (?:asked|begged|pushed) (?:me )?for (?:exactly |just |precisely )?(?:that|this|it)\b`)

// OwnStep marks, for the unless patterns of checks on stretches and more
// work, a plan the manager tells as the member's own proposal.
const OwnStep = "(a step they proposed)"

// proposedByMember is the plan told as the member's own idea: "he did
// bring it up himself", 「本人から言い出したことなので」. A step they
// proposed is theirs, not a push; what else the plan does is weighed as
// ever (OwnStep excuses only a stretch).
var proposedByMember = regexp.MustCompile(`(?i)\b(?:she|he|they) (?:did |actually |first )?(?:bring|brought|raised?|suggest(?:ed)?|propose[ds]?|volunteer(?:ed)?|pitch(?:ed)?|float(?:ed)?)\b[^.;!?]{0,25}\b(?:herself|himself|themselves|themself)\b|` +
	`\b(?:it was|it's|this was|that was) (?:her|his|their) (?:own )?(?:idea|suggestion|proposal)\b|` +
	`本人(?:から|が)(?:自分から|自ら|先に)?[^。]{0,12}(?:言い出し|提案し|申し出|手を挙げ)[^。]{0,4}(?:たので|たから|たこと(?:なので|だし|です))|本人の(?:発案|提案|アイデア|申し出)(?:なので|だから|です|で)`)

// requestHonoredJa is the same in Japanese: 「お迎えがあるとのことなので」,
// after the end of what was said (「先輩とのことで悩んでいる」 is a matter
// with a colleague).
var requestHonoredJa = regexp.MustCompile(`[^。、]*[ぁ-ゖー」』](?:とのこと|と(?:言われ|頼まれ)(?:た|て(?:いる|います|る)))(?:なので|ので|だから|から|で)|(?:さん|本人)の(?:頼み|希望|依頼|要望|リクエスト)(?:どおり|通り|に応えて|を受けて)`)

// PlanChecks returns the plan checks of the published, visible documents
// in lang (the caller's organization's and the starter pack's), compiled
// once per document version.
func (b *Base) PlanChecks(ctx context.Context, tx pgx.Tx, lang string) ([]DocumentCheck, error) {
	rows, _ := tx.Query(ctx, `SELECT d.id, d.version, d.title, d.plan_checks FROM documents d
		WHERE d.status = 'published' AND d.language = $1 AND d.plan_checks <> '[]'
		  AND NOT EXISTS (SELECT FROM kb_hidden h WHERE h.document_id = d.id)
		ORDER BY d.org_id = '00000000-0000-0000-0000-000000000000', d.id`, lang)
	var out []DocumentCheck
	var (
		id      uuid.UUID
		version int
		title   string
		checks  []PlanCheck
	)
	_, err := pgx.ForEachRow(rows, []any{&id, &version, &title, &checks}, func() error {
		key := fmt.Sprintf("%s/%d", id, version)
		if dcs, ok := b.checks.Load(key); ok {
			out = append(out, dcs.([]DocumentCheck)...)
			return nil
		}
		var dcs []DocumentCheck
		for _, c := range checks {
			dcs = append(dcs, c.ForDocument(id, title))
		}
		b.checks.Store(key, dcs)
		out = append(out, dcs...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plan checks: %w", err)
	}
	return out, nil
}
