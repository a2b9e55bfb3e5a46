package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// checksGuard holds a change to the guidance to the organization's
// retrieval suite: once the suite has run, a change that makes passing
// questions fail is refused unless confirmed, and every change is followed
// by a run, kept in the suite's history.
type checksGuard struct {
	db      knowledge.DB
	kb      *knowledge.Base
	confirm bool
	active  bool
	vecs    map[string][]float32
}

// newChecksGuard looks, before the change's transaction, whether the
// organization uses its suite, and embeds its questions if so.
func newChecksGuard(ctx context.Context, db knowledge.DB, kb *knowledge.Base, confirm bool) *checksGuard {
	g := &checksGuard{db: db, kb: kb, confirm: confirm}
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM retrieval_runs)`).Scan(&g.active)
	})
	if err == nil && g.active && !confirm {
		g.vecs = kb.CheckVectors(ctx, db)
	}
	return g
}

// check runs in the change's transaction, after the change.
func (g *checksGuard) check(ctx context.Context, tx pgx.Tx) error {
	if !g.active || g.confirm {
		return nil
	}
	broken, err := g.kb.Regressions(ctx, tx, g.vecs)
	if err != nil {
		return err
	}
	if len(broken) > 0 {
		return knowledge.BreaksChecks(broken)
	}
	return nil
}

// record runs the suite after the change committed. The change stands if
// the run fails; the log says so.
func (g *checksGuard) record(ctx context.Context, orgID, doc uuid.UUID, logger *slog.Logger) {
	if !g.active {
		return
	}
	if _, err := g.kb.RunChecks(context.WithoutCancel(ctx), g.db, orgID, "publish", &doc); err != nil && !errors.Is(err, context.Canceled) {
		logger.ErrorContext(ctx, "retrieval suite not run after a change", slog.String("document", doc.String()), slog.String("error", err.Error()))
	}
}

type checksPage struct {
	Checks []knowledge.Check `json:"checks"`
	Runs   []knowledge.Run   `json:"runs"`
}

func handleChecksList(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, _ echo.Context, _ tenant.Principal, _ uuid.UUID) (checksPage, error) {
		cs, err := kb.Checks(ctx, tx)
		if err != nil {
			return checksPage{}, err
		}
		runs, err := kb.Runs(ctx, tx, 30)
		return checksPage{Checks: cs, Runs: runs}, err
	})
}

type checkRequest struct {
	Question  string      `json:"question"`
	Language  string      `json:"language"`
	Documents []uuid.UUID `json:"documents"`
}

func handleChecksAdd(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req checkRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		var out knowledge.Check
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out, err = kb.AddCheck(ctx, tx, p.OrgID, req.Question, req.Language, req.Documents)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, out)
	}
}

func handleChecksDelete(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return scopedAction(db, http.StatusNoContent, func(ctx context.Context, tx pgx.Tx, _ echo.Context, p tenant.Principal, id uuid.UUID) (struct{}, error) {
		return struct{}{}, kb.DeleteCheck(ctx, tx, p.OrgID, id)
	})
}

func handleChecksRun(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		r, err := kb.RunChecks(ctx, db.Scope(p), p.OrgID, "manual", nil)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}
