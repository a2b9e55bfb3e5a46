package insights_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/insights"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var db *pgtest.DB

func TestMain(m *testing.M) { pgtest.Main(m, &db) }

// small is an organization with many teams below the thresholds, so that
// suppression has work to do.
var small = spec{Departments: 3, TeamsEach: 3, Managers: [2]int{1, 4}, MembersEach: [2]int{1, 4},
	Months: 6, Unassigned: 2, Moved: 3, Seed: 1}

func orgReport(t *testing.T, p tenant.Principal, months int) insights.Report {
	t.Helper()
	var r insights.Report
	err := db.Scope(p).InTx(t.Context(), func(tx pgx.Tx) (err error) {
		r, err = insights.Org(t.Context(), tx, months)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// group is what an adversary can tell apart: the managers a team holds
// directly (uuid.Nil: those in no team).
type cellKey struct{ Month, Family, Slice string }

// sizes counts a set of atoms as the thresholds do.
func sizes(as []atom) (answers, members, managers int) {
	mem, mgr := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	for _, a := range as {
		mem[a.Member], mgr[a.Manager] = true, true
	}
	return len(as), len(mem), len(mgr)
}

func exposes(as []atom) bool {
	n, mem, mgr := sizes(as)
	return n > 0 && (n < insights.MinAnswers || mem < insights.MinMembers || mgr < insights.MinManagers)
}

// TestAdversaryDerivesNoSmallGroup publishes the figures of an organization
// of small teams and lets an adversary subtract, in every family, slice and
// month: every pair of nested cells, every cell minus any one, two or three
// disjoint published cells inside it, and every cell minus all the
// published cells inside it. No difference may cover a group below the
// thresholds. The published figures must also match the history.
func TestAdversaryDerivesNoSmallGroup(t *testing.T) {
	g := generate(t, db, small)
	r := orgReport(t, g.Admin, small.Months)

	// subtree[t] holds t and every team below it; uuid.Nil is the root.
	under := func(node, team uuid.UUID) bool {
		if node == uuid.Nil {
			return true
		}
		for team != uuid.Nil {
			if team == node {
				return true
			}
			team = g.Parent[team]
		}
		return false
	}
	atoms := map[cellKey][]atom{}
	for _, a := range g.Atoms {
		k := cellKey{a.Month, a.Family, a.Slice}
		atoms[k] = append(atoms[k], a)
	}
	published := map[cellKey][]uuid.UUID{}
	checked, derived := 0, 0
	for _, c := range r.Cells {
		k := cellKey{c.Month, c.Family, c.Slice}
		node := uuid.Nil
		if c.TeamID != nil {
			node = *c.TeamID
		}
		published[k] = append(published[k], node)
		if c.Family == insights.FamilyReferrals {
			continue
		}
		var in []atom
		for _, a := range atoms[k] {
			if under(node, a.Team) {
				in = append(in, a)
			}
		}
		n, mem, mgr := sizes(in)
		if c.Members != nil && (mem != *c.Members || mgr != *c.Managers) || c.Answers != nil && n != *c.Answers {
			t.Errorf("%v team %v: counts %s, history has %d answers, %d members, %d managers", k, node, mustJSON(t, c), n, mem, mgr)
		}
		if (c.Members == nil) != (c.Family != insights.FamilySessions && c.Family != insights.FamilyActions && c.Family != insights.FamilyClosed) {
			t.Errorf("%v: counts shown %v for family %s", k, c.Members != nil, c.Family)
		}
		if exposes(in) {
			t.Errorf("%v team %v published over %d answers, %d members, %d managers", k, node, n, mem, mgr)
		}
	}
	for k, nodes := range published {
		for _, a := range nodes {
			var inside []uuid.UUID
			for _, b := range nodes {
				if b != a && under(a, b) {
					inside = append(inside, b)
				}
			}
			// Every antichain of up to three cells inside a, and all of them.
			sets := [][]uuid.UUID{inside}
			for i, b1 := range inside {
				sets = append(sets, []uuid.UUID{b1})
				for j, b2 := range inside[i+1:] {
					if under(b1, b2) || under(b2, b1) {
						continue
					}
					sets = append(sets, []uuid.UUID{b1, b2})
					for _, b3 := range inside[i+j+2:] {
						if under(b1, b3) || under(b3, b1) || under(b2, b3) || under(b3, b2) {
							continue
						}
						sets = append(sets, []uuid.UUID{b1, b2, b3})
					}
				}
			}
			for _, minus := range sets {
				var rest []atom
			atoms:
				for _, at := range atoms[k] {
					if !under(a, at.Team) {
						continue
					}
					for _, b := range minus {
						if under(b, at.Team) {
							continue atoms
						}
					}
					rest = append(rest, at)
				}
				checked++
				if k.Family != insights.FamilyReferrals && exposes(rest) {
					derived++
					n, mem, mgr := sizes(rest)
					t.Errorf("%v: team %v minus %v leaves %d answers, %d members, %d managers", k, a, minus, n, mem, mgr)
				}
			}
		}
	}
	// Styles are shares of one whole: the hidden ones of a cell add up to
	// one minus the shown ones, so together they must not be a small group.
	shownStyles := map[[2]string][]string{}
	for _, c := range r.Cells {
		if c.Family == insights.FamilyStyle {
			node := "org"
			if c.TeamID != nil {
				node = c.TeamID.String()
			}
			shownStyles[[2]string{c.Month, node}] = append(shownStyles[[2]string{c.Month, node}], c.Slice)
		}
	}
	for key, shown := range shownStyles {
		var hidden []atom
		for _, a := range g.Atoms {
			if a.Family == insights.FamilyStyle && a.Month == key[0] && !slices.Contains(shown, a.Slice) &&
				(key[1] == "org" || under(uuid.MustParse(key[1]), a.Team)) {
				hidden = append(hidden, a)
			}
		}
		checked++
		if n, _, _ := sizes(hidden); n > 0 && n < insights.MinAnswers {
			derived++
			t.Errorf("%v: the hidden styles add up to %d 1on1s", key, n)
		}
	}
	t.Logf("%d cells published; the adversary tried %d differences and derived %d small groups", len(r.Cells), checked, derived)

	// Not a vacuous pass: the organization as a whole is published most
	// months, and some teams are suppressed.
	root, teams := 0, 0
	for _, c := range r.Cells {
		if c.Family == insights.FamilySessions {
			if c.TeamID == nil {
				root++
			} else {
				teams++
			}
		}
	}
	if root < small.Months-1 || teams == 0 || teams >= small.Months*small.Departments*(small.TeamsEach+1) {
		t.Errorf("sessions cells: %d for the organization and %d for teams over %d months: want the organization most months and some teams, not all", root, teams, small.Months)
	}
}

// TestManagerComparisonHidesColleagues: a manager who takes their own
// figures from the organization's learns nothing about a small group.
func TestManagerComparisonHidesColleagues(t *testing.T) {
	g := generate(t, db, spec{Departments: 1, TeamsEach: 1, Managers: [2]int{2, 3}, MembersEach: [2]int{1, 4}, Months: 4, Seed: 2})
	compared := 0
	for _, m := range g.Managers {
		var p insights.Personal
		err := db.Scope(m).InTx(t.Context(), func(tx pgx.Tx) (err error) {
			p, err = insights.Mine(t.Context(), tx, 4)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Organization {
			var rest []atom
			for _, a := range g.Atoms {
				if a.Month == c.Month && a.Family == c.Family && a.Slice == c.Slice && a.Manager != m.UserID {
					rest = append(rest, a)
				}
			}
			compared++
			if exposes(rest) {
				n, mem, mgr := sizes(rest)
				t.Errorf("manager %v: organization %s %s/%s minus their own leaves %d answers, %d members, %d managers", m.UserID, c.Month, c.Family, c.Slice, n, mem, mgr)
			}
		}
		for _, c := range p.Own {
			if c.Managers != nil && *c.Managers != 1 {
				t.Errorf("own cell %+v counts %d managers", c, *c.Managers)
			}
		}
	}
	t.Logf("%d comparisons checked", compared)
}

// TestFiguresAreForAdminsOnly: the database itself refuses the figures to
// a manager, and to a curator unless an admin allows, and shows an admin
// nothing of another organization.
func TestFiguresAreForAdminsOnly(t *testing.T) {
	g := generate(t, db, spec{Departments: 1, TeamsEach: 1, Managers: [2]int{3, 3}, MembersEach: [2]int{3, 3}, Months: 2, Seed: 3})
	curator, _ := pgtest.NewUser(t, db, g.Org, tenant.RoleCurator)
	for _, p := range []tenant.Principal{g.Managers[0], curator} {
		err := db.Scope(p).InTx(t.Context(), func(tx pgx.Tx) error {
			_, err := insights.Org(t.Context(), tx, 2)
			return err
		})
		if !errors.Is(err, insights.ErrForbidden) {
			t.Errorf("%s: organization figures: %v, want forbidden", p.Role, err)
		}
	}
	// An admin may let curators read them; managers never.
	err := db.Scope(g.Admin).InTx(t.Context(), func(tx pgx.Tx) error { return insights.LetCuratorsRead(t.Context(), tx, g.Org, true) })
	if err != nil {
		t.Fatal(err)
	}
	if r := orgReport(t, curator, 2); len(r.Cells) == 0 {
		t.Error("a curator an admin allowed sees no figures")
	}
	err = db.Scope(g.Managers[0]).InTx(t.Context(), func(tx pgx.Tx) error { _, err := insights.Org(t.Context(), tx, 2); return err })
	if !errors.Is(err, insights.ErrForbidden) {
		t.Errorf("a manager, with curators allowed: %v, want forbidden", err)
	}
	other := pgtest.NewOrg(t, db)
	admin, _ := pgtest.NewUser(t, db, other, tenant.RoleAdmin)
	if r := orgReport(t, admin, 2); len(r.Cells) != 0 || len(r.Teams) != 0 {
		t.Errorf("another organization's admin sees %d cells and %d teams", len(r.Cells), len(r.Teams))
	}
	if r := orgReport(t, g.Admin, 2); len(r.Cells) == 0 {
		t.Error("the organization's admin sees no figures")
	}
}

// TestStructureChangesKeepThePast: once the figures have been read, no
// change to the structure moves a closed month's figures (so no change
// and read again isolates anyone): moving a manager, moving a team,
// placing a manager who was in no team, removing a team.
func TestStructureChangesKeepThePast(t *testing.T) {
	g := generate(t, db, spec{Departments: 2, TeamsEach: 2, Managers: [2]int{3, 3}, MembersEach: [2]int{2, 3}, Months: 3, Unassigned: 2, Seed: 4})
	before := orgReport(t, g.Admin, 3)
	in := func(fn func(tx pgx.Tx) error) {
		t.Helper()
		if err := db.Scope(g.Admin).InTx(t.Context(), fn); err != nil {
			t.Fatal(err)
		}
	}
	var teams []insights.Team
	in(func(tx pgx.Tx) (err error) { teams, err = insights.Teams(t.Context(), tx); return err })
	// Dept 0, Team 0-0, Team 0-1, Dept 1, Team 1-0, Team 1-1.
	dept0, team00, team01, dept1 := teams[0], teams[1], teams[2], teams[3]
	unassigned := g.Managers[len(g.Managers)-1].UserID
	in(func(tx pgx.Tx) error {
		if err := insights.SetTeam(t.Context(), tx, g.Org, team00.Managers[0].ID, &team01.ID); err != nil {
			return err
		}
		if _, err := insights.UpdateTeam(t.Context(), tx, g.Org, team01.ID, team01.Name, &dept1.ID); err != nil {
			return err
		}
		if err := insights.SetTeam(t.Context(), tx, g.Org, unassigned, &dept0.ID); err != nil {
			return err
		}
		for _, m := range team00.Managers[1:] {
			if err := insights.SetTeam(t.Context(), tx, g.Org, m.ID, &dept0.ID); err != nil {
				return err
			}
		}
		return insights.DeleteTeam(t.Context(), tx, team00.ID)
	})
	after := orgReport(t, g.Admin, 3)
	if b, a := mustJSON(t, before.Cells), mustJSON(t, after.Cells); b != a {
		t.Error("structure changes after the first read changed closed months' figures")
	}
	var now []insights.Team
	in(func(tx pgx.Tx) (err error) { now, err = insights.Teams(t.Context(), tx); return err })
	var names []string
	for _, tm := range now {
		names = append(names, fmt.Sprintf("%s(%d)", tm.Name, len(tm.Managers)))
	}
	if got := strings.Join(names, " "); got != "Dept 0(6) Dept 1(3) Team 0-1(4) Team 1-0(3) Team 1-1(3)" {
		t.Errorf("teams now: %s", got)
	}
	archived := 0
	for _, tm := range after.Teams {
		if tm.ArchivedAt != nil {
			archived++
		}
	}
	if archived != 1 {
		t.Errorf("the report lists %d archived teams, want the removed one", archived)
	}
}

func TestTeams(t *testing.T) {
	org := pgtest.NewOrg(t, db)
	admin, _ := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	var mgrs []tenant.Principal
	for i := range 3 {
		p, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
		err := db.Scope(admin).InTx(t.Context(), func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), `UPDATE users SET email = $2 WHERE id = $1`, p.UserID, fmt.Sprintf("m%d@example.com", i))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		mgrs = append(mgrs, p)
	}
	in := func(fn func(tx pgx.Tx) error) error { return db.Scope(admin).InTx(t.Context(), fn) }

	csv := "team,manager_email\nSales / East,m0@example.com\nSales/West,M1@example.com\nSales,\nEngineering,m2@example.com\n"
	var res insights.ImportResult
	if err := in(func(tx pgx.Tx) (err error) {
		res, err = insights.Import(t.Context(), tx, org, strings.NewReader(csv))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if res.TeamsCreated != 4 || res.ManagersAssigned != 3 {
		t.Errorf("import: %+v, want 4 teams and 3 managers", res)
	}
	// Again: nothing new.
	if err := in(func(tx pgx.Tx) (err error) {
		res, err = insights.Import(t.Context(), tx, org, strings.NewReader(csv))
		return err
	}); err != nil || res.TeamsCreated != 0 {
		t.Errorf("second import: %+v, %v", res, err)
	}
	var teams []insights.Team
	if err := in(func(tx pgx.Tx) (err error) { teams, err = insights.Teams(t.Context(), tx); return err }); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tm := range teams {
		names = append(names, fmt.Sprintf("%s(%d)", tm.Name, len(tm.Managers)))
	}
	if got := strings.Join(names, " "); got != "Engineering(1) Sales(0) East(1) West(1)" {
		t.Errorf("teams: %s", got)
	}

	tests := []struct {
		name string
		csv  string
		want string
	}{
		{"unknown email", "Sales,nobody@example.com\n", "line 1: no active user"},
		{"twice", "A,m0@example.com\nB,m0@example.com\n", "line 2: m0@example.com is already on line 1"},
		{"not a manager", "A,admin@example.com\n", "not a manager"},
		{"empty name", "Sales//East,\n", "line 1: team name"},
		{"three fields", "A,b,c\n", "want two fields"},
	}
	if err := in(func(tx pgx.Tx) error {
		_, err := tx.Exec(t.Context(), `UPDATE users SET email = 'admin@example.com' WHERE id = $1`, admin.UserID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		err := in(func(tx pgx.Tx) error {
			_, err := insights.Import(t.Context(), tx, org, strings.NewReader(tc.csv))
			return err
		})
		if !errors.Is(err, insights.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}

	sales := teams[1]
	east := teams[2]
	err := in(func(tx pgx.Tx) error {
		_, err := insights.UpdateTeam(t.Context(), tx, org, sales.ID, "Sales", &east.ID)
		return err
	})
	if !errors.Is(err, insights.ErrInvalid) {
		t.Errorf("moving a team under its own team: %v, want invalid", err)
	}
	if err := in(func(tx pgx.Tx) error { return insights.DeleteTeam(t.Context(), tx, sales.ID) }); !errors.Is(err, insights.ErrConflict) {
		t.Errorf("deleting a team with teams under it: %v, want conflict", err)
	}
	if err := in(func(tx pgx.Tx) error { return insights.DeleteTeam(t.Context(), tx, east.ID) }); !errors.Is(err, insights.ErrConflict) {
		t.Errorf("deleting a team with a manager: %v, want conflict", err)
	}
	err = in(func(tx pgx.Tx) error {
		if err := insights.SetTeam(t.Context(), tx, org, mgrs[0].UserID, nil); err != nil {
			return err
		}
		return insights.DeleteTeam(t.Context(), tx, east.ID)
	})
	if err != nil {
		t.Errorf("deleting an empty team: %v", err)
	}
	if err := in(func(tx pgx.Tx) error {
		_, err := insights.CreateTeam(t.Context(), tx, org, "West", &sales.ID)
		return err
	}); !errors.Is(err, insights.ErrConflict) {
		t.Errorf("a second West under Sales: %v, want conflict", err)
	}
}

// TestLateEditsReachTheFigures: the months computed once are recomputed
// after a write that touches them (a 1on1 added to a closed month, a
// member erased), and not kept stale.
func TestLateEditsReachTheFigures(t *testing.T) {
	g := generate(t, db, spec{Departments: 1, TeamsEach: 0, Managers: [2]int{4, 4}, MembersEach: [2]int{3, 3}, Months: 2, Seed: 5})
	held := func() float64 {
		r := orgReport(t, g.Admin, 2)
		for _, c := range r.Cells {
			if c.TeamID == nil && c.Family == insights.FamilySessions && c.Month == r.Months[1] {
				return c.Figures["held"]
			}
		}
		t.Fatal("no organization cell for last month")
		return 0
	}
	before := held()
	m := g.Managers[0]
	lastMonth := time.Now().UTC().AddDate(0, -1, 0)
	var member uuid.UUID
	err := db.Scope(m).InTx(t.Context(), func(tx pgx.Tx) error {
		if err := tx.QueryRow(t.Context(), `SELECT id FROM members ORDER BY id LIMIT 1`).Scan(&member); err != nil {
			return err
		}
		_, err := tx.Exec(t.Context(), `INSERT INTO sessions (org_id, id, member_id, manager_id, status, held_at)
			VALUES ($1, gen_random_uuid(), $2, $3, 'held', date_trunc('month', $4::timestamptz) + interval '5 days')`, m.OrgID, member, m.UserID, lastMonth)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := held(); got != before+1 {
		t.Errorf("after a 1on1 was added to last month, held = %v, want %v", got, before+1)
	}
	var n int
	err = db.Scope(m).InTx(t.Context(), func(tx pgx.Tx) error {
		if err := tx.QueryRow(t.Context(), `SELECT count(*) FROM sessions WHERE member_id = $1 AND status = 'held'
			AND date_trunc('month', held_at) = date_trunc('month', $2::timestamptz)`, member, lastMonth).Scan(&n); err != nil {
			return err
		}
		_, err := tx.Exec(t.Context(), `DELETE FROM members WHERE id = $1`, member)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := held(); got != before+1-float64(n) {
		t.Errorf("after erasing a member with %d 1on1s last month, held = %v, want %v", n, got, before+1-float64(n))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
