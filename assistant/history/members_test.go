package history_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

func newStore(t testing.TB) *history.Store {
	t.Helper()
	r, err := anonymize.New()
	if err != nil {
		t.Fatal(err)
	}
	keyer, _ := anonymize.NewKeyer([]byte("a test secret of 32 bytes or so."))
	return history.New(r, keyer)
}

// createMember adds a member in a transaction of its own.
func createMember(t *testing.T, h *history.Store, p tenant.Principal, alias string) (history.Member, error) {
	t.Helper()
	var m history.Member
	err := db.Scope(p).InTx(t.Context(), func(tx pgx.Tx) (err error) {
		m, _, err = h.CreateMember(t.Context(), tx, p.OrgID, p.UserID, alias)
		return err
	})
	return m, err
}

// TestMemberAliasUnique: an alias the manager already uses is refused
// whatever its width, case or spaces, and the refusal names the member
// who has it; another manager may use it.
func TestMemberAliasUnique(t *testing.T) {
	h := newStore(t)
	org := pgtest.NewOrg(t, db)
	mgr, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	other, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	for _, a := range []string{"Kさん", "メンバー3", "Team Lead"} {
		if _, err := createMember(t, h, mgr, a); err != nil {
			t.Fatalf("create %q: %v", a, err)
		}
	}
	tests := []struct {
		name, alias string
		taken       string // the member named in the refusal; "" for none
	}{
		{"the same", "Kさん", "Kさん"},
		{"another case", "kさん", "Kさん"},
		{"full-width", "Ｋさん", "Kさん"},
		{"full-width, lower case", "ｋさん", "Kさん"},
		{"surrounding spaces", "  Kさん　", "Kさん"},
		{"an inner space", "K さん", "Kさん"},
		{"an inner full-width space", "Ｋ　さん", "Kさん"},
		{"half-width katakana, full-width digit", "ﾒﾝﾊﾞｰ３", "メンバー3"},
		{"inner spaces dropped", "TeamLead", "Team Lead"},
		{"spaces doubled", "team   lead", "Team Lead"},
		{"another alias", "Lさん", ""},
		{"an alias holding the other", "Kさん2", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := createMember(t, h, mgr, tt.alias)
			if tt.taken == "" {
				if err != nil {
					t.Errorf("create %q: %v, want it added", tt.alias, err)
				}
				return
			}
			if !errors.Is(err, history.ErrConflict) {
				t.Fatalf("create %q: %v, want ErrConflict", tt.alias, err)
			}
			// api.js finds this sentence (error.member.exists) and shows the alias.
			if want := `you already have a member called "` + tt.taken + `"`; !strings.Contains(err.Error(), want) {
				t.Errorf("create %q: %q, want it to say %s", tt.alias, err, want)
			}
		})
	}
	if _, err := createMember(t, h, other, "Ｋさん"); err != nil {
		t.Errorf("another manager's 「Ｋさん」: %v, want it added", err)
	}
	m, err := createMember(t, h, mgr, " Ｍ　　さん ")
	if err != nil || m.Alias != "Ｍ さん" {
		t.Errorf("create 「 Ｍ　　さん 」 = %q, %v; want 「Ｍ さん」 (trimmed, one space inside)", m.Alias, err)
	}
}

// TestMemberAliasUniqueInTheDatabase: the database refuses a duplicate
// alias that does not come through CreateMember (a rename, a script, a
// future handler), so no path can store one.
func TestMemberAliasUniqueInTheDatabase(t *testing.T) {
	h := newStore(t)
	org := pgtest.NewOrg(t, db)
	mgr, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	if _, err := createMember(t, h, mgr, "Kさん"); err != nil {
		t.Fatal(err)
	}
	l, err := createMember(t, h, mgr, "Lさん")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		sql  string
		args []any
	}{
		{"insert a full-width duplicate", `INSERT INTO members (org_id, id, manager_id, alias) VALUES ($1, $2, $3, 'Ｋさん')`,
			[]any{org, uuid.Must(uuid.NewV7()), mgr.UserID}},
		{"insert with an inner space", `INSERT INTO members (org_id, id, manager_id, alias) VALUES ($1, $2, $3, 'k さん')`,
			[]any{org, uuid.Must(uuid.NewV7()), mgr.UserID}},
		{"rename onto another member's alias", `UPDATE members SET alias = 'ｋ　さん' WHERE id = $1`, []any{l.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Scope(mgr).InTx(t.Context(), func(tx pgx.Tx) error {
				_, err := tx.Exec(t.Context(), tt.sql, tt.args...)
				return err
			})
			var pgErr interface{ SQLState() string }
			if !errors.As(err, &pgErr) || pgErr.SQLState() != "23505" {
				t.Errorf("%s: %v, want a unique violation (23505)", tt.name, err)
			}
		})
	}
}

// TestMemberAliasConcurrentCreates: of creates of one alias at once (a
// double click, two tabs), exactly one adds the member. On PostgreSQL the
// transactions overlap; on PGlite they queue for its one connection.
func TestMemberAliasConcurrentCreates(t *testing.T) {
	h := newStore(t)
	org := pgtest.NewOrg(t, db)
	mgr, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	aliases := []string{"Nさん", "Ｎさん", "n さん", "Nさん"}
	errs := make([]error, len(aliases))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, a := range aliases {
		wg.Go(func() {
			<-start
			err := db.Scope(mgr).InTx(t.Context(), func(tx pgx.Tx) error {
				if _, _, err := h.CreateMember(t.Context(), tx, org, mgr.UserID, a); err != nil {
					return err
				}
				// Hold the transaction open a moment, so the others meet
				// an insert not yet committed.
				_, err := tx.Exec(t.Context(), `SELECT pg_sleep(0.2)`)
				return err
			})
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	added := 0
	for i, err := range errs {
		switch {
		case err == nil:
			added++
		case !errors.Is(err, history.ErrConflict):
			t.Errorf("create %q: %v, want ErrConflict or success", aliases[i], err)
		}
	}
	if added != 1 {
		t.Errorf("%d of %d creates at once added a member, want 1 (errors %v)", added, len(aliases), errs)
	}
	var n int
	err := db.Scope(mgr).InTx(t.Context(), func(tx pgx.Tx) error {
		return tx.QueryRow(t.Context(), `SELECT count(*) FROM members`).Scan(&n)
	})
	if err != nil || n != 1 {
		t.Errorf("the manager has %d members (%v), want 1", n, err)
	}
}

// TestMigrationRenamesDuplicateAliases runs migration 0015 over duplicates
// stored before it (its index dropped for the test, all in a transaction
// rolled back): the oldest keeps the alias, later ones get the first free
// " (n)", shortened to 50 characters, and no member is lost.
func TestMigrationRenamesDuplicateAliases(t *testing.T) {
	ctx := t.Context()
	src, err := os.ReadFile("../../migrations/0015_member_alias_key.sql")
	if err != nil {
		t.Fatal(err)
	}
	up, _, ok := strings.Cut(string(src), "-- +goose Down")
	if !ok || !strings.Contains(up, "-- +goose Up") {
		t.Fatal("migration 0015 has no Up and Down sections")
	}
	// The migrations are written with the default role names (see
	// migrations.Roles).
	roles := db.Roles()
	up = strings.NewReplacer("taiwa_app", roles.App, "taiwa_operator", roles.Operator).Replace(up)

	org := pgtest.NewOrg(t, db)
	mgr, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	other, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	long := strings.Repeat("x", 50)
	rows := []struct {
		manager uuid.UUID
		alias   string
		want    string
	}{
		{mgr.UserID, "Kさん (2)", "Kさん (2)"}, // the oldest, and what the first duplicate would become
		{mgr.UserID, "Kさん", "Kさん"},
		{mgr.UserID, "Ｋさん", "Ｋさん (3)"},
		{mgr.UserID, "K さん", "K さん (4)"},
		{other.UserID, "Kさん", "Kさん"}, // another manager's: no duplicate
		{mgr.UserID, long, long},
		{mgr.UserID, strings.ToUpper(long), strings.Repeat("X", 46) + " (2)"},
		{mgr.UserID, "Lさん", "Lさん"},
	}

	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", strings.SplitN(strings.TrimSpace(sql), "\n", 2)[0], err)
		}
	}
	exec(`SELECT set_config('search_path', $1, true)`, pgx.Identifier{db.Schema}.Sanitize()+", public")
	exec(`DROP INDEX members_alias_key`)
	exec(`SET LOCAL ROLE ` + pgx.Identifier{roles.Operator}.Sanitize())
	ids := make([]uuid.UUID, len(rows))
	created := time.Now().Add(-time.Hour)
	for i, r := range rows {
		ids[i] = uuid.Must(uuid.NewV7())
		exec(`INSERT INTO members (org_id, id, manager_id, alias, created_at) VALUES ($1, $2, $3, $4, $5)`,
			org, ids[i], r.manager, r.alias, created.Add(time.Duration(i)*time.Minute))
	}
	exec(`RESET ROLE`)
	exec(up)
	exec(`SET LOCAL ROLE ` + pgx.Identifier{roles.Operator}.Sanitize())
	var got, want []string
	for i, r := range rows {
		var alias string
		if err := tx.QueryRow(ctx, `SELECT alias FROM members WHERE id = $1`, ids[i]).Scan(&alias); err != nil {
			t.Fatalf("member %q: %v", r.alias, err)
		}
		got, want = append(got, alias), append(want, r.want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("aliases after the migration (-want +got):\n%s", diff)
	}
	var hasIndex bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('members_alias_key') IS NOT NULL`).Scan(&hasIndex); err != nil || !hasIndex {
		t.Errorf("the unique index is not there after the migration (%v)", err)
	}
}
