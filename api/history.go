package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/jobs"
	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// scopedAction makes a handler that parses the :id path parameter (when the
// route has one) and runs fn in the caller's scope, answering status with
// its result. Row security shows a manager only their own members,
// sessions, actions and conversations: another manager's id is a 404.
func scopedAction[T any](db *tenant.DB, status int, fn func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (T, error)) echo.HandlerFunc {
	return scopedThen(db, status, fn, nil)
}

// decodedAction decodes the request's JSON body before the transaction
// opens (a slow or bad body holds no connection), then runs fn with it in
// the caller's scope.
func decodedAction[In, Out any](db *tenant.DB, status int, fn func(ctx context.Context, tx pgx.Tx, p tenant.Principal, in In) (Out, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in In
		if err := decode(c, &in); err != nil {
			return err
		}
		return scopedAction(db, status, func(ctx context.Context, tx pgx.Tx, _ echo.Context, p tenant.Principal, _ uuid.UUID) (Out, error) {
			return fn(ctx, tx, p, in)
		})(c)
	}
}

// scopedThen is scopedAction with work to start once the transaction has
// committed (a job that must see what it wrote).
func scopedThen[T any](db *tenant.DB, status int, fn func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (T, error),
	committed func(ctx context.Context, p tenant.Principal, out T)) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id := uuid.Nil
		if c.Param("id") != "" {
			var err error
			if id, err = pathID(c, "id"); err != nil {
				return err
			}
		}
		var out T
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out, err = fn(ctx, tx, c, p, id)
			return err
		})
		if err != nil {
			return err
		}
		if committed != nil {
			committed(ctx, p, out)
		}
		if status == http.StatusNoContent {
			return c.NoContent(status)
		}
		return c.JSON(status, out)
	}
}

// redacted is a saved record with what the redactor masked in it.
type redacted[T any] struct {
	Data      T              `json:"data"`
	Redaction history.Report `json:"redaction"`
}

// page reads limit (default def, at most 100) and offset.
func page(c echo.Context, def int) (limit, offset int, err error) {
	if limit, err = queryInt(c, "limit", def); err != nil {
		return 0, 0, err
	}
	if offset, err = queryInt(c, "offset", 0); err != nil {
		return 0, 0, err
	}
	return min(max(limit, 1), 100), offset, nil
}

func handleMembersList(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (map[string]any, error) {
		limit, offset, err := page(c, 100)
		if err != nil {
			return nil, err
		}
		ms, err := h.Members(ctx, tx, limit, offset)
		return map[string]any{"members": ms, "limit": limit, "offset": offset}, err
	})
}

func handleMembersCreate(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusCreated, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (redacted[history.Member], error) {
		var req struct {
			Alias string `json:"alias"`
		}
		if err := decode(c, &req); err != nil {
			return redacted[history.Member]{}, err
		}
		m, rep, err := h.CreateMember(ctx, tx, p.OrgID, p.UserID, req.Alias)
		return redacted[history.Member]{m, rep}, err
	})
}

// memberNames are the forms of a member's name, as the manager types them.
type memberNames struct {
	Forms []string `json:"forms"`
}

func handleMemberNamesPut(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req memberNames
		if err := decode(c, &req); err != nil {
			return err
		}
		p := principal(c)
		var m history.Member
		err = db.Scope(p).InTx(c.Request().Context(), func(tx pgx.Tx) (err error) {
			m, err = h.SetMemberNames(c.Request().Context(), tx, id, req.Forms)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, m)
	}
}

func handleMembersGet(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (history.Member, error) {
		return h.Member(ctx, tx, id)
	})
}

// handleMembersErase deletes a member and everything about them.
func handleMembersErase(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (map[string]any, error) {
		e, err := h.EraseMember(ctx, tx, id)
		return map[string]any{"erased": e}, err
	})
}

func handleMembersExport(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (history.Export, error) {
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="member-`+id.String()+`.json"`)
		return h.ExportMember(ctx, tx, id)
	})
}

func handleSessionsList(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (map[string]any, error) {
		limit, offset, err := page(c, 20)
		if err != nil {
			return nil, err
		}
		ss, err := h.Sessions(ctx, tx, id, limit, offset)
		return map[string]any{"sessions": ss, "limit": limit, "offset": offset}, err
	})
}

// createdSession is a logged 1on1, what was masked in it and, for one
// scheduled, the member's other 1on1s still to come.
type createdSession struct {
	Data      history.Session `json:"data"`
	Redaction history.Report  `json:"redaction"`
	// AlsoScheduled warns of a 1on1 planned twice: the UI asks before
	// scheduling, but another tab or client may not have.
	AlsoScheduled []history.SessionBrief `json:"also_scheduled"`
}

// handleSessionsCreate logs a 1on1. Its text is masked before it is
// stored; the answer says what was masked (kinds and counts only).
func handleSessionsCreate(db *tenant.DB, h *history.Store, notes notesJobs) echo.HandlerFunc {
	return scopedThen(db, http.StatusCreated, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (createdSession, error) {
		var in history.SessionInput
		if err := decode(c, &in); err != nil {
			return createdSession{}, err
		}
		s, rep, err := h.CreateSession(ctx, tx, p.OrgID, p.UserID, id, p.Language, in, knowledge.ValidTopic)
		if err != nil {
			return createdSession{}, err
		}
		out := createdSession{Data: s, Redaction: rep, AlsoScheduled: []history.SessionBrief{}}
		if s.Status == "scheduled" {
			out.AlsoScheduled, err = h.Scheduled(ctx, tx, id, s.ID, time.Now())
		}
		return out, err
	}, func(ctx context.Context, p tenant.Principal, out createdSession) { notes.saved(ctx, p, out.Data) })
}

func handleSessionsGet(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (history.Session, error) {
		return h.Session(ctx, tx, id)
	})
}

// handleSessionsUpdate replaces a session's fields (masked again) and adds
// any new actions.
func handleSessionsUpdate(db *tenant.DB, h *history.Store, notes notesJobs) echo.HandlerFunc {
	return scopedThen(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (redacted[history.Session], error) {
		var in history.SessionInput
		if err := decode(c, &in); err != nil {
			return redacted[history.Session]{}, err
		}
		s, rep, err := h.UpdateSession(ctx, tx, p.OrgID, p.UserID, id, p.Language, in, knowledge.ValidTopic)
		return redacted[history.Session]{s, rep}, err
	}, func(ctx context.Context, p tenant.Principal, out redacted[history.Session]) {
		notes.saved(ctx, p, out.Data)
	})
}

// notesJobs has a saved session's texts embedded in the background, when
// an embedding model is configured (see jobs.EmbedNotes).
type notesJobs struct {
	jobs   Enqueuer // nil: no embedding model
	logger *slog.Logger
}

func (n notesJobs) saved(ctx context.Context, p tenant.Principal, s history.Session) {
	if n.jobs == nil {
		return
	}
	err := n.jobs.Enqueue(context.WithoutCancel(ctx), jobs.EmbedNotes{Org: p.OrgID, Manager: p.UserID, Member: s.MemberID})
	if err != nil {
		// The periodic backfill (jobs.EmbedBackfill) embeds it later.
		n.logger.WarnContext(ctx, "enqueue note embedding", slog.String("error", err.Error()))
	}
}

func handleSessionsDelete(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusNoContent, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (struct{}, error) {
		return struct{}{}, h.DeleteSession(ctx, tx, id)
	})
}

func handleActionsList(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (map[string]any, error) {
		as, err := h.Actions(ctx, tx, id)
		return map[string]any{"actions": as}, err
	})
}

func handleActionsUpdate(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (history.Action, error) {
		var req struct {
			Status string `json:"status"`
		}
		if err := decode(c, &req); err != nil {
			return history.Action{}, err
		}
		return h.SetActionStatus(ctx, tx, id, req.Status)
	})
}

func handleTermsGet(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (map[string]any, error) {
		ts, err := h.Terms(ctx, tx)
		return map[string]any{"terms": ts}, err
	})
}

func handleTermsPut(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (map[string]any, error) {
		var req struct {
			Terms []string `json:"terms"`
		}
		if err := decode(c, &req); err != nil {
			return nil, err
		}
		ts, err := h.SetTerms(ctx, tx, p.OrgID, req.Terms)
		return map[string]any{"terms": ts}, err
	})
}

// handleRedact shows what would be masked in texts, without storing
// anything: the session form shows it before the manager saves.
func handleRedact(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (redacted[[]anonymize.Text], error) {
		var req struct {
			Texts []string `json:"texts"`
			// MemberID previews the texts as a save about that member
			// would mask them: with their placeholders and name forms.
			MemberID *uuid.UUID `json:"member_id"`
		}
		if err := decode(c, &req); err != nil {
			return redacted[[]anonymize.Text]{}, err
		}
		if len(req.Texts) > 50 {
			return redacted[[]anonymize.Text]{}, invalidf("at most 50 texts")
		}
		about := uuid.Nil
		if req.MemberID != nil {
			if _, err := h.Member(ctx, tx, *req.MemberID); err != nil {
				return redacted[[]anonymize.Text]{}, err
			}
			about = *req.MemberID
		}
		out, rep, err := h.Mask(ctx, tx, p.Language, about, req.Texts...)
		return redacted[[]anonymize.Text]{out, rep}, err
	})
}
