-- A nearest-neighbour index on the chunks' BM25 weights, for the lexical
-- retriever of a large organization: when a query's words are common there
-- (too many postings to read them all, ~70 ms at 100k chunks), it takes its
-- candidates from this index and from the words' best postings, and scores
-- them exactly (knowledge/search.go).
--
-- A copy of chunks.bm25 in a table of its own, not an index on chunks: an
-- HNSW insert of a sparse vector costs milliseconds, which every import
-- would pay (46k chunks: minutes), and only large organizations need it.
-- knowledge.Base.IndexLexical fills it in the background for organizations
-- of at least 5,000 chunks, and refreshes what a re-index changed; a chunk
-- not in it yet is still found through its postings.
--
-- Cosine, not inner product: HNSW's graph navigates a metric far better,
-- and a chunk's BM25 vector norm varies little, so the chunks nearest by
-- angle hold the best by inner product. The dimension is the term space
-- (knowledge.termSpace), which an HNSW index needs written out; sparse HNSW
-- takes at most 1,000 non-zero elements, so longer chunks stay out.

-- +goose Up
CREATE TABLE chunk_lexical (
	org_id   uuid NOT NULL,
	chunk_id uuid NOT NULL,
	bm25     sparsevec NOT NULL,
	PRIMARY KEY (org_id, chunk_id),
	FOREIGN KEY (org_id, chunk_id) REFERENCES chunks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX chunk_lexical_ann ON chunk_lexical USING hnsw ((bm25::sparsevec(536870912)) sparsevec_cosine_ops);

ALTER TABLE chunk_lexical ENABLE ROW LEVEL SECURITY;
ALTER TABLE chunk_lexical FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON chunk_lexical FOR SELECT TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		OR org_id = '00000000-0000-0000-0000-000000000000');
CREATE POLICY operator ON chunk_lexical TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT ON chunk_lexical TO taiwa_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON chunk_lexical TO taiwa_operator;

-- +goose Down
DROP TABLE chunk_lexical;
