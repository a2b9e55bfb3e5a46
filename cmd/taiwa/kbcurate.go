package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// kbFlags is the flag set every kb command starts from: where the database
// is and which models to use.
type kbFlags struct {
	*flagSet
	db  dbConfig
	llm llmConfig
}

func newKBFlags(name, synopsis string, getenv func(string) string, stderr io.Writer) *kbFlags {
	f := &kbFlags{flagSet: newFlagSet("taiwa kb "+name, synopsis, getenv, stderr)}
	f.db.register(f.flagSet)
	f.llm.register(f.flagSet)
	return f
}

// parse parses args and checks the database and model settings.
func (f *kbFlags) parse(args []string) error {
	if err := f.flagSet.parse(args); err != nil {
		return err
	}
	if err := f.db.validate(); err != nil {
		return err
	}
	return f.llm.validate()
}

// kbOrgCommand runs a curation command in one organization: it parses the
// flags (with -org), opens the knowledge base and calls fn with the
// organization's scope.
func kbOrgCommand(ctx context.Context, f *kbFlags, args []string, stderr io.Writer,
	fn func(db *database, kb *knowledge.Base, orgID uuid.UUID) error) error {
	org := f.String("org", "", "organization `id` (required; see 'taiwa admin orgs list')")
	if err := f.parse(args); err != nil {
		return err
	}
	orgID, err := parseUUID("org", *org)
	if err != nil {
		return err
	}
	db, kb, err := openKB(ctx, f.db, f.llm, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkOrg(ctx, db, orgID); err != nil {
		return err
	}
	return fn(db, kb, orgID)
}

// checkOrg fails for an organization that does not exist: its scope would
// see only the starter pack, and a typo'd id would list, search or import
// as if it were right.
func checkOrg(ctx context.Context, db *database, orgID uuid.UUID) error {
	err := db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) error {
		_, err := tenant.GetOrg(ctx, tx, orgID)
		return err
	})
	if errors.Is(err, tenant.ErrNotFound) {
		return fmt.Errorf("no organization %s (see 'taiwa admin orgs list')", orgID)
	}
	return err
}

func kbList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newKBFlags("list", "taiwa kb list -org ID [flags]\n\nLists the organization's guidance and the starter pack.", getenv, stderr)
	topic := f.String("topic", "", "only this `topic`")
	status := f.String("status", "", "only this `status`: draft, published or archived")
	lang := f.String("language", "", "only this `language`: ja or en")
	text := f.String("q", "", "only documents containing this `text`")
	return kbOrgCommand(ctx, f, args, stderr, func(db *database, kb *knowledge.Base, orgID uuid.UUID) error {
		var docs []knowledge.Document
		var total int
		err := db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) (err error) {
			docs, total, err = kb.List(ctx, tx, knowledge.ListOptions{Topic: *topic, Status: knowledge.Status(*status), Language: *lang, Text: *text, Limit: 200})
			return err
		})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tLANG\tVERSION\tSOURCE\tTITLE")
		for _, d := range docs {
			source := "own"
			if d.Starter {
				source = "starter"
				if d.Hidden {
					source = "starter (hidden)"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Status, d.Language, d.Version, source, d.Title)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if total > len(docs) {
			fmt.Fprintf(stdout, "(%d of %d shown; narrow with -topic, -status, -language or -q)\n", len(docs), total)
		}
		return nil
	})
}

func kbSearch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newKBFlags("search", "taiwa kb search -org ID [flags] QUERY...\n\n"+
		"Searches published guidance as the organization's managers would, and shows each\n"+
		"retriever's score.", getenv, stderr)
	lang := f.String("language", "", "only this `language`: ja or en")
	k := f.Int("k", 5, "`results` to show")
	return kbOrgCommand(ctx, f, args, stderr, func(db *database, kb *knowledge.Base, orgID uuid.UUID) error {
		q := strings.Join(f.Args(), " ")
		if q == "" {
			return usagef("kb search: give a query")
		}
		res, err := kb.Search(ctx, db.OrgScope(orgID), knowledge.Query{Text: q, Language: *lang, K: *k})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "retrievers: %s\n", strings.Join(res.Retrievers, ", "))
		if len(res.Hits) == 0 {
			fmt.Fprintln(stdout, "no guidance in the knowledge base answers this")
		}
		for i, h := range res.Hits {
			fmt.Fprintf(stdout, "\n%d. %s > %s  (rrf %.4f", i+1, h.Title, strings.Join(h.HeadingPath, " > "), h.Score)
			if h.Lexical != nil {
				fmt.Fprintf(stdout, ", bm25 %.2f #%d, coverage %.2f", *h.Lexical, *h.LexicalRank, *h.Coverage)
			}
			if h.Dense != nil {
				fmt.Fprintf(stdout, ", cosine %.3f #%d", *h.Dense, *h.DenseRank)
			}
			fmt.Fprintf(stdout, ")\n   %s\n", strings.ReplaceAll(h.Text, "\n", "\n   "))
		}
		return nil
	})
}

// kbUpdate saves a Markdown file (with front matter) as the next version of
// a document: the command-line way to edit guidance.
func kbUpdate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newKBFlags("update", "taiwa kb update -org ID -doc ID FILE.md\n\n"+
		"Saves FILE.md (YAML front matter: title, lang, topics, tags) as the next version of the\n"+
		"document. 'taiwa kb export' writes a document's current version to start from.", getenv, stderr)
	doc := f.String("doc", "", "document `id` (required)")
	return kbOrgCommand(ctx, f, args, stderr, func(db *database, kb *knowledge.Base, orgID uuid.UUID) error {
		id, err := parseUUID("doc", *doc)
		if err != nil {
			return err
		}
		if f.NArg() != 1 {
			return usagef("kb update: give exactly one Markdown file")
		}
		data, err := os.ReadFile(f.Arg(0))
		if err != nil {
			return err
		}
		in, _, err := knowledge.ParseMarkdown(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Arg(0), err)
		}
		var d knowledge.Document
		err = db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) (err error) {
			d, err = kb.Update(ctx, tx, id, nil, in, 0)
			return err
		})
		if err != nil {
			return err
		}
		kb.EmbedDocument(ctx, db.OrgScope(orgID), d.ID)
		fmt.Fprintf(stdout, "%s saved as version %d (%s)\n", d.Title, d.Version, d.Status)
		return nil
	})
}

// kbSetStatus publishes, unpublishes or archives documents.
func kbSetStatus(status knowledge.Status) func(context.Context, []string, func(string) string, io.Writer, io.Writer) error {
	verb := map[knowledge.Status]string{knowledge.StatusPublished: "publish", knowledge.StatusDraft: "unpublish", knowledge.StatusArchived: "archive"}[status]
	return func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		f := newKBFlags(verb, "taiwa kb "+verb+" -org ID [-confirm] DOC_ID...", getenv, stderr)
		confirm := f.Bool("confirm", false, "publish even a document flagged for text written for the model")
		return kbOrgCommand(ctx, f, args, stderr, func(db *database, kb *knowledge.Base, orgID uuid.UUID) error {
			if f.NArg() == 0 {
				return usagef("kb %s: give one or more document ids", verb)
			}
			for _, a := range f.Args() {
				id, err := parseUUID("doc", a)
				if err != nil {
					return err
				}
				var d knowledge.Document
				err = db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) (err error) {
					d, err = kb.SetStatus(ctx, tx, id, nil, status, *confirm)
					return err
				})
				if err != nil {
					return fmt.Errorf("%s: %w", a, err)
				}
				fmt.Fprintf(stdout, "%s  %s (version %d)\n", d.Status, d.Title, d.Version)
			}
			return nil
		})
	}
}

// kbExport writes a document as Markdown with front matter, or, with no
// document, all the organization's documents as a zip.
func kbExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newKBFlags("export", "taiwa kb export -org ID [-doc ID] > FILE\n\n"+
		"Writes one document as Markdown with front matter, or all the organization's own\n"+
		"documents as a zip of them.", getenv, stderr)
	doc := f.String("doc", "", "document `id`; without it, all documents as a zip")
	return kbOrgCommand(ctx, f, args, stderr, func(db *database, kb *knowledge.Base, orgID uuid.UUID) error {
		return db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) error {
			if *doc == "" {
				_, err := kb.Export(ctx, tx, stdout)
				return err
			}
			id, err := parseUUID("doc", *doc)
			if err != nil {
				return err
			}
			d, err := kb.Get(ctx, tx, id)
			if err != nil {
				return err
			}
			_, err = stdout.Write(d.Markdown())
			return err
		})
	})
}
