package knowledge

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

// frontMatter is the YAML block at the top of an imported or exported
// Markdown file.
type frontMatter struct {
	// ID names the document for imports, whatever the file is called or
	// wherever it sits: importing it again updates that document. Export
	// writes it, so an export imports back onto the same documents.
	ID       string   `yaml:"id,omitempty"`
	Title    string   `yaml:"title"`
	Lang     string   `yaml:"lang,omitempty"`
	Language string   `yaml:"language,omitempty"`
	Topics   []string `yaml:"topics,flow"`
	Tags     []string `yaml:"tags,flow,omitempty"`
	Status   string   `yaml:"status,omitempty"`
	// PlanChecks: see PlanCheck.
	PlanChecks []PlanCheck `yaml:"plan_checks,omitempty"`
}

// ParseMarkdown reads a Markdown file with YAML front matter (title,
// lang, topics, tags and optionally status) into an Input. The front
// matter's id, if any, is checked but is Import's business.
func ParseMarkdown(data []byte) (Input, Status, error) {
	p, err := parseMarkdown(data)
	return p.in, p.status, err
}

// parsed is a Markdown file read for import.
type parsed struct {
	in     Input
	status Status // "" when the front matter sets none
	id     string // the front matter's id, normalized; "" when it has none
}

func parseMarkdown(data []byte) (parsed, error) {
	if !utf8.Valid(data) {
		return parsed{}, fmt.Errorf("%w: not UTF-8 text", ErrInvalid)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return parsed{}, fmt.Errorf("%w: the file contains a NUL character", ErrInvalid)
	}
	s := strings.TrimPrefix(strings.ReplaceAll(string(data), "\r\n", "\n"), "\ufeff")
	if !strings.HasPrefix(s, "---\n") {
		return parsed{}, fmt.Errorf("%w: no front matter (the file must start with a --- line)", ErrInvalid)
	}
	end := strings.Index(s[4:], "\n---")
	if end < 0 {
		return parsed{}, fmt.Errorf("%w: the front matter is not closed with a --- line", ErrInvalid)
	}
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(s[4:4+end]), &fm); err != nil {
		return parsed{}, fmt.Errorf("%w: front matter: %v", ErrInvalid, err)
	}
	body := s[4+end+4:]
	body = strings.TrimPrefix(strings.TrimLeft(body, "-"), "\n")
	in := Input{Title: fm.Title, Body: strings.TrimSpace(body) + "\n", Language: cmpOr(fm.Lang, fm.Language), Topics: fm.Topics, Tags: fm.Tags,
		PlanChecks: fm.PlanChecks}
	if err := in.check(); err != nil {
		return parsed{}, err
	}
	status := Status(fm.Status)
	switch status {
	case "", StatusDraft, StatusPublished, StatusArchived:
	default:
		return parsed{}, fmt.Errorf("%w: status %q is not draft, published or archived", ErrInvalid, fm.Status)
	}
	// NFC: the same id typed on a Mac and elsewhere is one key.
	id := norm.NFC.String(strings.TrimSpace(fm.ID))
	if utf8.RuneCountInString(id) > maxKeyLen {
		return parsed{}, fmt.Errorf("%w: id is longer than %d characters", ErrInvalid, maxKeyLen)
	}
	return parsed{in: in, status: status, id: id}, nil
}

// maxKeyLen bounds a source key (an id or a path), as the schema does.
const maxKeyLen = 500

// pathKey is the source key of a file without an id: its path inside the
// upload, the zip or the folder, normalized so that the same file named a
// little differently is one key: forward slashes, no "./", "../" or
// repeated slashes, and Unicode NFC (macOS writes names decomposed, so a
// zip made there spells ガイド differently from a browser's upload). Case is
// kept: Guide.md and guide.md are two files on most systems.
func pathKey(name string) string {
	p := path.Clean("/" + strings.ReplaceAll(name, `\`, "/"))
	return norm.NFC.String(strings.TrimPrefix(p, "/"))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Markdown renders a document as Markdown with front matter: what export
// writes and import reads back.
func (d Document) Markdown() []byte {
	// The id is the document's source key, or for a document written in
	// the editor its own id, which Import also finds it by.
	var id string
	if d.SourceKey != nil {
		id = *d.SourceKey
	} else if d.ID != uuid.Nil {
		id = d.ID.String()
	}
	fm := frontMatter{ID: id, Title: d.Title, Lang: d.Language, Topics: d.Topics, Tags: d.Tags, Status: string(d.Status), PlanChecks: d.PlanChecks}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	enc.Encode(fm)
	enc.Close()
	b.WriteString("---\n\n")
	b.WriteString(strings.TrimSpace(d.Body))
	b.WriteString("\n")
	return b.Bytes()
}

// File is one file to import.
type File struct {
	Name string // what results call it: the upload's name, "pack.zip/a/b.md"
	// Path is where the file sits in what was uploaded: its path inside the
	// zip or the folder, or its own name. It is the file's source key when
	// the front matter has no id (Name when empty).
	Path string
	Data []byte
}

// What an import did with a file.
const (
	ImportCreated   = "created"   // a new document
	ImportUpdated   = "updated"   // a new version of the document with the file's key
	ImportUnchanged = "unchanged" // that document already says what the file says: nothing written
)

// ImportResult reports what happened to one file.
type ImportResult struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	// Action is ImportCreated, ImportUpdated or ImportUnchanged when OK.
	Action string `json:"action,omitempty"`
	// Key is the file's source key: its front matter id, else its path.
	Key        string     `json:"key,omitempty"`
	DocumentID *uuid.UUID `json:"document_id,omitempty"`
	Title      string     `json:"title,omitempty"`
	Status     Status     `json:"status,omitempty"`
	Version    int        `json:"version,omitempty"`
	// Warnings: the document holds text that reads as written for the
	// model, so it is a draft until a curator checks it (even if the file
	// asked for it to be published).
	Warnings []Warning `json:"warnings,omitempty"`
	Error    string    `json:"error,omitempty"`
	// DuplicateOf names the earlier file of the same import with the same
	// key: this one was not imported.
	DuplicateOf string `json:"duplicate_of,omitempty"`
}

// Limits on imports, so one upload cannot exhaust the server.
const (
	maxImportFiles = 1000
	maxImportFile  = 1 << 20 // one Markdown file
	maxImportTotal = 50 << 20
)

// ExpandZip returns the Markdown files in a zip archive. Other entries are
// skipped; oversized or too many files are an error.
func ExpandZip(data []byte) ([]File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrInvalid, err)
	}
	var files []File
	total := 0
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !isMarkdown(f.Name) || strings.HasPrefix(path.Base(f.Name), ".") || strings.Contains(f.Name, "__MACOSX") {
			continue
		}
		if len(files) >= maxImportFiles {
			return nil, fmt.Errorf("%w: more than %d files in the archive", ErrInvalid, maxImportFiles)
		}
		if f.UncompressedSize64 > maxImportFile {
			files = append(files, File{Name: f.Name, Path: f.Name}) // reported as too large by Import
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxImportFile+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, f.Name, err)
		}
		if total += len(b); total > maxImportTotal {
			return nil, fmt.Errorf("%w: the archive holds more than %d MB of Markdown", ErrInvalid, maxImportTotal>>20)
		}
		files = append(files, File{Name: f.Name, Path: f.Name, Data: b})
	}
	// Stable: an archive may hold one name twice, and Import reports the
	// second as a duplicate of the first, in the archive's order.
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

func isMarkdown(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".md" || ext == ".markdown"
}

// ImportOptions are how Import treats the files.
type ImportOptions struct {
	Author *uuid.UUID // nil: the command line
	// Publish publishes the documents the import creates whose front matter
	// sets no status (else they are drafts). A document that exists keeps
	// its status unless its file sets one: re-importing a folder does not
	// undo what a curator decided since.
	Publish bool
	// Taken carries the keys earlier files of the same import took (key ->
	// file name) into a later call, for a caller that imports a long list
	// in batches, one transaction each; nil for an import in one call.
	Taken map[string]string
}

// Import brings each file into orgID by its source key: the front matter's
// id, else the file's path (File.Path). A key no document has makes a new
// document (a draft unless the front matter or opt says otherwise); a key
// a document has updates that document, keeping its id, with one new
// version if anything differs (title, body, language, topics, tags, plan
// checks, or the status the file sets) and nothing written if not. So an
// import can be run again, and retrieval never finds two copies of one
// file.
//
// A bad file is reported with its reason and skipped; the others go in.
// So is a second file with a key an earlier file of the same import took:
// importing both would make one document hold whichever came last. New
// files are created together (createAll: a key another import took
// meanwhile is reported for its file); a file for an existing document is
// saved in its own savepoint, so a failure leaves no half-written
// document. The error is for the database failing, not a file.
func (b *Base) Import(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, files []File, opt ImportOptions) ([]ImportResult, error) {
	results := make([]ImportResult, len(files))
	taken := opt.Taken // key -> the file that took it
	if taken == nil {
		taken = map[string]string{}
	}
	var ready []pending // files to save, in order
	for i, f := range files {
		r := ImportResult{Name: f.Name}
		p, err := parseFile(f, &r)
		if first, dup := taken[r.Key]; err == nil && dup {
			r.DuplicateOf = first
			err = fmt.Errorf("%w: %s has the same key (%q, its id or path) and was imported instead: give each file its own id", ErrInvalid, first, r.Key)
		}
		if err == nil {
			taken[r.Key] = f.Name
			ready = append(ready, pending{i: i, r: r, p: p})
		}
		results[i] = fileResult(r, err)
	}
	byKey, known, err := knownKeys(ctx, tx, orgID, ready)
	if err != nil {
		return results, err
	}
	buf := &chunkBuffer{} // every file's new chunks, inserted at the end
	var fresh []pending
	for _, f := range ready {
		if d, ok := byKey[f.r.Key]; ok {
			if _, same := b.importStatus(d, f.p); same {
				results[f.i] = b.unchanged(f.r, d) // an import run again, or resumed
				continue
			}
		}
		if !known[f.r.Key] {
			fresh = append(fresh, f)
			continue
		}
		// A key a document has (or may have, by adoption): one file at a
		// time, each in its own savepoint.
		held := len(buf.rows)
		r := f.r
		err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			var err error
			r, err = b.importFile(ctx, sp, orgID, r, f.p, opt, buf)
			return err
		})
		if err != nil {
			buf.rows = buf.rows[:held] // the file's savepoint was rolled back
			delete(taken, r.Key)
		}
		if err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrConflict) {
			return results, fmt.Errorf("import %s: %w", r.Name, err)
		}
		results[f.i] = fileResult(r, err)
	}
	if err := b.createAll(ctx, tx, orgID, opt, fresh, buf, results, taken); err != nil {
		return results, err
	}
	if err := buf.flush(ctx, tx); err != nil {
		return results, fmt.Errorf("import: %w", err)
	}
	return results, nil
}

// pending is a parsed file of an import, to save.
type pending struct {
	i int // its place in the import
	r ImportResult
	p parsed
}

// parseFile reads one file of an import and finds its key (into r).
func parseFile(f File, r *ImportResult) (parsed, error) {
	if len(f.Data) == 0 {
		return parsed{}, errors.New("empty or larger than 1 MB")
	}
	p, err := parseMarkdown(f.Data)
	if err != nil {
		return p, err
	}
	r.Key = cmp.Or(p.id, pathKey(cmp.Or(f.Path, f.Name)))
	switch n := utf8.RuneCountInString(r.Key); {
	case n == 0:
		return p, fmt.Errorf("%w: the file has no name; give it an id in its front matter", ErrInvalid)
	case n > maxKeyLen:
		return p, fmt.Errorf("%w: the path is longer than %d characters; give the file an id in its front matter", ErrInvalid, maxKeyLen)
	}
	return p, nil
}

// fileResult is r with err, when there is one, said for the curator.
func fileResult(r ImportResult, err error) ImportResult {
	if err != nil {
		r.OK = false
		r.Error = strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "), ErrConflict.Error()+": ")
	}
	return r
}

// knownKeys finds, in one query for the whole import, the documents files'
// keys name (byKey) and which keys may land on another existing document
// (by a uuid key or adoption, see findImported). Most files of a first
// import are new, and those are created together; a file run again that
// changes nothing needs no more.
func knownKeys(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, files []pending) (map[string]Document, map[string]bool, error) {
	keys := make([]string, len(files))
	var ids []uuid.UUID
	titles := make([]string, len(files))
	for i, f := range files {
		keys[i], titles[i] = f.r.Key, f.p.in.Title
		if u, err := uuid.Parse(f.r.Key); err == nil {
			ids = append(ids, u)
		}
	}
	batch := &pgx.Batch{}
	byKey := map[string]Document{}
	batch.Queue(`SELECT `+docColumns+` FROM documents d WHERE d.org_id = $1 AND d.source_key = ANY ($2)`, orgID, keys).
		Query(func(rows pgx.Rows) error {
			docs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Document])
			for _, d := range docs {
				byKey[*d.SourceKey] = d
			}
			return err
		})
	var found []string
	batch.Queue(`SELECT id::text FROM documents WHERE org_id = $1 AND id = ANY ($2) AND source_key IS NULL
		UNION ALL SELECT title FROM documents WHERE org_id = $1 AND source_key IS NULL AND title = ANY ($3)`, orgID, ids, titles).
		Query(func(rows pgx.Rows) (err error) {
			found, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return nil, nil, fmt.Errorf("import: %w", err)
	}
	hit := map[string]bool{}
	for _, k := range found {
		hit[k] = true
	}
	known := map[string]bool{}
	for _, f := range files {
		_, ok := byKey[f.r.Key]
		known[f.r.Key] = ok || hit[f.r.Key] || hit[f.p.in.Title]
	}
	return byKey, known, nil
}

// createAll creates the documents of files whose keys no document has: the
// screening and chunking spread over the cores, then the documents, their
// first versions and chunks (through buf) a few statements for all. A key
// another import took meanwhile is reported for its file.
func (b *Base) createAll(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, opt ImportOptions, files []pending,
	buf *chunkBuffer, results []ImportResult, taken map[string]string) error {
	if len(files) == 0 {
		return nil
	}
	avg, err := averageLength(ctx, tx, orgID)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	docs := make([]Document, len(files))
	chunks := make([][]indexedChunk, len(files))
	b.each(len(files), func(i int) {
		f := files[i]
		key := f.r.Key
		d := Document{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, Title: f.p.in.Title, Body: f.p.in.Body, Language: f.p.in.Language,
			Topics: f.p.in.Topics, Tags: nonNil(f.p.in.Tags), PlanChecks: nonNil(f.p.in.PlanChecks), Version: 1, Status: f.p.status,
			SourceKey: &key}
		if d.Status == "" && opt.Publish {
			d.Status = StatusPublished
		}
		d.Warnings = b.Screen(d.Title, d.Body)
		if d.Status == "" || d.Status == StatusPublished && orgID != StarterOrg && len(d.Warnings) > 0 {
			d.Status = StatusDraft // a flagged document waits for a curator to confirm it
		}
		docs[i], chunks[i] = d, b.prepare(d, avg)
	})
	// The documents as JSON records: the statement takes the fields it names.
	data, err := json.Marshal(docs)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	rows, _ := tx.Query(ctx, `INSERT INTO documents (org_id, id, title, body, language, topics, tags, plan_checks, status, author_id,
			source_key, analyzer_version)
		SELECT $1, x.id, x.title, x.body, x.language, x.topics, x.tags, x.plan_checks, x.status, $2, x.source_key, $3
		FROM jsonb_to_recordset($4::jsonb) AS x(id uuid, title text, body text, language text, topics text[], tags text[],
			plan_checks jsonb, status text, source_key text)
		ON CONFLICT (org_id, source_key) WHERE source_key IS NOT NULL DO NOTHING
		RETURNING id`, orgID, opt.Author, AnalyzerVersion, data)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	saved := map[uuid.UUID]bool{}
	for _, id := range ids {
		saved[id] = true
	}
	for i, d := range docs {
		f := files[i]
		if !saved[d.ID] {
			delete(taken, f.r.Key)
			results[f.i] = fileResult(f.r, fmt.Errorf("%w: another import saved a document with the key %q at the same time; import this file again", ErrConflict, f.r.Key))
			continue
		}
		fresh := make([]newChunk, len(chunks[i]))
		for j, c := range chunks[i] {
			fresh[j] = c.record()
		}
		buf.add(d, fresh)
		results[f.i] = imported(f.r, d, ImportCreated)
	}
	_, err = tx.Exec(ctx, `INSERT INTO document_versions (org_id, document_id, version, title, body, language, topics, tags, plan_checks, status, author_id)
		SELECT org_id, id, version, title, body, language, topics, tags, plan_checks, status, author_id FROM documents
		WHERE org_id = $1 AND id = ANY ($2)`, orgID, ids)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// nonNil is s, or an empty slice for nil (a NOT NULL array or JSON).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// each runs fn(0..n-1) on as many goroutines as there are cores.
func (b *Base) each(n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// importFile saves one parsed file under r.Key and fills in r.
func (b *Base) importFile(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, r ImportResult, p parsed, opt ImportOptions, buf *chunkBuffer) (ImportResult, error) {
	d, adopt, found, err := b.findImported(ctx, tx, orgID, r.Key, p.in)
	if err != nil {
		return r, err
	}
	if !found {
		status := p.status
		if status == "" && opt.Publish {
			status = StatusPublished
		}
		key := r.Key
		d, err = b.create(ctx, tx, orgID, opt.Author, p.in, status, &key, buf)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.ConstraintName == "documents_source_key" {
			return r, fmt.Errorf("%w: another import saved a document with the key %q at the same time; import this file again", ErrConflict, r.Key)
		}
		if err != nil {
			return r, err
		}
		return imported(r, d, ImportCreated), nil
	}
	if adopt {
		// A document imported before imports had keys, with this file's
		// text: it is this file's document from now on.
		if _, err := tx.Exec(ctx, `UPDATE documents SET source_key = $3 WHERE org_id = $1 AND id = $2`, orgID, d.ID, r.Key); err != nil {
			return r, fmt.Errorf("import: %w", err)
		}
		k := r.Key
		d.SourceKey = &k
	}
	status, unchanged := b.importStatus(d, p)
	if unchanged {
		return b.unchanged(r, d), nil
	}
	if d, err = b.update(ctx, tx, d, opt.Author, p.in, status, buf); err != nil {
		return r, err
	}
	return imported(r, d, ImportUpdated), nil
}

// importStatus is the status a file gives its document d, and whether the
// file changes nothing in it.
func (b *Base) importStatus(d Document, p parsed) (Status, bool) {
	in := p.in
	status := cmp.Or(p.status, d.Status)
	sameText := d.Title == in.Title && sameBody(d.Body, in.Body)
	// The rule publishing follows: text that reads as written for the model
	// goes live only when a curator confirms it. Text already live was
	// confirmed; new text or a document going live waits as a draft.
	if status == StatusPublished && !(d.Status == StatusPublished && sameText) && len(b.Screen(in.Title, in.Body)) > 0 {
		status = StatusDraft
	}
	return status, sameText && d.Language == in.Language && slices.Equal(d.Topics, in.Topics) && slices.Equal(d.Tags, in.Tags) &&
		slices.EqualFunc(d.PlanChecks, in.PlanChecks, PlanCheck.equal) && d.Status == status
}

// unchanged is r for a file that changes nothing in d. A draft says why
// it is one (screening the text is done only then).
func (b *Base) unchanged(r ImportResult, d Document) ImportResult {
	if d.Status == StatusDraft {
		d.Warnings = b.Screen(d.Title, d.Body)
	}
	return imported(r, d, ImportUnchanged)
}

// imported fills in r for d.
func imported(r ImportResult, d Document, action string) ImportResult {
	r.OK, r.Action, r.DocumentID, r.Title, r.Status, r.Version = true, action, &d.ID, d.Title, d.Status, d.Version
	if d.Status == StatusDraft {
		r.Warnings = d.Warnings
	}
	return r
}

// sameBody reports whether two bodies say the same: what import and export
// do to a body (line endings, the space around it) is no change.
func sameBody(a, b string) bool {
	clean := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return clean(a) == clean(b)
}

// findImported finds, and locks, the organization's document an import of
// key lands on: the one with that source key; else, for an id exported
// from a document written in the editor (its uuid), that document; else,
// so that an upgrade does not copy everything imported before keys
// existed, the oldest keyless document with the file's title, language and
// body (archived ones last), which the import then adopts. Never the starter
// pack's: its rows are visible to every organization, but not this one's.
func (b *Base) findImported(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, key string, in Input) (d Document, adopt, found bool, err error) {
	var id *uuid.UUID
	if u, err := uuid.Parse(key); err == nil {
		id = &u
	}
	// Each candidate by its own index (one OR of the two scanned).
	rows, _ := tx.Query(ctx, `SELECT `+docColumns+` FROM documents d
		WHERE d.org_id = $1 AND d.id = coalesce(
			(SELECT k.id FROM documents k WHERE k.org_id = $1 AND k.source_key = $2),
			(SELECT u.id FROM documents u WHERE u.org_id = $1 AND u.id = $3 AND u.source_key IS NULL))
		FOR UPDATE`, orgID, key, id)
	docs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Document])
	if err != nil {
		return Document{}, false, false, fmt.Errorf("import: %w", err)
	}
	if len(docs) == 1 {
		return docs[0], false, true, nil
	}
	rows, _ = tx.Query(ctx, `SELECT `+docColumns+` FROM documents d
		WHERE d.org_id = $1 AND d.source_key IS NULL AND d.title = $2 AND d.language = $3
		ORDER BY d.status = 'archived', d.created_at, d.id FOR UPDATE`, orgID, in.Title, in.Language)
	docs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Document])
	if err != nil {
		return Document{}, false, false, fmt.Errorf("import: %w", err)
	}
	for _, d := range docs {
		if sameBody(d.Body, in.Body) {
			return d, true, true, nil
		}
	}
	return Document{}, false, false, nil
}

// Export returns the caller's organization's documents (not the starter
// pack) as a zip of Markdown files with front matter, named by id.
func (b *Base) Export(ctx context.Context, tx pgx.Tx, w io.Writer) (int, error) {
	own := false
	zw := zip.NewWriter(w)
	n := 0
	for offset := 0; ; offset += 200 {
		docs, _, err := b.List(ctx, tx, ListOptions{Starter: &own, Limit: 200, Offset: offset})
		if err != nil {
			return n, err
		}
		for _, d := range docs {
			f, err := zw.Create(d.ID.String() + ".md")
			if err != nil {
				return n, err
			}
			if _, err := f.Write(d.Markdown()); err != nil {
				return n, err
			}
			n++
		}
		if len(docs) < 200 {
			break
		}
	}
	return n, zw.Close()
}
