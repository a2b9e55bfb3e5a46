package knowledge

import (
	"cmp"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

const (
	// lexicalIndexMin is how many chunks an organization has before its
	// chunks go into the lexical nearest-neighbour index (chunk_lexical):
	// below it, reading every posting of a query's words costs less than
	// keeping the index (an HNSW insert of a sparse vector costs ~1-4 ms).
	lexicalIndexMin = 5_000
	// lexicalIndexBatch is how many chunks one transaction adds.
	lexicalIndexBatch = 1_000
)

// IndexLexical brings the lexical nearest-neighbour index up to date: the
// chunks of every organization of at least lexicalIndexMin chunks that it
// lacks, or whose weights a re-index changed since. It runs in batches, each
// its own transaction, as the operator: it is the server's background work
// (at start and every few minutes) and the end of 'taiwa kb import'.
// Searches find a chunk through its postings until it is in.
func (b *Base) IndexLexical(ctx context.Context, db DB) (int, error) {
	total := 0
	for {
		var n int64
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `INSERT INTO chunk_lexical (org_id, chunk_id, bm25)
				SELECT c.org_id, c.id, c.bm25
				FROM kb_corpus_stats s
				JOIN chunks c ON c.org_id = s.org_id
				LEFT JOIN chunk_lexical l ON l.org_id = c.org_id AND l.chunk_id = c.id
				WHERE s.chunks >= $1 AND c.term_count <= 1000 AND (l.chunk_id IS NULL OR l.bm25 <> c.bm25)
				LIMIT $2
				ON CONFLICT (org_id, chunk_id) DO UPDATE SET bm25 = EXCLUDED.bm25`,
				cmp.Or(b.lexicalIndexMin, lexicalIndexMin), lexicalIndexBatch)
			n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("lexical index: %w", err)
		}
		total += int(n)
		if n < lexicalIndexBatch {
			return total, nil
		}
	}
}
