-- An import looks each file up by its key, then, for a document imported
-- before imports had keys, by title among the keyless documents. The
-- second scanned the organization's documents for each file (an import of
-- 10k files read ~50M rows); now both are index lookups.

-- +goose Up
CREATE INDEX documents_keyless_title ON documents (org_id, title, language) WHERE source_key IS NULL;

-- +goose Down
DROP INDEX documents_keyless_title;
