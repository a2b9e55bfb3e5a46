package api

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestHistoryIsMaskedPrivateAndErasable logs a session whose notes name
// people and carry an email and a phone number, and checks what is stored,
// who can see it, and that erasing the member leaves nothing behind.
func TestHistoryIsMaskedPrivateAndErasable(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org, other := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	mgr, mgrTok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, mgr2Tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, adminTok := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	_, otherTok := pgtest.NewUser(t, db, other, tenant.RoleManager)

	var terms map[string][]string
	if resp := call(t, srv, "PUT", "/api/org/terms", adminTok, map[string]any{"terms": []string{"Orion"}}, &terms); resp.StatusCode != 200 {
		t.Fatalf("set terms = %d", resp.StatusCode)
	}
	var m redacted[history.Member]
	if resp := call(t, srv, "POST", "/api/members", mgrTok, map[string]any{"alias": "Aさん"}, &m); resp.StatusCode != 201 {
		t.Fatalf("create member = %d", resp.StatusCode)
	}
	member := "/api/members/" + m.Data.ID.String()
	secrets := []string{"田中", "鈴木", "tanaka@example.co.jp", "090-1234-5678", "Orion"}
	in := map[string]any{
		"status": "held", "request_style": "listen", "request_topics": []string{"career"}, "condition": 3,
		"request_text": "Orionの件で田中さんとの関係を話したい",
		"notes":        "田中さんとの連携に悩んでいる。鈴木部長には相談済み。連絡先 tanaka@example.co.jp / 090-1234-5678。",
		"actions":      []map[string]any{{"text": "田中さんと30分話す場を設定する", "owner": "manager", "due_date": "2026-12-10"}},
	}
	var s redacted[history.Session]
	if resp := call(t, srv, "POST", member+"/sessions", mgrTok, in, &s); resp.StatusCode != 201 {
		t.Fatalf("create session = %d", resp.StatusCode)
	}
	if s.Redaction["person"] < 3 || s.Redaction["email"] != 1 || s.Redaction["phone"] != 1 || s.Redaction["term"] != 1 {
		t.Errorf("redaction report = %v, want persons, one email, one phone, one term", s.Redaction)
	}
	if !strings.Contains(s.Data.Notes.String(), "[人物1]さん") || !strings.Contains(s.Data.Actions[0].Text.String(), "[人物1]さん") {
		t.Errorf("the same person should be [人物1] across fields: notes %q, action %q", s.Data.Notes, s.Data.Actions[0].Text)
	}

	// Nothing of the original is stored anywhere.
	err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error {
		for _, secret := range secrets {
			var n int
			err := tx.QueryRow(t.Context(), `SELECT
				(SELECT count(*) FROM sessions WHERE notes LIKE '%' || $1 || '%' OR request_text LIKE '%' || $1 || '%') +
				(SELECT count(*) FROM actions WHERE text LIKE '%' || $1 || '%') +
				(SELECT count(*) FROM members WHERE alias LIKE '%' || $1 || '%')`, secret).Scan(&n)
			if err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("%q is stored in %d rows", secret, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	session := "/api/sessions/" + s.Data.ID.String()
	for _, r := range []struct {
		token, method, path string
		want                int
	}{
		{mgrTok, "GET", member, 200},
		{mgrTok, "GET", session, 200},
		{mgrTok, "GET", member + "/export", 200},
		{mgr2Tok, "GET", member, 404},
		{mgr2Tok, "GET", session, 404},
		{mgr2Tok, "GET", member + "/sessions", 404},
		{mgr2Tok, "GET", member + "/export", 404},
		{mgr2Tok, "DELETE", member, 404},
		{mgr2Tok, "PATCH", "/api/actions/" + s.Data.Actions[0].ID.String(), 404},
		{otherTok, "GET", member, 404},
		{otherTok, "GET", session, 404},
		{adminTok, "GET", member, 403},
		{adminTok, "GET", session, 403},
	} {
		var body any
		if r.method == "PATCH" {
			body = map[string]string{"status": "done"}
		}
		if resp := call(t, srv, r.method, r.path, r.token, body, nil); resp.StatusCode != r.want {
			t.Errorf("%s %s = %d, want %d", r.method, r.path, resp.StatusCode, r.want)
		}
	}
	// Even an admin's transaction in SQL sees none of it.
	admin := tenant.Principal{OrgID: org, UserID: tenant.NewID(), Role: tenant.RoleAdmin}
	err = db.Scope(admin).InTx(t.Context(), func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(t.Context(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("another user of the org sees %d sessions in SQL", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var erased map[string]history.Erased
	if resp := call(t, srv, "DELETE", member, mgrTok, nil, &erased); resp.StatusCode != 200 ||
		erased["erased"]["sessions"] != 1 || erased["erased"]["actions"] != 1 || erased["erased"]["members"] != 1 {
		t.Fatalf("erase = %d %+v", resp.StatusCode, erased)
	}
	if n := rowsAbout(t, m.Data.ID); n != 0 {
		t.Errorf("%d rows about the erased member remain", n)
	}
	if resp := call(t, srv, "GET", member, mgrTok, nil, nil); resp.StatusCode != 404 {
		t.Errorf("erased member = %d, want 404", resp.StatusCode)
	}
	_ = mgr
}

// rowsAbout counts the rows about a member in every table of the schema
// that has a member_id column (and the member row itself), so a table
// added later is covered without changing the test.
func rowsAbout(t *testing.T, memberID uuid.UUID) int {
	t.Helper()
	var total int
	err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error {
		rows, _ := tx.Query(t.Context(), `SELECT table_name FROM information_schema.columns
			WHERE table_schema = $1 AND column_name = 'member_id'`, db.Schema)
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if len(tables) < 6 {
			t.Errorf("found %d tables with member_id: %v", len(tables), tables)
		}
		for _, tb := range append(tables, "members") {
			col := "member_id"
			if tb == "members" {
				col = "id"
			}
			var n int
			if err := tx.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{tb}.Sanitize()+` WHERE `+col+` = $1`, memberID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				t.Logf("%s: %d rows about member %s", tb, n, memberID)
			}
			total += n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func TestSessionUpdateAndDelete(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, other := pgtest.NewUser(t, db, org, tenant.RoleManager)
	var m redacted[history.Member]
	call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "Bさん"}, &m)
	var s redacted[history.Session]
	call(t, srv, "POST", "/api/members/"+m.Data.ID.String()+"/sessions", tok,
		map[string]any{"status": "scheduled", "scheduled_at": "2026-12-01T10:00:00Z"}, &s)
	path := "/api/sessions/" + s.Data.ID.String()
	upd := map[string]any{"status": "held", "held_at": "2026-12-01T10:05:00Z", "duration_min": 30, "condition": 4,
		"notes": "高橋さんの件は解決。", "actions": []map[string]any{{"text": "資料を共有する", "owner": "member"}}}
	if resp := call(t, srv, "PUT", path, other, upd, nil); resp.StatusCode != 404 {
		t.Errorf("another manager's update = %d, want 404", resp.StatusCode)
	}
	if resp := call(t, srv, "PUT", path, tok, upd, &s); resp.StatusCode != 200 || s.Data.Status != "held" ||
		s.Data.Notes.String() != "[人物1]さんの件は解決。" || len(s.Data.Actions) != 1 || s.Redaction["person"] != 1 {
		t.Fatalf("update = %d %+v", resp.StatusCode, s)
	}
	var page struct {
		Members []history.Member `json:"members"`
	}
	call(t, srv, "GET", "/api/members?limit=1", tok, nil, &page)
	if len(page.Members) != 1 || page.Members[0].LastSessionAt == nil || page.Members[0].OpenActions != 1 ||
		len(page.Members[0].Conditions) != 1 || page.Members[0].Conditions[0] != 4 {
		t.Errorf("members = %+v, want the member with its last session, one open action and condition 4", page.Members)
	}
	if resp := call(t, srv, "DELETE", path, other, nil, nil); resp.StatusCode != 404 {
		t.Errorf("another manager's delete = %d, want 404", resp.StatusCode)
	}
	if resp := call(t, srv, "DELETE", path, tok, nil, nil); resp.StatusCode != 204 {
		t.Errorf("delete = %d, want 204", resp.StatusCode)
	}
	if resp := call(t, srv, "GET", path, tok, nil, nil); resp.StatusCode != 404 {
		t.Errorf("deleted session = %d, want 404", resp.StatusCode)
	}
}

// TestSecondScheduledSession: a 1on1 scheduled while the member has one
// coming is created, and the answer names the other; the member's intake
// answer to the later one is what the member's signals (and so the prep
// and the member page) show next, not lost behind the sooner one.
func TestSecondScheduledSession(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	var m redacted[history.Member]
	if resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "Sさん"}, &m); resp.StatusCode != 201 {
		t.Fatalf("create member = %d", resp.StatusCode)
	}
	member := "/api/members/" + m.Data.ID.String()
	// The answer's shape, spelled out (not createdSession) so the test
	// reads what a client reads.
	type created struct {
		Data          history.Session        `json:"data"`
		AlsoScheduled []history.SessionBrief `json:"also_scheduled"`
	}
	schedule := func(at string) created {
		t.Helper()
		var s created
		if resp := call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "scheduled", "scheduled_at": at}, &s); resp.StatusCode != 201 {
			t.Fatalf("schedule %s = %d", at, resp.StatusCode)
		}
		return s
	}
	soon := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Minute)
	first := schedule(soon.Format(time.RFC3339))
	if first.AlsoScheduled == nil || len(first.AlsoScheduled) != 0 {
		t.Errorf("the first scheduled 1on1: also_scheduled = %#v, want an empty list", first.AlsoScheduled)
	}
	second := schedule(soon.Add(7 * 24 * time.Hour).Format(time.RFC3339))
	if len(second.AlsoScheduled) != 1 || second.AlsoScheduled[0].ID != first.Data.ID || !second.AlsoScheduled[0].At.Equal(soon) {
		t.Errorf("the second scheduled 1on1: also_scheduled = %+v, want the first (%s at %s)", second.AlsoScheduled, first.Data.ID, soon)
	}
	var held created
	call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "held"}, &held)
	if held.AlsoScheduled == nil || len(held.AlsoScheduled) != 0 {
		t.Errorf("a held 1on1: also_scheduled = %#v, want an empty list", held.AlsoScheduled)
	}

	// The member answers the later one's intake link.
	link := newLink(t, srv, tok, "/api/sessions/"+second.Data.ID.String(), "intake")
	intake := map[string]any{"style": "listen", "topics": []string{"wellbeing"}, "text": "最近疲れています。話を聞いてほしいです。"}
	if resp := call(t, srv, "POST", link+"/intake", "", intake, nil); resp.StatusCode != 200 {
		t.Fatalf("intake = %d", resp.StatusCode)
	}
	var s history.Session
	call(t, srv, "GET", "/api/sessions/"+second.Data.ID.String(), tok, nil, &s)
	if s.RequestFrom != "member" || s.RequestText.String() != "最近疲れています。話を聞いてほしいです。" || len(s.RequestTopics) != 1 {
		t.Errorf("the answered session = %+v, want the member's request", s)
	}
	var sig history.Signals
	call(t, srv, "GET", member+"/signals", tok, nil, &sig)
	if sig.Next == nil || sig.Next.ID != second.Data.ID || sig.Next.Request.String() != "最近疲れています。話を聞いてほしいです。" {
		t.Errorf("signals next = %+v, want the answered 1on1 (%s)", sig.Next, second.Data.ID)
	}
}

// TestMemberAliasTaken: the API refuses an alias the manager already
// uses in another width with 409 conflict, naming the member who has it
// in the words api.js knows (error.member.exists).
func TestMemberAliasTaken(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	if resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "Kさん"}, nil); resp.StatusCode != 201 {
		t.Fatalf("create member = %d", resp.StatusCode)
	}
	var e errorBody
	resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "Ｋ さん"}, &e)
	if resp.StatusCode != 409 || e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, `you already have a member called "Kさん"`) {
		t.Errorf("a full-width duplicate = %d %+v, want 409 conflict naming 「Kさん」", resp.StatusCode, e.Error)
	}
}
