package insights_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// spec describes a generated organization.
type spec struct {
	Departments, TeamsEach int // a two-level tree
	Managers               [2]int
	MembersEach            [2]int // per manager, inclusive range
	Months                 int
	Unassigned             int // managers in no team
	Moved                  int // managers moved to another team mid-way
	Seed                   uint64
}

// atom is one 1on1 or action or feedback as the figures count it, with
// where it belongs: the ground truth the adversary works from.
type atom struct {
	Month         string
	Family, Slice string
	Team          uuid.UUID // uuid.Nil: no team
	Manager       uuid.UUID
	Member        uuid.UUID
}

type generated struct {
	Org      uuid.UUID
	Admin    tenant.Principal
	Managers []tenant.Principal
	Parent   map[uuid.UUID]uuid.UUID // team -> parent (uuid.Nil: top)
	Atoms    []atom
}

var styles = []string{"listen", "advise", "think-together", "encourage", "decide", "report"}
var topics = []string{"career", "workload", "feedback", "growth", "team", "health"}

// generate builds an organization and its history, in SQL as the operator
// (history is private to each manager, so nothing else could write it).
func generate(t testing.TB, db *pgtest.DB, sp spec) generated {
	t.Helper()
	ctx := t.Context()
	r := rand.New(rand.NewPCG(sp.Seed, 7))
	g := generated{Org: pgtest.NewOrg(t, db), Parent: map[uuid.UUID]uuid.UUID{}}
	g.Admin, _ = pgtest.NewUser(t, db, g.Org, tenant.RoleAdmin)
	now := time.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	start := thisMonth.AddDate(0, -sp.Months, 0)

	var teams []uuid.UUID
	var tIDs, tParents []uuid.UUID
	var tNames []string
	var tHasParent []bool
	for d := range sp.Departments {
		dep := uuid.New()
		tIDs, tParents, tNames, tHasParent = append(tIDs, dep), append(tParents, uuid.Nil), append(tNames, fmt.Sprintf("Dept %d", d)), append(tHasParent, false)
		g.Parent[dep] = uuid.Nil
		teams = append(teams, dep)
		for i := range sp.TeamsEach {
			tm := uuid.New()
			tIDs, tParents, tNames, tHasParent = append(tIDs, tm), append(tParents, dep), append(tNames, fmt.Sprintf("Team %d-%d", d, i)), append(tHasParent, true)
			g.Parent[tm] = dep
			teams = append(teams, tm)
		}
	}

	type membership struct {
		user, team uuid.UUID
		from, to   time.Time // zero from: -infinity; zero to: current
	}
	var ms []membership
	teamAt := map[uuid.UUID][]membership{}
	var mgrs []uuid.UUID
	addManager := func(team uuid.UUID) {
		p, _ := pgtest.NewUser(t, db, g.Org, tenant.RoleManager)
		g.Managers = append(g.Managers, p)
		mgrs = append(mgrs, p.UserID)
		if team != uuid.Nil {
			m := membership{user: p.UserID, team: team}
			ms = append(ms, m)
			teamAt[p.UserID] = []membership{m}
		}
	}
	for _, tm := range teams {
		for range sp.Managers[0] + r.IntN(sp.Managers[1]-sp.Managers[0]+1) {
			addManager(tm)
		}
	}
	for range sp.Unassigned {
		addManager(uuid.Nil)
	}
	// Moves: the first Moved managers go to another team half way.
	half := start.AddDate(0, sp.Months/2, 3)
	for i := range sp.Moved {
		u := mgrs[i]
		old := teamAt[u][0]
		to := teams[(r.IntN(len(teams)-1)+1+slices.Index(teams, old.team))%len(teams)]
		for j := range ms {
			if ms[j].user == u {
				ms[j].to = half
			}
		}
		m := membership{user: u, team: to, from: half}
		ms = append(ms, m)
		teamAt[u] = []membership{{user: u, team: old.team, to: half}, m}
	}
	teamOf := func(u uuid.UUID, at time.Time) uuid.UUID {
		for _, m := range teamAt[u] {
			if (m.from.IsZero() || !at.Before(m.from)) && (m.to.IsZero() || at.Before(m.to)) {
				return m.team
			}
		}
		return uuid.Nil
	}

	// History, in columns for one INSERT ... SELECT unnest per table.
	type session struct {
		id, member, manager uuid.UUID
		status              string
		at                  time.Time
		style               *string
		condition           *int
		topics              []string
		feedback            bool
		satisfaction        int
		matched             string
		reflected           bool
	}
	var (
		members  [][3]uuid.UUID // id, manager, -
		sessions []session
	)
	type action struct {
		id, member, manager uuid.UUID
		created             time.Time
		closed              *time.Time
	}
	var actions []action
	monthOf := func(t time.Time) string { return t.Format("2006-01") }
	for _, mgr := range mgrs {
		for range sp.MembersEach[0] + r.IntN(sp.MembersEach[1]-sp.MembersEach[0]+1) {
			mem := uuid.New()
			members = append(members, [3]uuid.UUID{mem, mgr})
			// Every two weeks or so, from a random start.
			for at := start.Add(time.Duration(r.IntN(20*24)) * time.Hour); at.Before(thisMonth); at = at.Add(time.Duration(10+r.IntN(10)) * 24 * time.Hour) {
				s := session{id: uuid.New(), member: mem, manager: mgr, at: at, status: "held"}
				switch x := r.IntN(20); {
				case x == 0:
					s.status = "cancelled"
				case x == 1:
					s.status = "skipped"
				case x == 2:
					s.status = "scheduled"
				}
				if r.IntN(10) < 7 {
					st := styles[r.IntN(len(styles))]
					s.style = &st
				}
				if r.IntN(10) < 8 {
					c := 1 + r.IntN(5)
					s.condition = &c
				}
				for _, tp := range topics {
					if r.IntN(6) == 0 {
						s.topics = append(s.topics, tp)
					}
				}
				if s.topics == nil {
					s.topics = []string{}
				}
				if s.status == "held" && r.IntN(10) < 4 {
					s.feedback, s.satisfaction, s.matched = true, 1+r.IntN(5), []string{"yes", "partly", "no"}[r.IntN(3)]
				}
				s.reflected = s.status == "held" && r.IntN(2) == 0
				sessions = append(sessions, s)
				// A manager's month counts for the team they were in when it began.
				team := teamOf(mgr, time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, time.UTC))
				add := func(family, slice string) {
					g.Atoms = append(g.Atoms, atom{monthOf(at), family, slice, team, mgr, mem})
				}
				add("sessions", "")
				if s.status == "held" {
					if s.condition != nil {
						add("condition", "")
					}
					if s.style != nil {
						add("style", *s.style)
					}
					for _, tp := range s.topics {
						add("topic", tp)
					}
				}
				if s.feedback {
					slice := "none"
					if s.style != nil {
						slice = *s.style
					}
					add("feedback", slice)
				}
				if s.status == "held" && r.IntN(2) == 0 {
					a := action{id: uuid.New(), member: mem, manager: mgr, created: at}
					if r.IntN(3) > 0 {
						c := at.Add(time.Duration(1+r.IntN(60*24)) * time.Hour)
						a.closed = &c
						if c.Before(thisMonth) {
							g.Atoms = append(g.Atoms, atom{monthOf(c), "actions_closed", "", teamOf(mgr, time.Date(c.Year(), c.Month(), 1, 0, 0, 0, 0, time.UTC)), mgr, mem})
						}
					}
					actions = append(actions, a)
					// Open at the end of each month from its creation on.
					for m := time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(thisMonth); m = m.AddDate(0, 1, 0) {
						end := m.AddDate(0, 1, 0)
						if a.created.Before(end) && (a.closed == nil || !a.closed.Before(end)) {
							g.Atoms = append(g.Atoms, atom{monthOf(m), "actions", "", teamOf(mgr, m), mgr, mem})
						}
					}
				}
			}
		}
	}

	err := db.Operator().InTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO teams (org_id, id, parent_id, name)
			SELECT $1, id, CASE WHEN has THEN parent END, name FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::bool[]) AS x(id, parent, name, has)`,
			g.Org, tIDs, tParents, tNames, tHasParent)
		b.Queue(`INSERT INTO team_links (org_id, team_id, parent_id, valid_from)
			SELECT $1, id, CASE WHEN has THEN parent END, '-infinity' FROM unnest($2::uuid[], $3::uuid[], $4::bool[]) AS x(id, parent, has)`,
			g.Org, tIDs, tParents, tHasParent)
		var mu, mt []uuid.UUID
		var mf, mto []*time.Time
		for _, m := range ms {
			mu, mt = append(mu, m.user), append(mt, m.team)
			mf, mto = append(mf, timePtr(m.from)), append(mto, timePtr(m.to))
		}
		b.Queue(`INSERT INTO team_memberships (org_id, user_id, team_id, valid_from, valid_to)
			SELECT $1, u, t, coalesce(f, '-infinity'), e FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[]) AS x(u, t, f, e)`,
			g.Org, mu, mt, mf, mto)
		var memID, memMgr []uuid.UUID
		for _, m := range members {
			memID, memMgr = append(memID, m[0]), append(memMgr, m[1])
		}
		b.Queue(`INSERT INTO members (org_id, id, manager_id, alias)
			SELECT $1, id, mgr, 'M' || n FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS x(id, mgr, n)`, g.Org, memID, memMgr)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		for chunk := range slices.Chunk(sessions, 5000) {
			var (
				id, mem, mgr []uuid.UUID
				status       []string
				at           []time.Time
				style        []*string
				cond         []*int
				tps          []string
				fb           []bool
				sat          []int
				matched      []string
				refl         []bool
			)
			for _, s := range chunk {
				id, mem, mgr = append(id, s.id), append(mem, s.member), append(mgr, s.manager)
				status, at, style, cond = append(status, s.status), append(at, s.at), append(style, s.style), append(cond, s.condition)
				tps = append(tps, "{"+strings.Join(s.topics, ",")+"}")
				fb, sat, matched, refl = append(fb, s.feedback), append(sat, s.satisfaction), append(matched, s.matched), append(refl, s.reflected)
			}
			b := &pgx.Batch{}
			b.Queue(`INSERT INTO sessions (org_id, id, member_id, manager_id, status, scheduled_at, held_at, request_style, condition, request_topics)
				SELECT $1, id, mem, mgr, st, at, CASE WHEN st = 'held' THEN at END, sty, cond, tps::text[]
				FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::text[], $8::int[], $9::text[])
				AS x(id, mem, mgr, st, at, sty, cond, tps)`, g.Org, id, mem, mgr, status, at, style, cond, tps)
			b.Queue(`INSERT INTO session_feedback (org_id, session_id, member_id, manager_id, satisfaction, matched)
				SELECT $1, id, mem, mgr, sat, m FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bool[], $6::int[], $7::text[])
				AS x(id, mem, mgr, fb, sat, m) WHERE fb`, g.Org, id, mem, mgr, fb, sat, matched)
			b.Queue(`INSERT INTO session_reflections (org_id, id, session_id, member_id, manager_id, position, prompt, answer)
				SELECT $1, gen_random_uuid(), id, mem, mgr, 1, 'What went well?', 'enough' FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bool[])
				AS x(id, mem, mgr, refl) WHERE refl`, g.Org, id, mem, mgr, refl)
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
		}
		var aid, amem, amgr []uuid.UUID
		var acr []time.Time
		var acl []*time.Time
		for _, a := range actions {
			aid, amem, amgr, acr, acl = append(aid, a.id), append(amem, a.member), append(amgr, a.manager), append(acr, a.created), append(acl, a.closed)
		}
		_, err := tx.Exec(ctx, `INSERT INTO actions (org_id, id, member_id, manager_id, text, owner, status, created_at, closed_at)
			SELECT $1, id, mem, mgr, 'follow up', 'member', CASE WHEN cl IS NULL THEN 'open' ELSE 'done' END, cr, cl
			FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[]) AS x(id, mem, mgr, cr, cl)`,
			g.Org, aid, amem, amgr, acr, acl)
		return err
	})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return g
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
