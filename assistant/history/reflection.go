package history

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
)

// ReflectionAnswer is the manager's answer to one reflection prompt after a
// 1on1. The answers feed the next prep: the Check and Act of the manager's
// own PDCA loop.
type ReflectionAnswer struct {
	Prompt    anonymize.Text `json:"prompt"`
	Answer    anonymize.Text `json:"answer"`
	CreatedAt time.Time      `json:"created_at"`
}

// ReflectionInput is one reflection answer as the manager wrote it.
type ReflectionInput struct {
	Prompt string `json:"prompt"`
	Answer string `json:"answer"`
}

// SetReflection replaces the manager's reflection answers on a session,
// masked like every other text.
func (s *Store) SetReflection(ctx context.Context, tx pgx.Tx, orgID, managerID, sessionID uuid.UUID, lang string,
	answers []ReflectionInput) ([]ReflectionAnswer, Report, error) {
	if len(answers) > 12 {
		return nil, nil, fmt.Errorf("%w: at most 12 reflection answers", ErrInvalid)
	}
	for _, a := range answers {
		if strings.TrimSpace(a.Prompt) == "" || utf8.RuneCountInString(a.Prompt) > 1000 || utf8.RuneCountInString(a.Answer) > 5000 {
			return nil, nil, fmt.Errorf("%w: each answer needs its prompt (up to 1,000 characters) and at most 5,000 characters", ErrInvalid)
		}
	}
	sess, err := s.Session(ctx, tx, sessionID)
	if err != nil {
		return nil, nil, err
	}
	red, err := s.newRedactor(ctx, tx, lang, sess.MemberID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM session_reflections WHERE session_id = $1`, sessionID); err != nil {
		return nil, nil, fmt.Errorf("set reflection: %w", err)
	}
	for i, a := range answers {
		_, err := tx.Exec(ctx, `INSERT INTO session_reflections (org_id, id, session_id, member_id, manager_id, position, prompt, answer)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			orgID, uuid.Must(uuid.NewV7()), sessionID, sess.MemberID, managerID, i, red.text(a.Prompt), red.text(strings.TrimSpace(a.Answer)))
		if err != nil {
			return nil, nil, fmt.Errorf("set reflection: %w", err)
		}
	}
	if err := red.save(ctx, tx); err != nil {
		return nil, nil, err
	}
	out, err := reflection(ctx, tx, sessionID)
	return out, red.report, err
}

func reflection(ctx context.Context, tx pgx.Tx, sessionID uuid.UUID) ([]ReflectionAnswer, error) {
	rows, _ := tx.Query(ctx, `SELECT prompt, answer, created_at FROM session_reflections WHERE session_id = $1 ORDER BY position`, sessionID)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ReflectionAnswer])
	if err != nil {
		return nil, fmt.Errorf("reflection: %w", err)
	}
	return nonNil(as), nil
}
