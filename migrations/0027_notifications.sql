-- Meeting managers where they work (assistant/notify): an organization's
-- channels (Slack, email), each user's choices, calendar feeds, and the
-- reminders already sent, so that a retried or doubled job never sends one
-- twice.

-- +goose Up
-- Secrets (Slack token and signing secret, SMTP password, a user's Slack
-- webhook) are stored as given: the server must present them. The API
-- never returns them, only whether they are set.
CREATE TABLE notify_settings (
	org_id               uuid PRIMARY KEY REFERENCES orgs (org_id) ON DELETE CASCADE,
	public_url           text NOT NULL DEFAULT '' CHECK (length(public_url) <= 500),
	slack_bot_token      text NOT NULL DEFAULT '' CHECK (length(slack_bot_token) <= 500),
	slack_api_url        text NOT NULL DEFAULT '' CHECK (length(slack_api_url) <= 500),
	slack_signing_secret text NOT NULL DEFAULT '' CHECK (length(slack_signing_secret) <= 200),
	slack_team_id        text NOT NULL DEFAULT '' CHECK (length(slack_team_id) <= 50),
	smtp_addr            text NOT NULL DEFAULT '' CHECK (length(smtp_addr) <= 300),
	smtp_username        text NOT NULL DEFAULT '' CHECK (length(smtp_username) <= 300),
	smtp_password        text NOT NULL DEFAULT '' CHECK (length(smtp_password) <= 300),
	smtp_from            text NOT NULL DEFAULT '' CHECK (length(smtp_from) <= 320),
	smtp_tls             text NOT NULL DEFAULT 'starttls' CHECK (smtp_tls IN ('starttls', 'tls', 'none')),
	remind_before_min    int NOT NULL DEFAULT 60 CHECK (remind_before_min BETWEEN 5 AND 10080),
	remind_after_min     int NOT NULL DEFAULT 30 CHECK (remind_after_min BETWEEN 5 AND 10080),
	updated_at           timestamptz NOT NULL DEFAULT now()
);

-- A user's own choices. slack_user_id is how a slash command finds its
-- Taiwa user, and where the bot's direct messages go; a user without the
-- organization's bot may give an incoming webhook of their own (one that
-- posts to them, never to a shared channel).
CREATE TABLE notify_prefs (
	org_id            uuid NOT NULL,
	user_id           uuid NOT NULL,
	opt_out           boolean NOT NULL DEFAULT false,
	slack_user_id     text NOT NULL DEFAULT '' CHECK (slack_user_id ~ '^([UW][A-Z0-9]{2,30})?$'),
	slack_webhook_url text NOT NULL DEFAULT '' CHECK (length(slack_webhook_url) <= 500),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, user_id),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX notify_prefs_slack ON notify_prefs (org_id, slack_user_id) WHERE slack_user_id <> '';

-- A calendar feed is a secret URL; only its token's SHA-256 is stored and
-- it is found by that hash (feed_lookup), before the organization is
-- known, like a member link.
CREATE TABLE calendar_feeds (
	org_id     uuid NOT NULL,
	id         uuid NOT NULL,
	user_id    uuid NOT NULL,
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (org_id, user_id);

-- One row per reminder sent (session, kind): written in the transaction
-- that claims the reminder, before anything is sent.
CREATE TABLE reminders_sent (
	org_id     uuid NOT NULL,
	session_id uuid NOT NULL,
	kind       text NOT NULL CHECK (kind IN ('prepare', 'after')),
	manager_id uuid NOT NULL,
	member_id  uuid NOT NULL,
	channels   text[] NOT NULL DEFAULT '{}',
	sent_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, session_id, kind),
	FOREIGN KEY (org_id, session_id) REFERENCES sessions (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, member_id) REFERENCES members (org_id, id) ON DELETE CASCADE
);
CREATE INDEX reminders_sent_member_fk ON reminders_sent (org_id, member_id);

-- Scheduled sessions are scanned by time across organizations (the
-- operator's sweep that enqueues reminders).
CREATE INDEX sessions_scheduled_at ON sessions (scheduled_at) WHERE status = 'scheduled';
CREATE INDEX sessions_held_at ON sessions (held_at) WHERE status = 'held';

-- Slack retries a request it got no answer to, and an attacker may replay
-- one: a signature is accepted once.
CREATE TABLE slack_requests_seen (
	org_id    uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	signature bytea NOT NULL,
	seen_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, signature)
);
CREATE INDEX slack_requests_seen_time ON slack_requests_seen (seen_at);

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['notify_settings', 'notify_prefs', 'calendar_feeds', 'reminders_sent', 'slack_requests_seen'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_app, taiwa_operator', t);
	END LOOP;
	FOREACH t IN ARRAY ARRAY['notify_settings', 'slack_requests_seen'] LOOP
		EXECUTE format($p$CREATE POLICY tenant ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
	END LOOP;
	-- A user's own rows only: an admin sets the organization's channels,
	-- not a colleague's choices or feed.
	FOREACH t IN ARRAY ARRAY['notify_prefs', 'calendar_feeds'] LOOP
		EXECUTE format($p$CREATE POLICY own ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				AND user_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				AND user_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)$p$, t);
	END LOOP;
	EXECUTE $p$CREATE POLICY own_history ON reminders_sent TO taiwa_app
		USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
			AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)
		WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
			AND manager_id = nullif(current_setting('taiwa.user_id', true), '')::uuid)$p$;
END
$$;
-- +goose StatementEnd

CREATE POLICY feed_lookup ON calendar_feeds FOR SELECT TO taiwa_app
	USING (token_hash = decode(nullif(current_setting('taiwa.feed_hash', true), ''), 'hex'));

-- A Slack request names its workspace (team_id) before the organization is
-- known; the signing secret that checks it is found by that id.
CREATE POLICY slack_lookup ON notify_settings FOR SELECT TO taiwa_app
	USING (slack_team_id <> '' AND slack_team_id = nullif(current_setting('taiwa.slack_team', true), ''));
-- ... and its user by their Slack id, once the organization is known.
CREATE POLICY slack_user_lookup ON notify_prefs FOR SELECT TO taiwa_app
	USING (slack_user_id <> '' AND org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		AND slack_user_id = nullif(current_setting('taiwa.slack_user', true), ''));
CREATE UNIQUE INDEX notify_settings_slack_team ON notify_settings (slack_team_id) WHERE slack_team_id <> '';

-- +goose Down
DROP TABLE slack_requests_seen, reminders_sent, calendar_feeds, notify_prefs, notify_settings;
DROP INDEX sessions_scheduled_at;
DROP INDEX sessions_held_at;
