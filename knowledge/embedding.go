package knowledge

import (
	"context"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pgvector/pgvector-go"
)

// Embedding reports whether dense retrieval is configured, and with which
// model.
func (b *Base) Embedding() (model string, ok bool) {
	if b.embedder == nil {
		return "", false
	}
	return b.embedder.Model(), true
}

// embedText is what is embedded for a chunk: its context and its text.
func embedText(title string, headingPath []string, text string) string {
	return title + "\n" + strings.Join(headingPath, " > ") + "\n" + text
}

type pendingChunk struct {
	OrgID       uuid.UUID
	ID          uuid.UUID
	Title       string
	HeadingPath []string
	Text        string
}

// embedBatch embeds the chunks selected by where/args that lack a vector
// of the current model, at most limit of them, and stores the vectors. It
// reads in one transaction, calls the model with none open, and writes in
// another. It returns how many it embedded.
func (b *Base) embedBatch(ctx context.Context, db DB, where string, args []any, limit int) (int, error) {
	model := b.embedder.Model()
	var pending []pendingChunk
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT c.org_id, c.id, d.title, c.heading_path, c.text
			FROM chunks c JOIN documents d ON d.org_id = c.org_id AND d.id = c.document_id
			WHERE `+where+` AND NOT EXISTS (SELECT FROM chunk_embeddings e
				WHERE e.org_id = c.org_id AND e.chunk_id = c.id AND e.model = $1)
			ORDER BY c.org_id, c.id LIMIT `+fmt.Sprint(limit), append([]any{model}, args...)...)
		var err error
		pending, err = pgx.CollectRows(rows, pgx.RowToStructByPos[pendingChunk])
		return err
	})
	if err != nil || len(pending) == 0 {
		return 0, err
	}
	texts := make([]string, len(pending))
	for i, p := range pending {
		texts[i] = embedText(p.Title, p.HeadingPath, p.Text)
	}
	vecs, err := b.embedder.Embed(ctx, texts)
	if err != nil {
		return 0, err
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		for i, p := range pending {
			// The chunk may have been replaced meanwhile: insert only if it
			// is still there.
			batch.Queue(`INSERT INTO chunk_embeddings (org_id, chunk_id, model, dims, embedding)
				SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT FROM chunks WHERE org_id = $1 AND id = $2)
				ON CONFLICT (org_id, chunk_id, model) DO UPDATE SET embedding = EXCLUDED.embedding, dims = EXCLUDED.dims`,
				p.OrgID, p.ID, model, len(vecs[i]), pgvector.NewVector(vecs[i]))
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return 0, fmt.Errorf("store embeddings: %w", err)
	}
	return len(pending), nil
}

// ownChunks keeps the chunks of the transaction's organization, or every
// chunk in the operator's scope.
const ownChunks = `c.org_id = coalesce(nullif(current_setting('taiwa.org_id', true), '')::uuid, c.org_id)`

// EmbedDocument embeds the chunks of one document that have no vector of
// the current model yet. A failure is logged, not returned: the document is
// saved and searchable lexically, and EmbedMissing catches up later.
func (b *Base) EmbedDocument(ctx context.Context, db DB, id uuid.UUID) {
	if b.embedder == nil {
		return
	}
	for {
		n, err := b.embedBatch(ctx, db, "c.document_id = $2", []any{id}, 256)
		if err != nil {
			b.logger.WarnContext(ctx, "embed document", "document_id", id.String(), "error", err.Error())
			return
		}
		if n < 256 {
			return
		}
	}
}

// EmbedMissing embeds every chunk db may write that has no vector of the
// current model, in batches, calling progress after each batch. Until it is
// done the previous model's vectors keep serving searches made with it.
// In an organization's scope that is its own chunks: the starter pack's,
// which it also reads, are the starter sync's to embed.
func (b *Base) EmbedMissing(ctx context.Context, db DB, progress func(done, total int)) (int, error) {
	if b.embedder == nil {
		return 0, fmt.Errorf("%w: no embedding model is configured (TAIWA_EMBED_MODEL)", ErrInvalid)
	}
	var total int
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM chunks c WHERE `+ownChunks+` AND NOT EXISTS (SELECT FROM chunk_embeddings e
			WHERE e.org_id = c.org_id AND e.chunk_id = c.id AND e.model = $1)`, b.embedder.Model()).Scan(&total)
	})
	if err != nil {
		return 0, err
	}
	done := 0
	if progress != nil {
		progress(0, total)
	}
	for done < total {
		n, err := b.embedBatch(ctx, db, ownChunks, nil, 128)
		if err != nil {
			return done, err
		}
		if n == 0 {
			break
		}
		done += n
		if progress != nil {
			progress(min(done, total), total)
		}
	}
	return done, nil
}

var safeModel = regexp.MustCompile(`[^a-z0-9]+`)

// Execer runs a statement outside any tenant scope: *pgxpool.Pool.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// EnsureIndex creates the partial HNSW index for the current model's
// vectors if it is missing, and returns the model's dimensions (asking the
// model once). It is DDL: run it on a connection of the role that owns the
// tables, not in a tenant scope, as 'taiwa kb reembed' and the server's
// start do. The index is per model because an HNSW index has one dimension.
func (b *Base) EnsureIndex(ctx context.Context, conn Execer) (int, error) {
	if b.embedder == nil {
		return 0, nil
	}
	vs, err := b.embedder.Embed(ctx, []string{"dimension probe"})
	if err != nil {
		return 0, err
	}
	dims := len(vs[0])
	if dims > 2000 {
		// HNSW on vector supports up to 2,000 dimensions; larger models
		// are searched exactly (fine for a knowledge base of this size).
		b.logger.WarnContext(ctx, "embedding dimensions exceed HNSW's 2000; vector search stays exact", "model", b.embedder.Model(), "dims", dims)
		return dims, nil
	}
	var lit string
	if err := conn.QueryRow(ctx, `SELECT quote_literal($1::text)`, b.embedder.Model()).Scan(&lit); err != nil {
		return 0, fmt.Errorf("ensure index: %w", err)
	}
	name := indexName(b.embedder.Model(), dims)
	_, err = conn.Exec(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON chunk_embeddings
		USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WHERE model = %s AND dims = %d`,
		name, dims, lit, dims))
	if err != nil {
		return 0, fmt.Errorf("ensure index %s: %w", name, err)
	}
	return dims, nil
}

// indexName is a stable, valid identifier for a model's index.
func indexName(model string, dims int) string {
	h := fnv.New32a()
	h.Write([]byte(model))
	slug := strings.Trim(safeModel.ReplaceAllString(strings.ToLower(model), "_"), "_")
	if len(slug) > 30 {
		slug = slug[:30]
	}
	return fmt.Sprintf("chunk_embeddings_hnsw_%s_%d_%08x", slug, dims, h.Sum32())
}
