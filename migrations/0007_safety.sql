-- What the safety screen needs from an organization, and what it tells the
-- organization's admins: their own phrases for the matters the coach does
-- not coach on, and how many referrals the coach gave (matter, kind of
-- answer, month) with no text, manager or member in them.

-- +goose Up
CREATE TABLE org_safety_phrases (
	org_id   uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	position int NOT NULL,
	matter   text NOT NULL CHECK (matter IN ('crisis', 'harassment', 'discrimination', 'legal')),
	phrase   text NOT NULL CHECK (length(phrase) BETWEEN 1 AND 200),
	PRIMARY KEY (org_id, position)
);

CREATE TABLE safety_referrals (
	org_id     uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id         uuid NOT NULL,
	matter     text NOT NULL CHECK (matter IN ('crisis', 'harassment', 'discrimination', 'legal')),
	kind       text NOT NULL CHECK (kind IN ('prep', 'reflection', 'chat')),
	immediate  boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id)
);
CREATE INDEX safety_referrals_time ON safety_referrals (org_id, created_at);

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['org_safety_phrases', 'safety_referrals'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_app, taiwa_operator', t);
		EXECUTE format($p$CREATE POLICY tenant ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
	END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE safety_referrals;
DROP TABLE org_safety_phrases;
