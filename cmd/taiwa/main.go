// Command taiwa serves the Taiwa 1on1 coaching API and web UI, migrates its
// database and administers organizations, users and tokens.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return
	}
	fmt.Fprintln(os.Stderr, "taiwa:", err)
	var xerr *exitError
	if errors.As(err, &xerr) && xerr.code > 0 {
		os.Exit(xerr.code)
	}
	var uerr *usageError
	if errors.As(err, &uerr) {
		os.Exit(2) // bad flag or environment: the operator's to fix, as with package flag
	}
	os.Exit(1)
}
