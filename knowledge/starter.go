package knowledge

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
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
}

// SyncStarter makes the starter organization's documents those of the
// embedded starter pack: new files are added (published), changed ones get
// a new version, and documents no longer in the pack are removed. Running it
// again changes nothing. db must be scoped to StarterOrg.
func (b *Base) SyncStarter(ctx context.Context, db DB) (SyncStats, error) {
	files, err := StarterFiles()
	if err != nil {
		return SyncStats{}, fmt.Errorf("starter pack: %w", err)
	}
	var st SyncStats
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		st = SyncStats{}
		rows, _ := tx.Query(ctx, `SELECT `+docColumns+` FROM documents d
			WHERE d.org_id = '00000000-0000-0000-0000-000000000000' AND d.starter_key IS NOT NULL`)
		existing, err := pgx.CollectRows(rows, pgx.RowToStructByName[Document])
		if err != nil {
			return err
		}
		byKey := map[string]Document{}
		for _, d := range existing {
			byKey[*d.StarterKey] = d
		}
		for _, f := range files {
			in, _, err := ParseMarkdown(f.Data)
			if err != nil {
				return fmt.Errorf("starter pack %s: %w", f.Name, err)
			}
			d, ok := byKey[f.Name]
			delete(byKey, f.Name)
			switch {
			case !ok:
				d, err = b.Create(ctx, tx, StarterOrg, nil, in, StatusPublished)
				if err == nil {
					_, err = tx.Exec(ctx, `UPDATE documents SET starter_key = $2 WHERE org_id = $1 AND id = $3`, StarterOrg, f.Name, d.ID)
				}
				st.Added++
			case d.Title != in.Title || d.Body != in.Body || d.Language != in.Language ||
				!slices.Equal(d.Topics, in.Topics) || !slices.Equal(d.Tags, in.Tags):
				_, err = b.update(ctx, tx, d, nil, in)
				st.Updated++
			default:
				st.Unchanged++
			}
			if err != nil {
				return fmt.Errorf("starter pack %s: %w", f.Name, err)
			}
		}
		for key, d := range byKey {
			if path.Dir(key) == "." {
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM documents WHERE org_id = $1 AND id = $2`, StarterOrg, d.ID); err != nil {
				return err
			}
			st.Removed++
		}
		return nil
	})
	return st, err
}
