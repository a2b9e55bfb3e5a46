package api

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// memberPagePath is where the web UI serves the page a member link opens.
const memberPagePath = "/m/"

type createdLink struct {
	Link  history.Link `json:"link"`
	Token string       `json:"token"`
	// Path is the page to send the member (relative to the server's
	// address); the token is in it and shown only this once.
	Path string `json:"path"`
}

func handleLinksCreate(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusCreated, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (createdLink, error) {
		var req struct {
			Phase    string `json:"phase"`
			TTLHours int    `json:"ttl_hours"`
		}
		if err := decode(c, &req); err != nil {
			return createdLink{}, err
		}
		if req.TTLHours < 0 || req.TTLHours > 30*24 {
			// Checked before it becomes a duration, which would overflow.
			return createdLink{}, invalidf("ttl_hours: a link lasts from 1 hour to 30 days (720 hours)")
		}
		l, token, err := h.CreateLink(ctx, tx, p.OrgID, p.UserID, id, req.Phase, time.Duration(req.TTLHours)*time.Hour)
		return createdLink{l, token, memberPagePath + token}, err
	})
}

func handleLinksList(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (map[string]any, error) {
		ls, err := h.Links(ctx, tx, id)
		return map[string]any{"links": ls}, err
	})
}

// memberAction makes a handler for a member, who has no account: the
// :token path parameter is the credential. The transaction first sees only
// the link with that token's hash, then acts as the link's manager, so
// what fn writes lands in that manager's history and nowhere else.
func memberAction[T any](db *tenant.DB, status int, fn func(ctx context.Context, tx pgx.Tx, c echo.Context, l history.Link, v history.LinkView) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		// Nothing a member sees may be cached by a shared proxy.
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		hash := history.HashLinkToken(c.Param("token"))
		var out T
		err := db.LinkScope(hash).InTx(ctx, func(tx pgx.Tx) error {
			l, err := history.LookupLink(ctx, tx, hash)
			if err != nil {
				return err
			}
			if err := tenant.ActAs(ctx, tx, l.OrgID, l.ManagerID); err != nil {
				return err
			}
			v, err := history.ViewLink(ctx, tx, l)
			if err != nil {
				return err
			}
			out, err = fn(ctx, tx, c, l, v)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(status, out)
	}
}

// handleMemberLinkGet shows the member their session and the choices they
// have, with topics in plain words.
func handleMemberLinkGet(db *tenant.DB) echo.HandlerFunc {
	return memberAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, l history.Link, v history.LinkView) (map[string]any, error) {
		return map[string]any{"link": v, "topics": knowledge.MemberTopics}, nil
	})
}

// handleMemberIntake records what the member wants to talk about and how
// they want the manager to respond; the answer says what was masked.
func handleMemberIntake(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return memberAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, l history.Link, v history.LinkView) (map[string]any, error) {
		var in history.Intake
		if err := decode(c, &in); err != nil {
			return nil, err
		}
		rep, err := h.SubmitIntake(ctx, tx, l, v.Language, in, knowledge.ValidTopic)
		return map[string]any{"redaction": rep}, err
	})
}

func handleMemberFeedback(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return memberAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, l history.Link, v history.LinkView) (map[string]any, error) {
		var in history.Feedback
		if err := decode(c, &in); err != nil {
			return nil, err
		}
		rep, err := h.SubmitFeedback(ctx, tx, l, v.Language, in)
		return map[string]any{"redaction": rep, "comment_shared": in.Share && rep != nil}, err
	})
}

func handleReflectionPut(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (redacted[[]history.ReflectionAnswer], error) {
		var req struct {
			Answers []history.ReflectionInput `json:"answers"`
		}
		if err := decode(c, &req); err != nil {
			return redacted[[]history.ReflectionAnswer]{}, err
		}
		as, rep, err := h.SetReflection(ctx, tx, p.OrgID, p.UserID, id, p.Language, req.Answers)
		return redacted[[]history.ReflectionAnswer]{as, rep}, err
	})
}

func handleFeedbackSummary(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (history.FeedbackSummary, error) {
		return h.FeedbackSummary(ctx, tx, id)
	})
}

func handleSignals(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (history.Signals, error) {
		return h.Signals(ctx, tx, id, time.Now())
	})
}
