package insights_test

import (
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

// large is the organization the issue sizes the views for: 12 teams in 3
// departments, 60 managers, about 400 members, two years of history.
var large = spec{Departments: 3, TeamsEach: 3, Managers: [2]int{5, 5}, MembersEach: [2]int{6, 8},
	Months: 24, Moved: 6, Seed: 42}

// BenchmarkViews loads the large organization and times each view; it
// prints the load time and each view's p50 and p99 (run on native
// PostgreSQL: go test ./assistant/insights -run '^$' -bench Views).
func BenchmarkViews(b *testing.B) {
	start := time.Now()
	g := generate(b, db, large)
	_, err := db.Pool.Exec(b.Context(), `ANALYZE`)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d managers and %d figure items in %s", len(g.Managers), len(g.Atoms), time.Since(start).Round(time.Millisecond))

	// The first view computes every month; later ones read the months
	// computed and recompute only those a write touched since.
	t0 := time.Now()
	if err := db.Scope(g.Admin).InTx(b.Context(), func(tx pgx.Tx) error { _, err := insights.Org(b.Context(), tx, 24); return err }); err != nil {
		b.Fatal(err)
	}
	b.Logf("first view of 24 months (computes them all): %s", time.Since(t0).Round(time.Millisecond))
	lastMonth := time.Now().UTC().AddDate(0, -1, 0)
	edit := func() error {
		// A manager corrects a 1on1 of last month: that month is recomputed.
		return db.Scope(g.Managers[3]).InTx(b.Context(), func(tx pgx.Tx) error {
			_, err := tx.Exec(b.Context(), `UPDATE sessions SET condition = 1 + (coalesce(condition, 1) % 5)
				WHERE id = (SELECT id FROM sessions WHERE date_trunc('month', held_at) = date_trunc('month', $1::timestamptz) LIMIT 1)`, lastMonth)
			return err
		})
	}

	views := []struct {
		name string
		p    tenant.Principal
		run  func(tx pgx.Tx) error
	}{
		{"organization, 12 months", g.Admin, func(tx pgx.Tx) error { _, err := insights.Org(b.Context(), tx, 12); return err }},
		{"organization, 24 months", g.Admin, func(tx pgx.Tx) error { _, err := insights.Org(b.Context(), tx, 24); return err }},
		{"manager's own, 12 months", g.Managers[7], func(tx pgx.Tx) error { _, err := insights.Mine(b.Context(), tx, 12); return err }},
		{"organization, 12 months, after a late edit", g.Admin, func(tx pgx.Tx) error { _, err := insights.Org(b.Context(), tx, 12); return err }},
	}
	for _, v := range views {
		b.Run(v.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				if strings.HasSuffix(v.name, "edit") {
					b.StopTimer()
					if err := edit(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				t0 := time.Now()
				if err := db.Scope(v.p).InTx(b.Context(), v.run); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			p := func(q float64) time.Duration { return took[min(len(took)-1, int(q*float64(len(took))))] }
			b.ReportMetric(float64(p(0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkGuidanceView times the curators' view over two years of the
// large organization's answers: each member's manager prepared with the
// coach twice a month, each answer given 10 passages of 40 documents and
// citing some, a third of them rated.
func BenchmarkGuidanceView(b *testing.B) {
	g := generate(b, db, large)
	curator, _ := pgtest.NewUser(b, db, g.Org, tenant.RoleCurator)
	var docs, chunks []uuid.UUID
	for range 40 {
		d := uuid.New()
		for range 10 {
			docs, chunks = append(docs, d), append(chunks, uuid.New())
		}
	}
	start := time.Now()
	err := db.Operator().InTx(b.Context(), func(tx pgx.Tx) error {
		_, err := tx.Exec(b.Context(), `
			WITH a AS (
				INSERT INTO coach_answers (org_id, id, manager_id, member_id, kind, mode, answer, created_at)
				SELECT $1, gen_random_uuid(), m.manager_id, m.id, 'prep', 'offline', '{}', now() - random() * interval '730 days'
				FROM members m CROSS JOIN generate_series(1, 48) WHERE m.org_id = $1
				RETURNING id, manager_id, member_id, created_at),
			u AS (
				INSERT INTO guidance_uses (org_id, answer_id, chunk_id, document_id, kind, language, cited, created_at)
				SELECT $1, a.id, p.chunk, p.doc, 'prep', 'ja', random() < 0.4, a.created_at
				FROM a CROSS JOIN LATERAL (
					SELECT x.chunk, x.doc FROM unnest($2::uuid[], $3::uuid[]) AS x(chunk, doc)
					WHERE a.id IS NOT NULL ORDER BY random() LIMIT 10) p)
			INSERT INTO answer_feedback (org_id, answer_id, manager_id, member_id, helpful, comment, created_at)
			SELECT $1, a.id, a.manager_id, a.member_id, random() < 0.7,
			       CASE WHEN random() < 0.2 THEN '問いが多すぎた' ELSE '' END, a.created_at
			FROM a WHERE random() < 0.33`, g.Org, chunks, docs)
		return err
	})
	if err == nil {
		_, err = db.Pool.Exec(b.Context(), `ANALYZE`)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("recorded two years of answers in %s", time.Since(start).Round(time.Millisecond))
	for _, days := range []int{90, 365} {
		b.Run(fmt.Sprintf("%d days", days), func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				err := db.Scope(curator).InTx(b.Context(), func(tx pgx.Tx) error { _, err := insights.Guidance(b.Context(), tx, days); return err })
				if err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[min(len(took)-1, len(took)*99/100)].Microseconds())/1000, "p99-ms")
		})
	}
}
