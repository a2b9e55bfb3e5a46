// Package api is Taiwa's HTTP surface: the JSON API, its OpenAPI document,
// health and metrics endpoints, and the web UI. Echo never leaves this
// package.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/taiwa-coach/taiwa/api/jobs"
	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/notify"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// Deps is everything the API needs. Every field is required unless its
// comment says otherwise.
type Deps struct {
	Logger *slog.Logger
	DB     *tenant.DB
	// Knowledge is the curated guidance.
	Knowledge *knowledge.Base
	// History is the managers' anonymized session history.
	History *history.Store
	// Coach writes prep plans, reflection prompts and chat answers.
	Coach *assistant.Coach
	// Models, when a model is configured, is what its calls did, for
	// /metrics.
	Models *llm.Meter
	// UI serves the browser UI's pages and assets (optional).
	UI http.Handler
	// Ready reports whether the server can answer requests: the database
	// answers and its schema is current.
	Ready func(ctx context.Context) error
	// MaxInFlight caps requests served at once; beyond it the server
	// answers 503 with Retry-After at once instead of queueing, so it
	// recovers within seconds when the database comes back.
	MaxInFlight int
	// RequestTimeout bounds a non-streaming request (default 60s).
	RequestTimeout time.Duration
	// KeepAlive is how long a stream may stay quiet before a comment goes
	// out to keep proxies from closing it (default 5s).
	KeepAlive time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (optional). Without them the client is the peer address:
	// a header anyone can send must not decide the address in the audit
	// trail.
	TrustedProxies []netip.Prefix
	// Jobs enqueues background work (api/jobs). EmbedNotes says whether
	// saved notes are embedded (an embedding model is configured).
	Jobs       Enqueuer
	EmbedNotes bool
	// Notifier builds calendar feeds and answers Slack.
	Notifier *notify.Notifier
}

// Enqueuer adds a job to the durable queue (jobs.Runner).
type Enqueuer interface {
	Enqueue(ctx context.Context, args jobs.Args) error
}

// NewServer returns the handler for the whole HTTP surface.
func NewServer(d Deps) http.Handler {
	return newEcho(d)
}

func newEcho(d Deps) *echo.Echo {
	if d.KeepAlive <= 0 {
		d.KeepAlive = 5 * time.Second
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = 60 * time.Second
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger)
	e.IPExtractor = clientIP(d.TrustedProxies)
	m := newMetrics(d.DB)
	m.models, m.coach, m.kb = d.Models, d.Coach, d.Knowledge

	e.Pre(saneRequestID)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		// Accept a caller's id only if it looks like one of ours or a UUID;
		// anything else is replaced, so logs cannot be forged with it.
		Generator: func() string { return tenant.NewID().String() },
	}))
	e.Use(requestLogger(d.Logger))
	e.Use(m.middleware())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Logger.ErrorContext(c.Request().Context(), "panic",
				slog.String("request_id", requestID(c)), slog.String("error", err.Error()), slog.String("stack", string(stack)))
			return errPanic
		},
	}))
	// Headers first, so that every answer carries them, the 503 of a full
	// server and a too-large body's 413 included.
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "no-referrer",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
	}))
	e.Use(noStore)
	e.Use(limitInFlight(d.MaxInFlight, m))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: "2M",
		// Imports carry files and set their own, larger limit.
		Skipper: func(c echo.Context) bool { return c.Path() == "/api/kb/import" },
	}))
	e.Use(requestTimeout(d.RequestTimeout))
	addRoutes(e, d, m)
	return e
}

// clientIP reads the client's address from the connection, or from
// X-Forwarded-For when the peer is one of the trusted proxies (and only
// those: echo trusts private networks by default).
func clientIP(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Masked().Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// saneRequestID drops a caller's X-Request-Id unless it is a short token
// (a UUID or the like): it is logged and echoed, so it must not carry
// kilobytes or forged log lines. A new one is made instead.
func saneRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && !requestIDRE.MatchString(id) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// noStore keeps API answers (notes, plans, tokens) out of shared and
// browser caches; a handler may still set its own Cache-Control.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/m/") {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		}
		return next(c)
	}
}
