package knowledge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The retrieval test suite curators own: questions with the documents that
// should answer them, run on demand and after every publish once the
// organization has run it, with each run's hit@3 and MRR kept. A change
// that would make a passing question fail is refused until confirmed
// (ErrBreaksChecks). The starter pack ships its own questions
// (starter/checks.jsonl), which are the project's retrieval set too.

// ErrBreaksChecks: the change would make questions that passed the last
// run fail; it goes through only when confirmed.
var ErrBreaksChecks = errors.New("would break retrieval checks")

// Check is one question of the suite.
type Check struct {
	ID        uuid.UUID   `json:"id"`
	Question  string      `json:"question"`
	Language  string      `json:"language"`
	Documents []uuid.UUID `json:"documents"`
	Starter   bool        `json:"starter"`
	CreatedAt time.Time   `json:"created_at"`
}

// CheckResult is where a check's first expected document ranked among the
// documents retrieved (1 is best; 0: not in the top 10).
type CheckResult struct {
	CheckID uuid.UUID `json:"check_id"`
	Rank    int       `json:"rank"`
}

// Passed says an expected document was in the top 3.
func (r CheckResult) Passed() bool { return r.Rank >= 1 && r.Rank <= 3 }

// Run is one run of the suite.
type Run struct {
	ID         uuid.UUID     `json:"id"`
	Trigger    string        `json:"trigger"` // manual or publish
	DocumentID *uuid.UUID    `json:"document_id"`
	Checks     int           `json:"checks"`
	Hits       int           `json:"hits"`
	HitAt3     float64       `json:"hit_at_3"`
	MRR        float64       `json:"mrr"`
	Results    []CheckResult `json:"results,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
}

const (
	maxChecks   = 2000
	checkDepth  = 10 // documents a check looks through
	passingRank = 3
)

// Checks lists the suite: the organization's questions, then the starter
// pack's whose documents are all still shown (a hidden starter document
// takes its questions with it).
func (b *Base) Checks(ctx context.Context, tx pgx.Tx) ([]Check, error) {
	rows, _ := tx.Query(ctx, `
		SELECT c.id, c.question, c.language, c.documents, c.org_id = $1, c.created_at
		FROM retrieval_checks c
		WHERE c.org_id <> $1
		   OR NOT EXISTS (SELECT FROM unnest(c.documents) d(id)
		                  WHERE NOT EXISTS (SELECT FROM documents x WHERE x.id = d.id AND x.status = 'published')
		                     OR EXISTS (SELECT FROM kb_hidden h WHERE h.document_id = d.id))
		ORDER BY c.org_id = $1, c.created_at, c.id`, StarterOrg)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Check])
	if err != nil {
		return nil, fmt.Errorf("retrieval checks: %w", err)
	}
	return nonNil(cs), nil
}

// AddCheck adds a question to the organization's suite.
func (b *Base) AddCheck(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, question, lang string, docs []uuid.UUID) (Check, error) {
	question = strings.Join(strings.Fields(question), " ")
	if question == "" || utf8.RuneCountInString(question) > 1000 {
		return Check{}, fmt.Errorf("%w: a question is 1 to 1000 characters", ErrInvalid)
	}
	if lang != "ja" && lang != "en" {
		return Check{}, fmt.Errorf("%w: language is ja or en", ErrInvalid)
	}
	slices.SortFunc(docs, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	docs = slices.Compact(docs)
	if len(docs) == 0 || len(docs) > 10 {
		return Check{}, fmt.Errorf("%w: name 1 to 10 documents that should answer it", ErrInvalid)
	}
	var found, n int
	err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM documents WHERE id = ANY($1)), (SELECT count(*) FROM retrieval_checks WHERE org_id = $2)`,
		docs, orgID).Scan(&found, &n)
	if err != nil {
		return Check{}, fmt.Errorf("add check: %w", err)
	}
	if found != len(docs) {
		return Check{}, fmt.Errorf("%w: no such document", ErrNotFound)
	}
	if n >= maxChecks {
		return Check{}, fmt.Errorf("%w: at most %d questions", ErrInvalid, maxChecks)
	}
	c := Check{ID: uuid.Must(uuid.NewV7()), Question: question, Language: lang, Documents: docs}
	err = tx.QueryRow(ctx, `INSERT INTO retrieval_checks (org_id, id, question, language, documents) VALUES ($1, $2, $3, $4, $5)
		RETURNING created_at`, orgID, c.ID, question, lang, docs).Scan(&c.CreatedAt)
	if err != nil {
		return Check{}, fmt.Errorf("add check: %w", err)
	}
	return c, nil
}

// DeleteCheck removes one of the organization's questions.
func (b *Base) DeleteCheck(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID) error {
	tag, err := tx.Exec(ctx, `DELETE FROM retrieval_checks WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return fmt.Errorf("delete check: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: no such question of this organization", ErrNotFound)
	}
	return nil
}

// CheckVectors embeds the suite's questions, before a transaction runs it
// (no model is called with a transaction open). Without an embedding
// model, or when it fails, the suite runs lexical-only: nil.
func (b *Base) CheckVectors(ctx context.Context, db DB) map[string][]float32 {
	if _, ok := b.Embedding(); !ok {
		return nil
	}
	var cs []Check
	if err := db.InTx(ctx, func(tx pgx.Tx) (err error) { cs, err = b.Checks(ctx, tx); return err }); err != nil {
		return nil
	}
	texts := make([]string, len(cs))
	for i, c := range cs {
		texts[i] = c.Question
	}
	vecs, err := b.QueryVectors(ctx, texts)
	if err != nil {
		return nil
	}
	out := make(map[string][]float32, len(cs))
	for i, t := range texts {
		out[t] = vecs[i]
	}
	return out
}

// evaluate runs checks in tx, as the knowledge base stands in it.
func (b *Base) evaluate(ctx context.Context, tx pgx.Tx, cs []Check, vecs map[string][]float32) ([]CheckResult, error) {
	qs := make([]Query, len(cs))
	for i, c := range cs {
		qs[i] = Query{Text: c.Question, Language: c.Language, K: 50, Vector: vecs[c.Question]}
		qs[i].LexicalOnly = qs[i].Vector == nil
	}
	res, err := b.SearchIn(ctx, tx, qs...)
	if err != nil {
		return nil, err
	}
	out := make([]CheckResult, len(cs))
	for i, c := range cs {
		out[i] = CheckResult{CheckID: c.ID, Rank: rankOf(res[i].Hits, c.Documents)}
	}
	return out, nil
}

// rankOf is the rank, among the distinct documents of hits, of the first
// of want (0: not among the first checkDepth).
func rankOf(hits []Hit, want []uuid.UUID) int {
	var seen []uuid.UUID
	for _, h := range hits {
		if slices.Contains(seen, h.DocumentID) {
			continue
		}
		seen = append(seen, h.DocumentID)
		if len(seen) > checkDepth {
			return 0
		}
		if slices.Contains(want, h.DocumentID) {
			return len(seen)
		}
	}
	return 0
}

// RunChecks runs the organization's suite and keeps the run.
func (b *Base) RunChecks(ctx context.Context, db DB, orgID uuid.UUID, trigger string, doc *uuid.UUID) (Run, error) {
	vecs := b.CheckVectors(ctx, db)
	var r Run
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		cs, err := b.Checks(ctx, tx)
		if err != nil {
			return err
		}
		results, err := b.evaluate(ctx, tx, cs, vecs)
		if err != nil {
			return err
		}
		r = summarize(results)
		r.ID, r.Trigger, r.DocumentID = uuid.Must(uuid.NewV7()), trigger, doc
		return tx.QueryRow(ctx, `INSERT INTO retrieval_runs (org_id, id, trigger, document_id, checks, hits, mrr, results)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING created_at`,
			orgID, r.ID, trigger, doc, r.Checks, r.Hits, r.MRR, results).Scan(&r.CreatedAt)
	})
	if err != nil {
		return Run{}, fmt.Errorf("retrieval checks: %w", err)
	}
	return r, nil
}

func summarize(results []CheckResult) Run {
	r := Run{Checks: len(results), Results: results}
	var rr float64
	for _, x := range results {
		if x.Passed() {
			r.Hits++
		}
		if x.Rank > 0 {
			rr += 1 / float64(x.Rank)
		}
	}
	r.HitAt3 = r.hitAt3()
	if r.Checks > 0 {
		r.MRR = round3(rr / float64(r.Checks))
	}
	return r
}

// hitAt3 is the share of checks that passed.
func (r Run) hitAt3() float64 {
	if r.Checks == 0 {
		return 0
	}
	return round3(float64(r.Hits) / float64(r.Checks))
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// Runs lists the organization's last runs, newest first, without their
// per-question results but the newest's.
func (b *Base) Runs(ctx context.Context, tx pgx.Tx, limit int) ([]Run, error) {
	rows, _ := tx.Query(ctx, `SELECT id, trigger, document_id, checks, hits, mrr, results, created_at
		FROM retrieval_runs ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	runs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Run, error) {
		var r Run
		err := row.Scan(&r.ID, &r.Trigger, &r.DocumentID, &r.Checks, &r.Hits, &r.MRR, &r.Results, &r.CreatedAt)
		r.HitAt3 = r.hitAt3()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("retrieval runs: %w", err)
	}
	for i := 1; i < len(runs); i++ {
		runs[i].Results = nil
	}
	return nonNil(runs), nil
}

// Regressions returns the questions that passed the organization's last
// run and fail as the knowledge base stands in tx (after a change not yet
// committed). Without a run there is nothing to compare with.
func (b *Base) Regressions(ctx context.Context, tx pgx.Tx, vecs map[string][]float32) ([]Check, error) {
	var last []CheckResult
	err := tx.QueryRow(ctx, `SELECT results FROM retrieval_runs ORDER BY created_at DESC, id DESC LIMIT 1`).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("retrieval checks: %w", err)
	}
	passed := map[uuid.UUID]bool{}
	for _, r := range last {
		passed[r.CheckID] = r.Passed()
	}
	cs, err := b.Checks(ctx, tx)
	if err != nil {
		return nil, err
	}
	cs = slices.DeleteFunc(cs, func(c Check) bool { return !passed[c.ID] })
	// A passing check whose expected documents the change removed is
	// gone from the suite (Checks), and fails: look at those too.
	rows, _ := tx.Query(ctx, `SELECT id, question, language, documents, org_id = $1, created_at FROM retrieval_checks
		WHERE id = ANY($2) AND NOT id = ANY($3)`, StarterOrg, keysOf(passed), idsOf(cs))
	gone, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Check])
	if err != nil {
		return nil, fmt.Errorf("retrieval checks: %w", err)
	}
	results, err := b.evaluate(ctx, tx, cs, vecs)
	if err != nil {
		return nil, err
	}
	var broken []Check
	for i, r := range results {
		if !r.Passed() {
			broken = append(broken, cs[i])
		}
	}
	return append(broken, gone...), nil
}

func keysOf(m map[uuid.UUID]bool) []uuid.UUID {
	var out []uuid.UUID
	for id, ok := range m {
		if ok {
			out = append(out, id)
		}
	}
	return out
}

func idsOf(cs []Check) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// BreaksChecks is the error for a change that breaks checks: their
// questions, a few of them.
func BreaksChecks(broken []Check) error {
	qs := make([]string, 0, 3)
	for _, c := range broken[:min(len(broken), 3)] {
		qs = append(qs, "「"+c.Question+"」")
	}
	more := ""
	if len(broken) > 3 {
		more = fmt.Sprintf(" (and %d more)", len(broken)-3)
	}
	return fmt.Errorf("%w: %d questions that found their guidance in the top 3 would not: %s%s",
		ErrBreaksChecks, len(broken), strings.Join(qs, " "), more)
}

// starterCheck is a line of starter/checks.jsonl.
type starterCheck struct {
	ID       string   `json:"id"`
	Language string   `json:"lang"`
	Query    string   `json:"query"`
	Relevant []string `json:"relevant"` // starter keys
	Topic    string   `json:"topic"`    // when none: any document of the topic, in the language
}

// syncStarterChecks makes the starter organization's checks those of
// starter/checks.jsonl, each naming the starter documents by key.
func (b *Base) syncStarterChecks(ctx context.Context, tx pgx.Tx) error {
	data, err := starterFS.ReadFile("starter/checks.jsonl")
	if err != nil {
		return err
	}
	var keys []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var c starterCheck
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return fmt.Errorf("starter checks: %w", err)
		}
		keys = append(keys, c.ID)
		if c.Relevant == nil {
			c.Relevant = []string{} // not NULL: the topic question's cardinality is 0
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO retrieval_checks (org_id, id, question, language, documents, starter_key)
			SELECT $1, gen_random_uuid(), $2, $3, array_agg(d.id ORDER BY d.id), $4
			FROM documents d
			WHERE d.org_id = $1 AND (d.starter_key = ANY($5)
			      OR cardinality($5::text[]) = 0 AND $6 = ANY(d.topics) AND d.language = $3)
			HAVING count(*) > 0
			ON CONFLICT (org_id, starter_key) WHERE starter_key IS NOT NULL
			DO UPDATE SET question = excluded.question, language = excluded.language, documents = excluded.documents`,
			StarterOrg, c.Query, c.Language, c.ID, c.Relevant, c.Topic)
		if err != nil {
			return fmt.Errorf("starter check %s: %w", c.ID, err)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM retrieval_checks WHERE org_id = $1 AND starter_key IS NOT NULL AND NOT starter_key = ANY($2)`,
		StarterOrg, keys)
	return err
}
