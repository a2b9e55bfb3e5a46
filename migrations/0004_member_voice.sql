-- The member's own voice and the manager's follow-through: single-use links
-- a member opens without an account (intake before a 1on1, feedback after),
-- the member's feedback, the manager's reflection answers, and embeddings of
-- session notes for searching one manager's own history.
--
-- Everything here belongs to the manager's history (own_history policy) and
-- goes with the member or session when they are erased.

-- +goose Up
ALTER TABLE sessions ADD COLUMN request_from text NOT NULL DEFAULT 'manager'
	CHECK (request_from IN ('manager', 'member'));

-- Only the SHA-256 of a link's token is stored. A link is found by the hash
-- of the token presented (link_lookup policy), before its organization is
-- known, like an API token.
CREATE TABLE member_links (
	org_id     uuid NOT NULL,
	id         uuid NOT NULL,
	manager_id uuid NOT NULL,
	member_id  uuid NOT NULL,
	session_id uuid NOT NULL,
	phase      text NOT NULL CHECK (phase IN ('intake', 'feedback')),
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	expires_at timestamptz NOT NULL,
	used_at    timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, session_id) REFERENCES sessions (org_id, id) ON DELETE CASCADE
);
CREATE INDEX member_links_session ON member_links (org_id, manager_id, session_id, phase);

-- One answer per session. The comment is stored only when the member chose
-- to share it with the manager; otherwise it is never written.
CREATE TABLE session_feedback (
	org_id       uuid NOT NULL,
	session_id   uuid NOT NULL,
	member_id    uuid NOT NULL,
	manager_id   uuid NOT NULL,
	satisfaction int NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
	matched      text NOT NULL CHECK (matched IN ('yes', 'partly', 'no')),
	comment      text CHECK (length(comment) <= 2000),
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, session_id),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, session_id) REFERENCES sessions (org_id, id) ON DELETE CASCADE
);
CREATE INDEX session_feedback_member ON session_feedback (org_id, manager_id, member_id, created_at);

CREATE TABLE session_reflections (
	org_id     uuid NOT NULL,
	id         uuid NOT NULL,
	session_id uuid NOT NULL,
	member_id  uuid NOT NULL,
	manager_id uuid NOT NULL,
	position   int NOT NULL,
	prompt     text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 1000),
	answer     text NOT NULL CHECK (length(answer) <= 5000),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, session_id) REFERENCES sessions (org_id, id) ON DELETE CASCADE
);
CREATE INDEX session_reflections_session ON session_reflections (org_id, manager_id, session_id, position);

-- Vectors of (already masked) session text, per model. Searched with an
-- exact distance sort over one manager's member: the B-tree narrows to
-- those rows, and no approximate index is shared across managers or orgs.
CREATE TABLE session_embeddings (
	org_id       uuid NOT NULL,
	session_id   uuid NOT NULL,
	member_id    uuid NOT NULL,
	manager_id   uuid NOT NULL,
	model        text NOT NULL,
	content_hash bytea NOT NULL,
	embedding    vector NOT NULL,
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, session_id, model),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, session_id) REFERENCES sessions (org_id, id) ON DELETE CASCADE
);
CREATE INDEX session_embeddings_owner ON session_embeddings (org_id, manager_id, member_id, model);

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['member_links', 'session_feedback', 'session_reflections', 'session_embeddings'] LOOP
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

CREATE POLICY link_lookup ON member_links FOR SELECT TO taiwa_app
	USING (token_hash = decode(nullif(current_setting('taiwa.link_hash', true), ''), 'hex'));

-- +goose Down
DROP TABLE session_embeddings, session_reflections, session_feedback, member_links;
ALTER TABLE sessions DROP COLUMN request_from;
