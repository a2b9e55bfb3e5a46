-- Run once by the db service of compose.yaml, when its volume is new
-- (/docker-entrypoint-initdb.d), as the superuser. It makes what the README's
-- "Production PostgreSQL" asks for:
--
-- - the login role taiwa, which owns the database taiwa. It is not a
--   superuser: a superuser bypasses row-level security. It may create roles,
--   because the first migration creates taiwa_app and taiwa_operator;
-- - pgvector in that database, which only a superuser may create; the
--   migration's CREATE EXTENSION IF NOT EXISTS then finds it.
--
-- The password comes from the db service's environment (psql 15 or later).
-- Changing TAIWA_DB_PASSWORD later does not change it: this file runs only
-- on a new volume (then use ALTER ROLE taiwa PASSWORD '...').
\getenv password TAIWA_DB_PASSWORD
CREATE ROLE taiwa LOGIN CREATEROLE PASSWORD :'password';
CREATE DATABASE taiwa OWNER taiwa;
\connect taiwa
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
