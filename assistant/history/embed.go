package history

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
)

// Embedder turns texts into vectors with one model.
type Embedder interface {
	Model() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// DB runs a function in a transaction scoped to the manager.
type DB interface {
	InTx(ctx context.Context, fn func(tx pgx.Tx) error) error
}

// sessionText is what is embedded of a session: the member's request and
// the manager's notes, both already masked. Its hash, computed by the
// database from the same expression, tells when a vector is stale.
const sessionText = `concat_ws(E'\n', nullif(s.request_text, ''), nullif(s.notes, ''))`

const embedBatch = 32

// ErrEmbedBusy means another job is embedding the member's notes for the
// same model; try again once it is done.
var ErrEmbedBusy = errors.New("another job is embedding this member's notes")

// embedLease is how long a job holds a member's notes without renewing
// its lease: longer than one batch's embedding call, short enough that
// the notes of a job whose process died are taken up again soon.
const embedLease = 3 * time.Minute

// EmbedSessions brings the vectors of a member's session texts up to date
// for emb's model and returns how many it wrote. The embedding call runs
// between two short transactions, never inside one: a vector is written
// only if the text it was made from is still the session's text. One job
// embeds a member's notes at a time (a lease, renewed with each batch);
// a second gets ErrEmbedBusy rather than embedding them again.
func (s *Store) EmbedSessions(ctx context.Context, db DB, emb Embedder, memberID uuid.UUID) (written int, err error) {
	model, holder := emb.Model(), uuid.New()
	defer func() {
		// Released even when ctx is done: the next job should not wait for
		// the lease to expire.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		rerr := db.InTx(ctx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM notes_embedding_leases WHERE member_id = $1 AND model = $2 AND holder = $3`, memberID, model, holder)
			return err
		})
		if rerr != nil && err == nil {
			err = fmt.Errorf("embed sessions: release: %w", rerr)
		}
	}()
	for {
		type pending struct {
			ID   uuid.UUID
			Text anonymize.Text
			Hash []byte
		}
		var todo []pending
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			if err := claimNotes(ctx, tx, memberID, model, holder); err != nil {
				return err
			}
			rows, _ := tx.Query(ctx, `SELECT s.id, `+sessionText+`, sha256(convert_to(`+sessionText+`, 'UTF8'))
				FROM sessions s
				LEFT JOIN session_embeddings e ON e.session_id = s.id AND e.model = $2
				WHERE s.member_id = $1 AND `+sessionText+` <> ''
				  AND (e.session_id IS NULL OR e.content_hash <> sha256(convert_to(`+sessionText+`, 'UTF8')))
				ORDER BY s.id LIMIT $3`, memberID, model, embedBatch)
			var err error
			todo, err = pgx.CollectRows(rows, pgx.RowToStructByPos[pending])
			return err
		})
		if errors.Is(err, errNoMember) {
			return written, nil
		}
		if err != nil {
			return written, fmt.Errorf("embed sessions: %w", err)
		}
		if len(todo) == 0 {
			return written, nil
		}
		texts := make([]string, len(todo))
		for i, p := range todo {
			texts[i] = p.Text.String()
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return written, fmt.Errorf("embed sessions: %w", err)
		}
		n := 0
		err = db.InTx(ctx, func(tx pgx.Tx) error {
			for i, p := range todo {
				tag, err := tx.Exec(ctx, `INSERT INTO session_embeddings (org_id, session_id, member_id, manager_id, model, content_hash, embedding)
					SELECT s.org_id, s.id, s.member_id, s.manager_id, $2, $3, $4 FROM sessions s
					WHERE s.id = $1 AND sha256(convert_to(`+sessionText+`, 'UTF8')) = $3
					ON CONFLICT (org_id, session_id, model) DO UPDATE
					SET content_hash = excluded.content_hash, embedding = excluded.embedding, created_at = now()`,
					p.ID, model, p.Hash, pgvector.NewVector(vecs[i]))
				if err != nil {
					return err
				}
				n += int(tag.RowsAffected())
			}
			return nil
		})
		if err != nil {
			return written, fmt.Errorf("embed sessions: %w", err)
		}
		written += n
		if n == 0 {
			// Every text changed while it was being embedded; the next
			// call catches up rather than looping here.
			return written, nil
		}
	}
}

// claimNotes takes or renews holder's lease on the member's notes. Two
// jobs inserting at once serialize on the primary key; the second sees
// the first's lease and gets ErrEmbedBusy.
func claimNotes(ctx context.Context, tx pgx.Tx, memberID uuid.UUID, model string, holder uuid.UUID) error {
	tag, err := tx.Exec(ctx, `INSERT INTO notes_embedding_leases AS l (org_id, member_id, manager_id, model, holder, expires_at)
		SELECT m.org_id, m.id, m.manager_id, $2, $3, now() + make_interval(secs => $4) FROM members m WHERE m.id = $1
		ON CONFLICT (org_id, member_id, model) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE l.holder = excluded.holder OR l.expires_at < now()`, memberID, model, holder, embedLease.Seconds())
	if err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM members WHERE id = $1)`, memberID).Scan(&exists); err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	if !exists {
		return errNoMember
	}
	return ErrEmbedBusy
}

// errNoMember: the member was erased (or is not this manager's) before
// their notes were embedded; there is nothing to do.
var errNoMember = errors.New("no such member")

// SessionMatch is a past session and how close its text is to a query.
type SessionMatch struct {
	SessionBrief
	Similarity float64 `json:"similarity"`
}

// SimilarSessions returns the member's k sessions whose text is closest to
// vec (made with model). The sort is exact over this manager's rows of
// this member, found by the B-tree index: a manager's history never goes
// through an approximate index shared with other managers.
func (s *Store) SimilarSessions(ctx context.Context, tx pgx.Tx, memberID uuid.UUID, model string, vec []float32, k int) ([]SessionMatch, error) {
	rows, _ := tx.Query(ctx, `SELECT s.id, s.status, coalesce(s.held_at, s.scheduled_at, s.created_at), s.request_topics,
			s.request_style, s.request_text, s.request_from, s.condition, s.notes, 1 - (e.embedding <=> $3) AS similarity
		FROM session_embeddings e JOIN sessions s ON s.id = e.session_id
		WHERE e.member_id = $1 AND e.model = $2
		ORDER BY e.embedding <=> $3, s.id LIMIT $4`, memberID, model, pgvector.NewVector(vec), k)
	var (
		out  []SessionMatch
		sess Session
		at   time.Time
		sim  float64
	)
	sess.HeldAt = &at
	_, err := pgx.ForEachRow(rows, []any{&sess.ID, &sess.Status, &at, &sess.RequestTopics, &sess.RequestStyle, &sess.RequestText,
		&sess.RequestFrom, &sess.Condition, &sess.Notes, &sim}, func() error {
		out = append(out, SessionMatch{SessionBrief: brief(sess), Similarity: sim})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("similar sessions: %w", err)
	}
	return nonNil(out), nil
}

// NotesOwner names a member whose session texts lack a current vector,
// with their manager and organization.
type NotesOwner struct {
	Org, Manager, Member uuid.UUID
}

// StaleNotes lists up to limit members, across organizations, whose
// session texts lack a current vector of model. It is the operator's
// sweep (tx sees every organization): each member is then embedded in a
// job scoped to their manager.
func (s *Store) StaleNotes(ctx context.Context, tx pgx.Tx, model string, limit int) ([]NotesOwner, error) {
	rows, _ := tx.Query(ctx, `SELECT DISTINCT s.org_id, s.manager_id, s.member_id FROM sessions s
		LEFT JOIN session_embeddings e ON e.org_id = s.org_id AND e.session_id = s.id AND e.model = $1
		WHERE `+sessionText+` <> ''
		  AND (e.session_id IS NULL OR e.content_hash <> sha256(convert_to(`+sessionText+`, 'UTF8')))
		LIMIT $2`, model, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[NotesOwner])
	if err != nil {
		return nil, fmt.Errorf("stale notes: %w", err)
	}
	return out, nil
}
