package history

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/safety"
)

// Name is the manager's alias for the member, or "" when the coach reads
// no member (a question about no one in particular).
func (s *Signals) Name() string {
	if s == nil {
		return ""
	}
	return s.Alias
}

// Signals is what the coach knows about a manager's member before a 1on1:
// a compact digest of the history, with no single rating in it.
type Signals struct {
	MemberID uuid.UUID `json:"member_id"`
	Alias    string    `json:"alias"`
	// Asked is what the manager wrote to the coach about the member for
	// this answer (redacted), when it is about them: it tells how the
	// manager speaks of them ("he's given me straight updates").
	Asked anonymize.Text `json:"-"`
	// Next is the upcoming scheduled session, with what the member asked
	// to talk about and how they want the manager to respond: the soonest,
	// or, when it holds no request and a later one does, the soonest that
	// does (see count).
	Next            *SessionBrief      `json:"next"`
	LastSessions    []SessionBrief     `json:"last_sessions"` // held, newest first
	OpenActions     []OpenAction       `json:"open_actions"`  // oldest first
	Condition       ConditionTrend     `json:"condition"`
	RecurringTopics []TopicCount       `json:"recurring_topics"`
	Styles          []StyleSignal      `json:"styles"`
	DaysSinceLast   *int               `json:"days_since_last"`
	CadenceDays     *float64           `json:"cadence_days"` // median days between held 1on1s
	Held            int                `json:"held"`         // in the last 180 days
	Planned         int                `json:"planned"`      // held, cancelled, skipped or never logged, due in the last 180 days
	Cancelled       int                `json:"cancelled"`    // of Planned
	Skipped         int                `json:"skipped"`      // of Planned
	Implementation  *float64           `json:"implementation_rate"`
	Feedback        Figures            `json:"feedback"`
	LastReflection  []ReflectionAnswer `json:"last_reflection"`
	// ReflectionDaysAgo is how long ago the 1on1 that LastReflection is
	// about took place; nil when it is the latest held one (a reflection
	// read back as "after the last 1on1" must be about the last one).
	ReflectionDaysAgo *int `json:"reflection_days_ago,omitempty"`
	// DoneActions are the actions done since the last 1on1 but one (at
	// most doneWindow ago), newest first: a plan acknowledges them.
	DoneActions []DoneAction `json:"done_actions"`
	// StatusStreak counts the latest held 1on1s in a row whose notes are
	// progress reports only.
	StatusStreak int `json:"status_streak"`
	// AdvisedDespiteListen says the member asked to be listened to last
	// time and the notes record advice given.
	AdvisedDespiteListen bool `json:"advised_despite_listen"`
	// MissedSinceLast counts the 1on1s cancelled or skipped since the last
	// one held (or ever, when none was): the next one starts by naming it.
	MissedSinceLast int `json:"missed_since_last"`
	// LastComment is the newest comment the member chose to share after a
	// 1on1 within commentWindow: their own words on how it went.
	LastComment *SharedComment `json:"last_comment"`
	// SameStyleComment is the newest comment the member shared after an
	// earlier 1on1 in which they asked for the response they ask for in
	// Next (within sameStyleWindow), when it is not LastComment: their
	// own words on how that kind of 1on1 went.
	SameStyleComment *StyleComment `json:"same_style_comment,omitempty"`
	// MissComment is the newest comment the member shared on a 1on1 they
	// said did not give them the response they asked for (matched partly
	// or no), within sameStyleWindow, when they had asked for what they
	// ask for in Next: their own words, the evidence a warning against
	// repeating it stands on.
	MissComment *StyleComment `json:"miss_comment,omitempty"`
}

// StyleComment is a shared comment on a 1on1 held in a requested style.
type StyleComment struct {
	SharedComment
	Style   string `json:"style"`
	DaysAgo int    `json:"days_ago"` // since the 1on1 it is about
}

// sameStyleWindow is how far back a comment on a 1on1 of the same style
// is still worth reading before the next.
const sameStyleWindow = 180 * 24 * time.Hour

// commentWindow is how far back a shared comment is still "last time's".
const commentWindow = 60 * 24 * time.Hour

// DoneAction is an action completed recently.
type DoneAction struct {
	Text    anonymize.Text `json:"text"`
	Owner   string         `json:"owner"`
	DaysAgo int            `json:"days_ago"`
	// Reported is set for an action agreed before the latest held 1on1
	// and due before it: that 1on1 was where it was reported, however late
	// it was ticked off, so it is acknowledged, not announced as news.
	Reported bool `json:"reported,omitempty"`
}

// SessionBrief is one session, compact.
type SessionBrief struct {
	ID          uuid.UUID      `json:"id"`
	Status      string         `json:"status"`
	At          time.Time      `json:"at"`
	Topics      []string       `json:"topics"`
	Style       *string        `json:"style"`
	Request     anonymize.Text `json:"request"`
	RequestFrom string         `json:"request_from"`
	Condition   *int           `json:"condition"`
	Notes       anonymize.Text `json:"notes"`
}

// OpenAction is an agreed action not yet done, with how long it has been
// open.
type OpenAction struct {
	ID      uuid.UUID      `json:"id"`
	Text    anonymize.Text `json:"text"`
	Owner   string         `json:"owner"`
	DueDate *string        `json:"due_date"`
	AgeDays int            `json:"age_days"`
	Overdue bool           `json:"overdue"`
}

// ConditionTrend is the member's self-reported condition (1-5) over the
// latest held sessions, oldest first, and which way it moved.
type ConditionTrend struct {
	Values []int  `json:"values"`
	Latest *int   `json:"latest"`
	Change string `json:"change"` // up, down, steady, or "" with fewer than two values
}

// TopicCount is a topic and how many of the latest sessions asked for it.
type TopicCount struct {
	Topic    string `json:"topic"`
	Sessions int    `json:"sessions"`
}

// styleFigures returns, per requested style, the figures over all of that
// style's ratings (in steps of MinRatings), and the rolling figures over
// all ratings. A figure is shown only if, with every figure shown since
// the first rating (a manager can keep them all), it gives away no rating
// (leaks): the history is replayed rating by rating and each new figure is
// decided once, the rolling one first, then the most-used styles.
func styleFigures(rs []rating, requested map[string]int) ([]StyleSignal, Figures) {
	var (
		shown   [][]int
		decided = map[string]bool{} // set -> shown
		byStyle = map[string][]int{}
		all     []int
		current map[string][]int // the sets shown now, by style ("" for the rolling figure)
	)
	decide := func(set []int) bool {
		if len(set) == 0 {
			return false
		}
		key := fmt.Sprint(set)
		ok, seen := decided[key]
		if !seen {
			if ok = !leaks(append(slices.Clone(shown), set), len(rs)); ok {
				shown = append(shown, set)
			}
			decided[key] = ok
		}
		return ok
	}
	for t, r := range rs {
		all = append(all, t)
		if r.Style != nil {
			byStyle[*r.Style] = append(byStyle[*r.Style], t)
		}
		current = map[string][]int{}
		if set := usable(all, feedbackWindow); decide(set) {
			current[""] = set
		}
		order := slices.Clone(Styles)
		slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(len(byStyle[b]), len(byStyle[a])) })
		for _, st := range order {
			if set := usable(byStyle[st], len(byStyle[st])); decide(set) {
				current[st] = set
			}
		}
	}
	pick := func(idx []int) []rating {
		out := make([]rating, len(idx))
		for k, i := range idx {
			out[k] = rs[i]
		}
		return out
	}
	out := []StyleSignal{}
	for _, st := range Styles {
		if requested[st] == 0 && len(byStyle[st]) == 0 {
			continue
		}
		sc := StyleSignal{Style: st, Requested: requested[st]}
		if set, ok := current[st]; ok {
			sc.Match = figures(pick(set), len(set))
		}
		out = append(out, sc)
	}
	slices.SortStableFunc(out, func(a, b StyleSignal) int { return cmp.Compare(b.Requested, a.Requested) })
	var overall Figures
	if set, ok := current[""]; ok {
		overall = figures(pick(set), len(set))
	}
	return out, overall
}

// StyleSignal is a response style the member asked for, how often, and how
// the member rated the match when they did (figures over MinRatings or
// more ratings only).
type StyleSignal struct {
	Style     string  `json:"style"`
	Requested int     `json:"requested"`
	Match     Figures `json:"match"`
}

const (
	signalWindow    = 180 * 24 * time.Hour
	briefNotesRunes = 300
	lastSessions    = 3
	topicSessions   = 6
	conditionPoints = 5
)

// signalInput is what Signals reads from the database; computeSignals
// works on it alone, so it is tested without one.
type signalInput struct {
	Member     Member
	Sessions   []Session // newest first
	Actions    []Action  // open ones, and those done within doneWindow
	Ratings    []rating  // oldest first
	Reflection []ReflectionAnswer
	// ReflectionAt is when the 1on1 the reflection is about took place.
	ReflectionAt time.Time
	Comment      *SharedComment // the newest shared comment, if any
}

// Signals returns the digest of a member's history as of now.
func (s *Store) Signals(ctx context.Context, tx pgx.Tx, memberID uuid.UUID, now time.Time) (Signals, error) {
	var in signalInput
	var err error
	if in.Member, err = s.Member(ctx, tx, memberID); err != nil {
		return Signals{}, err
	}
	rows, _ := tx.Query(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE member_id = $1 AND (coalesce(held_at, scheduled_at, created_at) >= $2 OR status = 'scheduled')
		ORDER BY coalesce(held_at, scheduled_at, created_at) DESC, id DESC LIMIT 200`, memberID, now.Add(-signalWindow))
	if in.Sessions, err = pgx.CollectRows(rows, pgx.RowToStructByNameLax[Session]); err != nil {
		return Signals{}, fmt.Errorf("signals: %w", err)
	}
	rows, _ = tx.Query(ctx, `SELECT `+actionColumns+` FROM actions WHERE member_id = $1
		AND (status = 'open' OR status = 'done' AND closed_at >= $2) ORDER BY created_at, id`, memberID, now.Add(-doneWindow))
	if in.Actions, err = pgx.CollectRows(rows, pgx.RowToStructByName[Action]); err != nil {
		return Signals{}, fmt.Errorf("signals: %w", err)
	}
	if in.Ratings, err = s.ratings(ctx, tx, memberID); err != nil {
		return Signals{}, err
	}
	cs, err := sharedComments(ctx, tx, memberID, now.Add(-commentWindow), 1)
	if err != nil {
		return Signals{}, fmt.Errorf("signals: %w", err)
	}
	if len(cs) > 0 {
		in.Comment = &cs[0]
	}
	rows, _ = tx.Query(ctx, `SELECT r.prompt, r.answer, r.created_at, coalesce(s.held_at, s.scheduled_at, s.created_at)
		FROM session_reflections r JOIN sessions s ON s.org_id = r.org_id AND s.id = r.session_id
		WHERE r.session_id = (SELECT l.session_id FROM session_reflections l WHERE l.member_id = $1 ORDER BY l.created_at DESC LIMIT 1)
		ORDER BY r.position`, memberID)
	var a ReflectionAnswer
	_, err = pgx.ForEachRow(rows, []any{&a.Prompt, &a.Answer, &a.CreatedAt, &in.ReflectionAt}, func() error {
		in.Reflection = append(in.Reflection, a)
		return nil
	})
	if err != nil {
		return Signals{}, fmt.Errorf("signals: %w", err)
	}
	sig := computeSignals(now, in)
	if sig.SameStyleComment, err = styleComment(ctx, tx, &sig, now); err != nil {
		return Signals{}, fmt.Errorf("signals: %w", err)
	}
	if sig.MissComment, err = missComment(ctx, tx, &sig, now); err != nil {
		return Signals{}, fmt.Errorf("signals: %w", err)
	}
	return sig, nil
}

// styleComment finds the newest comment shared after a held 1on1 whose
// requested style is that of sig.Next (see Signals.SameStyleComment).
func styleComment(ctx context.Context, tx pgx.Tx, sig *Signals, now time.Time) (*StyleComment, error) {
	if sig.Next == nil || sig.Next.Style == nil {
		return nil, nil
	}
	c, err := newestComment(ctx, tx, sig.MemberID, sig.Next.Style, now, false)
	if c != nil && sig.LastComment != nil && sig.LastComment.SessionID == c.SessionID {
		return nil, nil
	}
	return c, err
}

// missComment finds the newest comment shared after a held 1on1 that the
// member said matched what they asked for only partly or not at all, when
// they asked then for what they ask for in sig.Next (see
// Signals.MissComment).
func missComment(ctx context.Context, tx pgx.Tx, sig *Signals, now time.Time) (*StyleComment, error) {
	if sig.Next == nil || sig.Next.Style == nil {
		return nil, nil
	}
	c, err := newestComment(ctx, tx, sig.MemberID, nil, now, true)
	if c != nil && c.Style != *sig.Next.Style {
		return nil, nil
	}
	return c, err
}

// newestComment is the newest comment a member shared after a held 1on1
// within sameStyleWindow: of one whose requested style is style, when
// given; missed keeps only those the member said missed what they asked.
func newestComment(ctx context.Context, tx pgx.Tx, memberID uuid.UUID, style *string, now time.Time, missed bool) (*StyleComment, error) {
	var c StyleComment
	var held time.Time
	var asked *string
	err := tx.QueryRow(ctx, `SELECT f.session_id, f.comment, f.created_at, s.held_at, s.request_style FROM session_feedback f
		JOIN sessions s ON s.org_id = f.org_id AND s.id = f.session_id
		WHERE f.member_id = $1 AND f.comment IS NOT NULL AND s.status = 'held' AND s.held_at >= $2
			AND ($3::text IS NULL OR s.request_style = $3) AND (NOT $4 OR f.matched IN ('partly', 'no'))
		ORDER BY s.held_at DESC, f.created_at DESC LIMIT 1`, memberID, now.Add(-sameStyleWindow), style, missed).
		Scan(&c.SessionID, &c.Comment, &c.CreatedAt, &held, &asked)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if asked != nil {
		c.Style = *asked
	}
	c.DaysAgo = max(days(now.Sub(held)), 0)
	return &c, nil
}

func at(s Session) time.Time {
	switch {
	case s.HeldAt != nil:
		return *s.HeldAt
	case s.ScheduledAt != nil:
		return *s.ScheduledAt
	}
	return s.CreatedAt
}

func brief(s Session) SessionBrief {
	return SessionBrief{ID: s.ID, Status: s.Status, At: at(s), Topics: nonNil(s.RequestTopics), Style: s.RequestStyle,
		Request: s.RequestText, RequestFrom: s.RequestFrom, Condition: s.Condition, Notes: s.Notes.Cut(briefNotesRunes)}
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// hasRequest says the session holds a request: what the member (through
// an intake link) or the manager wrote they want to talk about, or how.
func hasRequest(s Session) bool {
	return s.RequestStyle != nil || len(s.RequestTopics) > 0 || !s.RequestText.Empty()
}

func briefHasRequest(b *SessionBrief) bool {
	return b.Style != nil || len(b.Topics) > 0 || !b.Request.Empty()
}

// upcomingSlack is how long after its time a scheduled 1on1 still counts as
// coming: half a day, for time zones and a 1on1 not yet logged today.
const upcomingSlack = 12 * time.Hour

// Scheduled lists a member's 1on1s still to come (scheduled, and due at
// most upcomingSlack ago), soonest first, leaving out the session except
// (uuid.Nil for none): scheduling another one is worth a second look.
func (s *Store) Scheduled(ctx context.Context, tx pgx.Tx, memberID, except uuid.UUID, now time.Time) ([]SessionBrief, error) {
	rows, _ := tx.Query(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE member_id = $1 AND id <> $2 AND status = 'scheduled' AND scheduled_at >= $3
		ORDER BY scheduled_at, id`, memberID, except, now.Add(-upcomingSlack))
	ss, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Session])
	if err != nil {
		return nil, fmt.Errorf("scheduled sessions: %w", err)
	}
	out := make([]SessionBrief, len(ss))
	for i, x := range ss {
		out[i] = brief(x)
	}
	return out, nil
}

func computeSignals(now time.Time, in signalInput) Signals {
	sig := Signals{MemberID: in.Member.ID, Alias: in.Member.Alias, LastSessions: []SessionBrief{},
		OpenActions: []OpenAction{}, RecurringTopics: []TopicCount{}, Styles: []StyleSignal{},
		LastReflection: nonNil(in.Reflection), LastComment: in.Comment}

	sessions := slices.Clone(in.Sessions)
	slices.SortStableFunc(sessions, func(a, b Session) int { return at(b).Compare(at(a)) })
	held := sig.count(now, sessions)
	for i, s := range held {
		if i < lastSessions {
			sig.LastSessions = append(sig.LastSessions, brief(s))
		}
	}
	if len(held) > 0 {
		d := days(now.Sub(at(held[0])))
		sig.DaysSinceLast = &d
	}
	if len(in.Reflection) > 0 && !in.ReflectionAt.IsZero() && (len(held) == 0 || in.ReflectionAt.Before(at(held[0]))) {
		d := days(now.Sub(in.ReflectionAt))
		sig.ReflectionDaysAgo = &d
	}
	sig.CadenceDays = cadence(held)
	sig.Condition = conditionTrend(held)
	var styles map[string]int
	sig.RecurringTopics, styles = requested(sessions)
	sig.Styles, sig.Feedback = styleFigures(in.Ratings, styles)
	sig.OpenActions, sig.DoneActions = actionSignals(now, in.Actions, held)
	sig.StatusStreak, sig.AdvisedDespiteListen = streaks(held)
	return sig
}

// count finds the next scheduled 1on1 and the implementation rate among
// sessions (newest first), and returns the held ones, newest first.
func (sig *Signals) count(now time.Time, sessions []Session) (held []Session) {
	for _, s := range sessions {
		t := at(s)
		switch {
		case s.Status == "scheduled" && !t.Before(now.Add(-upcomingSlack)):
			// The soonest upcoming one is next (the list is newest first,
			// so each one met is sooner), unless only a later one holds a
			// request: with two 1on1s scheduled (often one planned twice),
			// the member's answer to either is what they want to talk
			// about next, and a prep that read the soonest alone lost it.
			if sig.Next == nil || hasRequest(s) || !briefHasRequest(sig.Next) {
				b := brief(s)
				sig.Next = &b
			}
		case s.Status == "held" && !t.After(now.Add(12*time.Hour)):
			// A 1on1 logged as held at a future date is a typo: it says
			// nothing of how long ago the last one was.
			held = append(held, s)
		case (s.Status == "cancelled" || s.Status == "skipped") && len(held) == 0 && t.Before(now):
			sig.MissedSinceLast++
		}
		// Implementation: every 1on1 due in the window counts as planned;
		// one still "scheduled" a day after its time quietly did not
		// happen (or was never logged).
		if t.After(now.Add(-signalWindow)) && t.Before(now) {
			switch {
			case s.Status == "held":
				sig.Held++
				sig.Planned++
			case s.Status == "cancelled":
				sig.Cancelled++
				sig.Planned++
			case s.Status == "skipped":
				sig.Skipped++
				sig.Planned++
			case s.Status == "scheduled" && t.Before(now.Add(-24*time.Hour)):
				sig.Planned++
			}
		}
	}
	if sig.Planned > 0 {
		r := round2(float64(sig.Held) / float64(sig.Planned))
		sig.Implementation = &r
	}
	return held
}

// cadence is the median number of days between held 1on1s (newest first).
func cadence(held []Session) *float64 {
	var gaps []float64
	for i := 1; i < len(held); i++ {
		gaps = append(gaps, at(held[i-1]).Sub(at(held[i])).Hours()/24)
	}
	if len(gaps) == 0 {
		return nil
	}
	slices.Sort(gaps)
	m := gaps[len(gaps)/2]
	if len(gaps)%2 == 0 {
		m = (gaps[len(gaps)/2-1] + m) / 2
	}
	m = round2(m)
	return &m
}

// conditionTrend is the condition, oldest first, over the latest held
// sessions (newest first) that have one, and how the latest compares with
// the mean of those before it.
func conditionTrend(held []Session) ConditionTrend {
	tr := ConditionTrend{Values: []int{}}
	for _, s := range held {
		if s.Condition != nil && len(tr.Values) < conditionPoints {
			tr.Values = append(tr.Values, *s.Condition)
		}
	}
	slices.Reverse(tr.Values)
	v := tr.Values
	if len(v) == 0 {
		return tr
	}
	latest := v[len(v)-1]
	tr.Latest = &latest
	if len(v) < 2 {
		return tr
	}
	var before float64
	for _, x := range v[:len(v)-1] {
		before += float64(x)
	}
	// Two points make a trend only when they are far apart (4→2); from
	// three on, a drift that never turns back counts too: 4→4→3→3 is down,
	// though its last value is within a point of the mean before it.
	d := float64(latest) - before/float64(len(v)-1)
	switch {
	case len(v) == 2 && d >= 2, len(v) > 2 && (d >= 0.75 || latest > v[0] && slices.IsSorted(v)):
		tr.Change = "up"
	case len(v) == 2 && d <= -2, len(v) > 2 && (d <= -0.75 || latest < v[0] && slices.IsSortedFunc(v, func(a, b int) int { return b - a })):
		tr.Change = "down"
	default:
		tr.Change = "steady"
	}
	return tr
}

// requested counts the topics and styles the member asked for over the
// latest requests (newest first; the upcoming one included): the topics
// asked for twice or more, most asked first, and every style's count.
func requested(sessions []Session) ([]TopicCount, map[string]int) {
	topics, styles := map[string]int{}, map[string]int{}
	n := 0
	for _, s := range sessions {
		if s.Status != "held" && s.Status != "scheduled" || len(s.RequestTopics) == 0 && s.RequestStyle == nil {
			continue
		}
		if n++; n > topicSessions {
			break
		}
		for _, t := range s.RequestTopics {
			topics[t]++
		}
		if s.RequestStyle != nil {
			styles[*s.RequestStyle]++
		}
	}
	recurring := []TopicCount{}
	for t, c := range topics {
		if c >= 2 {
			recurring = append(recurring, TopicCount{t, c})
		}
	}
	slices.SortFunc(recurring, func(a, b TopicCount) int {
		return cmp.Or(cmp.Compare(b.Sessions, a.Sessions), cmp.Compare(a.Topic, b.Topic))
	})
	return recurring, styles
}

// actionSignals splits actions into the open ones, oldest first, with
// their age, and the recently done ones, newest first.
func actionSignals(now time.Time, actions []Action, held []Session) (open []OpenAction, done []DoneAction) {
	open, done = []OpenAction{}, []DoneAction{}
	var closed []Action
	for _, a := range actions {
		if a.Status == "done" {
			if a.ClosedAt != nil {
				closed = append(closed, a)
			}
			continue
		}
		oa := OpenAction{ID: a.ID, Text: a.Text, Owner: a.Owner, DueDate: a.DueDate, AgeDays: days(now.Sub(a.CreatedAt))}
		if a.DueDate != nil {
			if due, err := time.Parse(time.DateOnly, *a.DueDate); err == nil && now.After(due.Add(24*time.Hour)) {
				oa.Overdue = true
			}
		}
		open = append(open, oa)
	}
	// Newest first: closed last, then agreed last (actions closed together
	// at a 1on1 are acknowledged from the latest agreed).
	slices.SortStableFunc(closed, func(a, b Action) int {
		return cmp.Or(b.ClosedAt.Compare(*a.ClosedAt), b.CreatedAt.Compare(a.CreatedAt))
	})
	for _, a := range closed {
		done = append(done, DoneAction{Text: a.Text, Owner: a.Owner, DaysAgo: days(now.Sub(*a.ClosedAt)), Reported: reported(a, held)})
	}
	return open, done
}

// reported reports whether a done action was agreed before the latest
// held 1on1 and due before it: announcing it again as news ("let her know
// you have sent the list", weeks after she had it) reads as if the manager
// had not been there.
func reported(a Action, held []Session) bool {
	if len(held) == 0 || a.DueDate == nil || a.SessionID != nil && *a.SessionID == held[0].ID {
		return false
	}
	due, err := time.Parse(time.DateOnly, *a.DueDate)
	return err == nil && due.Before(at(held[0]))
}

// doneWindow is how long a completed action is worth acknowledging.
const doneWindow = 45 * 24 * time.Hour

var (
	// statusWords are what progress reports are made of; personalWords
	// what a 1on1 about the person holds.
	statusWords   = regexp.MustCompile(`(?i)進捗|報告|予定通り|予定どおり|順調|タスク|スケジュール|遅れ|完了|対応中|チケット|スプリント|status|progress|update|on track|ticket|sprint|deadline|delivered|shipped|behind schedule`)
	personalWords = regexp.MustCompile(`(?i)気持ち|不安|悩|キャリア|やりたい|疲|体調|もや|モヤ|将来|成長|感じ|つらい|辛い|嬉し|うれし|楽し|やりがい|関係(?:[^者課部先機書各]|$)|相談(?:[^先窓件]|$)|本音|feel|felt|worr|career|tired|stress|want to|grow|concern|enjoy|frustrat|excited|anxious|confiden|motivat`)
	// adviceWords record advice given.
	adviceWords = regexp.MustCompile(`(?i)助言した|アドバイスした|助言として|アドバイスとして|提案した|教えた|すべきと(伝|言)|ように言った|advised|advice|suggested|recommended|told (?:him|her|them) to|pointed out|gave (?:some |a few )?(?:tips|pointers)`)
)

// streaks reads the latest held 1on1s (newest first): how many in a row
// were progress reports only (the notes say so, or the member asked to
// report and the notes hold nothing personal), and whether the latest one
// gave advice to a member who had asked to be listened to.
func streaks(held []Session) (status int, advisedDespiteListen bool) {
	for _, s := range held {
		n := s.Notes.String()
		// A member who came to consult (「相談したい」) came for more than a
		// report, whatever the notes dwell on.
		report := statusWords.MatchString(n) || s.RequestStyle != nil && *s.RequestStyle == "report"
		if !report || personalWords.MatchString(n) || personalWords.MatchString(s.RequestText.String()) {
			break
		}
		status++
	}
	if len(held) > 0 {
		last := held[0]
		advisedDespiteListen = last.RequestStyle != nil && *last.RequestStyle == "listen" && adviceWords.MatchString(last.Notes.String())
	}
	return status, advisedDespiteListen
}

// safetyWindow is how far back the safety screen reads a member's history:
// a matter raised in the last weeks keeps the coach referring instead of
// coaching, an old one no longer does.
const safetyWindow = 42 * 24 * time.Hour

// SafetyTexts returns, in full, the member's text the coach acts on: the
// requests and notes of the scheduled and recent sessions, the open and
// recent actions, the shared comments and the reflection answers of the
// last weeks. Places are those of package safety; the next and the latest
// 1on1's texts are fresh.
func (s *Store) SafetyTexts(ctx context.Context, tx pgx.Tx, memberID uuid.UUID, now time.Time) ([]safety.Text, error) {
	since := now.Add(-safetyWindow)
	// Fresh: the next 1on1 and the latest held one (its notes, request and
	// the member's comment on it).
	rows, _ := tx.Query(ctx, `
		WITH recent AS (
			SELECT id, request_from, request_text, notes,
				status = 'scheduled' OR coalesce(id = (SELECT id FROM sessions WHERE member_id = $1 AND status = 'held'
					ORDER BY coalesce(held_at, scheduled_at, created_at) DESC, id DESC LIMIT 1), false) AS fresh
			FROM sessions
			WHERE member_id = $1 AND (status = 'scheduled' OR coalesce(held_at, scheduled_at, created_at) >= $2))
		SELECT CASE WHEN request_from = 'member' THEN 'intake' ELSE 'question' END, request_text, fresh FROM recent WHERE request_text <> ''
		UNION ALL
		SELECT 'note', notes, fresh FROM recent WHERE notes <> ''
		UNION ALL
		SELECT 'action', text, false FROM actions WHERE member_id = $1 AND (status = 'open' OR created_at >= $2)
		UNION ALL
		SELECT 'comment', f.comment, r.fresh FROM session_feedback f JOIN recent r ON r.id = f.session_id
		WHERE f.comment <> ''
		UNION ALL
		SELECT 'reflection', answer, false FROM session_reflections WHERE member_id = $1 AND answer <> '' AND created_at >= $2`,
		memberID, since)
	texts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (safety.Text, error) {
		var t safety.Text
		err := row.Scan(&t.Place, &t.Text, &t.Fresh)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("safety texts: %w", err)
	}
	return texts, nil
}
