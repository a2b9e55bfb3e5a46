package api

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// newSession creates a member of the manager (tok) and one session with
// the given fields, returning the member and session ids as paths.
func newSession(t *testing.T, srv *httptest.Server, tok, alias string, in map[string]any) (member, session string) {
	t.Helper()
	var m redacted[history.Member]
	if resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": alias}, &m); resp.StatusCode != 201 {
		t.Fatalf("create member = %d", resp.StatusCode)
	}
	member = "/api/members/" + m.Data.ID.String()
	var s redacted[history.Session]
	if resp := call(t, srv, "POST", member+"/sessions", tok, in, &s); resp.StatusCode != 201 {
		t.Fatalf("create session = %d", resp.StatusCode)
	}
	return member, "/api/sessions/" + s.Data.ID.String()
}

func newLink(t *testing.T, srv *httptest.Server, tok, session, phase string) string {
	t.Helper()
	var l createdLink
	if resp := call(t, srv, "POST", session+"/links", tok, map[string]any{"phase": phase}, &l); resp.StatusCode != 201 {
		t.Fatalf("create %s link = %d", phase, resp.StatusCode)
	}
	if !strings.HasPrefix(l.Token, "tl_") || l.Path != "/m/"+l.Token {
		t.Fatalf("link = %+v", l)
	}
	return "/api/member-links/" + l.Token
}

// TestMemberIntake follows a member's request from the link the manager
// sends to what the manager sees, and checks the link works once only.
func TestMemberIntake(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, otherTok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member, session := newSession(t, srv, tok, "Cさん", map[string]any{"status": "scheduled", "scheduled_at": "2030-01-10T10:00:00Z"})

	if resp := call(t, srv, "POST", session+"/links", otherTok, map[string]any{"phase": "intake"}, nil); resp.StatusCode != 404 {
		t.Errorf("another manager's link = %d, want 404", resp.StatusCode)
	}
	if resp := call(t, srv, "POST", session+"/links", tok, map[string]any{"phase": "feedback"}, nil); resp.StatusCode != 400 {
		t.Errorf("feedback link on a scheduled session = %d, want 400", resp.StatusCode)
	}
	// A lifetime that would overflow a duration (and wrap into range).
	for _, ttl := range []int{-1, 721, 2562048, 9223372036854} {
		if resp := call(t, srv, "POST", session+"/links", tok, map[string]any{"phase": "intake", "ttl_hours": ttl}, nil); resp.StatusCode != 400 {
			t.Errorf("ttl_hours %d = %d, want 400", ttl, resp.StatusCode)
		}
	}
	stale := newLink(t, srv, tok, session, "intake")
	link := newLink(t, srv, tok, session, "intake")
	if resp := call(t, srv, "GET", stale, "", nil, nil); resp.StatusCode != 404 {
		t.Errorf("a replaced link = %d, want 404", resp.StatusCode)
	}

	var view struct {
		Link   history.LinkView `json:"link"`
		Topics []map[string]any `json:"topics"`
	}
	resp := call(t, srv, "GET", link, "", nil, &view)
	if resp.StatusCode != 200 || view.Link.Phase != "intake" || view.Link.ScheduledAt == nil || len(view.Topics) == 0 || len(view.Link.Styles) != 6 {
		t.Fatalf("view = %d %+v", resp.StatusCode, view)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	for _, bad := range []map[string]any{
		{"style": "shout"},
		{"style": "listen", "topics": []string{"astrology"}},
	} {
		if resp := call(t, srv, "POST", link+"/intake", "", bad, nil); resp.StatusCode != 400 {
			t.Errorf("intake %v = %d, want 400", bad, resp.StatusCode)
		}
	}

	// Two submissions race; exactly one gets the link.
	intake := map[string]any{"style": "listen", "topics": []string{"wellbeing"},
		"text": "山田さんとの分担がつらいです。yamada@example.com とのやりとりも多くて。"}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	var reply struct {
		Redaction history.Report `json:"redaction"`
	}
	for i := range codes {
		wg.Go(func() {
			var out struct {
				Redaction history.Report `json:"redaction"`
			}
			codes[i] = call(t, srv, "POST", link+"/intake", "", intake, &out).StatusCode
			if codes[i] == 200 {
				reply = out
			}
		})
	}
	wg.Wait()
	if fmt.Sprint(codes) != "[200 410]" && fmt.Sprint(codes) != "[410 200]" {
		t.Fatalf("two submissions = %v, want one 200 and one 410", codes)
	}
	if reply.Redaction["person"] != 1 || reply.Redaction["email"] != 1 {
		t.Errorf("member's redaction report = %v", reply.Redaction)
	}
	if resp := call(t, srv, "GET", link, "", nil, nil); resp.StatusCode != 410 {
		t.Errorf("used link = %d, want 410", resp.StatusCode)
	}

	var s history.Session
	call(t, srv, "GET", session, tok, nil, &s)
	if s.RequestFrom != "member" || *s.RequestStyle != "listen" || s.RequestText.String() != "[人物1]さんとの分担がつらいです。[メール1] とのやりとりも多くて。" {
		t.Errorf("session request = %q from %s", s.RequestText, s.RequestFrom)
	}
	var sig history.Signals
	call(t, srv, "GET", member+"/signals", tok, nil, &sig)
	if sig.Next == nil || sig.Next.Request != s.RequestText || *sig.Next.Style != "listen" {
		t.Errorf("signals next = %+v, want the member's request", sig.Next)
	}

	for _, tc := range []struct{ path, want string }{
		{"/api/member-links/tl_nosuchtoken", "404"},
		{"/api/member-links/taiwa_notalinktoken", "404"},
	} {
		if resp := call(t, srv, "GET", tc.path, "", nil, nil); fmt.Sprint(resp.StatusCode) != tc.want {
			t.Errorf("GET %s = %d, want %s", tc.path, resp.StatusCode, tc.want)
		}
	}

	// An expired link is gone.
	expired := newLink(t, srv, tok, session, "intake")
	err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error {
		_, err := tx.Exec(t.Context(), `UPDATE member_links SET expires_at = now() - interval '1 second' WHERE used_at IS NULL AND session_id = $1`,
			strings.TrimPrefix(session, "/api/sessions/"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp := call(t, srv, "POST", expired+"/intake", "", intake, nil); resp.StatusCode != 410 {
		t.Errorf("expired link = %d, want 410", resp.StatusCode)
	}
}

// TestMemberFeedback checks a member's ratings reach the manager only as
// figures over three or more, and a comment only when shared.
func TestMemberFeedback(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member, first := newSession(t, srv, tok, "Dさん", map[string]any{"status": "held", "held_at": "2026-10-01T10:00:00Z", "request_style": "listen"})
	sessions := []string{first}
	for _, day := range []string{"2026-10-15", "2026-10-29", "2026-11-12"} {
		var s redacted[history.Session]
		call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "held", "held_at": day + "T10:00:00Z", "request_style": "listen"}, &s)
		sessions = append(sessions, "/api/sessions/"+s.Data.ID.String())
	}
	feedback := []map[string]any{
		{"satisfaction": 2, "matched": "no", "comment": "本当は聞いてほしかった。", "share": false},
		{"satisfaction": 4, "matched": "partly", "comment": "佐藤さんの件、聞いてもらえてよかったです。", "share": true},
		{"satisfaction": 5, "matched": "yes"},
		{"satisfaction": 1, "matched": "no"},
	}
	var summary history.FeedbackSummary
	for i, fb := range feedback {
		link := newLink(t, srv, tok, sessions[i], "feedback")
		if resp := call(t, srv, "POST", link+"/feedback", "", fb, nil); resp.StatusCode != 200 {
			t.Fatalf("feedback %d = %d", i, resp.StatusCode)
		}
		if resp := call(t, srv, "POST", link+"/feedback", "", fb, nil); resp.StatusCode != 410 {
			t.Errorf("feedback %d twice = %d, want 410", i, resp.StatusCode)
		}
		call(t, srv, "GET", member+"/feedback", tok, nil, &summary)
		if summary.Received != i+1 {
			t.Errorf("after %d answers: received %d", i+1, summary.Received)
		}
		if i < 2 && (summary.Satisfaction != nil || summary.Ratings != 0) {
			t.Errorf("after %d answers the manager sees figures: %+v", i+1, summary.Figures)
		}
	}
	// Four answers: the figures cover the first three and do not move
	// with the fourth, so the fourth cannot be read off them.
	if summary.Ratings != 3 || *summary.Satisfaction != 3.67 || *summary.Matched != 0.5 {
		t.Errorf("figures = %d ratings, %v, %v; want 3, 3.67, 0.5", summary.Ratings, *summary.Satisfaction, *summary.Matched)
	}
	if len(summary.SharedComments) != 1 || summary.SharedComments[0].Comment.String() != "[人物1]さんの件、聞いてもらえてよかったです。" {
		t.Errorf("shared comments = %+v, want the one shared, masked", summary.SharedComments)
	}
	if resp := call(t, srv, "POST", sessions[0]+"/links", tok, map[string]any{"phase": "feedback"}, nil); resp.StatusCode != 409 {
		t.Errorf("feedback link after feedback = %d, want 409", resp.StatusCode)
	}
	var s history.Session
	call(t, srv, "GET", sessions[0], tok, nil, &s)
	if !s.FeedbackGiven {
		t.Error("session should say feedback was given")
	}
	// The unshared comment was never stored.
	err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error {
		var n int
		// This organization's rows: other tests share the database.
		if err := tx.QueryRow(t.Context(), `SELECT count(*) FROM session_feedback WHERE org_id = $1 AND comment LIKE '%聞いてほしかった%'`, org).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("an unshared comment is stored in %d rows", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sig history.Signals
	call(t, srv, "GET", member+"/signals", tok, nil, &sig)
	if len(sig.Styles) != 1 || sig.Styles[0].Style != "listen" || sig.Styles[0].Match.Ratings != 3 {
		t.Errorf("signals styles = %+v", sig.Styles)
	}

	// Reflection answers are masked, kept on the session and reach the
	// next prep through the signals.
	var refl redacted[[]history.ReflectionAnswer]
	answers := map[string]any{"answers": []map[string]string{
		{"prompt": "聴くことに徹せましたか？", "answer": "途中で鈴木さんの話に引っ張られて助言してしまった。"},
		{"prompt": "次に試すことは？", "answer": "最初の10分は質問だけにする。"},
	}}
	if resp := call(t, srv, "PUT", sessions[3]+"/reflection/answers", tok, answers, &refl); resp.StatusCode != 200 ||
		len(refl.Data) != 2 || refl.Redaction["person"] != 1 || strings.Contains(refl.Data[0].Answer.String(), "鈴木") {
		t.Fatalf("reflection = %d %+v", resp.StatusCode, refl)
	}
	call(t, srv, "GET", member+"/signals", tok, nil, &sig)
	if len(sig.LastReflection) != 2 || sig.LastReflection[1].Answer.String() != "最初の10分は質問だけにする。" {
		t.Errorf("signals last reflection = %+v", sig.LastReflection)
	}

	var erased map[string]history.Erased
	if resp := call(t, srv, "DELETE", member, tok, nil, &erased); resp.StatusCode != 200 ||
		erased["erased"]["session_feedback"] != 4 || erased["erased"]["member_links"] != 4 || erased["erased"]["session_reflections"] != 2 {
		t.Errorf("erase = %d %v", resp.StatusCode, erased)
	}
	if n := rowsAbout(t, sig.MemberID); n != 0 {
		t.Errorf("%d rows about the erased member remain", n)
	}
}
