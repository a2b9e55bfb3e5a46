package tenant

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// ErrUnauthenticated: no token, or one that is unknown, expired or revoked.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: authenticated, but the role may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: no such row in the caller's organization.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the request names a value the store cannot accept.
	ErrInvalid = errors.New("invalid argument")
	// ErrConflict: the value is already taken (e.g. an email in the org).
	ErrConflict = errors.New("conflict")
)

// Role is what a user may do in their organization.
type Role string

const (
	RoleManager Role = "manager" // prepares and reflects on their own 1on1s
	RoleCurator Role = "curator" // L&D: curates the guidance
	RoleAdmin   Role = "admin"   // manages users, tokens and org settings
)

// ParseRole checks s names a role.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleManager, RoleCurator, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("%w: role %q is not one of manager, curator, admin", ErrInvalid, s)
}

// Principal is the authenticated caller of a request.
type Principal struct {
	OrgID    uuid.UUID
	UserID   uuid.UUID
	Role     Role
	Language string
	TokenID  uuid.UUID
}

// Org is an organization: every other row belongs to exactly one.
type Org struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Language  string    `json:"language"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person with an account: a manager, curator or admin. Members
// (the people managers meet) have no account and are not users.
type User struct {
	ID          uuid.UUID  `json:"id"`
	OrgID       uuid.UUID  `json:"org_id"`
	DisplayName string     `json:"display_name"`
	Email       *string    `json:"email"`
	Role        Role       `json:"role"`
	Language    string     `json:"language"`
	CreatedAt   time.Time  `json:"created_at"`
	DisabledAt  *time.Time `json:"disabled_at"`
}

// Token describes an API token. The secret itself is returned only once, by
// CreateToken.
type Token struct {
	ID         uuid.UUID  `json:"id"`
	UserID     uuid.UUID  `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// NewID returns a UUIDv7: time-ordered, so B-tree inserts stay cheap, and
// random enough that ids cannot be guessed or enumerated.
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// tokenPrefix marks Taiwa tokens, so secret scanners can recognise them.
const tokenPrefix = "taiwa_"

// newToken returns a fresh 256-bit random token and its hash.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	rand.Read(b) // never returns an error (crypto/rand, Go 1.24+)
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok)
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

func checkLanguage(lang string) error {
	if lang != "ja" && lang != "en" {
		return fmt.Errorf("%w: language %q is not ja or en", ErrInvalid, lang)
	}
	return nil
}

func checkName(what, s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalid, what)
	}
	if utf8.RuneCountInString(s) > 200 {
		return fmt.Errorf("%w: %s is longer than 200 characters", ErrInvalid, what)
	}
	return nil
}

// CreateOrg creates an organization. tx must be scoped to id (OrgScope) or
// be an operator transaction.
func CreateOrg(ctx context.Context, tx pgx.Tx, id uuid.UUID, name, lang string) (Org, error) {
	if err := checkName("organization name", name); err != nil {
		return Org{}, err
	}
	if err := checkLanguage(lang); err != nil {
		return Org{}, err
	}
	rows, _ := tx.Query(ctx, `INSERT INTO orgs (org_id, name, language) VALUES ($1, $2, $3)
		RETURNING org_id AS id, name, language, created_at`, id, strings.TrimSpace(name), lang)
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Org])
	if err != nil {
		return Org{}, fmt.Errorf("create org: %w", err)
	}
	return o, nil
}

// ListOrgs lists the organizations tx can see: its own, or all of them for
// an operator transaction.
func ListOrgs(ctx context.Context, tx pgx.Tx) ([]Org, error) {
	rows, _ := tx.Query(ctx, `SELECT org_id AS id, name, language, created_at FROM orgs ORDER BY created_at, org_id`)
	orgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Org])
	if err != nil {
		return nil, fmt.Errorf("list orgs: %w", err)
	}
	return orgs, nil
}

// GetOrg returns one organization visible to tx.
func GetOrg(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Org, error) {
	rows, _ := tx.Query(ctx, getOrgSQL, id)
	return collectOrg(rows, id)
}

const getOrgSQL = `SELECT org_id AS id, name, language, created_at FROM orgs WHERE org_id = $1`

func collectOrg(rows pgx.Rows, id uuid.UUID) (Org, error) {
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Org])
	if errors.Is(err, pgx.ErrNoRows) {
		return Org{}, fmt.Errorf("org %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Org{}, fmt.Errorf("get org: %w", err)
	}
	return o, nil
}

// NewUser is what CreateUser needs.
type NewUser struct {
	DisplayName string
	Email       string // optional
	Role        Role
	Language    string // "" means the organization's language
}

const userColumns = `id, org_id, display_name, email, role, language, created_at, disabled_at`

// CreateUser adds a user to the organization orgID.
func CreateUser(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, in NewUser) (User, error) {
	if err := checkName("display name", in.DisplayName); err != nil {
		return User{}, err
	}
	if _, err := ParseRole(string(in.Role)); err != nil {
		return User{}, err
	}
	var email *string
	if e := strings.TrimSpace(in.Email); e != "" {
		if _, err := mail.ParseAddress(e); err != nil || strings.ContainsAny(e, "<> ") {
			return User{}, fmt.Errorf("%w: email %q is not an address", ErrInvalid, e)
		}
		email = &e
	}
	if in.Language != "" {
		if err := checkLanguage(in.Language); err != nil {
			return User{}, err
		}
	}
	rows, _ := tx.Query(ctx, `INSERT INTO users (org_id, id, display_name, email, role, language)
		VALUES ($1, $2, $3, $4, $5, coalesce(nullif($6, ''), (SELECT language FROM orgs WHERE org_id = $1), 'ja'))
		RETURNING `+userColumns,
		orgID, NewID(), strings.TrimSpace(in.DisplayName), email, in.Role, in.Language)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return User{}, fmt.Errorf("%w: a user with this email already exists", ErrConflict)
		}
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return User{}, fmt.Errorf("org %s: %w", orgID, ErrNotFound)
		}
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// GetUser returns one user visible to tx.
func GetUser(ctx context.Context, tx pgx.Tx, id uuid.UUID) (User, error) {
	rows, _ := tx.Query(ctx, getUserSQL, id)
	return collectUser(rows, id)
}

const getUserSQL = `SELECT ` + userColumns + ` FROM users WHERE id = $1`

func collectUser(rows pgx.Rows, id uuid.UUID) (User, error) {
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// Me returns the principal's user and organization, in one round trip
// (GET /api/me is what a client asks first, and often).
func (db *DB) Me(ctx context.Context, p Principal) (User, Org, error) {
	var (
		u   User
		o   Org
		err error
	)
	b := &pgx.Batch{}
	b.Queue(getUserSQL, p.UserID).Query(func(rows pgx.Rows) error {
		u, err = collectUser(rows, p.UserID)
		return err
	})
	b.Queue(getOrgSQL, p.OrgID).Query(func(rows pgx.Rows) error {
		o, err = collectOrg(rows, p.OrgID)
		return err
	})
	if bErr := db.Scope(p).InBatch(ctx, b); bErr != nil {
		// A callback's error says which row was missing; but when the
		// connection broke while a callback read, the callback got the raw
		// error and only the batch's is marked unavailable (503, not 500).
		if errors.Is(bErr, ErrUnavailable) {
			return User{}, Org{}, bErr
		}
		return User{}, Org{}, cmp.Or(err, bErr)
	}
	return u, o, nil
}

// ListUsers lists the users visible to tx, oldest first.
func ListUsers(ctx context.Context, tx pgx.Tx) ([]User, error) {
	rows, _ := tx.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY created_at, id`)
	us, err := pgx.CollectRows(rows, pgx.RowToStructByName[User])
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// SetUserDisabled disables or re-enables a user. A disabled user's tokens
// stop working at once.
func SetUserDisabled(ctx context.Context, tx pgx.Tx, id uuid.UUID, disabled bool) (User, error) {
	rows, _ := tx.Query(ctx, `UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END
		WHERE id = $1 RETURNING `+userColumns, id, disabled)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("update user: %w", err)
	}
	return u, nil
}

const tokenColumns = `id, user_id, name, created_at, expires_at, revoked_at, last_used_at`

// CreateToken makes a new API token for a user of the organization orgID
// and returns it with its secret, which is not stored and cannot be shown
// again.
func CreateToken(ctx context.Context, tx pgx.Tx, orgID, userID uuid.UUID, name string, expiresAt *time.Time) (Token, string, error) {
	if utf8.RuneCountInString(name) > 200 {
		return Token{}, "", fmt.Errorf("%w: token name is longer than 200 characters", ErrInvalid)
	}
	if expiresAt != nil && !expiresAt.After(time.Now()) {
		return Token{}, "", fmt.Errorf("%w: expiry is in the past", ErrInvalid)
	}
	secret, hash := newToken()
	rows, _ := tx.Query(ctx, `INSERT INTO api_tokens (org_id, id, user_id, token_hash, name, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+tokenColumns,
		orgID, NewID(), userID, hash, name, expiresAt)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Token])
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return Token{}, "", fmt.Errorf("user %s: %w", userID, ErrNotFound)
		}
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// ListTokens lists the tokens visible to tx, of one user unless userID is
// uuid.Nil.
func ListTokens(ctx context.Context, tx pgx.Tx, userID uuid.UUID) ([]Token, error) {
	rows, _ := tx.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE $1::uuid IS NULL OR user_id = $1 ORDER BY created_at, id`, nilIfZero(userID))
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Token])
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ts, nil
}

// GetToken returns one token visible to tx.
func GetToken(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Token, error) {
	rows, _ := tx.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1`, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Token])
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, fmt.Errorf("token %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// RevokeToken revokes a token; revoking twice keeps the first time.
func RevokeToken(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Token, error) {
	rows, _ := tx.Query(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
		WHERE id = $1 RETURNING `+tokenColumns, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Token])
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, fmt.Errorf("token %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("revoke token: %w", err)
	}
	return t, nil
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// AuthError is a token that was recognised but refused: revoked, expired,
// or its user disabled. It is ErrUnauthenticated to callers, who must not
// tell which it was; the audit trail records the reason in the token's
// organization.
type AuthError struct {
	OrgID, UserID uuid.UUID
	Reason        string // token_revoked, token_expired or user_disabled
}

func (e *AuthError) Error() string { return ErrUnauthenticated.Error() }
func (e *AuthError) Unwrap() error { return ErrUnauthenticated }

// Authenticate resolves a bearer token to its principal. Unknown, expired
// and revoked tokens, and tokens of disabled users, all give
// ErrUnauthenticated, so a caller learns nothing about which it was (the
// last three as an *AuthError, for the audit trail).
func (db *DB) Authenticate(ctx context.Context, token string) (Principal, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return Principal{}, ErrUnauthenticated
	}
	hash := hashToken(token)
	var p Principal
	// The token_lookup policy shows the token's own row to whoever knows its
	// hash; the organization is set once it is known.
	scope := Scope{db: db, role: db.roles.App}.with("taiwa.token_hash", hex.EncodeToString(hash))
	// One round trip: the token's row sets the organization as it is read,
	// so the user's row is visible to the next statement, which also
	// records use, at most once a minute (a write per request would make
	// every read a write).
	var (
		revoked, expired bool
		userFound        bool
	)
	b := &pgx.Batch{}
	b.Queue(`SELECT org_id, id, user_id, revoked_at IS NOT NULL, coalesce(expires_at <= now(), false),
			set_config('taiwa.org_id', org_id::text, true)
		FROM api_tokens WHERE token_hash = $1`, hash).QueryRow(func(row pgx.Row) error {
		return row.Scan(&p.OrgID, &p.TokenID, &p.UserID, &revoked, &expired, nil)
	})
	b.Queue(`WITH used AS (
			UPDATE api_tokens t SET last_used_at = now()
			WHERE token_hash = $1 AND revoked_at IS NULL AND coalesce(expires_at > now(), true)
			  AND coalesce(last_used_at <= now() - interval '1 minute', true)
			  AND EXISTS (SELECT FROM users u WHERE u.id = t.user_id AND u.disabled_at IS NULL)
		)
		SELECT u.role, u.language FROM users u JOIN api_tokens t ON t.user_id = u.id
		WHERE t.token_hash = $1 AND u.disabled_at IS NULL`, hash).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			userFound = true
			if err := rows.Scan(&p.Role, &p.Language); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	err := scope.InBatch(ctx, b)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Principal{}, ErrUnauthenticated
	case err != nil:
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	case revoked:
		return Principal{}, &AuthError{OrgID: p.OrgID, UserID: p.UserID, Reason: "token_revoked"}
	case expired:
		return Principal{}, &AuthError{OrgID: p.OrgID, UserID: p.UserID, Reason: "token_expired"}
	case !userFound:
		return Principal{}, &AuthError{OrgID: p.OrgID, UserID: p.UserID, Reason: "user_disabled"}
	}
	return p, nil
}

// Bootstrap creates an organization with a first user of the given role and
// a token for that user. It is how an operator starts a new installation and
// how the embedded default seeds its demo.
func (db *DB) Bootstrap(ctx context.Context, orgName, lang string, users ...NewUser) (Org, []User, []string, error) {
	orgID := NewID()
	var (
		org    Org
		out    []User
		tokens []string
	)
	err := db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if org, err = CreateOrg(ctx, tx, orgID, orgName, lang); err != nil {
			return err
		}
		for _, nu := range users {
			u, err := CreateUser(ctx, tx, orgID, nu)
			if err != nil {
				return err
			}
			_, secret, err := CreateToken(ctx, tx, orgID, u.ID, "bootstrap", nil)
			if err != nil {
				return err
			}
			out = append(out, u)
			tokens = append(tokens, secret)
		}
		return nil
	})
	if err != nil {
		return Org{}, nil, nil, err
	}
	return org, out, tokens, nil
}
