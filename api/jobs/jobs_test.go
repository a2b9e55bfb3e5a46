package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/jobs"
	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var db *pgtest.DB

func TestMain(m *testing.M) { pgtest.Main(m, &db) }

// probe records, per job, the organization and user its transaction saw.
type probe struct {
	Org  uuid.UUID `json:"org_id"`
	User uuid.UUID `json:"user_id"`
	N    int       `json:"n"`
}

func (probe) Kind() string          { return "test_probe" }
func (p probe) Tenant() jobs.Tenant { return jobs.Tenant{Org: p.Org, User: p.User} }

type seen struct {
	mu   sync.Mutex
	runs map[int][]string // job number → what each run saw ("org/user by runner")
	done chan int
}

func newSeen() *seen { return &seen{runs: map[int][]string{}, done: make(chan int, 1000)} }

func (s *seen) worker(name string) jobs.Func[probe] {
	return func(ctx context.Context, sc tenant.Scope, p probe) error {
		var org, user string
		err := sc.InTx(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT current_setting('taiwa.org_id'), coalesce(current_setting('taiwa.user_id', true), '')`).Scan(&org, &user)
		})
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.runs[p.N] = append(s.runs[p.N], org+"/"+user+" by "+name)
		s.mu.Unlock()
		s.done <- p.N
		return nil
	}
}

func (s *seen) wait(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for range n {
		select {
		case <-s.done:
		case <-timeout:
			t.Fatalf("jobs not run within 60 s")
		}
	}
}

func runner(t *testing.T, name string, s *seen) *jobs.Runner {
	t.Helper()
	r := jobs.New(db.DB, slog.New(slog.DiscardHandler), jobs.PollEvery(100*time.Millisecond), jobs.ID(name))
	jobs.Add(r, s.worker(name))
	if err := r.Start(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	return r
}

func stop(t *testing.T, r *jobs.Runner) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 10*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Error(err)
	}
}

func TestJobsRunScopedAndOnce(t *testing.T) {
	org := pgtest.NewOrg(t, db)
	mgr, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	s := newSeen()
	a, b := runner(t, "a", s), runner(t, "b", s)
	defer stop(t, a)
	defer stop(t, b)

	const n = 40
	for i := range n {
		p := probe{Org: org, N: i}
		if i%2 == 1 {
			p.User = mgr.UserID
		}
		if err := a.Enqueue(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	}
	s.wait(t, n)
	time.Sleep(300 * time.Millisecond) // a second run, if any, would show here
	s.mu.Lock()
	defer s.mu.Unlock()
	byRunner := map[string]int{}
	for i := range n {
		runs := s.runs[i]
		if len(runs) != 1 {
			t.Fatalf("job %d ran %d times: %v", i, len(runs), runs)
		}
		want := org.String() + "/"
		if i%2 == 1 {
			want += mgr.UserID.String()
		}
		if got := runs[0][:len(want)]; got != want || (i%2 == 0 && runs[0][len(want)] != ' ') {
			t.Errorf("job %d ran as %q, want %q", i, runs[0], want)
		}
		byRunner[runs[0][len(runs[0])-1:]]++
	}
	t.Logf("jobs by runner: %v", byRunner)
}

func TestJobWithoutTenantIsRefused(t *testing.T) {
	s := newSeen()
	r := runner(t, "c", s)
	defer stop(t, r)
	if err := r.Enqueue(t.Context(), probe{N: 1}); !errors.Is(err, jobs.ErrNoTenant) {
		t.Fatalf("enqueue without an organization: %v, want ErrNoTenant", err)
	}
	// A row written behind the runner's back (no org in its arguments) is
	// cancelled, never worked unscoped.
	var id int64
	err := db.Pool.QueryRow(t.Context(), `INSERT INTO river_job (args, kind, max_attempts, queue, state, scheduled_at)
		VALUES ('{"n": 2}', 'test_probe', 5, 'default', 'available', now()) RETURNING id`).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var state string
		if err := db.Pool.QueryRow(t.Context(), `SELECT state FROM river_job WHERE id = $1`, id).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state == "cancelled" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job state %q after 30 s, want cancelled", state)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.runs[2]) != 0 {
		t.Errorf("a job without an organization ran: %v", s.runs[2])
	}
}

func TestJobSurvivesRestart(t *testing.T) {
	org := pgtest.NewOrg(t, db)
	s := newSeen()
	first := runner(t, "first", s)
	// Due in a moment: the first runner stops before it is due.
	if err := first.EnqueueAt(t.Context(), probe{Org: org, N: 7}, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	stop(t, first)
	second := runner(t, "second", s)
	defer stop(t, second)
	s.wait(t, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if runs := s.runs[7]; len(runs) != 1 || runs[0][len(runs[0])-6:] != "second" {
		t.Errorf("runs of the job: %v, want one, by the second runner", runs)
	}
}
