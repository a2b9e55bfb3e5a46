-- One alias per member, per manager, enforced by the database.
--
-- The application's check (lower(alias) = lower($1)) let duplicates in: a
-- full-width 「Ｋさん」 beside 「Kさん」, 「K さん」 with an inner space,
-- and two creates at once (both checked, both inserted). Two members the
-- manager cannot tell apart get each other's 1on1s, links and erasure.
--
-- member_alias_key is what "the same alias" means: NFKC (full-width Latin
-- and digits become half-width, half-width katakana full-width, the
-- ideographic space a space), lower case, and no whitespace at all. The
-- function body is parsed once, here (SQL-standard body), so the index
-- does not depend on any search_path.
--
-- Duplicates already stored are kept, not merged or deleted: each one's
-- history stays with it. The oldest member keeps the alias; each later
-- one gets " (2)", " (3)"... (the first number whose key is free, the
-- alias shortened to keep 50 characters), so the manager sees both in the
-- list and can rename or erase one.

-- +goose Up
CREATE OR REPLACE FUNCTION member_alias_key(alias text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN regexp_replace(lower(normalize(alias, NFKC)), '\s+', '', 'g');

-- Row security is forced on members, for their owner too: the operator
-- role (policy USING (true)) reads and renames every organization's rows.
SET LOCAL ROLE taiwa_operator;
-- +goose StatementBegin
DO $$
DECLARE
	d record;
	n int;
	suffix text;
	candidate text;
BEGIN
	FOR d IN
		SELECT org_id, id, manager_id, alias FROM (
			SELECT m.org_id, m.id, m.manager_id, m.alias, m.created_at,
				row_number() OVER (PARTITION BY m.org_id, m.manager_id, member_alias_key(m.alias) ORDER BY m.created_at, m.id) AS pos
			FROM members m) ranked
		WHERE pos > 1
		ORDER BY created_at, id
	LOOP
		n := 2;
		LOOP
			suffix := ' (' || n || ')';
			candidate := left(d.alias, 50 - length(suffix)) || suffix;
			EXIT WHEN NOT EXISTS (SELECT FROM members m WHERE m.org_id = d.org_id AND m.manager_id = d.manager_id
				AND member_alias_key(m.alias) = member_alias_key(candidate));
			n := n + 1;
		END LOOP;
		UPDATE members SET alias = candidate WHERE org_id = d.org_id AND id = d.id;
	END LOOP;
END
$$;
-- +goose StatementEnd
RESET ROLE;

CREATE UNIQUE INDEX members_alias_key ON members (org_id, manager_id, member_alias_key(alias));

-- +goose Down
DROP INDEX members_alias_key;
DROP FUNCTION member_alias_key(text);
