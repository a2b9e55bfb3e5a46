package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var starterOnce sync.Once

// coachDeps are test dependencies with the starter pack loaded and a coach
// using model (nil: offline).
func coachDeps(t *testing.T, model *llm.Client, dailyTokens int64) Deps {
	t.Helper()
	d := testDeps(t)
	starterOnce.Do(func() {
		if _, err := d.Knowledge.SyncStarter(t.Context(), db.OrgScope(knowledge.StarterOrg)); err != nil {
			t.Fatal(err)
		}
	})
	coach, err := assistant.New(assistant.Config{Logger: d.Logger, Knowledge: d.Knowledge, History: d.History, Safety: sharedDetector(t),
		LLM: model, DailyTokens: dailyTokens, ContextTokens: 3000})
	if err != nil {
		t.Fatal(err)
	}
	d.Coach = coach
	return d
}

func fakeModel(t *testing.T, answer func(openaitest.Request) openaitest.Reply) (*openaitest.Server, *llm.Client) {
	srv := openaitest.NewServer(t, answer)
	return srv, llm.New(llm.Config{BaseURL: srv.BaseURL(), Model: "fake-model", MaxWait: time.Second, Timeout: 10 * time.Second})
}

// seedMember gives the manager a member who is getting tired, has an
// overdue action and asked, through an intake link, to be listened to.
// marker is written into the notes, so tests can tell whose text reached
// a model.
func seedMember(t *testing.T, srv *httptest.Server, tok, alias, marker string) (member string) {
	t.Helper()
	var m redacted[history.Member]
	if resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": alias}, &m); resp.StatusCode != 201 {
		t.Fatalf("create member = %d", resp.StatusCode)
	}
	member = "/api/members/" + m.Data.ID.String()
	day := func(d int) string { return time.Now().AddDate(0, 0, d).UTC().Format(time.RFC3339) }
	for _, s := range []map[string]any{
		{"status": "held", "held_at": day(-28), "condition": 4, "request_style": "advise", "request_topics": []string{"goals"},
			"notes": "目標の立て方について相談。" + marker},
		{"status": "held", "held_at": day(-14), "condition": 3, "request_style": "listen", "request_topics": []string{"wellbeing"},
			"notes":   "業務量が多く疲れ気味。" + marker,
			"actions": []map[string]any{{"text": "担当案件を1件引き取る", "owner": "manager", "due_date": time.Now().AddDate(0, 0, -3).Format(time.DateOnly)}}},
	} {
		if resp := call(t, srv, "POST", member+"/sessions", tok, s, nil); resp.StatusCode != 201 {
			t.Fatalf("create session = %d", resp.StatusCode)
		}
	}
	var next redacted[history.Session]
	call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "scheduled", "scheduled_at": day(2)}, &next)
	link := newLink(t, srv, tok, "/api/sessions/"+next.Data.ID.String(), "intake")
	intake := map[string]any{"style": "listen", "topics": []string{"wellbeing"}, "text": "最近忙しくて疲れ気味です。まず話を聞いてほしいです。" + marker}
	if resp := call(t, srv, "POST", link+"/intake", "", intake, nil); resp.StatusCode != 200 {
		t.Fatalf("intake = %d", resp.StatusCode)
	}
	return member
}

type event struct {
	Type string
	Data json.RawMessage
}

// openStream posts body and returns the events as they arrive, read
// incrementally from the response, and a cancel that drops the connection.
func openStream(t *testing.T, srv *httptest.Server, path, token string, body any) (<-chan event, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	buf, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+path, bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream %s = %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan event, 1024)
	go func() {
		defer close(events)
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		var ev event
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, ": "):
				events <- event{Type: "comment"} // keep-alive
			case strings.HasPrefix(line, "event: "):
				ev.Type = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.Data = json.RawMessage(line[len("data: "):])
			case line == "" && ev.Type != "":
				events <- ev
				ev = event{}
			}
		}
	}()
	return events, cancel
}

func collect(t *testing.T, events <-chan event) []event {
	t.Helper()
	var out []event
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return out
			}
			out = append(out, ev)
		case <-timeout:
			t.Fatal("stream did not end")
		}
	}
}

// checkPlan checks a plan is useful and every citation resolves to a chunk
// of the knowledge base the manager can read.
func checkPlan(t *testing.T, srv *httptest.Server, tok string, p assistant.Plan) {
	t.Helper()
	if p.Summary == "" || len(p.Agenda) < 3 || len(p.Questions) < 2 || len(p.WatchOuts) < 1 || len(p.FollowUps) != 1 || len(p.Citations) < 2 {
		t.Fatalf("plan is thin: summary %q, %d agenda, %d questions, %d watch-outs, %d follow-ups, %d citations",
			p.Summary, len(p.Agenda), len(p.Questions), len(p.WatchOuts), len(p.FollowUps), len(p.Citations))
	}
	cited := map[int]bool{}
	for _, c := range p.Citations {
		cited[c.N] = true
		var chunks struct {
			Chunks []knowledge.StoredChunk `json:"chunks"`
		}
		if resp := call(t, srv, "GET", "/api/kb/documents/"+c.DocumentID.String(), tok, nil, nil); resp.StatusCode != 200 {
			t.Errorf("citation [%d] names document %s: %d", c.N, c.DocumentID, resp.StatusCode)
		}
		_ = chunks
		var n int
		err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error {
			return tx.QueryRow(t.Context(), `SELECT count(*) FROM chunks WHERE id = $1 AND document_id = $2 AND status = 'published'`,
				c.ChunkID, c.DocumentID).Scan(&n)
		})
		if err != nil || n != 1 {
			t.Errorf("citation [%d] chunk %s is not a published chunk of its document (%v)", c.N, c.ChunkID, err)
		}
	}
	for _, list := range [][]assistant.Item{p.Agenda, p.Questions, p.WatchOuts, p.FollowUps, {{Text: p.Summary}}} {
		for _, it := range list {
			if strings.Contains(it.Text, "%!") {
				t.Errorf("item %q has a broken format string", it.Text)
			}
			for _, n := range it.Cites {
				if !cited[n] {
					t.Errorf("item %q cites [%d], which is not among the citations", it.Text, n)
				}
			}
		}
	}
}

func TestPrepOffline(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, other := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Bさん", "")

	var p assistant.Plan
	if resp := call(t, srv, "POST", member+"/prep", tok, nil, &p); resp.StatusCode != 200 {
		t.Fatalf("prep = %d", resp.StatusCode)
	}
	if p.Mode != "offline" || p.FallbackReason != "llm_not_configured" || p.Notice == "" {
		t.Errorf("mode %q reason %q notice %q, want an offline plan that says so", p.Mode, p.FallbackReason, p.Notice)
	}
	checkPlan(t, srv, tok, p)
	if !strings.Contains(p.Summary, "話を聴いてほしい") || !strings.Contains(p.WatchOuts[0].Text, "聴いてほしい") {
		t.Errorf("the plan does not follow the member's request to be listened to: %q / %q", p.Summary, p.WatchOuts[0].Text)
	}
	if resp := call(t, srv, "POST", member+"/prep", other, nil, nil); resp.StatusCode != 404 {
		t.Errorf("another manager's prep = %d, want 404", resp.StatusCode)
	}

	// The stream carries the same plan.
	events, cancel := openStream(t, srv, member+"/prep", tok, map[string]any{})
	defer cancel()
	evs := collect(t, events)
	if evs[0].Type != "progress" || evs[1].Type != "meta" || evs[len(evs)-1].Type != "done" || !strings.Contains(string(evs[1].Data), `"mode":"offline"`) {
		t.Errorf("offline stream: first %s, then %s %s, last %s", evs[0].Type, evs[1].Type, evs[1].Data, evs[len(evs)-1].Type)
	}

	// Thumbs on the answer; another manager cannot.
	if resp := call(t, srv, "POST", "/api/answers/"+p.ID.String()+"/feedback", tok, map[string]any{"helpful": true, "comment": "使えた"}, nil); resp.StatusCode != 204 {
		t.Errorf("feedback = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "POST", "/api/answers/"+p.ID.String()+"/feedback", other, map[string]any{"helpful": false}, nil); resp.StatusCode != 404 {
		t.Errorf("another manager's feedback = %d, want 404", resp.StatusCode)
	}
}

var sourceLine = regexp.MustCompile(`(?m)^\[(\d+)\] `)

// citingAnswer writes a plan in the requested format citing the first
// sources it was given, and one number it was not.
func citingAnswer(req openaitest.Request) openaitest.Reply {
	prompt := req.Messages[len(req.Messages)-1].Content
	n := len(sourceLine.FindAllString(prompt, -1))
	if n < 3 {
		return openaitest.Reply{Text: "ナレッジベースには該当するガイダンスがありません。"}
	}
	text := "[summary]\n今回は聴くことに徹しましょう [1]。\n[agenda]\n- 調子を聞く [2]\n- アクションを確認する\n- 次の約束 [99]\n- 次回の日程を決める\n" +
		"[questions]\n- 「最近どうですか？」 [3]\n- 「何が一番大変ですか？」 [1, 2]\n[watch_outs]\n- 助言を急がない [1]\n"
	return openaitest.Reply{Text: text, ChunkRunes: 5}
}

func TestPrepStreamsFromModel(t *testing.T) {
	fake, model := fakeModel(t, citingAnswer)
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Bさん", "")

	events, cancel := openStream(t, srv, member+"/prep", tok, map[string]any{"question": "田中さんの件も気になっています"})
	defer cancel()
	evs := collect(t, events)
	var deltas, citations int
	var text strings.Builder
	for _, ev := range evs {
		switch ev.Type {
		case "delta":
			deltas++
			var d map[string]string
			json.Unmarshal(ev.Data, &d)
			text.WriteString(d["text"])
		case "citation":
			citations++
		case "error", "reset":
			t.Errorf("unexpected %s event: %s", ev.Type, ev.Data)
		}
	}
	if evs[0].Type != "progress" || evs[1].Type != "meta" || deltas < 10 || citations != 3 || evs[len(evs)-1].Type != "done" {
		t.Fatalf("events: first %s, %d deltas, %d citations, last %s", evs[0].Type, deltas, citations, evs[len(evs)-1].Type)
	}
	var p assistant.Plan
	json.Unmarshal(evs[len(evs)-1].Data, &p)
	// "次の約束 [99]" stands on an invented source only: left out, counted.
	if p.Mode != "llm" || p.Model != "fake-model" || p.DroppedCitations != 1 || p.UnsupportedDropped != 1 || len(p.Questions) != 2 || len(p.Agenda) != 3 {
		t.Errorf("plan: mode %s model %s dropped %d, %d unsupported, questions %d, agenda %d", p.Mode, p.Model, p.DroppedCitations, p.UnsupportedDropped, len(p.Questions), len(p.Agenda))
	}
	checkPlan(t, srv, tok, p)
	// Every citation is one of the chunks given to the model, by number.
	req := fake.Requests()[0]
	prompt := req.Messages[len(req.Messages)-1].Content
	for _, c := range p.Citations {
		if !strings.Contains(prompt, "["+itoa(c.N)+"] "+c.Title) {
			t.Errorf("citation [%d] %q was not given to the model as [%d]", c.N, c.Title, c.N)
		}
	}
	if req.MaxTokens <= 0 {
		t.Error("the model call has no max_tokens")
	}
	// The question reached the model masked.
	if strings.Contains(prompt, "田中") || !strings.Contains(prompt, "[人物") {
		t.Error("the manager's question was not masked before it was sent")
	}
}

// TestStreamIsIncremental holds the model after its first piece: the
// client must already have that piece, so nothing buffers the stream.
func TestStreamIsIncremental(t *testing.T) {
	gate := make(chan struct{})
	_, model := fakeModel(t, func(r openaitest.Request) openaitest.Reply {
		rep := citingAnswer(r)
		rep.Gate = gate
		return rep
	})
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Bさん", "")
	events, cancel := openStream(t, srv, member+"/prep", tok, map[string]any{})
	defer cancel()
	timeout := time.After(20 * time.Second)
	for first := false; !first; {
		select {
		case ev := <-events:
			first = ev.Type == "delta"
		case <-timeout:
			t.Fatal("no delta reached the client while the model was still writing")
		}
	}
	close(gate)
	evs := collect(t, events)
	if evs[len(evs)-1].Type != "done" {
		t.Errorf("stream ended with %s", evs[len(evs)-1].Type)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestPrepFallsBackWhenTheModelFails(t *testing.T) {
	fake, model := fakeModel(t, func(openaitest.Request) openaitest.Reply { return openaitest.Reply{Status: 500} })
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Bさん", "")
	var p assistant.Plan
	if resp := call(t, srv, "POST", member+"/prep", tok, nil, &p); resp.StatusCode != 200 || p.Mode != "offline" || p.FallbackReason != "llm_unavailable" {
		t.Fatalf("prep = %d, mode %s reason %s; want an offline plan", resp.StatusCode, p.Mode, p.FallbackReason)
	}
	checkPlan(t, srv, tok, p)
	if n := len(fake.Requests()); n != 3 {
		t.Errorf("%d model calls, want 3 (two retries)", n)
	}

	// A stream that breaks mid-answer is reset and answered offline.
	fake.Queue(openaitest.Reply{Text: strings.Repeat("途中まで", 30), BreakAfter: 3})
	events, cancel := openStream(t, srv, member+"/prep", tok, map[string]any{})
	defer cancel()
	var types []string
	var done assistant.Plan
	for _, ev := range collect(t, events) {
		types = append(types, ev.Type)
		if ev.Type == "done" {
			json.Unmarshal(ev.Data, &done)
		}
	}
	seq := strings.Join(types, " ")
	if !strings.Contains(seq, "meta delta") || !strings.Contains(seq, "reset meta") || done.FallbackReason != "llm_interrupted" {
		t.Errorf("broken stream events: %s; reason %q", seq, done.FallbackReason)
	}
}

// TestModelSeesOnlyTheCallersData runs prep and chat for one manager's
// member while another manager of the same organization and another
// member of the first manager have history too: no request to the model
// carries their text.
func TestModelSeesOnlyTheCallersData(t *testing.T) {
	fake, model := fakeModel(t, citingAnswer)
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tokA := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, tokB := pgtest.NewUser(t, db, org, tenant.RoleManager)
	a1 := seedMember(t, srv, tokA, "A1さん", "みかん畑")
	seedMember(t, srv, tokA, "A2さん", "ぶどう棚")
	seedMember(t, srv, tokB, "B1さん", "りんご園")

	if resp := call(t, srv, "POST", a1+"/prep", tokA, map[string]any{"question": "どう進めればいいですか"}, nil); resp.StatusCode != 200 {
		t.Fatalf("prep = %d", resp.StatusCode)
	}
	var th assistant.Thread
	memberID := strings.TrimPrefix(a1, "/api/members/")
	call(t, srv, "POST", "/api/chat/threads", tokA, map[string]any{"member_id": memberID}, &th)
	if resp := call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tokA, map[string]any{"text": "話を聴いてほしいと言われたら、助言を控えるべきですか？"}, nil); resp.StatusCode != 200 {
		t.Fatalf("chat = %d", resp.StatusCode)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2", len(reqs))
	}
	for i, r := range reqs {
		var all strings.Builder
		for _, m := range r.Messages {
			all.WriteString(m.Content)
		}
		s := all.String()
		if !strings.Contains(s, "みかん畑") {
			t.Errorf("request %d lacks the member's own history", i)
		}
		for _, other := range []string{"ぶどう棚", "りんご園", "A2さん", "B1さん"} {
			if strings.Contains(s, other) {
				t.Errorf("request %d carries %q, someone else's data", i, other)
			}
		}
	}
}

func TestChat(t *testing.T) {
	fake, model := fakeModel(t, func(r openaitest.Request) openaitest.Reply {
		rep := citingAnswer(r)
		rep.Text = strings.ReplaceAll(rep.Text, "[summary]\n", "")
		return rep
	})
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, other := pgtest.NewUser(t, db, org, tenant.RoleManager)
	var th assistant.Thread
	if resp := call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th); resp.StatusCode != 201 {
		t.Fatalf("create thread = %d", resp.StatusCode)
	}
	path := "/api/chat/threads/" + th.ID.String()
	if resp := call(t, srv, "POST", path+"/messages", other, map[string]any{"text": "こんにちは"}, nil); resp.StatusCode != 404 {
		t.Errorf("another manager's message = %d, want 404", resp.StatusCode)
	}

	// Several long turns; the model sees as many as fit the budget.
	long := strings.Repeat("挑戦を避けるメンバーにどう声をかけるか悩んでいます。", 40)
	for range 4 {
		var a assistant.ChatAnswer
		if resp := call(t, srv, "POST", path+"/messages", tok, map[string]any{"text": long}, &a); resp.StatusCode != 200 || a.Mode != "llm" {
			t.Fatalf("chat = %d, mode %s", resp.StatusCode, a.Mode)
		}
	}
	events, cancel := openStream(t, srv, path+"/messages", tok, map[string]any{"text": "挑戦を避けるメンバーへの声かけは？"})
	defer cancel()
	evs := collect(t, events)
	var a assistant.ChatAnswer
	json.Unmarshal(evs[len(evs)-1].Data, &a)
	if a.Mode != "llm" || a.DroppedCitations != 1 || len(a.Citations) != 3 || a.Trimmed == 0 {
		t.Errorf("streamed answer: mode %s, dropped %d, citations %d, trimmed %d", a.Mode, a.DroppedCitations, len(a.Citations), a.Trimmed)
	}
	last := fake.Requests()[len(fake.Requests())-1]
	if n := len(last.Messages); n < 3 || n >= 2+2*4+1 {
		t.Errorf("last request has %d messages; want some earlier turns, not all", n)
	}
	var got struct {
		Messages []assistant.Message `json:"messages"`
	}
	call(t, srv, "GET", path, tok, nil, &got)
	if len(got.Messages) != 10 || got.Messages[9].Answer == nil || got.Messages[9].Answer.ID != a.ID {
		t.Errorf("thread has %d messages, want 10 with the last answer", len(got.Messages))
	}

	// Nothing in the guidance: the coach says so, without asking the
	// model, and the curators see the gap.
	before := len(fake.Requests())
	var none assistant.ChatAnswer
	call(t, srv, "POST", path+"/messages", tok, map[string]any{"text": "ロケット燃料の配合比を教えてください"}, &none)
	if !none.NoGuidance || !strings.Contains(none.Text, "見つかりませんでした") || len(fake.Requests()) != before {
		t.Errorf("no-guidance answer: %+v", none)
	}
	_, curator := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	var gaps struct {
		Gaps []assistant.Gap `json:"gaps"`
	}
	call(t, srv, "GET", "/api/kb/gaps", curator, nil, &gaps)
	if len(gaps.Gaps) != 1 || !strings.Contains(gaps.Gaps[0].Query, "ロケット") {
		t.Errorf("gaps = %+v", gaps.Gaps)
	}
	if resp := call(t, srv, "GET", "/api/kb/gaps", tok, nil, nil); resp.StatusCode != 403 {
		t.Errorf("a manager reads the gap report: %d", resp.StatusCode)
	}
}

func TestChatCancelStopsTheModel(t *testing.T) {
	fake, model := fakeModel(t, func(openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Text: strings.Repeat("ゆっくり [1] ", 200), ChunkRunes: 2, ChunkDelay: 10 * time.Millisecond}
	})
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	var th assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th)
	path := "/api/chat/threads/" + th.ID.String()
	events, cancel := openStream(t, srv, path+"/messages", tok, map[string]any{"text": "挑戦を避けるメンバーへの声かけは？"})
	deltas := 0
	for ev := range events {
		if ev.Type == "delta" {
			if deltas++; deltas == 3 {
				cancel()
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for fake.Canceled() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if fake.Canceled() != 1 {
		t.Fatal("cancelling the stream did not stop the model call")
	}
	var got struct {
		Messages []assistant.Message `json:"messages"`
	}
	call(t, srv, "GET", path, tok, nil, &got)
	if len(got.Messages) != 1 {
		t.Errorf("thread has %d messages after a cancelled answer, want the question only", len(got.Messages))
	}
}

func TestSensitiveTopicsAreReferred(t *testing.T) {
	fake, model := fakeModel(t, citingAnswer)
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	contacts := []map[string]string{{"kind": "hr", "name": "人事部 相談窓口", "detail": "内線 1234"}, {"kind": "health", "name": "産業医", "detail": "毎週水曜"}}
	if resp := call(t, srv, "PUT", "/api/org/contacts", admin, map[string]any{"contacts": contacts}, nil); resp.StatusCode != 200 {
		t.Fatalf("set contacts = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "PUT", "/api/org/contacts", tok, map[string]any{"contacts": contacts}, nil); resp.StatusCode != 403 {
		t.Errorf("a manager sets contacts: %d", resp.StatusCode)
	}
	for _, tc := range []struct{ text, topic string }{
		{"部下から、先輩にパワハラを受けていると相談されました。どう対応すれば？", "harassment"},
		{"メンバーが「消えたい」と言っていました。", "crisis"},
		{"He said he has been thinking about suicide. What should I say?", "crisis"},
		{"She plans to sue the company for unfair dismissal.", "legal"},
	} {
		// A thread of its own: earlier turns are screened too.
		var th assistant.Thread
		call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th)
		before := len(fake.Requests())
		var a assistant.ChatAnswer
		call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": tc.text}, &a)
		if a.Referral == nil || a.Referral.Topics[0] != tc.topic || len(a.Referral.Contacts) != 2 || a.FallbackReason != "sensitive_topic" {
			t.Errorf("%q: answer %+v, want a %s referral with the contacts", tc.text, a, tc.topic)
		}
		if len(fake.Requests()) != before {
			t.Errorf("%q was sent to the model", tc.text)
		}
	}
	// A member's request that raises harassment: the plan refers it on.
	member := seedMember(t, srv, tok, "Dさん", "")
	var s struct {
		Sessions []history.Session `json:"sessions"`
	}
	call(t, srv, "GET", member+"/sessions", tok, nil, &s)
	link := newLink(t, srv, tok, "/api/sessions/"+s.Sessions[0].ID.String(), "intake")
	call(t, srv, "POST", link+"/intake", "", map[string]any{"style": "listen", "text": "チーム内のハラスメントについて相談したいです"}, nil)
	var p assistant.Plan
	call(t, srv, "POST", member+"/prep", tok, nil, &p)
	if p.Referral == nil || p.Referral.Topics[0] != "harassment" || len(p.Questions) != 0 || p.FallbackReason != "sensitive_topic" {
		t.Errorf("prep on a harassment request: referral %+v, %d questions, reason %s", p.Referral, len(p.Questions), p.FallbackReason)
	}
}

func TestPlanThatRunsAgainstGuidance(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	mgr, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error {
		_, err := tx.Exec(t.Context(), `UPDATE users SET language = 'en' WHERE id = $1`, mgr.UserID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var m redacted[history.Member]
	call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "Member 7"}, &m)
	member := "/api/members/" + m.Data.ID.String()
	call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "scheduled", "scheduled_at": time.Now().Add(48 * time.Hour),
		"request_topics": []string{"challenge"}, "request_style": "think-together",
		"request_text": "I'm not ready for the lead role yet; I'd rather stay with work I know."}, nil)
	var p assistant.Plan
	call(t, srv, "POST", member+"/prep", tok, map[string]any{"question": "I'll push her harder on stretch goals this quarter."}, &p)
	flagged := false
	for _, w := range p.WatchOuts {
		if strings.HasPrefix(w.Text, "This part of your plan") && strings.Contains(w.Text, "goes against the guidance") && len(w.Cites) == 1 {
			flagged = true
		}
	}
	if !flagged || p.Language != "en" {
		t.Errorf("the plan does not flag the stated plan with a citation: %+v", p.WatchOuts)
	}
}

func TestReflection(t *testing.T) {
	_, model := fakeModel(t, func(openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Text: "- 聴くことに徹せましたか？ [1]\n- 合意したアクションは明確ですか？ [2]\n- 次に試すことは？ [42]\n- 本人の希望に沿えましたか？\n"}
	})
	for _, tc := range []struct {
		name  string
		model *llm.Client
		mode  string
	}{{"offline", nil, "offline"}, {"llm", model, "llm"}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, coachDeps(t, tc.model, 0))
			org := pgtest.NewOrg(t, db)
			_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
			member := seedMember(t, srv, tok, "Eさん", "")
			var s struct {
				Sessions []history.Session `json:"sessions"`
			}
			call(t, srv, "GET", member+"/sessions", tok, nil, &s)
			held := s.Sessions[1] // newest held
			if resp := call(t, srv, "POST", "/api/sessions/"+s.Sessions[0].ID.String()+"/reflection", tok, nil, nil); resp.StatusCode != 400 {
				t.Errorf("reflection on a scheduled session = %d, want 400", resp.StatusCode)
			}
			var r assistant.Reflection
			if resp := call(t, srv, "POST", "/api/sessions/"+held.ID.String()+"/reflection", tok, nil, &r); resp.StatusCode != 200 {
				t.Fatalf("reflection = %d", resp.StatusCode)
			}
			if r.Mode != tc.mode || len(r.Prompts) < 3 || len(r.Prompts) > 6 || len(r.Citations) == 0 {
				t.Fatalf("reflection: mode %s, %d prompts, %d citations", r.Mode, len(r.Prompts), len(r.Citations))
			}
			if tc.mode == "llm" && r.DroppedCitations != 1 {
				t.Errorf("dropped citations = %d, want 1", r.DroppedCitations)
			}
			// Answers go to the history and feed the next prep.
			answers := []map[string]string{{"prompt": r.Prompts[0].Text, "answer": "つい助言してしまった。次は質問だけにする。"}}
			if resp := call(t, srv, "PUT", "/api/sessions/"+held.ID.String()+"/reflection/answers", tok, map[string]any{"answers": answers}, nil); resp.StatusCode != 200 {
				t.Fatalf("answers = %d", resp.StatusCode)
			}
			var p assistant.Plan
			call(t, srv, "POST", member+"/prep", tok, nil, &p)
			found := false
			for _, w := range p.WatchOuts {
				found = found || strings.Contains(w.Text, "次は質問だけにする")
			}
			if tc.mode == "offline" && !found {
				t.Errorf("the next prep does not bring back the reflection: %+v", p.WatchOuts)
			}
		})
	}
}

// TestBudgetTurnsTheCoachOffline: preps running at once cannot spend past
// the organization's daily budget together: each holds the most it can
// cost before its call, and the rest answer offline. Another organization
// has its own budget.
func TestBudgetTurnsTheCoachOffline(t *testing.T) {
	const budget = 9000
	arrived := make(chan struct{}, 8)
	release := make(chan struct{})
	fake, model := fakeModel(t, func(r openaitest.Request) openaitest.Reply {
		arrived <- struct{}{}
		<-release // every prep is in flight before any settles
		return citingAnswer(r)
	})
	srv := newTestServer(t, coachDeps(t, model, budget))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Fさん", "")

	plans := make([]assistant.Plan, 4)
	var wg sync.WaitGroup
	for i := range plans {
		wg.Go(func() { call(t, srv, "POST", member+"/prep", tok, nil, &plans[i]) })
	}
	go func() {
		// Let the model answer once the calls that fit are all waiting.
		time.Sleep(time.Second)
		close(release)
	}()
	wg.Wait()
	llmAnswers, refused := 0, 0
	for _, p := range plans {
		switch {
		case p.Mode == "llm":
			llmAnswers++
		case p.FallbackReason == "budget_exceeded":
			refused++
		}
	}
	var spent, reserved int64
	err := db.OrgScope(org).InTx(t.Context(), func(tx pgx.Tx) error {
		return tx.QueryRow(t.Context(), `SELECT prompt_tokens + completion_tokens, reserved_tokens FROM llm_usage WHERE day = current_date`).Scan(&spent, &reserved)
	})
	if err != nil {
		t.Fatal(err)
	}
	if llmAnswers == 0 || refused == 0 || len(fake.Requests()) != llmAnswers || spent > budget || reserved != 0 {
		t.Errorf("4 preps at once: %d by the model, %d refused, %d model calls, %d tokens spent of %d, %d still held",
			llmAnswers, refused, len(fake.Requests()), spent, budget, reserved)
	}
	t.Logf("4 preps at once under a %d-token budget: %d by the model, %d offline for the budget, %d tokens spent", budget, llmAnswers, refused, spent)

	// Another organization has its own budget.
	org2 := pgtest.NewOrg(t, db)
	_, tok2 := pgtest.NewUser(t, db, org2, tenant.RoleManager)
	var p assistant.Plan
	call(t, srv, "POST", seedMember(t, srv, tok2, "Gさん", "")+"/prep", tok2, nil, &p)
	if p.Mode != "llm" {
		t.Errorf("another organization's prep is %s (%s)", p.Mode, p.FallbackReason)
	}
}

func TestErasureCoversCoaching(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Hさん", "")
	id := uuid.MustParse(strings.TrimPrefix(member, "/api/members/"))
	var p assistant.Plan
	call(t, srv, "POST", member+"/prep", tok, nil, &p)
	call(t, srv, "POST", "/api/answers/"+p.ID.String()+"/feedback", tok, map[string]any{"helpful": false}, nil)
	var th assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{"member_id": id}, &th)
	call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": "聴くことに徹するには？"}, nil)
	// A conversation not tied to the member that names them goes too; one
	// that does not name them stays.
	var loose, other assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &loose)
	call(t, srv, "POST", "/api/chat/threads/"+loose.ID.String()+"/messages", tok, map[string]any{"text": "Hさんが挑戦を避けています。どう声をかけますか？"}, nil)
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &other)
	call(t, srv, "POST", "/api/chat/threads/"+other.ID.String()+"/messages", tok, map[string]any{"text": "挑戦を避けるメンバーへの声かけは？"}, nil)
	// The export holds every row the erasure deletes.
	var export history.Export
	call(t, srv, "GET", member+"/export", tok, nil, &export)
	var erased map[string]history.Erased
	call(t, srv, "DELETE", member, tok, nil, &erased)
	e := erased["erased"]
	for table, n := range e {
		if table != "members" && int64(len(export.Records[table])) != n {
			t.Errorf("export has %d rows of %s, the erasure deleted %d", len(export.Records[table]), table, n)
		}
	}
	if e["chat_threads"] != 2 || e["chat_messages"] != 4 || e["coach_answers"] != 3 || e["answer_feedback"] != 1 {
		t.Errorf("erased = %v", e)
	}
	if resp := call(t, srv, "GET", "/api/chat/threads/"+loose.ID.String(), tok, nil, nil); resp.StatusCode != 404 {
		t.Errorf("the conversation naming the member = %d, want 404", resp.StatusCode)
	}
	if resp := call(t, srv, "GET", "/api/chat/threads/"+other.ID.String(), tok, nil, nil); resp.StatusCode != 200 {
		t.Errorf("an unrelated conversation = %d, want 200", resp.StatusCode)
	}
	n := rowsAbout(t, id)
	if n != 0 {
		t.Errorf("%d rows about the erased member remain", n)
	}
	var deleted int64
	for _, k := range e {
		deleted += k
	}
	t.Logf("erasure: %d rows deleted over %d tables, all of them in the export; %d rows about the member remain", deleted, len(e), n)
}

// TestShutdownEndsStreams: when a shutdown's grace period ends mid-stream,
// the stream closes with an error event the UI understands (unavailable,
// try again), and the access log says 503.
func TestShutdownEndsStreams(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	_, model := fakeModel(t, func(req openaitest.Request) openaitest.Reply {
		r := citingAnswer(req)
		r.Gate = gate // the model keeps "writing" until the test ends
		// A first chunk long enough to show: a short one ("[summ") is held
		// back by the sanitizer, the stream then stalls into an offline
		// answer, and the shutdown raced that answer's done event.
		r.ChunkRunes = 40
		return r
	})
	d := coachDeps(t, model, 0)
	var logs syncBuffer
	d.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	coach, err := assistant.New(assistant.Config{Logger: d.Logger, Knowledge: d.Knowledge, History: d.History, Safety: sharedDetector(t), LLM: model})
	if err != nil {
		t.Fatal(err)
	}
	d.Coach = coach
	base, shutdown := context.WithCancelCause(context.Background())
	defer shutdown(nil)
	srv := httptest.NewUnstartedServer(newEcho(d))
	srv.Config.BaseContext = func(net.Listener) context.Context { return base }
	srv.Start()
	t.Cleanup(srv.Close)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Sさん", "")

	events, cancel := openStream(t, srv, member+"/prep", tok, map[string]any{})
	defer cancel()
	for ev := range events {
		if ev.Type == "delta" {
			break // the model is writing
		}
	}
	shutdown(ErrShutdown)
	var last event
	for ev := range events {
		last = ev
	}
	var detail errorDetail
	json.Unmarshal(last.Data, &detail)
	if last.Type != "error" || detail.Code != "unavailable" || !strings.Contains(detail.Message, "try again") {
		t.Errorf("last event %s %s, want an error event: unavailable, try again", last.Type, last.Data)
	}
	if !strings.Contains(logs.String(), "route=/api/members/:id/prep status=503") {
		t.Errorf("the cut stream was not logged as 503:\n%s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestHungModelAnswersOffline: a model that takes requests and never
// answers costs a prep one first-token bound, not the request: the plan
// comes back offline, well inside a request timeout shorter than the
// model's own total timeout.
func TestHungModelAnswersOffline(t *testing.T) {
	fake := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply { return openaitest.Reply{Hang: true} })
	model := llm.New(llm.Config{BaseURL: fake.BaseURL(), Model: "fake-model", Timeout: time.Minute,
		FirstToken: 300 * time.Millisecond, Idle: 300 * time.Millisecond})
	d := coachDeps(t, model, 0)
	d.RequestTimeout = 5 * time.Second
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Hさん", "")

	var p assistant.Plan
	if resp := call(t, srv, "POST", member+"/prep", tok, nil, &p); resp.StatusCode != 200 {
		t.Fatalf("prep with a hung model = %d, want 200 (offline)", resp.StatusCode)
	}
	if p.Mode != "offline" || p.FallbackReason != assistant.ReasonUnavailable {
		t.Errorf("mode %q reason %q, want offline because the model is unavailable", p.Mode, p.FallbackReason)
	}
	// One wait, not one per model call: the first silence opens the
	// breaker, so the answer after the safety classifier goes offline at
	// once.
	// The fake hears of the client giving up when its connection closes,
	// a moment after the answer: wait for that, not for a fixed time.
	for deadline := time.Now().Add(5 * time.Second); fake.Canceled() < 1 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n, c := len(fake.Requests()), fake.Canceled(); n != 1 || c != 1 {
		t.Errorf("the hung model got %d requests (%d given up on), want 1", n, c)
	}
}

// TestEmbeddingsDown: the chat model and the embeddings share one
// endpoint. A prep embeds its queries in one request; while the embedding
// model fails or hangs, search and prep answer from the lexical retriever,
// labelled, and once the breaker is open they stop asking it.
func TestEmbeddingsDown(t *testing.T) {
	question := "来週の1on1で業務量の話をどう切り出すか"
	for _, fault := range []openaitest.Reply{{Status: 503}, {Hang: true}} {
		fake := openaitest.NewServer(t, nil)
		emb := llm.NewEndpoint(llm.Config{BaseURL: fake.BaseURL(), EmbedTimeout: 300 * time.Millisecond, MaxWait: time.Second}).
			Embedder("fake-embed", 0)
		d := coachDeps(t, nil, 0)
		a, err := analyzer()
		if err != nil {
			t.Fatal(err)
		}
		d.Knowledge = knowledge.New(d.Logger, a, emb)
		if d.Coach, err = assistant.New(assistant.Config{Logger: d.Logger, Knowledge: d.Knowledge, History: d.History,
			Safety: sharedDetector(t), Embedder: emb}); err != nil {
			t.Fatal(err)
		}
		srv := newTestServer(t, d)
		org := pgtest.NewOrg(t, db)
		_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
		member := seedMember(t, srv, tok, "Eさん", "")

		var p assistant.Plan
		if resp := call(t, srv, "POST", member+"/prep", tok, map[string]any{"question": question}, &p); resp.StatusCode != 200 {
			t.Fatalf("prep = %d", resp.StatusCode)
		}
		asked := 0
		for _, in := range fake.EmbedRequests() {
			for _, text := range in {
				if strings.Contains(text, "業務量の話") {
					asked++
				}
			}
		}
		if asked != 1 {
			t.Errorf("the question was embedded %d times in one prep, want once", asked)
		}

		fake.FailEmbeddings(fault)
		before := len(fake.EmbedRequests())
		for i := range 8 {
			var res knowledge.Result
			if resp := call(t, srv, "POST", "/api/kb/search", tok, map[string]any{"query": "傾聴のコツ"}, &res); resp.StatusCode != 200 {
				t.Fatalf("search %d with the embeddings down (%+v) = %d, want lexical results", i, fault, resp.StatusCode)
			}
			if len(res.Hits) == 0 || res.Degraded != "dense" || slices.Contains(res.Retrievers, "dense") {
				t.Fatalf("search %d with the embeddings down: %d hits, retrievers %v, degraded %q; want lexical hits labelled", i, len(res.Hits), res.Retrievers, res.Degraded)
			}
		}
		if resp := call(t, srv, "POST", member+"/prep", tok, map[string]any{"question": question}, &p); resp.StatusCode != 200 || len(p.Citations) == 0 {
			t.Fatalf("prep with the embeddings down = %d with %d citations", resp.StatusCode, len(p.Citations))
		}
		// 5 failures open the breaker: a 503 is asked 3 times per call,
		// a hang once (it opens the breaker at once).
		want := 15
		if fault.Hang {
			want = 1
		}
		if n := len(fake.EmbedRequests()) - before; n > want {
			t.Errorf("%+v: %d embedding requests over 8 searches and a prep, want at most %d", fault, n, want)
		}
	}
}

// TestStreamStartsAtOnce: a stream's first event leaves before retrieval
// and the model, and a quiet stream gets keep-alive comments while the
// model says nothing.
func TestStreamStartsAtOnce(t *testing.T) {
	gate := make(chan struct{})
	_, model := fakeModel(t, func(r openaitest.Request) openaitest.Reply {
		<-gate // the model thinks until the test lets it answer
		return citingAnswer(r)
	})
	d := coachDeps(t, model, 0)
	d.KeepAlive = 100 * time.Millisecond
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Kさん", "")
	events, cancel := openStream(t, srv, member+"/prep", tok, map[string]any{})
	defer cancel()
	// Keep-alive comments may come before meta too, when retrieval takes
	// longer than the keep-alive interval (the embedded database on a
	// busy machine): the order of the events is what is checked.
	var seen, order []string
	timeout := time.After(20 * time.Second)
	for comments := 0; comments < 3; {
		select {
		case ev := <-events:
			seen = append(seen, ev.Type)
			if ev.Type != "comment" {
				order = append(order, ev.Type)
			} else if slices.Contains(order, "meta") {
				comments++
			}
		case <-timeout:
			t.Fatalf("events while the model is silent: %v; want progress, meta, then keep-alive comments", seen)
		}
	}
	if !slices.Equal(order, []string{"progress", "meta"}) || seen[0] != "progress" {
		t.Errorf("events %v, want progress first, then meta, before the model answers", seen)
	}
	close(gate)
	evs := collect(t, events)
	if evs[len(evs)-1].Type != "done" {
		t.Errorf("stream ended with %s", evs[len(evs)-1].Type)
	}
}
