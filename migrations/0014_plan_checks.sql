-- Plan checks: the kinds of plan a guidance document warns against, for
-- members in given situations, declared by curators in the front matter
-- (see knowledge.PlanCheck). Kept with the document and its versions.

-- +goose Up
ALTER TABLE documents ADD COLUMN plan_checks jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(plan_checks) = 'array');
ALTER TABLE document_versions ADD COLUMN plan_checks jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE document_versions DROP COLUMN plan_checks;
ALTER TABLE documents DROP COLUMN plan_checks;
