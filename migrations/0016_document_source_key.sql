-- Where an imported document came from: the front matter's id, else the
-- file's path inside what was uploaded (knowledge.Import). Importing the same
-- key again lands on the same document (a new version, or nothing when the
-- content is the same) instead of adding a copy that retrieval would then
-- return twice. Documents written in the editor have none.
--
-- Unique per organization, so two imports at once cannot both create the
-- key; the second is told to import again.

-- +goose Up
ALTER TABLE documents ADD COLUMN source_key text CHECK (length(source_key) BETWEEN 1 AND 500);
CREATE UNIQUE INDEX documents_source_key ON documents (org_id, source_key) WHERE source_key IS NOT NULL;

-- +goose Down
DROP INDEX documents_source_key;
ALTER TABLE documents DROP COLUMN source_key;
