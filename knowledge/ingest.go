package knowledge

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
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
// importing both would make one document hold whichever came last. Each
// file is saved in its own savepoint, so a failure leaves no half-written
// document. The error is for the database failing, not a file.
func (b *Base) Import(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, files []File, opt ImportOptions) ([]ImportResult, error) {
	results := make([]ImportResult, 0, len(files))
	taken := opt.Taken // key -> the file that took it
	if taken == nil {
		taken = map[string]string{}
	}
	for _, f := range files {
		r := ImportResult{Name: f.Name}
		if len(f.Data) == 0 {
			r.Error = "empty or larger than 1 MB"
			results = append(results, r)
			continue
		}
		p, err := parseMarkdown(f.Data)
		if err == nil {
			r.Key = cmp.Or(p.id, pathKey(cmp.Or(f.Path, f.Name)))
			switch n := utf8.RuneCountInString(r.Key); {
			case n == 0:
				err = fmt.Errorf("%w: the file has no name; give it an id in its front matter", ErrInvalid)
			case n > maxKeyLen:
				err = fmt.Errorf("%w: the path is longer than %d characters; give the file an id in its front matter", ErrInvalid, maxKeyLen)
			}
		}
		if first, dup := taken[r.Key]; err == nil && dup {
			r.DuplicateOf = first
			err = fmt.Errorf("%w: %s has the same key (%q, its id or path) and was imported instead: give each file its own id", ErrInvalid, first, r.Key)
		}
		if err == nil {
			err = pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
				var err error
				r, err = b.importFile(ctx, sp, orgID, r, p, opt)
				return err
			})
		}
		switch {
		case err == nil:
			taken[r.Key] = f.Name
		case errors.Is(err, ErrInvalid) || errors.Is(err, ErrConflict):
			r.Error = strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "), ErrConflict.Error()+": ")
		default:
			return results, fmt.Errorf("import %s: %w", f.Name, err)
		}
		results = append(results, r)
	}
	return results, nil
}

// importFile saves one parsed file under r.Key and fills in r.
func (b *Base) importFile(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, r ImportResult, p parsed, opt ImportOptions) (ImportResult, error) {
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
		d, err = b.create(ctx, tx, orgID, opt.Author, p.in, status, &key)
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
	in := p.in
	status := cmp.Or(p.status, d.Status)
	sameText := d.Title == in.Title && sameBody(d.Body, in.Body)
	// The rule publishing follows: text that reads as written for the model
	// goes live only when a curator confirms it. Text already live was
	// confirmed; new text or a document going live waits as a draft.
	if status == StatusPublished && !(d.Status == StatusPublished && sameText) && len(b.Screen(in.Title, in.Body)) > 0 {
		status = StatusDraft
	}
	if sameText && d.Language == in.Language && slices.Equal(d.Topics, in.Topics) && slices.Equal(d.Tags, in.Tags) &&
		slices.EqualFunc(d.PlanChecks, in.PlanChecks, PlanCheck.equal) && d.Status == status {
		d.Warnings = b.Screen(d.Title, d.Body)
		return imported(r, d, ImportUnchanged), nil
	}
	if d, err = b.update(ctx, tx, d, opt.Author, in, status); err != nil {
		return r, err
	}
	return imported(r, d, ImportUpdated), nil
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
	rows, _ := tx.Query(ctx, `SELECT `+docColumns+` FROM documents d
		WHERE d.org_id = $1 AND (d.source_key = $2 OR d.source_key IS NULL AND d.id = $3)
		ORDER BY d.source_key IS NULL LIMIT 1 FOR UPDATE`, orgID, key, id)
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
