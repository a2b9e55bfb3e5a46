-- Which version of the text analyzer indexed a document's chunks. When the
-- analyzer changes (a new variant fold, a new stop word), documents indexed
-- by an older one are re-indexed at start: their chunks keep their ids and
-- embeddings, only terms and BM25 weights are recomputed.

-- +goose Up
ALTER TABLE documents ADD COLUMN analyzer_version int NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE documents DROP COLUMN analyzer_version;
