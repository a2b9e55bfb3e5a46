package knowledge

import (
	"container/list"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// DefaultResultCache is how many search results a Base keeps.
const DefaultResultCache = 2048

// resultCache keeps recent search results, keyed by everything the search
// statement is given and by the generation of the knowledge bases it read
// (kb_generation, which a trigger bumps in the same transaction as any
// write that can change a result: migration 0022). A repeated search (a
// prep for the same member opened again, a curator trying a query twice,
// the same question from many clients) then costs one indexed read instead
// of the retrieval. An entry of an older generation is never looked up
// again and ages out. Each process keeps its own, and none can answer
// with results older than the database's.
type resultCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cacheEntry, most recently used first
	byKey map[[sha256.Size]byte]*list.Element
	// hits and misses count lookups, for tests and the metrics.
	hits, misses atomic.Uint64
}

type cacheEntry struct {
	key [sha256.Size]byte
	res Result
}

func newResultCache(max int) *resultCache {
	if max <= 0 {
		return nil
	}
	return &resultCache{max: max, order: list.New(), byKey: map[[sha256.Size]byte]*list.Element{}}
}

func (c *resultCache) get(k [sha256.Size]byte) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		c.misses.Add(1)
		return Result{}, false
	}
	c.hits.Add(1)
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).res.clone(), true
}

func (c *resultCache) put(k [sha256.Size]byte, r Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		e.Value.(*cacheEntry).res = r.clone()
		c.order.MoveToFront(e)
		return
	}
	c.byKey[k] = c.order.PushFront(&cacheEntry{key: k, res: r.clone()})
	for c.order.Len() > c.max {
		last := c.order.Back()
		delete(c.byKey, last.Value.(*cacheEntry).key)
		c.order.Remove(last)
	}
}

// kept gives s the result kept under key, if there is one.
func (b *Base) kept(s *search, key [sha256.Size]byte) bool {
	r, ok := b.results.get(key)
	if ok {
		s.res = r
	}
	return ok
}

// ResultCacheStats says how many searches the kept results answered, and
// how many they did not.
func (b *Base) ResultCacheStats() (hits, misses uint64) {
	if b.results == nil {
		return 0, 0
	}
	return b.results.hits.Load(), b.results.misses.Load()
}

// clone copies what a caller could change in place: the slices of hits
// and expansions (a caller may reorder or trim them).
func (r Result) clone() Result {
	r.Hits = slices.Clone(r.Hits)
	r.Retrievers = slices.Clone(r.Retrievers)
	r.Expansions = slices.Clone(r.Expansions)
	return r
}

// generationSQL reads the transaction's organization and the generations of
// its knowledge base and of the starter pack: what a search there reads.
// A transaction that has written anything may have written guidance it
// has not committed, and bumped a generation that a rollback would hand
// to the next write: it neither reads nor fills the cache.
const generationSQL = `SELECT pg_current_xact_id_if_assigned() IS NULL,
	coalesce(current_setting('taiwa.org_id', true), ''),
	coalesce((SELECT gen FROM kb_generation WHERE org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid), 0),
	coalesce((SELECT gen FROM kb_generation WHERE org_id = '00000000-0000-0000-0000-000000000000'), 0)`

// generation is the key part that says which data a search in tx reads,
// or "" when tx must not use the cache.
func generation(ctx context.Context, tx pgx.Tx) (string, error) {
	var readOnly bool
	var org string
	var gen, starter int64
	if err := tx.QueryRow(ctx, generationSQL).Scan(&readOnly, &org, &gen, &starter); err != nil {
		return "", fmt.Errorf("knowledge base generation: %w", err)
	}
	if !readOnly {
		return "", nil
	}
	return fmt.Sprintf("%s/%d/%d", org, gen, starter), nil
}

// key is s's cache key in a transaction of generation gen: every argument
// of the statement (query terms, filters, knobs, the query vector, or the
// model and text it is the embedding of) and what the result carries
// besides its hits.
func (s *search) key(gen string) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%t\x00%s\x00", gen, s.expansions, s.res.Degraded)
	if s.embedText {
		fmt.Fprintf(h, "embedding of %q\x00", s.text)
	} else {
		fmt.Fprintf(h, "dims=%d\x00", s.dims)
	}
	for _, k := range slices.Sorted(maps.Keys(s.args)) {
		if k == "qemb" && s.embedText {
			continue
		}
		fmt.Fprintf(h, "%s=%v\x00", k, s.args[k])
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}
