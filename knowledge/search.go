package knowledge

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// Query is a retrieval request.
type Query struct {
	Text     string
	Language string   // "" for any
	Topics   []string // any of them; nil for all
	K        int      // results wanted (default 5, at most 50)
	// Candidates each retriever contributes to the fusion (default and
	// minimum 50).
	Candidates int
	// MinCoverage is the share of the query's IDF weight a lexical match
	// must cover to count (default 0.15).
	MinCoverage float64
	// MinSimilarity is the cosine similarity a vector match must reach
	// (default 0.35).
	MinSimilarity float64
	// Vector is the query's embedding when the caller already has it
	// (from QueryVectors); LexicalOnly skips the vector retriever, for a
	// caller whose QueryVectors just failed. Otherwise Search embeds Text.
	Vector      []float32
	LexicalOnly bool
	// NoExpansion searches the query's own words, without the thesaurus;
	// Expansions asks for what the thesaurus added (Result.Expansions), for
	// a curator trying a query.
	NoExpansion bool
	Expansions  bool
}

// Expansion is an expression a thesaurus rule added to a query, with the
// weight it had in all (the query's words weigh their IDF each).
type Expansion struct {
	RuleID uuid.UUID `json:"rule_id"`
	From   []string  `json:"from"`
	To     string    `json:"to"`
	Weight float64   `json:"weight"`
	// Share is Weight over the weight of the query's words that matched:
	// at most the rule's weight.
	Share float64 `json:"share"`
}

// Hit is one retrieved chunk with the score of each retriever that found it.
type Hit struct {
	ChunkID     uuid.UUID `json:"chunk_id"`
	DocumentID  uuid.UUID `json:"document_id"`
	DocVersion  int       `json:"doc_version"`
	Title       string    `json:"title"`
	HeadingPath []string  `json:"heading_path"`
	Text        string    `json:"text"`
	Language    string    `json:"language"`
	Topics      []string  `json:"topics"`
	Starter     bool      `json:"starter"`
	Score       float64   `json:"score"` // reciprocal rank fusion
	// Lexical is the BM25 score and LexicalRank its rank (nil when the
	// lexical retriever did not find the chunk); Coverage is the share of
	// the query's IDF weight the chunk matched.
	Lexical     *float64 `json:"lexical"`
	LexicalRank *int     `json:"lexical_rank"`
	Coverage    *float64 `json:"coverage"`
	// Dense is the cosine similarity and DenseRank its rank (nil when the
	// vector retriever did not find it or is not configured).
	Dense     *float64 `json:"dense"`
	DenseRank *int     `json:"dense_rank"`
	// Expanded are the thesaurus expressions the chunk matched.
	Expanded []string `json:"expanded"`
	// approximate is Result.Approximate, on every row.
	Approximate bool `json:"-"`
}

// Result is what Search returns.
type Result struct {
	Hits []Hit `json:"hits"`
	// Retrievers that ran: "lexical", and "dense" when an embedding model
	// is configured. Offline mode is lexical only.
	Retrievers []string `json:"retrievers"`
	Model      string   `json:"model,omitempty"`
	// Degraded names what was left out: "dense" when an embedding model
	// is configured but could not embed the query, so the hits are the
	// lexical retriever's alone.
	Degraded string `json:"degraded,omitempty"`
	// Expansions is what the thesaurus added, when Query.Expansions asked.
	Expansions []Expansion `json:"expansions,omitempty"`
	// Approximate says the lexical retriever's candidates came from its
	// nearest-neighbour index: the query's words were too common in a
	// large knowledge base to read every posting (see lexicalSQL).
	Approximate bool `json:"approximate,omitempty"`
}

const (
	// rrfK is the k of reciprocal rank fusion, the usual 60.
	rrfK = 60
	// postingsDepth is how many of each query term's best chunks (per
	// organization) the lexical retriever reads first; it reads every
	// posting of the terms only when those could have missed a chunk.
	postingsDepth = 100
	// fullPostings is how many postings the query's terms may have in all
	// for the lexical retriever to read them all when the first ones do not
	// settle its result (about 10 ms); above it, its candidates come from
	// the nearest-neighbour index, annCandidates of them.
	fullPostings  = 10_000
	annCandidates = 100
)

// searchSQL fuses BM25 and vector search in one statement.
//
//   - idf, qv (queryTermsSQL): the query terms and the thesaurus's
//     expansions with their weights, idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
//     and as a sparsevec, so that the inner product with a chunk's stored
//     BM25 weights is the chunk's BM25 score;
//   - lexical: the best BM25 chunks from the postings (see lexicalSQL),
//     with coverage = matched IDF / total IDF; a chunk must cover enough of
//     the query and, for queries of three terms or more, share at least two
//     of them: one common word is not an answer. The lexical rank is
//     BM25 × √coverage, so a passage that repeats one term does not outrank
//     one that answers more of the question;
//   - dense: nearest chunks by cosine distance in the model's vectors (an
//     HNSW index per model when there is one; iterative scans keep filters
//     from starving the result);
//   - fused: RRF, score = sum over retrievers of 1 / (60 + rank).
//
// Weak matches (coverage or similarity below the thresholds) are dropped
// before fusion. The dense part is built for the model's dimensions, which
// must appear as a literal for the index to be used.
func searchSQL(dims int) string {
	dense := `SELECT NULL::uuid AS org_id, NULL::uuid AS id, NULL::float8 AS score, NULL::bigint AS rank WHERE false`
	if dims > 0 {
		d := strconv.Itoa(dims)
		dense = `SELECT org_id, id, score, row_number() OVER (ORDER BY dist, id) AS rank FROM (
			SELECT e.org_id, e.chunk_id AS id, (e.embedding::vector(` + d + `) <=> @qemb::vector(` + d + `)) AS dist,
				1 - (e.embedding::vector(` + d + `) <=> @qemb::vector(` + d + `)) AS score
			FROM chunk_embeddings e
			JOIN chunks c ON c.org_id = e.org_id AND c.id = e.chunk_id
			WHERE e.model = @model AND e.dims = ` + d + `
			  AND c.status = 'published'
			  AND (@lang = '' OR c.language = @lang)
			  AND (@topics::text[] IS NULL OR c.topics && @topics)
			  AND NOT EXISTS (SELECT FROM kb_hidden h WHERE h.document_id = c.document_id)
			ORDER BY e.embedding::vector(` + d + `) <=> @qemb::vector(` + d + `)
			LIMIT @ncand) v
		WHERE score >= @minsim`
	}
	return `WITH
` + queryTermsSQL + `,
` + lexicalSQL + `,
-- The full lists are read only when the short ones could have missed a
-- chunk and the lists are short enough to read; otherwise the candidates
-- are approximate (ann_top). A CTE no branch reads is never run.
best AS (
	SELECT * FROM fast_top WHERE (SELECT exact FROM fast_check)
	UNION ALL
	SELECT * FROM full_top WHERE NOT (SELECT exact FROM fast_check) AND NOT (SELECT large FROM full_size)
	UNION ALL
	SELECT * FROM ann_top WHERE NOT (SELECT exact FROM fast_check) AND (SELECT large FROM full_size)
),
lexical AS (
	-- Coverage is computed for the top candidates only, after the sort.
	SELECT l.org_id, l.id, l.score, m.coverage, m.expanded, row_number() OVER (ORDER BY l.score * sqrt(m.coverage) DESC, l.id) AS rank
	FROM best l
	CROSS JOIN LATERAL (
		SELECT least(1, coalesce(sum(idf.w), 0) / nullif((SELECT total FROM qv), 0)) AS coverage, count(*) AS matched,
			array_agg(DISTINCT idf.expr ORDER BY idf.expr) FILTER (WHERE NOT idf.orig) AS expanded
		FROM idf WHERE idf.term = ANY (l.terms)) m
	WHERE m.coverage >= @mincov AND m.matched >= @minterms
),
dense AS (` + dense + `),
fused AS (
	SELECT org_id, id, sum(1.0 / (` + strconv.Itoa(rrfK) + ` + rank)) AS rrf,
		max(lex) AS lex, min(lex_rank) AS lex_rank, max(cov) AS cov, max(den) AS den, min(den_rank) AS den_rank, max(expanded) AS expanded
	FROM (
		SELECT org_id, id, rank, score AS lex, rank AS lex_rank, coverage AS cov, NULL::float8 AS den, NULL::bigint AS den_rank, expanded FROM lexical
		UNION ALL
		SELECT org_id, id, rank, NULL, NULL, NULL, score, rank, NULL FROM dense
	) r
	GROUP BY org_id, id
),
-- The best k before any join: the planner cannot estimate how many rows
-- fusion yields, and joined first it read the chunks of every document
-- for each fused row (85 x 50 lookups for one query of the starter pack).
top AS MATERIALIZED (
	SELECT * FROM fused ORDER BY rrf DESC, id LIMIT @k
)
SELECT c.id AS chunk_id, c.document_id, c.doc_version, d.title, c.heading_path, c.text, c.language, c.topics,
	NOT (SELECT exact FROM fast_check) AND (SELECT large FROM full_size) AS approximate,
	c.org_id = '00000000-0000-0000-0000-000000000000' AS starter,
	f.rrf AS score, f.lex AS lexical, f.lex_rank::int AS lexical_rank, f.cov AS coverage,
	f.den AS dense, f.den_rank::int AS dense_rank, coalesce(f.expanded, '{}') AS expanded
FROM top f
JOIN chunks c ON c.org_id = f.org_id AND c.id = f.id
JOIN documents d ON d.org_id = c.org_id AND d.id = c.document_id
ORDER BY f.rrf DESC, c.id`
}

// queryTermsSQL is the query as CTEs: its terms with their IDF over the
// caller's organization and the starter pack (idf), expanded by the
// thesaurus rules whose left side the query holds, and as a sparsevec (qv).
//
// An expression a rule adds weighs, in all, the rule's weight times the
// IDF of the query's words that matched (or its own IDF when that is less),
// shared among its terms in proportion to their IDF: with weight < 1, a
// chunk holding the expansion instead of the words scores less than one
// holding the words. A term the query has itself keeps its own weight.
// qv.total, against which coverage is measured, is the query's own words.
const queryTermsSQL = `q AS (
	SELECT DISTINCT ON (idx) term, idx FROM unnest(@terms::text[], @idx::int[]) AS t(term, idx) ORDER BY idx, term
),
stats AS (
	SELECT greatest(coalesce(sum(chunks), 0), 1)::float8 AS n FROM kb_corpus_stats
),
orgs AS (
	SELECT DISTINCT o AS org_id
	FROM unnest(ARRAY[nullif(current_setting('taiwa.org_id', true), '')::uuid, '00000000-0000-0000-0000-000000000000'::uuid]) AS o
	WHERE o IS NOT NULL
),
qidf AS MATERIALIZED (
	SELECT q.term, q.idx, ln(1 + (s.n - d.df + 0.5) / (d.df + 0.5)) AS w
	FROM q CROSS JOIN stats s
	CROSS JOIN LATERAL (SELECT coalesce(sum(ts.df), 0)::float8 AS df FROM kb_term_stats ts WHERE ts.term = q.term) d
),
syn_match AS MATERIALIZED (
	SELECT e.org_id, e.entry_id, max(t.weight)::float8 AS weight, max(m.w) AS matched,
		array_agg(e.expr ORDER BY e.ord) AS froms
	FROM orgs
	JOIN kb_thesaurus_exprs e ON e.org_id = orgs.org_id AND e.side = 'f' AND e.head = ANY (@terms::text[])
	JOIN kb_thesaurus t ON t.org_id = e.org_id AND t.id = e.entry_id
	CROSS JOIN LATERAL (SELECT sum(qidf.w) AS w FROM qidf WHERE qidf.term = ANY (e.terms)) m
	WHERE @expand::bool AND e.terms <@ @terms::text[]
	  AND NOT EXISTS (SELECT FROM kb_thesaurus_hidden h WHERE h.entry_id = e.entry_id)
	GROUP BY e.org_id, e.entry_id
),
syn_terms AS MATERIALIZED (
	SELECT m.entry_id, m.froms, x.ord, x.expr, m.weight, m.matched, u.term, u.idx,
		ln(1 + (s.n - d.df + 0.5) / (d.df + 0.5)) AS w
	FROM syn_match m
	JOIN kb_thesaurus_exprs x ON x.org_id = m.org_id AND x.entry_id = m.entry_id AND x.side = 't'
	CROSS JOIN LATERAL unnest(x.terms, x.idx) AS u(term, idx)
	CROSS JOIN stats s
	CROSS JOIN LATERAL (SELECT coalesce(sum(ts.df), 0)::float8 AS df FROM kb_term_stats ts WHERE ts.term = u.term) d
),
expansion AS (
	SELECT entry_id, froms, expr, term, idx, matched,
		weight * least(matched, sum(w) OVER (PARTITION BY entry_id, ord)) * w * w / nullif(sum(w * w) OVER (PARTITION BY entry_id, ord), 0) AS w
	FROM syn_terms
),
idf AS MATERIALIZED (
	SELECT DISTINCT ON (idx) term, idx, w, orig, expr FROM (
		SELECT term, idx, w, true AS orig, NULL::text AS expr FROM qidf
		UNION ALL
		SELECT term, idx, w, false, expr FROM expansion WHERE w > 0
	) t ORDER BY idx, orig DESC, w DESC, term
),
qv AS (
	SELECT format('{%s}/%s', string_agg((idx + 1)::text || ':' || w::text, ',' ORDER BY idx), @dim::int)::sparsevec AS v,
		sum(w) FILTER (WHERE orig) AS total
	FROM idf
)`

// expansionsSQL lists what the thesaurus added to a query, for a curator
// trying one.
const expansionsSQL = `WITH
` + queryTermsSQL + `
SELECT entry_id AS rule_id, froms AS "from", expr AS "to", sum(w) AS weight, sum(w) / nullif(max(matched), 0) AS share
FROM expansion
GROUP BY entry_id, froms, expr
HAVING NOT bool_and(term = ANY (@terms::text[]))
ORDER BY sum(w) DESC, expr`

// filtersSQL keeps the published, visible chunks the query asks for; c is
// the chunk.
const filtersSQL = `c.status = 'published'
		  AND (@lang = '' OR c.language = @lang)
		  AND (@topics::text[] IS NULL OR c.topics && @topics)
		  AND NOT EXISTS (SELECT FROM kb_hidden h WHERE h.document_id = c.document_id)`

// lexicalSQL is the BM25 retriever as CTEs: the top @ncand published
// chunks by BM25. It reads the postings of each query term, best weight
// first, which are index scans even under row-level security.
//
// fast_*: the first @depth postings per organization and term. Every chunk
// outside a term's list weighs at most the list's last weight there, so a
// chunk in no list scores at most fast_unseen.bound (the sum over terms of
// IDF × last weight, 0 for a list that holds all of the term's chunks),
// and a chunk in some lists at least what they say (partial) and at most
// that plus the last weights of the other terms (upper). The @rescore
// chunks with the best upper bounds are scored exactly from their
// sparsevec, with the filters; fast_check says the result is exact: the
// last of the top scores is at least every bound left out.
//
// full_*: only when it is not, and the terms have at most @fullmax
// postings in all, every posting of the terms; every sum is then the exact
// score, and chunks are read in that order until @ncand pass the filters.
//
// ann_top: when they have more (a large organization's common words,
// where reading them all took ~70 ms at 100k chunks) and the organization's
// chunks are in the lexical nearest-neighbour index (IndexLexical), the
// candidates are the @anncand chunks nearest the query there (by angle;
// migration 0021) with the fast tier's, scored exactly.
// This is approximate, and says so (Result.Approximate): on the
// benchmark's 100k chunks its top 10 hold ~97% of the exact top 10's score. (A MaxScore pruning of this tier, leaving out of
// candidate generation the terms whose best contributions stay under the
// fast tier's @ncand-th score, was tried: on the benchmark's corpus,
// recombined sentences of a small vocabulary, it left 8 of 10 terms and
// 8,000 chunks to score, and was slower.)
const lexicalSQL = `fast_lists AS MATERIALIZED (
	SELECT orgs.org_id, idf.idx, idf.w AS idf, p.chunk_id, p.weight
	FROM orgs CROSS JOIN idf CROSS JOIN LATERAL (
		SELECT p.chunk_id, p.weight FROM chunk_postings p
		WHERE p.org_id = orgs.org_id AND p.term = idf.idx
		ORDER BY p.weight DESC LIMIT @depth::int) p
),
fast_rest AS (
	SELECT org_id, idx, CASE WHEN count(*) >= @depth::int THEN min(weight) * min(idf) ELSE 0 END AS rest
	FROM fast_lists GROUP BY org_id, idx
),
fast_unseen AS (
	SELECT org_id, sum(rest) AS bound FROM fast_rest GROUP BY org_id
),
fast_ranked AS MATERIALIZED (
	SELECT l.org_id, l.chunk_id, sum(l.idf * l.weight) + max(u.bound) - sum(r.rest) AS upper,
		row_number() OVER (ORDER BY sum(l.idf * l.weight) + max(u.bound) - sum(r.rest) DESC, sum(l.idf * l.weight) DESC, l.chunk_id) AS pos
	FROM fast_lists l
	JOIN fast_rest r ON r.org_id = l.org_id AND r.idx = l.idx
	JOIN fast_unseen u ON u.org_id = l.org_id
	GROUP BY l.org_id, l.chunk_id
),
fast_top AS MATERIALIZED (
	SELECT c.org_id, c.id, c.terms, -(c.bm25 <#> qv.v) AS score
	FROM fast_ranked r
	JOIN chunks c ON c.org_id = r.org_id AND c.id = r.chunk_id
	CROSS JOIN qv
	WHERE r.pos <= @rescore::int AND ` + filtersSQL + `
	ORDER BY score DESC, c.id
	LIMIT @ncand::int
),
fast_check AS (
	SELECT coalesce((SELECT min(score) FROM fast_top HAVING count(*) >= @ncand::int), 0) + 1e-9 >= greatest(
		(SELECT max(bound) FROM fast_unseen),
		(SELECT max(upper) FROM fast_ranked WHERE pos > @rescore::int),
		0) AS exact
),
full_size AS MATERIALIZED (
	SELECT coalesce(sum(ts.df), 0) > @fullmax::int AND EXISTS (SELECT FROM chunk_lexical) AS large
	FROM idf JOIN kb_term_stats ts ON ts.term = idf.term
),
full_ranked AS (
	SELECT p.org_id, p.chunk_id, sum(idf.w * p.weight) AS score
	FROM orgs
	CROSS JOIN idf
	JOIN chunk_postings p ON p.org_id = orgs.org_id AND p.term = idf.idx
	GROUP BY p.org_id, p.chunk_id
),
full_top AS MATERIALIZED (
	-- A nested loop over the chunks in score order, which stops at the
	-- @ncand-th that passes the filters. The score is the sparsevec's, as
	-- in fast_top (the sums differ in the last float digits).
	SELECT c.org_id, c.id, c.terms, -(c.bm25 <#> qv.v) AS score
	FROM (SELECT * FROM full_ranked ORDER BY score DESC, chunk_id) r
	CROSS JOIN LATERAL (
		SELECT c.org_id, c.id, c.terms, c.bm25 FROM chunks c
		WHERE c.org_id = r.org_id AND c.id = r.chunk_id AND ` + filtersSQL + `) c
	CROSS JOIN qv
	ORDER BY r.score DESC, c.id
	LIMIT @ncand::int
),
ann_top AS MATERIALIZED (
	SELECT a.org_id, a.id, a.terms, -(a.bm25 <#> qv.v) AS score
	FROM (
		SELECT c.org_id, c.id, c.terms, c.bm25
		FROM chunk_lexical l
		JOIN chunks c ON c.org_id = l.org_id AND c.id = l.chunk_id
		WHERE ` + filtersSQL + `
		ORDER BY l.bm25::sparsevec(536870912) <=> (SELECT v FROM qv)::sparsevec(536870912)
		LIMIT @anncand::int) a
	CROSS JOIN qv
	UNION
	SELECT * FROM fast_top
	ORDER BY score DESC, id
	LIMIT @ncand::int
)`

// Search retrieves the chunks of published guidance (the caller's
// organization's and the starter pack's) that best answer q. A kept result
// is looked for first; otherwise the query is embedded before the search's
// transaction begins: no transaction stays open across a model call.
func (b *Base) Search(ctx context.Context, db DB, q Query) (Result, error) {
	s, err := b.analyze(q)
	if err != nil {
		return Result{}, err
	}
	if s.embedText && b.results != nil {
		// A kept result spares the model call too: look before embedding.
		var hit bool
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			gen, err := generation(ctx, tx)
			hit = gen != "" && b.kept(s, s.key(gen))
			return err
		})
		if err != nil || hit {
			return s.res, err
		}
		s.missed = true
	}
	if s.embedText {
		b.embedQuery(ctx, s)
	}
	if s.empty() {
		return s.res, nil
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error { return b.run(ctx, tx, s) })
	if err != nil {
		return Result{}, err
	}
	return s.res, nil
}

// SearchIn runs queries inside the caller's transaction, in one round
// trip, for a caller with several (a prep): each q.Vector or q.LexicalOnly
// should be set, since a model call would run with the transaction open.
// Results are in the order of queries.
func (b *Base) SearchIn(ctx context.Context, tx pgx.Tx, queries ...Query) ([]Result, error) {
	ss := make([]*search, len(queries))
	for i, q := range queries {
		s, err := b.prepareSearch(ctx, q)
		if err != nil {
			return nil, err
		}
		ss[i] = s
	}
	if err := b.run(ctx, tx, ss...); err != nil {
		return nil, err
	}
	out := make([]Result, len(ss))
	for i, s := range ss {
		out[i] = s.res
	}
	return out, nil
}

// search is a query checked, analyzed and embedded, ready to run.
type search struct {
	res        Result
	terms      []string
	dims       int
	args       pgx.NamedArgs
	expansions bool
	// text is the query's, and embedText says the vector is the base's
	// model's embedding of it (not the caller's): the cache key is then
	// the model and the text, known before the model is called.
	text      string
	embedText bool
	// missed says the cache was looked up already, and had no result.
	missed bool
}

func (s *search) empty() bool { return len(s.terms) == 0 && s.dims == 0 }

// prepareSearch checks q, analyzes its text and embeds it (unless the caller
// did): everything before the database.
func (b *Base) prepareSearch(ctx context.Context, q Query) (*search, error) {
	s, err := b.analyze(q)
	if err == nil && s.embedText {
		b.embedQuery(ctx, s)
	}
	return s, err
}

// analyze checks q and analyzes its text. The vector is q's own, or none
// yet when the base is to embed the text (embedText; see embedQuery).
func (b *Base) analyze(q Query) (*search, error) {
	if strings.TrimSpace(q.Text) == "" {
		return nil, fmt.Errorf("%w: the query is empty", ErrInvalid)
	}
	if q.K <= 0 {
		q.K = 5
	}
	q.K = min(q.K, 50)
	q.Candidates = max(q.Candidates, 50)
	if q.MinCoverage == 0 {
		q.MinCoverage = 0.15
	}
	if q.MinSimilarity == 0 {
		q.MinSimilarity = 0.35
	}
	for _, t := range q.Topics {
		if !ValidTopic(t) {
			return nil, fmt.Errorf("%w: topic %q is not in the taxonomy", ErrInvalid, t)
		}
	}
	if q.Language != "" && q.Language != "ja" && q.Language != "en" {
		return nil, fmt.Errorf("%w: language %q is not ja or en", ErrInvalid, q.Language)
	}

	terms, idx := b.distinctTerms(q.Text)
	s := &search{res: Result{Retrievers: []string{"lexical"}, Hits: []Hit{}}, terms: terms}
	s.args = pgx.NamedArgs{
		"terms": terms, "idx": idx, "lang": q.Language, "ncand": q.Candidates, "k": q.K,
		"mincov": q.MinCoverage, "minsim": q.MinSimilarity, "topics": nilIfEmpty(q.Topics),
		"minterms": min(2, max(len(terms)-1, 1)),
		"depth":    cmp.Or(b.depth, postingsDepth), "rescore": 2 * q.Candidates,
		"fullmax": cmp.Or(b.fullPostings, fullPostings), "anncand": max(annCandidates, q.Candidates),
		"expand": !q.NoExpansion, "dim": termSpace,
	}
	s.expansions = q.Expansions && !q.NoExpansion
	s.text = q.Text
	switch {
	case b.embedder == nil:
	case q.Vector != nil:
		s.setVector(q.Vector, b.embedder.Model())
	case q.LexicalOnly:
		// A failing embedding model degrades search to lexical, not to an error.
		s.res.Degraded = "dense"
	default:
		s.embedText = true
		s.args["model"] = b.embedder.Model()
	}
	return s, nil
}

// embedQuery embeds s's text with the base's model, or marks s degraded
// to lexical when the model fails.
func (b *Base) embedQuery(ctx context.Context, s *search) {
	vs, err := b.QueryVectors(ctx, []string{s.text})
	if err != nil || len(vs) == 0 {
		s.res.Degraded = "dense"
		return
	}
	s.setVector(vs[0], b.embedder.Model())
}

func (s *search) setVector(v []float32, model string) {
	s.dims = len(v)
	s.args["qemb"] = pgvector.NewVector(v)
	s.args["model"] = model
	s.res.Retrievers = append(s.res.Retrievers, "dense")
	s.res.Model = model
}

// distinctTerms returns the distinct terms of text, sorted, with their
// indexes in the sparsevec: a query's, or a thesaurus expression's.
func (b *Base) distinctTerms(text string) ([]string, []int32) {
	terms := b.analyzer.Terms(text)
	slices.Sort(terms)
	terms = slices.Compact(terms)
	idx := make([]int32, len(terms))
	for i, t := range terms {
		idx[i] = termIndex(t)
	}
	return terms, idx
}

// run executes prepared searches in tx: the setting they need and the
// statements go in one batch, one round trip.
func (b *Base) run(ctx context.Context, tx pgx.Tx, ss ...*search) error {
	todo := make([]*search, 0, len(ss))
	for _, s := range ss {
		if !s.empty() {
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if b.explain != nil {
		return b.explain(ctx, tx, searchSQL(todo[0].dims), todo[0].args)
	}
	var gen string
	if b.results != nil {
		var err error
		if gen, err = generation(ctx, tx); err != nil {
			return err
		}
	}
	// Keys are computed once: one holds the query vector's every number.
	keys := map[*search][sha256.Size]byte{}
	if gen != "" {
		for _, s := range todo {
			keys[s] = s.key(gen)
		}
		todo = slices.DeleteFunc(todo, func(s *search) bool { return !s.missed && b.kept(s, keys[s]) })
		if len(todo) == 0 {
			return nil
		}
	}
	// Plans stay custom (plan_cache_mode auto): a generic plan of the
	// statement, with no idea how many postings a term has, joined the
	// whole postings table by hash, seconds at 100k chunks.
	batch := &pgx.Batch{}
	batch.Queue(indexScanSQL)
	for _, s := range todo {
		batch.Queue(searchSQL(s.dims), s.args).Query(func(rows pgx.Rows) error {
			hits, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Hit])
			if hits != nil {
				s.res.Hits = hits
			}
			s.res.Approximate = len(hits) > 0 && hits[0].Approximate
			return err
		})
		if s.expansions && len(s.terms) > 0 {
			batch.Queue(expansionsSQL, s.args).Query(func(rows pgx.Rows) error {
				var err error
				s.res.Expansions, err = pgx.CollectRows(rows, pgx.RowToStructByName[Expansion])
				return err
			})
		}
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	for _, s := range todo {
		if k, ok := keys[s]; ok {
			b.results.put(k, s.res)
		}
	}
	return nil
}

// QueryVectors embeds query texts in one call, for Query.Vector: a caller
// with several queries pays one model round trip. With no embedding model
// it returns nil, nil. An error is logged here; the caller searches
// lexical-only (Query.LexicalOnly) rather than fail.
func (b *Base) QueryVectors(ctx context.Context, texts []string) ([][]float32, error) {
	if b.embedder == nil || len(texts) == 0 {
		return nil, nil
	}
	vs, err := b.embedder.Embed(ctx, texts)
	if err != nil {
		b.logger.WarnContext(ctx, "query embedding failed; lexical only", "error", err.Error())
		return nil, err
	}
	return vs, nil
}

// indexScanSQL sets the transaction's HNSW scans, where the server has
// pgvector 0.8: iterative, so that a filtered query still fills its limit,
// and 100 candidates deep (the default 40 is less than the 50 or 100 the
// retrievers ask for).
const indexScanSQL = `SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '100', true)
	FROM pg_extension
	WHERE extname = 'vector' AND (regexp_match(extversion, '^(\d+)\.(\d+)'))::int[] >= '{0,8}'`

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// Sections returns the published, visible chunks of the given documents in
// document order, for a caller that found a document relevant and wants a
// particular part of it (its questions, what to avoid). Scores are zero.
func (b *Base) Sections(ctx context.Context, tx pgx.Tx, documentIDs []uuid.UUID) ([]Hit, error) {
	rows, _ := tx.Query(ctx, `SELECT c.id AS chunk_id, c.document_id, c.doc_version, d.title, c.heading_path, c.text,
			c.language, c.topics, c.org_id = '00000000-0000-0000-0000-000000000000' AS starter
		FROM chunks c JOIN documents d ON d.org_id = c.org_id AND d.id = c.document_id
		WHERE c.document_id = ANY($1) AND c.status = 'published'
		  AND NOT EXISTS (SELECT FROM kb_hidden h WHERE h.document_id = c.document_id)
		ORDER BY array_position($1, c.document_id), c.ordinal`, documentIDs)
	hs, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Hit])
	if err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	return hs, nil
}
