-- The knowledge base: curated 1on1 guidance, its versions, its chunks and
-- what lexical and vector retrieval need.
--
-- The starter pack belongs to a reserved organization (the nil UUID) whose
-- rows every organization may read and none may write; an organization hides
-- a starter document in kb_hidden or copies it to edit.
--
-- Lexical retrieval is BM25 over terms from kagome (Japanese) and an English
-- word analyzer, computed inside PostgreSQL: each chunk stores its BM25 term
-- weights as a sparsevec (hashed term index), a query is a sparsevec of IDF
-- weights from kb_term_stats, and the inner product is the BM25 score.
-- PostgreSQL's own text search cannot segment Japanese, so it is not used.

-- +goose Up
SET LOCAL ROLE taiwa_operator;
INSERT INTO orgs (org_id, name, language) VALUES ('00000000-0000-0000-0000-000000000000', 'Taiwa starter pack', 'ja')
ON CONFLICT DO NOTHING;
RESET ROLE;

CREATE TABLE documents (
	org_id      uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	id          uuid NOT NULL,
	title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
	body        text NOT NULL CHECK (length(body) <= 200000),
	language    text NOT NULL CHECK (language IN ('ja', 'en')),
	topics      text[] NOT NULL CHECK (cardinality(topics) >= 1),
	tags        text[] NOT NULL DEFAULT '{}',
	status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
	version     int NOT NULL DEFAULT 1,
	author_id   uuid,
	-- For starter documents: the file in the starter pack, so a new binary
	-- updates its documents in place.
	starter_key text,
	-- For an organization's copy of a starter document.
	copied_from uuid,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX documents_starter_key ON documents (org_id, starter_key) WHERE starter_key IS NOT NULL;
CREATE INDEX documents_list ON documents (org_id, status, updated_at DESC);

-- Every save is a version; restoring one saves it again as the newest.
CREATE TABLE document_versions (
	org_id      uuid NOT NULL,
	document_id uuid NOT NULL,
	version     int NOT NULL,
	title       text NOT NULL,
	body        text NOT NULL,
	language    text NOT NULL,
	topics      text[] NOT NULL,
	tags        text[] NOT NULL,
	status      text NOT NULL,
	author_id   uuid,
	created_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, document_id, version),
	FOREIGN KEY (org_id, document_id) REFERENCES documents (org_id, id) ON DELETE CASCADE
);

-- Chunks of the current version. status, language and topics repeat the
-- document's so that retrieval filters without a join.
CREATE TABLE chunks (
	org_id       uuid NOT NULL,
	id           uuid NOT NULL,
	document_id  uuid NOT NULL,
	doc_version  int NOT NULL,
	ordinal      int NOT NULL,
	heading_path text[] NOT NULL DEFAULT '{}',
	text         text NOT NULL,
	content_hash bytea NOT NULL,
	status       text NOT NULL,
	language     text NOT NULL,
	topics       text[] NOT NULL,
	terms        text[] NOT NULL,          -- distinct analyzer terms (heading path + text)
	term_count   int NOT NULL,             -- terms with repeats: the BM25 document length
	bm25         sparsevec NOT NULL,       -- BM25 term weights by hashed term index
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, document_id) REFERENCES documents (org_id, id) ON DELETE CASCADE
);
CREATE INDEX chunks_document ON chunks (org_id, document_id, ordinal);
CREATE INDEX chunks_terms ON chunks USING gin (terms);

-- Vectors per embedding model, so changing the model is a re-embed while the
-- old model keeps serving. 'taiwa kb reembed' creates a partial HNSW index
-- per model (the dimension is fixed per index, not per table).
CREATE TABLE chunk_embeddings (
	org_id     uuid NOT NULL,
	chunk_id   uuid NOT NULL,
	model      text NOT NULL,
	dims       int NOT NULL,
	embedding  vector NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, chunk_id, model),
	FOREIGN KEY (org_id, chunk_id) REFERENCES chunks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX chunk_embeddings_model ON chunk_embeddings (model, org_id);

-- Document frequencies and corpus size for BM25, per organization, kept
-- current by triggers on chunks.
CREATE TABLE kb_term_stats (
	org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	term   text NOT NULL,
	df     int NOT NULL,
	PRIMARY KEY (org_id, term)
);
CREATE TABLE kb_corpus_stats (
	org_id      uuid PRIMARY KEY REFERENCES orgs (org_id) ON DELETE CASCADE,
	chunks      int NOT NULL,
	total_terms bigint NOT NULL
);

-- Starter documents an organization chose not to use.
CREATE TABLE kb_hidden (
	org_id      uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
	document_id uuid NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, document_id)
);

-- Statement-level triggers with transition tables: a bulk insert (COPY, an
-- import) updates each term's frequency once, not once per chunk.
-- +goose StatementBegin
CREATE FUNCTION kb_chunk_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		UPDATE kb_term_stats s SET df = s.df - o.n
		FROM (SELECT org_id, t AS term, count(*) AS n FROM old_chunks, unnest(terms) AS t GROUP BY 1, 2) o
		WHERE s.org_id = o.org_id AND s.term = o.term;
		DELETE FROM kb_term_stats s USING (SELECT DISTINCT org_id, t AS term FROM old_chunks, unnest(terms) AS t) o
		WHERE s.org_id = o.org_id AND s.term = o.term AND s.df <= 0;
		UPDATE kb_corpus_stats s SET chunks = s.chunks - o.n, total_terms = s.total_terms - o.len
		FROM (SELECT org_id, count(*) AS n, sum(term_count) AS len FROM old_chunks GROUP BY 1) o
		WHERE s.org_id = o.org_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO kb_term_stats (org_id, term, df)
		SELECT org_id, t, count(*) FROM new_chunks, unnest(terms) AS t GROUP BY 1, 2
		ON CONFLICT (org_id, term) DO UPDATE SET df = kb_term_stats.df + EXCLUDED.df;
		INSERT INTO kb_corpus_stats (org_id, chunks, total_terms)
		SELECT org_id, count(*), sum(term_count) FROM new_chunks GROUP BY 1
		ON CONFLICT (org_id) DO UPDATE SET chunks = kb_corpus_stats.chunks + EXCLUDED.chunks,
			total_terms = kb_corpus_stats.total_terms + EXCLUDED.total_terms;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER chunks_stats_insert AFTER INSERT ON chunks
	REFERENCING NEW TABLE AS new_chunks FOR EACH STATEMENT EXECUTE FUNCTION kb_chunk_stats();
CREATE TRIGGER chunks_stats_delete AFTER DELETE ON chunks
	REFERENCING OLD TABLE AS old_chunks FOR EACH STATEMENT EXECUTE FUNCTION kb_chunk_stats();
CREATE TRIGGER chunks_stats_update AFTER UPDATE ON chunks
	REFERENCING OLD TABLE AS old_chunks NEW TABLE AS new_chunks FOR EACH STATEMENT EXECUTE FUNCTION kb_chunk_stats();

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
ALTER TABLE document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE chunks FORCE ROW LEVEL SECURITY;
ALTER TABLE chunk_embeddings ENABLE ROW LEVEL SECURITY;
ALTER TABLE chunk_embeddings FORCE ROW LEVEL SECURITY;
ALTER TABLE kb_term_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_term_stats FORCE ROW LEVEL SECURITY;
ALTER TABLE kb_corpus_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_corpus_stats FORCE ROW LEVEL SECURITY;
ALTER TABLE kb_hidden ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_hidden FORCE ROW LEVEL SECURITY;

-- +goose StatementBegin
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['documents', 'document_versions', 'chunks', 'chunk_embeddings', 'kb_term_stats', 'kb_corpus_stats'] LOOP
		-- Read: one's own organization and the starter pack.
		EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid
				OR org_id = '00000000-0000-0000-0000-000000000000')$p$, t);
		-- Write: one's own organization only (the starter pack is written
		-- by the server in the starter organization's scope).
		EXECUTE format($p$CREATE POLICY tenant_write ON %I TO taiwa_app
			USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
			WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)$p$, t);
		EXECUTE format('CREATE POLICY operator ON %I TO taiwa_operator USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO taiwa_app, taiwa_operator', t);
	END LOOP;
END
$$;
-- +goose StatementEnd

CREATE POLICY tenant ON kb_hidden TO taiwa_app
	USING (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid)
	WITH CHECK (org_id = nullif(current_setting('taiwa.org_id', true), '')::uuid);
CREATE POLICY operator ON kb_hidden TO taiwa_operator USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON kb_hidden TO taiwa_app, taiwa_operator;

-- +goose Down
DROP TABLE kb_hidden, kb_corpus_stats, kb_term_stats, chunk_embeddings, chunks, document_versions, documents;
DROP FUNCTION kb_chunk_stats();
DELETE FROM orgs WHERE org_id = '00000000-0000-0000-0000-000000000000';
