package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/assistant/safety"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// A crisis in the member's own words or in last week's notes makes the
// next prep a referral, before any model call, and opens the member's page
// with it. Reflection and chat about the member refer too, and the admins
// see counts only.
func TestMemberTextsAreScreened(t *testing.T) {
	fake, model := fakeModel(t, citingAnswer)
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	day := func(d int) string { return time.Now().AddDate(0, 0, d).UTC().Format(time.RFC3339) }

	for _, tc := range []struct {
		name, intake, note, matter string
		immediate                  bool
	}{
		{name: "intake", intake: "正直もう消えてしまいたいって思う日があります", matter: safety.Crisis},
		{name: "note", note: "本人「ぜんぶ終わりにしたい、もう遺書も書いた」と。", matter: safety.Crisis, immediate: true},
		{name: "note-harassment", note: "飲み会の帰りに先輩から体を触られたと本人から。", matter: safety.Harassment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m redacted[history.Member]
			call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "M-" + tc.name}, &m)
			member := "/api/members/" + m.Data.ID.String()
			var held redacted[history.Session]
			if resp := call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "held", "held_at": day(-7), "condition": 2,
				"request_style": "listen", "notes": "進捗の確認。" + tc.note}, &held); resp.StatusCode != 201 {
				t.Fatalf("log session = %d", resp.StatusCode)
			}
			var next redacted[history.Session]
			call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "scheduled", "scheduled_at": day(3)}, &next)
			link := newLink(t, srv, tok, "/api/sessions/"+next.Data.ID.String(), "intake")
			if resp := call(t, srv, "POST", link+"/intake", "", map[string]any{"style": "listen", "text": "来期の目標について。" + tc.intake}, nil); resp.StatusCode != 200 {
				t.Fatalf("intake = %d", resp.StatusCode)
			}

			before := len(fake.Requests())
			var p assistant.Plan
			call(t, srv, "POST", member+"/prep", tok, nil, &p)
			if p.Referral == nil || !slices.Contains(p.Referral.Topics, tc.matter) || p.Referral.Immediate != tc.immediate {
				t.Fatalf("prep referral = %+v, want %s (immediate %v)", p.Referral, tc.matter, tc.immediate)
			}
			if p.Summary != p.Referral.Message || len(p.Questions)+len(p.Agenda)+len(p.Citations) != 0 || p.FallbackReason != "sensitive_topic" {
				t.Errorf("the prep still coaches: %+v", p)
			}
			if tc.immediate && !strings.Contains(p.Referral.Steps[0], "119") {
				t.Errorf("an immediate risk does not start with emergency services: %v", p.Referral.Steps)
			}
			if !p.Referral.DefaultContacts || len(p.Referral.Contacts) == 0 {
				t.Errorf("no contacts registered, and no default ones: %+v", p.Referral)
			}
			var page struct {
				Referral *assistant.Referral `json:"referral"`
			}
			call(t, srv, "GET", member+"/referral", tok, nil, &page)
			if page.Referral == nil || !slices.Equal(page.Referral.Topics, p.Referral.Topics) {
				t.Errorf("member page referral = %+v", page.Referral)
			}
			var r assistant.Reflection
			call(t, srv, "POST", "/api/sessions/"+held.Data.ID.String()+"/reflection", tok, nil, &r)
			if tc.note != "" && (r.Referral == nil || r.FallbackReason != "sensitive_topic") {
				t.Errorf("reflection on a session with a %s note: %+v", tc.matter, r)
			}
			var th assistant.Thread
			call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{"member_id": m.Data.ID}, &th)
			var a assistant.ChatAnswer
			call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": "次の1on1で何を話せばいい？"}, &a)
			if a.Referral == nil {
				t.Errorf("chat about the member coached: %+v", a)
			}
			if n := len(fake.Requests()) - before; n != 0 {
				t.Errorf("%d model calls for a member whose texts need a referral", n)
			}
		})
	}

	// A member with nothing sensitive gets a coached plan and a plain page.
	plain := seedMember(t, srv, tok, "Plain", "")
	var page struct {
		Referral *assistant.Referral `json:"referral"`
	}
	call(t, srv, "GET", plain+"/referral", tok, nil, &page)
	var p assistant.Plan
	call(t, srv, "POST", plain+"/prep", tok, nil, &p)
	if page.Referral != nil || p.Referral != nil || p.Mode != "llm" {
		t.Errorf("an ordinary member was referred: page %+v, prep %+v", page.Referral, p.Referral)
	}

	// Admins see counts, never text; managers cannot.
	var counts struct {
		Counts []assistant.ReferralCount `json:"counts"`
	}
	if resp := call(t, srv, "GET", "/api/org/referrals", admin, nil, &counts); resp.StatusCode != 200 {
		t.Fatalf("referral counts = %d", resp.StatusCode)
	}
	total := 0
	for _, c := range counts.Counts {
		total += c.Count
	}
	if total < 3+2+3 { // three preps, two reflections, three chats
		t.Errorf("referral counts %+v, want at least 8", counts.Counts)
	}
	if resp := call(t, srv, "GET", "/api/org/referrals", tok, nil, nil); resp.StatusCode != 403 {
		t.Errorf("a manager reads referral counts: %d", resp.StatusCode)
	}
}

// An organization's own phrase raises a referral, in its conjugations; a
// phrase for an unknown matter is refused.
func TestOrganizationSafetyPhrases(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	phrases := []safety.Phrase{{Matter: safety.Harassment, Phrase: "追い出し会議に呼ぶ"}}
	if resp := call(t, srv, "PUT", "/api/org/safety-phrases", admin, map[string]any{"phrases": phrases}, nil); resp.StatusCode != 200 {
		t.Fatalf("set phrases = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "PUT", "/api/org/safety-phrases", admin, map[string]any{"phrases": []safety.Phrase{{Matter: "gossip", Phrase: "x"}}}, nil); resp.StatusCode != 400 {
		t.Errorf("an unknown matter = %d, want 400", resp.StatusCode)
	}
	if resp := call(t, srv, "PUT", "/api/org/safety-phrases", tok, map[string]any{"phrases": phrases}, nil); resp.StatusCode != 403 {
		t.Errorf("a manager sets phrases: %d", resp.StatusCode)
	}
	var got struct {
		Phrases []safety.Phrase `json:"phrases"`
	}
	call(t, srv, "GET", "/api/org/safety-phrases", admin, nil, &got)
	if !slices.Equal(got.Phrases, phrases) {
		t.Errorf("phrases = %+v", got.Phrases)
	}
	var th assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th)
	var a assistant.ChatAnswer
	call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": "部下がまた追い出し会議に呼ばれたそうです"}, &a)
	if a.Referral == nil || a.Referral.Topics[0] != safety.Harassment {
		t.Errorf("the organization's phrase did not refer: %+v", a)
	}
}

// classifierDeps are coachDeps with the safety classifier on.
func classifierDeps(t *testing.T, model *llm.Client) Deps {
	t.Helper()
	d := coachDeps(t, model, 0)
	coach, err := assistant.New(assistant.Config{Logger: d.Logger, Knowledge: d.Knowledge, History: d.History, Safety: sharedDetector(t), LLM: model, SafetyClassifier: true})
	if err != nil {
		t.Fatal(err)
	}
	d.Coach = coach
	return d
}

// With the classifier on, the model may raise a matter the lexicon missed,
// before any coaching call; when it fails, the lexicon's answer stands and
// the coach coaches.
func TestSafetyClassifier(t *testing.T) {
	broken := false
	fake, model := fakeModel(t, func(req openaitest.Request) openaitest.Reply {
		if strings.HasPrefix(req.Messages[0].Content, safety.ClassifierMarker) {
			if broken {
				return openaitest.Reply{Status: 400, Code: "invalid_request_error"}
			}
			if strings.Contains(req.Messages[1].Content, "ロッカー") {
				return openaitest.Reply{Text: `{"matters": ["harassment"], "immediate": false}`}
			}
			return openaitest.Reply{Text: `{"matters": [], "immediate": false}`}
		}
		return citingAnswer(req)
	})
	srv := newTestServer(t, classifierDeps(t, model))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	var th assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th)
	send := func(text string) (assistant.ChatAnswer, []openaitest.Request) {
		before := len(fake.Requests())
		var a assistant.ChatAnswer
		call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": text}, &a)
		return a, fake.Requests()[before:]
	}
	a, reqs := send("メンバーのロッカーに毎朝メモが入っているそうです")
	if a.Referral == nil || !slices.Contains(a.Referral.Topics, safety.Harassment) || len(reqs) != 1 {
		t.Errorf("classifier flag: referral %+v after %d model calls, want one screening call", a.Referral, len(reqs))
	}
	a, _ = send("傾聴のコツを教えてください")
	if a.Referral == nil {
		// Earlier turns are screened too: the thread stays referred.
		t.Errorf("the thread's earlier turn was not screened")
	}
	var th2 assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th2)
	th = th2
	broken = true
	a, reqs = send("傾聴のコツを教えてください")
	if a.Referral != nil || a.Mode != "llm" || len(reqs) < 2 {
		t.Errorf("a failed classifier: referral %+v, mode %s, %d calls; want the coached answer", a.Referral, a.Mode, len(reqs))
	}
}

// What only the statistical screen flags is a possible referral: offline,
// it stops the coach like any other, and the manager may dismiss it after
// reading the text; asked again, the coach answers. With the classifier,
// the chat model confirms it (a referral, no coaching) or clears it.
func TestPossibleReferral(t *testing.T) {
	const text = "最近、家に帰るとベッドの上で何時間も天井を見ていて、何のために働いているのかもうわからない"
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	var th assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th)
	var a assistant.ChatAnswer
	call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": text}, &a)
	if !a.Referral.Blocks(false) || !a.Referral.Possible || a.FallbackReason != "sensitive_topic" || len(a.Referral.Dismiss) != 1 || len(a.Citations) != 0 {
		t.Fatalf("offline: want a possible referral instead of coaching, got %+v", a)
	}
	for _, bad := range []map[string]any{{"dismiss": []string{}}, {"dismiss": []string{"not a digest"}}, {"dismiss": a.Referral.Dismiss, "topics": []string{"weather"}}} {
		if code := call(t, srv, "POST", "/api/referrals/dismissals", tok, bad, nil).StatusCode; code != http.StatusBadRequest {
			t.Errorf("dismiss %v: %d, want 400", bad, code)
		}
	}
	if code := call(t, srv, "POST", "/api/referrals/dismissals", tok, map[string]any{"dismiss": a.Referral.Dismiss, "topics": a.Referral.Topics}, nil).StatusCode; code != http.StatusNoContent {
		t.Fatalf("dismiss: %d", code)
	}
	a = assistant.ChatAnswer{}
	call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": text}, &a)
	if a.Referral != nil || a.FallbackReason == "sensitive_topic" {
		t.Errorf("after the dismissal: referral %+v, reason %s; want the coach to answer", a.Referral, a.FallbackReason)
	}
	// A dismissal quiets the statistical screen only: the lexicon still
	// reads the same thread.
	a = assistant.ChatAnswer{}
	call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": "もう消えてしまいたいと言っていた"}, &a)
	if !a.Referral.Blocks(false) || a.Referral.Possible || len(a.Referral.Dismiss) != 0 {
		t.Errorf("a lexicon flag after a dismissal: %+v, want a referral that cannot be dismissed", a.Referral)
	}
	var counts struct {
		Counts []assistant.ReferralCount `json:"counts"`
	}
	call(t, srv, "GET", "/api/org/referrals", admin, nil, &counts)
	var possible, dismissed int
	for _, c := range counts.Counts {
		possible, dismissed = possible+c.Possible, dismissed+c.Dismissed
	}
	if possible != 1 || dismissed != 1 {
		t.Errorf("admin counts %+v: want one possible referral and one dismissal", counts.Counts)
	}

	for _, tc := range []struct {
		verdict string
		block   bool
	}{{`{"matters": ["crisis"], "immediate": false}`, true}, {`{"matters": [], "immediate": false}`, false}} {
		fake, model := fakeModel(t, func(req openaitest.Request) openaitest.Reply {
			if strings.HasPrefix(req.Messages[0].Content, safety.ClassifierMarker) {
				return openaitest.Reply{Text: tc.verdict}
			}
			return citingAnswer(req)
		})
		srv := newTestServer(t, classifierDeps(t, model))
		var th assistant.Thread
		call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th)
		var a assistant.ChatAnswer
		call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": text}, &a)
		reqs := fake.Requests()
		switch {
		case tc.block && (!a.Referral.Blocks(false) || len(reqs) != 1):
			t.Errorf("classifier confirms: referral %+v after %d model calls, want a referral and no coaching call", a.Referral, len(reqs))
		case !tc.block && (a.Referral != nil || a.Mode != "llm"):
			t.Errorf("classifier clears: referral %+v, mode %s", a.Referral, a.Mode)
		}
	}
}

// A vague possible referral (the screen cannot name the matter) sits
// beside a prep plan, as its first watch-out, instead of replacing it; a
// chat turn is still replaced.
func TestVagueReferralBesidesThePlan(t *testing.T) {
	const text = "Suggested she stop splitting the difference day to day. Her list shows about 30% of the fintech work could go to the junior AM. She asked me to talk to both account directors about Q4 priorities."
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Member E", "")
	var p assistant.Plan
	if resp := call(t, srv, "POST", member+"/prep", tok, map[string]any{"question": text}, &p); resp.StatusCode != 200 {
		t.Fatalf("prep = %d", resp.StatusCode)
	}
	switch {
	case p.Referral == nil || !p.Referral.Vague || !p.Referral.Possible || p.Referral.Blocks(true):
		t.Fatalf("referral %+v, want a vague possible one", p.Referral)
	case p.FallbackReason == "sensitive_topic" || len(p.Agenda) < 2 || len(p.Citations) == 0:
		t.Errorf("the plan was replaced: reason %q, %d agenda items, %d citations", p.FallbackReason, len(p.Agenda), len(p.Citations))
	case len(p.WatchOuts) == 0 || !strings.HasPrefix(p.WatchOuts[0].Text, "あなたの質問に") || strings.Contains(p.WatchOuts[0].Text, "次の窓口"):
		t.Errorf("watch-outs %+v, want the referral first, saying where and pointing nowhere", p.WatchOuts)
	}
	for _, step := range p.Referral.Steps {
		if strings.Contains(step, "harassment") || strings.Contains(step, "legal") && !strings.Contains(step, "HR") {
			t.Errorf("a vague referral's step names a matter it cannot tell: %q", step)
		}
	}
	var th assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th)
	var a assistant.ChatAnswer
	call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": text}, &a)
	if !a.Referral.Blocks(false) || len(a.Citations) != 0 {
		t.Errorf("chat: referral %+v, %d citations; want the referral in place of the answer", a.Referral, len(a.Citations))
	}
}

// TestPublicCritiqueReadingBesidesThePlan: the statistical screen's
// reading of harassment in the manager's own plan to criticise the member
// in front of others is told beside the plan check that warns against
// that plan, not in the plan's place.
func TestPublicCritiqueReadingBesidesThePlan(t *testing.T) {
	const text = "Protein is still over budget. My plan: tell L in the 1on1 that on Monday I'll put his prep sheets up at the kitchen huddle and go through his trim waste numbers in front of the whole line, so everyone learns from it."
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Member L", "")
	var p assistant.Plan
	if resp := call(t, srv, "POST", member+"/prep", tok, map[string]any{"question": text}, &p); resp.StatusCode != 200 {
		t.Fatalf("prep = %d", resp.StatusCode)
	}
	switch {
	case p.Referral == nil || !p.Referral.Possible || p.Referral.Blocks(true):
		t.Fatalf("referral %+v, want a possible one beside the plan", p.Referral)
	case p.FallbackReason == "sensitive_topic" || len(p.Agenda) < 2:
		t.Errorf("the plan was replaced: reason %q, %d agenda items", p.FallbackReason, len(p.Agenda))
	case !slices.ContainsFunc(p.WatchOuts, func(w assistant.Item) bool { return strings.Contains(w.Text, "勧められません") }):
		t.Errorf("watch-outs %+v, want the plan warned against", p.WatchOuts)
	}
}

// TestCustomerHarassmentBesidesThePlan: abuse from customers or the public
// is told beside the plan (the manager is the member's first support),
// while the same words about a colleague still replace the coaching.
func TestCustomerHarassmentBesidesThePlan(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	for _, tt := range []struct {
		question string
		beside   bool
	}{
		{"Last week's storm delays were brutal, with passengers screaming at her team. How do I open the 1on1 so she feels heard?", true},
		{"先週、窓口でお客様に20分怒鳴られたそうです。1on1ではどう切り出せばいいですか？", true},
		{"Her lead keeps yelling at her in front of the whole team. How do I open the 1on1 so she feels heard?", false},
		{"課長がクライアントの前で本人に土下座させたらしいです。1on1でどう話せばいいですか？", false},
	} {
		member := seedMember(t, srv, tok, "Member "+strconv.Itoa(len(tt.question)), "")
		var p assistant.Plan
		if resp := call(t, srv, "POST", member+"/prep", tok, map[string]any{"question": tt.question}, &p); resp.StatusCode != 200 {
			t.Fatalf("prep = %d", resp.StatusCode)
		}
		switch {
		case p.Referral == nil:
			t.Errorf("%q: no referral", tt.question)
		case tt.beside && (!p.Referral.Customer || p.Referral.Blocks(true) || len(p.Agenda) < 2 || len(p.WatchOuts) == 0 ||
			!strings.Contains(p.WatchOuts[0].Text, "harassment") && !strings.Contains(p.WatchOuts[0].Text, "ハラスメント")):
			t.Errorf("%q: referral %+v, %d agenda items, watch-outs %+v; want the plan with the notice first", tt.question, p.Referral, len(p.Agenda), p.WatchOuts)
		case !tt.beside && (p.Referral.Customer || !p.Referral.Blocks(true)):
			t.Errorf("%q: referral %+v; want it in place of the plan", tt.question, p.Referral)
		}
	}
}
