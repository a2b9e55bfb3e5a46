package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// run is the whole program. main only adapts it to the process, so tests
// can call run with their own arguments, environment and writers.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(args) == 0 {
		return usagef("missing command (try 'taiwa help')")
	}
	switch cmd, args := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "admin":
		return admin(ctx, args, getenv, stdout, stderr)
	case "kb":
		return runKB(ctx, args, getenv, stdout, stderr)
	case "pglite":
		return runPGlite(ctx, args, getenv, stdout, stderr)
	case "version":
		_, err := fmt.Fprintln(stdout, version())
		return err
	case "help", "-h", "-help", "--help":
		return help(args, getenv, stdout)
	default:
		return usagef("unknown command %q (try 'taiwa help')", cmd)
	}
}

const helpText = `Taiwa coaches managers around their 1on1 meetings.

Usage:

	taiwa <command> [flags]

Commands:

	serve     run the HTTP API and web UI
	migrate   apply database migrations (or show their status)
	admin     manage organizations, users and API tokens
	kb        import guidance into the knowledge base, re-embed it
	pglite    run the embedded database, or a command against it
	version   print the version
	help      show this help, or a command's with 'taiwa help <command>'

Every flag can also be set from the environment; 'taiwa <command> -h' lists
the flags of a command with the variable each one reads.
Without DATABASE_URL, Taiwa runs on an embedded PostgreSQL (PGlite, with
pgvector) stored under TAIWA_DATA_DIR; it needs Node.js 18 or later.
`

func help(args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		_, err := io.WriteString(stdout, helpText)
		return err
	}
	// 'taiwa help serve' is 'taiwa serve -h', printed to stdout.
	return run(context.Background(), []string{args[0], "-h"}, getenv, stdout, stdout)
}
