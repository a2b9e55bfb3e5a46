package assistant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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
	if r.Mode == ModeLLM {
		return addUsage(ctx, tx, c, r.PromptTokens, r.CompletionTokens)
	}
	return nil
}

// recordGap notes a query the guidance did not cover, for curators.
func recordGap(ctx context.Context, tx pgx.Tx, c Caller, kind, q string) error {
	q = strings.TrimSpace(q)
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

// overBudget reports whether the organization has used its model budget
// for today.
func (c *Coach) overBudget(ctx context.Context, db DB) (bool, error) {
	if c.budget <= 0 {
		return false, nil
	}
	var used int64
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM llm_usage WHERE day = current_date`).Scan(&used)
	})
	if err != nil {
		return false, fmt.Errorf("model budget: %w", err)
	}
	return used >= c.budget, nil
}

func addUsage(ctx context.Context, tx pgx.Tx, c Caller, prompt, completion int) error {
	_, err := tx.Exec(ctx, `INSERT INTO llm_usage (org_id, day, calls, prompt_tokens, completion_tokens) VALUES ($1, current_date, 1, $2, $3)
		ON CONFLICT (org_id, day) DO UPDATE SET calls = llm_usage.calls + 1,
			prompt_tokens = llm_usage.prompt_tokens + excluded.prompt_tokens,
			completion_tokens = llm_usage.completion_tokens + excluded.completion_tokens`, c.OrgID, prompt, completion)
	if err != nil {
		return fmt.Errorf("record model usage: %w", err)
	}
	return nil
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
