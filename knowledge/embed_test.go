package knowledge_test

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// fakeEmbeddings is an OpenAI-compatible /embeddings endpoint whose
// vectors are normalized bags of the analyzer's terms hashed into dims
// dimensions: texts sharing words are close, as with a real model. The
// first failFirst calls answer 429.
func fakeEmbeddings(t *testing.T, dims int, failFirst int32) (*llm.Endpoint, *atomic.Int32) {
	t.Helper()
	a, err := analyzer()
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.URL.Path != "/v1/embeddings" {
			http.NotFound(w, r)
			return
		}
		if n <= failFirst {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":{"message":"rate limited","type":"requests","code":"rate_limit_exceeded"}}`))
			return
		}
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		type datum struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		resp := struct {
			Object string  `json:"object"`
			Data   []datum `json:"data"`
			Model  string  `json:"model"`
		}{Object: "list", Model: req.Model}
		for i, text := range req.Input {
			v := make([]float32, dims)
			for _, term := range a.Terms(text) {
				h := fnv.New32a()
				h.Write([]byte(term))
				v[h.Sum32()%uint32(dims)]++
			}
			var norm float64
			for _, x := range v {
				norm += float64(x * x)
			}
			if norm == 0 {
				v[0], norm = 1, 1
			}
			for j := range v {
				v[j] /= float32(math.Sqrt(norm))
			}
			resp.Data = append(resp.Data, datum{Object: "embedding", Index: i, Embedding: v})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(srv.Close)
	return llm.NewEndpoint(llm.Config{BaseURL: srv.URL + "/v1", APIKey: "test-key"}), &calls
}

// TestHybridSearch embeds a knowledge base through an OpenAI-compatible
// endpoint and checks both retrievers contribute, filters still fill k, and
// a second model does not disturb the first.
func TestHybridSearch(t *testing.T) {
	endpoint, calls := fakeEmbeddings(t, 256, 2) // two 429s first: retried
	kb := newBase(t, endpoint.Embedder("fake-embed-256", 0))
	org := pgtest.NewOrg(t, db)

	// Twelve published documents on listening, one on career.
	inOrg(t, org, func(tx pgx.Tx) error {
		for i := range 12 {
			_, err := kb.Create(t.Context(), tx, org, nil, knowledge.Input{
				Title: "傾聴の練習 " + string(rune('A'+i)), Language: "ja", Topics: []string{"listening"},
				Body: "## 実践\n\nメンバーの話を最後まで聞き、気持ちを言葉にして返します。沈黙を待ちます。練習" + string(rune('A'+i)) + "。\n",
			}, knowledge.StatusPublished)
			if err != nil {
				return err
			}
		}
		_, err := kb.Create(t.Context(), tx, org, nil, knowledge.Input{
			Title: "キャリアの話", Language: "ja", Topics: []string{"career"},
			Body: "## 始め方\n\nメンバーの話を聞き、三年後の働き方を一緒に描きます。\n",
		}, knowledge.StatusPublished)
		return err
	})
	n, err := kb.EmbedMissing(t.Context(), db.OrgScope(org), nil)
	if err != nil {
		t.Fatalf("EmbedMissing: %v", err)
	}
	if n < 13 {
		t.Fatalf("embedded %d chunks, want at least 13", n)
	}
	if calls.Load() < 3 {
		t.Errorf("%d calls to the endpoint; the two 429s were not retried", calls.Load())
	}
	if dims, err := kb.EnsureIndex(t.Context(), db.Pool); err != nil || dims != 256 {
		t.Fatalf("EnsureIndex = %d, %v", dims, err)
	}

	res, err := kb.Search(t.Context(), db.OrgScope(org), knowledge.Query{Text: "メンバーの気持ちを言葉にして返す", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Retrievers) != 2 || res.Model != "fake-embed-256" {
		t.Errorf("retrievers %v model %q, want lexical and dense with the model", res.Retrievers, res.Model)
	}
	if len(res.Hits) != 5 {
		t.Fatalf("%d hits, want 5", len(res.Hits))
	}
	for _, h := range res.Hits {
		if h.Dense == nil || h.Lexical == nil || *h.Dense <= 0 {
			t.Errorf("hit %q: dense %v lexical %v, want both retrievers' scores", h.Title, h.Dense, h.Lexical)
		}
	}

	// A topic filter that matches one document in thirteen still finds
	// it, and only that topic (the starter pack's, when another test has
	// loaded it, are of the topic too).
	res, err = kb.Search(t.Context(), db.OrgScope(org), knowledge.Query{Text: "メンバーの話を聞く", Topics: []string{"career"}, K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Hits, func(h knowledge.Hit) bool { return h.Title == "キャリアの話" }) ||
		slices.ContainsFunc(res.Hits, func(h knowledge.Hit) bool { return !slices.Contains(h.Topics, "career") }) {
		t.Errorf("career filter: %d hits %v, want the career document and only career hits", len(res.Hits), res.Hits)
	}
	res, err = kb.Search(t.Context(), db.OrgScope(org), knowledge.Query{Text: "メンバーの話を聞く", Topics: []string{"listening"}, K: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 10 {
		t.Errorf("listening filter: %d hits, want 10 (filters must not starve the result)", len(res.Hits))
	}

	// A second model: vectors are per model, so the first stays whole
	// while the second fills in.
	endpoint2, _ := fakeEmbeddings(t, 64, 0)
	kb2 := newBase(t, endpoint2.Embedder("fake-embed-64", 0))
	if _, err := kb2.EmbedMissing(t.Context(), db.OrgScope(org), nil); err != nil {
		t.Fatal(err)
	}
	inOrg(t, org, func(tx pgx.Tx) error {
		rows, _ := tx.Query(t.Context(), `SELECT model, dims, count(*) FROM chunk_embeddings WHERE org_id = $1 GROUP BY 1, 2 ORDER BY 1`, org)
		type stat struct {
			Model string
			Dims  int
			N     int
		}
		st, err := pgx.CollectRows(rows, pgx.RowToStructByPos[stat])
		if err != nil {
			return err
		}
		if len(st) != 2 || st[0].N != st[1].N || st[0].Dims != 256 || st[1].Dims != 64 {
			t.Errorf("embeddings per model = %+v, want both models complete", st)
		}
		return nil
	})
}

// TestEmbedderChecksDimensions: a model that changes its vector length is
// an error, not a silently broken index.
func TestEmbedderChecksDimensions(t *testing.T) {
	endpoint, _ := fakeEmbeddings(t, 32, 0)
	e := endpoint.Embedder("fake", 64) // asks for 64, gets 32
	if _, err := e.Embed(t.Context(), []string{"テスト"}); err == nil {
		t.Error("Embed accepted 32-dimensional vectors when 64 were asked for")
	}
}
