-- The login role must be able to SET ROLE to taiwa_app and taiwa_operator,
-- but not inherit them: inheriting taiwa_operator made its USING (true)
-- policies apply to the login role itself, so a connection with no tenant
-- context could read every organization. Since PostgreSQL 16 a membership
-- carries its own INHERIT and SET options, and granting again changes
-- them. Older servers have no per-membership option: there, make the login
-- role NOINHERIT yourself (ALTER ROLE <login> NOINHERIT) if nothing else
-- relies on its inherited privileges; the migration warns.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
	r text;
BEGIN
	IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		RETURN; -- a superuser bypasses row-level security anyway (the embedded database)
	END IF;
	IF current_setting('server_version_num')::int < 160000 THEN
		RAISE WARNING 'PostgreSQL < 16: run ALTER ROLE % NOINHERIT, or the login role sees every organization outside a scoped transaction', current_user;
		RETURN;
	END IF;
	FOREACH r IN ARRAY ARRAY['taiwa_app', 'taiwa_operator'] LOOP
		EXECUTE format('GRANT %I TO %I WITH INHERIT FALSE, SET TRUE', r, current_user);
	END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
