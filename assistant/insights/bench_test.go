package insights_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/insights"
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
