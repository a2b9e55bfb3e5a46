// Package pgtest gives each test package its own freshly migrated schema in
// the real database named by DATABASE_URL, and cheap per-test isolation by
// organization.
//
// Tests never run against a mock database. Without DATABASE_URL they fail:
// run them with 'make test', which starts the embedded database when
// DATABASE_URL is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

// DB is a test package's migrated schema.
type DB struct {
	*tenant.DB
	URL    string // DATABASE_URL
	Schema string // the package's schema; pass it as TAIWA_DB_SCHEMA to a server under test
}

// staleAfter is how old a test schema must be before a later run drops it
// as left behind by a crashed run. Parallel packages never drop each other's.
const staleAfter = time.Hour

// Main creates the package's schema, migrates it, runs the tests, drops the
// schema and exits. Call it from TestMain.
func Main(m *testing.M, db **DB) {
	os.Exit(run(m, db))
}

func run(m *testing.M, out **DB) int {
	ctx := context.Background()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "pgtest: DATABASE_URL is not set; run the tests with 'make test', which starts the embedded database")
		return 1
	}
	b := make([]byte, 4)
	rand.Read(b)
	pkg := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(filepath.Base(os.Args[0])))
	pkg = strings.TrimSuffix(pkg, "_test")
	if len(pkg) > 30 {
		pkg = pkg[:30]
	}
	schema := fmt.Sprintf("test_%d_%s_%s", time.Now().Unix(), pkg, hex.EncodeToString(b))

	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: connect:", err)
		return 1
	}
	defer admin.Close(ctx)
	dropStale(ctx, admin)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: create schema:", err)
		return 1
	}
	defer admin.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")

	tdb, err := tenant.Open(ctx, url, tenant.Options{Schema: schema, MaxConns: 8})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer tdb.Close()
	if _, err := tdb.Migrate(ctx, nil); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	*out = &DB{DB: tdb, URL: url, Schema: schema}
	return m.Run()
}

// dropStale drops test schemas that crashed runs left behind.
func dropStale(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'test\_%'`)
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, n := range names {
		parts := strings.SplitN(n, "_", 3)
		if len(parts) < 3 {
			continue
		}
		sec, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)) < staleAfter {
			continue
		}
		conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{n}.Sanitize()+" CASCADE")
	}
}

// NewOrg creates an organization for one test: every table carries org_id,
// so a new org is a cheap, complete isolation boundary.
func NewOrg(t testing.TB, db *DB) uuid.UUID {
	t.Helper()
	id := tenant.NewID()
	err := db.OrgScope(id).InTx(t.Context(), func(tx pgx.Tx) error {
		_, err := tenant.CreateOrg(t.Context(), tx, id, truncate("test org "+t.Name()), "ja")
		return err
	})
	if err != nil {
		t.Fatalf("pgtest: new org: %v", err)
	}
	return id
}

// NewUser creates a user with the given role in org and returns their
// principal and an API token.
func NewUser(t testing.TB, db *DB, org uuid.UUID, role tenant.Role) (tenant.Principal, string) {
	t.Helper()
	var (
		u      tenant.User
		tok    tenant.Token
		secret string
	)
	err := db.OrgScope(org).InTx(t.Context(), func(tx pgx.Tx) error {
		var err error
		u, err = tenant.CreateUser(t.Context(), tx, org, tenant.NewUser{DisplayName: truncate(string(role) + " of " + t.Name()), Role: role})
		if err != nil {
			return err
		}
		tok, secret, err = tenant.CreateToken(t.Context(), tx, org, u.ID, "test", nil)
		return err
	})
	if err != nil {
		t.Fatalf("pgtest: new user: %v", err)
	}
	return tenant.Principal{OrgID: org, UserID: u.ID, Role: role, Language: u.Language, TokenID: tok.ID}, secret
}

func truncate(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:200])
	}
	return s
}
