package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/taiwa-coach/taiwa/cmd/taiwa/pglite"
)

// runPGlite runs the embedded database on its own: to look at it with psql, or
// to run a command (the test suite) against it.
func runPGlite(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("taiwa pglite", "taiwa pglite [flags] [-- command [args...]]\n\n"+
		"Starts the embedded database of the data directory. With a command, runs it with\n"+
		"DATABASE_URL set and stops the database when it exits (with its exit code);\n"+
		"without one, prints DATABASE_URL and runs until interrupted.", getenv, stderr)
	var dataDir string
	fs.stringVar(&dataDir, "data-dir", "TAIWA_DATA_DIR", "./data", "`directory` for the embedded database and its runtime")
	if err := fs.parse(args); err != nil {
		return err
	}
	logger := newLogger(stderr, "text", "warn")
	srv, err := pglite.Start(ctx, dataDir, logger)
	if err != nil {
		return err
	}
	defer srv.Stop(15 * time.Second)

	if fs.NArg() == 0 {
		fmt.Fprintf(stdout, "DATABASE_URL=%s\n", srv.URL)
		select {
		case <-ctx.Done():
			return nil
		case <-srv.Done():
			return errors.New("the embedded database exited unexpectedly")
		}
	}
	cmd := exec.CommandContext(ctx, fs.Arg(0), fs.Args()[1:]...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+srv.URL)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return &exitError{code: exit.ExitCode(), err: err}
		}
		return err
	}
	return nil
}

// exitError carries a child's exit code through run to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return fmt.Sprintf("%v", e.err) }
func (e *exitError) Unwrap() error { return e.err }
