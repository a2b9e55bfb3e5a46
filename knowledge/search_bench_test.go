package knowledge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

const benchDims = 384

// randomEmbedder returns random unit vectors: the benchmark measures the
// database, not a model.
type randomEmbedder struct{ rng *rand.Rand }

func (randomEmbedder) Model() string { return "bench-random-384" }

func (e randomEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i := range texts {
		out[i] = randomUnit(e.rng)
	}
	return out, nil
}

func randomUnit(rng *rand.Rand) []float32 {
	v := make([]float32, benchDims)
	var n float64
	for i := range v {
		x := rng.NormFloat64()
		v[i] = float32(x)
		n += x * x
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(n))
	}
	return v
}

// BenchmarkSearch seeds 10k and 100k chunks (sentences of the starter pack
// recombined, random 384-dimension vectors, an HNSW index) and times the
// hybrid query next to the raw pgvector query on the same data, reporting
// p50 and p99 in milliseconds and their ratio. Run it with
//
//	go test -run NONE -bench BenchmarkSearch -benchtime 300x ./knowledge/
//
// (with DATABASE_URL, or through 'bin/taiwa pglite -- ...').
func BenchmarkSearch(b *testing.B) {
	kb := newBase(b, randomEmbedder{rand.New(rand.NewPCG(1, 2))})
	kb.SetResultCache(0) // the retrieval's own cost, not a repeated query's
	sentences := starterSentences(b)
	queries := evalQueries(b)
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			org := pgtest.NewOrg(b, db)
			start := time.Now()
			seedChunks(b, org, n, sentences)
			if _, err := kb.EnsureIndex(b.Context(), db.Pool); err != nil {
				b.Fatal(err)
			}
			b.Logf("seeded %d chunks and built the HNSW index in %s", n, time.Since(start).Round(time.Second))
			start = time.Now()
			if _, err := kb.IndexLexical(b.Context(), db.Operator()); err != nil {
				b.Fatal(err)
			}
			b.Logf("lexical nearest-neighbour index of %d chunks: %s", n, time.Since(start).Round(time.Second))
			// As autovacuum would have by the time anyone searches.
			if _, err := db.Pool.Exec(b.Context(), `VACUUM ANALYZE chunks, chunk_postings, chunk_embeddings, chunk_lexical, kb_term_stats, documents`); err != nil {
				b.Fatal(err)
			}
			if os.Getenv("TAIWA_EXPLAIN") != "" {
				explain(b, kb, org, queries[0])
			}
			var p50 [3]float64
			b.Run("hybrid", func(b *testing.B) {
				p50[0] = timeQueries(b, func(i int) error {
					_, err := kb.Search(b.Context(), db.OrgScope(org), knowledge.Query{Text: queries[i%len(queries)], K: 10})
					return err
				})
			})
			b.Run("lexical", func(b *testing.B) {
				p50[2] = timeQueries(b, func(i int) error {
					_, err := kb.Search(b.Context(), db.OrgScope(org), knowledge.Query{Text: queries[i%len(queries)], K: 10, LexicalOnly: true})
					return err
				})
			})
			// The retrieval of an offline prep: its queries (the member's
			// request, style, open actions, the situation) in one round trip.
			b.Run("prep-searches", func(b *testing.B) {
				timeQueries(b, func(i int) error {
					qs := make([]knowledge.Query, 6)
					for j := range qs {
						qs[j] = knowledge.Query{Text: queries[(6*i+j)%len(queries)], K: 8, LexicalOnly: true}
					}
					return db.OrgScope(org).InTx(b.Context(), func(tx pgx.Tx) error {
						_, err := kb.SearchIn(b.Context(), tx, qs...)
						return err
					})
				})
			})
			rng := rand.New(rand.NewPCG(3, 4))
			b.Run("pgvector", func(b *testing.B) {
				p50[1] = timeQueries(b, func(int) error {
					q := pgvector.NewVector(randomUnit(rng))
					return db.OrgScope(org).InTx(b.Context(), func(tx pgx.Tx) error {
						rows, _ := tx.Query(b.Context(), `SELECT chunk_id FROM chunk_embeddings
							WHERE model = 'bench-random-384' AND dims = 384
							ORDER BY embedding::vector(384) <=> $1::vector(384) LIMIT 10`, q)
						_, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
						return err
					})
				})
			})
			approximationCost(b, kb, org, queries)
			if p50[1] > 0 {
				b.Logf("chunks=%d: hybrid p50 is %.1fx and lexical-only p50 %.1fx the raw pgvector p50", n, p50[0]/p50[1], p50[2]/p50[1])
			}
		})
	}
}

// timeQueries runs q b.N times and reports p50 and p99 latency.
func timeQueries(b *testing.B, q func(i int) error) float64 {
	var d []time.Duration
	i := 0
	for b.Loop() {
		t := time.Now()
		if err := q(i); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t))
		i++
	}
	slices.Sort(d)
	ms := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	return ms(0.5)
}

// starterSentences returns the starter pack's Japanese sentences with
// their analyzer terms.
func starterSentences(b *testing.B) [][2]any {
	a, err := analyzer()
	if err != nil {
		b.Fatal(err)
	}
	files, err := knowledge.StarterFiles()
	if err != nil {
		b.Fatal(err)
	}
	var out [][2]any
	for _, f := range files {
		if !strings.HasPrefix(f.Name, "ja/") {
			continue
		}
		for _, s := range strings.FieldsFunc(string(f.Data), func(r rune) bool { return r == '。' || r == '\n' }) {
			if terms := a.Terms(s); len(terms) > 2 {
				out = append(out, [2]any{s + "。", terms})
			}
		}
	}
	return out
}

func evalQueries(b *testing.B) []string {
	f, err := os.Open("starter/checks.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c evalCase
		if json.Unmarshal(sc.Bytes(), &c) == nil && c.Lang == "ja" {
			qs = append(qs, c.Query)
		}
	}
	return qs
}

// seedChunks inserts n published chunks (ten per document) of recombined
// sentences with random vectors, in batches of plain INSERT ... SELECT
// FROM unnest (COPY is not allowed on tables with row-level security).
func seedChunks(b *testing.B, org uuid.UUID, n int, sentences [][2]any) {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	topics := []string{"listening", "pdca", "challenge", "feedback", "career", "wellbeing"}
	const batch = 2000
	for start := 0; start < n; start += batch {
		size := min(batch, n-start)
		var (
			ids, docs          []uuid.UUID
			ords, counts       []int32
			texts, tops, terms []string
			bm25s, vecs        []string
		)
		for i := range size {
			if (start+i)%10 == 0 {
				docs = append(docs, uuid.Must(uuid.NewV7()))
			}
			var text strings.Builder
			var ts []string
			for range 3 + rng.IntN(4) {
				s := sentences[rng.IntN(len(sentences))]
				text.WriteString(s[0].(string))
				ts = append(ts, s[1].([]string)...)
			}
			distinct, v := knowledge.Weigh(ts, 60)
			ids = append(ids, uuid.Must(uuid.NewV7()))
			ords = append(ords, int32((start+i)%10))
			texts = append(texts, text.String())
			tops = append(tops, topics[rng.IntN(len(topics))])
			terms = append(terms, strings.Join(distinct, " "))
			counts = append(counts, int32(len(ts)))
			bm25s = append(bm25s, v.String())
			vecs = append(vecs, pgvector.NewVector(randomUnit(rng)).String())
		}
		// Chunk i belongs to document docs[i/10 - start/10].
		chunkDocs := make([]uuid.UUID, size)
		for i := range size {
			chunkDocs[i] = docs[(start+i)/10-start/10]
		}
		err := db.OrgScope(org).InTx(b.Context(), func(tx pgx.Tx) error {
			_, err := tx.Exec(b.Context(), `INSERT INTO documents (org_id, id, title, body, language, topics, status)
				SELECT $1, d, 'bench ' || d, 'synthetic', 'ja', ARRAY['listening'], 'published' FROM unnest($2::uuid[]) AS d`, org, docs)
			if err != nil {
				return err
			}
			_, err = tx.Exec(b.Context(), `INSERT INTO chunks (org_id, id, document_id, doc_version, ordinal, text, content_hash,
					status, language, topics, terms, term_count, bm25)
				SELECT $1, u.id, u.doc, 1, u.ord, u.text, sha256(convert_to(u.text, 'UTF8')), 'published', 'ja',
					ARRAY[u.topic], string_to_array(u.terms, ' '), u.n, u.bm25::sparsevec
				FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[])
					AS u(id, doc, ord, text, topic, terms, n, bm25)`,
				org, ids, chunkDocs, ords, texts, tops, terms, counts, bm25s)
			if err != nil {
				return err
			}
			_, err = tx.Exec(b.Context(), `INSERT INTO chunk_embeddings (org_id, chunk_id, model, dims, embedding)
				SELECT $1, u.id, 'bench-random-384', 384, u.v::vector FROM unnest($2::uuid[], $3::text[]) AS u(id, v)`,
				org, ids, vecs)
			return err
		})
		if err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
}

// explain logs the plan of one hybrid query (TAIWA_EXPLAIN=1).
func explain(b *testing.B, kb *knowledge.Base, org uuid.UUID, q string) {
	kb.SetExplain(func(ctx context.Context, tx pgx.Tx, sql string, args pgx.NamedArgs) error {
		rows, _ := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		b.Logf("plan of %q:\n%s", q, strings.Join(lines, "\n"))
		return err
	})
	defer kb.SetExplain(nil)
	if _, err := kb.Search(b.Context(), db.OrgScope(org), knowledge.Query{Text: q, K: 10}); err != nil {
		b.Fatal(err)
	}
}

// approximationCost logs what the lexical retriever's nearest-neighbour
// candidates cost against reading every posting: the share of the exact
// top 10's BM25 score and of its chunks that the top 10 keep.
func approximationCost(b *testing.B, kb *knowledge.Base, org uuid.UUID, queries []string) {
	search := func(q string, full int) knowledge.Result {
		kb.SetFullPostings(full)
		defer kb.SetFullPostings(0)
		res, err := kb.Search(b.Context(), db.OrgScope(org), knowledge.Query{Text: q, K: 10, LexicalOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	var score, kept float64
	approximate := 0
	for _, q := range queries {
		exact, got := search(q, 1<<30), search(q, 0)
		if got.Approximate {
			approximate++
		}
		var want, have float64
		ids := map[uuid.UUID]bool{}
		for _, h := range got.Hits {
			have += *h.Lexical
			ids[h.ChunkID] = true
		}
		same := 0
		for _, h := range exact.Hits {
			want += *h.Lexical
			if ids[h.ChunkID] {
				same++
			}
		}
		if want == 0 {
			score, kept = score+1, kept+1
			continue
		}
		score += have / want
		kept += float64(same) / float64(len(exact.Hits))
	}
	n := float64(len(queries))
	b.Logf("lexical: %d of %d queries approximate; their top 10 hold %.3f of the exact top 10's BM25 score and %.2f of its chunks",
		approximate, len(queries), score/n, kept/n)
}
