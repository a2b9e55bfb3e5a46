// Package migrations holds Taiwa's database schema as plain SQL files,
// embedded in the binary, and applies them with goose.
//
// Each file is applied in its own transaction, and concurrent runs (two
// servers starting at once) are serialized by a PostgreSQL advisory lock.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed *.sql
var files embed.FS

// provider returns a goose provider over pool. The pool's connections must
// already use the intended search_path (see Open in api/tenant).
func provider(pool *pgxpool.Pool, roles Roles, logger *slog.Logger) (*goose.Provider, *sql.DB, error) {
	fsys, err := roles.files()
	if err != nil {
		return nil, nil, err
	}
	locker, err := lock.NewPostgresSessionLocker(
		// Poll often: parallel test packages each migrate their own schema
		// and wait for each other on the same lock.
		lock.WithLockTimeout(1, 600),
	)
	if err != nil {
		return nil, nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, opts...)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return p, db, nil
}

// Up applies every pending migration, written for roles, and returns how
// many it applied.
func Up(ctx context.Context, pool *pgxpool.Pool, roles Roles, logger *slog.Logger) (int, error) {
	p, db, err := provider(pool, roles, logger)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	defer db.Close()
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrations: %w", err)
	}
	n, err := upJobs(ctx, pool, logger)
	if err != nil {
		return len(res), fmt.Errorf("migrations: job tables: %w", err)
	}
	return len(res) + n, nil
}

// jobsLock serializes River's migrations between processes starting at
// once (goose has its own lock).
const jobsLock = 0x7461697761_6a6f62 // "taiwajob"

// upJobs applies River's own migrations (its job tables), which River
// versions with its releases. They sit beside Taiwa's tables; the
// application role is granted nothing on them (the catalog test checks),
// so only the server's login role reads or writes a job.
func upJobs(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) (int, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(jobsLock)); err != nil {
		return 0, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(jobsLock))
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return 0, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	res, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, err
	}
	return len(res.Versions), tx.Commit(ctx)
}

// Status reports the schema version in the database and the newest version
// this binary knows.
func Status(ctx context.Context, pool *pgxpool.Pool) (current, latest int64, err error) {
	p, db, err := provider(pool, Roles{}, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("migrations: %w", err)
	}
	defer db.Close()
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("migrations: %w", err)
	}
	return current, latest, nil
}
