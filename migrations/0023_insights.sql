-- Teams, and the one way cross-manager history is read: aggregate figures
-- that no reader can narrow down to a person (docs/architecture.md,
-- Insights).
--
-- History is private to its manager (own_history policies), so an admin
-- reads none of it in SQL. The figures come from SECURITY DEFINER
-- functions owned by taiwa_insights, a role that cannot log in, may only
-- SELECT, and whose policies show it the calling transaction's
-- organization only. They compute every group over a cell (a team and its
-- sub-teams, or the whole organization, in one closed month) and keep it
-- only over at least 5 members, 5 answers and 3 managers; then they
-- suppress cells until nothing can be derived by subtraction: in every
-- tree of cells, what a kept cell holds beyond its kept sub-cells (its
-- residual) is empty or itself above the thresholds. A figure is shown only
-- when every group it reveals, itself or by subtraction from another shown
-- figure (the 1on1s not held, without a condition...), is kept.
--
-- A month counts with the team structure of its first day, kept over time
-- (team_links, team_memberships); after the figures are first read a
-- change holds from then on, so no read before a change and one after
-- differ. Only closed months are reported: a month in progress would let
-- two reads a day apart reveal one 1on1.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
	priv text := CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taiwa_insights') THEN
		CREATE ROLE taiwa_insights NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
	END IF;
	-- The login role hands its functions to taiwa_insights, which needs
	-- SET on it; it never inherits its rights.
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		IF current_setting('server_version_num')::int >= 160000 THEN
			EXECUTE format('GRANT taiwa_insights TO %I WITH INHERIT FALSE, SET TRUE', current_user);
		ELSIF NOT pg_has_role(current_user, 'taiwa_insights', priv) THEN
			EXECUTE format('GRANT taiwa_insights TO %I', current_user);
		END IF;
	END IF;
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO taiwa_insights', current_schema());
EXCEPTION WHEN duplicate_object OR unique_violation THEN
	NULL; -- another schema's migration created it at the same moment
END
$$;
-- +goose StatementEnd

CREATE TABLE teams (
	org_id      uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id          uuid NOT NULL,
	parent_id   uuid, -- now; team_links keeps the past
	name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	created_at  timestamptz NOT NULL DEFAULT now(),
	archived_at timestamptz,
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, parent_id) REFERENCES teams (org_id, id)
);
CREATE INDEX teams_parent ON teams (org_id, parent_id);
CREATE UNIQUE INDEX teams_name ON teams (org_id, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'), name)
	WHERE archived_at IS NULL;

-- The structure over time: which team was under which (team_links) and
-- which team a manager was in (team_memberships). A month counts with the
-- structure of its first day. Until the organization's figures are first
-- read (insights_reads), the structure is being set up and every change
-- holds for the past too, so a tree set up today reports the months
-- before it; after that, a change holds from the moment it is made, so
-- no past month's figures move between two reads.
CREATE TABLE team_links (
	org_id     uuid NOT NULL,
	team_id    uuid NOT NULL,
	parent_id  uuid,
	valid_from timestamptz NOT NULL,
	valid_to   timestamptz,
	PRIMARY KEY (org_id, team_id, valid_from),
	FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, parent_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
	CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX team_links_current ON team_links (org_id, team_id) WHERE valid_to IS NULL;
CREATE INDEX team_links_parent ON team_links (org_id, parent_id);

CREATE TABLE team_memberships (
	org_id     uuid NOT NULL,
	user_id    uuid NOT NULL,
	team_id    uuid NOT NULL,
	valid_from timestamptz NOT NULL,
	valid_to   timestamptz,
	PRIMARY KEY (org_id, user_id, valid_from),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
	CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX team_memberships_current ON team_memberships (org_id, user_id) WHERE valid_to IS NULL;
CREATE INDEX team_memberships_team ON team_memberships (org_id, team_id);

-- When an admin first read the organization's figures: the end of setup.
CREATE TABLE insights_reads (
	org_id   uuid PRIMARY KEY REFERENCES orgs (org_id) ON DELETE CASCADE,
	first_at timestamptz NOT NULL
);

-- Whether the organization's admins let its curators read the figures too.
CREATE TABLE insights_access (
	org_id   uuid PRIMARY KEY REFERENCES orgs (org_id) ON DELETE CASCADE,
	curators boolean NOT NULL DEFAULT false
);

-- Sessions by time across an organization's managers: only the insights
-- functions read them this way.
CREATE INDEX sessions_org_time ON sessions (org_id, (coalesce(held_at, scheduled_at, created_at)));

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['teams', 'team_links', 'team_memberships', 'insights_reads', 'insights_access'] LOOP
		-- (The application may read, never write, when setup ended.)
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format($p$CREATE POLICY tenant ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_operator', t);
		EXECUTE format('GRANT %s ON %I TO taiwa_app', CASE WHEN t = 'insights_reads' THEN 'SELECT' ELSE 'SELECT, INSERT, UPDATE, DELETE' END, t);
	END LOOP;
	-- taiwa_insights reads, in the calling transaction's organization only,
	-- what the figures are made of.
	FOREACH t IN ARRAY ARRAY['users', 'insights_access', 'teams', 'team_links', 'team_memberships', 'sessions', 'actions',
		'session_feedback', 'session_reflections', 'safety_referrals'] LOOP
		EXECUTE format($p$CREATE POLICY insights ON %I FOR SELECT TO taiwa_insights
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
		EXECUTE format('GRANT SELECT ON %I TO taiwa_insights', t);
	END LOOP;
	CREATE POLICY insights ON insights_reads TO taiwa_insights
		USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
		WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
	GRANT SELECT, INSERT ON insights_reads TO taiwa_insights;
END
$$;
-- +goose StatementEnd

-- The cache of computed months (insights_fill): per manager, never per
-- member, and readable only by taiwa_insights, whose functions filter by
-- the caller's organization. Its policy is not scoped to one
-- organization because the trigger that forgets months also runs in the
-- operator's transactions, which set none.
CREATE TABLE insights_months (
	org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	month  timestamptz NOT NULL,
	PRIMARY KEY (org_id, month)
);
CREATE TABLE insights_month_atoms (
	org_id     uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	month      timestamptz NOT NULL,
	family     text NOT NULL,
	slice      text NOT NULL,
	manager_id uuid NOT NULL,
	members    int NOT NULL,
	answers    int NOT NULL,
	s1         float8 NOT NULL,
	s2         float8 NOT NULL,
	s3         float8 NOT NULL,
	PRIMARY KEY (org_id, month, family, slice, manager_id)
);
ALTER TABLE insights_months ENABLE ROW LEVEL SECURITY;
ALTER TABLE insights_months FORCE ROW LEVEL SECURITY;
ALTER TABLE insights_month_atoms ENABLE ROW LEVEL SECURITY;
ALTER TABLE insights_month_atoms FORCE ROW LEVEL SECURITY;
CREATE POLICY insights ON insights_months TO taiwa_insights USING (true) WITH CHECK (true);
CREATE POLICY insights ON insights_month_atoms TO taiwa_insights USING (true) WITH CHECK (true);
CREATE POLICY operator ON insights_months TO taiwa_operator USING (true) WITH CHECK (true);
CREATE POLICY operator ON insights_month_atoms TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON insights_months, insights_month_atoms TO taiwa_insights;
GRANT SELECT, DELETE ON insights_months, insights_month_atoms TO taiwa_operator;

-- insights_atoms reads the organization's history for the closed months in
-- [p_from, p_to) into the temporary table insights_atom: one row per month,
-- family, slice, team (at the time), manager and member, with additive
-- sums. It is the only reader of other managers' rows; the functions
-- below return only what survives the thresholds.
-- Families of figures (each its own tree, no sums across them):
--   sessions   planned 1on1s (answers); s1 held, s2 held with a reflection
--   condition  held 1on1s with a condition; s1 sum of condition
--   style      held 1on1s per requested style (slice)
--   feedback   members' feedback per requested style (slice, 'none' when
--              none was asked); s1 sum of satisfaction, s2 matched yes,
--              s3 matched partly
--   topic      held 1on1s per topic the member chose (slice)
--   actions    actions open at the month's end; s1 sum of age in days,
--              s2 open over 30 days
--   actions_closed  actions done in the month; s1 sum of days they took
--   referrals  the coach's referrals per matter (slice); organization only,
--              and they name no one, so only the answers threshold applies
-- +goose StatementBegin
CREATE FUNCTION insights_atoms(p_from date, p_to date) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
	org constant uuid := nullif(current_setting('taiwa.org_id', true), '')::uuid;
	root constant uuid := '00000000-0000-0000-0000-000000000000';
BEGIN
	IF org IS NULL THEN
		RAISE EXCEPTION 'insights: no organization' USING ERRCODE = 'insufficient_privilege';
	END IF;
	-- Emptied at commit: a pooled connection keeps its temporary tables,
	-- and the next transaction on it may belong to another organization.
	IF to_regclass('pg_temp.insights_atom') IS NULL THEN
		CREATE TEMP TABLE insights_atom (
			month timestamptz, family text, slice text, team_id uuid, manager_id uuid,
			members int, answers int, s1 float8, s2 float8, s3 float8) ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE insights_group (
			month timestamptz, family text, slice text, team_id uuid,
			members int, managers int, answers int, s1 float8, s2 float8, s3 float8) ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE insights_member (user_id uuid, team_id uuid, valid_from timestamptz, valid_to timestamptz)
			ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE insights_anc (month timestamptz, team_id uuid, node uuid, dist int) ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE insights_dirty (month timestamptz, family text, slice text) ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE insights_dirty_next (month timestamptz, family text, slice text) ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE insights_cell (
			month timestamptz, family text, slice text, node uuid,
			members int, managers int, answers int, s1 float8, s2 float8, s3 float8, published bool)
			ON COMMIT DELETE ROWS;
	END IF;
	TRUNCATE insights_atom, insights_group, insights_member, insights_anc, insights_cell, insights_dirty, insights_dirty_next;

	-- The tree of each month's first day: each team's ancestors and itself
	-- (dist 0), up to the organization (root). A manager in no team counts
	-- for the root alone (team_id root).
	INSERT INTO insights_anc
	WITH RECURSIVE m AS (
		SELECT g AS month FROM generate_series(p_from::timestamptz, p_to - interval '1 month', interval '1 month') g
	), edge AS (
		SELECT m.month, l.team_id, coalesce(l.parent_id, root) AS parent
		FROM m JOIN team_links l ON l.org_id = org AND l.valid_from <= m.month AND (l.valid_to IS NULL OR l.valid_to > m.month)
	), up AS (
		SELECT e.month, e.team_id, e.team_id AS node, 0 AS dist FROM edge e
		UNION ALL
		SELECT m.month, root, root, 0 FROM m
		UNION ALL
		SELECT up.month, up.team_id, e.parent, up.dist + 1
		FROM up JOIN edge e ON e.month = up.month AND e.team_id = up.node
	)
	SELECT month, team_id, node, dist FROM up;
	INSERT INTO insights_member
	SELECT user_id, team_id, valid_from, coalesce(valid_to, 'infinity') FROM team_memberships WHERE org_id = org;
	-- Temporary tables have no statistics until analyzed; these are small.
	ANALYZE insights_member;
	ANALYZE insights_anc;

	-- Atoms: the cached months (insights_fill), each manager's month in the
	-- team the manager was in when the month began. A member belongs to one
	-- manager and a manager to one team per month, so members, managers
	-- and answers add up over teams and every cell below is a sum.
	PERFORM insights_fill(org, p_from, p_to);
	INSERT INTO insights_atom
	SELECT a.month, a.family, a.slice, coalesce(m.team_id, root), a.manager_id, a.members, a.answers, a.s1, a.s2, a.s3
	FROM insights_month_atoms a
	LEFT JOIN insights_member m ON m.user_id = a.manager_id AND m.valid_from <= a.month AND m.valid_to > a.month
	WHERE a.org_id = org AND a.month >= p_from AND a.month < p_to;

	-- Groups: the atoms of one team.
	INSERT INTO insights_group
	SELECT month, family, slice, team_id, sum(members), count(*), sum(answers), sum(s1), sum(s2), sum(s3)
	FROM insights_atom GROUP BY month, family, slice, team_id;
	ANALYZE insights_group;
END $$;
-- +goose StatementEnd

-- insights_fill makes sure the closed months in [p_from, p_to) of org are
-- in insights_month_atoms: one row per month, family, slice and manager,
-- with that manager's members, answers and sums. A write to history
-- forgets the months it touches (insights_forget), so a month is computed
-- once and again only after a late edit. Readers that compute take the
-- organization's lock exclusively and writers take it shared, so no
-- month computed from a snapshot older than a write can be kept.
-- +goose StatementBegin
CREATE FUNCTION insights_fill(org uuid, p_from date, p_to date) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
	lo timestamptz;
	hi timestamptz;
BEGIN
	FOR i IN 1..2 LOOP
		SELECT min(g), max(g) + interval '1 month' INTO lo, hi
		FROM generate_series(p_from::timestamptz, p_to - interval '1 month', interval '1 month') g
		WHERE NOT EXISTS (SELECT FROM insights_months c WHERE c.org_id = org AND c.month = g);
		IF lo IS NULL THEN
			RETURN;
		END IF;
		-- Then again under the lock: another reader may have filled them.
		EXIT WHEN i = 2;
		PERFORM pg_advisory_xact_lock(hashtext('taiwa.insights'), hashtext(org::text));
	END LOOP;
	DELETE FROM insights_month_atoms WHERE org_id = org AND month >= lo AND month < hi;

	INSERT INTO insights_month_atoms
	WITH s AS MATERIALIZED (
		SELECT s.member_id, s.manager_id, s.status, s.request_style, s.condition, s.request_topics, s.month,
		       r.session_id IS NOT NULL AS reflected, f.satisfaction, f.matched
		FROM (SELECT s.*, date_trunc('month', coalesce(s.held_at, s.scheduled_at, s.created_at)) AS month
		      FROM sessions s
		      WHERE s.org_id = org
		        AND coalesce(s.held_at, s.scheduled_at, s.created_at) >= lo
		        AND coalesce(s.held_at, s.scheduled_at, s.created_at) < hi) s
		LEFT JOIN (SELECT DISTINCT session_id FROM session_reflections
		           WHERE org_id = org AND answer <> '' AND created_at >= lo) r ON r.session_id = s.id
		LEFT JOIN session_feedback f ON f.org_id = org AND f.session_id = s.id
	)
	SELECT org, month, 'sessions', '', manager_id, count(DISTINCT member_id)::int, count(*)::int,
	       count(*) FILTER (WHERE status = 'held'),
	       count(*) FILTER (WHERE status = 'held' AND reflected), 0
	FROM s GROUP BY month, manager_id
	UNION ALL
	SELECT org, month, 'condition', '', manager_id, count(DISTINCT member_id)::int, count(*)::int, sum(condition), 0, 0
	FROM s WHERE status = 'held' AND condition IS NOT NULL
	GROUP BY month, manager_id
	UNION ALL
	SELECT org, month, 'style', request_style, manager_id, count(DISTINCT member_id)::int, count(*)::int, 0, 0, 0
	FROM s WHERE status = 'held' AND request_style IS NOT NULL
	GROUP BY month, request_style, manager_id
	UNION ALL
	SELECT org, month, 'topic', topic, manager_id, count(DISTINCT member_id)::int, count(*)::int, 0, 0, 0
	FROM s CROSS JOIN LATERAL unnest(s.request_topics) topic WHERE status = 'held'
	GROUP BY month, topic, manager_id
	UNION ALL
	SELECT org, month, 'feedback', coalesce(request_style, 'none'), manager_id, count(DISTINCT member_id)::int,
	       count(*)::int, sum(satisfaction), count(*) FILTER (WHERE matched = 'yes'),
	       count(*) FILTER (WHERE matched = 'partly')
	FROM s WHERE satisfaction IS NOT NULL
	GROUP BY month, coalesce(request_style, 'none'), manager_id
	-- The groups a shown figure also reveals, by subtraction or from a
	-- mean: never shown themselves, each must be empty or above the
	-- thresholds like any cell (insights_shown).
	UNION ALL
	SELECT org, month, g.family, g.slice, manager_id, count(DISTINCT member_id)::int, count(*)::int, 0, 0, 0
	FROM s CROSS JOIN LATERAL (VALUES
		('held', '', status = 'held'),
		('not_held', '', status <> 'held'),
		('reflected', '', status = 'held' AND reflected),
		('unreflected', '', status = 'held' AND NOT reflected),
		('no_condition', '', status = 'held' AND condition IS NULL),
		('no_style', '', status = 'held' AND request_style IS NULL),
		('no_feedback', coalesce(request_style, 'none'), status = 'held' AND satisfaction IS NULL)
	) g(family, slice, member)
	WHERE g.member
	GROUP BY month, g.family, g.slice, manager_id
	UNION ALL
	SELECT org, s.month, 'no_topic', t.topic, s.manager_id, count(DISTINCT s.member_id)::int, count(*)::int, 0, 0, 0
	FROM s JOIN (SELECT DISTINCT month, unnest(request_topics) AS topic FROM s WHERE status = 'held') t ON t.month = s.month
	WHERE s.status = 'held' AND NOT t.topic = ANY (s.request_topics)
	GROUP BY s.month, t.topic, s.manager_id;

	-- Actions open at the end of each month: the months m with
	-- created_at < m's end <= closed_at.
	INSERT INTO insights_month_atoms
	SELECT org, o.month, 'actions', '', o.manager_id, count(DISTINCT o.member_id)::int, count(*)::int,
	       sum(extract(epoch FROM o.month + interval '1 month' - o.created_at) / 86400),
	       count(*) FILTER (WHERE o.month + interval '1 month' - o.created_at > interval '30 days'), 0
	FROM (
		SELECT a.manager_id, a.member_id, a.created_at, g AS month
		FROM actions a
		CROSS JOIN LATERAL generate_series(
			greatest(date_trunc('month', a.created_at), lo),
			least(date_trunc('month', coalesce(a.closed_at, 'infinity') - interval '1 month'), hi - interval '1 month'),
			interval '1 month') g
		WHERE a.org_id = org AND a.created_at < hi AND (a.closed_at IS NULL OR a.closed_at >= lo + interval '1 month')
	) o
	GROUP BY o.month, o.manager_id;

	-- Actions done in each month, with the days they took.
	INSERT INTO insights_month_atoms
	SELECT org, date_trunc('month', a.closed_at), 'actions_closed', '', a.manager_id, count(DISTINCT a.member_id)::int,
	       count(*)::int, sum(extract(epoch FROM a.closed_at - a.created_at) / 86400), 0, 0
	FROM actions a
	WHERE a.org_id = org AND a.status = 'done' AND a.closed_at >= lo AND a.closed_at < hi
	GROUP BY 2, a.manager_id;

	-- Referrals name no one: each counts as its own member and manager.
	INSERT INTO insights_month_atoms
	SELECT org, date_trunc('month', r.created_at), 'referrals', r.matter, r.id, 1, 1, 0, 0, 0
	FROM safety_referrals r
	WHERE r.org_id = org AND r.created_at >= lo AND r.created_at < hi;

	INSERT INTO insights_months
	SELECT org, g FROM generate_series(lo, hi - interval '1 month', interval '1 month') g
	ON CONFLICT DO NOTHING;
END $$;
-- +goose StatementEnd

-- insights_forget is the trigger that forgets the cached months a write to
-- history touches: a session's month (before and after), an action's
-- months from its creation on, the month of the session a feedback or
-- reflection is about, a referral's month. It runs as taiwa_insights,
-- the only role that may touch the cache.
-- +goose StatementBegin
CREATE FUNCTION insights_forget() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	org uuid;
	months timestamptz[];
	since timestamptz;
BEGIN
	IF TG_OP = 'DELETE' THEN org := OLD.org_id; ELSE org := NEW.org_id; END IF;
	PERFORM pg_advisory_xact_lock_shared(hashtext('taiwa.insights'), hashtext(org::text));
	CASE TG_TABLE_NAME
	WHEN 'sessions' THEN
		IF TG_OP <> 'INSERT' THEN
			months := months || date_trunc('month', coalesce(OLD.held_at, OLD.scheduled_at, OLD.created_at));
		END IF;
		IF TG_OP <> 'DELETE' THEN
			months := months || date_trunc('month', coalesce(NEW.held_at, NEW.scheduled_at, NEW.created_at));
		END IF;
	WHEN 'actions' THEN
		IF TG_OP = 'DELETE' THEN since := OLD.created_at;
		ELSIF TG_OP = 'INSERT' THEN since := NEW.created_at;
		ELSE since := least(OLD.created_at, NEW.created_at);
		END IF;
	WHEN 'safety_referrals' THEN
		IF TG_OP = 'DELETE' THEN since := OLD.created_at; ELSE since := NEW.created_at; END IF;
		months := ARRAY[date_trunc('month', since)];
		since := NULL;
	ELSE -- session_feedback, session_reflections: the session's month
		SELECT date_trunc('month', coalesce(s.held_at, s.scheduled_at, s.created_at)) INTO since
		FROM sessions s
		WHERE s.org_id = org AND s.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.session_id ELSE NEW.session_id END;
		IF since IS NOT NULL THEN
			months := ARRAY[since];
			since := NULL;
		ELSIF TG_OP <> 'DELETE' THEN
			-- A session this role cannot see (no organization set, as in
			-- the operator's tools): forget every month. (A deleted one's
			-- own trigger forgets its month.)
			since := '-infinity';
		END IF;
	END CASE;
	IF since IS NOT NULL THEN
		DELETE FROM insights_months WHERE org_id = org AND month >= date_trunc('month', since);
	END IF;
	IF months IS NOT NULL THEN
		DELETE FROM insights_months WHERE org_id = org AND month = ANY (months);
	END IF;
	RETURN NULL;
END $$;
-- +goose StatementEnd

-- insights_cells computes every cell from the atoms, suppresses them as
-- the header says, and leaves them in insights_cell.
-- +goose StatementBegin
CREATE FUNCTION insights_cells() RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT
-- The temporary tables have no statistics, and a nested loop on a guess
-- goes quadratic; hashing is right for every join here.
SET enable_nestloop = off AS $$
DECLARE
	root constant uuid := '00000000-0000-0000-0000-000000000000';
	k constant int := 5;          -- members and answers
	k_managers constant int := 3; -- managers
	n int;
	every boolean := true; -- the first pass checks every tree; later ones those it changed
BEGIN
	-- Cells: every node over the groups of its subtree.
	INSERT INTO insights_cell
	SELECT g.month, g.family, g.slice, x.node, sum(g.members), sum(g.managers), sum(g.answers),
	       sum(g.s1), sum(g.s2), sum(g.s3),
	       sum(g.answers) >= k AND sum(g.members) >= k AND sum(g.managers) >= k_managers
	FROM insights_group g
	JOIN insights_anc x ON x.month = g.month AND x.team_id = g.team_id
	WHERE g.family <> 'referrals' OR x.node = root
	GROUP BY g.month, g.family, g.slice, x.node;

	-- Suppress until every published cell's residual (the groups whose
	-- lowest published cell it is) is empty or above the thresholds. A
	-- violation is cured by suppressing the smallest published cell just
	-- below it (its residual grows by at least k); the loop ends because it
	-- only ever suppresses.
	LOOP
		WITH low AS (
			-- For each group, its lowest published cell.
			SELECT DISTINCT ON (g.month, g.family, g.slice, g.team_id)
			       g.month, g.family, g.slice, c.node, g.members, g.managers, g.answers
			FROM insights_group g
			JOIN insights_anc x ON x.month = g.month AND x.team_id = g.team_id
			JOIN insights_cell c ON c.month = g.month AND c.family = g.family AND c.slice = g.slice
			                    AND c.node = x.node AND c.published
			WHERE every OR (g.month, g.family, g.slice) IN (SELECT d.month, d.family, d.slice FROM insights_dirty d)
			ORDER BY g.month, g.family, g.slice, g.team_id, x.dist
		), residual AS (
			SELECT l.month, l.family, l.slice, l.node
			FROM low l
			GROUP BY l.month, l.family, l.slice, l.node
			HAVING sum(l.answers) < k OR sum(l.members) < k OR sum(l.managers) < k_managers
		), below AS (
			-- Published cells and their lowest published ancestor.
			SELECT DISTINCT ON (c.month, c.family, c.slice, c.node)
			       c.month, c.family, c.slice, c.node, p.node AS above, c.members, c.answers
			FROM insights_cell c
			JOIN insights_anc x ON x.month = c.month AND x.team_id = c.node AND x.dist > 0
			JOIN insights_cell p ON p.month = c.month AND p.family = c.family AND p.slice = c.slice
			                    AND p.node = x.node AND p.published
			WHERE c.published
			  AND (every OR (c.month, c.family, c.slice) IN (SELECT d.month, d.family, d.slice FROM insights_dirty d))
			ORDER BY c.month, c.family, c.slice, c.node, x.dist
		), pick AS (
			SELECT DISTINCT ON (r.month, r.family, r.slice, r.node) b.month, b.family, b.slice, b.node
			FROM residual r
			JOIN below b ON b.month = r.month AND b.family = r.family AND b.slice = r.slice AND b.above = r.node
			ORDER BY r.month, r.family, r.slice, r.node, b.members, b.answers, b.node
		), suppressed AS (
			UPDATE insights_cell c SET published = false
			FROM pick
			WHERE c.month = pick.month AND c.family = pick.family AND c.slice = pick.slice AND c.node = pick.node
			RETURNING c.month, c.family, c.slice
		)
		INSERT INTO insights_dirty_next SELECT DISTINCT x.month, x.family, x.slice FROM suppressed x;
		GET DIAGNOSTICS n = ROW_COUNT;
		EXIT WHEN n = 0;
		TRUNCATE insights_dirty;
		INSERT INTO insights_dirty SELECT * FROM insights_dirty_next;
		TRUNCATE insights_dirty_next;
		every := false;
	END LOOP;

	-- Held 1on1s minus the shown styles' shares of them are the hidden
	-- styles and the 1on1s that asked for none: the hidden styles of a cell
	-- together must be none or at least k answers (those with none are a
	-- group of their own, no_style). Suppressing only merges residuals,
	-- which stay valid, so the tree rule still holds.
	LOOP
		WITH part AS (
			SELECT c.month, c.node FROM insights_cell c WHERE c.family = 'style'
			GROUP BY c.month, c.node
			HAVING coalesce(sum(c.answers) FILTER (WHERE NOT c.published), 0) BETWEEN 1 AND k - 1
		), pick AS (
			SELECT DISTINCT ON (c.month, c.node) c.month, c.node, c.slice
			FROM insights_cell c JOIN part p ON p.month = c.month AND p.node = c.node
			WHERE c.family = 'style' AND c.published
			ORDER BY c.month, c.node, c.answers, c.slice
		)
		UPDATE insights_cell c SET published = false
		FROM pick
		WHERE c.family = 'style' AND c.month = pick.month AND c.node = pick.node AND c.slice = pick.slice;
		GET DIAGNOSTICS n = ROW_COUNT;
		EXIT WHEN n = 0;
	END LOOP;
END $$;
-- +goose StatementEnd

-- insights_shown returns what may be shown of the cells: per family, the
-- counts and sums the figures are made of, each NULL when showing it would
-- reveal a group that may not be: one whose cell was suppressed, or, for a
-- manager comparing (p_me), one whose part without that manager is below
-- the thresholds. Sessions show planned (with held: the not held follow)
-- and held and reflected (with held: the unreflected follow); condition,
-- style, topic and feedback show means and shares only, whose counts can
-- be recovered from them, so each needs its complement too (held without
-- a condition, a style, a topic; a style without feedback).
-- +goose StatementBegin
CREATE FUNCTION insights_shown(p_me uuid)
RETURNS TABLE (node uuid, month date, family text, slice text,
               members int, managers int, answers int, v1 float8, v2 float8, v3 float8)
LANGUAGE plpgsql SET search_path FROM CURRENT
SET enable_nestloop = off AS $$
#variable_conflict use_column
DECLARE
	root constant uuid := '00000000-0000-0000-0000-000000000000';
BEGIN
	IF to_regclass('pg_temp.insights_bad') IS NULL THEN
		CREATE TEMP TABLE insights_bad (month timestamptz, node uuid, family text, slice text) ON COMMIT DELETE ROWS;
	END IF;
	TRUNCATE insights_bad;
	INSERT INTO insights_bad SELECT c.month, c.node, c.family, c.slice FROM insights_cell c WHERE NOT c.published;
	IF p_me IS NOT NULL THEN
		INSERT INTO insights_bad
		SELECT a.month, root, a.family, a.slice FROM insights_atom a
		GROUP BY a.month, a.family, a.slice
		HAVING count(*) FILTER (WHERE a.manager_id <> p_me) > 0
		   AND NOT (coalesce(sum(a.answers) FILTER (WHERE a.manager_id <> p_me), 0) >= 5
		            AND coalesce(sum(a.members) FILTER (WHERE a.manager_id <> p_me), 0) >= 5
		            AND count(*) FILTER (WHERE a.manager_id <> p_me) >= 3);
	END IF;
	ANALYZE insights_bad;
	RETURN QUERY
	WITH flags AS (
		SELECT b.month, b.node,
		       bool_or(b.family = 'held') AS held_bad,
		       bool_or(b.family IN ('reflected', 'unreflected')) AS reflection_bad,
		       bool_or(b.family = 'not_held') AS not_held_bad,
		       bool_or(b.family = 'no_condition') AS no_condition_bad,
		       bool_or(b.family = 'no_style') AS no_style_bad
		FROM insights_bad b GROUP BY b.month, b.node
	), c AS (
		SELECT c.*, h.answers AS held, own.family IS NOT NULL AS bad,
		       h.answers IS NULL OR coalesce(f.held_bad, false) AS held_bad,
		       coalesce(f.reflection_bad, false) AS reflection_bad,
		       CASE c.family WHEN 'sessions' THEN coalesce(f.not_held_bad, false)
		                     WHEN 'condition' THEN coalesce(f.no_condition_bad, false)
		                     WHEN 'style' THEN coalesce(f.no_style_bad, false)
		                     ELSE gap.family IS NOT NULL END AS gap_bad
		FROM insights_cell c
		LEFT JOIN insights_cell h ON h.month = c.month AND h.node = c.node AND h.family = 'held' AND h.slice = ''
		LEFT JOIN flags f ON f.month = c.month AND f.node = c.node
		LEFT JOIN insights_bad own ON own.month = c.month AND own.node = c.node AND own.family = c.family AND own.slice = c.slice
		LEFT JOIN insights_bad gap ON gap.month = c.month AND gap.node = c.node AND gap.family = 'no_' || c.family AND gap.slice = c.slice
		WHERE c.family IN ('sessions', 'condition', 'style', 'topic', 'feedback', 'actions', 'actions_closed', 'referrals')
		  AND (p_me IS NULL OR c.node = root)
	), shown AS (
		SELECT c.node, c.month::date AS month, c.family, c.slice,
		       CASE WHEN c.family IN ('sessions', 'actions', 'actions_closed', 'referrals') THEN c.members END AS members,
		       CASE WHEN c.family IN ('sessions', 'actions', 'actions_closed', 'referrals') THEN c.managers END AS managers,
		       CASE WHEN c.family = 'sessions' AND (c.gap_bad OR c.held_bad) THEN NULL
		            WHEN c.family IN ('sessions', 'actions', 'actions_closed', 'referrals') THEN c.answers END AS answers,
		       CASE c.family
		            WHEN 'sessions' THEN CASE WHEN NOT c.held_bad THEN c.s1 END
		            WHEN 'actions' THEN c.s1
		            WHEN 'actions_closed' THEN c.s1
		            WHEN 'condition' THEN CASE WHEN NOT c.gap_bad THEN c.s1 / c.answers END
		            WHEN 'style' THEN CASE WHEN NOT (c.gap_bad OR c.held_bad) THEN c.answers / c.held::float8 END
		            WHEN 'topic' THEN CASE WHEN NOT (c.gap_bad OR c.held_bad) THEN c.answers / c.held::float8 END
		            WHEN 'feedback' THEN CASE WHEN NOT c.gap_bad THEN c.s1 / c.answers END
		       END AS v1,
		       CASE c.family
		            WHEN 'sessions' THEN CASE WHEN NOT (c.held_bad OR c.reflection_bad) THEN c.s2 END
		            WHEN 'actions' THEN c.s2
		            WHEN 'feedback' THEN CASE WHEN NOT c.gap_bad THEN c.s2 / c.answers END
		       END AS v2,
		       CASE WHEN c.family = 'feedback' AND NOT c.gap_bad THEN c.s3 / c.answers END AS v3
		FROM c WHERE NOT c.bad
	)
	SELECT * FROM shown WHERE shown.answers IS NOT NULL OR shown.v1 IS NOT NULL;
END $$;
-- +goose StatementEnd

-- insights_caller returns the calling user's role, or fails.
-- +goose StatementBegin
CREATE FUNCTION insights_caller() RETURNS text
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
	SELECT u.role FROM users u
	WHERE u.org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
	  AND u.id = nullif(current_setting('taiwa.user_id', true), '')::uuid
	  AND u.disabled_at IS NULL
$$;
-- +goose StatementEnd

-- insights_org: the organization's figures per team and month, for its
-- admins. Rows: the cell (team_id NULL for the whole organization), its
-- family and slice, its sizes and its additive sums; only published cells.
-- +goose StatementBegin
CREATE FUNCTION insights_org(p_months int)
RETURNS TABLE (team_id uuid, month date, family text, slice text,
               members int, managers int, answers int, v1 float8, v2 float8, v3 float8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	this_month constant date := date_trunc('month', now())::date;
BEGIN
	IF NOT coalesce(insights_caller() = 'admin' OR insights_caller() = 'curator'
	                AND (SELECT a.curators FROM insights_access a), false) THEN
		RAISE EXCEPTION 'insights: admins only, or curators where an admin allows' USING ERRCODE = 'insufficient_privilege';
	END IF;
	-- The end of setup: from now on the structure changes only forward.
	INSERT INTO insights_reads VALUES (nullif(current_setting('taiwa.org_id', true), '')::uuid, now())
	ON CONFLICT DO NOTHING;
	PERFORM insights_atoms((this_month - make_interval(months => least(greatest(p_months, 1), 36)))::date, this_month);
	PERFORM insights_cells();
	RETURN QUERY
	SELECT nullif(c.node, '00000000-0000-0000-0000-000000000000'::uuid), c.month, c.family, c.slice,
	       c.members, c.managers, c.answers, c.v1, c.v2, c.v3
	FROM insights_shown(NULL) c
	ORDER BY 1 NULLS FIRST, 2, 3, 4;
END $$;
-- +goose StatementEnd

-- insights_benchmark: the organization's own cells, for any of its users
-- to compare themselves with, and only those from which the caller's own
-- history, taken away, leaves a cell above the thresholds: a manager who
-- subtracts their own figures learns nothing of any colleague.
-- +goose StatementBegin
CREATE FUNCTION insights_benchmark(p_months int)
RETURNS TABLE (month date, family text, slice text,
               members int, managers int, answers int, v1 float8, v2 float8, v3 float8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
#variable_conflict use_column
DECLARE
	this_month constant date := date_trunc('month', now())::date;
	me constant uuid := nullif(current_setting('taiwa.user_id', true), '')::uuid;
BEGIN
	IF insights_caller() IS NULL THEN
		RAISE EXCEPTION 'insights: no user' USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM insights_atoms((this_month - make_interval(months => least(greatest(p_months, 1), 36)))::date, this_month);
	PERFORM insights_cells();
	RETURN QUERY
	SELECT c.month, c.family, c.slice, c.members, c.managers, c.answers, c.v1, c.v2, c.v3
	FROM insights_shown(me) c
	WHERE c.family <> 'referrals'
	ORDER BY 1, 2, 3;
END $$;
-- +goose StatementEnd

-- insights_own: the caller's own history in the same cells, over every
-- team they were in: their own figures, which they may read anyway, made
-- the same way as those they compare them with.
-- +goose StatementBegin
CREATE FUNCTION insights_own(p_months int)
RETURNS TABLE (month date, family text, slice text,
               members int, managers int, answers int, v1 float8, v2 float8, v3 float8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
#variable_conflict use_column
DECLARE
	this_month constant date := date_trunc('month', now())::date;
	me constant uuid := nullif(current_setting('taiwa.user_id', true), '')::uuid;
BEGIN
	IF insights_caller() IS NULL THEN
		RAISE EXCEPTION 'insights: no user' USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM insights_atoms((this_month - make_interval(months => least(greatest(p_months, 1), 36)))::date, this_month);
	RETURN QUERY
	WITH own AS (
		SELECT a.month, a.family, a.slice, sum(a.members)::int AS members, sum(a.answers)::int AS answers,
		       sum(a.s1) AS s1, sum(a.s2) AS s2, sum(a.s3) AS s3
		FROM insights_atom a
		WHERE a.manager_id = me AND a.family IN ('sessions', 'condition', 'style', 'topic', 'feedback', 'actions', 'actions_closed')
		GROUP BY a.month, a.family, a.slice
	)
	-- The caller's own: everything may be shown, in the same shape.
	SELECT o.month::date, o.family, o.slice,
	       CASE WHEN o.family IN ('sessions', 'actions', 'actions_closed') THEN o.members END,
	       CASE WHEN o.family IN ('sessions', 'actions', 'actions_closed') THEN 1 END,
	       CASE WHEN o.family IN ('sessions', 'actions', 'actions_closed') THEN o.answers END,
	       CASE o.family WHEN 'sessions' THEN o.s1 WHEN 'actions' THEN o.s1 WHEN 'actions_closed' THEN o.s1
	            WHEN 'style' THEN o.answers / nullif(h.s1, 0) WHEN 'topic' THEN o.answers / nullif(h.s1, 0)
	            ELSE o.s1 / o.answers END,
	       CASE WHEN o.family IN ('sessions', 'actions') THEN o.s2 WHEN o.family = 'feedback' THEN o.s2 / o.answers END,
	       CASE WHEN o.family = 'feedback' THEN o.s3 / o.answers END
	FROM own o
	LEFT JOIN own h ON h.month = o.month AND h.family = 'sessions'
	ORDER BY 1, 2, 3;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['sessions', 'actions', 'session_feedback', 'session_reflections', 'safety_referrals'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
			FOR EACH ROW EXECUTE FUNCTION insights_forget()', t || '_insights', t);
	END LOOP;
END
$$;
-- +goose StatementEnd

-- A new owner needs CREATE on the schema; taiwa_insights keeps none.
-- +goose StatementBegin
DO $$
BEGIN
	EXECUTE format('GRANT CREATE ON SCHEMA %I TO taiwa_insights', current_schema());
	ALTER FUNCTION insights_atoms(date, date) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_fill(uuid, date, date) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_forget() OWNER TO taiwa_insights;
	ALTER FUNCTION insights_cells() OWNER TO taiwa_insights;
	ALTER FUNCTION insights_shown(uuid) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_caller() OWNER TO taiwa_insights;
	ALTER FUNCTION insights_org(int) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_benchmark(int) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_own(int) OWNER TO taiwa_insights;
	EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM taiwa_insights', current_schema());
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION insights_atoms(date, date), insights_fill(uuid, date, date), insights_forget(), insights_cells(), insights_shown(uuid),
	insights_caller(), insights_org(int), insights_benchmark(int),
	insights_own(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION insights_org(int), insights_benchmark(int), insights_own(int) TO taiwa_app;

-- +goose Down
DROP FUNCTION insights_own(int), insights_benchmark(int), insights_org(int), insights_caller(), insights_shown(uuid), insights_cells(), insights_atoms(date, date),
	insights_fill(uuid, date, date);
DROP FUNCTION insights_forget() CASCADE;
DROP TABLE insights_month_atoms, insights_months;
DROP INDEX sessions_org_time;
DROP TABLE insights_access, insights_reads, team_memberships, team_links, teams;
-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['users', 'sessions', 'actions', 'session_feedback', 'session_reflections', 'safety_referrals'] LOOP
		EXECUTE format('DROP POLICY insights ON %I', t);
		EXECUTE format('REVOKE SELECT ON %I FROM taiwa_insights', t);
	END LOOP;
END
$$;
-- +goose StatementEnd
