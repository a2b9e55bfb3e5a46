-- The coach: its answers (prep plans, reflection prompts, chat turns) with
-- the citations they showed, managers' thumbs up/down on them, chat
-- threads, the queries the knowledge base could not answer (for curators),
-- the contacts shown for matters the coach does not coach on, and each
-- organization's model usage against its budget.

-- +goose Up
CREATE TABLE chat_threads (
	org_id     uuid NOT NULL,
	id         uuid NOT NULL,
	manager_id uuid NOT NULL,
	member_id  uuid,
	title      text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE
);
CREATE INDEX chat_threads_manager ON chat_threads (org_id, manager_id, updated_at DESC);

-- A turn about a member carries member_id itself, so erasing the member
-- removes it even if a thread's link to the member were ever changed.
CREATE TABLE chat_messages (
	org_id     uuid NOT NULL,
	id         uuid NOT NULL,
	thread_id  uuid NOT NULL,
	manager_id uuid NOT NULL,
	member_id  uuid,
	role       text NOT NULL CHECK (role IN ('user', 'assistant')),
	content    text NOT NULL CHECK (length(content) <= 20000),
	answer     jsonb,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, thread_id) REFERENCES chat_threads (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE
);
CREATE INDEX chat_messages_thread ON chat_messages (org_id, manager_id, thread_id, created_at);

-- Every answer the coach gave, with its mode and citations: what the
-- thumbs refer to, and what analytics count. Text in it is masked.
CREATE TABLE coach_answers (
	org_id            uuid NOT NULL,
	id                uuid NOT NULL,
	manager_id        uuid NOT NULL,
	member_id         uuid,
	session_id        uuid,
	kind              text NOT NULL CHECK (kind IN ('prep', 'reflection', 'chat')),
	mode              text NOT NULL CHECK (mode IN ('llm', 'offline')),
	model             text NOT NULL DEFAULT '',
	answer            jsonb NOT NULL,
	citations         int NOT NULL DEFAULT 0,
	dropped_citations int NOT NULL DEFAULT 0,
	prompt_tokens     int NOT NULL DEFAULT 0,
	completion_tokens int NOT NULL DEFAULT 0,
	created_at        timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, session_id) REFERENCES sessions (org_id, id) ON DELETE CASCADE
);
CREATE INDEX coach_answers_manager ON coach_answers (org_id, manager_id, created_at DESC);

CREATE TABLE answer_feedback (
	org_id     uuid NOT NULL,
	answer_id  uuid NOT NULL,
	manager_id uuid NOT NULL,
	member_id  uuid,
	helpful    boolean NOT NULL,
	comment    text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, answer_id),
	FOREIGN KEY (org_id, answer_id) REFERENCES coach_answers (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE
);

-- Queries the guidance did not cover, for the curators' content-gap
-- report. Masked, and with no manager or member: curators see what was
-- asked, not who asked it.
CREATE TABLE content_gaps (
	org_id     uuid NOT NULL,
	id         uuid NOT NULL,
	kind       text NOT NULL CHECK (kind IN ('prep', 'reflection', 'chat')),
	query      text NOT NULL CHECK (length(query) <= 2000),
	language   text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id)
);
CREATE INDEX content_gaps_time ON content_gaps (org_id, created_at DESC);

-- Who a manager should involve when the coach does not coach: HR,
-- occupational health, a hotline. Set by the organization's admins.
CREATE TABLE org_contacts (
	org_id   uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	position int NOT NULL,
	kind     text NOT NULL CHECK (kind IN ('hr', 'health', 'hotline', 'legal', 'other')),
	name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	detail   text NOT NULL DEFAULT '' CHECK (length(detail) <= 500),
	PRIMARY KEY (org_id, position)
);

-- Tokens a day per organization, counted against its budget.
CREATE TABLE llm_usage (
	org_id            uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	day               date NOT NULL,
	calls             int NOT NULL DEFAULT 0,
	prompt_tokens     bigint NOT NULL DEFAULT 0,
	completion_tokens bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (org_id, day)
);

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['chat_threads', 'chat_messages', 'coach_answers', 'answer_feedback',
		'content_gaps', 'org_contacts', 'llm_usage'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_app, taiwa_operator', t);
	END LOOP;
	-- A manager's own coaching is private to them, like their history.
	FOREACH t IN ARRAY ARRAY['chat_threads', 'chat_messages', 'coach_answers', 'answer_feedback'] LOOP
		EXECUTE format($p$CREATE POLICY own_history ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)$p$, t);
	END LOOP;
	FOREACH t IN ARRAY ARRAY['content_gaps', 'org_contacts', 'llm_usage'] LOOP
		EXECUTE format($p$CREATE POLICY tenant ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
	END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE llm_usage, org_contacts, content_gaps, answer_feedback, coach_answers, chat_messages, chat_threads;
