package knowledge

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"

	"github.com/jackc/pgx/v5"
)

// starterFS is the starter pack: original guidance written for Taiwa,
// shared read-only by every organization.
//
//go:embed starter
var starterFS embed.FS

// StarterFiles returns the starter pack's Markdown files, named like
// "ja/listening-not-silent-nodding.md".
func StarterFiles() ([]File, error) {
	var files []File
	err := fs.WalkDir(starterFS, "starter", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isMarkdown(p) {
			return err
		}
		b, err := starterFS.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, File{Name: p[len("starter/"):], Data: b})
		return nil
	})
	return files, err
}

// SyncStats says what SyncStarter changed.
type SyncStats struct {
	Added, Updated, Removed, Unchanged int
	Thesaurus                          ThesaurusImport
}

// SyncStarter makes the starter organization's documents those of the
// embedded starter pack: new files are added (published), changed ones get
// a new version, and documents no longer in the pack are removed. Running it
// again changes nothing. Each document is its own short transaction, so a
// server can answer requests while it runs (PGlite has one connection), and
// an advisory lock keeps two servers starting at once from adding a file
// twice. db must be scoped to StarterOrg.
func (b *Base) SyncStarter(ctx context.Context, db DB) (SyncStats, error) {
	files, err := StarterFiles()
	if err != nil {
		return SyncStats{}, fmt.Errorf("starter pack: %w", err)
	}
	var st SyncStats
	keys := make([]string, 0, len(files))
	for _, f := range files {
		in, _, err := ParseMarkdown(f.Data)
		if err != nil {
			return st, fmt.Errorf("starter pack %s: %w", f.Name, err)
		}
		keys = append(keys, f.Name)
		err = db.InTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('taiwa.starter'))`); err != nil {
				return err
			}
			rows, _ := tx.Query(ctx, `SELECT `+docColumns+` FROM documents d
				WHERE d.org_id = '00000000-0000-0000-0000-000000000000' AND d.starter_key = $1`, f.Name)
			existing, err := pgx.CollectRows(rows, pgx.RowToStructByName[Document])
			if err != nil {
				return err
			}
			if len(existing) == 0 {
				d, err := b.Create(ctx, tx, StarterOrg, nil, in, StatusPublished)
				if err != nil {
					return err
				}
				st.Added++
				_, err = tx.Exec(ctx, `UPDATE documents SET starter_key = $2 WHERE org_id = $1 AND id = $3`, StarterOrg, f.Name, d.ID)
				return err
			}
			d := existing[0]
			if d.Title == in.Title && d.Body == in.Body && d.Language == in.Language &&
				slices.Equal(d.Topics, in.Topics) && slices.Equal(d.Tags, in.Tags) && slices.EqualFunc(d.PlanChecks, in.PlanChecks, PlanCheck.equal) {
				st.Unchanged++
				return nil
			}
			st.Updated++
			_, err = b.update(ctx, tx, d, nil, in, d.Status, nil)
			return err
		})
		if err != nil {
			return st, fmt.Errorf("starter pack %s: %w", f.Name, err)
		}
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM documents WHERE org_id = '00000000-0000-0000-0000-000000000000'
			AND starter_key IS NOT NULL AND NOT starter_key = ANY ($1)`, keys)
		st.Removed = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return st, fmt.Errorf("starter pack: %w", err)
	}
	// The thesaurus after the documents: its expansions are weighed by the
	// IDF of the pack's terms.
	rules, err := starterFS.ReadFile("starter/thesaurus.txt")
	if err != nil {
		return st, fmt.Errorf("starter thesaurus: %w", err)
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('taiwa.starter'))`); err != nil {
			return err
		}
		st.Thesaurus, err = b.ImportThesaurus(ctx, tx, StarterOrg, nil, string(rules), true)
		if err != nil {
			return err
		}
		// The pack's retrieval questions name its documents by key.
		return b.syncStarterChecks(ctx, tx)
	})
	if err != nil {
		return st, fmt.Errorf("starter thesaurus: %w", err)
	}
	return st, nil
}
