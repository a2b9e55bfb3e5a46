package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

var (
	errIdempotencyMismatch = errors.New("this Idempotency-Key was used with another request")
	errIdempotencyBusy     = errors.New("a request with this Idempotency-Key is still running: try again in a moment")
)

const (
	idempotencyTTL  = 24 * time.Hour
	idempotencyWait = 10 * time.Second // how long a repeat waits for the first to finish
)

// idempotent makes a POST with an Idempotency-Key header happen once per
// user and key: a repeat with the same request gets the first answer again
// (Idempotent-Replayed: true), one with another request 422. A first
// request that fails with 5xx frees its key, so the retry runs. Streams
// are not replayed.
func idempotent(db *tenant.DB) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := c.Request().Header.Get("Idempotency-Key")
			if key == "" || isStream(c) {
				return next(c)
			}
			if len(key) > 200 || !printableKey(key) {
				return invalidf("Idempotency-Key: up to 200 printable characters")
			}
			req := c.Request()
			body, err := io.ReadAll(req.Body) // already in memory (readBody)
			if err != nil {
				return err
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			sum := sha256.Sum256(append([]byte(req.Method+" "+req.URL.Path+"\n"), body...))
			scope := db.Scope(principal(c))
			ctx := req.Context()

			claimed, err := claimKey(ctx, scope, principal(c), key, sum[:])
			if err != nil {
				return err
			}
			if !claimed {
				return replay(c, scope, key, sum[:])
			}
			rec := &recorder{ResponseWriter: c.Response().Writer}
			c.Response().Writer = rec
			if err := next(c); err != nil {
				c.Error(err) // written now, so that it is recorded
			}
			status := c.Response().Status
			// The answer is kept even if the client went away meanwhile.
			keep := context.WithoutCancel(ctx)
			return scope.InTx(keep, func(tx pgx.Tx) error {
				if status >= http.StatusInternalServerError {
					_, err := tx.Exec(keep, `DELETE FROM idempotency_keys WHERE key = $1`, key)
					return err
				}
				_, err := tx.Exec(keep, `UPDATE idempotency_keys SET status = $2, content_type = $3, body = $4 WHERE key = $1`,
					key, status, c.Response().Header().Get(echo.HeaderContentType), rec.body.Bytes())
				return err
			})
		}
	}
}

// claimKey records the key as running, or reports it was already there.
func claimKey(ctx context.Context, scope tenant.Scope, p tenant.Principal, key string, sum []byte) (bool, error) {
	var claimed bool
	err := scope.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)`, idempotencyTTL.Seconds()); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (org_id, user_id, key, request_hash) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, p.OrgID, p.UserID, key, sum)
		claimed = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("idempotency key: %w", err)
	}
	return claimed, nil
}

// replay answers a repeat: the first answer once it is in.
func replay(c echo.Context, scope tenant.Scope, key string, sum []byte) error {
	ctx := c.Request().Context()
	deadline := time.Now().Add(idempotencyWait)
	for {
		var (
			hash, body []byte
			status     int
			ct         string
		)
		err := scope.InTx(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE key = $1`, key).
				Scan(&hash, &status, &ct, &body)
		})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return errIdempotencyBusy // the first one failed and freed it
		case err != nil:
			return err
		case !bytes.Equal(hash, sum):
			return errIdempotencyMismatch
		case status != 0:
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(status, ct, body)
		case time.Now().After(deadline):
			c.Response().Header().Set("Retry-After", "1")
			return errIdempotencyBusy
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func printableKey(k string) bool {
	for _, r := range k {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

// recorder keeps a copy of what a handler writes.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
