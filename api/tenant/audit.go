package tenant

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Outcomes of an audited action.
const (
	OutcomeOK     = "ok"     // it was done
	OutcomeDenied = "denied" // the caller was not let in or not allowed
	OutcomeFailed = "failed" // it was refused or went wrong
)

// AuditEvent is one entry of an organization's audit trail: who did what,
// when, from where and how it ended. It never holds text a user wrote.
type AuditEvent struct {
	ID        uuid.UUID  `json:"id"`
	At        time.Time  `json:"at"`
	ActorID   *uuid.UUID `json:"actor_id"`
	ActorName string     `json:"actor_name,omitempty"`
	Action    string     `json:"action"` // e.g. "token.create"
	Target    string     `json:"target,omitempty"`
	Outcome   string     `json:"outcome"`
	Status    int        `json:"status"`
	Reason    string     `json:"reason,omitempty"` // a fixed code, e.g. "token_revoked"
	Client    string     `json:"client,omitempty"` // the client's address
	RequestID string     `json:"request_id,omitempty"`
}

// OutcomeOf maps an HTTP status to an outcome.
func OutcomeOf(status int) string {
	switch {
	case status < 400:
		return OutcomeOK
	case status == 401 || status == 403:
		return OutcomeDenied
	default:
		return OutcomeFailed
	}
}

// RecordAudit appends e to the trail of tx's organization.
func RecordAudit(ctx context.Context, tx pgx.Tx, e AuditEvent) error {
	_, err := tx.Exec(ctx, `INSERT INTO audit_events
		(org_id, id, actor_id, action, target, outcome, status, reason, client, request_id)
		VALUES (nullif(current_setting('taiwa.org_id', true), '')::uuid, $1, $2, $3, nullif($4, ''), $5, $6, nullif($7, ''), nullif($8, ''), nullif($9, ''))`,
		NewID(), e.ActorID, e.Action, truncate(e.Target, 100), OutcomeOf(e.Status), e.Status, e.Reason, truncate(e.Client, 64), truncate(e.RequestID, 64))
	if err != nil {
		return fmt.Errorf("record audit event: %w", err)
	}
	return nil
}

// AuditQuery selects events, newest first.
type AuditQuery struct {
	Before uuid.UUID // only events older than this one; nil for the newest
	Action string    // only actions starting with this, e.g. "token."
	Limit  int
}

// ListAudit returns the organization's events, newest first. Row security
// shows them to the organization's admins only.
func ListAudit(ctx context.Context, tx pgx.Tx, q AuditQuery) ([]AuditEvent, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	rows, _ := tx.Query(ctx, `
		SELECT e.id, e.at, e.actor_id, coalesce(u.display_name, ''), e.action, coalesce(e.target, ''),
		       e.outcome, e.status, coalesce(e.reason, ''), coalesce(e.client, ''), coalesce(e.request_id, '')
		FROM audit_events e
		LEFT JOIN users u ON u.org_id = e.org_id AND u.id = e.actor_id
		WHERE ($1::uuid IS NULL OR (e.at, e.id) < (SELECT at, id FROM audit_events WHERE id = $1))
		  AND starts_with(e.action, $2)
		ORDER BY e.at DESC, e.id DESC
		LIMIT $3`, nilIfZero(q.Before), q.Action, q.Limit)
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEvent, error) {
		var e AuditEvent
		err := r.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Target,
			&e.Outcome, &e.Status, &e.Reason, &e.Client, &e.RequestID)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	return events, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
