-- Organizations, users and API tokens, and the roles that make row-level
-- security bite.
--
-- taiwa_app runs every tenant-scoped transaction (SET LOCAL ROLE): it is not
-- a superuser, cannot bypass RLS and owns nothing, so the policies below are
-- what it sees. PGlite logs every client in as a superuser, which is why the
-- role switch, not the login role, is what enforces isolation there.
-- taiwa_operator is for the operator's own tools (taiwa admin): it may see
-- every organization, and the server never uses it to answer a request.
--
-- Every table carries org_id, its primary key starts with org_id and its
-- foreign keys include org_id, so no row can point at another org's row and
-- the schema can be distributed by org_id (Citus) if it ever has to be.

-- +goose Up
-- pgvector: knowledge chunks and session notes are embedded. It lives in
-- public so that per-test schemas (search_path "schema, public") share it.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

-- +goose StatementBegin
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taiwa_app') THEN
		CREATE ROLE taiwa_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taiwa_operator') THEN
		CREATE ROLE taiwa_operator NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
	END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
	-- Another schema's migration created them at the same moment.
	NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
	r text;
	-- Since PostgreSQL 16 the creator of a role holds it WITH ADMIN but may
	-- not SET ROLE to it until it grants itself the membership.
	priv text := CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END;
BEGIN
	-- The login role must be able to switch to both roles. A superuser
	-- already can.
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		FOREACH r IN ARRAY ARRAY['taiwa_app', 'taiwa_operator'] LOOP
			IF NOT pg_has_role(current_user, r, priv) THEN
				EXECUTE format('GRANT %I TO %I', r, current_user);
			END IF;
		END LOOP;
	END IF;
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO taiwa_app, taiwa_operator', current_schema());
END
$$;
-- +goose StatementEnd

CREATE TABLE orgs (
	org_id     uuid PRIMARY KEY,
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	language   text NOT NULL DEFAULT 'ja' CHECK (language IN ('ja', 'en')),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
	org_id       uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id           uuid NOT NULL,
	display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
	email        text CHECK (email IS NULL OR length(email) <= 320),
	role         text NOT NULL CHECK (role IN ('manager', 'curator', 'admin')),
	language     text NOT NULL DEFAULT 'ja' CHECK (language IN ('ja', 'en')),
	created_at   timestamptz NOT NULL DEFAULT now(),
	disabled_at  timestamptz,
	PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX users_email ON users (org_id, lower(email)) WHERE email IS NOT NULL;

-- Only the SHA-256 of a token is stored: tokens are 256-bit random, so a
-- fast hash is enough, and a leaked table reveals no usable token.
CREATE TABLE api_tokens (
	org_id       uuid NOT NULL,
	id           uuid NOT NULL,
	user_id      uuid NOT NULL,
	token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	name         text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
	created_at   timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz,
	revoked_at   timestamptz,
	last_used_at timestamptz,
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_user ON api_tokens (org_id, user_id);

ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE orgs FORCE ROW LEVEL SECURITY;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;

-- The organization and user of a transaction come from set_config(..., true).
-- After a transaction ends the setting reads as '' rather than NULL, hence nullif.
CREATE POLICY tenant ON orgs TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY tenant ON users TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY tenant ON api_tokens TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
-- Authentication happens before the organization is known: a token row is
-- visible to whoever presents the token itself (its hash), and to no one else.
CREATE POLICY token_lookup ON api_tokens FOR SELECT TO taiwa_app
	USING (token_hash = decode(nullif(current_setting('taiwa.token_hash', true), ''), 'hex'));

CREATE POLICY operator ON orgs TO taiwa_operator USING (true) WITH CHECK (true);
CREATE POLICY operator ON users TO taiwa_operator USING (true) WITH CHECK (true);
CREATE POLICY operator ON api_tokens TO taiwa_operator USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON orgs, users, api_tokens TO taiwa_app, taiwa_operator;

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE orgs;
