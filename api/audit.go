package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

// deniedKey holds the *tenant.AuthError of a refused sign-in, so that the
// audit trail of the token's organization records it.
const deniedKey = "taiwa.denied"

// audited records the outcome of every call of a route in the caller's
// organization's audit trail: sign-in, token and user changes, exports,
// erasures, publishing and settings. It wraps the role check, so a denied
// attempt is recorded too.
//
// The event is written after the handler, in a transaction of its own: a
// failure to write it is logged and does not undo what was done. A caller
// whose organization is unknown (a token that matches nothing) is in the
// access log only.
func audited(db *tenant.DB, logger *slog.Logger, action string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			status := statusOf(c, err)
			ev := tenant.AuditEvent{Action: action, Target: c.Param("id"), Status: status,
				Client: c.RealIP(), RequestID: requestID(c)}
			var orgID uuid.UUID
			if p := principal(c); p.OrgID != uuid.Nil {
				orgID, ev.ActorID = p.OrgID, &p.UserID
			} else if ae, ok := c.Get(deniedKey).(*tenant.AuthError); ok {
				orgID, ev.ActorID, ev.Reason = ae.OrgID, &ae.UserID, ae.Reason
			}
			if orgID == uuid.Nil {
				return err
			}
			ctx := context.WithoutCancel(c.Request().Context())
			werr := db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) error {
				return tenant.RecordAudit(ctx, tx, ev)
			})
			if werr != nil {
				logger.ErrorContext(ctx, "audit event not recorded", slog.String("request_id", ev.RequestID),
					slog.String("action", action), slog.String("error", werr.Error()))
			}
			return err
		}
	}
}

// noteDenied keeps a refused sign-in's organization for audited.
func noteDenied(c echo.Context, err error) {
	var ae *tenant.AuthError
	if errors.As(err, &ae) {
		c.Set(deniedKey, ae)
	}
}

type auditResponse struct {
	Events []tenant.AuditEvent `json:"events"`
	// Next is the before= value for the following (older) page; empty on
	// the last page.
	Next string `json:"next,omitempty"`
}

// handleAuditList is the admins' view of the trail, newest first.
func handleAuditList(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		limit, err := queryInt(c, "limit", 100)
		if err != nil {
			return err
		}
		q := tenant.AuditQuery{Action: strings.TrimSpace(c.QueryParam("action")), Limit: min(max(limit, 1), 500)}
		if s := c.QueryParam("before"); s != "" {
			if q.Before, err = uuid.Parse(s); err != nil {
				return invalidf("before: not an event id")
			}
		}
		var resp auditResponse
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			resp.Events, err = tenant.ListAudit(ctx, tx, q)
			return err
		})
		if err != nil {
			return err
		}
		if len(resp.Events) == q.Limit {
			resp.Next = resp.Events[len(resp.Events)-1].ID.String()
		}
		return c.JSON(http.StatusOK, resp)
	}
}
