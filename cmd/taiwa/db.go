package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/cmd/taiwa/pglite"
)

// database is an open database and, on the embedded default, the PGlite
// process behind it.
type database struct {
	*tenant.DB
	embedded *pglite.Server // nil with DATABASE_URL
}

// openDB connects to DATABASE_URL or, without it, to the embedded PGlite of
// the data directory: the one a running 'taiwa serve' already has, or a new
// one this process starts (and Close stops).
func openDB(ctx context.Context, c dbConfig, logger *slog.Logger) (*database, error) {
	url := c.URL
	var emb *pglite.Server
	if url == "" {
		var err error
		emb, err = pglite.Start(ctx, c.DataDir, logger)
		switch {
		case errors.Is(err, pglite.ErrBusy):
			running, ok := pglite.Running(c.DataDir)
			if !ok {
				return nil, fmt.Errorf("%w, which is not serving yet; try again in a moment", err)
			}
			url = running
		case err != nil:
			return nil, err
		default:
			url = emb.URL
			logger.InfoContext(ctx, "embedded database started", slog.String("data_dir", c.DataDir))
		}
	}
	db, err := tenant.Open(ctx, url, tenant.Options{
		Schema:           c.Schema,
		MaxConns:         int32(c.MaxConns),
		AcquireTimeout:   c.AcquireTimeout,
		StatementTimeout: c.StatementTimeout,
	})
	if err != nil {
		if emb != nil {
			emb.Stop(10 * time.Second)
		}
		return nil, err
	}
	return &database{DB: db, embedded: emb}, nil
}

// Close closes the pool and stops the embedded database if this process
// started it.
func (d *database) Close() error {
	d.DB.Close()
	if d.embedded != nil {
		return d.embedded.Stop(15 * time.Second)
	}
	return nil
}

// embeddedDone is closed if the embedded database this process started
// exits; it is nil (blocks forever) otherwise.
func (d *database) embeddedDone() <-chan struct{} {
	if d.embedded == nil {
		return nil
	}
	return d.embedded.Done()
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, usagef("TAIWA_LOG_LEVEL=%q: want debug, info, warn or error", s)
	}
	return l, nil
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	l, _ := parseLevel(level)
	opts := &slog.HandlerOptions{Level: l}
	if strings.EqualFold(format, "text") {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
