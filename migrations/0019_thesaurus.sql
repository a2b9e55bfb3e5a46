-- The thesaurus curators own: query expansion rules in Solr's synonym format
-- ("a, b, c" are equivalent; "x, y => a, b" expands x or y to a and b). The
-- starter organization's rules come with the starter pack and every
-- organization reads them unless it hides one; its own rules it writes.
--
-- kb_thesaurus_exprs holds each side's expressions as the analyzer cut
-- them, so a search matches a rule inside its own statement: an expression
-- on the left matches a query holding all its terms (head, its first term,
-- is what the index finds it by; under row-level security an index can only
-- use a leakproof operator, and text = is one, <@ is not).

-- +goose Up
CREATE TABLE kb_thesaurus (
	org_id           uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id               uuid NOT NULL DEFAULT gen_random_uuid(),
	rule             text NOT NULL CHECK (length(rule) BETWEEN 1 AND 1000),
	-- What an expansion weighs next to the words it replaces: below 1, so an
	-- expansion cannot outrank the query's own words.
	weight           real NOT NULL DEFAULT 0.5 CHECK (weight > 0 AND weight <= 0.9),
	analyzer_version int NOT NULL,
	updated_by       uuid,
	updated_at       timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	UNIQUE (org_id, rule)
);

CREATE TABLE kb_thesaurus_exprs (
	org_id   uuid NOT NULL,
	entry_id uuid NOT NULL,
	-- 'f': matched against the query; 't': added to it.
	side     "char" NOT NULL CHECK (side IN ('f', 't')),
	ord      int NOT NULL,
	expr     text NOT NULL,
	terms    text[] NOT NULL CHECK (cardinality(terms) > 0),
	idx      int[] NOT NULL CHECK (cardinality(idx) = cardinality(terms)),
	head     text NOT NULL,
	PRIMARY KEY (org_id, entry_id, side, ord),
	FOREIGN KEY (org_id, entry_id) REFERENCES kb_thesaurus (org_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_thesaurus_exprs_head ON kb_thesaurus_exprs (org_id, head) WHERE side = 'f';

-- A starter rule an organization does not want.
CREATE TABLE kb_thesaurus_hidden (
	org_id     uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	entry_id   uuid NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, entry_id)
);

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['kb_thesaurus', 'kb_thesaurus_exprs'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				OR org_id = '00000000-0000-0000-0000-000000000000')$p$, t);
		EXECUTE format($p$CREATE POLICY tenant_write ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_app, taiwa_operator', t);
	END LOOP;
END
$$;
-- +goose StatementEnd

ALTER TABLE kb_thesaurus_hidden ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_thesaurus_hidden FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON kb_thesaurus_hidden TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY operator ON kb_thesaurus_hidden TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON kb_thesaurus_hidden TO taiwa_app, taiwa_operator;

-- +goose Down
DROP TABLE kb_thesaurus_hidden, kb_thesaurus_exprs, kb_thesaurus;
