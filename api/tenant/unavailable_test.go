package tenant

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestUnavailable: what a database going away looks like is answered 503
// (ErrUnavailable), and a fault of the statement itself is not.
func TestUnavailable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01"}, true},                  // admin_shutdown
		{&pgconn.PgError{Code: "08006"}, true},                  // connection_failure
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},     // socket closed mid-message
		{fmt.Errorf("receive message: %w", io.EOF), true},       // socket closed between messages
		{fmt.Errorf("acquire: %w", pgconn.ErrConnClosed), true}, // a connection already closed
		{&pgconn.PgError{Code: "23505"}, false},                 // unique_violation
		{&pgconn.PgError{Code: "42P01"}, false},                 // undefined_table: a bug, a 500
		{errors.New("cannot marshal this"), false},
	}
	for _, c := range cases {
		if got := errors.Is(unavailable(c.err), ErrUnavailable); got != c.want {
			t.Errorf("unavailable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
