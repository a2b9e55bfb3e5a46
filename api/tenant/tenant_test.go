package tenant_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var db *pgtest.DB

func TestMain(m *testing.M) { pgtest.Main(m, &db) }

// TestCatalog checks what makes row-level security hold: the roles
// transactions run as are not superusers, cannot bypass RLS and own
// nothing, and every table with org_id has RLS enabled and forced.
func TestCatalog(t *testing.T) {
	ctx := t.Context()
	roles := []string{db.Roles().App, db.Roles().Operator}
	for _, role := range roles {
		var super, bypass bool
		err := db.Pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, role).Scan(&super, &bypass)
		if err != nil {
			t.Fatalf("role %s: %v", role, err)
		}
		if super || bypass {
			t.Errorf("role %s: superuser=%v bypassrls=%v, want neither", role, super, bypass)
		}
		var owned int
		err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1`, role).Scan(&owned)
		if err != nil {
			t.Fatal(err)
		}
		if owned != 0 {
			t.Errorf("role %s owns %d relations, want 0", role, owned)
		}
	}

	// The login role switches to the app roles but does not inherit them:
	// inheriting the operator role would apply its USING (true) policies to
	// every connection with no tenant set. A superuser (the embedded
	// database) bypasses row-level security and holds every role anyway.
	var super bool
	if err := db.Pool.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		t.Fatal(err)
	}
	if !super {
		for _, role := range roles {
			var inherits, sets bool
			err := db.Pool.QueryRow(ctx, `SELECT pg_has_role(current_user, $1, 'USAGE'), pg_has_role(current_user, $1, 'SET')`, role).Scan(&inherits, &sets)
			if err != nil {
				t.Fatal(err)
			}
			if inherits || !sets {
				t.Errorf("login role and %s: inherits=%v set=%v, want SET without INHERIT", role, inherits, sets)
			}
		}
		// And so, with no tenant set, the login role reads nothing.
		pgtest.NewOrg(t, db)
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM orgs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("the login role with no tenant set reads %d organizations, want 0", n)
		}
	}

	rows, _ := db.Pool.Query(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
		  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)`,
		db.Schema)
	type table struct {
		Name            string
		Enabled, Forced bool
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByPos[table])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("found %d tables with org_id, want every table of the schema", len(tables))
	}
	for _, tb := range tables {
		if !tb.Enabled || !tb.Forced {
			t.Errorf("table %s: row security enabled=%v forced=%v, want both", tb.Name, tb.Enabled, tb.Forced)
		}
	}

	// Every table of the schema carries org_id, but goose's own and River's
	// job tables (api/jobs), on which the application and operator roles
	// have no privilege at all: only the login role reads or writes jobs.
	rows, _ = db.Pool.Query(ctx, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname <> 'goose_db_version'
		  AND NOT (c.relname LIKE 'river\_%' AND NOT has_table_privilege($2, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
		           AND NOT has_table_privilege($3, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
		  AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id')`,
		db.Schema, db.Roles().App, db.Roles().Operator)
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("tables without org_id: %v", missing)
	}
	var riverTables int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = 'river_job'`, db.Schema).Scan(&riverTables); err != nil || riverTables != 1 {
		t.Errorf("river_job in the schema: %d (%v), want 1", riverTables, err)
	}

	// Every foreign key is the leading columns of an index: deleting a
	// referenced row (erasing a member cascades through every table that
	// names their sessions) must not scan the referencing table.
	rows, _ = db.Pool.Query(ctx, `
		SELECT c.conrelid::regclass::text || ' (' || string_agg(a.attname, ', ' ORDER BY k.ord) || ')'
		FROM pg_constraint c
		CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
		WHERE c.contype = 'f' AND c.connamespace = $1::regnamespace
		  AND NOT EXISTS (
			SELECT FROM pg_index i
			WHERE i.indrelid = c.conrelid
			  AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
			  AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
		GROUP BY c.conrelid, c.conname ORDER BY 1`, db.Schema)
	unindexed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(unindexed) > 0 {
		t.Errorf("foreign keys that lead no index: %v", unindexed)
	}

	// Views run with the caller's rights, so RLS applies through them.
	rows, _ = db.Pool.Query(ctx, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'v'
		  AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)`, db.Schema)
	views, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(views) > 0 {
		t.Errorf("views without security_invoker: %v", views)
	}

	// A SECURITY DEFINER function runs with its owner's rights, past the
	// policies: none may exist in the schema unless it is listed here, with
	// the reason it is safe.
	allowed := map[string]string{
		// The one way history is read across managers: they return only
		// figures over at least 5 members, 5 answers and 3 managers, with
		// complementary cells suppressed, for the caller's organization
		// (taiwa_insights' policies), and check the caller's role.
		"insights_org":               "k-anonymous figures for admins (0023_insights.sql)",
		"insights_benchmark":         "k-anonymous organization figures a user compares with (0023_insights.sql)",
		"insights_own":               "the caller's own history, aggregated (0023_insights.sql)",
		"insights_forget":            "a trigger that only deletes cached months of the written row's organization (0023_insights.sql)",
		"insights_guidance":          "per-document counts of the answers that drew on guidance, for curators (0024_guidance_uses.sql)",
		"insights_guidance_comments": "managers' comments on answers citing a document, month and thumb only (0024_guidance_uses.sql)",
	}
	rows, _ = db.Pool.Query(ctx, `
		SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = $1 AND p.prosecdef`, db.Schema)
	definers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range definers {
		if _, ok := allowed[f]; !ok {
			t.Errorf("SECURITY DEFINER function %s is not on the allowlist", f)
		}
	}
	t.Logf("catalog: %d tables with forced row security, %d SECURITY DEFINER functions (%d allowed)", len(tables), len(definers), len(allowed))
}

// TestRLSIsolatesOrgs reads and writes as the application role with another
// organization set: nothing of the first org is visible or writable.
func TestRLSIsolatesOrgs(t *testing.T) {
	ctx := t.Context()
	orgA, orgB := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	userA, _ := pgtest.NewUser(t, db, orgA, tenant.RoleAdmin)
	userB, _ := pgtest.NewUser(t, db, orgB, tenant.RoleAdmin)

	tables := orgTables(t)
	err := db.Scope(userB).InTx(ctx, func(tx pgx.Tx) error {
		var role string
		if err := tx.QueryRow(ctx, "SELECT current_user").Scan(&role); err != nil {
			return err
		}
		if role != db.Roles().App {
			t.Errorf("scoped transaction runs as %q, want %s", role, db.Roles().App)
		}
		for _, table := range tables {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE org_id = $1", orgA).Scan(&n); err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("org B sees %d rows of org A in %s, want 0", n, table)
			}
		}
		for _, table := range []string{"orgs", "users", "api_tokens"} {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE org_id = $1", orgB).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				t.Errorf("org B sees none of its own rows in %s", table)
			}
		}
		// Updates and deletes of org A's rows touch nothing.
		tag, err := tx.Exec(ctx, "UPDATE users SET display_name = 'hijacked' WHERE id = $1", userA.UserID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 0 {
			t.Errorf("org B updated %d of org A's users", tag.RowsAffected())
		}
		tag, err = tx.Exec(ctx, "DELETE FROM api_tokens WHERE org_id = $1", orgA)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 0 {
			t.Errorf("org B deleted %d of org A's tokens", tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Inserting a row into org A while scoped to org B violates the policy.
	err = db.Scope(userB).InTx(ctx, func(tx pgx.Tx) error {
		_, err := tenant.CreateUser(ctx, tx, orgA, tenant.NewUser{DisplayName: "intruder", Role: tenant.RoleAdmin})
		return err
	})
	if err == nil {
		t.Error("org B created a user in org A")
	}

	// With an organization that has no rows, the app role sees none of
	// org A's or org B's.
	err = db.OrgScope(tenant.NewID()).InTx(ctx, func(tx pgx.Tx) error {
		for _, table := range tables {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE org_id IN ($1, $2)", orgA, orgB).Scan(&n); err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("an unrelated org sees %d rows of %s", n, table)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// orgTables lists the tables of the schema that carry org_id and that the
// application role may read. The ones it may not are the insights cache
// (0023_insights.sql) and the guidance uses the application writes but
// reads only through a function (0024); any other would be a missing grant.
func orgTables(t *testing.T) []string {
	rows, _ := db.Pool.Query(t.Context(), `
		SELECT c.relname, has_table_privilege($2, c.oid, 'SELECT') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
		  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id')
		ORDER BY 1`, db.Schema, db.Roles().App)
	type table struct {
		Name     string
		Readable bool
	}
	all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[table])
	if err != nil {
		t.Fatal(err)
	}
	var tables, hidden []string
	for _, tb := range all {
		if tb.Readable {
			tables = append(tables, tb.Name)
		} else {
			hidden = append(hidden, tb.Name)
		}
	}
	if want := []string{"guidance_uses", "insights_month_atoms", "insights_months"}; !slices.Equal(hidden, want) {
		t.Errorf("tables the application role cannot read: %v, want %v", hidden, want)
	}
	return tables
}

// TestSettingsDoNotLeak checks the org set in one transaction is gone in
// the next one on the same connection.
func TestSettingsDoNotLeak(t *testing.T) {
	ctx := t.Context()
	org := pgtest.NewOrg(t, db)
	p, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	if err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var orgSetting, role string
	if err := conn.QueryRow(ctx, "SELECT coalesce(current_setting('taiwa.org_id', true), ''), current_user").Scan(&orgSetting, &role); err != nil {
		t.Fatal(err)
	}
	if orgSetting != "" || role == db.Roles().App {
		t.Errorf("after the transaction: taiwa.org_id=%q current_user=%q, want '' and the login role", orgSetting, role)
	}
}

// TestInBatch checks a one-round-trip batch runs as the scope, commits
// its writes, rolls back whole when a statement fails, and leaves no
// setting on the connection (a pool of one: the next user is certain to
// get the same connection).
func TestInBatch(t *testing.T) {
	ctx := t.Context()
	one, err := tenant.Open(ctx, db.URL, tenant.Options{Schema: db.Schema, MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	org := pgtest.NewOrg(t, db)
	p, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	pgtest.NewOrg(t, db) // another organization, which it must not see

	var role, orgSetting string
	var visible int
	b := &pgx.Batch{}
	b.Queue(`SELECT current_user, current_setting('taiwa.org_id')`).QueryRow(func(r pgx.Row) error { return r.Scan(&role, &orgSetting) })
	b.Queue(`SELECT count(*) FROM orgs`).QueryRow(func(r pgx.Row) error { return r.Scan(&visible) })
	b.Queue(`UPDATE users SET display_name = 'Batched' WHERE id = $1`, p.UserID)
	if err := one.Scope(p).InBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if role != one.Roles().App || orgSetting != org.String() || visible != 1 {
		t.Errorf("in the batch: role %q org %q, %d orgs visible; want %q, %s, 1", role, orgSetting, visible, one.Roles().App, org)
	}

	// A failing statement takes the batch's earlier writes with it.
	b = &pgx.Batch{}
	b.Queue(`UPDATE users SET display_name = 'Lost' WHERE id = $1`, p.UserID)
	b.Queue(`SELECT 1 / 0`)
	if err := one.Scope(p).InBatch(ctx, b); err == nil {
		t.Fatal("a batch with a failing statement succeeded")
	}
	var name string
	err = one.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT display_name FROM users WHERE id = $1`, p.UserID).Scan(&name)
	})
	if err != nil || name != "Batched" {
		t.Errorf("display name after the failed batch = %q (%v), want the first batch's, Batched", name, err)
	}

	err = one.Pool.QueryRow(ctx, "SELECT coalesce(current_setting('taiwa.org_id', true), ''), current_user").Scan(&orgSetting, &role)
	if err != nil {
		t.Fatal(err)
	}
	if orgSetting != "" || role == one.Roles().App {
		t.Errorf("after the batch: taiwa.org_id=%q current_user=%q, want '' and the login role", orgSetting, role)
	}
}

func TestTokens(t *testing.T) {
	ctx := t.Context()
	org := pgtest.NewOrg(t, db)
	p, secret := pgtest.NewUser(t, db, org, tenant.RoleManager)

	if len(secret) != len("taiwa_")+43 {
		t.Errorf("token length %d, want a 256-bit token (%d chars)", len(secret), len("taiwa_")+43)
	}
	// Only the hash is stored.
	var stored []byte
	err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT token_hash FROM api_tokens WHERE id = $1", p.TokenID).Scan(&stored)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(secret))
	if !bytes.Equal(stored, want[:]) {
		t.Errorf("stored token_hash is not the SHA-256 of the token")
	}
	if bytes.Contains(stored, []byte(secret)) {
		t.Errorf("the token itself is stored")
	}

	got, err := db.Authenticate(ctx, secret)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got.UserID != p.UserID || got.OrgID != org || got.Role != tenant.RoleManager {
		t.Errorf("Authenticate = %+v, want user %s of org %s as manager", got, p.UserID, org)
	}

	flipped := []byte(secret)
	flipped[len(flipped)-1] ^= 1 // another base64url character
	for _, bad := range []string{"", "taiwa_", secret + "x", "Bearer " + secret, string(flipped)} {
		if _, err := db.Authenticate(ctx, bad); !errors.Is(err, tenant.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q) error = %v, want ErrUnauthenticated", bad, err)
		}
	}

	// Revoked tokens stop working at once.
	err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
		_, err := tenant.RevokeToken(ctx, tx, p.TokenID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, secret); !errors.Is(err, tenant.ErrUnauthenticated) {
		t.Errorf("revoked token: error = %v, want ErrUnauthenticated", err)
	}

	// Expired tokens do not work.
	var expiring string
	err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
		exp := time.Now().Add(time.Hour)
		tok, s, err := tenant.CreateToken(ctx, tx, org, p.UserID, "expiring", &exp)
		if err != nil {
			return err
		}
		expiring = s
		_, err = tx.Exec(ctx, "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", tok.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, expiring); !errors.Is(err, tenant.ErrUnauthenticated) {
		t.Errorf("expired token: error = %v, want ErrUnauthenticated", err)
	}

	// A disabled user's tokens stop working.
	p2, secret2 := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
		_, err := tenant.SetUserDisabled(ctx, tx, p2.UserID, true)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, secret2); !errors.Is(err, tenant.ErrUnauthenticated) {
		t.Errorf("disabled user's token: error = %v, want ErrUnauthenticated", err)
	}
}

func TestCreateUserValidation(t *testing.T) {
	ctx := t.Context()
	org := pgtest.NewOrg(t, db)
	tests := []struct {
		name string
		in   tenant.NewUser
		want error
	}{
		{"empty name", tenant.NewUser{DisplayName: " ", Role: tenant.RoleManager}, tenant.ErrInvalid},
		{"bad role", tenant.NewUser{DisplayName: "x", Role: "owner"}, tenant.ErrInvalid},
		{"bad email", tenant.NewUser{DisplayName: "x", Email: "not an email", Role: tenant.RoleManager}, tenant.ErrInvalid},
		{"bad language", tenant.NewUser{DisplayName: "x", Role: tenant.RoleManager, Language: "fr"}, tenant.ErrInvalid},
		{"ok", tenant.NewUser{DisplayName: "山田", Email: "a@example.com", Role: tenant.RoleManager}, nil},
		{"duplicate email", tenant.NewUser{DisplayName: "y", Email: "A@example.com", Role: tenant.RoleCurator}, tenant.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.OrgScope(org).InTx(ctx, func(tx pgx.Tx) error {
				_, err := tenant.CreateUser(ctx, tx, org, tt.in)
				return err
			})
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Errorf("CreateUser(%+v) error = %v, want %v", tt.in, err, tt.want)
			}
		})
	}
}
