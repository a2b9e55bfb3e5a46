package main

import (
	"context"
	"fmt"
	"io"

	"github.com/taiwa-coach/taiwa/migrations"
)

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("taiwa migrate", "taiwa migrate [flags]", getenv, stderr)
	var c dbConfig
	c.register(fs)
	status := fs.Bool("status", false, "only print the schema version in the database and the newest one this binary has")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	logger := newLogger(stderr, "text", "warn")
	db, err := openDB(ctx, c, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if !*status {
		n, err := db.Migrate(ctx, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
	}
	cur, latest, err := migrations.Status(ctx, db.Pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d (newest %d)\n", cur, latest)
	return nil
}
