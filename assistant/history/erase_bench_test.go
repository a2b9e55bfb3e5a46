package history_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// BenchmarkEraseMember erases members with 100 sessions each (and an
// action and a reflection per session) from an organization of 1M
// sessions: 100 managers, 100 members each. Each op is one erasure, in
// the manager's scope as the API runs it. Seeding takes a minute or two:
//
//	go test -run NONE -bench EraseMember -benchtime 20x ./assistant/history/
func BenchmarkEraseMember(b *testing.B) {
	const managers, membersEach, sessionsEach = 100, 100, 100
	h := newStore(b)
	org := pgtest.NewOrg(b, db)
	ctx := b.Context()
	var ps []tenant.Principal
	for range managers {
		p, _ := pgtest.NewUser(b, db, org, tenant.RoleManager)
		ps = append(ps, p)
	}
	start := time.Now()
	err := db.Operator().InTx(ctx, func(tx pgx.Tx) error {
		for _, p := range ps {
			_, err := tx.Exec(ctx, `
				WITH m AS (
					INSERT INTO members (org_id, id, manager_id, alias)
					SELECT $1, gen_random_uuid(), $2, 'M' || i FROM generate_series(1, $3::int) i
					RETURNING id),
				s AS (
					INSERT INTO sessions (org_id, id, member_id, manager_id, status, held_at, notes)
					SELECT $1, gen_random_uuid(), m.id, $2, 'held', now() - j * interval '7 days', 'notes'
					FROM m, generate_series(1, $4::int) j
					RETURNING id, member_id),
				a AS (
					INSERT INTO actions (org_id, id, member_id, manager_id, session_id, text, owner)
					SELECT $1, gen_random_uuid(), s.member_id, $2, s.id, 'follow up', 'member' FROM s)
				INSERT INTO session_reflections (org_id, id, session_id, member_id, manager_id, position, prompt, answer)
				SELECT $1, gen_random_uuid(), s.id, s.member_id, $2, 1, 'What went well?', 'fine' FROM s`,
				org, p.UserID, membersEach, sessionsEach)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		// As autovacuum would have by the time anyone erases (it runs on
		// the fresh rows otherwise, competing with the erasures).
		_, err = db.Pool.Exec(ctx, `VACUUM ANALYZE members, sessions, actions, session_reflections`)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d sessions in %s", managers*membersEach*sessionsEach, time.Since(start).Round(time.Second))

	// Members to erase: the first of each manager's, then the second...
	type victim struct {
		p  tenant.Principal
		id uuid.UUID
	}
	var victims []victim
	for _, p := range ps {
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT id FROM members ORDER BY id LIMIT $1`, max(1, b.N/managers+1))
			ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			for _, id := range ids {
				victims = append(victims, victim{p, id})
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		v := victims[i%managers*(len(victims)/managers)+i/managers]
		err := db.Scope(v.p).InTx(ctx, func(tx pgx.Tx) error {
			e, err := h.EraseMember(ctx, tx, v.id)
			if err == nil && e["sessions"] != sessionsEach {
				b.Errorf("erased %d sessions, want %d", e["sessions"], sessionsEach)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
