package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleHealthz says the process is up; it touches nothing else.
func handleHealthz() echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}
}

// handleReadyz says whether the server can serve: the database answers and
// its schema is current. Load balancers route on it. The reason goes to the
// log, not to the caller.
func handleReadyz(logger *slog.Logger, ready func(context.Context) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := ready(c.Request().Context()); err != nil {
			logger.WarnContext(c.Request().Context(), "not ready",
				slog.String("request_id", requestID(c)), slog.String("error", err.Error()))
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}
}
