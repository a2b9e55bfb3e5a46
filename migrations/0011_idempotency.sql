-- Idempotency-Key: a client that retries a POST (a timeout, a double click)
-- with the same key gets the first answer again instead of a second
-- session. Kept per user for a day; the body stored is the API's answer.

-- +goose Up
CREATE TABLE idempotency_keys (
	org_id       uuid NOT NULL,
	user_id      uuid NOT NULL,
	key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
	request_hash bytea NOT NULL,
	status       int NOT NULL DEFAULT 0, -- 0 while the first request runs
	content_type text NOT NULL DEFAULT '',
	body         bytea NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, user_id, key),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY own_keys ON idempotency_keys TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		AND user_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		AND user_id = nullif(current_setting('taiwa.user_id', true), '')::uuid);
CREATE POLICY operator ON idempotency_keys TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO taiwa_app, taiwa_operator;

-- +goose Down
DROP TABLE idempotency_keys;
