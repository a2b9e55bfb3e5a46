-- The retrieval test suite curators own: questions with the documents that
-- should answer them, and every run's results (knowledge/checks.go). The
-- starter pack's questions belong to the starter organization (the nil
-- UUID) like its documents: every organization reads them, none edits them.

-- +goose Up
CREATE TABLE retrieval_checks (
	org_id      uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id          uuid NOT NULL,
	question    text NOT NULL CHECK (length(question) BETWEEN 1 AND 1000),
	language    text NOT NULL CHECK (language IN ('ja', 'en')),
	-- The documents (own or starter) any of which should be in the top 3
	-- (the starter pack's topic questions name every document of a topic).
	documents   uuid[] NOT NULL CHECK (cardinality(documents) BETWEEN 1 AND 50),
	starter_key text, -- the starter pack's own checks
	created_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX retrieval_checks_starter ON retrieval_checks (org_id, starter_key) WHERE starter_key IS NOT NULL;

CREATE TABLE retrieval_runs (
	org_id      uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id          uuid NOT NULL,
	trigger     text NOT NULL CHECK (trigger IN ('manual', 'publish')),
	document_id uuid, -- the document whose change started it
	checks      int NOT NULL,
	hits        int NOT NULL, -- checks with an expected document in the top 3
	mrr         float8 NOT NULL,
	results     jsonb NOT NULL, -- [{"check_id", "rank"}], rank 0: not in the top 10
	created_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id)
);
CREATE INDEX retrieval_runs_time ON retrieval_runs (org_id, created_at DESC);

ALTER TABLE retrieval_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE retrieval_checks FORCE ROW LEVEL SECURITY;
ALTER TABLE retrieval_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE retrieval_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON retrieval_checks FOR SELECT TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		OR org_id = '00000000-0000-0000-0000-000000000000');
CREATE POLICY tenant_write ON retrieval_checks TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY tenant ON retrieval_runs TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY operator ON retrieval_checks TO taiwa_operator USING (true) WITH CHECK (true);
CREATE POLICY operator ON retrieval_runs TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON retrieval_checks, retrieval_runs TO taiwa_app, taiwa_operator;

-- +goose Down
DROP TABLE retrieval_runs, retrieval_checks;
