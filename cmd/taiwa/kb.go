package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/knowledge"
)

const kbHelp = `Usage: taiwa kb <command> [flags]

Commands:

	import     import Markdown files (with YAML front matter), folders of them, or zips
	list       list guidance
	search     search published guidance, with each retriever's score ("try a query")
	update     save a Markdown file as the next version of a document
	publish    publish documents
	unpublish  put documents back to draft
	archive    archive documents
	export     write a document as Markdown, or all of them as a zip
	reembed    embed every chunk that has no vector for TAIWA_EMBED_MODEL, and index them

'taiwa kb <command> -h' lists the flags of each.
`

func runKB(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, kbHelp)
		if len(args) == 0 {
			return usagef("kb: missing command")
		}
		return nil
	}
	cmd, ok := map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
		"import":    kbImport,
		"list":      kbList,
		"search":    kbSearch,
		"update":    kbUpdate,
		"publish":   kbSetStatus(knowledge.StatusPublished),
		"unpublish": kbSetStatus(knowledge.StatusDraft),
		"archive":   kbSetStatus(knowledge.StatusArchived),
		"export":    kbExport,
		"reembed":   kbReembed,
	}[args[0]]
	if !ok {
		return usagef("kb: unknown command %q (try 'taiwa kb help')", args[0])
	}
	return cmd(ctx, args[1:], getenv, stdout, stderr)
}

// openKB opens the database (migrated) and the knowledge base.
func openKB(ctx context.Context, dbc dbConfig, llm llmConfig, stderr io.Writer) (*database, *knowledge.Base, error) {
	logger := newLogger(stderr, "text", "warn")
	db, err := openDB(ctx, dbc, logger)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx, nil); err != nil {
		db.Close()
		return nil, nil, err
	}
	analyzer, err := knowledge.NewAnalyzer()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, knowledge.New(logger, analyzer, newModels(llm, logger, nil).embedder()), nil
}

func kbImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newKBFlags("import", "taiwa kb import [flags] PATH...\n\n"+
		"Imports Markdown files with YAML front matter (id, title, lang, topics, tags, status),\n"+
		"folders of them and zip archives into an organization. Each file is found again by\n"+
		"its id, else by its path inside the folder or zip (a file given by itself: its name):\n"+
		"a new one is created, a changed one is saved as a new version of its document, and\n"+
		"an unchanged one is left as it is, so an import can be run again. A bad file, or a\n"+
		"second file with the same id or path, is reported and skipped; the others go in.\n"+
		"With -starter, (re)loads the built-in starter pack.", getenv, stderr)
	org := fs.String("org", "", "organization `id` to import into (see 'taiwa admin orgs list')")
	starter := fs.Bool("starter", false, "load the built-in starter pack (shared by all organizations)")
	publish := fs.Bool("publish", false, "publish the documents it creates whose front matter sets no status\n(documents already there keep theirs unless their file sets one)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if !*starter && (fs.NArg() == 0 || *org == "") {
		return usagef("kb import: give -org and one or more paths, or -starter")
	}
	var files []knowledge.File
	var problems []string
	if fs.NArg() > 0 {
		if _, err := parseUUID("org", *org); err != nil {
			return err
		}
		files, problems = collectFiles(fs.Args())
	}
	db, kb, err := openKB(ctx, fs.db, fs.llm, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	if *starter {
		st, err := kb.SyncStarter(ctx, db.OrgScope(knowledge.StarterOrg))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "starter pack: %d added, %d updated, %d removed, %d unchanged; thesaurus: %d rules added, %d removed\n",
			st.Added, st.Updated, st.Removed, st.Unchanged, st.Thesaurus.Added, st.Thesaurus.Removed)
		kb.EmbedMissing(ctx, db.OrgScope(knowledge.StarterOrg), nil)
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "%-10s %s\n", "skipped", p)
	}
	if len(files) == 0 {
		if len(problems) > 0 {
			return fmt.Errorf("nothing imported: %d file(s) skipped", len(problems))
		}
		return nil
	}
	orgID, _ := parseUUID("org", *org)
	if err := checkOrg(ctx, db, orgID); err != nil {
		return err
	}
	count, failed, err := importBatches(ctx, kb, db.OrgScope(orgID), orgID, files, *publish, stdout, stderr)
	if err != nil {
		return err
	}
	ok := count[knowledge.ImportCreated] + count[knowledge.ImportUpdated] + count[knowledge.ImportUnchanged]
	failed += len(problems)
	fmt.Fprintf(stdout, "%d created, %d updated, %d unchanged, %d skipped\n",
		count[knowledge.ImportCreated], count[knowledge.ImportUpdated], count[knowledge.ImportUnchanged], failed)
	if _, on := kb.Embedding(); on && ok > count[knowledge.ImportUnchanged] {
		if _, err := kb.EmbedMissing(ctx, db.OrgScope(orgID), nil); err != nil {
			fmt.Fprintf(stderr, "embedding: %v (run 'taiwa kb reembed' to retry)\n", err)
		}
	}
	if ok == 0 {
		return fmt.Errorf("nothing imported: %d file(s) skipped", failed)
	}
	return nil
}

// importBatch is how many files one transaction of 'kb import' holds.
const importBatch = 100

// importBatches imports files a batch at a time, each batch in its own
// transaction, printing each file's result and, on stderr, the progress.
// An import cut short keeps the batches it committed; run again, it finds
// those documents unchanged and goes on. It returns the count of each
// action and of files skipped.
func importBatches(ctx context.Context, kb *knowledge.Base, db knowledge.DB, orgID uuid.UUID, files []knowledge.File, publish bool, stdout, stderr io.Writer) (map[string]int, int, error) {
	count := map[string]int{}
	failed := 0
	opt := knowledge.ImportOptions{Publish: publish, Taken: map[string]string{}}
	start := time.Now()
	for i := 0; i < len(files); i += importBatch {
		batch := files[i:min(i+importBatch, len(files))]
		var results []knowledge.ImportResult
		err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
			results, err = kb.Import(ctx, tx, orgID, batch, opt)
			return err
		})
		if err != nil {
			return count, failed, fmt.Errorf("%w (the %d files before %s are imported; run the same command again to go on)", err, i, batch[0].Name)
		}
		for _, r := range results {
			if !r.OK {
				failed++
				fmt.Fprintf(stdout, "%-10s %s: %s\n", "skipped", r.Name, r.Error)
				continue
			}
			count[r.Action]++
			var note string
			if r.Action == knowledge.ImportUpdated {
				note = fmt.Sprintf(", version %d", r.Version)
			}
			if r.Status != knowledge.StatusPublished {
				note += ", " + string(r.Status)
			}
			fmt.Fprintf(stdout, "%-10s %s -> %s (%s%s)\n", r.Action, r.Name, r.Title, r.DocumentID, note)
		}
		if len(files) > importBatch {
			done := i + len(batch)
			fmt.Fprintf(stderr, "imported %d of %d files (%d%%) in %s\n", done, len(files), 100*done/len(files), time.Since(start).Round(time.Second))
		}
	}
	return count, failed, nil
}

// collectFiles reads the Markdown files and zips named by paths (walking
// folders). Unreadable or unsupported paths are returned as problems. Each
// file's Path, its key when it has no id, is where it sits in what was
// named: its path inside the folder or the zip, or for a file named by
// itself its name, as a browser uploads it. So the same file imported from
// the folder, by itself, in a zip or through the UI is one document.
func collectFiles(paths []string) ([]knowledge.File, []string) {
	var files []knowledge.File
	var problems []string
	add := func(p, rel string) {
		data, err := os.ReadFile(p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p, err))
			return
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".zip":
			zf, err := knowledge.ExpandZip(data)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", p, err))
				return
			}
			for _, f := range zf {
				files = append(files, knowledge.File{Name: p + "/" + f.Name, Path: f.Path, Data: f.Data})
			}
		case ".md", ".markdown":
			files = append(files, knowledge.File{Name: p, Path: filepath.ToSlash(rel), Data: data})
		default:
			problems = append(problems, p+": not a Markdown file (.md) or a zip")
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		if !info.IsDir() {
			add(p, filepath.Base(p))
			continue
		}
		var found []string
		filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if ext := strings.ToLower(filepath.Ext(q)); ext == ".md" || ext == ".markdown" || ext == ".zip" {
					found = append(found, q)
				}
			}
			return nil
		})
		sort.Strings(found)
		for _, q := range found {
			rel, err := filepath.Rel(p, q)
			if err != nil {
				rel = q
			}
			add(q, rel)
		}
	}
	return files, problems
}

func kbReembed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newKBFlags("reembed", "taiwa kb reembed [flags]\n\n"+
		"Embeds every chunk, of every organization and of the starter pack, that has no vector\n"+
		"for the configured model (TAIWA_EMBED_MODEL), then creates that model's vector index.\n"+
		"Switching models is: set the new model, run this, restart the server. Until then the\n"+
		"old model's vectors keep serving.", getenv, stderr)
	if err := fs.parse(args); err != nil {
		return err
	}
	llm := fs.llm
	if llm.EmbedModel == "" {
		return usagef("kb reembed: set TAIWA_EMBED_MODEL (and OPENAI_BASE_URL or OPENAI_API_KEY)")
	}
	db, kb, err := openKB(ctx, fs.db, llm, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	bar := newProgress(stdout, "embedding")
	n, err := kb.EmbedMissing(ctx, db.Operator(), bar.update)
	bar.done()
	if err != nil {
		return fmt.Errorf("after %d chunk(s): %w", n, err)
	}
	dims, err := kb.EnsureIndex(ctx, db.Pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d chunk(s) embedded with %s (%d dimensions); vector index ready\n", n, llm.EmbedModel, dims)
	return nil
}

// progress shows a bar on a terminal and a plain line every few seconds
// otherwise (logs, CI).
type progress struct {
	w     io.Writer
	label string
	tty   bool
	last  time.Time
	shown bool
}

func newProgress(w io.Writer, label string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, label: label, tty: tty}
}

func (p *progress) update(done, total int) {
	if total == 0 {
		return
	}
	if p.tty {
		const width = 30
		n := done * width / total
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
		p.shown = true
		return
	}
	if done == total || time.Since(p.last) > 2*time.Second {
		fmt.Fprintf(p.w, "%s: %d/%d chunks\n", p.label, done, total)
		p.last = time.Now()
	}
}

func (p *progress) done() {
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}
