-- A manager's 1on1 history: members (pseudonymous), sessions, agreed
-- actions, and the organization's extra terms to mask. Every free-text
-- column holds text that went through the redactor first; the original is
-- never stored.
--
-- History is private to its manager: the policies require both the
-- organization and the manager (taiwa.user_id), so an admin or curator of
-- the same organization reads none of it, and neither does another manager.

-- +goose Up
CREATE TABLE org_terms (
	org_id     uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	term       text NOT NULL CHECK (length(term) BETWEEN 1 AND 100),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, term)
);

CREATE TABLE members (
	org_id     uuid NOT NULL,
	id         uuid NOT NULL,
	manager_id uuid NOT NULL,
	alias      text NOT NULL CHECK (length(alias) BETWEEN 1 AND 50),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX members_manager ON members (org_id, manager_id);

CREATE TABLE sessions (
	org_id         uuid NOT NULL,
	id             uuid NOT NULL,
	member_id      uuid NOT NULL,
	manager_id     uuid NOT NULL,
	status         text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held', 'cancelled', 'skipped')),
	scheduled_at   timestamptz,
	held_at        timestamptz,
	duration_min   int CHECK (duration_min BETWEEN 0 AND 600),
	request_topics text[] NOT NULL DEFAULT '{}',
	request_text   text NOT NULL DEFAULT '' CHECK (length(request_text) <= 5000),
	request_style  text CHECK (request_style IN ('listen', 'advise', 'think-together', 'encourage', 'decide', 'report')),
	condition      int CHECK (condition BETWEEN 1 AND 5),
	notes          text NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE
);
-- A manager's history is read by member, newest first (B-tree, never an
-- index shared across managers for similarity search).
CREATE INDEX sessions_member ON sessions (org_id, manager_id, member_id, coalesce(held_at, scheduled_at, created_at) DESC);

CREATE TABLE actions (
	org_id     uuid NOT NULL,
	id         uuid NOT NULL,
	member_id  uuid NOT NULL,
	manager_id uuid NOT NULL,
	session_id uuid,
	text       text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
	owner      text NOT NULL CHECK (owner IN ('manager', 'member')),
	due_date   date,
	status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
	created_at timestamptz NOT NULL DEFAULT now(),
	closed_at  timestamptz,
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, session_id) REFERENCES sessions (org_id, id) ON DELETE CASCADE
);
CREATE INDEX actions_member ON actions (org_id, manager_id, member_id, status);

ALTER TABLE org_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_terms FORCE ROW LEVEL SECURITY;
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE actions FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON org_terms TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['members', 'sessions', 'actions'] LOOP
		EXECUTE format($p$CREATE POLICY own_history ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)$p$, t);
	END LOOP;
	FOREACH t IN ARRAY ARRAY['org_terms', 'members', 'sessions', 'actions'] LOOP
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_app, taiwa_operator', t);
	END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE actions, sessions, members, org_terms;
