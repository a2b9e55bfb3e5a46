-- One placeholder per person across a member's whole history, and the
-- member's own name forms, as keyed digests only (HMAC with the
-- installation's pseudonym secret, never a name). See anonymize.Keyer.

-- +goose Up
CREATE TABLE member_pseudonyms (
	org_id     uuid NOT NULL,
	member_id  uuid NOT NULL,
	manager_id uuid NOT NULL,
	kind       text NOT NULL CHECK (kind IN ('person', 'email', 'phone', 'url', 'address', 'postal_code', 'employee_id', 'my_number', 'card', 'term')),
	digest     text NOT NULL CHECK (digest ~ '^[0-9a-f]{32}$'),
	n          int NOT NULL CHECK (n > 0),
	PRIMARY KEY (org_id, member_id, kind, digest),
	UNIQUE (org_id, member_id, kind, n),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE
);

-- runes > 0: a written form, matched by digesting every substring of that
-- length; 0: the digest of a name's reading, compared with found names.
CREATE TABLE member_names (
	org_id     uuid NOT NULL,
	member_id  uuid NOT NULL,
	manager_id uuid NOT NULL,
	digest     text NOT NULL CHECK (digest ~ '^[0-9a-f]{32}$'),
	runes      int NOT NULL CHECK (runes BETWEEN 0 AND 30),
	PRIMARY KEY (org_id, member_id, digest, runes),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['member_pseudonyms', 'member_names'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format($p$CREATE POLICY own_history ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)$p$, t);
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_app, taiwa_operator', t);
	END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE member_names, member_pseudonyms;
