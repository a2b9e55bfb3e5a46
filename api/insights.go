package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/insights"
)

type teamsPage struct {
	Teams []insights.Team `json:"teams"`
}

func handleTeamsList(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, _ echo.Context, _ tenant.Principal, _ uuid.UUID) (teamsPage, error) {
		ts, err := insights.Teams(ctx, tx)
		return teamsPage{Teams: ts}, err
	})
}

type teamRequest struct {
	Name     string     `json:"name"`
	ParentID *uuid.UUID `json:"parent_id"`
}

func handleTeamsCreate(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req teamRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		var t insights.Team
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			t, err = insights.CreateTeam(ctx, tx, p.OrgID, req.Name, req.ParentID)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, t)
	}
}

func handleTeamsUpdate(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req teamRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		var t insights.Team
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			t, err = insights.UpdateTeam(ctx, tx, p.OrgID, id, req.Name, req.ParentID)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, t)
	}
}

func handleTeamsDelete(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusNoContent, func(ctx context.Context, tx pgx.Tx, _ echo.Context, _ tenant.Principal, id uuid.UUID) (struct{}, error) {
		return struct{}{}, insights.DeleteTeam(ctx, tx, id)
	})
}

type userTeamRequest struct {
	TeamID *uuid.UUID `json:"team_id"`
}

func handleUserTeamPut(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req userTeamRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			return insights.SetTeam(ctx, tx, p.OrgID, id, req.TeamID)
		})
		if err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

type teamsImportRequest struct {
	Text string `json:"text"`
}

// maxTeamsBody bounds a team CSV upload (20,000 lines).
const maxTeamsBody = "4M"

func handleTeamsImport(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req teamsImportRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		var out insights.ImportResult
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out, err = insights.Import(ctx, tx, p.OrgID, strings.NewReader(req.Text))
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// handleOrgInsights is the organization view: k-anonymous figures per team
// and month, as JSON or (format=csv) one CSV row per figure.
func handleOrgInsights(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		months, err := queryInt(c, "months", 12)
		if err != nil {
			return err
		}
		format := c.QueryParam("format")
		if format != "" && format != "json" && format != "csv" {
			return invalidf("format is json or csv")
		}
		var r insights.Report
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			r, err = insights.Org(ctx, tx, months)
			return err
		})
		if err != nil {
			return err
		}
		if format != "csv" {
			return c.JSON(http.StatusOK, r)
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="taiwa-insights.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", reportCSV(r))
	}
}

// reportCSV writes one row per figure, with the team's path ("Sales /
// East"; empty for the whole organization). It starts with a byte order
// mark so that Excel reads Japanese names as UTF-8.
func reportCSV(r insights.Report) []byte {
	paths := map[uuid.UUID]string{}
	for _, t := range r.Teams { // parents come first
		paths[t.ID] = t.Name
		if t.ParentID != nil {
			paths[t.ID] = paths[*t.ParentID] + " / " + t.Name
		}
	}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Write([]string{"team", "month", "family", "slice", "members", "managers", "answers", "figure", "value"})
	for _, cell := range r.Cells {
		team := ""
		if cell.TeamID != nil {
			team = paths[*cell.TeamID]
		}
		names := make([]string, 0, len(cell.Figures))
		for k := range cell.Figures {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, name := range names {
			w.Write([]string{team, cell.Month, cell.Family, cell.Slice, count(cell.Members),
				count(cell.Managers), count(cell.Answers), name,
				strconv.FormatFloat(cell.Figures[name], 'f', -1, 64)})
		}
	}
	w.Flush()
	return b.Bytes()
}

// count is a cell's count, or empty for a family that shows none.
func count(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// handleMyInsights is a manager's own view, beside the organization's.
func handleMyInsights(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		months, err := queryInt(c, "months", 12)
		if err != nil {
			return err
		}
		var out insights.Personal
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out, err = insights.Mine(ctx, tx, months)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// handleGuidanceUsage is the curators' view of what the guidance does:
// which documents and passages answers were given and cited, the thumbs
// and comments on those answers, and which were never given.
func handleGuidanceUsage(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		days, err := queryInt(c, "days", 90)
		if err != nil {
			return err
		}
		var out insights.GuidanceReport
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out, err = insights.Guidance(ctx, tx, days)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

type insightsAccess struct {
	Curators bool `json:"curators"`
}

func handleInsightsAccessGet(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, _ echo.Context, _ tenant.Principal, _ uuid.UUID) (insightsAccess, error) {
		ok, err := insights.CuratorsMayRead(ctx, tx)
		return insightsAccess{Curators: ok}, err
	})
}

func handleInsightsAccessPut(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req insightsAccess
		if err := decode(c, &req); err != nil {
			return err
		}
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			return insights.LetCuratorsRead(ctx, tx, p.OrgID, req.Curators)
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, req)
	}
}
