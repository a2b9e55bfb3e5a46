package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// Status is where a document is in curation. Only published documents are
// retrieved.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

// Document is one piece of guidance.
type Document struct {
	ID         uuid.UUID   `json:"id"`
	OrgID      uuid.UUID   `json:"org_id"`
	Title      string      `json:"title"`
	Body       string      `json:"body"`
	Language   string      `json:"language"`
	Topics     []string    `json:"topics"`
	Tags       []string    `json:"tags"`
	PlanChecks []PlanCheck `json:"plan_checks"`
	Status     Status      `json:"status"`
	Version    int         `json:"version"`
	AuthorID   *uuid.UUID  `json:"author_id"`
	StarterKey *string     `json:"starter_key"`
	// SourceKey is what imports find the document by: its file's front
	// matter id, else the file's path in the upload (see Import). Nil for
	// documents written in the editor.
	SourceKey  *string    `json:"source_key"`
	CopiedFrom *uuid.UUID `json:"copied_from"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	// Starter is true for the read-only starter pack, Hidden when the
	// caller's organization hid it.
	Starter bool `json:"starter"`
	Hidden  bool `json:"hidden"`
	// Warnings are what reads as written for the model (see Screen): a
	// document with any is published only when a curator confirms.
	Warnings []Warning `json:"warnings,omitempty" db:"-"`
}

// Input is what a curator writes: everything but the bookkeeping.
type Input struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Language string   `json:"language"`
	Topics   []string `json:"topics"`
	Tags     []string `json:"tags"`
	// PlanChecks are the plans the document warns against (see PlanCheck).
	PlanChecks []PlanCheck `json:"plan_checks"`
}

// check validates and normalizes in.
func (in *Input) check() error {
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.Title == "":
		return fmt.Errorf("%w: title is empty", ErrInvalid)
	case utf8.RuneCountInString(in.Title) > 300:
		return fmt.Errorf("%w: title is longer than 300 characters", ErrInvalid)
	case strings.TrimSpace(in.Body) == "":
		return fmt.Errorf("%w: body is empty", ErrInvalid)
	case utf8.RuneCountInString(in.Body) > 100000:
		return fmt.Errorf("%w: body is longer than 100,000 characters", ErrInvalid)
	case in.Language != "ja" && in.Language != "en":
		return fmt.Errorf("%w: language %q is not ja or en", ErrInvalid, in.Language)
	case len(in.Topics) == 0:
		return fmt.Errorf("%w: at least one topic is needed", ErrInvalid)
	}
	seen := map[string]bool{}
	var topics []string
	for _, t := range in.Topics {
		t = strings.TrimSpace(t)
		if !ValidTopic(t) {
			return fmt.Errorf("%w: topic %q is not in the taxonomy", ErrInvalid, t)
		}
		if !seen[t] {
			topics = append(topics, t)
			seen[t] = true
		}
	}
	in.Topics = topics
	tags := []string{}
	for _, t := range in.Tags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(tags, t) {
			if utf8.RuneCountInString(t) > 50 {
				return fmt.Errorf("%w: tag %q is longer than 50 characters", ErrInvalid, t)
			}
			tags = append(tags, t)
		}
	}
	if len(tags) > 30 {
		return fmt.Errorf("%w: more than 30 tags", ErrInvalid)
	}
	in.Tags = tags
	if in.PlanChecks == nil {
		in.PlanChecks = []PlanCheck{}
	}
	return checkPlanChecks(in.PlanChecks, in.Body)
}

const docColumns = `d.id, d.org_id, d.title, d.body, d.language, d.topics, d.tags, d.plan_checks, d.status, d.version,
	d.author_id, d.starter_key, d.source_key, d.copied_from, d.created_at, d.updated_at,
	d.org_id = '00000000-0000-0000-0000-000000000000' AS starter,
	EXISTS (SELECT FROM kb_hidden h WHERE h.document_id = d.id) AS hidden`

func collectDoc(rows pgx.Rows, id uuid.UUID) (Document, error) {
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Document])
	if errors.Is(err, pgx.ErrNoRows) {
		return Document{}, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Document{}, fmt.Errorf("document %s: %w", id, err)
	}
	return d, nil
}

// Get returns a document of the caller's organization or of the starter pack.
func (b *Base) Get(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Document, error) {
	d, err := get(ctx, tx, id)
	if err == nil {
		d.Warnings = b.Screen(d.Title, d.Body)
	}
	return d, err
}

// get is Get without the screening (which analyzes the whole text).
func get(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Document, error) {
	rows, _ := tx.Query(ctx, `SELECT `+docColumns+` FROM documents d WHERE d.id = $1`, id)
	return collectDoc(rows, id)
}

// ListOptions filter List. Zero values do not filter.
type ListOptions struct {
	Topic    string
	Status   Status
	Language string
	Text     string // in the title, body or tags, case-insensitive
	Starter  *bool  // only starter (true) or only own (false) documents
	Limit    int
	Offset   int
}

// List returns the documents visible to tx that match opt, newest first, and
// how many match in all.
func (b *Base) List(ctx context.Context, tx pgx.Tx, opt ListOptions) ([]Document, int, error) {
	if opt.Limit <= 0 || opt.Limit > 200 {
		opt.Limit = 50
	}
	if opt.Topic != "" && !ValidTopic(opt.Topic) {
		return nil, 0, fmt.Errorf("%w: topic %q is not in the taxonomy", ErrInvalid, opt.Topic)
	}
	var pattern string
	if opt.Text != "" {
		pattern = "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(Normalize(opt.Text)) + "%"
	}
	rows, _ := tx.Query(ctx, `SELECT `+docColumns+`, count(*) OVER () AS total FROM documents d
		WHERE ($1 = '' OR $1 = ANY (d.topics))
		  AND ($2 = '' OR d.status = $2)
		  AND ($3 = '' OR d.language = $3)
		  AND ($4 = '' OR lower(d.title) LIKE $4 OR lower(d.body) LIKE $4 OR lower(array_to_string(d.tags, ' ')) LIKE $4)
		  AND ($5::bool IS NULL OR (d.org_id = '00000000-0000-0000-0000-000000000000') = $5)
		ORDER BY d.updated_at DESC, d.id
		LIMIT $6 OFFSET $7`,
		opt.Topic, string(opt.Status), opt.Language, pattern, opt.Starter, opt.Limit, opt.Offset)
	type row struct {
		Document
		Total int
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	docs := make([]Document, len(rs))
	total := 0
	for i, r := range rs {
		docs[i], total = r.Document, r.Total
	}
	if len(rs) == 0 && opt.Offset > 0 {
		// Past the end: count separately so the caller still learns the total.
		_, total, err = b.List(ctx, tx, ListOptions{Topic: opt.Topic, Status: opt.Status, Language: opt.Language, Text: opt.Text, Starter: opt.Starter, Limit: 1})
		return docs, total, err
	}
	return docs, total, nil
}

// Create adds a document to orgID as version 1 (a draft unless status says
// otherwise) and indexes it.
func (b *Base) Create(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, author *uuid.UUID, in Input, status Status) (Document, error) {
	if err := in.check(); err != nil {
		return Document{}, err
	}
	return b.create(ctx, tx, orgID, author, in, status, nil, nil)
}

// create is Create for a checked in, with the key an import found it by
// (nil for the editor) and the buffer an import inserts chunks through.
func (b *Base) create(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, author *uuid.UUID, in Input, status Status, sourceKey *string, buf *chunkBuffer) (Document, error) {
	warnings := b.Screen(in.Title, in.Body)
	if status == "" || status == StatusPublished && orgID != StarterOrg && len(warnings) > 0 {
		status = StatusDraft // a flagged document waits for a curator to confirm it
	}
	id := uuid.Must(uuid.NewV7())
	_, err := tx.Exec(ctx, `INSERT INTO documents (org_id, id, title, body, language, topics, tags, plan_checks, status, author_id, source_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		orgID, id, in.Title, in.Body, in.Language, in.Topics, in.Tags, in.PlanChecks, status, author, sourceKey)
	if err != nil {
		return Document{}, fmt.Errorf("create document: %w", err)
	}
	return b.saved(ctx, tx, orgID, id, &warnings, buf)
}

// saved records the current state of a document as a version and
// re-indexes it. warnings are the screening of its text, when the caller
// has it (nil: screened here; it analyzes the whole text).
func (b *Base) saved(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID, warnings *[]Warning, buf *chunkBuffer) (Document, error) {
	_, err := tx.Exec(ctx, `INSERT INTO document_versions (org_id, document_id, version, title, body, language, topics, tags, plan_checks, status, author_id)
		SELECT org_id, id, version, title, body, language, topics, tags, plan_checks, status, author_id FROM documents
		WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return Document{}, fmt.Errorf("save version: %w", err)
	}
	d, err := get(ctx, tx, id)
	if err != nil {
		return Document{}, err
	}
	if warnings != nil {
		d.Warnings = *warnings
	} else {
		d.Warnings = b.Screen(d.Title, d.Body)
	}
	if err := b.index(ctx, tx, d, buf); err != nil {
		return Document{}, err
	}
	return d, nil
}

// editable returns the document if the caller's organization may change it.
func (b *Base) editable(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Document, error) {
	d, err := b.Get(ctx, tx, id)
	if err != nil {
		return Document{}, err
	}
	if d.Starter {
		return Document{}, fmt.Errorf("%w: starter documents cannot be edited; copy it to your organization first", ErrReadOnly)
	}
	return d, nil
}

// Update saves a new version of a document. ifVersion, when not 0, must be
// the current version (optimistic locking: two curators editing at once do
// not overwrite each other silently).
func (b *Base) Update(ctx context.Context, tx pgx.Tx, id uuid.UUID, author *uuid.UUID, in Input, ifVersion int) (Document, error) {
	if err := in.check(); err != nil {
		return Document{}, err
	}
	d, err := b.editable(ctx, tx, id)
	if err != nil {
		return Document{}, err
	}
	if ifVersion != 0 && ifVersion != d.Version {
		return Document{}, fmt.Errorf("%w: the document is at version %d, not %d; reload it", ErrConflict, d.Version, ifVersion)
	}
	return b.update(ctx, tx, d, author, in, d.Status, nil)
}

// update saves in, with status, as the next version of d; in is already
// checked. Content and status go in one version: an import that changes
// both is one change.
func (b *Base) update(ctx context.Context, tx pgx.Tx, d Document, author *uuid.UUID, in Input, status Status, buf *chunkBuffer) (Document, error) {
	_, err := tx.Exec(ctx, `UPDATE documents SET title = $3, body = $4, language = $5, topics = $6, tags = $7, plan_checks = $9,
		status = $10, author_id = coalesce($8, author_id), version = version + 1, updated_at = now()
		WHERE org_id = $1 AND id = $2`, d.OrgID, d.ID, in.Title, in.Body, in.Language, in.Topics, in.Tags, author, in.PlanChecks, status)
	if err != nil {
		return Document{}, fmt.Errorf("update document: %w", err)
	}
	return b.saved(ctx, tx, d.OrgID, d.ID, nil, buf)
}

// SetStatus publishes, unpublishes (back to draft) or archives a document.
// Status changes are versions too, so the history shows when it went live.
// A document with warnings is published only when confirmed.
func (b *Base) SetStatus(ctx context.Context, tx pgx.Tx, id uuid.UUID, author *uuid.UUID, status Status, confirmed bool) (Document, error) {
	switch status {
	case StatusDraft, StatusPublished, StatusArchived:
	default:
		return Document{}, fmt.Errorf("%w: status %q", ErrInvalid, status)
	}
	d, err := b.editable(ctx, tx, id)
	if err != nil {
		return Document{}, err
	}
	if d.Status == status {
		return d, nil
	}
	if status == StatusPublished && len(d.Warnings) > 0 && !confirmed {
		return Document{}, fmt.Errorf("%w: %q holds text that reads as written for the model (%s: %q); check it, then publish with confirmation",
			ErrUnconfirmed, d.Title, d.Warnings[0].Code, d.Warnings[0].Excerpt)
	}
	_, err = tx.Exec(ctx, `UPDATE documents SET status = $3, version = version + 1, updated_at = now(),
		author_id = coalesce($4, author_id) WHERE org_id = $1 AND id = $2`, d.OrgID, id, status, author)
	if err != nil {
		return Document{}, fmt.Errorf("set status: %w", err)
	}
	return b.saved(ctx, tx, d.OrgID, id, &d.Warnings, nil)
}

// Delete removes a document with its versions, chunks and embeddings.
func (b *Base) Delete(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	d, err := b.editable(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM documents WHERE org_id = $1 AND id = $2`, d.OrgID, id); err != nil {
		return fmt.Errorf("delete document: %w", err)
	}
	return nil
}

// Version is one saved state of a document.
type Version struct {
	DocumentID uuid.UUID   `json:"document_id"`
	Version    int         `json:"version"`
	Title      string      `json:"title"`
	Body       string      `json:"body,omitempty"`
	Language   string      `json:"language"`
	Topics     []string    `json:"topics"`
	Tags       []string    `json:"tags"`
	PlanChecks []PlanCheck `json:"plan_checks"`
	Status     Status      `json:"status"`
	AuthorID   *uuid.UUID  `json:"author_id"`
	CreatedAt  time.Time   `json:"created_at"`
}

// Versions lists a document's versions, newest first, without bodies.
func (b *Base) Versions(ctx context.Context, tx pgx.Tx, id uuid.UUID) ([]Version, error) {
	if _, err := b.Get(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT document_id, version, title, '' AS body, language, topics, tags, plan_checks, status, author_id, created_at
		FROM document_versions WHERE document_id = $1 ORDER BY version DESC`, id)
	vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Version])
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	return vs, nil
}

// GetVersion returns one version of a document, with its body.
func (b *Base) GetVersion(ctx context.Context, tx pgx.Tx, id uuid.UUID, version int) (Version, error) {
	rows, _ := tx.Query(ctx, `SELECT document_id, version, title, body, language, topics, tags, plan_checks, status, author_id, created_at
		FROM document_versions WHERE document_id = $1 AND version = $2`, id, version)
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Version])
	if errors.Is(err, pgx.ErrNoRows) {
		return Version{}, fmt.Errorf("document %s version %d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return Version{}, fmt.Errorf("get version: %w", err)
	}
	return v, nil
}

// Restore saves an old version's content as the newest version. The status
// stays as it is: restoring text is not publishing it.
func (b *Base) Restore(ctx context.Context, tx pgx.Tx, id uuid.UUID, version int, author *uuid.UUID) (Document, error) {
	v, err := b.GetVersion(ctx, tx, id, version)
	if err != nil {
		return Document{}, err
	}
	return b.Update(ctx, tx, id, author, Input{Title: v.Title, Body: v.Body, Language: v.Language, Topics: v.Topics, Tags: v.Tags, PlanChecks: v.PlanChecks}, 0)
}

// SetHidden hides or shows a starter document for the caller's organization.
func (b *Base) SetHidden(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID, hidden bool) (Document, error) {
	d, err := b.Get(ctx, tx, id)
	if err != nil {
		return Document{}, err
	}
	if !d.Starter {
		return Document{}, fmt.Errorf("%w: only starter documents can be hidden; archive your own instead", ErrInvalid)
	}
	if hidden {
		_, err = tx.Exec(ctx, `INSERT INTO kb_hidden (org_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, orgID, id)
	} else {
		_, err = tx.Exec(ctx, `DELETE FROM kb_hidden WHERE org_id = $1 AND document_id = $2`, orgID, id)
	}
	if err != nil {
		return Document{}, fmt.Errorf("hide document: %w", err)
	}
	return b.Get(ctx, tx, id)
}

// Copy makes an editable draft copy of a starter document in orgID and
// hides the original there, so the copy replaces it once published.
func (b *Base) Copy(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID, author *uuid.UUID) (Document, error) {
	src, err := b.Get(ctx, tx, id)
	if err != nil {
		return Document{}, err
	}
	d, err := b.Create(ctx, tx, orgID, author, Input{Title: src.Title, Body: src.Body, Language: src.Language, Topics: src.Topics, Tags: src.Tags, PlanChecks: src.PlanChecks}, StatusDraft)
	if err != nil {
		return Document{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE documents SET copied_from = $3 WHERE org_id = $1 AND id = $2`, orgID, d.ID, id); err != nil {
		return Document{}, fmt.Errorf("copy document: %w", err)
	}
	if src.Starter {
		if _, err := b.SetHidden(ctx, tx, orgID, id, true); err != nil {
			return Document{}, err
		}
	}
	return b.Get(ctx, tx, d.ID)
}

// BM25 parameters. Chunk weights use the average chunk length of the
// corpus searched (averageLength) when the chunk is written; chunks are
// sized to a target, so the average barely moves.
const (
	bm25K1     = 1.2
	bm25B      = 0.75
	bm25AvgDef = 60.0 // average terms per chunk before there is any corpus
	// termSpace is the sparsevec dimension terms are hashed into; with
	// 2^29 slots, collisions among a few hundred thousand terms are rare.
	termSpace = 1 << 29
)

// termIndex is a term's position in the BM25 sparsevec (0-based).
func termIndex(term string) int32 {
	h := fnv.New32a()
	h.Write([]byte(term))
	return int32(h.Sum32() % termSpace)
}

// averageLength is the average chunk length, in terms, of the corpus a
// search of org reads: its own chunks and the starter pack's, as for IDF.
// An organization's own average alone swung with its first documents: the
// first few short ones were weighed against the default and the next
// against them, half again as heavy for the same words.
func averageLength(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (float64, error) {
	var avg float64
	err := tx.QueryRow(ctx, `SELECT coalesce(sum(total_terms)::float8 / nullif(sum(chunks), 0), $2)
		FROM kb_corpus_stats WHERE org_id IN ($1, '00000000-0000-0000-0000-000000000000')`, orgID, bm25AvgDef).Scan(&avg)
	return avg, err
}

// indexedChunk is a chunk ready to insert.
type indexedChunk struct {
	Chunk
	hash      []byte
	terms     []string
	termCount int
	bm25      pgvector.SparseVector
}

// newChunk is a chunk to insert, as a JSON record of the one statement
// that inserts new chunks (chunkBuffer).
type newChunk struct {
	OrgID       uuid.UUID `json:"org_id"`
	DocumentID  uuid.UUID `json:"document_id"`
	DocVersion  int       `json:"doc_version"`
	Status      Status    `json:"status"`
	Language    string    `json:"language"`
	Topics      []string  `json:"topics"`
	ID          uuid.UUID `json:"id"`
	Ordinal     int       `json:"ordinal"`
	HeadingPath []string  `json:"heading_path"`
	Text        string    `json:"text"`
	ContentHash string    `json:"content_hash"` // bytea's hex input
	Terms       []string  `json:"terms"`
	TermCount   int       `json:"term_count"`
	BM25        string    `json:"bm25"` // sparsevec's text input
}

// record is c as a new row of chunks.
func (c indexedChunk) record() newChunk {
	return newChunk{ID: uuid.Must(uuid.NewV7()), Ordinal: c.Ordinal, HeadingPath: append([]string{}, c.HeadingPath...),
		Text: c.Text, ContentHash: fmt.Sprintf("\\x%x", c.hash), Terms: c.terms, TermCount: c.termCount, BM25: c.bm25.String()}
}

// prepare chunks a document and computes each chunk's terms and BM25
// weights. The heading path and title are indexed with the text: "よくある
// 誤解" under a listening document is part of what the passage is about.
func (b *Base) prepare(d Document, avgLen float64) []indexedChunk {
	var out []indexedChunk
	for _, c := range ChunkMarkdown(d.Body, b.chunking) {
		context := d.Title + "\n" + strings.Join(c.HeadingPath, "\n")
		terms := b.analyzer.Terms(context + "\n" + c.Text)
		distinct, bm25 := weigh(terms, avgLen)
		h := sha256.Sum256([]byte(strings.Join(c.HeadingPath, "\x1f") + "\x1e" + c.Text))
		out = append(out, indexedChunk{Chunk: c, hash: h[:], terms: distinct, termCount: len(terms), bm25: bm25})
	}
	return out
}

// weigh returns the distinct terms of a chunk and their BM25 weights:
// tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen)), by hashed term index.
func weigh(terms []string, avgLen float64) ([]string, pgvector.SparseVector) {
	tf := map[string]int{}
	for _, t := range terms {
		tf[t]++
	}
	weights := map[int32]float32{}
	distinct := make([]string, 0, len(tf))
	for t, n := range tf {
		f := float64(n)
		weights[termIndex(t)] += float32(f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*float64(len(terms))/avgLen)))
		distinct = append(distinct, t)
	}
	slices.Sort(distinct)
	return distinct, pgvector.NewSparseVectorFromMap(weights, termSpace)
}

// index makes a document's chunks those of its current version. A chunk
// whose text did not change keeps its row, and so its embeddings: an edit
// re-embeds only what it changed, and publishing re-embeds nothing.
func (b *Base) index(ctx context.Context, tx pgx.Tx, d Document, buf *chunkBuffer) error {
	avg, err := averageLength(ctx, tx, d.OrgID)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	rows, _ := tx.Query(ctx, `SELECT id, content_hash FROM chunks WHERE org_id = $1 AND document_id = $2 ORDER BY ordinal`, d.OrgID, d.ID)
	type old struct {
		ID   uuid.UUID
		Hash []byte
	}
	olds, err := pgx.CollectRows(rows, pgx.RowToStructByPos[old])
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	byHash := map[string][]uuid.UUID{}
	for _, o := range olds {
		byHash[string(o.Hash)] = append(byHash[string(o.Hash)], o.ID)
	}

	batch := &pgx.Batch{}
	var fresh []newChunk
	for _, c := range b.prepare(d, avg) {
		if ids := byHash[string(c.hash)]; len(ids) > 0 {
			byHash[string(c.hash)] = ids[1:]
			batch.Queue(`UPDATE chunks SET doc_version = $3, ordinal = $4, status = $5, language = $6, topics = $7,
				terms = $8, term_count = $9, bm25 = $10 WHERE org_id = $1 AND id = $2`,
				d.OrgID, ids[0], d.Version, c.Ordinal, d.Status, d.Language, d.Topics, c.terms, c.termCount, c.bm25)
			continue
		}
		fresh = append(fresh, c.record())
	}
	local := buf == nil
	if local {
		buf = &chunkBuffer{}
	}
	buf.add(d, fresh)
	var stale []uuid.UUID
	for _, ids := range byHash {
		stale = append(stale, ids...)
	}
	if len(stale) > 0 {
		// Deleted first in the batch: the new ordinals may collide with theirs.
		first := &pgx.Batch{}
		first.Queue(`DELETE FROM chunks WHERE org_id = $1 AND id = ANY ($2)`, d.OrgID, stale)
		first.QueuedQueries = append(first.QueuedQueries, batch.QueuedQueries...)
		batch = first
	}
	if local {
		buf.queue(batch)
	}
	batch.Queue(`UPDATE documents SET analyzer_version = $3 WHERE org_id = $1 AND id = $2`, d.OrgID, d.ID, AnalyzerVersion)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

// chunkBuffer holds the new chunks of several documents for one INSERT:
// the statistics and postings triggers then run once for all of them
// rather than once per document (each run rewrites the organization's hot
// statistics rows, and a term common to a hundred documents was rewritten
// a hundred times in one transaction).
type chunkBuffer struct {
	rows []newChunk
}

func (c *chunkBuffer) add(d Document, fresh []newChunk) {
	for _, n := range fresh {
		n.OrgID, n.DocumentID, n.DocVersion, n.Status, n.Language, n.Topics = d.OrgID, d.ID, d.Version, d.Status, d.Language, d.Topics
		c.rows = append(c.rows, n)
	}
}

// queue adds the insert of the chunks held to batch, and empties c.
func (c *chunkBuffer) queue(batch *pgx.Batch) {
	if len(c.rows) == 0 {
		return
	}
	rows, err := json.Marshal(c.rows)
	if err != nil {
		panic(err) // strings, numbers and uuids always marshal
	}
	c.rows = nil
	batch.Queue(`INSERT INTO chunks (org_id, id, document_id, doc_version, ordinal, heading_path, text, content_hash,
			status, language, topics, terms, term_count, bm25)
		SELECT x.org_id, x.id, x.document_id, x.doc_version, x.ordinal, x.heading_path, x.text, x.content_hash,
			x.status, x.language, x.topics, x.terms, x.term_count, x.bm25::sparsevec
		FROM jsonb_to_recordset($1::jsonb) AS x(org_id uuid, id uuid, document_id uuid, doc_version int, ordinal int,
			heading_path text[], text text, content_hash bytea, status text, language text, topics text[],
			terms text[], term_count int, bm25 text)`, rows)
}

// flush inserts the chunks held.
func (c *chunkBuffer) flush(ctx context.Context, tx pgx.Tx) error {
	batch := &pgx.Batch{}
	c.queue(batch)
	if batch.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

// AnalyzerVersion changes whenever the analyzer would find different terms
// in the same text. 2: kanji variants of 聞く folded. 3: English stems
// fold a final e and y (praise/praised) and irregular verbs (forgot).
const AnalyzerVersion = 3

// ReindexStale re-indexes the documents an older analyzer indexed, a few
// per transaction, and returns how many. Chunk ids, and so embeddings and
// citations, stay. db must see every organization (the operator's scope).
func (b *Base) ReindexStale(ctx context.Context, db DB) (int, error) {
	n := 0
	for {
		done := 0
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT `+docColumns+` FROM documents d WHERE d.analyzer_version <> $1
				ORDER BY d.org_id, d.id LIMIT 20 FOR UPDATE SKIP LOCKED`, AnalyzerVersion)
			docs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Document])
			if err != nil {
				return err
			}
			for _, d := range docs {
				if err := b.index(ctx, tx, d, nil); err != nil {
					return err
				}
			}
			done = len(docs)
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("reindex: %w", err)
		}
		n += done
		if done == 0 {
			_, err := b.reanalyzeRules(ctx, db)
			return n, err
		}
	}
}

// ChunkPreview is what a document's body would be cut into, for the
// editor's preview.
func (b *Base) ChunkPreview(body string) []Chunk {
	return ChunkMarkdown(body, b.chunking)
}

// DocumentChunks returns the stored chunks of a document's current version.
func (b *Base) DocumentChunks(ctx context.Context, tx pgx.Tx, id uuid.UUID) ([]StoredChunk, error) {
	if _, err := b.Get(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT id, document_id, doc_version, ordinal, heading_path, text,
		encode(content_hash, 'hex') AS content_hash
		FROM chunks WHERE document_id = $1 ORDER BY ordinal`, id)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[StoredChunk])
	if err != nil {
		return nil, fmt.Errorf("list chunks: %w", err)
	}
	return cs, nil
}

// StoredChunk is a chunk as stored: citations point at it.
type StoredChunk struct {
	ID          uuid.UUID `json:"id"`
	DocumentID  uuid.UUID `json:"document_id"`
	DocVersion  int       `json:"doc_version"`
	Ordinal     int       `json:"ordinal"`
	HeadingPath []string  `json:"heading_path"`
	Text        string    `json:"text"`
	ContentHash string    `json:"content_hash"`
}
