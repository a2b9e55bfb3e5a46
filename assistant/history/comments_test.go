package history_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// A member who asks to be heard again gets back what they wrote after the
// last 1on1 they asked that of, even when a later comment is the newest.
func TestSameStyleComment(t *testing.T) {
	ctx := t.Context()
	h := newStore(t)
	org := pgtest.NewOrg(t, db)
	mgr, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	scope := db.Scope(mgr)
	now := time.Now()
	valid := func(string) bool { return true }
	style := func(s string) *string { return &s }
	ago := func(d int) *time.Time { t := now.AddDate(0, 0, -d); return &t }

	tests := []struct {
		name string
		next string
		want string // the comment; "" for none
		days int
	}{
		{"an earlier 1on1 of the same style", "listen", "聞いてほしかったのに助言が多かったです", 50},
		{"the newest comment is of the same style: said once", "report", "", 0},
		{"no 1on1 of that style", "decide", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sig history.Signals
			err := scope.InTx(ctx, func(tx pgx.Tx) error {
				m, _, err := h.CreateMember(ctx, tx, org, mgr.UserID, "K"+tc.next)
				if err != nil {
					return err
				}
				for _, s := range []struct {
					days    int
					style   string
					comment string
				}{{80, "listen", "前回より話しやすかった"}, {50, "listen", "聞いてほしかったのに助言が多かったです"}, {20, "report", "報告だけで終わりました"}} {
					sess, _, err := h.CreateSession(ctx, tx, org, mgr.UserID, m.ID, "ja",
						history.SessionInput{Status: "held", HeldAt: ago(s.days), RequestStyle: style(s.style)}, valid)
					if err != nil {
						return err
					}
					// The member's link is another test's; the row is what it writes.
					if _, err := tx.Exec(ctx, `INSERT INTO session_feedback (org_id, session_id, member_id, manager_id, satisfaction, matched, comment, created_at)
						VALUES ($1, $2, $3, $4, 3, 'partly', $5, $6)`, org, sess.ID, m.ID, mgr.UserID, s.comment, *ago(s.days - 1)); err != nil {
						return err
					}
				}
				in2 := now.AddDate(0, 0, 2)
				if _, _, err := h.CreateSession(ctx, tx, org, mgr.UserID, m.ID, "ja",
					history.SessionInput{Status: "scheduled", ScheduledAt: &in2, RequestStyle: style(tc.next)}, valid); err != nil {
					return err
				}
				sig, err = h.Signals(ctx, tx, m.ID, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if sig.LastComment == nil || sig.LastComment.Comment.String() != "報告だけで終わりました" {
				t.Errorf("last comment = %+v, want the newest", sig.LastComment)
			}
			got := sig.SameStyleComment
			switch {
			case tc.want == "" && got != nil:
				t.Errorf("same-style comment = %+v, want none", got)
			case tc.want != "" && (got == nil || got.Comment.String() != tc.want || got.DaysAgo != tc.days || got.Style != tc.next):
				t.Errorf("same-style comment = %+v, want %q %d days ago", got, tc.want, tc.days)
			}
		})
	}
}
