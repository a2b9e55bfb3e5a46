-- A generation number per organization's knowledge base, bumped in the
-- same transaction as any write that can change a search result (its
-- documents, chunks and their vectors, what it hides, its thesaurus), so
-- that a server process can keep recent search results and know, with one
-- indexed read, whether they still hold (knowledge/cache.go). The bump is
-- transactional: a reader sees the new number exactly when it sees the
-- new rows, whichever process wrote them.
--
-- Writes in an organization's scope bump that organization (the starter
-- pack's sync bumps the starter pack, which every organization reads).
-- Writes with no organization set (the operator's re-index, lexical index
-- and backfills) may touch any organization, so they bump them all, in
-- org_id order so that two of them cannot deadlock.

-- +goose Up
CREATE TABLE kb_generation (
	org_id uuid PRIMARY KEY REFERENCES orgs (org_id) ON DELETE CASCADE,
	gen    bigint NOT NULL
);

ALTER TABLE kb_generation ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_generation FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON kb_generation FOR SELECT TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		OR org_id = '00000000-0000-0000-0000-000000000000');
CREATE POLICY tenant_insert ON kb_generation FOR INSERT TO taiwa_app
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY tenant_update ON kb_generation FOR UPDATE TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY operator ON kb_generation TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON kb_generation TO taiwa_app, taiwa_operator;

-- +goose StatementBegin
CREATE FUNCTION kb_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	org uuid := nullif(current_setting('taiwa.org_id', true), '')::uuid;
BEGIN
	IF org IS NULL THEN
		INSERT INTO kb_generation (org_id, gen)
		SELECT o.org_id, 1 FROM orgs o ORDER BY o.org_id
		ON CONFLICT (org_id) DO UPDATE SET gen = kb_generation.gen + 1;
	ELSE
		INSERT INTO kb_generation (org_id, gen) VALUES (org, 1)
		ON CONFLICT (org_id) DO UPDATE SET gen = kb_generation.gen + 1;
	END IF;
	RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['documents', 'chunks', 'chunk_embeddings', 'chunk_lexical', 'kb_hidden',
		'kb_thesaurus', 'kb_thesaurus_exprs', 'kb_thesaurus_hidden'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
			FOR EACH STATEMENT EXECUTE FUNCTION kb_touch()', t || '_generation', t);
	END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
-- CASCADE drops the triggers that call it.
DROP FUNCTION kb_touch() CASCADE;
DROP TABLE kb_generation;
