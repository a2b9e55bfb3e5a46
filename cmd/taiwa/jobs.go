package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api"
	"github.com/taiwa-coach/taiwa/api/jobs"
	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/notify"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// lexicalIndexEvery is how often the server brings the lexical
// nearest-neighbour index up to date with what imports and saves added.
const lexicalIndexEvery = 5 * time.Minute

// backfillEvery is how often vectors missing for the embedding model are
// looked for (saves whose embedding call failed, notes whose job was lost).
const backfillEvery = 15 * time.Minute

// notesRetry is how long a job for a member whose notes another job is
// embedding waits before it looks again.
const notesRetry = 5 * time.Second

// staleNotesBatch bounds how many members one backfill enqueues.
const staleNotesBatch = 500

// remindEvery is how often due reminders are looked for.
const remindEvery = time.Minute

// remindBatch bounds how many reminders one sweep enqueues.
const remindBatch = 1000

// jobDeps is what the server's jobs work with.
type jobDeps struct {
	logger   *slog.Logger
	db       *tenant.DB
	kb       *knowledge.Base
	hist     *history.Store
	embed    history.Embedder // nil: no embedding model
	coach    *assistant.Coach
	notifier *notify.Notifier
}

// newJobs registers the server's jobs. Periodic ones are enqueued by one
// process of those sharing the database (River's elected leader).
func newJobs(d jobDeps, opts ...jobs.Option) *jobs.Runner {
	r := jobs.New(d.db, d.logger, opts...)
	jobs.Add(r, d.lexicalIndex)
	jobs.Add(r, func(ctx context.Context, s tenant.Scope, a jobs.EmbedNotes) error {
		if d.embed == nil {
			return nil
		}
		_, err := d.hist.EmbedSessions(ctx, s, d.embed, a.Member)
		if errors.Is(err, history.ErrEmbedBusy) {
			return jobs.Later(notesRetry)
		}
		return err
	})
	jobs.Add(r, func(ctx context.Context, s tenant.Scope, _ jobs.EmbedBackfill) error {
		return d.backfill(ctx, s, r)
	})
	jobs.Add(r, func(ctx context.Context, s tenant.Scope, _ jobs.RemindScan) error { return d.remindScan(ctx, s, r) })
	jobs.Add(r, func(ctx context.Context, s tenant.Scope, a jobs.Remind) error {
		return d.notifier.Remind(ctx, s, notify.Due{Org: a.Org, Manager: a.Manager, Session: a.Session, Kind: a.Reminder})
	})
	jobs.Add(r, api.SlackPrepWork(d.coach, d.notifier))
	r.Every(lexicalIndexEvery, jobs.LexicalIndex{})
	r.Every(remindEvery, jobs.RemindScan{})
	if d.embed != nil {
		r.Every(backfillEvery, jobs.EmbedBackfill{})
	}
	return r
}

func (d jobDeps) lexicalIndex(ctx context.Context, s tenant.Scope, _ jobs.LexicalIndex) error {
	n, err := d.kb.IndexLexical(ctx, s)
	if err != nil {
		return err
	}
	if n > 0 {
		d.logger.InfoContext(ctx, "lexical index updated", slog.Int("chunks", n))
	}
	return nil
}

// backfill embeds every chunk, in every organization, that lacks a vector
// of the model, makes sure the model's vector index exists, and enqueues a
// job per member whose notes lack current vectors (each in their manager's
// scope).
func (d jobDeps) backfill(ctx context.Context, s tenant.Scope, r *jobs.Runner) error {
	model := d.embed.Model()
	n, err := d.kb.EmbedMissing(ctx, s, nil)
	if err != nil {
		return err
	}
	if _, err := d.kb.EnsureIndex(ctx, d.db.Pool); err != nil {
		return err
	}
	if n > 0 {
		d.logger.InfoContext(ctx, "embedding backfill done", slog.String("model", model), slog.Int("chunks", n))
	}
	var owners []history.NotesOwner
	err = s.InTx(ctx, func(tx pgx.Tx) (err error) {
		owners, err = d.hist.StaleNotes(ctx, tx, model, staleNotesBatch)
		return err
	})
	if err != nil {
		return err
	}
	for _, o := range owners {
		if err := r.Enqueue(ctx, jobs.EmbedNotes{Org: o.Org, Manager: o.Manager, Member: o.Member}); err != nil {
			return err
		}
	}
	return nil
}

// remindScan enqueues a job per reminder due, each in its manager's scope.
func (d jobDeps) remindScan(ctx context.Context, s tenant.Scope, r *jobs.Runner) error {
	var due []notify.Due
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		due, err = notify.DueReminders(ctx, tx, time.Now(), remindBatch)
		return err
	})
	if err != nil {
		return err
	}
	for _, x := range due {
		if err := r.Enqueue(ctx, jobs.Remind{Org: x.Org, Manager: x.Manager, Session: x.Session, Reminder: x.Kind}); err != nil {
			return err
		}
	}
	return nil
}
