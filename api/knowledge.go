package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// canCurate: curators (L&D) and admins edit guidance; managers only read
// published guidance.
func canCurate(p tenant.Principal) bool {
	return p.Role == tenant.RoleCurator || p.Role == tenant.RoleAdmin
}

func handleTopics() echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"topics": knowledge.Topics})
	}
}

type documentsPage struct {
	Documents []knowledge.Document `json:"documents"`
	Total     int                  `json:"total"`
	Limit     int                  `json:"limit"`
	Offset    int                  `json:"offset"`
}

func queryInt(c echo.Context, name string, def int) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, invalidf("%s must be a non-negative integer", name)
	}
	return n, nil
}

func handleDocumentsList(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		limit, err := queryInt(c, "limit", 50)
		if err != nil {
			return err
		}
		offset, err := queryInt(c, "offset", 0)
		if err != nil {
			return err
		}
		opt := knowledge.ListOptions{
			Topic: c.QueryParam("topic"), Status: knowledge.Status(c.QueryParam("status")),
			Language: c.QueryParam("language"), Text: c.QueryParam("q"), Limit: min(max(limit, 1), 200), Offset: offset,
		}
		switch s := c.QueryParam("source"); s {
		case "":
		case "starter", "own":
			starter := s == "starter"
			opt.Starter = &starter
		default:
			return invalidf("source must be starter or own")
		}
		if !canCurate(p) {
			opt.Status = knowledge.StatusPublished
		}
		page := documentsPage{Limit: opt.Limit, Offset: opt.Offset}
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			page.Documents, page.Total, err = kb.List(ctx, tx, opt)
			return err
		})
		if err != nil {
			return err
		}
		if page.Documents == nil {
			page.Documents = []knowledge.Document{}
		}
		return c.JSON(http.StatusOK, page)
	}
}

type documentRequest struct {
	knowledge.Input
	// IfVersion makes an update fail with 409 unless the document is still
	// at this version.
	IfVersion int `json:"if_version"`
	// Confirm takes an update through although it makes questions of the
	// retrieval suite that passed fail.
	Confirm bool `json:"confirm"`
}

func handleDocumentsCreate(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req documentRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		var d knowledge.Document
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			d, err = kb.Create(ctx, tx, p.OrgID, &p.UserID, req.Input, knowledge.StatusDraft)
			return err
		})
		if err != nil {
			return err
		}
		kb.EmbedDocument(ctx, db.Scope(p), d.ID)
		return c.JSON(http.StatusCreated, d)
	}
}

// documentFor loads a document the caller may see: managers see published
// guidance only; anything else is a 404.
func documentFor(c echo.Context, tx pgx.Tx, kb *knowledge.Base) (knowledge.Document, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return knowledge.Document{}, err
	}
	d, err := kb.Get(c.Request().Context(), tx, id)
	if err != nil {
		return knowledge.Document{}, err
	}
	if !canCurate(principal(c)) && (d.Status != knowledge.StatusPublished || d.Hidden) {
		return knowledge.Document{}, fmt.Errorf("document %s: %w", id, knowledge.ErrNotFound)
	}
	return d, nil
}

// loadDocument reads the :id document in the caller's scope (see documentFor).
func loadDocument(c echo.Context, db *tenant.DB, kb *knowledge.Base) (knowledge.Document, error) {
	var d knowledge.Document
	err := db.Scope(principal(c)).InTx(c.Request().Context(), func(tx pgx.Tx) (err error) {
		d, err = documentFor(c, tx, kb)
		return err
	})
	return d, err
}

func handleDocumentsGet(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := loadDocument(c, db, kb)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, d)
	}
}

func handleDocumentsUpdate(db *tenant.DB, kb *knowledge.Base, logger *slog.Logger) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req documentRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		var d knowledge.Document
		guard := newChecksGuard(ctx, db.Scope(p), kb, req.Confirm)
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			if d, err = kb.Update(ctx, tx, id, &p.UserID, req.Input, req.IfVersion); err != nil {
				return err
			}
			return guard.check(ctx, tx)
		})
		if err != nil {
			return err
		}
		kb.EmbedDocument(ctx, db.Scope(p), d.ID)
		guard.record(ctx, p.OrgID, d.ID, logger)
		return c.JSON(http.StatusOK, d)
	}
}

func handleDocumentsDelete(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		if err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error { return kb.Delete(ctx, tx, id) }); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// handleDocumentsStatus publishes, unpublishes or archives a document. A
// document flagged for text written for the model, or a change that makes
// passing questions of the retrieval suite fail, goes through only with
// {"confirm": true}.
func handleDocumentsStatus(db *tenant.DB, kb *knowledge.Base, status knowledge.Status, logger *slog.Logger) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req struct {
			Confirm bool `json:"confirm"`
		}
		if c.Request().ContentLength != 0 {
			if err := decode(c, &req); err != nil {
				return err
			}
		}
		var d knowledge.Document
		guard := newChecksGuard(ctx, db.Scope(p), kb, req.Confirm)
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			if d, err = kb.SetStatus(ctx, tx, id, &p.UserID, status, req.Confirm); err != nil {
				return err
			}
			return guard.check(ctx, tx)
		})
		if err != nil {
			return err
		}
		guard.record(ctx, p.OrgID, d.ID, logger)
		return c.JSON(http.StatusOK, d)
	}
}

// handleDocumentsHide hides or shows a starter document for the org.
func handleDocumentsHide(db *tenant.DB, kb *knowledge.Base, hidden bool) echo.HandlerFunc {
	return documentAction(db, kb, http.StatusOK, false, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID) (knowledge.Document, error) {
		return kb.SetHidden(ctx, tx, p.OrgID, id, hidden)
	})
}

func handleDocumentsCopy(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return documentAction(db, kb, http.StatusCreated, true, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID) (knowledge.Document, error) {
		return kb.Copy(ctx, tx, p.OrgID, id, &p.UserID)
	})
}

func handleVersionsList(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return documentAction(db, kb, http.StatusOK, false, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID) (map[string]any, error) {
		vs, err := kb.Versions(ctx, tx, id)
		return map[string]any{"versions": vs}, err
	})
}

func pathVersion(c echo.Context) (int, error) {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
		return 0, echo.ErrNotFound
	}
	return v, nil
}

func handleVersionsGet(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return versionAction(db, kb, false, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID, version int) (any, error) {
		return kb.GetVersion(ctx, tx, id, version)
	})
}

// versionAction is documentAction for routes on one version (:version).
func versionAction(db *tenant.DB, kb *knowledge.Base, embed bool,
	fn func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID, version int) (any, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		version, err := pathVersion(c)
		if err != nil {
			return err
		}
		return documentAction(db, kb, http.StatusOK, embed, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID) (any, error) {
			return fn(ctx, tx, p, id, version)
		})(c)
	}
}

func handleVersionsRestore(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return versionAction(db, kb, true, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID, version int) (any, error) {
		return kb.Restore(ctx, tx, id, version, &p.UserID)
	})
}

func handleDocumentChunks(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return documentAction(db, kb, http.StatusOK, false, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID) (map[string]any, error) {
		cs, err := kb.DocumentChunks(ctx, tx, id)
		return map[string]any{"chunks": cs}, err
	})
}

func handleChunkPreview(kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req struct {
			Body string `json:"body"`
		}
		if err := decode(c, &req); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"chunks": kb.ChunkPreview(req.Body)})
	}
}

func handleDocumentExport(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := loadDocument(c, db, kb)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+d.ID.String()+`.md"`)
		return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", d.Markdown())
	}
}

func handleExport(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var buf bytes.Buffer
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			_, err := kb.Export(ctx, tx, &buf)
			return err
		})
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="taiwa-guidance.zip"`)
		return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
	}
}

// documentAction makes a handler for a route on one document (:id): it runs
// fn in the caller's scope and answers status with fn's result. With
// embed, the document's new chunks are embedded after the transaction
// commits (never inside it: that is a model call).
func documentAction[T any](db *tenant.DB, kb *knowledge.Base, status int, embed bool,
	fn func(ctx context.Context, tx pgx.Tx, p tenant.Principal, id uuid.UUID) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var out T
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			out, err = fn(ctx, tx, p, id)
			return err
		})
		if err != nil {
			return err
		}
		if embed {
			if d, ok := any(out).(knowledge.Document); ok {
				kb.EmbedDocument(ctx, db.Scope(p), d.ID)
			}
		}
		return c.JSON(status, out)
	}
}

// importResponse is what an import did: per file, and counted.
type importResponse struct {
	// Imported counts the files that are now a document: created, updated
	// or found unchanged.
	Imported  int                      `json:"imported"`
	Created   int                      `json:"created"`
	Updated   int                      `json:"updated"`
	Unchanged int                      `json:"unchanged"`
	Failed    int                      `json:"failed"`
	Results   []knowledge.ImportResult `json:"results"`
}

// maxImportBody bounds an import upload (files or a zip of them).
const maxImportBody = "60M"

// handleImport takes a multipart upload of Markdown files and zips of them
// (field "files") and reports, per file, what it did (created, updated,
// unchanged) and why the others did not go in. A file is found again by its
// front matter id, else by its name, or for a zip's file its path inside
// the zip (not the zip's name: the same archive uploaded as "pack (1).zip"
// lands on the same documents).
func handleImport(db *tenant.DB, kb *knowledge.Base) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		form, err := c.MultipartForm()
		if err != nil {
			return invalidf("want a multipart upload with one or more 'files': %v", err)
		}
		var files []knowledge.File
		var results []knowledge.ImportResult
		for _, fh := range form.File["files"] {
			f, err := fh.Open()
			if err != nil {
				return invalidf("%s: %v", fh.Filename, err)
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return invalidf("%s: %v", fh.Filename, err)
			}
			switch strings.ToLower(filepath.Ext(fh.Filename)) {
			case ".zip":
				zf, err := knowledge.ExpandZip(data)
				if err != nil {
					results = append(results, knowledge.ImportResult{Name: fh.Filename, Error: err.Error()})
					continue
				}
				for i := range zf {
					zf[i].Name = fh.Filename + "/" + zf[i].Name // Path stays the path inside the zip
				}
				files = append(files, zf...)
			case ".md", ".markdown":
				files = append(files, knowledge.File{Name: fh.Filename, Path: fh.Filename, Data: data})
			default:
				results = append(results, knowledge.ImportResult{Name: fh.Filename, Error: "not a Markdown file (.md) or a zip of them"})
			}
		}
		if len(files)+len(results) == 0 {
			return invalidf("no files: send them in the multipart field 'files'")
		}
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			rs, err := kb.Import(ctx, tx, p.OrgID, files, knowledge.ImportOptions{Author: &p.UserID})
			results = append(results, rs...)
			return err
		})
		if err != nil {
			return err
		}
		out := importResponse{Results: results}
		for _, r := range results {
			switch r.Action {
			case knowledge.ImportCreated:
				out.Created++
			case knowledge.ImportUpdated:
				out.Updated++
			case knowledge.ImportUnchanged:
				out.Unchanged++
				continue // its chunks and their vectors are as they were
			default:
				out.Failed++
				continue
			}
			kb.EmbedDocument(ctx, db.Scope(p), *r.DocumentID)
		}
		out.Imported = out.Created + out.Updated + out.Unchanged
		return c.JSON(http.StatusOK, out)
	}
}

type searchRequest struct {
	Query    string   `json:"query"`
	Language string   `json:"language"`
	Topics   []string `json:"topics"`
	K        int      `json:"k"`
	// Thesaurus false searches the query's own words only, for a curator
	// comparing what the thesaurus changes.
	Thesaurus *bool `json:"thesaurus"`
}

// handleSearch is "try a query": the chunks of published guidance that
// answer it, with each retriever's score and rank.
func handleSearch(db *tenant.DB, kb *knowledge.Base, h *history.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req searchRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		noExpansion := req.Thesaurus != nil && !*req.Thesaurus
		q := knowledge.Query{Language: req.Language, Topics: req.Topics, K: req.K, NoExpansion: noExpansion, Expansions: !noExpansion}
		res, err := searchAs(ctx, db, kb, h, p, req.Query, q)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, res)
	}
}

// searchAs searches the guidance as p (POST /api/kb/search and the MCP
// tool search_guidance). The query is masked first (it may name people):
// offline, masking and the search share one transaction (the masked text is
// still what gets searched, and what a content gap would record); with an
// embedding model, the masked text is what the provider embeds, and no
// transaction stays open across that call.
func searchAs(ctx context.Context, db *tenant.DB, kb *knowledge.Base, h *history.Store, p tenant.Principal, text string, q knowledge.Query) (knowledge.Result, error) {
	scope := db.Scope(p)
	mask := func(tx pgx.Tx) error {
		masked, _, err := h.Mask(ctx, tx, p.Language, uuid.Nil, text)
		if err == nil {
			q.Text = masked[0].String()
		}
		return err
	}
	if _, ok := kb.Embedding(); !ok {
		q.LexicalOnly = true
		var res knowledge.Result
		err := scope.InTx(ctx, func(tx pgx.Tx) error {
			if err := mask(tx); err != nil {
				return err
			}
			rs, err := kb.SearchIn(ctx, tx, q)
			if err == nil {
				res = rs[0]
			}
			return err
		})
		return res, err
	}
	if err := scope.InTx(ctx, mask); err != nil {
		return knowledge.Result{}, err
	}
	return kb.Search(ctx, scope, q)
}
