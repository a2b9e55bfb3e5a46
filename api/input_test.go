package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestNULIsRefused: PostgreSQL text cannot hold NUL, so text with one is a
// 400 with a sentence on every route that stores text, the member's own
// pages included, never a 500. A guidance document whose body starts
// without a heading saves.
func TestNULIsRefused(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, cur := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	var m redacted[history.Member]
	call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "Nさん"}, &m)
	member := "/api/members/" + m.Data.ID.String()
	var next redacted[history.Session]
	call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "scheduled", "scheduled_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}, &next)
	link := newLink(t, srv, tok, "/api/sessions/"+next.Data.ID.String(), "intake")
	var th struct{ ID string }
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th)

	nul := "a\u0000b"
	for _, tc := range []struct {
		path, token string
		body        map[string]any
	}{
		{"/api/members", tok, map[string]any{"alias": nul}},
		{member + "/sessions", tok, map[string]any{"status": "held", "held_at": time.Now().UTC().Format(time.RFC3339), "notes": nul}},
		{member + "/names", tok, map[string]any{"forms": []string{nul}}},
		{link + "/intake", "", map[string]any{"style": "listen", "topics": []string{"career"}, "text": nul}},
		{"/api/chat/threads/" + th.ID + "/messages", tok, map[string]any{"text": nul}},
		{"/api/redact", tok, map[string]any{"texts": []string{nul}}},
		{"/api/kb/documents", cur, map[string]any{"title": nul, "body": "# x\nbody", "language": "ja", "topics": []string{"listening"}}},
	} {
		method := "POST"
		if tc.path == member+"/names" {
			method = "PUT"
		}
		var e struct{ Error struct{ Message string } }
		if resp := call(t, srv, method, tc.path, tc.token, tc.body, &e); resp.StatusCode != http.StatusBadRequest || e.Error.Message == "" {
			t.Errorf("%s %s with NUL: %d %q, want 400 with a sentence", method, tc.path, resp.StatusCode, e.Error.Message)
		}
	}
	doc := map[string]any{"title": "見出しのない文書", "body": "最初の段落に見出しがありません。\n\n## 後の見出し\n本文。", "language": "ja", "topics": []string{"listening"}}
	if resp := call(t, srv, "POST", "/api/kb/documents", cur, doc, nil); resp.StatusCode != http.StatusCreated {
		t.Errorf("a document whose body starts without a heading: %d, want 201", resp.StatusCode)
	}
}

// TestResponseHeaders: API answers are never cached, and a caller's
// request id is echoed only when it is a short token.
func TestResponseHeaders(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	for _, tc := range []struct{ id, want string }{
		{"abc-123", "abc-123"},
		{strings.Repeat("x", 8000), ""},
		{"evil\" level=ERROR", ""},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/members", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("X-Request-Id", tc.id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", got)
		}
		got := resp.Header.Get("X-Request-Id")
		if tc.want != "" && got != tc.want || tc.want == "" && (got == tc.id || len(got) > 64 || got == "") {
			t.Errorf("X-Request-Id %.20q echoed as %.20q", tc.id, got)
		}
	}
}

// TestIdempotencyKey: twenty identical POSTs with one key make one session
// and all get its answer; the key with another body is a 422; without a
// key every POST counts.
func TestIdempotencyKey(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	var m redacted[history.Member]
	call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "Iさん"}, &m)
	member := "/api/members/" + m.Data.ID.String()
	post := func(key, notes string) (int, string, string) {
		body := `{"status":"held","held_at":"2026-11-20T10:00:00Z","notes":"` + notes + `"}`
		req, _ := http.NewRequest("POST", srv.URL+member+"/sessions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0, "", ""
		}
		defer resp.Body.Close()
		var s redacted[history.Session]
		json.NewDecoder(resp.Body).Decode(&s)
		return resp.StatusCode, s.Data.ID.String(), resp.Header.Get("Idempotent-Replayed")
	}
	var wg sync.WaitGroup
	ids := make([]string, 20)
	codes := make([]int, 20)
	for i := range 20 {
		wg.Go(func() { codes[i], ids[i], _ = post("retry-1", "同じ1on1") })
	}
	wg.Wait()
	for i := range 20 {
		if codes[i] != http.StatusCreated || ids[i] != ids[0] {
			t.Errorf("request %d: %d %s, want 201 and the first session %s", i, codes[i], ids[i], ids[0])
		}
	}
	if code, _, replayed := post("retry-1", "同じ1on1"); code != http.StatusCreated || replayed != "true" {
		t.Errorf("a later repeat: %d replayed %q, want the first answer replayed", code, replayed)
	}
	other, _, _ := post("retry-1", "別の内容")
	if other != http.StatusUnprocessableEntity {
		t.Errorf("the key with another body: %d, want 422", other)
	}
	post("", "キーなし")
	post("", "キーなし")
	var sessions struct{ Sessions []history.Session }
	call(t, srv, "GET", member+"/sessions", tok, nil, &sessions)
	if len(sessions.Sessions) != 3 {
		t.Errorf("%d sessions, want 3 (one per key, one per keyless POST)", len(sessions.Sessions))
	}
	t.Logf("idempotency: %d concurrent POSTs with one key made %d session; the key with another body answered %d", len(codes), len(sessions.Sessions)-2, other)
}
