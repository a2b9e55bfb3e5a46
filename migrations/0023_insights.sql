-- Teams, and the one way cross-manager history is read: aggregate figures
-- that no reader can narrow down to a person.
--
-- History is private to its manager (own_history policies), so an admin
-- reads none of it in SQL. The figures come from SECURITY DEFINER
-- functions owned by taiwa_insights, a role that cannot log in, may only
-- SELECT, and whose policies show it the calling transaction's
-- organization only. The functions compute every figure over a cell (a
-- team and its sub-teams, or the whole organization, in one closed month)
-- and return it only when the cell holds at least 5 members, 5 answers and
-- 3 managers; then they suppress cells until nothing can be derived by
-- subtraction: in every tree of cells, what a published cell holds beyond
-- its published sub-cells (its residual) is empty or itself above the
-- thresholds. Differences of any two nested cells, and a parent minus any
-- set of its children, are unions of such residuals, so they are safe too.
--
-- A manager's history counts for the team they were in when it happened
-- (team_memberships keeps the past), so moving a manager between teams
-- does not move their past between cells, and an admin cannot isolate one
-- manager by moving them out and back. Only closed months are reported:
-- a month in progress would let two reads a day apart reveal one 1on1.

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
	org_id     uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id         uuid NOT NULL,
	parent_id  uuid,
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, parent_id) REFERENCES teams (org_id, id),
	UNIQUE NULLS NOT DISTINCT (org_id, parent_id, name)
);

-- Which team a manager was in, and when. A manager's first team holds
-- from -infinity, so a team tree set up today reports the past too;
-- later moves hold from the moment they were made.
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

-- Sessions by time across an organization's managers: only the insights
-- functions read them this way.
CREATE INDEX sessions_org_time ON sessions (org_id, (coalesce(held_at, scheduled_at, created_at)));

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['teams', 'team_memberships'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format($p$CREATE POLICY tenant ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_app, taiwa_operator', t);
	END LOOP;
	-- taiwa_insights reads, in the calling transaction's organization only,
	-- what the figures are made of.
	FOREACH t IN ARRAY ARRAY['users', 'teams', 'team_memberships', 'sessions', 'actions',
		'session_feedback', 'session_reflections', 'safety_referrals'] LOOP
		EXECUTE format($p$CREATE POLICY insights ON %I FOR SELECT TO taiwa_insights
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
		EXECUTE format('GRANT SELECT ON %I TO taiwa_insights', t);
	END LOOP;
END
$$;
-- +goose StatementEnd

-- insights_cells computes every cell of the organization's figures for the
-- closed months in [p_from, p_to), suppresses them as the header says, and
-- leaves them in the temporary table insights_cell. It is the only reader
-- of other managers' rows; the two functions below return what it keeps.
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
--   referrals  the coach's referrals per matter (slice); organization only,
--              and they name no one, so only the answers threshold applies
-- +goose StatementBegin
CREATE FUNCTION insights_cells(p_from date, p_to date) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
	org constant uuid := nullif(current_setting('taiwa.org_id', true), '')::uuid;
	root constant uuid := '00000000-0000-0000-0000-000000000000';
	k constant int := 5;          -- members and answers
	k_managers constant int := 3; -- managers
	n int;
BEGIN
	IF org IS NULL THEN
		RAISE EXCEPTION 'insights: no organization' USING ERRCODE = 'insufficient_privilege';
	END IF;
	-- Emptied at commit: a pooled connection keeps its temporary tables,
	-- and the next transaction on it may belong to another organization.
	CREATE TEMP TABLE IF NOT EXISTS insights_atom (
		month date, family text, slice text, team_id uuid, manager_id uuid, member_id uuid,
		answers int, s1 float8, s2 float8, s3 float8) ON COMMIT DELETE ROWS;
	CREATE TEMP TABLE IF NOT EXISTS insights_node (node uuid, parent uuid, depth int) ON COMMIT DELETE ROWS;
	CREATE TEMP TABLE IF NOT EXISTS insights_anc (team_id uuid, node uuid, dist int) ON COMMIT DELETE ROWS;
	CREATE TEMP TABLE IF NOT EXISTS insights_cell (
		month date, family text, slice text, node uuid, parent uuid,
		members int, managers int, answers int, s1 float8, s2 float8, s3 float8, published bool)
		ON COMMIT DELETE ROWS;
	TRUNCATE insights_atom, insights_node, insights_anc, insights_cell;

	-- The tree: every team, under the organization (root).
	INSERT INTO insights_node
	WITH RECURSIVE tree AS (
		SELECT t.id, coalesce(t.parent_id, root) AS parent, 1 AS depth
		FROM teams t WHERE t.org_id = org AND t.parent_id IS NULL
		UNION ALL
		SELECT t.id, t.parent_id, tree.depth + 1
		FROM teams t JOIN tree ON t.parent_id = tree.id WHERE t.org_id = org
	)
	SELECT id, parent, depth FROM tree UNION ALL SELECT root, NULL, 0;
	-- Each team's ancestors and itself, and the root above all (a manager
	-- in no team counts for the root alone: team_id root).
	INSERT INTO insights_anc
	WITH RECURSIVE up AS (
		SELECT node AS team_id, node, 0 AS dist FROM insights_node
		UNION ALL
		SELECT up.team_id, n.parent, up.dist + 1
		FROM up JOIN insights_node n ON n.node = up.node WHERE n.parent IS NOT NULL
	)
	SELECT team_id, node, dist FROM up;

	-- Atoms: one row per month, family, slice, team, manager and member.
	INSERT INTO insights_atom
	WITH s AS (
		SELECT s.*, date_trunc('month', coalesce(s.held_at, s.scheduled_at, s.created_at))::date AS month,
		       coalesce((SELECT tm.team_id FROM team_memberships tm
		                 WHERE tm.org_id = org AND tm.user_id = s.manager_id
		                   AND tm.valid_from <= coalesce(s.held_at, s.scheduled_at, s.created_at)
		                   AND (tm.valid_to IS NULL OR tm.valid_to > coalesce(s.held_at, s.scheduled_at, s.created_at))),
		                root) AS team_id,
		       EXISTS (SELECT FROM session_reflections r
		               WHERE r.org_id = org AND r.session_id = s.id AND r.answer <> '') AS reflected
		FROM sessions s
		WHERE s.org_id = org
		  AND coalesce(s.held_at, s.scheduled_at, s.created_at) >= p_from
		  AND coalesce(s.held_at, s.scheduled_at, s.created_at) < p_to
	)
	SELECT month, 'sessions', '', team_id, manager_id, member_id, count(*)::int,
	       count(*) FILTER (WHERE status = 'held'),
	       count(*) FILTER (WHERE status = 'held' AND reflected), 0
	FROM s GROUP BY month, team_id, manager_id, member_id
	UNION ALL
	SELECT month, 'condition', '', team_id, manager_id, member_id, count(*)::int, sum(condition), 0, 0
	FROM s WHERE status = 'held' AND condition IS NOT NULL
	GROUP BY month, team_id, manager_id, member_id
	UNION ALL
	SELECT month, 'style', request_style, team_id, manager_id, member_id, count(*)::int, 0, 0, 0
	FROM s WHERE status = 'held' AND request_style IS NOT NULL
	GROUP BY month, request_style, team_id, manager_id, member_id
	UNION ALL
	SELECT month, 'topic', topic, team_id, manager_id, member_id, count(*)::int, 0, 0, 0
	FROM s CROSS JOIN LATERAL unnest(s.request_topics) topic WHERE status = 'held'
	GROUP BY month, topic, team_id, manager_id, member_id
	UNION ALL
	SELECT s.month, 'feedback', coalesce(s.request_style, 'none'), s.team_id, s.manager_id, s.member_id,
	       count(*)::int, sum(f.satisfaction), count(*) FILTER (WHERE f.matched = 'yes'),
	       count(*) FILTER (WHERE f.matched = 'partly')
	FROM s JOIN session_feedback f ON f.org_id = org AND f.session_id = s.id
	GROUP BY 1, 3, 4, 5, 6;

	-- Actions open at the end of each month.
	INSERT INTO insights_atom
	SELECT m.month, 'actions', '',
	       coalesce((SELECT tm.team_id FROM team_memberships tm
	                 WHERE tm.org_id = org AND tm.user_id = a.manager_id
	                   AND tm.valid_from <= m.month_end AND (tm.valid_to IS NULL OR tm.valid_to > m.month_end)),
	                root),
	       a.manager_id, a.member_id, count(*)::int,
	       sum(extract(epoch FROM m.month_end - a.created_at) / 86400),
	       count(*) FILTER (WHERE m.month_end - a.created_at > interval '30 days'), 0
	FROM (SELECT g::date AS month, (g + interval '1 month') AS month_end
	      FROM generate_series(p_from, p_to - 1, interval '1 month') g) m
	JOIN actions a ON a.org_id = org AND a.created_at < m.month_end
	             AND (a.closed_at IS NULL OR a.closed_at >= m.month_end)
	GROUP BY 1, 4, 5, 6;

	-- Referrals name no one: each counts as its own member and manager.
	INSERT INTO insights_atom
	SELECT date_trunc('month', r.created_at)::date, 'referrals', r.matter, root, r.id, r.id, 1, 0, 0, 0
	FROM safety_referrals r
	WHERE r.org_id = org AND r.created_at >= p_from AND r.created_at < p_to;

	-- Cells: every node over the atoms of its subtree.
	INSERT INTO insights_cell
	SELECT a.month, a.family, a.slice, x.node, n.parent,
	       count(DISTINCT a.member_id), count(DISTINCT a.manager_id), sum(a.answers),
	       sum(a.s1), sum(a.s2), sum(a.s3), false
	FROM insights_atom a
	JOIN insights_anc x ON x.team_id = a.team_id
	JOIN insights_node n ON n.node = x.node
	WHERE a.family <> 'referrals' OR x.node = root
	GROUP BY a.month, a.family, a.slice, x.node, n.parent;
	UPDATE insights_cell SET published = answers >= k AND members >= k AND managers >= k_managers;

	-- Suppress until every published cell's residual (the atoms whose
	-- lowest published cell it is) is empty or above the thresholds. A
	-- violation is cured by suppressing the smallest published cell just
	-- below it (its residual grows by at least k); the loop ends because it
	-- only ever suppresses.
	LOOP
		WITH low AS (
			-- For each atom's team, its lowest published cell.
			SELECT DISTINCT ON (c.month, c.family, c.slice, x.team_id)
			       c.month, c.family, c.slice, x.team_id, c.node
			FROM insights_anc x
			JOIN insights_cell c ON c.node = x.node AND c.published
			ORDER BY c.month, c.family, c.slice, x.team_id, x.dist
		), residual AS (
			SELECT l.month, l.family, l.slice, l.node
			FROM insights_atom a
			JOIN low l USING (month, family, slice, team_id)
			GROUP BY l.month, l.family, l.slice, l.node
			HAVING sum(a.answers) < k
			    OR count(DISTINCT a.member_id) < k
			    OR count(DISTINCT a.manager_id) < k_managers
		), below AS (
			-- Published cells and their lowest published ancestor.
			SELECT DISTINCT ON (c.month, c.family, c.slice, c.node)
			       c.month, c.family, c.slice, c.node, p.node AS above, c.members, c.answers
			FROM insights_cell c
			JOIN insights_anc x ON x.team_id = c.node AND x.dist > 0
			JOIN insights_cell p ON p.month = c.month AND p.family = c.family AND p.slice = c.slice
			                    AND p.node = x.node AND p.published
			WHERE c.published
			ORDER BY c.month, c.family, c.slice, c.node, x.dist
		), pick AS (
			SELECT DISTINCT ON (r.month, r.family, r.slice, r.node) b.month, b.family, b.slice, b.node
			FROM residual r
			JOIN below b ON b.month = r.month AND b.family = r.family AND b.slice = r.slice AND b.above = r.node
			ORDER BY r.month, r.family, r.slice, r.node, b.members, b.answers, b.node
		)
		UPDATE insights_cell c SET published = false
		FROM pick
		WHERE c.month = pick.month AND c.family = pick.family AND c.slice = pick.slice AND c.node = pick.node;
		GET DIAGNOSTICS n = ROW_COUNT;
		EXIT WHEN n = 0;
	END LOOP;
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
               members int, managers int, answers int, s1 float8, s2 float8, s3 float8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	this_month constant date := date_trunc('month', now())::date;
BEGIN
	IF insights_caller() IS DISTINCT FROM 'admin' THEN
		RAISE EXCEPTION 'insights: admins only' USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM insights_cells((this_month - make_interval(months => least(greatest(p_months, 1), 36)))::date, this_month);
	RETURN QUERY
	SELECT nullif(c.node, '00000000-0000-0000-0000-000000000000'::uuid), c.month, c.family, c.slice,
	       c.members, c.managers, c.answers, c.s1, c.s2, c.s3
	FROM insights_cell c WHERE c.published
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
               members int, managers int, answers int, s1 float8, s2 float8, s3 float8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	this_month constant date := date_trunc('month', now())::date;
	me constant uuid := nullif(current_setting('taiwa.user_id', true), '')::uuid;
BEGIN
	IF insights_caller() IS NULL THEN
		RAISE EXCEPTION 'insights: no user' USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM insights_cells((this_month - make_interval(months => least(greatest(p_months, 1), 36)))::date, this_month);
	RETURN QUERY
	SELECT c.month, c.family, c.slice, c.members, c.managers, c.answers, c.s1, c.s2, c.s3
	FROM insights_cell c
	WHERE c.published AND c.node = '00000000-0000-0000-0000-000000000000'
	  AND c.family <> 'referrals'
	  AND (SELECT sum(a.answers) >= 5 AND count(DISTINCT a.member_id) >= 5 AND count(DISTINCT a.manager_id) >= 3
	       FROM insights_atom a
	       WHERE a.month = c.month AND a.family = c.family AND a.slice = c.slice AND a.manager_id <> me)
	ORDER BY 1, 2, 3;
END $$;
-- +goose StatementEnd

-- insights_own: the caller's own history in the same cells, over every
-- team they were in: their own figures, which they may read anyway, made
-- the same way as those they compare them with.
-- +goose StatementBegin
CREATE FUNCTION insights_own(p_months int)
RETURNS TABLE (month date, family text, slice text,
               members int, managers int, answers int, s1 float8, s2 float8, s3 float8)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	this_month constant date := date_trunc('month', now())::date;
	me constant uuid := nullif(current_setting('taiwa.user_id', true), '')::uuid;
BEGIN
	IF insights_caller() IS NULL THEN
		RAISE EXCEPTION 'insights: no user' USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM insights_cells((this_month - make_interval(months => least(greatest(p_months, 1), 36)))::date, this_month);
	RETURN QUERY
	SELECT a.month, a.family, a.slice, count(DISTINCT a.member_id)::int, 1, sum(a.answers)::int,
	       sum(a.s1), sum(a.s2), sum(a.s3)
	FROM insights_atom a
	WHERE a.manager_id = me AND a.family <> 'referrals'
	GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
END $$;
-- +goose StatementEnd

-- A new owner needs CREATE on the schema; taiwa_insights keeps none.
-- +goose StatementBegin
DO $$
BEGIN
	EXECUTE format('GRANT CREATE ON SCHEMA %I TO taiwa_insights', current_schema());
	ALTER FUNCTION insights_cells(date, date) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_caller() OWNER TO taiwa_insights;
	ALTER FUNCTION insights_org(int) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_benchmark(int) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_own(int) OWNER TO taiwa_insights;
	EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM taiwa_insights', current_schema());
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION insights_cells(date, date), insights_caller(), insights_org(int), insights_benchmark(int),
	insights_own(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION insights_org(int), insights_benchmark(int), insights_own(int) TO taiwa_app;

-- +goose Down
DROP FUNCTION insights_own(int), insights_benchmark(int), insights_org(int), insights_caller(), insights_cells(date, date);
DROP INDEX sessions_org_time;
DROP TABLE team_memberships, teams;
