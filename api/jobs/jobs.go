// Package jobs runs background work durably on PostgreSQL with River: a job
// is a row, so it survives a restart, and several server processes sharing
// one database each take a job with FOR UPDATE SKIP LOCKED, so it runs
// once.
//
// Every job runs under a tenant scope, like a request: its arguments name
// the organization (and the user, for work on a manager's history), and the
// worker gets a tenant.Scope for exactly that. A job whose arguments name
// no organization is cancelled, never run unscoped. The few kinds that
// work across organizations (the operator's sweeps) say so in code, not in
// their stored arguments, so no row can ask for the operator.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

// ErrNoTenant cancels a job whose arguments name no organization.
var ErrNoTenant = errors.New("job names no organization")

// Tenant is who a job acts for. Its zero value runs nothing.
type Tenant struct {
	Org  uuid.UUID
	User uuid.UUID // a manager, for work on their history; zero for organization-wide work

	operator bool
}

// Operator is the tenant of work across organizations. Only a kind's
// Tenant method can return it; stored arguments cannot.
func Operator() Tenant { return Tenant{operator: true} }

// Args are a job's arguments: River's kind plus who the job acts for.
type Args interface {
	river.JobArgs
	Tenant() Tenant
}

// Func does one job's work in the job's scope.
type Func[T Args] func(ctx context.Context, s tenant.Scope, args T) error

// Runner enqueues and works jobs.
type Runner struct {
	db       *tenant.DB
	logger   *slog.Logger
	workers  *river.Workers
	periodic []*river.PeriodicJob
	client   *river.Client[pgx.Tx]
	// Options for tests; zero means River's defaults.
	pollInterval time.Duration
	id           string
}

// Option configures a Runner.
type Option func(*Runner)

// PollEvery sets how often an idle process looks for new jobs. Processes
// are told of new jobs at once (LISTEN/NOTIFY) except on PGlite, which
// only polls.
func PollEvery(d time.Duration) Option { return func(r *Runner) { r.pollInterval = d } }

// ID names this process among the database's job runners (River's client
// id); tests tell two processes apart by it.
func ID(id string) Option { return func(r *Runner) { r.id = id } }

// New returns a runner over db. Register workers (Add) and periodic jobs
// (Every) before Start.
func New(db *tenant.DB, logger *slog.Logger, opts ...Option) *Runner {
	r := &Runner{db: db, logger: logger, workers: river.NewWorkers()}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Add registers fn as the worker of T's kind.
func Add[T Args](r *Runner, fn Func[T]) {
	river.AddWorker(r.workers, &worker[T]{db: r.db, fn: fn})
}

// Every enqueues args every interval, and once when the first process
// starts. Only the processes' elected leader enqueues, so two processes
// do not double a periodic job.
func (r *Runner) Every(interval time.Duration, args Args) {
	r.periodic = append(r.periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return args, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: args.Kind()}))
}

// Start builds the client and starts working jobs until ctx ends or Stop.
// With work false the runner only enqueues (commands that are not the
// server).
func (r *Runner) Start(ctx context.Context, work bool) error {
	cfg := &river.Config{
		Logger:            r.logger,
		ID:                r.id,
		FetchPollInterval: r.pollInterval,
		// PGlite serves every connection from one backend, and the pool has
		// one connection: a LISTEN would hold it for good.
		PollOnly:   r.db.Embedded(),
		JobTimeout: 10 * time.Minute,
	}
	if work {
		cfg.Workers = r.workers
		cfg.PeriodicJobs = r.periodic
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
	}
	c, err := river.NewClient(riverpgxv5.New(r.db.Pool), cfg)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	r.client = c
	if !work {
		return nil
	}
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop lets running jobs finish (until ctx ends, then cancels them). A job
// cut off is taken again by a process after River's rescue period.
func (r *Runner) Stop(ctx context.Context) error {
	if r.client == nil {
		return nil
	}
	if err := r.client.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Enqueue adds a job. A kind that implements InsertOpts (river's
// JobArgsWithInsertOpts) sets its own uniqueness.
func (r *Runner) Enqueue(ctx context.Context, args Args) error {
	if r.client == nil {
		return errors.New("jobs: runner not started")
	}
	if err := checkTenant(args.Tenant()); err != nil {
		return err
	}
	if _, err := r.client.Insert(ctx, args, nil); err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Later is returned by a job's work to run it again after d, without
// counting a failed attempt: the job is waiting on another, not failing.
func Later(d time.Duration) error { return river.JobSnooze(d) }

// EnqueueAt adds a job to run at a given time.
func (r *Runner) EnqueueAt(ctx context.Context, args Args, at time.Time) error {
	if r.client == nil {
		return errors.New("jobs: runner not started")
	}
	if err := checkTenant(args.Tenant()); err != nil {
		return err
	}
	if _, err := r.client.Insert(ctx, args, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

func checkTenant(t Tenant) error {
	if t.operator || t.Org != uuid.Nil {
		return nil
	}
	return ErrNoTenant
}

// worker adapts a Func to River: it resolves the job's scope and refuses
// (cancels) a job that names no organization.
type worker[T Args] struct {
	river.WorkerDefaults[T]
	db *tenant.DB
	fn Func[T]
}

func (w *worker[T]) Work(ctx context.Context, j *river.Job[T]) error {
	s, err := w.scope(j.Args.Tenant())
	if err != nil {
		return river.JobCancel(fmt.Errorf("%s: %w", j.Kind, err))
	}
	return w.fn(ctx, s, j.Args)
}

func (w *worker[T]) scope(t Tenant) (tenant.Scope, error) {
	switch {
	case t.operator:
		return w.db.Operator(), nil
	case t.Org == uuid.Nil:
		return tenant.Scope{}, ErrNoTenant
	case t.User != uuid.Nil:
		return w.db.Scope(tenant.Principal{OrgID: t.Org, UserID: t.User}), nil
	default:
		return w.db.OrgScope(t.Org), nil
	}
}
