package api

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// maxThesaurusBody bounds an imported thesaurus file.
const maxThesaurusBody = "2M"

type thesaurusList struct {
	Rules []knowledge.Rule `json:"rules"`
}

func handleThesaurusList(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var out thesaurusList
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out.Rules, err = kb.Thesaurus(ctx, tx)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

func handleThesaurusAdd(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var in knowledge.RuleInput
		if err := decode(c, &in); err != nil {
			return err
		}
		var out knowledge.Rule
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out, err = kb.AddRule(ctx, tx, p.OrgID, &p.UserID, in)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, out)
	}
}

func handleThesaurusUpdate(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var in knowledge.RuleInput
		if err := decode(c, &in); err != nil {
			return err
		}
		return ruleAction(c, db, http.StatusOK, id, func(ctx context.Context, tx pgx.Tx, p tenant.Principal) (knowledge.Rule, error) {
			return kb.UpdateRule(ctx, tx, id, &p.UserID, in)
		})
	}
}

func handleThesaurusHide(db *tenant.DB, kb *knowledge.Base, hidden bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		return ruleAction(c, db, http.StatusOK, id, func(ctx context.Context, tx pgx.Tx, p tenant.Principal) (knowledge.Rule, error) {
			return kb.SetRuleHidden(ctx, tx, p.OrgID, id, hidden)
		})
	}
}

func handleThesaurusDelete(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		if err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error { return kb.DeleteRule(ctx, tx, id) }); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// ruleAction runs fn on one rule in the caller's scope and answers with
// the rule.
func ruleAction(c echo.Context, db *tenant.DB, status int, id uuid.UUID,
	fn func(ctx context.Context, tx pgx.Tx, p tenant.Principal) (knowledge.Rule, error)) error {
	ctx, p := c.Request().Context(), principal(c)
	var out knowledge.Rule
	err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
		out, err = fn(ctx, tx, p)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(status, out)
}

// handleThesaurusExport answers the organization's own rules as a file
// that import reads back (the starter pack's are the pack's).
func handleThesaurusExport(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var rules []knowledge.Rule
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			rules, err = kb.Thesaurus(ctx, tx)
			return err
		})
		if err != nil {
			return err
		}
		own := rules[:0]
		for _, r := range rules {
			if !r.Starter {
				own = append(own, r)
			}
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="taiwa-thesaurus.txt"`)
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(knowledge.FormatThesaurus(own)))
	}
}

type thesaurusImportRequest struct {
	Text string `json:"text"`
	// Replace makes the file the organization's thesaurus: its rules not
	// in the file are removed.
	Replace bool `json:"replace"`
}

func handleThesaurusImport(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req thesaurusImportRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		var out knowledge.ThesaurusImport
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out, err = kb.ImportThesaurus(ctx, tx, p.OrgID, &p.UserID, req.Text, req.Replace)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}
