package knowledge_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestResultCacheFollowsWrites searches through one Base while another (a
// second server process) writes: every kind of write that changes a result
// shows in the next search, and a search nothing changed is answered from
// the kept results.
func TestResultCacheFollowsWrites(t *testing.T) {
	reader, writer := newBase(t, nil), newBase(t, nil)
	loadStarter(t, reader)
	org := pgtest.NewOrg(t, db)
	ctx := t.Context()

	titles := func(text string) []string {
		t.Helper()
		var out []string
		inOrg(t, org, func(tx pgx.Tx) error {
			rs, err := reader.SearchIn(ctx, tx, knowledge.Query{Text: text, K: 10, LexicalOnly: true})
			for _, h := range rs[0].Hits {
				out = append(out, h.Title)
			}
			return err
		})
		return out
	}
	write := func(fn func(tx pgx.Tx) error) {
		t.Helper()
		inOrg(t, org, fn)
	}

	const title = "Quokka standups"
	if got := titles("quokka standup rituals"); len(got) != 0 {
		t.Fatalf("before any document: %v", got)
	}
	hits, _ := reader.ResultCacheStats()
	if got := titles("quokka standup rituals"); len(got) != 0 {
		t.Fatalf("before any document, again: %v", got)
	}
	if h, _ := reader.ResultCacheStats(); h != hits+1 {
		t.Errorf("a repeated search with nothing written: %d cache hits, want %d", h, hits+1)
	}

	var doc knowledge.Document
	write(func(tx pgx.Tx) (err error) {
		doc, err = writer.Create(ctx, tx, org, nil, knowledge.Input{Title: title, Language: "en", Topics: []string{"basics"},
			Body: "## Rituals\n\nA quokka standup is short: each person says one standup thing and one ritual they keep."}, knowledge.StatusPublished)
		return err
	})
	if got := titles("quokka standup rituals"); !slices.Contains(got, title) {
		t.Fatalf("after another process published %q: %v", title, got)
	}

	write(func(tx pgx.Tx) (err error) {
		_, err = writer.Update(ctx, tx, doc.ID, nil, knowledge.Input{Title: "Short meetings", Language: "en", Topics: []string{"basics"},
			Body: "## Rituals\n\nKeep them short."}, doc.Version)
		return err
	})
	if got := titles("quokka standup rituals"); slices.Contains(got, title) || slices.Contains(got, "Short meetings") {
		t.Fatalf("after the words were edited out: %v", got)
	}

	// A thesaurus rule added elsewhere expands the next search.
	if got := titles("wombat zorble"); len(got) != 0 {
		t.Fatalf("before the rule: %v", got)
	}
	write(func(tx pgx.Tx) error {
		_, err := writer.AddRule(ctx, tx, org, nil, knowledge.RuleInput{Rule: "wombat zorble => keep them short"})
		return err
	})
	if got := titles("wombat zorble"); !slices.Contains(got, "Short meetings") {
		t.Fatalf("after the thesaurus rule: %v", got)
	}

	// Hiding a starter document takes it out of the next search.
	var starterID uuid.UUID
	var starterTitle string
	inOrg(t, knowledge.StarterOrg, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id, title FROM documents WHERE language = 'en' ORDER BY starter_key LIMIT 1`).Scan(&starterID, &starterTitle)
	})
	if got := titles(starterTitle); !slices.Contains(got, starterTitle) {
		t.Fatalf("the starter document %q is not found by its title: %v", starterTitle, got)
	}
	write(func(tx pgx.Tx) error {
		_, err := writer.SetHidden(ctx, tx, org, starterID, true)
		return err
	})
	if got := titles(starterTitle); slices.Contains(got, starterTitle) {
		t.Fatalf("after hiding %q: %v", starterTitle, got)
	}

	// A transaction that wrote may hold what it has not committed: it
	// neither reads nor fills the cache.
	hits, misses := reader.ResultCacheStats()
	write(func(tx pgx.Tx) error {
		if _, err := writer.Create(ctx, tx, org, nil, knowledge.Input{Title: "Draft", Language: "en", Topics: []string{"basics"},
			Body: "## Draft\n\nA draft."}, knowledge.StatusDraft); err != nil {
			return err
		}
		for range 2 {
			if _, err := reader.SearchIn(ctx, tx, knowledge.Query{Text: "wombat zorble", K: 10, LexicalOnly: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if h, m := reader.ResultCacheStats(); h != hits || m != misses {
		t.Errorf("searches in a writing transaction used the cache: hits %d -> %d, misses %d -> %d", hits, h, misses, m)
	}

	// The operator's writes (re-index, lexical index) may touch any
	// organization: they move every generation.
	var before, after int64
	gen := func() (g int64) {
		t.Helper()
		err := db.Operator().InTx(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT gen FROM kb_generation WHERE org_id = $1`, org).Scan(&g)
		})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	before = gen()
	err := db.Operator().InTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE chunks SET status = status WHERE org_id = $1`, org)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after = gen(); after <= before {
		t.Errorf("an operator write left the organization's generation at %d", after)
	}
}

// TestKeptResultSparesTheModel: a search answered from the kept results
// does not embed its query again, and one after a write does.
func TestKeptResultSparesTheModel(t *testing.T) {
	endpoint, calls := fakeEmbeddings(t, 64, 0)
	kb := newBase(t, endpoint.Embedder("fake-embed-64-kept", 0))
	org := pgtest.NewOrg(t, db)
	ctx := t.Context()
	publish := func(title string) {
		t.Helper()
		inOrg(t, org, func(tx pgx.Tx) error {
			_, err := kb.Create(ctx, tx, org, nil, knowledge.Input{Title: title, Language: "en", Topics: []string{"listening"},
				Body: "## Practice\n\nLet the member finish; count to five before you answer."}, knowledge.StatusPublished)
			return err
		})
		if _, err := kb.EmbedMissing(ctx, db.OrgScope(org), nil); err != nil {
			t.Fatal(err)
		}
	}
	search := func() knowledge.Result {
		t.Helper()
		res, err := kb.Search(ctx, db.OrgScope(org), knowledge.Query{Text: "let the member finish before I answer", K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(res.Retrievers, "dense") {
			t.Fatalf("retrievers %v, want dense too", res.Retrievers)
		}
		return res
	}

	publish("Waiting")
	before := calls.Load()
	first := search()
	if n := calls.Load() - before; n != 1 {
		t.Fatalf("first search: %d embedding calls, want 1", n)
	}
	again := search()
	if n := calls.Load() - before; n != 1 {
		t.Errorf("the same search again: %d embedding calls in all, want still 1", n)
	}
	if len(again.Hits) != len(first.Hits) || again.Hits[0].ChunkID != first.Hits[0].ChunkID {
		t.Errorf("the kept result differs: %d hits, want %d", len(again.Hits), len(first.Hits))
	}
	publish("Waiting, again")
	before = calls.Load()
	search()
	if n := calls.Load() - before; n != 1 {
		t.Errorf("after a write: %d embedding calls, want 1", n)
	}
}
