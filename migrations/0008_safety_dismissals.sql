-- A referral only the statistical screen asked for stops the coach like any
-- other; the manager may read the texts behind it and dismiss it. What is
-- kept is a digest of each dismissed text (never the text), who dismissed
-- it and the matters, so that admins can count how often the screen was
-- wrong.

-- +goose Up
ALTER TABLE safety_referrals ADD COLUMN possible boolean NOT NULL DEFAULT false;

CREATE TABLE safety_dismissals (
	org_id     uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	digest     text NOT NULL CHECK (digest ~ '^[0-9a-f]{32}$'),
	manager_id uuid NOT NULL,
	matters    text[] NOT NULL DEFAULT '{}',
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, digest)
);

ALTER TABLE safety_dismissals ENABLE ROW LEVEL SECURITY;
ALTER TABLE safety_dismissals FORCE ROW LEVEL SECURITY;
CREATE POLICY operator ON safety_dismissals TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON safety_dismissals TO taiwa_app, taiwa_operator;
CREATE POLICY tenant ON safety_dismissals TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);

-- +goose Down
DROP TABLE safety_dismissals;
ALTER TABLE safety_referrals DROP COLUMN possible;
