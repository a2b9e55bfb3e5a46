-- The audit trail: who did what to the organization's accounts, guidance,
-- settings and members' data, when, from where, and how it ended. Never
-- note text: an event names an action, an id and a fixed reason.
--
-- Append-only: the application role may insert and (admins only) read, but
-- no role may update an event, and only removing the organization deletes
-- them.

-- +goose Up
CREATE TABLE audit_events (
	org_id     uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id         uuid NOT NULL,
	at         timestamptz NOT NULL DEFAULT now(),
	actor_id   uuid, -- the user; no foreign key, so an event outlives changes to users
	action     text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$' AND length(action) <= 60),
	target     text CHECK (length(target) <= 100),
	outcome    text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
	status     int NOT NULL CHECK (status BETWEEN 100 AND 599),
	reason     text CHECK (reason ~ '^[a-z_]{1,40}$'),
	client     text CHECK (length(client) <= 64),
	request_id text CHECK (length(request_id) <= 64),
	PRIMARY KEY (org_id, id)
);
CREATE INDEX audit_events_at ON audit_events (org_id, at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_immutable BEFORE UPDATE ON audit_events
	FOR EACH ROW EXECUTE FUNCTION audit_events_immutable();

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY record ON audit_events FOR INSERT TO taiwa_app
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
-- Only the organization's admins read its trail.
CREATE POLICY admins_read ON audit_events FOR SELECT TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		AND EXISTS (SELECT FROM users u
			WHERE u.org_id = audit_events.org_id
			  AND u.id = nullif(current_setting('taiwa.user_id', true), '')::uuid
			  AND u.role = 'admin' AND u.disabled_at IS NULL));
CREATE POLICY operator ON audit_events FOR SELECT TO taiwa_operator USING (true);
GRANT SELECT, INSERT ON audit_events TO taiwa_app;
GRANT SELECT ON audit_events TO taiwa_operator;

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_immutable();
