package api

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// requestLogger logs one line per request: never bodies, tokens or query
// strings (they may carry text a manager typed).
func requestLogger(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil {
				status, _, _ = classify(err)
			}
			// The access log; errorHandler logs server faults with their cause.
			logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("request_id", requestID(c)),
				slog.String("method", c.Request().Method),
				slog.String("route", routeOf(c)),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
			)
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
