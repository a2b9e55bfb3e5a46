package history

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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

// ErrGone is a member link that was used or has expired.
var ErrGone = errors.New("link no longer valid")

// ErrConflict is a request that contradicts what is stored (a second
// feedback for one session).
var ErrConflict = errors.New("conflict")

// Link phases: before a 1on1 the member says what they want to talk about
// and how they want the manager to respond; after it they rate it.
const (
	PhaseIntake   = "intake"
	PhaseFeedback = "feedback"
)

const (
	linkPrefix     = "tl_"
	DefaultLinkTTL = 7 * 24 * time.Hour
	MaxLinkTTL     = 30 * 24 * time.Hour
)

// Link is a single-use, expiring way for a member, who has no account, to
// answer for one session. Only the hash of its token is stored.
type Link struct {
	ID        uuid.UUID  `json:"id"`
	OrgID     uuid.UUID  `json:"-"`
	ManagerID uuid.UUID  `json:"-"`
	MemberID  uuid.UUID  `json:"member_id"`
	SessionID uuid.UUID  `json:"session_id"`
	Phase     string     `json:"phase"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at"`
	CreatedAt time.Time  `json:"created_at"`
}

// HashLinkToken returns what is stored of a link token, or nil for a string
// that cannot be one.
func HashLinkToken(token string) []byte {
	if !strings.HasPrefix(token, linkPrefix) || len(token) > 100 {
		return nil
	}
	h := sha256.Sum256([]byte(token))
	return h[:]
}

const linkColumns = `id, org_id, manager_id, member_id, session_id, phase, expires_at, used_at, created_at`

// CreateLink makes a link for one of the manager's sessions and returns it
// with its token, which is shown this once. An unused link of the same
// session and phase stops working: the newest link is the only one.
func (s *Store) CreateLink(ctx context.Context, tx pgx.Tx, orgID, managerID, sessionID uuid.UUID, phase string, ttl time.Duration) (Link, string, error) {
	if ttl == 0 {
		ttl = DefaultLinkTTL
	}
	if ttl < time.Minute || ttl > MaxLinkTTL {
		return Link{}, "", fmt.Errorf("%w: a link lasts from a minute to 30 days", ErrInvalid)
	}
	sess, err := s.Session(ctx, tx, sessionID)
	if err != nil {
		return Link{}, "", err
	}
	switch phase {
	case PhaseIntake:
		if sess.Status != "scheduled" {
			return Link{}, "", fmt.Errorf("%w: an intake link is for a scheduled session; this one is %s", ErrInvalid, sess.Status)
		}
	case PhaseFeedback:
		if sess.Status != "held" {
			return Link{}, "", fmt.Errorf("%w: a feedback link is for a held session; this one is %s", ErrInvalid, sess.Status)
		}
		var given bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM session_feedback WHERE session_id = $1)`, sessionID).Scan(&given); err != nil {
			return Link{}, "", fmt.Errorf("create link: %w", err)
		}
		if given {
			return Link{}, "", fmt.Errorf("%w: the member already gave feedback on this session", ErrConflict)
		}
	default:
		return Link{}, "", fmt.Errorf("%w: phase %q is not intake or feedback", ErrInvalid, phase)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM member_links WHERE session_id = $1 AND phase = $2 AND used_at IS NULL`, sessionID, phase); err != nil {
		return Link{}, "", fmt.Errorf("create link: %w", err)
	}
	id := uuid.Must(uuid.NewV7())
	token := s.linkToken(id)
	rows, _ := tx.Query(ctx, `INSERT INTO member_links (org_id, id, manager_id, member_id, session_id, phase, token_hash, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, now() + $8::interval) RETURNING `+linkColumns,
		orgID, id, managerID, sess.MemberID, sessionID, phase, HashLinkToken(token), ttl)
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Link])
	if err != nil {
		return Link{}, "", fmt.Errorf("create link: %w", err)
	}
	return l, token, nil
}

// linkToken is the token of link id: derived from the pseudonym key, so
// that the server can put a link it made into a calendar event or a
// reminder later, while the database holds only its hash.
func (s *Store) linkToken(id uuid.UUID) string {
	return linkPrefix + base64.RawURLEncoding.EncodeToString(s.keyer.Derive("member-link", id.String()))
}

// OpenLinks returns, per session of sessionIDs, the token of its open link
// of phase (unused, not expired) when the server can make it again.
func (s *Store) OpenLinks(ctx context.Context, tx pgx.Tx, sessionIDs []uuid.UUID, phase string) (map[uuid.UUID]string, error) {
	rows, _ := tx.Query(ctx, `SELECT id, session_id, token_hash FROM member_links
		WHERE session_id = ANY($1) AND phase = $2 AND used_at IS NULL AND expires_at > now()`, sessionIDs, phase)
	out := map[uuid.UUID]string{}
	var id, session uuid.UUID
	var hash []byte
	_, err := pgx.ForEachRow(rows, []any{&id, &session, &hash}, func() error {
		if t := s.linkToken(id); string(HashLinkToken(t)) == string(hash) {
			out[session] = t
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open links: %w", err)
	}
	return out, nil
}

// Links lists a session's links (without tokens), newest first.
func (s *Store) Links(ctx context.Context, tx pgx.Tx, sessionID uuid.UUID) ([]Link, error) {
	if _, err := s.Session(ctx, tx, sessionID); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT `+linkColumns+` FROM member_links WHERE session_id = $1 ORDER BY created_at DESC, id DESC`, sessionID)
	ls, err := pgx.CollectRows(rows, pgx.RowToStructByName[Link])
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	return ls, nil
}

// LookupLink finds the link whose token hashes to hash, in a transaction
// whose only setting is that hash (tenant.LinkScope). A used or expired
// link is ErrGone; an unknown one ErrNotFound.
func LookupLink(ctx context.Context, tx pgx.Tx, hash []byte) (Link, error) {
	if hash == nil {
		return Link{}, fmt.Errorf("link: %w", ErrNotFound)
	}
	rows, _ := tx.Query(ctx, `SELECT `+linkColumns+` FROM member_links WHERE token_hash = $1`, hash)
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Link])
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, fmt.Errorf("link: %w", ErrNotFound)
	}
	if err != nil {
		return Link{}, fmt.Errorf("look up link: %w", err)
	}
	if l.UsedAt != nil {
		return Link{}, fmt.Errorf("%w: this link was already used", ErrGone)
	}
	if time.Now().After(l.ExpiresAt) {
		return Link{}, fmt.Errorf("%w: this link has expired", ErrGone)
	}
	return l, nil
}

// LinkView is what a member sees on opening a link: their own session and
// the choices they have, nothing about other members or sessions.
type LinkView struct {
	Phase       string     `json:"phase"`
	ManagerName string     `json:"manager_name"`
	Language    string     `json:"language"`
	ScheduledAt *time.Time `json:"scheduled_at"`
	HeldAt      *time.Time `json:"held_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	Styles      []string   `json:"styles"`
}

// ViewLink returns what the member sees for l, in a transaction acting as
// the link's manager (tenant.ActAs).
func ViewLink(ctx context.Context, tx pgx.Tx, l Link) (LinkView, error) {
	v := LinkView{Phase: l.Phase, ExpiresAt: l.ExpiresAt, Styles: Styles}
	err := tx.QueryRow(ctx, `SELECT u.display_name, u.language, s.scheduled_at, s.held_at
		FROM sessions s JOIN users u ON u.id = s.manager_id WHERE s.id = $1`, l.SessionID).
		Scan(&v.ManagerName, &v.Language, &v.ScheduledAt, &v.HeldAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return LinkView{}, fmt.Errorf("link: %w", ErrNotFound)
	}
	if err != nil {
		return LinkView{}, fmt.Errorf("view link: %w", err)
	}
	return v, nil
}

// Intake is what a member says before a 1on1.
type Intake struct {
	Topics []string `json:"topics"`
	Text   string   `json:"text"`
	Style  string   `json:"style"`
}

// Feedback is what a member says after a 1on1. Comment is kept only when
// Share is set: otherwise it is dropped before anything is stored.
type Feedback struct {
	Satisfaction int    `json:"satisfaction"`
	Matched      string `json:"matched"` // yes, partly, no
	Comment      string `json:"comment"`
	Share        bool   `json:"share"`
}

// use marks l used; of two concurrent submissions only one gets the row.
func use(ctx context.Context, tx pgx.Tx, l Link) error {
	tag, err := tx.Exec(ctx, `UPDATE member_links SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now()`, l.ID)
	if err != nil {
		return fmt.Errorf("use link: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: this link was already used", ErrGone)
	}
	return nil
}

// SubmitIntake records a member's request on the link's session, masked
// like every other text, and uses up the link. The report says what was
// masked, so the page can show the member.
func (s *Store) SubmitIntake(ctx context.Context, tx pgx.Tx, l Link, lang string, in Intake, validTopic func(string) bool) (Report, error) {
	if l.Phase != PhaseIntake {
		return nil, fmt.Errorf("%w: this link collects feedback, not a request", ErrInvalid)
	}
	in.Text = strings.TrimSpace(in.Text)
	if !slices.Contains(Styles, in.Style) {
		return nil, fmt.Errorf("%w: style %q is not one of %s", ErrInvalid, in.Style, strings.Join(Styles, ", "))
	}
	if len(in.Topics) > 10 || utf8.RuneCountInString(in.Text) > 5000 {
		return nil, fmt.Errorf("%w: at most 10 topics and 5,000 characters", ErrInvalid)
	}
	for _, t := range in.Topics {
		if !validTopic(t) {
			return nil, fmt.Errorf("%w: topic %q is not in the taxonomy", ErrInvalid, t)
		}
	}
	if err := use(ctx, tx, l); err != nil {
		return nil, err
	}
	red, err := s.newRedactor(ctx, tx, lang, l.MemberID)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `UPDATE sessions SET request_topics = $2, request_text = $3, request_style = $4,
		request_from = 'member', updated_at = now() WHERE id = $1`,
		l.SessionID, nonNil(in.Topics), red.text(in.Text), in.Style)
	if err != nil {
		return nil, fmt.Errorf("submit intake: %w", err)
	}
	return red.report, red.save(ctx, tx)
}

// SubmitFeedback records a member's rating of the link's session and uses
// up the link.
func (s *Store) SubmitFeedback(ctx context.Context, tx pgx.Tx, l Link, lang string, in Feedback) (Report, error) {
	if l.Phase != PhaseFeedback {
		return nil, fmt.Errorf("%w: this link collects a request, not feedback", ErrInvalid)
	}
	if in.Satisfaction < 1 || in.Satisfaction > 5 {
		return nil, fmt.Errorf("%w: satisfaction must be 1 to 5", ErrInvalid)
	}
	if !slices.Contains(Matches, in.Matched) {
		return nil, fmt.Errorf("%w: matched %q is not yes, partly or no", ErrInvalid, in.Matched)
	}
	if utf8.RuneCountInString(in.Comment) > 2000 {
		return nil, fmt.Errorf("%w: the comment is limited to 2,000 characters", ErrInvalid)
	}
	if err := use(ctx, tx, l); err != nil {
		return nil, err
	}
	report := Report{}
	var comment *anonymize.Text
	if c := strings.TrimSpace(in.Comment); in.Share && c != "" {
		red, err := s.newRedactor(ctx, tx, lang, l.MemberID)
		if err != nil {
			return nil, err
		}
		masked := red.text(c)
		comment, report = &masked, red.report
		if err := red.save(ctx, tx); err != nil {
			return nil, err
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO session_feedback (org_id, session_id, member_id, manager_id, satisfaction, matched, comment)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		l.OrgID, l.SessionID, l.MemberID, l.ManagerID, in.Satisfaction, in.Matched, comment)
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) && pgErr.SQLState() == "23505" {
		return nil, fmt.Errorf("%w: feedback on this session was already given", ErrGone)
	}
	if err != nil {
		return nil, fmt.Errorf("submit feedback: %w", err)
	}
	return report, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return b
}
