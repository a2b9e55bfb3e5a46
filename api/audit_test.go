package api

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestAuditTrail does what the trail must record (sign-in, refused
// sign-in, token and user changes, a denied attempt, a member's export and
// erasure) and reads it back as the admin: every action is there with its
// actor and outcome, no text anyone wrote is, and no one else can read it.
func TestAuditTrail(t *testing.T) {
	var logs syncBuffer
	d := testDeps(t)
	d.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	admin, adminTok := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	mgr, mgrTok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, otherAdminTok := pgtest.NewUser(t, db, pgtest.NewOrg(t, db), tenant.RoleAdmin)

	// Sign in, then with a revoked token, then with one that names nothing.
	if resp := call(t, srv, "POST", "/api/session", "", map[string]string{"token": mgrTok}, nil); resp.StatusCode != 201 {
		t.Fatalf("sign in = %d", resp.StatusCode)
	}
	var created tokenCreateResponse
	call(t, srv, "POST", "/api/tokens", adminTok, map[string]any{"name": "laptop"}, &created)
	if resp := call(t, srv, "DELETE", "/api/tokens/"+created.Token.ID.String(), adminTok, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("revoke = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "POST", "/api/session", "", map[string]string{"token": created.Secret}, nil); resp.StatusCode != 401 {
		t.Fatalf("sign in with a revoked token = %d, want 401", resp.StatusCode)
	}
	call(t, srv, "POST", "/api/session", "", map[string]string{"token": "taiwa_" + strings.Repeat("0", 43)}, nil)

	// A manager may not create users: denied, and recorded.
	if resp := call(t, srv, "POST", "/api/users", mgrTok, map[string]string{"display_name": "x", "role": "admin"}, nil); resp.StatusCode != 403 {
		t.Fatalf("manager creates a user = %d, want 403", resp.StatusCode)
	}
	var member struct{ Data struct{ ID string } }
	const secretText = "山田さんの件で相談"
	call(t, srv, "POST", "/api/members", mgrTok, map[string]string{"alias": "Aさん"}, &member)
	call(t, srv, "POST", "/api/members/"+member.Data.ID+"/sessions", mgrTok, map[string]any{"status": "held", "notes": secretText}, nil)
	if resp := call(t, srv, "GET", "/api/members/"+member.Data.ID+"/export", mgrTok, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("export = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "DELETE", "/api/members/"+member.Data.ID, mgrTok, nil, nil); resp.StatusCode != 204 && resp.StatusCode != 200 {
		t.Fatalf("erase = %d", resp.StatusCode)
	}

	var trail auditResponse
	resp := call(t, srv, "GET", "/api/org/audit", adminTok, nil, &trail)
	if resp.StatusCode != 200 {
		t.Fatalf("audit = %d", resp.StatusCode)
	}
	type key struct{ action, outcome, actor, reason string }
	got := map[key]int{}
	for _, e := range trail.Events {
		actor := ""
		if e.ActorID != nil {
			actor = e.ActorID.String()
		}
		got[key{e.Action, e.Outcome, actor, e.Reason}]++
		if e.Client == "" || e.RequestID == "" {
			t.Errorf("event %s has no client address or request id: %+v", e.Action, e)
		}
	}
	for _, want := range []key{
		{"auth.sign_in", "ok", mgr.UserID.String(), ""},
		{"auth.sign_in", "denied", admin.UserID.String(), "token_revoked"},
		{"token.create", "ok", admin.UserID.String(), ""},
		{"token.revoke", "ok", admin.UserID.String(), ""},
		{"user.create", "denied", mgr.UserID.String(), ""},
		{"member.export", "ok", mgr.UserID.String(), ""},
		{"member.erase", "ok", mgr.UserID.String(), ""},
	} {
		if got[want] != 1 {
			t.Errorf("trail has %d of %+v, want 1; trail: %v", got[want], want, got)
		}
	}
	// The unknown token names no organization: it is in the access log only.
	if n := len(trail.Events); n != 7 {
		t.Errorf("trail has %d events, want 7: %v", n, got)
	}
	raw, _ := json.Marshal(trail)
	if strings.Contains(string(raw), secretText) || strings.Contains(string(raw), "Aさん") {
		t.Errorf("the trail holds text a user wrote: %s", raw)
	}

	// Newest first, in pages.
	var page auditResponse
	call(t, srv, "GET", "/api/org/audit?limit=3", adminTok, nil, &page)
	if len(page.Events) != 3 || page.Next == "" || page.Events[0].Action != "audit.read" {
		t.Fatalf("first page: %d events, next %q, first %q", len(page.Events), page.Next, page.Events[0].Action)
	}
	var rest auditResponse
	call(t, srv, "GET", "/api/org/audit?limit=100&before="+page.Next, adminTok, nil, &rest)
	if len(rest.Events) != 5 {
		t.Errorf("second page has %d events, want 5 (the 7, one read, less the first page)", len(rest.Events))
	}

	// Only the organization's admins read it.
	if resp := call(t, srv, "GET", "/api/org/audit", mgrTok, nil, nil); resp.StatusCode != 403 {
		t.Errorf("manager reads the trail: %d, want 403", resp.StatusCode)
	}
	var other auditResponse
	call(t, srv, "GET", "/api/org/audit?action=auth.", otherAdminTok, nil, &other)
	if len(other.Events) != 0 {
		t.Errorf("another organization's admin reads %d events", len(other.Events))
	}
	// Row security stands behind the handler: a manager's scope reads none.
	err := db.Scope(mgr).InTx(t.Context(), func(tx pgx.Tx) error {
		events, err := tenant.ListAudit(t.Context(), tx, tenant.AuditQuery{})
		if len(events) != 0 {
			t.Errorf("a manager's transaction reads %d audit events", len(events))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	auditAppendOnly(t, admin)
	if !accessLogged(logs.String(), "/api/members/:id/export", org.String(), mgr.UserID.String()) {
		t.Errorf("no access log line with org_id, user_id and client for the export")
	}
	t.Logf("audit trail: %d events recorded, 0 with user text, 0 readable by a manager or another organization", len(trail.Events))
}

// auditAppendOnly checks that no role the server runs as may change or
// delete an event.
func auditAppendOnly(t *testing.T, p tenant.Principal) {
	t.Helper()
	for _, sql := range []string{`UPDATE audit_events SET outcome = 'ok'`, `DELETE FROM audit_events`} {
		err := db.Scope(p).InTx(t.Context(), func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), sql)
			return err
		})
		if err == nil {
			t.Errorf("%s: allowed, want an error", sql)
		}
	}
}

// accessLogged reports whether the JSON access log has a line for route
// naming the organization, the user and the client.
func accessLogged(logs, route, org, user string) bool {
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"route":"`+route+`"`) &&
			strings.Contains(line, `"org_id":"`+org+`"`) && strings.Contains(line, `"user_id":"`+user+`"`) &&
			strings.Contains(line, `"client":"127.0.0.1"`) {
			return true
		}
	}
	return false
}
