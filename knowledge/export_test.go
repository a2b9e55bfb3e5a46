package knowledge

import "github.com/pgvector/pgvector-go"

// Weigh exposes the BM25 weighting to the benchmarks, which seed chunks
// without going through the analyzer for each one.
func Weigh(terms []string, avgLen float64) ([]string, pgvector.SparseVector) {
	return weigh(terms, avgLen)
}
