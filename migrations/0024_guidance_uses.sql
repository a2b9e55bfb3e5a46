-- Which guidance each answer of the coach drew on and cited, for the
-- curators' view of what the knowledge base does (assistant/insights).
--
-- One row per passage an answer was given (retrieved) and whether it cited
-- it. It names the answer, never the manager or member; it goes with the
-- answer (erasing a member erases their answers, and these). The
-- application writes it and cannot read it back: curators read it through
-- insights_guidance, with the thumbs and comments managers left on the
-- answers, and never an answer's text.

-- +goose Up
CREATE TABLE guidance_uses (
	org_id      uuid NOT NULL,
	answer_id   uuid NOT NULL,
	chunk_id    uuid NOT NULL, -- the starter pack's passages belong to another organization: no foreign key
	document_id uuid NOT NULL,
	kind        text NOT NULL CHECK (kind IN ('prep', 'reflection', 'chat')),
	language    text NOT NULL,
	cited       boolean NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, answer_id, chunk_id),
	FOREIGN KEY (org_id, answer_id) REFERENCES coach_answers (org_id, id) ON DELETE CASCADE
);
CREATE INDEX guidance_uses_time ON guidance_uses (org_id, created_at);

ALTER TABLE guidance_uses ENABLE ROW LEVEL SECURITY;
ALTER TABLE guidance_uses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_insert ON guidance_uses FOR INSERT TO taiwa_app
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY insights ON guidance_uses FOR SELECT TO taiwa_insights
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY operator ON guidance_uses TO taiwa_operator USING (true) WITH CHECK (true);
GRANT INSERT ON guidance_uses TO taiwa_app;
GRANT SELECT ON guidance_uses TO taiwa_insights;
GRANT SELECT, INSERT, UPDATE, DELETE ON guidance_uses TO taiwa_operator;

CREATE POLICY insights ON answer_feedback FOR SELECT TO taiwa_insights
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
GRANT SELECT ON answer_feedback TO taiwa_insights;

-- insights_guidance: per passage and per document (chunk_id NULL), over
-- the last p_days, how many answers were given it and cited it, and the
-- thumbs up and down on the answers that cited it (curators and admins).
-- +goose StatementBegin
CREATE FUNCTION insights_guidance(p_days int)
RETURNS TABLE (document_id uuid, chunk_id uuid,
               retrieved int, cited int, helpful int, unhelpful int, last_used timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
	IF insights_caller() NOT IN ('curator', 'admin') OR insights_caller() IS NULL THEN
		RAISE EXCEPTION 'insights: curators and admins only' USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN QUERY
	SELECT u.document_id, u.chunk_id,
	       count(DISTINCT u.answer_id)::int,
	       count(DISTINCT u.answer_id) FILTER (WHERE u.cited)::int,
	       count(DISTINCT u.answer_id) FILTER (WHERE u.cited AND f.helpful)::int,
	       count(DISTINCT u.answer_id) FILTER (WHERE u.cited AND NOT f.helpful)::int,
	       max(u.created_at)
	FROM guidance_uses u
	LEFT JOIN answer_feedback f ON f.org_id = u.org_id AND f.answer_id = u.answer_id
	WHERE u.org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
	  AND u.created_at > now() - make_interval(days => least(greatest(p_days, 1), 365))
	GROUP BY GROUPING SETS ((u.document_id, u.chunk_id), (u.document_id));
END $$;
-- +goose StatementEnd

-- insights_guidance_comments: the comments managers left on answers that
-- cited a document (already masked when saved), newest first, with the
-- month and the thumb only: no manager, member, answer or time of day.
-- +goose StatementBegin
CREATE FUNCTION insights_guidance_comments(p_days int, p_per_document int)
RETURNS TABLE (document_id uuid, month date, helpful boolean, comment text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
	IF insights_caller() NOT IN ('curator', 'admin') OR insights_caller() IS NULL THEN
		RAISE EXCEPTION 'insights: curators and admins only' USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN QUERY
	SELECT x.document_id, x.month, x.helpful, x.comment FROM (
		SELECT d.document_id, date_trunc('month', f.created_at)::date AS month, f.helpful, f.comment,
		       row_number() OVER (PARTITION BY d.document_id ORDER BY f.created_at DESC) AS n
		FROM (SELECT DISTINCT u.answer_id, u.document_id FROM guidance_uses u
		      WHERE u.org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid AND u.cited
		        AND u.created_at > now() - make_interval(days => least(greatest(p_days, 1), 365))) d
		JOIN answer_feedback f ON f.org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		                      AND f.answer_id = d.answer_id AND f.comment <> ''
	) x WHERE x.n <= least(greatest(p_per_document, 0), 20)
	ORDER BY x.document_id, x.month DESC;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
	EXECUTE format('GRANT CREATE ON SCHEMA %I TO taiwa_insights', current_schema());
	ALTER FUNCTION insights_guidance(int) OWNER TO taiwa_insights;
	ALTER FUNCTION insights_guidance_comments(int, int) OWNER TO taiwa_insights;
	EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM taiwa_insights', current_schema());
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION insights_guidance(int), insights_guidance_comments(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION insights_guidance(int), insights_guidance_comments(int, int) TO taiwa_app;

-- +goose Down
DROP FUNCTION insights_guidance_comments(int, int), insights_guidance(int);
REVOKE SELECT ON answer_feedback FROM taiwa_insights;
DROP POLICY insights ON answer_feedback;
DROP TABLE guidance_uses;
