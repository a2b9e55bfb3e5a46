package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/llm"
)

// breakerChannel is the PostgreSQL notification channel on which server
// processes sharing a database tell each other of a model breaker that
// opened: a model one process found down is not called by the others
// until the breaker's cooldown ends.
const breakerChannel = "taiwa_breakers"

// breakerNews tells and hears of breaker trips (LISTEN/NOTIFY). The
// embedded database has one server, so there it is not used.
type breakerNews struct {
	db     *tenant.DB
	logger *slog.Logger
}

// newBreakerNews returns the news of db's server processes; nil on the
// embedded database, which serves one.
func newBreakerNews(db *tenant.DB, logger *slog.Logger) *breakerNews {
	if db.Embedded() {
		return nil
	}
	return &breakerNews{db: db, logger: logger}
}

// onTrip is the llm.Config.OnTrip that tells the others (nil for none).
func (n *breakerNews) onTrip() func(model, kind string, until time.Time) {
	if n == nil {
		return nil
	}
	return n.tell
}

// start listens in the background (bg) for trips to apply to ep's
// breakers, until ctx ends.
func (n *breakerNews) start(ctx context.Context, bg *sync.WaitGroup, ep *llm.Endpoint) {
	if n == nil || ep == nil {
		return
	}
	bg.Go(func() { n.listen(ctx, ep.Open) })
}

type tripNote struct {
	Model string    `json:"model"`
	Kind  string    `json:"kind"`
	Until time.Time `json:"until"`
}

// tell notifies the other processes of a trip; it does not block (an
// llm.Config.OnTrip).
func (n *breakerNews) tell(model, kind string, until time.Time) {
	payload, err := json.Marshal(tripNote{model, kind, until})
	if err != nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := n.db.Pool.Exec(ctx, `SELECT pg_notify($1, $2)`, breakerChannel, string(payload)); err != nil {
			n.logger.Warn("could not tell other servers of an open model breaker", slog.String("error", err.Error()))
		}
	}()
}

// listen applies the trips other processes tell of until ctx ends,
// listening again after a lost connection.
func (n *breakerNews) listen(ctx context.Context, open func(model, kind string, until time.Time)) {
	for {
		err := n.listenOnce(ctx, open)
		if ctx.Err() != nil {
			return
		}
		n.logger.WarnContext(ctx, "lost the model breaker channel; listening again", slog.String("error", err.Error()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (n *breakerNews) listenOnce(ctx context.Context, open func(model, kind string, until time.Time)) error {
	pc, err := n.db.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// Out of the pool for good: a listening connection must not serve
	// requests, and it is closed when this ends.
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+breakerChannel); err != nil {
		return err
	}
	for {
		note, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var t tripNote
		if json.Unmarshal([]byte(note.Payload), &t) == nil && time.Until(t.Until) > 0 {
			open(t.Model, t.Kind, t.Until)
		}
	}
}
