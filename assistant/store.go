package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/llm"
)

// answerRecord is what is stored of an answer.
type answerRecord struct {
	ID               uuid.UUID
	Kind             string
	Mode             string
	Model            string
	MemberID         *uuid.UUID
	SessionID        *uuid.UUID
	Answer           any
	Citations        int
	Dropped          int
	PromptTokens     int
	CompletionTokens int
	// Referral, when the answer is one, is counted for the admins.
	Referral *Referral
	// Sources are the passages the answer was given, Cited those it
	// cites: what the curators' view counts (guidance_uses).
	Sources []Source
	Cited   []Citation
}

// saveAnswer stores an answer, counts a referral and, for a model's
// answer, counts its tokens against the organization's budget.
func saveAnswer(ctx context.Context, tx pgx.Tx, c Caller, r answerRecord) error {
	if err := recordReferral(ctx, tx, c, r.Kind, r.Referral); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO coach_answers (org_id, id, manager_id, member_id, session_id, kind, mode, model, answer,
		citations, dropped_citations, prompt_tokens, completion_tokens)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.OrgID, r.ID, c.UserID, r.MemberID, r.SessionID, r.Kind, r.Mode, r.Model, r.Answer,
		r.Citations, r.Dropped, r.PromptTokens, r.CompletionTokens)
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	return recordUses(ctx, tx, c, r)
}

// recordUses notes which passages the answer was given and which it
// cited, once each.
func recordUses(ctx context.Context, tx pgx.Tx, c Caller, r answerRecord) error {
	cited := map[uuid.UUID]bool{}
	for _, ci := range r.Cited {
		cited[ci.ChunkID] = true
	}
	var (
		chunks, docs []uuid.UUID
		flags        []bool
		seen         = map[uuid.UUID]bool{}
	)
	for _, s := range r.Sources {
		id := s.Hit.ChunkID
		if seen[id] {
			continue
		}
		seen[id] = true
		chunks, docs, flags = append(chunks, id), append(docs, s.Hit.DocumentID), append(flags, cited[id])
	}
	// An offline plan may cite a passage of a document found that was not
	// among the sources (its reserve): it was given and cited too.
	for _, ci := range r.Cited {
		if !seen[ci.ChunkID] {
			seen[ci.ChunkID] = true
			chunks, docs, flags = append(chunks, ci.ChunkID), append(docs, ci.DocumentID), append(flags, true)
		}
	}
	if len(chunks) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO guidance_uses (org_id, answer_id, chunk_id, document_id, kind, language, cited)
		SELECT $1, $2, c, d, $3, $4, f FROM unnest($5::uuid[], $6::uuid[], $7::bool[]) AS x(c, d, f)`,
		c.OrgID, r.ID, r.Kind, c.Language, chunks, docs, flags)
	if err != nil {
		return fmt.Errorf("record guidance uses: %w", err)
	}
	return nil
}

// recordGap notes a query the guidance did not cover, for curators.
//
// q is what was asked, labels what the system adds (topic names) when the
// question was empty.
func recordGap(ctx context.Context, tx pgx.Tx, c Caller, kind string, asked anonymize.Text, labels string) error {
	q := strings.TrimSpace(asked.String() + " " + labels)
	if q == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO content_gaps (org_id, id, kind, query, language) VALUES ($1, $2, $3, $4, $5)`,
		c.OrgID, uuid.Must(uuid.NewV7()), kind, truncate(q, 2000), c.Language)
	if err != nil {
		return fmt.Errorf("record content gap: %w", err)
	}
	return nil
}

// Gap is a query the knowledge base could not answer, with how often it
// was asked.
type Gap struct {
	Query    string    `json:"query"`
	Kind     string    `json:"kind"`
	Language string    `json:"language"`
	Count    int       `json:"count"`
	Last     time.Time `json:"last"`
}

// Gaps lists the organization's unanswered queries of the last days,
// most frequent first, for curators.
func Gaps(ctx context.Context, tx pgx.Tx, days, limit int) ([]Gap, error) {
	rows, _ := tx.Query(ctx, `SELECT query, kind, language, count(*)::int, max(created_at)
		FROM content_gaps WHERE created_at > now() - make_interval(days => $1)
		GROUP BY query, kind, language ORDER BY count(*) DESC, max(created_at) DESC LIMIT $2`, days, limit)
	gs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Gap])
	if err != nil {
		return nil, fmt.Errorf("content gaps: %w", err)
	}
	return nonNil(gs), nil
}

// errOverBudget: the call could take the organization past its daily
// budget.
var errOverBudget = errors.New("model budget spent for today")

// spend makes one model call within the organization's daily budget. It
// holds the most the call can cost before the call, so that
// answers running at once cannot overspend together, and settles to what
// the call used after, whatever happened to the request meanwhile.
func (c *Coach) spend(ctx context.Context, db DB, caller Caller, most func() int64, call func() (llm.Reply, error)) (llm.Reply, error) {
	var hold int64
	if c.budget > 0 {
		hold = most() // counting a prompt's tokens is not free: only with a budget
	}
	if hold > 0 {
		if hold > c.budget {
			return llm.Reply{}, errOverBudget
		}
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			var ok bool
			return tx.QueryRow(ctx, `INSERT INTO llm_usage (org_id, day, reserved_tokens) VALUES ($1, current_date, $2)
				ON CONFLICT (org_id, day) DO UPDATE SET reserved_tokens = llm_usage.reserved_tokens + excluded.reserved_tokens
				WHERE llm_usage.prompt_tokens + llm_usage.completion_tokens + llm_usage.reserved_tokens + excluded.reserved_tokens <= $3
				RETURNING true`, caller.OrgID, hold, c.budget).Scan(&ok)
		})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return llm.Reply{}, errOverBudget
		case err != nil:
			return llm.Reply{}, fmt.Errorf("reserve model budget: %w", err)
		}
	}
	reply, err := call()
	// The request may be gone (a client that hung up): the tokens were
	// spent all the same.
	settle := context.WithoutCancel(ctx)
	if serr := db.InTx(settle, func(tx pgx.Tx) error {
		_, err := tx.Exec(settle, `INSERT INTO llm_usage (org_id, day, calls, prompt_tokens, completion_tokens) VALUES ($1, current_date, 1, $2, $3)
			ON CONFLICT (org_id, day) DO UPDATE SET calls = llm_usage.calls + 1,
				prompt_tokens = llm_usage.prompt_tokens + excluded.prompt_tokens,
				completion_tokens = llm_usage.completion_tokens + excluded.completion_tokens,
				reserved_tokens = greatest(llm_usage.reserved_tokens - $4, 0)`,
			caller.OrgID, reply.PromptTokens, reply.CompletionTokens, hold)
		return err
	}); serr != nil {
		c.logger.WarnContext(ctx, "record model usage", slog.String("error", serr.Error()))
	}
	return reply, err
}

// hold is what a call with msgs and an answer of at most maxAnswer tokens
// can cost.
func (c *Coach) hold(msgs []llm.Message, maxAnswer int) int64 {
	n := int64(maxAnswer)
	for _, m := range msgs {
		n += int64(c.countTokens(m.Content) + 4)
	}
	return n
}

// RateAnswer records the manager's thumbs up or down, with an optional
// comment, on one of their answers; a second rating replaces the first.
func (c *Coach) RateAnswer(ctx context.Context, tx pgx.Tx, caller Caller, answerID uuid.UUID, helpful bool, comment string) error {
	if utf8.RuneCountInString(comment) > 2000 {
		return fmt.Errorf("%w: the comment is limited to 2,000 characters", ErrInvalid)
	}
	var memberID *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT member_id FROM coach_answers WHERE id = $1`, answerID).Scan(&memberID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("answer %s: %w", answerID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("rate answer: %w", err)
	}
	masked, _, err := c.history.Mask(ctx, tx, caller.Language, uuid.Nil, comment)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO answer_feedback (org_id, answer_id, manager_id, member_id, helpful, comment)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id, answer_id) DO UPDATE SET helpful = excluded.helpful, comment = excluded.comment, created_at = now()`,
		caller.OrgID, answerID, caller.UserID, memberID, helpful, masked[0])
	if err != nil {
		return fmt.Errorf("rate answer: %w", err)
	}
	return nil
}
