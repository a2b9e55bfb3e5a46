package insights

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// DocumentUse is what one published document did for the coach over a
// period: how many answers were given its passages and cited them, the
// thumbs on the answers that cited it, and managers' comments on those.
type DocumentUse struct {
	ID        uuid.UUID      `json:"id"`
	Title     string         `json:"title"`
	Language  string         `json:"language"`
	Topics    []string       `json:"topics"`
	Starter   bool           `json:"starter"`
	Retrieved int            `json:"retrieved"`
	Cited     int            `json:"cited"`
	Helpful   int            `json:"helpful"`
	Unhelpful int            `json:"unhelpful"`
	LastUsed  *time.Time     `json:"last_used"`
	Passages  []PassageUse   `json:"passages"`
	Comments  []GuidanceNote `json:"comments"`
}

// PassageUse is one passage of a document and how often answers were given
// it and cited it.
type PassageUse struct {
	ChunkID     uuid.UUID `json:"chunk_id"`
	HeadingPath []string  `json:"heading_path"`
	Retrieved   int       `json:"retrieved"`
	Cited       int       `json:"cited"`
}

// GuidanceNote is a manager's comment on an answer that cited a document,
// as saved (masked), with its month and thumb only.
type GuidanceNote struct {
	Month   string `json:"month"`
	Helpful bool   `json:"helpful"`
	Comment string `json:"comment"`
}

// GuidanceReport is the curators' view of the knowledge base: every
// published document the organization's managers can be given (its own
// and the starter pack's not hidden), most used first; the ones never
// given come last with zeros.
type GuidanceReport struct {
	Days      int           `json:"days"`
	Documents []DocumentUse `json:"documents"`
}

// MaxDays is how far back the guidance view reaches.
const MaxDays = 365

// Guidance returns the curators' view over the last days.
func Guidance(ctx context.Context, tx pgx.Tx, days int) (GuidanceReport, error) {
	if days < 1 || days > MaxDays {
		return GuidanceReport{}, fmt.Errorf("%w: days is 1 to %d", ErrInvalid, MaxDays)
	}
	rows, _ := tx.Query(ctx, `
		SELECT d.id, d.title, d.language, d.topics, d.org_id <> $1
		FROM documents d
		WHERE d.status = 'published'
		  AND NOT EXISTS (SELECT FROM kb_hidden h WHERE h.document_id = d.id)`, uuid.Nil)
	docs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DocumentUse, error) {
		var d DocumentUse
		var own bool
		err := r.Scan(&d.ID, &d.Title, &d.Language, &d.Topics, &own)
		d.Starter, d.Passages, d.Comments = !own, []PassageUse{}, []GuidanceNote{}
		return d, err
	})
	if err != nil {
		return GuidanceReport{}, fmt.Errorf("guidance view: %w", err)
	}
	byID := map[uuid.UUID]*DocumentUse{}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}

	// Rows per passage, and per document (no chunk): an answer counts
	// once per document, however many of its passages it was given.
	rows, err = tx.Query(ctx, `
		SELECT g.document_id, g.chunk_id, coalesce(c.heading_path, '{}'), g.retrieved, g.cited, g.helpful, g.unhelpful, g.last_used
		FROM insights_guidance($1) g
		LEFT JOIN chunks c ON c.id = g.chunk_id`, days)
	if err != nil {
		return GuidanceReport{}, denied(err)
	}
	for rows.Next() {
		var (
			docID    uuid.UUID
			chunkID  *uuid.UUID
			p        PassageUse
			up, down int
			last     time.Time
		)
		if err := rows.Scan(&docID, &chunkID, &p.HeadingPath, &p.Retrieved, &p.Cited, &up, &down, &last); err != nil {
			rows.Close()
			return GuidanceReport{}, err
		}
		d := byID[docID]
		switch {
		case d == nil: // since unpublished or hidden
		case chunkID != nil:
			p.ChunkID = *chunkID
			d.Passages = append(d.Passages, p)
		default:
			d.Retrieved, d.Cited, d.Helpful, d.Unhelpful, d.LastUsed = p.Retrieved, p.Cited, up, down, &last
		}
	}
	if err := denied(rows.Err()); err != nil {
		return GuidanceReport{}, err
	}

	rows, err = tx.Query(ctx, `SELECT document_id, month, helpful, comment FROM insights_guidance_comments($1, 5)`, days)
	if err != nil {
		return GuidanceReport{}, denied(err)
	}
	for rows.Next() {
		var (
			docID uuid.UUID
			month time.Time
			n     GuidanceNote
		)
		if err := rows.Scan(&docID, &month, &n.Helpful, &n.Comment); err != nil {
			rows.Close()
			return GuidanceReport{}, err
		}
		n.Month = month.Format("2006-01")
		if d := byID[docID]; d != nil {
			d.Comments = append(d.Comments, n)
		}
	}
	if err := denied(rows.Err()); err != nil {
		return GuidanceReport{}, err
	}
	for i := range docs {
		slices.SortFunc(docs[i].Passages, func(a, b PassageUse) int { return b.Retrieved - a.Retrieved })
	}
	slices.SortFunc(docs, func(a, b DocumentUse) int {
		return cmp.Or(b.Retrieved-a.Retrieved, b.Cited-a.Cited, strings.Compare(a.Title, b.Title))
	})
	return GuidanceReport{Days: days, Documents: docs}, nil
}
