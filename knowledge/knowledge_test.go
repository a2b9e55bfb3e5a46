package knowledge_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var db *pgtest.DB

func TestMain(m *testing.M) { pgtest.Main(m, &db) }

var analyzer = sync.OnceValues(knowledge.NewAnalyzer)

func newBase(t testing.TB, e knowledge.Embedder) *knowledge.Base {
	t.Helper()
	a, err := analyzer()
	if err != nil {
		t.Fatal(err)
	}
	return knowledge.New(slog.New(slog.NewTextHandler(io.Discard, nil)), a, e)
}

// starter loads the starter pack once for the package.
var starterOnce sync.Once

func loadStarter(t testing.TB, kb *knowledge.Base) {
	t.Helper()
	var err error
	starterOnce.Do(func() {
		_, err = kb.SyncStarter(t.Context(), db.OrgScope(knowledge.StarterOrg))
	})
	if err != nil {
		t.Fatalf("SyncStarter: %v", err)
	}
}

// inOrg runs fn in a transaction scoped to org.
func inOrg(t testing.TB, org uuid.UUID, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.OrgScope(org).InTx(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

type evalCase struct {
	ID       string   `json:"id"`
	Lang     string   `json:"lang"`
	Query    string   `json:"query"`
	Relevant []string `json:"relevant"`
	Topic    string   `json:"topic"` // the taxonomy topic a useful answer is about
}

// retrievalSet is the question set TestRetrievalQuality scores; a held-out
// set is scored once with -retrievalset, and its figures are not asserted
// (questions labelled with a topic only have no document figures).
var retrievalSet = flag.String("retrievalset", "starter/checks.jsonl", "the labelled questions TestRetrievalQuality scores")

// readEvalCases reads the labelled manager questions.
func readEvalCases(t *testing.T) []evalCase {
	t.Helper()
	f, err := os.Open(*retrievalSet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []evalCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c evalCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		cases = append(cases, c)
	}
	return cases
}

// TestRetrievalQuality runs the labelled manager questions against the
// starter pack in offline (lexical) mode and prints hit@1, hit@3 and MRR
// over documents.
func TestRetrievalQuality(t *testing.T) {
	kb := newBase(t, nil)
	loadStarter(t, kb)
	org := pgtest.NewOrg(t, db)
	cases := readEvalCases(t)
	if len(cases) < 40 {
		t.Fatalf("%d eval questions, want at least 40", len(cases))
	}

	// Starter documents by key, to compare with the labels.
	keyOf := map[uuid.UUID]string{}
	inOrg(t, knowledge.StarterOrg, func(tx pgx.Tx) error {
		rows, _ := tx.Query(t.Context(), `SELECT id, starter_key FROM documents WHERE starter_key IS NOT NULL`)
		for rows.Next() {
			var id uuid.UUID
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				return err
			}
			keyOf[id] = key
		}
		return rows.Err()
	})

	// Documents of a result, best first, and whether one of the top 3 is
	// of the question's topic.
	docsOf := func(c evalCase, q knowledge.Query) ([]string, int) {
		res, err := kb.Search(t.Context(), db.OrgScope(org), q)
		if err != nil {
			t.Fatal(err)
		}
		var docs []string
		topicHit := 0
		for _, h := range res.Hits {
			k := keyOf[h.DocumentID]
			if !contains(docs, k) {
				docs = append(docs, k)
				if len(docs) <= 3 && contains(h.Topics, c.Topic) {
					topicHit = 1
				}
			}
		}
		return docs, topicHit
	}

	var hit1, hit3, mrr float64
	byLang := map[string][2]int{}
	labelled := 0
	topicHits := map[string][2]int{} // per language: questions whose top 3 documents include one of their topic, and all
	plainHits := map[string]int{}    // the same without the thesaurus
	for _, c := range cases {
		q := knowledge.Query{Text: c.Query, Language: c.Lang, K: 10}
		docs, topicHit := docsOf(c, q)
		q.NoExpansion = true
		plainDocs, plainHit := docsOf(c, q)
		plainHits[c.Lang] += plainHit
		if topicHit == 0 {
			t.Logf("topic miss %s (%s) %q: got %v", c.ID, c.Topic, c.Query, first(docs, 3))
		}
		if topicHit != plainHit {
			t.Logf("thesaurus %s %s (%s) %q: %v without, %v with", map[bool]string{true: "fixes", false: "breaks"}[topicHit > plainHit],
				c.ID, c.Topic, c.Query, first(plainDocs, 3), first(docs, 3))
		}
		th := topicHits[c.Lang]
		topicHits[c.Lang] = [2]int{th[0] + topicHit, th[1] + 1}
		if len(c.Relevant) == 0 {
			continue // labelled with a topic only
		}
		labelled++
		rank := 0
		for i, d := range docs {
			if contains(c.Relevant, d) {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			hit1++
		}
		if rank >= 1 && rank <= 3 {
			hit3++
			s := byLang[c.Lang]
			s[0]++
			byLang[c.Lang] = s
		} else {
			t.Logf("miss %s %q: want %v, got %v", c.ID, c.Query, c.Relevant, first(docs, 3))
		}
		s := byLang[c.Lang]
		s[1]++
		byLang[c.Lang] = s
		if rank > 0 {
			mrr += 1 / float64(rank)
		}
	}
	n := float64(labelled)
	t.Logf("retrieval (offline, lexical BM25) on %d questions labelled with documents: hit@1 %.3f  hit@3 %.3f  MRR %.3f  (ja hit@3 %d/%d, en hit@3 %d/%d)",
		labelled, hit1/n, hit3/n, mrr/n, byLang["ja"][0], byLang["ja"][1], byLang["en"][0], byLang["en"][1])
	t.Logf("top-3 topic hit: ja %d/%d, en %d/%d (without the thesaurus: ja %d, en %d)", topicHits["ja"][0], topicHits["ja"][1],
		topicHits["en"][0], topicHits["en"][1], plainHits["ja"], plainHits["en"])
	if flag.Lookup("retrievalset").Value.String() != flag.Lookup("retrievalset").DefValue {
		return // a held-out set: figures to report, not to pass
	}
	if hit3/n < 0.85 {
		t.Errorf("hit@3 = %.3f, want >= 0.85", hit3/n)
	}
	// The goal is 0.95 in each language (issue 16); casual Japanese
	// wording of the pack's themes still misses, so the floor is today's.
	for lang, th := range topicHits {
		if float64(th[0]) < 0.90*float64(th[1]) {
			t.Errorf("%s: top-3 topic hit %d/%d, want at least 0.90", lang, th[0], th[1])
		}
	}
}

// TestOffTopicFindsNothing asks questions the guidance does not cover: the
// answer is no hits, not the least bad ones. (Lexical matching alone cannot
// reject a question that shares two meaningful words with the guidance, such
// as 設定 and 書き方; the vector retriever's similarity threshold does.)
func TestOffTopicFindsNothing(t *testing.T) {
	kb := newBase(t, nil)
	loadStarter(t, kb)
	org := pgtest.NewOrg(t, db)
	for _, q := range []string{
		"経費精算の締め日はいつですか",
		"Kubernetes のイングレスを作りたい",
		"来週の大阪出張の新幹線を予約したい",
		"How do I configure a Kubernetes ingress controller?",
		"What is the capital of Australia?",
		"quarterly tax filing deadline",
	} {
		res, err := kb.Search(t.Context(), db.OrgScope(org), knowledge.Query{Text: q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) > 0 {
			t.Errorf("off-topic %q: %d hits, first %q (coverage %v), want none", q, len(res.Hits), res.Hits[0].Title, *res.Hits[0].Coverage)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// TestTermStatsStayCurrent edits, republishes and deletes documents and
// checks the BM25 statistics always equal a recount of the chunks.
func TestTermStatsStayCurrent(t *testing.T) {
	kb := newBase(t, nil)
	org := pgtest.NewOrg(t, db)
	check := func(step string) {
		t.Helper()
		inOrg(t, org, func(tx pgx.Tx) error {
			var diff, chunks, stats int
			err := tx.QueryRow(t.Context(), `
				WITH actual AS (SELECT t AS term, count(*)::int AS df FROM chunks, unnest(terms) AS t WHERE org_id = $1 GROUP BY 1),
				     stored AS (SELECT term, df FROM kb_term_stats WHERE org_id = $1)
				SELECT (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM stored UNION ALL
				                              SELECT * FROM stored EXCEPT SELECT * FROM actual) d),
				       (SELECT count(*) FROM chunks WHERE org_id = $1),
				       coalesce((SELECT chunks FROM kb_corpus_stats WHERE org_id = $1), 0)`, org).Scan(&diff, &chunks, &stats)
			if err != nil {
				return err
			}
			if diff != 0 || chunks != stats {
				t.Errorf("%s: %d terms differ from a recount; %d chunks, stats say %d", step, diff, chunks, stats)
			}
			// The postings are each chunk's sparsevec, term by term.
			err = tx.QueryRow(t.Context(), `
				WITH actual AS (SELECT c.id, (m[1])::int - 1 AS term, (m[2])::real AS weight
				                FROM chunks c, regexp_matches(c.bm25::text, '(\d+):([^,}]+)', 'g') AS m WHERE c.org_id = $1),
				     stored AS (SELECT chunk_id, term, weight FROM chunk_postings WHERE org_id = $1)
				SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM stored UNION ALL
				                      SELECT * FROM stored EXCEPT ALL SELECT * FROM actual) d`, org).Scan(&diff)
			if err != nil {
				return err
			}
			if diff != 0 {
				t.Errorf("%s: %d postings differ from the chunks' BM25 weights", step, diff)
			}
			return nil
		})
	}
	var id uuid.UUID
	inOrg(t, org, func(tx pgx.Tx) error {
		d, err := kb.Create(t.Context(), tx, org, nil, knowledge.Input{Title: "承認の伝え方", Language: "ja", Topics: []string{"recognition"},
			Body: "## 状況\n\n成果だけでなく過程を認めます。\n\n## 実践\n\n具体的な行動を挙げて伝えます。毎週一つ。\n"}, knowledge.StatusDraft)
		id = d.ID
		return err
	})
	check("create")
	inOrg(t, org, func(tx pgx.Tx) error {
		_, err := kb.Update(t.Context(), tx, id, nil, knowledge.Input{Title: "承認の伝え方", Language: "ja", Topics: []string{"recognition"},
			Body: "## 状況\n\n成果だけでなく過程を認めます。\n\n## 実践\n\n小さな前進を見つけて、その日のうちに伝えます。\n"}, 0)
		return err
	})
	check("edit")
	inOrg(t, org, func(tx pgx.Tx) error {
		_, err := kb.SetStatus(t.Context(), tx, id, nil, knowledge.StatusPublished, false)
		return err
	})
	check("publish")
	inOrg(t, org, func(tx pgx.Tx) error { return kb.Delete(t.Context(), tx, id) })
	check("delete")
}

// TestLexicalExactAtAnyDepth checks that reading only the top of each
// term's postings gives exactly the BM25 ranking of reading them all: the
// bounds say when the short lists could have missed a chunk, and then the
// full lists are read. Depth 1 takes that path on nearly every query.
func TestLexicalExactAtAnyDepth(t *testing.T) {
	kb := newBase(t, nil)
	loadStarter(t, kb)
	org := pgtest.NewOrg(t, db)
	cases := readEvalCases(t)
	type hit struct {
		ID    uuid.UUID
		Score float64
	}
	lexical := func(depth int, q string) []hit {
		kb.SetPostingsDepth(depth)
		defer kb.SetPostingsDepth(0)
		res, err := kb.Search(t.Context(), db.OrgScope(org), knowledge.Query{Text: q, K: 50})
		if err != nil {
			t.Fatal(err)
		}
		var hs []hit
		for _, h := range res.Hits {
			hs = append(hs, hit{h.ChunkID, math.Round(*h.Lexical*1e4) / 1e4})
		}
		return hs
	}
	kb.SetFullPostings(1 << 30) // never approximate
	defer kb.SetFullPostings(0)
	for _, c := range cases {
		want := lexical(1<<30, c.Query)
		if len(want) == 0 {
			t.Errorf("%s: nothing found with every posting read", c.ID)
		}
		for _, depth := range []int{1, 4, 16, 0} {
			if got := lexical(depth, c.Query); !slices.Equal(got, want) {
				t.Errorf("%s at depth %d: %d hits differ from reading every posting (%d hits)", c.ID, depth, len(got), len(want))
			}
		}
	}
}

// TestLexicalApproximate forces the lexical retriever onto its
// nearest-neighbour candidates (every query's postings count as too many
// to read, and the first posting of each term never settles the result):
// on the project's questions its top 10 keep nearly all of the exact top
// 10's BM25 score and its top 3 documents their topic, and its candidates
// obey the organization, language and topic filters like the exact ones.
func TestLexicalApproximate(t *testing.T) {
	kb := newBase(t, nil)
	loadStarter(t, kb)
	org, other := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	// The starter pack is far below the size that gets the index.
	if n, err := kb.IndexLexical(t.Context(), db.Operator()); err != nil || n != 0 {
		t.Fatalf("IndexLexical at the default size = %d, %v; want nothing indexed", n, err)
	}
	kb.SetLexicalIndexMin(1)
	n, err := kb.IndexLexical(t.Context(), db.Operator())
	if err != nil || n == 0 {
		t.Fatalf("IndexLexical = %d, %v", n, err)
	}
	if again, err := kb.IndexLexical(t.Context(), db.Operator()); err != nil || again != 0 {
		t.Fatalf("IndexLexical again = %d, %v; want nothing left to do", again, err)
	}
	search := func(approximate bool, q knowledge.Query) knowledge.Result {
		t.Helper()
		if approximate {
			kb.SetPostingsDepth(1)
			kb.SetFullPostings(1)
			defer kb.SetPostingsDepth(0)
			defer kb.SetFullPostings(0)
		} else {
			kb.SetFullPostings(1 << 30)
			defer kb.SetFullPostings(0)
		}
		res, err := kb.Search(t.Context(), db.OrgScope(org), q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Approximate != approximate && len(res.Hits) > 0 {
			t.Fatalf("%q: Approximate = %v, want %v", q.Text, res.Approximate, approximate)
		}
		return res
	}
	topScore := func(res knowledge.Result) float64 {
		var sum float64
		for _, h := range res.Hits[:min(10, len(res.Hits))] {
			sum += *h.Lexical
		}
		return sum
	}
	topicHit := func(res knowledge.Result, topic string) int {
		var docs []uuid.UUID
		for _, h := range res.Hits {
			if !slices.Contains(docs, h.DocumentID) {
				docs = append(docs, h.DocumentID)
				if len(docs) <= 3 && slices.Contains(h.Topics, topic) {
					return 1
				}
			}
		}
		return 0
	}
	var ratio float64
	var exactHits, approxHits int
	cases := readEvalCases(t)
	for _, c := range cases {
		q := knowledge.Query{Text: c.Query, K: 10}
		exact, approx := search(false, q), search(true, q)
		if len(exact.Hits) == 0 {
			ratio++
			continue
		}
		ratio += topScore(approx) / topScore(exact)
		exactHits += topicHit(exact, c.Topic)
		approxHits += topicHit(approx, c.Topic)
	}
	ratio /= float64(len(cases))
	t.Logf("approximate lexical: top 10 hold %.3f of the exact top 10's BM25 score; top-3 topic hit %d/%d (exact %d)",
		ratio, approxHits, len(cases), exactHits)
	if ratio < 0.97 || approxHits < exactHits-1 {
		t.Errorf("approximate candidates lose too much: score ratio %.3f, topic hits %d against %d", ratio, approxHits, exactHits)
	}

	// Filters: another organization's passage on the same words, and the
	// language and topic asked for.
	inOrg(t, other, func(tx pgx.Tx) error {
		_, err := kb.Create(t.Context(), tx, other, nil, knowledge.Input{Title: "沈黙を待つ", Language: "ja", Topics: []string{"listening"},
			Body: "## 実践\n\n問いかけの後の沈黙で十秒待つ。沈黙で十秒待つ。\n"}, knowledge.StatusPublished)
		return err
	})
	for _, q := range []knowledge.Query{
		{Text: "問いかけの後の沈黙で十秒待つ", K: 20},
		{Text: "問いかけの後の沈黙で十秒待つ", K: 20, Language: "en"},
		{Text: "wait in silence after a question", K: 20, Topics: []string{"career"}},
	} {
		for _, h := range search(true, q).Hits {
			if h.Title == "沈黙を待つ" || q.Language != "" && h.Language != q.Language ||
				q.Topics != nil && !slices.Contains(h.Topics, q.Topics[0]) {
				t.Errorf("%+v: hit %q (%s, %v) is outside the query's scope", q, h.Title, h.Language, h.Topics)
			}
		}
	}
}

// TestReindexStale simulates chunks indexed by an older analyzer (no terms,
// an old version): ReindexStale restores them, keeping their ids, and the
// term statistics follow.
func TestReindexStale(t *testing.T) {
	kb := newBase(t, nil)
	org := pgtest.NewOrg(t, db)
	var id uuid.UUID
	inOrg(t, org, func(tx pgx.Tx) error {
		d, err := kb.Create(t.Context(), tx, org, nil, knowledge.Input{Title: "話を聴く", Language: "ja", Topics: []string{"listening"},
			Body: "## 実践\n\n最後まで聴いてから、要約して返します。\n"}, knowledge.StatusPublished)
		id = d.ID
		return err
	})
	type chunk struct {
		ID    uuid.UUID
		Terms []string
	}
	chunks := func() []chunk {
		var cs []chunk
		inOrg(t, org, func(tx pgx.Tx) error {
			rows, _ := tx.Query(t.Context(), `SELECT id, terms FROM chunks WHERE document_id = $1 ORDER BY ordinal`, id)
			var err error
			cs, err = pgx.CollectRows(rows, pgx.RowToStructByPos[chunk])
			return err
		})
		return cs
	}
	before := chunks()
	if len(before) == 0 || !slices.Contains(before[0].Terms, "聞く") {
		t.Fatalf("chunks = %+v; want 聴く folded to 聞く", before)
	}
	inOrg(t, org, func(tx pgx.Tx) error {
		_, err := tx.Exec(t.Context(), `UPDATE chunks SET terms = '{}' WHERE document_id = $1`, id)
		if err == nil {
			_, err = tx.Exec(t.Context(), `UPDATE documents SET analyzer_version = 1 WHERE id = $1`, id)
		}
		return err
	})
	n, err := kb.ReindexStale(t.Context(), db.Operator())
	if err != nil || n < 1 {
		t.Fatalf("ReindexStale = %d, %v", n, err)
	}
	after := chunks()
	if len(after) != len(before) || after[0].ID != before[0].ID || !slices.Equal(after[0].Terms, before[0].Terms) {
		t.Errorf("after re-index: %+v, want %+v", after, before)
	}
	if n, err := kb.ReindexStale(t.Context(), db.Operator()); err != nil || n != 0 {
		t.Errorf("second ReindexStale = %d, %v; want nothing to do", n, err)
	}
}
