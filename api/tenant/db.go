// Package tenant is Taiwa's tenancy: organizations, users and their roles,
// API tokens, and the database handle whose transactions carry the caller's
// organization and user for row-level security.
//
// Domain packages never import tenant. They declare the small interface they
// need (InTx) and the api package hands them a Scope.
package tenant

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/taiwa-coach/taiwa/migrations"
)

// ErrUnavailable means the database could not be reached in time. The API
// answers it with 503 and Retry-After: it is the client's cue to retry.
var ErrUnavailable = errors.New("database unavailable")

// embeddedAcquireTimeout is the least wait for PGlite's one connection.
const embeddedAcquireTimeout = 30 * time.Second

// Options configure Open.
type Options struct {
	// Schema is where Taiwa's tables live; empty means the login role's
	// default search_path. Tests use one schema per package.
	Schema string
	// MaxConns bounds the pool. Open forces 1 on the embedded PGlite, which
	// serves every connection from a single backend.
	MaxConns int32
	// AcquireTimeout bounds the wait for a pooled connection, so that a slow
	// or restarting database turns into quick 503s instead of a pile-up.
	AcquireTimeout time.Duration
	// StatementTimeout, LockTimeout and IdleInTxTimeout are set on every
	// scoped transaction (set_config(..., true)), so they hold on any server
	// whatever the login role's defaults are.
	StatementTimeout time.Duration
	LockTimeout      time.Duration
	IdleInTxTimeout  time.Duration
}

// DB is the application's handle on PostgreSQL.
type DB struct {
	Pool     *pgxpool.Pool
	embedded bool
	opts     Options
	// txSettings is the search_path and timeouts as set_config arguments.
	searchPath string
	// roles are the roles transactions run as: created by the migrations,
	// neither a superuser nor able to bypass row-level security.
	roles migrations.Roles
}

// Open connects to the database at url and checks it answers.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if opts.AcquireTimeout <= 0 {
		opts.AcquireTimeout = 5 * time.Second
	}
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 30 * time.Second
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 5 * time.Second
	}
	if opts.IdleInTxTimeout <= 0 {
		opts.IdleInTxTimeout = 60 * time.Second
	}
	searchPath := ""
	if opts.Schema != "" {
		searchPath = pgx.Identifier{opts.Schema}.Sanitize() + ", public"
	}
	// Named prepared statements, cached per connection: a statement is
	// planned once per connection instead of on every call (the search
	// statement took longer to plan than to run). PGlite gets unnamed ones
	// below, since its connections share one backend and so one namespace
	// of statement names. Behind PgBouncer in transaction mode, use 1.21
	// or later with max_prepared_statements set.
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	cfg.ConnConfig.ConnectTimeout = cmpDuration(cfg.ConnConfig.ConnectTimeout, 5*time.Second)
	cfg.HealthCheckPeriod = 5 * time.Second
	cfg.MaxConnIdleTime = 5 * time.Minute
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if searchPath != "" {
			// Session-wide for migrations and plain queries; scoped
			// transactions set it again locally (PGlite shares one session).
			if _, err := c.Exec(ctx, "SELECT set_config('search_path', $1, false)", searchPath); err != nil {
				return err
			}
		}
		// Before the first migration there is no vector type yet; the pool is
		// reset after migrating (see Reset), so later connections have it.
		var hasVector bool
		if err := c.QueryRow(ctx, "SELECT to_regtype('vector') IS NOT NULL").Scan(&hasVector); err != nil {
			return err
		}
		if !hasVector {
			return nil
		}
		return pgxvec.RegisterTypes(ctx, c)
	}

	// Probe first: PGlite needs a pool of exactly one connection. The
	// probe prepares nothing: on PGlite a named statement would outlive it
	// in the one backend and collide with the pool's.
	probeCfg := cfg.ConnConfig.Copy()
	probeCfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	probe, err := pgx.ConnectConfig(ctx, probeCfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	var version string
	err = probe.QueryRow(ctx, "SELECT version()").Scan(&version)
	probe.Close(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	embedded := strings.Contains(version, "PGlite")
	if embedded {
		// One connection serves everything: a long transaction (a retrieval
		// test run, an import) makes the others wait, not fail. The short
		// wait that turns an outage into quick 503s is for real servers.
		opts.AcquireTimeout = max(opts.AcquireTimeout, embeddedAcquireTimeout)
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
		cfg.MaxConns = 1
		cfg.MinConns = 0
		// PGlite cannot cancel a running query (it ignores CancelRequest),
		// and a client that drops its connection mid-transaction leaves the
		// single backend waiting (15 s, measured). So on PGlite a cancelled
		// context lets the statement finish instead of cutting the
		// connection; the next call sees the context is done.
		cfg.ConnConfig.BuildContextWatcherHandler = func(*pgconn.PgConn) ctxwatch.Handler { return finishStatement{} }
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	roles, err := migrations.ResolveRoles(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{Pool: pool, embedded: embedded, opts: opts, searchPath: searchPath, roles: roles}, nil
}

// Roles are the database roles this installation's transactions run as.
func (db *DB) Roles() migrations.Roles { return db.roles }

// Migrate applies every pending migration and returns how many it applied.
// New connections are made afterwards, so that they see the types (vector)
// the migrations created.
func (db *DB) Migrate(ctx context.Context, logger *slog.Logger) (int, error) {
	n, err := migrations.Up(ctx, db.Pool, db.roles, logger)
	if err != nil {
		return n, err
	}
	db.Pool.Reset()
	return n, nil
}

// finishStatement is a context watcher that does nothing on cancel.
type finishStatement struct{}

func (finishStatement) HandleCancel(context.Context) {}
func (finishStatement) HandleUnwatchAfterCancel()    {}

func cmpDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Embedded reports whether the database is PGlite.
func (db *DB) Embedded() bool { return db.embedded }

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks the database answers within the acquire timeout.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, db.opts.AcquireTimeout)
	defer cancel()
	if err := db.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// Scope is a way to run transactions as one role with one organization and
// user set. Its zero value is unusable; get one from DB.
type Scope struct {
	db     *DB
	role   string
	orgID  string
	userID string
	extra  [2]string // one more setting (name, value), e.g. the token hash
}

// Scope runs transactions as the application role for p's organization and
// user: row-level security shows them that organization's rows only.
func (db *DB) Scope(p Principal) Scope {
	return Scope{db: db, role: db.roles.App, orgID: p.OrgID.String(), userID: p.UserID.String()}
}

// OrgScope runs transactions as the application role for one organization
// with no user, for work the server does on an organization's behalf
// (creating it, seeding the demo).
func (db *DB) OrgScope(orgID uuid.UUID) Scope {
	return Scope{db: db, role: db.roles.App, orgID: orgID.String()}
}

// Operator runs transactions that may see every organization. It exists for
// the operator's command line (taiwa admin); no request handler uses it.
func (db *DB) Operator() Scope {
	return Scope{db: db, role: db.roles.Operator}
}

// LinkScope runs transactions as the application role with no organization
// or user, only the hash of a link token presented by a member, who has no
// account: the link_lookup policy shows that link's row and nothing else.
// Once the link is found, ActAs sets its organization and manager.
func (db *DB) LinkScope(hash []byte) Scope {
	return Scope{db: db, role: db.roles.App}.with("taiwa.link_hash", hex.EncodeToString(hash))
}

// FeedScope is LinkScope for a calendar feed's token (feed_lookup policy).
func (db *DB) FeedScope(hash []byte) Scope {
	return Scope{db: db, role: db.roles.App}.with("taiwa.feed_hash", hex.EncodeToString(hash))
}

// SlackScope runs transactions that see only the notification settings of
// the organization that connected Slack workspace team (slack_lookup
// policy): a Slack request names its workspace before its signature, and
// so its organization, is checked.
func (db *DB) SlackScope(team string) Scope {
	return Scope{db: db, role: db.roles.App}.with("taiwa.slack_team", team)
}

// ActAs sets the organization and user of the rest of tx, for a
// transaction that learned them from a secret it was given (a member link).
func ActAs(ctx context.Context, tx pgx.Tx, orgID, userID uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT set_config('taiwa.org_id', $1, true), set_config('taiwa.user_id', $2, true)`,
		orgID.String(), userID.String())
	if err != nil {
		return fmt.Errorf("act as user: %w", err)
	}
	return nil
}

// with returns s with one more transaction-local setting.
func (s Scope) with(name, value string) Scope {
	s.extra = [2]string{name, value}
	return s
}

// InTx runs fn in a transaction that runs as the scope's role with its
// organization and user set, commits if fn returns nil and rolls back
// otherwise. Settings are transaction-local (set_config(..., true)), so
// nothing carries over to the next user of the pooled connection.
func (s Scope) InTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	conn, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()

	// BEGIN and the settings go in one pipeline: one round trip, which
	// every transaction of every request pays.
	batch := &pgx.Batch{}
	batch.BeginTx(pgx.TxOptions{})
	s.queueSettings(batch)
	br := conn.SendBatch(ctx, batch)
	tx := br.Tx()
	if err := br.Close(); err != nil {
		_ = tx.Rollback(ctx) // closed already if BEGIN itself failed
		return unavailable(fmt.Errorf("scope transaction: %w", err))
	}
	return unavailable(runTx(ctx, tx, fn))
}

// InBatch runs the statements queued in b as the scope, in one round trip:
// the settings and b's statements go in one pipeline with a single Sync,
// which PostgreSQL runs as one implicit transaction, committed at the Sync
// or rolled back whole if a statement fails; the settings last until then.
// It is for work whose statements need nothing from each other's answers
// but what the database carries (authentication, /api/me): a request that
// does only that pays one round trip instead of four.
func (s Scope) InBatch(ctx context.Context, b *pgx.Batch) error {
	conn, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	batch := &pgx.Batch{}
	s.queueSettings(batch)
	batch.QueuedQueries = append(batch.QueuedQueries, b.QueuedQueries...)
	return unavailable(conn.SendBatch(ctx, batch).Close())
}

// acquire takes a pooled connection, waiting at most AcquireTimeout: a
// pool that stays exhausted is the database being unavailable.
func (s Scope) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	acquireCtx, cancel := context.WithTimeout(ctx, s.db.opts.AcquireTimeout)
	conn, err := s.db.Pool.Acquire(acquireCtx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return conn, nil
}

// queueSettings queues the statement that makes the rest of the
// transaction run as the scope.
func (s Scope) queueSettings(b *pgx.Batch) {
	db := s.db
	b.Queue(`SELECT
		set_config('role', $1, true),
		set_config('taiwa.org_id', $2, true),
		set_config('taiwa.user_id', $3, true),
		set_config('statement_timeout', $4, true),
		set_config('lock_timeout', $5, true),
		set_config('idle_in_transaction_session_timeout', $6, true),
		CASE WHEN $7 <> '' THEN set_config('search_path', $7, true) END,
		CASE WHEN $8 <> '' THEN set_config($8, $9, true) END`,
		s.role, s.orgID, s.userID,
		millis(db.opts.StatementTimeout), millis(db.opts.LockTimeout), millis(db.opts.IdleInTxTimeout),
		db.searchPath, s.extra[0], s.extra[1])
}

// runTx commits tx if fn returns nil and rolls it back otherwise, or if
// fn panics.
func runTx(ctx context.Context, tx pgx.Tx, fn func(pgx.Tx) error) (err error) {
	defer func() {
		if rbErr := tx.Rollback(ctx); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) && err == nil {
			err = rbErr
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func millis(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }

// unavailable marks errors that mean "the database is not there right now"
// with ErrUnavailable, so the API answers 503 rather than 500.
func unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57014", // query_canceled: statement_timeout
			"55P03",          // lock_not_available: lock_timeout
			"57P01", "57P02", // admin_shutdown, crash_shutdown
			"57P03", // cannot_connect_now: starting up
			"53300": // too_many_connections
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		if strings.HasPrefix(pgErr.Code, "08") { // connection exceptions
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	// A server going away may close the socket without a word: the read
	// ends in EOF, which is neither a net.Error nor safe to retry.
	var netErr net.Error
	if errors.As(err, &netErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) || errors.Is(err, pgx.ErrTxClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}
