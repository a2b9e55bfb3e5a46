-- Postings for lexical retrieval: one row per (chunk, term) with the term's
-- BM25 weight in that chunk, the same weight the chunk's bm25 sparsevec
-- holds at the term's index.
--
-- Why not the GIN index on chunks.terms: under row-level security
-- PostgreSQL evaluates the tenant policy before any qual that is not
-- LEAKPROOF, and arrayoverlap (&&) is not, so the GIN index could never be
-- an index condition: a search scanned every chunk of the organization
-- (446 of 491 ms at 100k chunks). Equality on uuid and int is LEAKPROOF,
-- so (org_id, term) is an index condition here, and the index's weight
-- order gives each term's best chunks first: a search reads the top of one
-- short list per term instead of every chunk sharing a term with it
-- (knowledge/search.go).
--
-- Kept by a statement-level trigger on chunks, like the term statistics:
-- any writer of chunks (ingest, re-index, erase) keeps them current. The
-- trigger reads the (term, weight) pairs from the sparsevec's text form.

-- +goose Up
CREATE TABLE chunk_postings (
	org_id   uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	term     int NOT NULL,  -- the term's 0-based index in chunks.bm25
	weight   real NOT NULL, -- its BM25 weight in the chunk, without IDF
	chunk_id uuid NOT NULL
);
CREATE INDEX chunk_postings_top ON chunk_postings (org_id, term, weight DESC) INCLUDE (chunk_id);

-- +goose StatementBegin
CREATE FUNCTION kb_chunk_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- Transition tables exist only for their operation, so each one gets
	-- its own statements. An update that leaves bm25 alone (publishing,
	-- archiving) leaves the postings alone.
	IF TG_OP = 'DELETE' THEN
		DELETE FROM chunk_postings p
		USING (SELECT o.org_id, o.id, (m[1])::int - 1 AS term, (m[2])::real AS weight
			FROM old_chunks o, regexp_matches(o.bm25::text, '(\d+):([^,}]+)', 'g') AS m) x
		WHERE p.org_id = x.org_id AND p.term = x.term AND p.weight = x.weight AND p.chunk_id = x.id;
	ELSIF TG_OP = 'UPDATE' THEN
		DELETE FROM chunk_postings p
		USING (SELECT o.org_id, o.id, (m[1])::int - 1 AS term, (m[2])::real AS weight
			FROM old_chunks o JOIN new_chunks n ON n.org_id = o.org_id AND n.id = o.id AND n.bm25 <> o.bm25,
				regexp_matches(o.bm25::text, '(\d+):([^,}]+)', 'g') AS m) x
		WHERE p.org_id = x.org_id AND p.term = x.term AND p.weight = x.weight AND p.chunk_id = x.id;
		INSERT INTO chunk_postings (org_id, term, weight, chunk_id)
		SELECT n.org_id, (m[1])::int - 1, (m[2])::real, n.id
		FROM new_chunks n JOIN old_chunks o ON o.org_id = n.org_id AND o.id = n.id AND o.bm25 <> n.bm25,
			regexp_matches(n.bm25::text, '(\d+):([^,}]+)', 'g') AS m;
	ELSE
		INSERT INTO chunk_postings (org_id, term, weight, chunk_id)
		SELECT n.org_id, (m[1])::int - 1, (m[2])::real, n.id
		FROM new_chunks n, regexp_matches(n.bm25::text, '(\d+):([^,}]+)', 'g') AS m;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER chunks_postings_insert AFTER INSERT ON chunks
	REFERENCING NEW TABLE AS new_chunks FOR EACH STATEMENT EXECUTE FUNCTION kb_chunk_postings();
CREATE TRIGGER chunks_postings_delete AFTER DELETE ON chunks
	REFERENCING OLD TABLE AS old_chunks FOR EACH STATEMENT EXECUTE FUNCTION kb_chunk_postings();
CREATE TRIGGER chunks_postings_update AFTER UPDATE ON chunks
	REFERENCING OLD TABLE AS old_chunks NEW TABLE AS new_chunks FOR EACH STATEMENT EXECUTE FUNCTION kb_chunk_postings();

ALTER TABLE chunk_postings ENABLE ROW LEVEL SECURITY;
ALTER TABLE chunk_postings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON chunk_postings FOR SELECT TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
		OR org_id = '00000000-0000-0000-0000-000000000000');
CREATE POLICY tenant_write ON chunk_postings TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY operator ON chunk_postings TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON chunk_postings TO taiwa_app, taiwa_operator;

-- Nothing searches chunks.terms by overlap any more; its GIN index only
-- slowed every write of a chunk.
DROP INDEX chunks_terms;

-- Existing chunks, as the operator (row security is forced on chunks).
SET LOCAL ROLE taiwa_operator;
INSERT INTO chunk_postings (org_id, term, weight, chunk_id)
SELECT c.org_id, (m[1])::int - 1, (m[2])::real, c.id
FROM chunks c, regexp_matches(c.bm25::text, '(\d+):([^,}]+)', 'g') AS m;
RESET ROLE;

-- +goose Down
CREATE INDEX chunks_terms ON chunks USING gin (terms);
DROP TRIGGER chunks_postings_insert ON chunks;
DROP TRIGGER chunks_postings_delete ON chunks;
DROP TRIGGER chunks_postings_update ON chunks;
DROP FUNCTION kb_chunk_postings();
DROP TABLE chunk_postings;
