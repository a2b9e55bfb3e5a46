package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// requestLogger logs one line per request: never bodies, tokens or query
// strings (they may carry text a manager typed).
func requestLogger(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := statusOf(c, err)
			// The access log; errorHandler logs server faults with their cause.
			attrs := []slog.Attr{
				slog.String("request_id", requestID(c)),
				slog.String("method", c.Request().Method),
				slog.String("route", routeOf(c)),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.String("client", c.RealIP()),
			}
			if p := principal(c); p.OrgID != uuid.Nil {
				attrs = append(attrs, slog.String("org_id", p.OrgID.String()), slog.String("user_id", p.UserID.String()))
			}
			logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", attrs...)
			return err
		}
	}
}

// routeOf is the route pattern (/api/users/:id), never the raw path, so logs
// and metric labels hold no ids and stay few.
func routeOf(c echo.Context) string {
	if p := c.Path(); p != "" && !strings.HasSuffix(p, "/*") {
		return p
	}
	return "unmatched"
}

// limitInFlight answers 503 with Retry-After at once when max requests are
// already being served. Queueing instead would let a backlog build while the
// database is down, and the server would stay saturated long after it came
// back. Health, readiness and metrics are exempt: they must answer during
// an overload to explain it.
func limitInFlight(max int, m *metrics) echo.MiddlewareFunc {
	slots := make(chan struct{}, max)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch c.Path() {
			case "/healthz", "/readyz", "/metrics":
				return next(c)
			}
			// A slot is for a request whose body has arrived: bodies
			// trickled in slowly would otherwise hold every slot.
			if err := readBody(c); err != nil {
				return err
			}
			select {
			case slots <- struct{}{}:
			default:
				m.rejected.Add(1)
				return errOverloaded
			}
			m.inFlight.Add(1)
			defer func() {
				m.inFlight.Add(-1)
				<-slots
			}()
			return next(c)
		}
	}
}

// bodyTimeout bounds how long a request body may take to arrive.
const bodyTimeout = 15 * time.Second

// readBody reads a request's body into memory before the request takes a
// slot, within bodyTimeout and the 2 MB limit of JSON bodies.
func readBody(c echo.Context) error {
	req := c.Request()
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength == 0 {
		return nil
	}
	// Imports (up to 60 MB, curators only) are streamed as before rather
	// than held in memory before anyone is known.
	if c.Path() == "/api/kb/import" {
		return nil
	}
	const limit = 2 << 20
	if req.ContentLength > limit {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request body is too large")
	}
	rc := http.NewResponseController(c.Response().Writer)
	_ = rc.SetReadDeadline(time.Now().Add(bodyTimeout)) // not every writer supports it (tests)
	body, err := io.ReadAll(io.LimitReader(req.Body, limit+1))
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		return echo.NewHTTPError(http.StatusRequestTimeout, "the request body did not arrive in time")
	}
	if len(body) > limit {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request body is too large")
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}

// requestTimeout bounds each request's context. Streaming handlers replace
// it with their own, longer bound.
func requestTimeout(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if isStream(c) {
				return next(c)
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// isStream reports whether the request asks for server-sent events.
func isStream(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/event-stream")
}
