package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// Reminder kinds: before a scheduled 1on1, and after one.
const (
	KindPrepare = "prepare"
	KindAfter   = "after"
)

// afterWindow is how long after a 1on1 its reminder may still go out (a
// server down for a day does not send week-old reminders).
const afterWindow = 48 * time.Hour

// Notifier sends reminders and builds calendar feeds.
type Notifier struct {
	history *history.Store
	logger  *slog.Logger
	client  *http.Client
	// publicURL is the server's own address for links, when an
	// organization has not set one.
	publicURL string
}

// New returns a notifier. publicURL is where the web UI is reached when an
// organization sets no address of its own.
func New(h *history.Store, logger *slog.Logger, publicURL string) *Notifier {
	return &Notifier{history: h, logger: logger, publicURL: strings.TrimRight(publicURL, "/"),
		client: &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// LinksFor is where links of an organization's messages point.
func (n *Notifier) LinksFor(s Settings) Links {
	if s.PublicURL != "" {
		return Links{Base: strings.TrimRight(s.PublicURL, "/")}
	}
	return Links{Base: n.publicURL}
}

// DB runs a function in a transaction of one scope: the manager's, for a
// reminder or a test message.
type DB interface {
	InTx(ctx context.Context, fn func(tx pgx.Tx) error) error
}

// Due is a reminder to send: the job that sends it runs as the manager.
type Due struct {
	Org, Manager, Session uuid.UUID
	Kind                  string
}

// DueReminders lists reminders due now across organizations that set up a
// channel, and not yet sent. It is the operator's sweep (tx sees every
// organization).
func DueReminders(ctx context.Context, tx pgx.Tx, now time.Time, limit int) ([]Due, error) {
	rows, _ := tx.Query(ctx, `
		SELECT s.org_id, s.manager_id, s.id, 'prepare' FROM sessions s JOIN notify_settings ns ON ns.org_id = s.org_id
		WHERE s.status = 'scheduled' AND s.scheduled_at > $1 AND s.scheduled_at <= $1 + make_interval(mins => ns.remind_before_min)
		  AND NOT EXISTS (SELECT FROM reminders_sent r WHERE r.org_id = s.org_id AND r.session_id = s.id AND r.kind = 'prepare')
		UNION ALL
		SELECT s.org_id, s.manager_id, s.id, 'after' FROM sessions s JOIN notify_settings ns ON ns.org_id = s.org_id
		WHERE s.status IN ('scheduled', 'held') AND coalesce(s.held_at, s.scheduled_at) > $1 - $2::interval
		  AND coalesce(s.held_at, s.scheduled_at) + make_interval(mins => coalesce(s.duration_min, 30) + ns.remind_after_min) <= $1
		  AND NOT EXISTS (SELECT FROM reminders_sent r WHERE r.org_id = s.org_id AND r.session_id = s.id AND r.kind = 'after')
		LIMIT $3`, now, afterWindow, limit)
	due, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Due])
	if err != nil {
		return nil, fmt.Errorf("due reminders: %w", err)
	}
	return due, nil
}

// Message is a reminder as every channel sends it.
type Message struct {
	Subject string
	Lines   []Line
}

// Line is a sentence, with a link when it has one.
type Line struct {
	Text string
	URL  string
}

// recipient is who a reminder goes to, and how.
type recipient struct {
	Email    string
	Language string
	Disabled bool
	Prefs    Prefs
}

// reminder is what a reminder is built from: nothing a member or manager
// wrote but the manager's alias for the member.
type reminder struct {
	Member   uuid.UUID
	Alias    string
	Status   string
	At       time.Time
	Style    *string
	Topics   []string
	FromSelf bool // the member answered the intake
}

// Remind sends one reminder, in a scope of the session's manager. It is
// sent at most once: the first transaction claims it (reminders_sent), and
// a send that fails everywhere gives the claim back so that the job's
// retry sends it. A manager who opted out, was disabled, or whose session
// no longer fits the reminder gets nothing.
func (n *Notifier) Remind(ctx context.Context, db DB, d Due) error {
	var (
		msg     *Message
		set     Settings
		to      recipient
		claimed bool
	)
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if set, err = GetSettings(ctx, tx); err != nil {
			return err
		}
		if to, err = loadRecipient(ctx, tx); err != nil {
			return err
		}
		r, ok, err := loadReminder(ctx, tx, d)
		if err != nil || !ok {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO reminders_sent (org_id, session_id, kind, manager_id, member_id)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, d.Org, d.Session, d.Kind, d.Manager, r.Member)
		if err != nil {
			return fmt.Errorf("claim reminder: %w", err)
		}
		if claimed = tag.RowsAffected() == 1; !claimed {
			return nil
		}
		if to.Disabled || to.Prefs.OptOut || len(n.channels(set, to)) == 0 {
			// Recorded with no channel: the sweep stops listing it, and
			// no member link is made for a message nobody gets.
			return nil
		}
		msg, err = n.compose(ctx, tx, d, r, n.LinksFor(set), to.Language)
		return err
	})
	if err != nil || !claimed || msg == nil {
		return err
	}
	sent, sendErr := n.send(ctx, set, to, *msg)
	if len(sent) == 0 && sendErr != nil {
		// Nothing went out: give the claim back for the job's retry.
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM reminders_sent WHERE session_id = $1 AND kind = $2`, d.Session, d.Kind)
			return err
		})
		return errors.Join(sendErr, err)
	}
	if sendErr != nil {
		// One channel took it: the reminder is sent; the other is logged.
		n.logger.WarnContext(ctx, "reminder channel failed", slog.String("error", sendErr.Error()))
	}
	return db.InTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE reminders_sent SET channels = $3 WHERE session_id = $1 AND kind = $2`, d.Session, d.Kind, sent)
		return err
	})
}

func loadRecipient(ctx context.Context, tx pgx.Tx) (recipient, error) {
	var r recipient
	err := tx.QueryRow(ctx, `SELECT coalesce(email, ''), language, disabled_at IS NOT NULL FROM users
		WHERE id = nullif(current_setting('taiwa.user_id', true), '')::uuid`).Scan(&r.Email, &r.Language, &r.Disabled)
	if errors.Is(err, pgx.ErrNoRows) {
		return recipient{Disabled: true}, nil
	}
	if err != nil {
		return recipient{}, fmt.Errorf("reminder recipient: %w", err)
	}
	r.Prefs, err = GetPrefs(ctx, tx)
	return r, err
}

// loadReminder reads the session, and reports whether it still fits the
// reminder (a 1on1 cancelled or moved since the sweep gets none).
func loadReminder(ctx context.Context, tx pgx.Tx, d Due) (reminder, bool, error) {
	var r reminder
	var from string
	err := tx.QueryRow(ctx, `SELECT s.member_id, m.alias, s.status, coalesce(s.held_at, s.scheduled_at), s.request_style, s.request_topics, s.request_from
		FROM sessions s JOIN members m ON m.org_id = s.org_id AND m.id = s.member_id WHERE s.id = $1`, d.Session).
		Scan(&r.Member, &r.Alias, &r.Status, &r.At, &r.Style, &r.Topics, &from)
	if errors.Is(err, pgx.ErrNoRows) {
		return reminder{}, false, nil // erased or deleted since
	}
	if err != nil {
		return reminder{}, false, fmt.Errorf("reminder session: %w", err)
	}
	r.FromSelf = from == "member"
	switch d.Kind {
	case KindPrepare:
		return r, r.Status == "scheduled" && r.At.After(time.Now()), nil
	case KindAfter:
		return r, r.Status == "scheduled" || r.Status == "held", nil
	}
	return reminder{}, false, fmt.Errorf("%w: reminder kind %q", ErrInvalid, d.Kind)
}

// compose writes the reminder; for a member who has not answered yet it
// makes the link the manager sends them (intake before, feedback after),
// unless one is open already.
func (n *Notifier) compose(ctx context.Context, tx pgx.Tx, d Due, r reminder, links Links, lang string) (*Message, error) {
	when := r.At.In(tokyo(lang)).Format(msg(lang, "1/2 15:04", "Jan 2, 15:04 MST"))
	m := &Message{}
	if d.Kind == KindPrepare {
		m.Subject = msg(lang, fmt.Sprintf("%s %sとの1on1の準備", when, San(r.Alias)), fmt.Sprintf("Prepare your 1on1 with %s at %s", r.Alias, when))
		m.Lines = append(m.Lines, Line{Text: msg(lang, "1on1の準備をする", "Prepare the 1on1"), URL: links.prep(r.Member)})
		if r.FromSelf {
			m.Lines = append(m.Lines, Line{Text: requestLine(r, lang)})
		} else if url, err := n.memberLink(ctx, tx, d, history.PhaseIntake, r.At.Add(24*time.Hour)); err != nil {
			return nil, err
		} else if url != "" {
			m.Lines = append(m.Lines, Line{Text: msg(lang, "まだ事前記入がありません。このリンクをメンバーに送ってください", "No intake yet. Send this link to your member"), URL: links.member(url)})
		}
		return m, nil
	}
	m.Subject = msg(lang, fmt.Sprintf("%sとの1on1を振り返る", San(r.Alias)), fmt.Sprintf("Reflect on your 1on1 with %s", r.Alias))
	if r.Status == "scheduled" {
		m.Lines = append(m.Lines, Line{Text: msg(lang, "1on1を記録して振り返る", "Record the 1on1 and reflect"), URL: links.session(d.Session)})
		return m, nil
	}
	m.Lines = append(m.Lines, Line{Text: msg(lang, "振り返りの問いに答える", "Answer the reflection prompts"), URL: links.session(d.Session)})
	url, err := n.memberLink(ctx, tx, d, history.PhaseFeedback, time.Now().Add(7*24*time.Hour))
	if err != nil {
		return nil, err
	}
	if url != "" {
		m.Lines = append(m.Lines, Line{Text: msg(lang, "メンバーに感想を聞くリンク（本人に送ってください）", "The member's feedback link (send it to them)"), URL: links.member(url)})
	}
	return m, nil
}

// memberLink returns the open link of phase for the session, or makes one
// lasting until until; "" when none can be (feedback already given).
func (n *Notifier) memberLink(ctx context.Context, tx pgx.Tx, d Due, phase string, until time.Time) (string, error) {
	open, err := n.history.OpenLinks(ctx, tx, []uuid.UUID{d.Session}, phase)
	if err != nil {
		return "", err
	}
	if t, ok := open[d.Session]; ok {
		return t, nil
	}
	// An open link the server cannot remake (made before links were
	// derived) may be in the member's hands: a new one would end it.
	var pending bool
	err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM member_links WHERE session_id = $1 AND phase = $2
		AND used_at IS NULL AND expires_at > now())`, d.Session, phase).Scan(&pending)
	if err != nil || pending {
		return "", err
	}
	ttl := min(max(time.Until(until), time.Hour), history.MaxLinkTTL)
	_, token, err := n.history.CreateLink(ctx, tx, d.Org, d.Manager, d.Session, phase, ttl)
	if errors.Is(err, history.ErrConflict) || errors.Is(err, history.ErrInvalid) {
		return "", nil
	}
	return token, err
}

// requestLine is what the member asked for: the response style and the
// topics they picked, never what they wrote.
func requestLine(r reminder, lang string) string {
	var parts []string
	if r.Style != nil {
		parts = append(parts, styleLabel(*r.Style, lang))
	}
	for _, t := range knowledge.MemberTopics {
		if slices.Contains(r.Topics, t.Slug) {
			parts = append(parts, msg(lang, t.JA, t.EN))
		}
	}
	if len(parts) == 0 {
		return msg(lang, "メンバーが事前記入に答えました", "Your member answered the intake")
	}
	return msg(lang, "メンバーの希望: ", "Your member asked for: ") + strings.Join(parts, msg(lang, "、", ", "))
}

func styleLabel(style, lang string) string {
	labels := map[string][2]string{
		"listen":         {"まず聴いてほしい", "just listen"},
		"advise":         {"助言がほしい", "advice"},
		"think-together": {"一緒に考えてほしい", "thinking it through together"},
		"encourage":      {"背中を押してほしい", "encouragement"},
		"decide":         {"決めたいことがある", "a decision"},
		"report":         {"報告したい", "a report"},
	}
	l, ok := labels[style]
	if !ok {
		return style
	}
	return msg(lang, l[0], l[1])
}

// San is alias as a Japanese sentence names a person: with さん, unless the
// manager's alias already carries an honorific.
func San(alias string) string {
	for _, h := range []string{"さん", "くん", "君", "ちゃん", "様", "さま", "氏"} {
		if strings.HasSuffix(alias, h) {
			return alias
		}
	}
	return alias + "さん"
}

// tokyo is the time zone of a reminder's wording: Japan's for Japanese
// (the product's first users), UTC otherwise.
func tokyo(lang string) *time.Location {
	if lang == "en" {
		return time.UTC
	}
	return time.FixedZone("JST", 9*60*60)
}

// Delivery is how one channel took a test message.
type Delivery struct {
	Channel string `json:"channel"` // slack or email
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
}

// Test sends the calling user a test message on every channel set up for
// them, and says how each took it: for checking the settings. With none set
// up the list is empty.
func (n *Notifier) Test(ctx context.Context, db DB) ([]Delivery, error) {
	var (
		set Settings
		to  recipient
	)
	err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
		if set, err = GetSettings(ctx, tx); err != nil {
			return err
		}
		to, err = loadRecipient(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	lang := to.Language
	m := Message{Subject: msg(lang, "Taiwaからのテスト通知", "A test message from Taiwa"),
		Lines: []Line{{Text: msg(lang, "リマインドはこの宛先に届きます", "Reminders will reach you here"), URL: n.LinksFor(set).Base + "/#/notifications"}}}
	out := []Delivery{}
	for _, ch := range n.channels(set, to) {
		d := Delivery{Channel: ch.name, OK: true}
		if err := ch.send(ctx, m); err != nil {
			d.OK, d.Error = false, firstLine(err.Error())
		}
		out = append(out, d)
	}
	return out, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return s
}
