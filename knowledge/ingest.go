package knowledge

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.yaml.in/yaml/v3"
)

// frontMatter is the YAML block at the top of an imported or exported
// Markdown file.
type frontMatter struct {
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
// lang, topics, tags and optionally status) into an Input.
func ParseMarkdown(data []byte) (Input, Status, error) {
	if !utf8.Valid(data) {
		return Input{}, "", fmt.Errorf("%w: not UTF-8 text", ErrInvalid)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return Input{}, "", fmt.Errorf("%w: the file contains a NUL character", ErrInvalid)
	}
	s := strings.TrimPrefix(strings.ReplaceAll(string(data), "\r\n", "\n"), "\ufeff")
	if !strings.HasPrefix(s, "---\n") {
		return Input{}, "", fmt.Errorf("%w: no front matter (the file must start with a --- line)", ErrInvalid)
	}
	end := strings.Index(s[4:], "\n---")
	if end < 0 {
		return Input{}, "", fmt.Errorf("%w: the front matter is not closed with a --- line", ErrInvalid)
	}
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(s[4:4+end]), &fm); err != nil {
		return Input{}, "", fmt.Errorf("%w: front matter: %v", ErrInvalid, err)
	}
	body := s[4+end+4:]
	body = strings.TrimPrefix(strings.TrimLeft(body, "-"), "\n")
	in := Input{Title: fm.Title, Body: strings.TrimSpace(body) + "\n", Language: cmpOr(fm.Lang, fm.Language), Topics: fm.Topics, Tags: fm.Tags,
		PlanChecks: fm.PlanChecks}
	if err := in.check(); err != nil {
		return Input{}, "", err
	}
	status := Status(fm.Status)
	switch status {
	case "", StatusDraft, StatusPublished, StatusArchived:
	default:
		return Input{}, "", fmt.Errorf("%w: status %q is not draft, published or archived", ErrInvalid, fm.Status)
	}
	return in, status, nil
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
	fm := frontMatter{Title: d.Title, Lang: d.Language, Topics: d.Topics, Tags: d.Tags, Status: string(d.Status), PlanChecks: d.PlanChecks}
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
	Name string
	Data []byte
}

// ImportResult reports what happened to one file.
type ImportResult struct {
	Name       string     `json:"name"`
	OK         bool       `json:"ok"`
	DocumentID *uuid.UUID `json:"document_id,omitempty"`
	Title      string     `json:"title,omitempty"`
	Status     Status     `json:"status,omitempty"`
	// Warnings: the file asked to be published but holds text written
	// for the model, so it was saved as a draft for a curator to check.
	Warnings []Warning `json:"warnings,omitempty"`
	Error    string    `json:"error,omitempty"`
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
			files = append(files, File{Name: f.Name}) // reported as too large by Import
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
		files = append(files, File{Name: f.Name, Data: b})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

func isMarkdown(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".md" || ext == ".markdown"
}

// Import adds each file to orgID as a new document (a draft unless its
// front matter says otherwise). A bad file is reported with its reason and
// skipped; the others go in. Each file is saved in its own savepoint, so a
// failure leaves no half-written document.
func (b *Base) Import(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, author *uuid.UUID, files []File) []ImportResult {
	results := make([]ImportResult, 0, len(files))
	for _, f := range files {
		r := ImportResult{Name: f.Name}
		if len(f.Data) == 0 {
			r.Error = "empty or larger than 1 MB"
			results = append(results, r)
			continue
		}
		in, status, err := ParseMarkdown(f.Data)
		if err == nil {
			var d Document
			err = pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
				var err error
				d, err = b.Create(ctx, sp, orgID, author, in, status)
				return err
			})
			if err == nil {
				r.OK, r.DocumentID, r.Title, r.Status, r.Warnings = true, &d.ID, d.Title, d.Status, d.Warnings
			}
		}
		if err != nil {
			r.Error = strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
		}
		results = append(results, r)
	}
	return results
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
