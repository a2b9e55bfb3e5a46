// Package history is the coach's memory: a manager's members (by alias),
// their 1on1 sessions and the actions agreed in them. Every free-text field
// passes the redactor before it is stored, so the database never holds the
// original text; row-level security keeps each manager's history to that
// manager.
package history

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
)

var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid argument")
)

// Store reads and writes history in the caller's transaction, which must
// carry the manager (taiwa.user_id) for row-level security.
type Store struct {
	redactor *anonymize.Redactor
	keyer    *anonymize.Keyer
}

// New returns a store that masks text with r, and keeps one placeholder
// per person across each member's history with digests made by k.
func New(r *anonymize.Redactor, k *anonymize.Keyer) *Store { return &Store{redactor: r, keyer: k} }

// Member is a person a manager meets. They have no account and no real
// name here: only an alias the manager chose.
type Member struct {
	ID            uuid.UUID  `json:"id"`
	Alias         string     `json:"alias"`
	CreatedAt     time.Time  `json:"created_at"`
	LastSessionAt *time.Time `json:"last_session_at"`
	NextSessionAt *time.Time `json:"next_session_at"`
	OpenActions   int        `json:"open_actions"`
	// NameForms counts the forms of the member's name the manager gave
	// (SetMemberNames); the forms themselves are not stored.
	NameForms int `json:"name_forms"`
	// Conditions are the latest held sessions' conditions, oldest first
	// (at most five), for a sparkline.
	Conditions []int `json:"conditions"`
}

// Report is what the redactor masked in one save, by kind.
type Report = anonymize.Report

// terms is the organization's list of extra terms to mask.
func terms(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, _ := tx.Query(ctx, `SELECT term FROM org_terms ORDER BY length(term) DESC, term`)
	ts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("org terms: %w", err)
	}
	return ts, nil
}

// redactor applies the organization's terms and one Session to every field
// of a save, so one person keeps one placeholder across them; for texts
// about a member, across the member's whole history (save stores the
// placeholders it numbered anew).
type redactor struct {
	r      *anonymize.Redactor
	s      *anonymize.Session
	member uuid.UUID
	terms  []string
	report Report
}

// newRedactor starts the redaction of one save. member is the member the
// texts are about, or uuid.Nil.
func (s *Store) newRedactor(ctx context.Context, tx pgx.Tx, lang string, member uuid.UUID) (*redactor, error) {
	ts, err := terms(ctx, tx)
	if err != nil {
		return nil, err
	}
	red := &redactor{r: s.redactor, s: anonymize.NewSession(lang), member: member, terms: ts, report: Report{}}
	if member == uuid.Nil {
		return red, nil
	}
	// Two saves about one member at once would number two people alike.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1::text, 8211))`, member); err != nil {
		return nil, fmt.Errorf("lock the member's pseudonyms: %w", err)
	}
	rows, _ := tx.Query(ctx, `SELECT kind, digest, n FROM member_pseudonyms WHERE member_id = $1`, member)
	known, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (anonymize.Pseudonym, error) {
		var p anonymize.Pseudonym
		err := row.Scan(&p.Kind, &p.Digest, &p.N)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("member pseudonyms: %w", err)
	}
	rows, _ = tx.Query(ctx, `SELECT digest, runes FROM member_names WHERE member_id = $1`, member)
	names, err := pgx.CollectRows(rows, pgx.RowToStructByPos[anonymize.NameForm])
	if err != nil {
		return nil, fmt.Errorf("member names: %w", err)
	}
	red.s = anonymize.NewMemberSession(lang, s.keyer, member.String(), known, names)
	return red, nil
}

func (r *redactor) text(raw string) anonymize.Text {
	t, rep := r.r.Redact(raw, r.s, r.terms)
	for k, n := range rep {
		r.report[k] += n
	}
	return t
}

// save stores the placeholders this save numbered anew.
func (r *redactor) save(ctx context.Context, tx pgx.Tx) error {
	for _, p := range r.s.Added() {
		_, err := tx.Exec(ctx, `INSERT INTO member_pseudonyms (org_id, member_id, manager_id, kind, digest, n)
			SELECT org_id, id, manager_id, $2, $3, $4 FROM members WHERE id = $1`, r.member, p.Kind, p.Digest, p.N)
		if err != nil {
			return fmt.Errorf("save pseudonyms: %w", err)
		}
	}
	return nil
}

const memberColumns = `m.id, m.alias, m.created_at,
	(SELECT max(coalesce(s.held_at, s.scheduled_at)) FROM sessions s WHERE s.member_id = m.id AND s.status = 'held') AS last_session_at,
	(SELECT min(s.scheduled_at) FROM sessions s WHERE s.member_id = m.id AND s.status = 'scheduled' AND s.scheduled_at >= now()) AS next_session_at,
	(SELECT count(*) FROM actions a WHERE a.member_id = m.id AND a.status = 'open')::int AS open_actions,
	(SELECT count(*) FROM member_names n WHERE n.member_id = m.id AND n.runes > 0)::int AS name_forms,
	ARRAY(SELECT c.condition FROM (SELECT s.condition, coalesce(s.held_at, s.scheduled_at) AS at FROM sessions s
		WHERE s.member_id = m.id AND s.status = 'held' AND s.condition IS NOT NULL ORDER BY at DESC, s.id DESC LIMIT 5) c
		ORDER BY c.at, c.condition)::int[] AS conditions`

// cleanAlias is an alias as stored: without surrounding whitespace, and
// with each run of inner whitespace (a full-width space too) one space.
func cleanAlias(alias string) string { return strings.Join(strings.Fields(alias), " ") }

// CreateMember adds a member for the manager.
//
// The alias is the manager's own label, kept as typed: it is shown to that
// manager only and never sent to a model (the UI warns when it looks like
// a name). Two members with one label cannot be told apart in the UI, so
// an alias the manager already uses is ErrConflict. "The same" is the
// database's member_alias_key (migration 0015): width (Ｋ, K), case and
// spaces do not count. Its unique index is the check, not a read before
// the insert: of two creates at once, the second waits for the first and
// then inserts nothing.
func (s *Store) CreateMember(ctx context.Context, tx pgx.Tx, orgID, managerID uuid.UUID, alias string) (Member, Report, error) {
	alias = cleanAlias(alias)
	if alias == "" || utf8.RuneCountInString(alias) > 50 {
		return Member{}, nil, fmt.Errorf("%w: alias must be 1 to 50 characters", ErrInvalid)
	}
	id := uuid.Must(uuid.NewV7())
	tag, err := tx.Exec(ctx, `INSERT INTO members (org_id, id, manager_id, alias) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		orgID, id, managerID, alias)
	if err != nil {
		return Member{}, nil, fmt.Errorf("create member: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return Member{}, nil, aliasTaken(ctx, tx, alias)
	}
	m, err := s.Member(ctx, tx, id)
	return m, Report{}, err
}

// aliasTaken is the ErrConflict for an alias the manager already uses,
// naming the member who has it as stored (「Kさん」 for a typed 「Ｋ さん」),
// so the manager sees which one it is.
func aliasTaken(ctx context.Context, tx pgx.Tx, alias string) error {
	var existing string
	err := tx.QueryRow(ctx, `SELECT alias FROM members WHERE member_alias_key(alias) = member_alias_key($1) LIMIT 1`, alias).Scan(&existing)
	if errors.Is(err, pgx.ErrNoRows) {
		// Not the alias, then, but the primary key, which a new UUIDv7
		// does not hit: say what was asked for.
		existing = alias
	} else if err != nil {
		return fmt.Errorf("create member: %w", err)
	}
	return fmt.Errorf("%w: you already have a member called %q", ErrConflict, existing)
}

// SetMemberNames replaces the forms of the member's name (田中, たなか,
// Tanaka...) that texts about them turn into 本人. Only keyed digests are
// stored; an empty list removes them.
func (s *Store) SetMemberNames(ctx context.Context, tx pgx.Tx, id uuid.UUID, forms []string) (Member, error) {
	if len(forms) > 10 {
		return Member{}, fmt.Errorf("%w: at most 10 name forms", ErrInvalid)
	}
	if _, err := s.Member(ctx, tx, id); err != nil {
		return Member{}, err
	}
	names, err := s.redactor.MemberNames(s.keyer, id.String(), forms)
	if err != nil {
		return Member{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM member_names WHERE member_id = $1`, id); err != nil {
		return Member{}, fmt.Errorf("set member names: %w", err)
	}
	for _, n := range names {
		_, err := tx.Exec(ctx, `INSERT INTO member_names (org_id, member_id, manager_id, digest, runes)
			SELECT org_id, id, manager_id, $2, $3 FROM members WHERE id = $1`, id, n.Digest, n.Runes)
		if err != nil {
			return Member{}, fmt.Errorf("set member names: %w", err)
		}
	}
	return s.Member(ctx, tx, id)
}

// Member returns one of the manager's members.
func (s *Store) Member(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Member, error) {
	rows, _ := tx.Query(ctx, `SELECT `+memberColumns+` FROM members m WHERE m.id = $1`, id)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Member])
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, fmt.Errorf("member %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Member{}, fmt.Errorf("get member: %w", err)
	}
	return m, nil
}

// MemberByAlias finds the manager's member by alias, compared as the
// database's unique index compares them (member_alias_key: width, case and
// spacing folded), so "k さん" finds "Ｋさん".
func (s *Store) MemberByAlias(ctx context.Context, tx pgx.Tx, alias string) (Member, error) {
	rows, _ := tx.Query(ctx, `SELECT `+memberColumns+` FROM members m WHERE member_alias_key(m.alias) = member_alias_key($1)`, cleanAlias(alias))
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Member])
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, fmt.Errorf("member %q: %w", alias, ErrNotFound)
	}
	if err != nil {
		return Member{}, fmt.Errorf("member by alias: %w", err)
	}
	return m, nil
}

// Members lists the manager's members by alias, limit at a time from
// offset.
func (s *Store) Members(ctx context.Context, tx pgx.Tx, limit, offset int) ([]Member, error) {
	rows, _ := tx.Query(ctx, `SELECT `+memberColumns+` FROM members m ORDER BY m.alias, m.id LIMIT $1 OFFSET $2`, limit, offset)
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Member])
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return ms, nil
}

// memberTables hold rows about a member; they all cascade from members.
// The erasure test checks this list against every table with a member_id
// column, so a new table cannot be forgotten.
var memberTables = []string{"sessions", "actions", "member_links", "session_feedback", "session_reflections",
	"session_embeddings", "chat_threads", "chat_messages", "coach_answers", "answer_feedback", "member_pseudonyms", "member_names"}

// Erased counts the rows an erasure removed, by table.
type Erased map[string]int64

// EraseMember deletes a member and everything about them: every row in
// memberTables goes with the member row (foreign keys cascade), and so do
// conversations that name the member without being tied to them. The
// counts say what went.
func (s *Store) EraseMember(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Erased, error) {
	m, err := s.Member(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	e := Erased{}
	if err := eraseMentions(ctx, tx, m.Alias, e); err != nil {
		return nil, err
	}
	for _, t := range memberTables {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+t+` WHERE member_id = $1`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("erase member: %w", err)
		}
		e[t] += n
	}
	tag, err := tx.Exec(ctx, `DELETE FROM members WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("erase member: %w", err)
	}
	e["members"] = tag.RowsAffected()
	return e, nil
}

// eraseMentions deletes the manager's conversations that are not tied to a
// member but name this one by alias: they are about the member too. An
// alias the redactor masked ([人物1]さん) or of one character names no one
// in particular, so it is not searched for.
func eraseMentions(ctx context.Context, tx pgx.Tx, alias string, e Erased) error {
	ids, err := mentionThreads(ctx, tx, alias)
	if err != nil || len(ids) == 0 {
		return err
	}
	var msgs, answers int64
	err = tx.QueryRow(ctx, `WITH a AS (
			DELETE FROM coach_answers WHERE kind = 'chat' AND member_id IS NULL AND (answer->>'thread_id')::uuid = ANY ($1) RETURNING 1)
		SELECT (SELECT count(*) FROM chat_messages WHERE thread_id = ANY ($1)), (SELECT count(*) FROM a)`, ids).Scan(&msgs, &answers)
	if err != nil {
		return fmt.Errorf("erase conversations: %w", err)
	}
	tag, err := tx.Exec(ctx, `DELETE FROM chat_threads WHERE id = ANY ($1)`, ids)
	if err != nil {
		return fmt.Errorf("erase conversations: %w", err)
	}
	e["chat_threads"] += tag.RowsAffected()
	e["chat_messages"] += msgs
	e["coach_answers"] += answers
	return nil
}

// mentionThreads are the manager's conversations not tied to a member that
// name the member by alias.
func mentionThreads(ctx context.Context, tx pgx.Tx, alias string) ([]uuid.UUID, error) {
	if utf8.RuneCountInString(alias) < 2 || strings.Contains(alias, "[") {
		return nil, nil
	}
	rows, _ := tx.Query(ctx, `SELECT t.id FROM chat_threads t WHERE t.member_id IS NULL
		AND EXISTS (SELECT FROM chat_messages c WHERE c.thread_id = t.id AND strpos(c.content, $1) > 0)`, alias)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("conversations naming the member: %w", err)
	}
	return ids, nil
}

// Styles are the ways a member can ask the manager to respond.
var Styles = []string{"listen", "advise", "think-together", "encourage", "decide", "report"}

// SessionInput is what a manager logs about a 1on1.
type SessionInput struct {
	Status        string        `json:"status"` // scheduled, held, cancelled, skipped
	ScheduledAt   *time.Time    `json:"scheduled_at"`
	HeldAt        *time.Time    `json:"held_at"`
	DurationMin   *int          `json:"duration_min"`
	RequestTopics []string      `json:"request_topics"`
	RequestText   string        `json:"request_text"`
	RequestStyle  *string       `json:"request_style"`
	Condition     *int          `json:"condition"`
	Notes         string        `json:"notes"`
	Actions       []ActionInput `json:"actions"`
}

// ActionInput is an action agreed in a session.
type ActionInput struct {
	Text    string  `json:"text"`
	Owner   string  `json:"owner"`    // manager or member
	DueDate *string `json:"due_date"` // YYYY-MM-DD
}

func (in *SessionInput) check(validTopic func(string) bool) error {
	if err := in.checkWhen(); err != nil {
		return err
	}
	if in.RequestStyle != nil && !slices.Contains(Styles, *in.RequestStyle) {
		return fmt.Errorf("%w: request_style %q is not one of %s", ErrInvalid, *in.RequestStyle, strings.Join(Styles, ", "))
	}
	if in.Condition != nil && (*in.Condition < 1 || *in.Condition > 5) {
		return fmt.Errorf("%w: condition must be 1 to 5", ErrInvalid)
	}
	if in.DurationMin != nil && (*in.DurationMin < 0 || *in.DurationMin > 600) {
		return fmt.Errorf("%w: duration_min must be 0 to 600", ErrInvalid)
	}
	for _, t := range in.RequestTopics {
		if !validTopic(t) {
			return fmt.Errorf("%w: topic %q is not in the taxonomy", ErrInvalid, t)
		}
	}
	if utf8.RuneCountInString(in.Notes) > 20000 || utf8.RuneCountInString(in.RequestText) > 5000 {
		return fmt.Errorf("%w: notes are limited to 20,000 characters and the request to 5,000", ErrInvalid)
	}
	for _, a := range in.Actions {
		if err := a.check(); err != nil {
			return err
		}
	}
	return nil
}

func (a ActionInput) check() error {
	if strings.TrimSpace(a.Text) == "" || utf8.RuneCountInString(a.Text) > 1000 {
		return fmt.Errorf("%w: an action needs text (up to 1,000 characters)", ErrInvalid)
	}
	if a.Owner != "manager" && a.Owner != "member" {
		return fmt.Errorf("%w: action owner %q is not manager or member", ErrInvalid, a.Owner)
	}
	if a.DueDate != nil {
		if _, err := time.Parse(time.DateOnly, *a.DueDate); err != nil {
			return fmt.Errorf("%w: due_date %q is not YYYY-MM-DD", ErrInvalid, *a.DueDate)
		}
	}
	return nil
}

// checkWhen checks the status and its dates: a held session with no date
// was held now, and none was held on a future date.
func (in *SessionInput) checkWhen() error {
	if in.Status == "" {
		in.Status = "held"
	}
	switch in.Status {
	case "scheduled", "held", "cancelled", "skipped":
	default:
		return fmt.Errorf("%w: status %q is not scheduled, held, cancelled or skipped", ErrInvalid, in.Status)
	}
	if in.Status == "scheduled" && in.ScheduledAt == nil {
		return fmt.Errorf("%w: a scheduled session needs scheduled_at", ErrInvalid)
	}
	if in.Status == "held" && in.HeldAt == nil && in.ScheduledAt == nil {
		now := time.Now()
		in.HeldAt = &now
	}
	if at := cmp.Or(in.HeldAt, in.ScheduledAt); in.Status == "held" && at.After(time.Now().Add(12*time.Hour)) {
		// Half a day of slack for time zones; later is a typo in the date.
		return fmt.Errorf("%w: a 1on1 cannot be held on a future date (%s); log it as scheduled, or correct the date", ErrInvalid, at.Format(time.DateOnly))
	}
	return nil
}

// agreedAt is when the actions of a session were agreed: when it was held.
func agreedAt(in SessionInput) *time.Time {
	if in.HeldAt != nil {
		return in.HeldAt
	}
	return in.ScheduledAt
}

// Session is one 1on1 as stored (text already masked).
type Session struct {
	ID            uuid.UUID      `json:"id"`
	MemberID      uuid.UUID      `json:"member_id"`
	Status        string         `json:"status"`
	ScheduledAt   *time.Time     `json:"scheduled_at"`
	HeldAt        *time.Time     `json:"held_at"`
	DurationMin   *int           `json:"duration_min"`
	RequestTopics []string       `json:"request_topics"`
	RequestText   anonymize.Text `json:"request_text"`
	RequestStyle  *string        `json:"request_style"`
	// RequestFrom says who wrote the request: the member (through an
	// intake link) or the manager.
	RequestFrom string         `json:"request_from"`
	Condition   *int           `json:"condition"`
	Notes       anonymize.Text `json:"notes"`
	// FeedbackGiven says the member answered the feedback link; what they
	// answered shows only in FeedbackSummary figures.
	FeedbackGiven bool               `json:"feedback_given"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	Actions       []Action           `json:"actions"`
	Reflection    []ReflectionAnswer `json:"reflection"`
}

// Action is an agreed action; open ones carry over to later sessions.
type Action struct {
	ID        uuid.UUID      `json:"id"`
	MemberID  uuid.UUID      `json:"member_id"`
	SessionID *uuid.UUID     `json:"session_id"`
	Text      anonymize.Text `json:"text"`
	Owner     string         `json:"owner"`
	DueDate   *string        `json:"due_date"`
	Status    string         `json:"status"`
	CreatedAt time.Time      `json:"created_at"`
	ClosedAt  *time.Time     `json:"closed_at"`
}

const sessionColumns = `id, member_id, status, scheduled_at, held_at, duration_min, request_topics, request_text,
	request_style, request_from, condition, notes, created_at, updated_at,
	EXISTS (SELECT FROM session_feedback f WHERE f.session_id = sessions.id) AS feedback_given`

const actionColumns = `id, member_id, session_id, text, owner, to_char(due_date, 'YYYY-MM-DD') AS due_date, status, created_at, closed_at`

// CreateSession logs a session of one of the manager's members, masking
// its text, and returns it with what was masked.
func (s *Store) CreateSession(ctx context.Context, tx pgx.Tx, orgID, managerID, memberID uuid.UUID, lang string,
	in SessionInput, validTopic func(string) bool) (Session, Report, error) {
	if err := in.check(validTopic); err != nil {
		return Session{}, nil, err
	}
	if _, err := s.Member(ctx, tx, memberID); err != nil {
		return Session{}, nil, err
	}
	red, err := s.newRedactor(ctx, tx, lang, memberID)
	if err != nil {
		return Session{}, nil, err
	}
	id := uuid.Must(uuid.NewV7())
	_, err = tx.Exec(ctx, `INSERT INTO sessions (org_id, id, member_id, manager_id, status, scheduled_at, held_at, duration_min,
		request_topics, request_text, request_style, condition, notes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		orgID, id, memberID, managerID, in.Status, in.ScheduledAt, in.HeldAt, in.DurationMin,
		nonNil(in.RequestTopics), red.text(in.RequestText), in.RequestStyle, in.Condition, red.text(in.Notes))
	if err != nil {
		return Session{}, nil, fmt.Errorf("create session: %w", err)
	}
	for _, a := range in.Actions {
		// An action is as old as the 1on1 that agreed it, even when the
		// session is logged later.
		_, err := tx.Exec(ctx, `INSERT INTO actions (org_id, id, member_id, manager_id, session_id, text, owner, due_date, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, least(coalesce($9, now()), now()))`,
			orgID, uuid.Must(uuid.NewV7()), memberID, managerID, id, red.text(a.Text), a.Owner, a.DueDate, agreedAt(in))
		if err != nil {
			return Session{}, nil, fmt.Errorf("create action: %w", err)
		}
	}
	if err := red.save(ctx, tx); err != nil {
		return Session{}, nil, err
	}
	sess, err := s.Session(ctx, tx, id)
	return sess, red.report, err
}

// UpdateSession replaces a session's fields with in (masked again) and
// adds in.Actions as new actions; existing actions change with
// SetActionStatus.
func (s *Store) UpdateSession(ctx context.Context, tx pgx.Tx, orgID, managerID, id uuid.UUID, lang string,
	in SessionInput, validTopic func(string) bool) (Session, Report, error) {
	if err := in.check(validTopic); err != nil {
		return Session{}, nil, err
	}
	cur, err := s.Session(ctx, tx, id)
	if err != nil {
		return Session{}, nil, err
	}
	red, err := s.newRedactor(ctx, tx, lang, cur.MemberID)
	if err != nil {
		return Session{}, nil, err
	}
	_, err = tx.Exec(ctx, `UPDATE sessions SET status = $2, scheduled_at = $3, held_at = $4, duration_min = $5,
		request_topics = $6, request_text = $7, request_style = $8, condition = $9, notes = $10, updated_at = now()
		WHERE id = $1`,
		id, in.Status, in.ScheduledAt, in.HeldAt, in.DurationMin, nonNil(in.RequestTopics), red.text(in.RequestText),
		in.RequestStyle, in.Condition, red.text(in.Notes))
	if err != nil {
		return Session{}, nil, fmt.Errorf("update session: %w", err)
	}
	for _, a := range in.Actions {
		_, err := tx.Exec(ctx, `INSERT INTO actions (org_id, id, member_id, manager_id, session_id, text, owner, due_date, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, least(coalesce($9, now()), now()))`,
			orgID, uuid.Must(uuid.NewV7()), cur.MemberID, managerID, id, red.text(a.Text), a.Owner, a.DueDate, agreedAt(in))
		if err != nil {
			return Session{}, nil, fmt.Errorf("create action: %w", err)
		}
	}
	if err := red.save(ctx, tx); err != nil {
		return Session{}, nil, err
	}
	sess, err := s.Session(ctx, tx, id)
	return sess, red.report, err
}

// DeleteSession removes a session and the actions agreed in it.
func (s *Store) DeleteSession(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("session %s: %w", id, ErrNotFound)
	}
	return nil
}

// Session returns one of the manager's sessions with its actions.
func (s *Store) Session(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Session, error) {
	rows, _ := tx.Query(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id)
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByNameLax[Session])
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, fmt.Errorf("session %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	rows, _ = tx.Query(ctx, `SELECT `+actionColumns+` FROM actions WHERE session_id = $1 ORDER BY created_at, id`, id)
	if sess.Actions, err = pgx.CollectRows(rows, pgx.RowToStructByName[Action]); err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	sess.Actions = nonNil(sess.Actions)
	sess.Reflection, err = reflection(ctx, tx, id)
	return sess, err
}

// Sessions lists a member's sessions, newest first, limit at a time from
// offset.
func (s *Store) Sessions(ctx context.Context, tx pgx.Tx, memberID uuid.UUID, limit, offset int) ([]Session, error) {
	if _, err := s.Member(ctx, tx, memberID); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE member_id = $1
		ORDER BY coalesce(held_at, scheduled_at, created_at) DESC, id DESC LIMIT $2 OFFSET $3`, memberID, limit, offset)
	ss, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Session])
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	ids := make([]uuid.UUID, len(ss))
	byID := make(map[uuid.UUID]*Session, len(ss))
	for i := range ss {
		ids[i], byID[ss[i].ID] = ss[i].ID, &ss[i]
		ss[i].Actions, ss[i].Reflection = []Action{}, []ReflectionAnswer{}
	}
	rows, _ = tx.Query(ctx, `SELECT `+actionColumns+` FROM actions WHERE session_id = ANY($1) ORDER BY created_at, id`, ids)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[Action])
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	for _, a := range as {
		sess := byID[*a.SessionID]
		sess.Actions = append(sess.Actions, a)
	}
	var (
		sid uuid.UUID
		a   ReflectionAnswer
	)
	rows, _ = tx.Query(ctx, `SELECT session_id, prompt, answer, created_at FROM session_reflections
		WHERE session_id = ANY($1) ORDER BY session_id, position`, ids)
	_, err = pgx.ForEachRow(rows, []any{&sid, &a.Prompt, &a.Answer, &a.CreatedAt}, func() error {
		sess := byID[sid]
		sess.Reflection = append(sess.Reflection, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return ss, nil
}

// Actions lists a member's actions, open ones first.
func (s *Store) Actions(ctx context.Context, tx pgx.Tx, memberID uuid.UUID) ([]Action, error) {
	if _, err := s.Member(ctx, tx, memberID); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT `+actionColumns+` FROM actions WHERE member_id = $1
		ORDER BY status <> 'open', created_at, id`, memberID)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[Action])
	if err != nil {
		return nil, fmt.Errorf("list actions: %w", err)
	}
	return as, nil
}

// SetActionStatus closes (done, dropped) or reopens an action.
func (s *Store) SetActionStatus(ctx context.Context, tx pgx.Tx, id uuid.UUID, status string) (Action, error) {
	if status != "open" && status != "done" && status != "dropped" {
		return Action{}, fmt.Errorf("%w: status %q is not open, done or dropped", ErrInvalid, status)
	}
	rows, _ := tx.Query(ctx, `UPDATE actions SET status = $2, closed_at = CASE WHEN $2 = 'open' THEN NULL ELSE coalesce(closed_at, now()) END
		WHERE id = $1 RETURNING `+actionColumns, id, status)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Action])
	if errors.Is(err, pgx.ErrNoRows) {
		return Action{}, fmt.Errorf("action %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Action{}, fmt.Errorf("update action: %w", err)
	}
	return a, nil
}

// Export is everything stored about one member, for the member's or the
// manager's own records.
type Export struct {
	Member   Member    `json:"member"`
	Sessions []Session `json:"sessions"`
	Actions  []Action  `json:"actions"`
	// Feedback is the member's feedback as the manager sees it: figures
	// over several ratings and the comments the member shared.
	Feedback FeedbackSummary `json:"feedback"`
	// Records are every row an erasure of the member would delete, by
	// table: the tables with the member's id, and the conversations not
	// tied to the member that name them. Session vectors are left out
	// (numbers, not words).
	Records    map[string][]json.RawMessage `json:"records"`
	ExportedAt time.Time                    `json:"exported_at"`
}

// ExportMember returns all of a member's history.
func (s *Store) ExportMember(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Export, error) {
	var e Export
	var err error
	if e.Member, err = s.Member(ctx, tx, id); err != nil {
		return Export{}, err
	}
	if e.Sessions, err = s.Sessions(ctx, tx, id, 100000, 0); err != nil {
		return Export{}, err
	}
	if e.Actions, err = s.Actions(ctx, tx, id); err != nil {
		return Export{}, err
	}
	if e.Feedback, err = s.FeedbackSummary(ctx, tx, id); err != nil {
		return Export{}, err
	}
	if e.Records, err = records(ctx, tx, id, e.Member.Alias); err != nil {
		return Export{}, err
	}
	e.ExportedAt = time.Now().UTC()
	return e, nil
}

// records reads, as JSON, every row EraseMember would delete.
func records(ctx context.Context, tx pgx.Tx, id uuid.UUID, alias string) (map[string][]json.RawMessage, error) {
	out := map[string][]json.RawMessage{}
	read := func(table, where string, arg any) error {
		rows, _ := tx.Query(ctx, `SELECT to_jsonb(x) - 'embedding' FROM `+table+` x WHERE `+where, arg)
		rs, err := pgx.CollectRows(rows, pgx.RowTo[json.RawMessage])
		if err != nil {
			return fmt.Errorf("export %s: %w", table, err)
		}
		out[table] = append(nonNil(out[table]), rs...)
		return nil
	}
	for _, t := range memberTables {
		if err := read(t, "member_id = $1", id); err != nil {
			return nil, err
		}
	}
	ids, err := mentionThreads(ctx, tx, alias)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	for _, q := range []struct{ table, where string }{
		{"chat_threads", "id = ANY ($1)"},
		{"chat_messages", "thread_id = ANY ($1)"},
		{"coach_answers", "kind = 'chat' AND member_id IS NULL AND (answer->>'thread_id')::uuid = ANY ($1)"},
	} {
		if err := read(q.table, q.where, ids); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Terms returns the organization's extra terms to mask.
func (s *Store) Terms(ctx context.Context, tx pgx.Tx) ([]string, error) { return terms(ctx, tx) }

// SetTerms replaces the organization's extra terms to mask.
func (s *Store) SetTerms(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ts []string) ([]string, error) {
	var clean []string
	for _, t := range ts {
		t = strings.TrimSpace(t)
		if t == "" || slices.Contains(clean, t) {
			continue
		}
		if utf8.RuneCountInString(t) > 100 {
			return nil, fmt.Errorf("%w: term %q is longer than 100 characters", ErrInvalid, t)
		}
		clean = append(clean, t)
	}
	if len(clean) > 1000 {
		return nil, fmt.Errorf("%w: at most 1,000 terms", ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM org_terms WHERE org_id = $1`, orgID); err != nil {
		return nil, fmt.Errorf("set terms: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO org_terms (org_id, term) SELECT $1, unnest($2::text[])`, orgID, clean); err != nil {
		return nil, fmt.Errorf("set terms: %w", err)
	}
	return terms(ctx, tx)
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Mask redacts texts with the organization's terms, in one anonymize
// session so a person keeps one placeholder across them, for text that is
// sent to a model or stored outside the history (a manager's question).
//
// With a member (not uuid.Nil), people keep the placeholders they have in
// that member's history and the member's name forms become 本人, so a
// prompt that holds both the history and the text names each person once.
func (s *Store) Mask(ctx context.Context, tx pgx.Tx, lang string, member uuid.UUID, texts ...string) ([]anonymize.Text, Report, error) {
	red, err := s.newRedactor(ctx, tx, lang, member)
	if err != nil {
		return nil, nil, err
	}
	out := make([]anonymize.Text, len(texts))
	for i, t := range texts {
		out[i] = red.text(t)
	}
	return out, red.report, red.save(ctx, tx)
}
