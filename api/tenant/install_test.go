package tenant_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

// TestTwoInstallations runs a second installation on the same server, in
// its own schema with its own login role, next to the test package's: role
// names are global, so the second one must get roles of its own, and
// neither login role may switch to the other's.
//
// It needs a login role that may create roles and is not a superuser (CI's
// PostgreSQL): the embedded database has a single superuser, for whom every
// role is its own.
func TestTwoInstallations(t *testing.T) {
	ctx := t.Context()
	var super, createRole bool
	err := db.Pool.QueryRow(ctx, `SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user`).Scan(&super, &createRole)
	if err != nil {
		t.Fatal(err)
	}
	if super || !createRole {
		t.Skip("needs a login role with CREATEROLE that is not a superuser (the PostgreSQL of CI's second pass)")
	}

	b := make([]byte, 4)
	rand.Read(b)
	login, schema := "test_login_"+hex.EncodeToString(b), "test_install_"+hex.EncodeToString(b)
	pw := hex.EncodeToString(b) + "pw"
	admin := func(sql string) {
		t.Helper()
		if _, err := db.Pool.Exec(context.WithoutCancel(ctx), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	var dbname string
	if err := db.Pool.QueryRow(ctx, `SELECT current_database()`).Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	admin(`CREATE ROLE ` + login + ` LOGIN CREATEROLE PASSWORD '` + pw + `'`)
	admin(`GRANT CREATE ON DATABASE ` + pgx.Identifier{dbname}.Sanitize() + ` TO ` + login)
	t.Cleanup(func() {
		admin(`REVOKE CREATE ON DATABASE ` + pgx.Identifier{dbname}.Sanitize() + ` FROM ` + login)
		admin(`DROP ROLE ` + login)
	})

	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(login, pw)
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.WithoutCancel(ctx)) })
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}

	second, err := tenant.Open(ctx, u.String(), tenant.Options{Schema: schema, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	roles := second.Roles()
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx)
		for _, sql := range []string{`DROP SCHEMA ` + schema + ` CASCADE`, `DROP ROLE IF EXISTS ` + roles.App, `DROP ROLE IF EXISTS ` + roles.Operator} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Errorf("%s: %v", sql, err)
			}
		}
	})
	n, err := second.Migrate(ctx, nil)
	second.Close()
	if err != nil {
		t.Fatalf("the second installation's migrations: %v", err)
	}
	t.Logf("second installation: %d migrations applied, roles %s and %s", n, roles.App, roles.Operator)
	if roles == db.Roles() {
		t.Fatalf("both installations run as %v", roles)
	}

	// It works: an organization can be made and read back in scope.
	second, err = tenant.Open(ctx, u.String(), tenant.Options{Schema: schema, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if second.Roles() != roles {
		t.Errorf("reopened, the second installation names its roles %v, want %v", second.Roles(), roles)
	}
	if _, _, _, err := second.Bootstrap(ctx, "second", "ja", tenant.NewUser{DisplayName: "a", Role: tenant.RoleAdmin}); err != nil {
		t.Fatalf("bootstrap in the second installation: %v", err)
	}

	// Neither login role can become the other installation's roles.
	if canSetRole(t, func() (pgx.Tx, error) { return conn.Begin(ctx) }, db.Roles().App) {
		t.Errorf("the second login can SET ROLE %s", db.Roles().App)
	}
	for _, role := range []string{roles.App, roles.Operator} {
		if canSetRole(t, func() (pgx.Tx, error) { return db.Pool.Begin(ctx) }, role) {
			t.Errorf("the first login can SET ROLE %s", role)
		}
	}
}

func canSetRole(t *testing.T, begin func() (pgx.Tx, error), role string) bool {
	t.Helper()
	ctx := t.Context()
	tx, err := begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `SET LOCAL ROLE `+pgx.Identifier{role}.Sanitize())
	return err == nil
}
