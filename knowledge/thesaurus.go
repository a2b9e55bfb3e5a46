package knowledge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A thesaurus rule expands a query with the words guidance uses for what
// the manager said in other words. Rules are written in Solr's synonym
// format, one per line:
//
//	褒める, 称賛, 承認          equivalent: any of them adds the others
//	無茶振り, 丸投げ => 期待, 役割  one way: the left adds the right
//
// An expression on the left matches a query that holds all its terms (as
// the analyzer cuts them, in any order). Each expression added weighs at
// most Weight (below 1) of what the matched words weigh, so a chunk with
// the expansion instead of the query's words scores less than one with
// the words: an expansion helps a passage in other words, and cannot
// outrank an exact match.
type Rule struct {
	ID         uuid.UUID `json:"id"`
	Rule       string    `json:"rule"` // as stored: "a, b => c"
	From       []string  `json:"from"`
	To         []string  `json:"to"`
	Equivalent bool      `json:"equivalent"`
	Weight     float64   `json:"weight"`
	Starter    bool      `json:"starter"`
	Hidden     bool      `json:"hidden"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// RuleInput is a rule as a curator writes it.
type RuleInput struct {
	Rule   string  `json:"rule"`
	Weight float64 `json:"weight"` // 0 for the default
}

const (
	// DefaultRuleWeight is what an expansion weighs next to the words that
	// matched, unless a rule says otherwise.
	DefaultRuleWeight = 0.5
	// MaxRuleWeight keeps an expansion below an exact match.
	MaxRuleWeight = 0.9
	maxRuleLen    = 1000
	maxRuleExprs  = 20
	maxExprLen    = 100
)

// parsedRule is a rule line split into its expressions.
type parsedRule struct {
	from, to   []string
	equivalent bool
}

// text is the rule in its stored form: expressions normalized, separated
// by ", " and " => ".
func (p parsedRule) text() string {
	if p.equivalent {
		return strings.Join(p.from, ", ")
	}
	return strings.Join(p.from, ", ") + " => " + strings.Join(p.to, ", ")
}

// parseRule reads one rule line.
func parseRule(line string) (parsedRule, error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return parsedRule{}, fmt.Errorf("%w: the rule is empty", ErrInvalid)
	}
	if len(line) > maxRuleLen {
		return parsedRule{}, fmt.Errorf("%w: a rule is at most %d bytes", ErrInvalid, maxRuleLen)
	}
	sides := strings.Split(line, "=>")
	switch len(sides) {
	case 1:
		exprs, err := splitExprs(sides[0])
		if err != nil {
			return parsedRule{}, err
		}
		if len(exprs) < 2 {
			return parsedRule{}, fmt.Errorf("%w: %q: an equivalence names at least two expressions (a, b), or use a => b", ErrInvalid, line)
		}
		return parsedRule{from: exprs, to: exprs, equivalent: true}, nil
	case 2:
		from, err := splitExprs(sides[0])
		if err != nil {
			return parsedRule{}, err
		}
		to, err := splitExprs(sides[1])
		if err != nil {
			return parsedRule{}, err
		}
		if len(from) == 0 || len(to) == 0 {
			return parsedRule{}, fmt.Errorf("%w: %q: both sides of => need an expression", ErrInvalid, line)
		}
		return parsedRule{from: from, to: to}, nil
	default:
		return parsedRule{}, fmt.Errorf("%w: %q: at most one => per rule", ErrInvalid, line)
	}
}

// splitExprs splits one side at commas (ASCII or Japanese), folding
// spaces and dropping repeats.
func splitExprs(s string) ([]string, error) {
	var out []string
	for e := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ',' || r == '、' || r == '，' }) {
		e = strings.Join(strings.Fields(e), " ")
		if e == "" {
			continue
		}
		if len(e) > maxExprLen {
			return nil, fmt.Errorf("%w: %q: an expression is at most %d bytes", ErrInvalid, e, maxExprLen)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if len(out) > maxRuleExprs {
		return nil, fmt.Errorf("%w: at most %d expressions on a side", ErrInvalid, maxRuleExprs)
	}
	return out, nil
}

// ParseThesaurus reads a thesaurus file (rules, # comments, blank lines)
// and returns its rules in stored form; an error names the line. A comment
// "# weight 0.7" gives the next rule a weight of its own.
func ParseThesaurus(text string) ([]RuleInput, error) {
	var rules []RuleInput
	weight := 0.0
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if w, ok := strings.CutPrefix(line, "# weight "); ok {
			if _, err := fmt.Sscanf(w, "%g", &weight); err != nil {
				return nil, fmt.Errorf("line %d: %w: %q is not a weight", i+1, ErrInvalid, w)
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, err := parseRule(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		in := RuleInput{Rule: p.text(), Weight: weight}
		weight = 0
		if !slices.ContainsFunc(rules, func(r RuleInput) bool { return r.Rule == in.Rule }) {
			rules = append(rules, in)
		}
	}
	return rules, nil
}

// analyzedExpr is an expression with the terms the analyzer finds in it.
type analyzedExpr struct {
	side  string
	ord   int
	expr  string
	terms []string
	idx   []int32
}

// analyzeRule cuts every expression of p into terms; an expression the
// analyzer finds no term in (only particles or stop words) is refused, as
// it could never match.
func (b *Base) analyzeRule(p parsedRule) ([]analyzedExpr, error) {
	var out []analyzedExpr
	add := func(side string, exprs []string) error {
		for i, e := range exprs {
			terms, idx := b.distinctTerms(e)
			if len(terms) == 0 {
				return fmt.Errorf("%w: %q has no word search can match (only particles or stop words)", ErrInvalid, e)
			}
			out = append(out, analyzedExpr{side: side, ord: i, expr: e, terms: terms, idx: idx})
		}
		return nil
	}
	if err := add("f", p.from); err != nil {
		return nil, err
	}
	if err := add("t", p.to); err != nil {
		return nil, err
	}
	return out, nil
}

const ruleColumns = `t.id, t.rule, t.weight::float8 AS weight, t.updated_at,
	t.org_id = '00000000-0000-0000-0000-000000000000' AS starter,
	EXISTS (SELECT FROM kb_thesaurus_hidden h WHERE h.entry_id = t.id) AS hidden`

type ruleRow struct {
	ID        uuid.UUID
	Rule      string
	Weight    float64
	UpdatedAt time.Time
	Starter   bool
	Hidden    bool
}

func (r ruleRow) rule() Rule {
	p, _ := parseRule(r.Rule) // stored rules were parsed on the way in
	return Rule{ID: r.ID, Rule: r.Rule, From: p.from, To: p.to, Equivalent: p.equivalent,
		Weight: r.Weight, Starter: r.Starter, Hidden: r.Hidden, UpdatedAt: r.UpdatedAt}
}

// Thesaurus lists the rules the caller's organization sees: its own, then
// the starter pack's (hidden ones flagged), each in rule order.
func (b *Base) Thesaurus(ctx context.Context, tx pgx.Tx) ([]Rule, error) {
	rows, _ := tx.Query(ctx, `SELECT `+ruleColumns+` FROM kb_thesaurus t
		ORDER BY t.org_id = '00000000-0000-0000-0000-000000000000', t.rule`)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[ruleRow])
	if err != nil {
		return nil, fmt.Errorf("list thesaurus: %w", err)
	}
	out := make([]Rule, len(rs))
	for i, r := range rs {
		out[i] = r.rule()
	}
	return out, nil
}

// GetRule returns one rule the caller sees.
func (b *Base) GetRule(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Rule, error) {
	rows, _ := tx.Query(ctx, `SELECT `+ruleColumns+` FROM kb_thesaurus t WHERE t.id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ruleRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return Rule{}, fmt.Errorf("thesaurus rule %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("get thesaurus rule: %w", err)
	}
	return r.rule(), nil
}

// checkRule parses and analyzes a rule input.
func (b *Base) checkRule(in RuleInput) (string, float64, []analyzedExpr, error) {
	p, err := parseRule(in.Rule)
	if err != nil {
		return "", 0, nil, err
	}
	w := in.Weight
	if w == 0 {
		w = DefaultRuleWeight
	}
	if w < 0.05 || w > MaxRuleWeight {
		return "", 0, nil, fmt.Errorf("%w: a rule's weight is between 0.05 and %.1f: an expansion cannot weigh as much as the words themselves", ErrInvalid, MaxRuleWeight)
	}
	exprs, err := b.analyzeRule(p)
	if err != nil {
		return "", 0, nil, err
	}
	return p.text(), w, exprs, nil
}

// AddRule adds a rule to orgID's thesaurus.
func (b *Base) AddRule(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, author *uuid.UUID, in RuleInput) (Rule, error) {
	text, w, exprs, err := b.checkRule(in)
	if err != nil {
		return Rule{}, err
	}
	var id uuid.UUID
	err = tx.QueryRow(ctx, `INSERT INTO kb_thesaurus (org_id, rule, weight, analyzer_version, updated_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, orgID, text, w, AnalyzerVersion, author).Scan(&id)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return Rule{}, fmt.Errorf("%w: the thesaurus already has %q", ErrConflict, text)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("add thesaurus rule: %w", err)
	}
	if err := writeExprs(ctx, tx, orgID, id, exprs); err != nil {
		return Rule{}, err
	}
	return b.GetRule(ctx, tx, id)
}

// UpdateRule rewrites one of the organization's rules; starter rules are
// read-only (hide one and add your own).
func (b *Base) UpdateRule(ctx context.Context, tx pgx.Tx, id uuid.UUID, author *uuid.UUID, in RuleInput) (Rule, error) {
	cur, err := b.GetRule(ctx, tx, id)
	if err != nil {
		return Rule{}, err
	}
	if cur.Starter {
		return Rule{}, fmt.Errorf("%w: starter rules cannot be edited; hide it and add your own", ErrReadOnly)
	}
	text, w, exprs, err := b.checkRule(in)
	if err != nil {
		return Rule{}, err
	}
	var orgID uuid.UUID
	err = tx.QueryRow(ctx, `UPDATE kb_thesaurus SET rule = $2, weight = $3, analyzer_version = $4, updated_by = $5, updated_at = now()
		WHERE id = $1 RETURNING org_id`, id, text, w, AnalyzerVersion, author).Scan(&orgID)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return Rule{}, fmt.Errorf("%w: the thesaurus already has %q", ErrConflict, text)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("update thesaurus rule: %w", err)
	}
	if err := writeExprs(ctx, tx, orgID, id, exprs); err != nil {
		return Rule{}, err
	}
	return b.GetRule(ctx, tx, id)
}

// DeleteRule removes one of the organization's rules.
func (b *Base) DeleteRule(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	cur, err := b.GetRule(ctx, tx, id)
	if err != nil {
		return err
	}
	if cur.Starter {
		return fmt.Errorf("%w: starter rules cannot be deleted; hide it instead", ErrReadOnly)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM kb_thesaurus WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete thesaurus rule: %w", err)
	}
	return nil
}

// SetRuleHidden hides a starter rule from orgID's searches, or shows it
// again.
func (b *Base) SetRuleHidden(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID, hidden bool) (Rule, error) {
	cur, err := b.GetRule(ctx, tx, id)
	if err != nil {
		return Rule{}, err
	}
	if !cur.Starter {
		return Rule{}, fmt.Errorf("%w: only starter rules can be hidden; delete your own instead", ErrInvalid)
	}
	if hidden {
		_, err = tx.Exec(ctx, `INSERT INTO kb_thesaurus_hidden (org_id, entry_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, orgID, id)
	} else {
		_, err = tx.Exec(ctx, `DELETE FROM kb_thesaurus_hidden WHERE org_id = $1 AND entry_id = $2`, orgID, id)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("hide thesaurus rule: %w", err)
	}
	return b.GetRule(ctx, tx, id)
}

// writeExprs replaces a rule's analyzed expressions.
func writeExprs(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID, exprs []analyzedExpr) error {
	batch := &pgx.Batch{}
	batch.Queue(`DELETE FROM kb_thesaurus_exprs WHERE org_id = $1 AND entry_id = $2`, orgID, id)
	for _, e := range exprs {
		batch.Queue(`INSERT INTO kb_thesaurus_exprs (org_id, entry_id, side, ord, expr, terms, idx, head)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, orgID, id, e.side, e.ord, e.expr, e.terms, e.idx, e.terms[0])
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("index thesaurus rule: %w", err)
	}
	return nil
}

// ThesaurusImport says what ImportThesaurus did.
type ThesaurusImport struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"` // a new weight
	Unchanged int `json:"unchanged"`
	Removed   int `json:"removed"`
}

// ImportThesaurus adds the rules of a thesaurus file to orgID's; with
// replace, the organization's rules not in the file are removed, so the
// file becomes its thesaurus. Every line is checked before anything is
// written.
func (b *Base) ImportThesaurus(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, author *uuid.UUID, text string, replace bool) (ThesaurusImport, error) {
	rules, err := ParseThesaurus(text)
	if err != nil {
		return ThesaurusImport{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	checked := make([][]analyzedExpr, len(rules))
	texts := make([]string, len(rules))
	for i, r := range rules {
		if texts[i], rules[i].Weight, checked[i], err = b.checkRule(r); err != nil {
			return ThesaurusImport{}, err
		}
	}
	var st ThesaurusImport
	if replace {
		tag, err := tx.Exec(ctx, `DELETE FROM kb_thesaurus WHERE org_id = $1 AND NOT rule = ANY ($2)`, orgID, texts)
		if err != nil {
			return st, fmt.Errorf("import thesaurus: %w", err)
		}
		st.Removed = int(tag.RowsAffected())
	}
	for i, r := range rules {
		var id uuid.UUID
		var added bool
		err := tx.QueryRow(ctx, `INSERT INTO kb_thesaurus (org_id, rule, weight, analyzer_version, updated_by)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id, rule) DO UPDATE SET weight = EXCLUDED.weight, updated_by = EXCLUDED.updated_by, updated_at = now()
				WHERE kb_thesaurus.weight <> EXCLUDED.weight
			RETURNING id, xmax = 0`, orgID, texts[i], r.Weight, AnalyzerVersion, author).Scan(&id, &added)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			st.Unchanged++
			continue
		case err != nil:
			return st, fmt.Errorf("import thesaurus: %w", err)
		case !added:
			st.Updated++
			continue
		}
		if err := writeExprs(ctx, tx, orgID, id, checked[i]); err != nil {
			return st, err
		}
		st.Added++
	}
	return st, nil
}

// FormatThesaurus writes rules as a thesaurus file ImportThesaurus reads
// back; a rule with a weight of its own says so in a comment above it.
func FormatThesaurus(rules []Rule) string {
	var sb strings.Builder
	sb.WriteString("# Taiwa thesaurus: \"a, b, c\" are equivalent; \"x => a, b\" expands x to a and b.\n")
	for _, r := range rules {
		if r.Weight != DefaultRuleWeight {
			fmt.Fprintf(&sb, "# weight %.2f\n", r.Weight)
		}
		sb.WriteString(r.Rule)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// reanalyzeRules re-cuts the expressions of rules an older analyzer cut, a
// few hundred per transaction; db must see every organization.
func (b *Base) reanalyzeRules(ctx context.Context, db DB) (int, error) {
	n := 0
	for {
		done := 0
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT org_id, id, rule FROM kb_thesaurus WHERE analyzer_version <> $1
				ORDER BY org_id, id LIMIT 200 FOR UPDATE SKIP LOCKED`, AnalyzerVersion)
			type stale struct {
				OrgID, ID uuid.UUID
				Rule      string
			}
			rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[stale])
			if err != nil {
				return err
			}
			for _, r := range rs {
				p, err := parseRule(r.Rule)
				if err != nil {
					return err
				}
				exprs, err := b.analyzeRule(p)
				if err != nil {
					// The new analyzer finds no term in an expression: the
					// rule stays as it was indexed rather than block start.
					b.logger.WarnContext(ctx, "thesaurus rule no longer analyzable", "rule", r.Rule, "error", err.Error())
				} else if err := writeExprs(ctx, tx, r.OrgID, r.ID, exprs); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `UPDATE kb_thesaurus SET analyzer_version = $3 WHERE org_id = $1 AND id = $2`, r.OrgID, r.ID, AnalyzerVersion); err != nil {
					return err
				}
			}
			done = len(rs)
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("reanalyze thesaurus: %w", err)
		}
		n += done
		if done == 0 {
			return n, nil
		}
	}
}
