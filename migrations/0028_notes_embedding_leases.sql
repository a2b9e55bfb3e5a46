-- A member's notes are embedded by one job at a time. The embedding call
-- runs outside any transaction, so a row lock cannot cover it: a job holds
-- this lease instead (renewed before each batch, released at the end), and
-- a second job for the same member waits for it rather than paying the
-- model provider to embed the same notes twice. An abandoned lease (a
-- process that died) expires.

-- +goose Up
CREATE TABLE notes_embedding_leases (
	org_id     uuid NOT NULL,
	member_id  uuid NOT NULL,
	manager_id uuid NOT NULL,
	model      text NOT NULL,
	holder     uuid NOT NULL,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (org_id, member_id, model),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE
);
ALTER TABLE notes_embedding_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes_embedding_leases FORCE ROW LEVEL SECURITY;
CREATE POLICY own_history ON notes_embedding_leases TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid);
CREATE POLICY operator ON notes_embedding_leases TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON notes_embedding_leases TO taiwa_app, taiwa_operator;

-- +goose Down
DROP TABLE notes_embedding_leases;
