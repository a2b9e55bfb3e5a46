package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/insights"
	"github.com/taiwa-coach/taiwa/assistant/notify"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// errInvalid is a malformed request (bad JSON, bad id): a 400.
var errInvalid = errors.New("invalid argument")

// errPanic is what a recovered panic becomes; the stack is in the log.
var errPanic = errors.New("panic")

// errOverloaded answers requests beyond the in-flight cap.
var errOverloaded = errors.New("server busy")

// errModelNotFound is an OpenAI-compatible request for a model the caller
// does not have (openai.go): a 404 with OpenAI's code for it.
var errModelNotFound = errors.New("model not found")

// ErrShutdown is the cause the server cancels its requests' base context
// with when a shutdown's grace period ends: a stream cut then ends with an
// error event and is logged as 503, not as a client that went away.
var ErrShutdown = errors.New("the server is restarting: try again in a moment")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errInvalid}, args...)...)
}

// errorStatus is the only place where errors become HTTP statuses.
// Messages of 4xx errors are written for the caller by the package that
// made them; 5xx messages never leave the server.
var errorStatus = []struct {
	err    error
	status int
	code   string
}{
	{errInvalid, http.StatusBadRequest, "invalid_argument"},
	{tenant.ErrInvalid, http.StatusBadRequest, "invalid_argument"},
	{tenant.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{tenant.ErrForbidden, http.StatusForbidden, "forbidden"},
	{tenant.ErrNotFound, http.StatusNotFound, "not_found"},
	{tenant.ErrConflict, http.StatusConflict, "conflict"},
	{history.ErrInvalid, http.StatusBadRequest, "invalid_argument"},
	{history.ErrNotFound, http.StatusNotFound, "not_found"},
	{history.ErrConflict, http.StatusConflict, "conflict"},
	{history.ErrGone, http.StatusGone, "gone"},
	{assistant.ErrInvalid, http.StatusBadRequest, "invalid_argument"},
	{assistant.ErrNotFound, http.StatusNotFound, "not_found"},
	{insights.ErrInvalid, http.StatusBadRequest, "invalid_argument"},
	{insights.ErrNotFound, http.StatusNotFound, "not_found"},
	{insights.ErrConflict, http.StatusConflict, "conflict"},
	{insights.ErrForbidden, http.StatusForbidden, "forbidden"},
	{notify.ErrInvalid, http.StatusBadRequest, "invalid_argument"},
	{notify.ErrNotFound, http.StatusNotFound, "not_found"},
	{notify.ErrBadSignature, http.StatusUnauthorized, "unauthenticated"},
	{notify.ErrStale, http.StatusUnauthorized, "unauthenticated"},
	{errReplayed, http.StatusConflict, "replayed"},
	{knowledge.ErrInvalid, http.StatusBadRequest, "invalid_argument"},
	{knowledge.ErrNotFound, http.StatusNotFound, "not_found"},
	{knowledge.ErrConflict, http.StatusConflict, "conflict"},
	{knowledge.ErrReadOnly, http.StatusForbidden, "read_only"},
	{knowledge.ErrUnconfirmed, http.StatusConflict, "needs_confirmation"},
	{knowledge.ErrBreaksChecks, http.StatusConflict, "breaks_checks"},
	{errModelNotFound, http.StatusNotFound, "model_not_found"},
	{errIdempotencyMismatch, http.StatusUnprocessableEntity, "idempotency_mismatch"},
	{errIdempotencyBusy, http.StatusConflict, "conflict"},
	{errOverloaded, http.StatusServiceUnavailable, "unavailable"},
	{ErrShutdown, http.StatusServiceUnavailable, "unavailable"},
	{tenant.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "unavailable"},
	// The client went away; nobody reads this answer, but the log and the
	// metrics should not count it as a server fault.
	{context.Canceled, statusClientClosed, "canceled"},
}

// statusClientClosed is nginx's 499: the client closed the request.
const statusClientClosed = 499

// errorBody is the one JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// openAIErrorBody is the error shape of the OpenAI-compatible routes
// (/v1/...), whose SDKs and chat clients read OpenAI's: the same status,
// code and message as errorBody, a type derived from the status, and the
// request id besides.
type openAIErrorBody struct {
	Error openAIErrorDetail `json:"error"`
}

type openAIErrorDetail struct {
	Message   string  `json:"message"`
	Type      string  `json:"type"`
	Param     *string `json:"param"` // always null: errors here name no single parameter
	Code      string  `json:"code"`
	RequestID string  `json:"request_id"`
}

// isOpenAIPath reports whether path is one of the OpenAI-compatible routes.
func isOpenAIPath(path string) bool { return strings.HasPrefix(path, "/v1/") }

// errorResponse is the body of an error answer to path.
func errorResponse(path string, status int, code, msg, reqID string) any {
	if !isOpenAIPath(path) {
		return errorBody{Error: errorDetail{Code: code, Message: msg, RequestID: reqID}}
	}
	typ := "invalid_request_error" // OpenAI's type for most 4xx, model_not_found too
	switch {
	case status == http.StatusUnauthorized:
		typ = "authentication_error"
	case status == http.StatusForbidden:
		typ = "permission_error"
	case status == http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case status >= http.StatusInternalServerError:
		typ = "server_error"
	}
	return openAIErrorBody{Error: openAIErrorDetail{Message: msg, Type: typ, Code: code, RequestID: reqID}}
}

// classify maps err to a status, a stable code and a message for the caller.
func classify(err error) (status int, code, msg string) {
	for _, e := range errorStatus {
		if errors.Is(err, e.err) {
			return e.status, e.code, err.Error()
		}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		code := "http_error"
		switch he.Code {
		case http.StatusNotFound:
			code = "not_found"
		case http.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case http.StatusRequestEntityTooLarge:
			code = "too_large"
		case http.StatusUnauthorized:
			code = "unauthenticated"
		case http.StatusBadRequest:
			code = "invalid_argument"
		}
		return he.Code, code, msg
	}
	return http.StatusInternalServerError, "internal", ""
}

// errorHandler writes an errorBody for every failed request and logs server
// faults, once, here.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		ctx := c.Request().Context()
		status, code, msg := classify(err)
		if status >= http.StatusInternalServerError {
			level := slog.LevelError
			if status == http.StatusServiceUnavailable {
				// The database is restarting or the server is saturated:
				// worth a warning, not a page.
				level = slog.LevelWarn
				c.Response().Header().Set("Retry-After", "1")
			}
			logger.Log(ctx, level, "request failed",
				slog.String("request_id", requestID(c)), slog.String("route", c.Path()),
				slog.Int("status", status), slog.String("error", err.Error()))
			msg = http.StatusText(status) + "; quote the request id when reporting it"
			if status == http.StatusServiceUnavailable {
				msg = "temporarily unavailable; retry shortly"
			}
		}
		body := errorResponse(c.Request().URL.Path, status, code, msg, requestID(c))
		if c.Request().Method == http.MethodHead {
			err = c.NoContent(status)
		} else {
			err = c.JSON(status, body)
		}
		if err != nil {
			logger.WarnContext(ctx, "write error response", slog.String("error", err.Error()))
		}
	}
}

// statusOf is the status a request ends with: the error's, which the
// error handler writes after the middleware has returned, or the one
// written.
func statusOf(c echo.Context, err error) int {
	if err != nil {
		status, _, _ := classify(err)
		return status
	}
	return c.Response().Status
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
