package knowledge

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// Weigh exposes the BM25 weighting to the benchmarks, which seed chunks
// without going through the analyzer for each one.
func Weigh(terms []string, avgLen float64) ([]string, pgvector.SparseVector) {
	return weigh(terms, avgLen)
}

// SetExplain makes Search hand its statement to fn instead of running it.
func (b *Base) SetExplain(fn func(ctx context.Context, tx pgx.Tx, sql string, args pgx.NamedArgs) error) {
	b.explain = fn
}

// SetPostingsDepth sets how many postings per term the lexical retriever
// reads before its bounds are checked (0: the default).
func (b *Base) SetPostingsDepth(n int) { b.depth = n }

// SetFullPostings sets how many postings the lexical retriever reads in all
// before it turns to its nearest-neighbour index (0: the default).
func (b *Base) SetFullPostings(n int) { b.fullPostings = n }

// SetLexicalIndexMin sets how many chunks an organization has before
// IndexLexical indexes them (0: the default).
func (b *Base) SetLexicalIndexMin(n int) { b.lexicalIndexMin = n }

// SetResultCache keeps the last n search results (0: none), for a
// benchmark of the retrieval itself.
func (b *Base) SetResultCache(n int) { b.results = newResultCache(n) }
