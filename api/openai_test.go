package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// openAIErr is OpenAI's error body, as the /v1 routes answer errors.
type openAIErr struct {
	Error struct {
		Message   string  `json:"message"`
		Type      string  `json:"type"`
		Param     *string `json:"param"`
		Code      string  `json:"code"`
		RequestID string  `json:"request_id"`
	} `json:"error"`
}

// chatReply is a model that answers a chat message citing the first
// sources it was given (and one number it was not).
func chatReply(req openaitest.Request) openaitest.Reply {
	r := citingAnswer(req)
	r.Text = strings.ReplaceAll(r.Text, "[summary]\n", "")
	return r
}

// msgs is a conversation of alternating user and assistant turns, with a
// system message first (which the coach ignores).
func msgs(turns ...string) []map[string]any {
	out := []map[string]any{{"role": "system", "content": "You are a helpful assistant. Today is " + time.Now().Format(time.DateOnly)}}
	for i, t := range turns {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		out = append(out, map[string]any{"role": role, "content": t})
	}
	return out
}

// complete makes a non-streaming completion and fails the test unless it
// is a 200.
func complete(t *testing.T, srv *httptest.Server, tok, model string, messages []map[string]any) chatCompletion {
	t.Helper()
	var out chatCompletion
	resp := call(t, srv, "POST", "/v1/chat/completions", tok, map[string]any{"model": model, "messages": messages}, &out)
	if resp.StatusCode != 200 || len(out.Choices) != 1 {
		t.Fatalf("completion = %d %+v", resp.StatusCode, out)
	}
	return out
}

// openAIStream makes a streaming completion as OpenAI's SDKs do (stream in
// the body, Accept: application/json) and returns each event's data, in
// order. Comments (keep-alives) are skipped; a named event fails the test:
// the SDKs would not read it as a chunk.
func openAIStream(t *testing.T, srv *httptest.Server, tok string, body map[string]any) []string {
	t.Helper()
	body["stream"] = true
	buf, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/v1/chat/completions", bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var data []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			t.Fatalf("stream line %q: want data lines only", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return data
}

// streamed is a stream's chunks, checked for OpenAI's order: the role
// first, then content, one finish reason, the usage chunk when asked for,
// and [DONE] last. It returns the content the client would show.
func streamed(t *testing.T, data []string, model string, usage bool) (id, content string, chunks []completionChunk) {
	t.Helper()
	if len(data) < 4 || data[len(data)-1] != "[DONE]" {
		t.Fatalf("stream of %d events does not end with [DONE]: %q", len(data), data)
	}
	for _, d := range data[:len(data)-1] {
		var ch completionChunk
		if err := json.Unmarshal([]byte(d), &ch); err != nil {
			t.Fatalf("chunk %s: %v", d, err)
		}
		chunks = append(chunks, ch)
	}
	first := chunks[0]
	if len(first.Choices) != 1 || first.Choices[0].Delta.Role != "assistant" || first.Choices[0].Delta.Content != "" {
		t.Errorf("first chunk %s, want the role alone", data[0])
	}
	id = first.ID
	if !regexp.MustCompile(`^chatcmpl-[0-9a-f-]{36}$`).MatchString(id) {
		t.Errorf("id %q, want chatcmpl-<answer id>", id)
	}
	body := chunks
	if usage {
		last := chunks[len(chunks)-1]
		if last.Usage == nil || len(last.Choices) != 0 {
			t.Errorf("last chunk %s, want the usage with no choices", data[len(data)-2])
		}
		body = chunks[:len(chunks)-1]
	}
	finAt := len(body) - 1
	fin := body[finAt]
	if len(fin.Choices) != 1 || fin.Choices[0].FinishReason == nil || *fin.Choices[0].FinishReason != "stop" || fin.Choices[0].Delta.Content != "" {
		t.Errorf("finish chunk %+v, want finish_reason stop and no content", fin)
	}
	var b strings.Builder
	for i, ch := range chunks {
		if ch.ID != id || ch.Object != "chat.completion.chunk" || ch.Model != model {
			t.Errorf("chunk %d: id %q object %q model %q, want %q chat.completion.chunk %q", i, ch.ID, ch.Object, ch.Model, id, model)
		}
		for _, c := range ch.Choices {
			if c.FinishReason != nil && i != finAt {
				t.Errorf("chunk %d has finish_reason %q before the end", i, *c.FinishReason)
			}
			if c.Delta.Role != "" && i > 0 {
				t.Errorf("chunk %d repeats the role", i)
			}
			b.WriteString(c.Delta.Content)
		}
	}
	return id, b.String(), chunks
}

// chatThreads is the manager's threads and each one's messages, through
// the chat API the web UI reads.
func chatThreads(t *testing.T, srv *httptest.Server, tok string) map[uuid.UUID][]assistant.Message {
	t.Helper()
	var list struct {
		Threads []assistant.Thread `json:"threads"`
	}
	if resp := call(t, srv, "GET", "/api/chat/threads", tok, nil, &list); resp.StatusCode != 200 {
		t.Fatalf("threads = %d", resp.StatusCode)
	}
	out := map[uuid.UUID][]assistant.Message{}
	for _, th := range list.Threads {
		var got struct {
			Messages []assistant.Message `json:"messages"`
		}
		call(t, srv, "GET", "/api/chat/threads/"+th.ID.String(), tok, nil, &got)
		out[th.ID] = got.Messages
	}
	return out
}

func roles(ms []assistant.Message) []string {
	var rs []string
	for _, m := range ms {
		rs = append(rs, m.Role)
	}
	return rs
}

// englishManager is a manager whose language is English (the coach
// answers in it), with their token.
func englishManager(t *testing.T, srv *httptest.Server, org uuid.UUID) string {
	t.Helper()
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	var u tenant.User
	if resp := call(t, srv, "POST", "/api/users", admin, map[string]any{"display_name": "English manager", "role": "manager", "language": "en"}, &u); resp.StatusCode != 201 {
		t.Fatalf("create user = %d", resp.StatusCode)
	}
	var tok tokenCreateResponse
	if resp := call(t, srv, "POST", "/api/tokens", admin, map[string]any{"user_id": u.ID, "name": "openai"}, &tok); resp.StatusCode != 201 {
		t.Fatalf("create token = %d", resp.StatusCode)
	}
	return tok.Secret
}

func TestOpenAIModels(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	orgA, orgB := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	_, mgr := pgtest.NewUser(t, db, orgA, tenant.RoleManager)
	_, peer := pgtest.NewUser(t, db, orgA, tenant.RoleManager)
	_, other := pgtest.NewUser(t, db, orgB, tenant.RoleManager)
	for tok, aliases := range map[string][]string{mgr: {"Bさん", "Aさん"}, peer: {"Cさん"}, other: {"Dさん"}} {
		for _, a := range aliases {
			if resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": a}, nil); resp.StatusCode != 201 {
				t.Fatalf("create member = %d", resp.StatusCode)
			}
		}
	}

	tests := []struct {
		name  string
		token string
		want  []string
	}{
		{"the coach and the caller's members, by alias", mgr, []string{"taiwa", "taiwa:Aさん", "taiwa:Bさん"}},
		{"another manager of the org sees only theirs", peer, []string{"taiwa", "taiwa:Cさん"}},
		{"another org's manager sees only theirs", other, []string{"taiwa", "taiwa:Dさん"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var list openAIModelList
			resp := call(t, srv, "GET", "/v1/models", tt.token, nil, &list)
			if resp.StatusCode != 200 || list.Object != "list" {
				t.Fatalf("models = %d %+v", resp.StatusCode, list)
			}
			var got []string
			for _, m := range list.Data {
				got = append(got, m.ID)
				if m.Object != "model" || m.OwnedBy != "taiwa" || m.Created == 0 {
					t.Errorf("model %+v, want object model, owned_by taiwa, a creation time", m)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("models mismatch (-want +got):\n%s", diff)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
		})
	}

	// Another manager's member, of this org or another, is no model of
	// the caller's.
	for _, model := range []string{"taiwa:Cさん", "taiwa:Dさん", "taiwa:", "gpt-4o", "taiwa:Aさん "} {
		var e openAIErr
		resp := call(t, srv, "POST", "/v1/chat/completions", mgr, map[string]any{"model": model, "messages": msgs("こんにちは")}, &e)
		if resp.StatusCode != 404 || e.Error.Code != "model_not_found" || e.Error.Type != "invalid_request_error" || !strings.Contains(e.Error.Message, "does not exist") {
			t.Errorf("model %q: %d %+v, want 404 model_not_found", model, resp.StatusCode, e)
		}
	}
	if n := len(chatThreads(t, srv, mgr)); n != 0 {
		t.Errorf("refused requests made %d threads", n)
	}
}

func TestOpenAICompletion(t *testing.T) {
	fake, model := fakeModel(t, chatReply)
	srv := newTestServer(t, coachDeps(t, model, 0))
	offline := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	en := englishManager(t, srv, org)

	tests := []struct {
		name       string
		srv        *httptest.Server
		token      string
		question   string
		sources    string // the appendix's heading
		modelUsage bool   // the answer came from the model, which counts tokens
	}{
		{"model, Japanese", srv, tok, "挑戦を避けるメンバーにどう声をかければいいですか？", "\n\n出典\n- [1] ", true},
		{"offline, Japanese", offline, tok, "メンバーの話を聴くときに気をつけることは？", "\n\n出典\n- [1] ", false},
		{"offline, English", offline, en, "How do I listen to a member who wants to be heard?", "\n\nSources\n- [1] ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(fake.Requests())
			got := complete(t, tt.srv, tt.token, "taiwa", msgs(tt.question))
			content := got.Choices[0].Message.Content
			if got.Object != "chat.completion" || got.Model != "taiwa" || got.Choices[0].Message.Role != "assistant" || got.Choices[0].FinishReason != "stop" {
				t.Errorf("completion %+v", got)
			}
			// The completion is the coach's answer: its id, its text and
			// its citations, as the chat API shows them.
			threads := chatThreads(t, tt.srv, tt.token)
			var ans *assistant.ChatAnswer
			for _, ms := range threads {
				if last := ms[len(ms)-1]; last.Answer != nil && "chatcmpl-"+last.Answer.ID.String() == got.ID {
					ans = last.Answer
				}
			}
			if ans == nil {
				t.Fatalf("no thread holds the answer %s", got.ID)
			}
			if !strings.HasPrefix(content, ans.Text+tt.sources) || len(ans.Citations) == 0 {
				t.Errorf("content %q, want the answer's text and then %q", content, tt.sources)
			}
			for _, c := range ans.Citations {
				if !strings.Contains(content, "- ["+itoa(c.N)+"] "+c.Title) {
					t.Errorf("content lacks citation [%d] %s:\n%s", c.N, c.Title, content)
				}
			}
			u := got.Usage
			switch {
			case tt.modelUsage && (u.PromptTokens == 0 || u.CompletionTokens == 0 || u.TotalTokens != u.PromptTokens+u.CompletionTokens):
				t.Errorf("usage %+v, want the model call's tokens", u)
			case !tt.modelUsage && u != (openAIUsage{}):
				t.Errorf("usage %+v of an offline answer, want zeros", u)
			}
			if tt.modelUsage != (len(fake.Requests()) > before) {
				t.Errorf("model called %d times", len(fake.Requests())-before)
			}
		})
	}
}

func TestOpenAIStream(t *testing.T) {
	// The model writes slowly: the stream outlasts the request timeout,
	// which bounds JSON answers only.
	const timeout = time.Second
	_, model := fakeModel(t, func(r openaitest.Request) openaitest.Reply {
		rep := chatReply(r)
		rep.ChunkDelay = 80 * time.Millisecond
		return rep
	})
	for _, tt := range []struct {
		name  string
		model bool
		usage bool
	}{
		{"model, with usage", true, true},
		{"model", true, false},
		{"offline, with usage", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := coachDeps(t, nil, 0)
			if tt.model {
				d = coachDeps(t, model, 0)
			}
			reader := newTestServer(t, d)
			d.RequestTimeout = timeout
			srv := newTestServer(t, d)
			_, tok := pgtest.NewUser(t, db, pgtest.NewOrg(t, db), tenant.RoleManager)
			body := map[string]any{"model": "taiwa", "messages": msgs("挑戦を避けるメンバーにどう声をかければいいですか？"), "temperature": 0.3}
			if tt.usage {
				body["stream_options"] = map[string]any{"include_usage": true}
			}
			start := time.Now()
			id, content, chunks := streamed(t, openAIStream(t, srv, tok, body), "taiwa", tt.usage)
			if took := time.Since(start); tt.model && took < timeout {
				t.Errorf("the stream took %v, less than the request timeout %v: the test proves nothing", took, timeout)
			}
			if len(chunks) < 4 {
				t.Errorf("%d chunks, want the text in pieces", len(chunks))
			}
			threads := chatThreads(t, reader, tok)
			if len(threads) != 1 {
				t.Fatalf("%d threads, want 1", len(threads))
			}
			for _, ms := range threads {
				a := ms[len(ms)-1].Answer
				if a == nil || "chatcmpl-"+a.ID.String() != id || len(a.Citations) == 0 {
					t.Fatalf("thread's last answer %+v, want the streamed one (%s), with citations", a, id)
				}
				if (a.Mode == assistant.ModeLLM) != tt.model {
					t.Errorf("answer mode %s", a.Mode)
				}
				if !strings.Contains(content, "\n\n出典\n- [") || !strings.Contains(content, a.Citations[0].Title) {
					t.Errorf("streamed content lacks the sources:\n%s", content)
				}
			}
			if u := chunks[len(chunks)-1].Usage; tt.usage && tt.model && (u == nil || u.PromptTokens == 0 || u.CompletionTokens == 0) {
				t.Errorf("usage %+v, want the model call's tokens", u)
			}
		})
	}
}

// TestOpenAIContinuity: a client sends the whole conversation each time;
// each request continues the thread that holds what came before, without
// storing it twice, and a conversation that went another way (a
// regenerated answer) gets a thread of its own.
func TestOpenAIContinuity(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	_, tok := pgtest.NewUser(t, db, pgtest.NewOrg(t, db), tenant.RoleManager)
	q1, q2, q3 := "メンバーの話を聴くときに気をつけることは？", "沈黙が続いたらどうしますか？", "次の1on1で何を聞けばいいですか？"

	a1 := complete(t, srv, tok, "taiwa", msgs(q1)).Choices[0].Message.Content
	// The client echoes the answer, with its own white space.
	a2 := complete(t, srv, tok, "taiwa", msgs(q1, "\n"+a1+"  \n", q2)).Choices[0].Message.Content
	threads := chatThreads(t, srv, tok)
	if len(threads) != 1 {
		t.Fatalf("%d threads after two turns, want 1", len(threads))
	}
	var first uuid.UUID
	for id, ms := range threads {
		first = id
		if diff := cmp.Diff([]string{"user", "assistant", "user", "assistant"}, roles(ms)); diff != "" {
			t.Errorf("thread's messages (-want +got):\n%s", diff)
		}
	}

	// The third turn streams; its content keys the thread as well.
	_, a3, _ := streamed(t, openAIStream(t, srv, tok, map[string]any{"model": "taiwa", "messages": msgs(q1, a1, q2, a2, q3)}), "taiwa", false)
	threads = chatThreads(t, srv, tok)
	if len(threads) != 1 || len(threads[first]) != 6 {
		t.Fatalf("after a streamed third turn: %d threads, %d messages in the first, want 1 with 6", len(threads), len(threads[first]))
	}
	complete(t, srv, tok, "taiwa", msgs(q1, a1, q2, a2, q3, a3, "ありがとう、試してみます。"))
	if threads = chatThreads(t, srv, tok); len(threads) != 1 || len(threads[first]) != 8 {
		t.Fatalf("after the fourth turn: %d threads, %d messages in the first, want 1 with 8", len(threads), len(threads[first]))
	}

	// Regenerating the second answer: the conversation so far is no
	// longer the first thread's, so a new thread holds it and the answer.
	complete(t, srv, tok, "taiwa", msgs(q1, a1, q2))
	threads = chatThreads(t, srv, tok)
	if len(threads) != 2 || len(threads[first]) != 8 {
		t.Fatalf("after a regenerated answer: %d threads, %d messages in the first, want 2, the first unchanged", len(threads), len(threads[first]))
	}
	for id, ms := range threads {
		if id == first {
			continue
		}
		if diff := cmp.Diff([]string{"user", "assistant", "user", "assistant"}, roles(ms)); diff != "" {
			t.Errorf("the new thread's messages (-want +got):\n%s", diff)
		}
		if ms[0].Content.String() != q1 || ms[1].Answer != nil {
			t.Errorf("the new thread starts with %q (answer %v), want the first question and the client's copy of the answer", ms[0].Content, ms[1].Answer)
		}
	}
}

func TestOpenAIMemberModel(t *testing.T) {
	fake, model := fakeModel(t, chatReply)
	srv := newTestServer(t, coachDeps(t, model, 0))
	_, tok := pgtest.NewUser(t, db, pgtest.NewOrg(t, db), tenant.RoleManager)
	member := strings.TrimPrefix(seedMember(t, srv, tok, "Bさん", "さくら並木"), "/api/members/")
	seedMember(t, srv, tok, "Cさん", "もみじ坂")

	complete(t, srv, tok, "taiwa:Bさん", msgs("話を聴いてほしいと言われたら、助言を控えるべきですか？"))
	reqs := fake.Requests()
	var prompt strings.Builder
	for _, m := range reqs[len(reqs)-1].Messages {
		prompt.WriteString(m.Content)
	}
	if !strings.Contains(prompt.String(), "さくら並木") || strings.Contains(prompt.String(), "もみじ坂") {
		t.Errorf("the model was not given Bさん's history alone:\n%s", prompt.String())
	}
	var list struct {
		Threads []assistant.Thread `json:"threads"`
	}
	call(t, srv, "GET", "/api/chat/threads", tok, nil, &list)
	if len(list.Threads) != 1 || list.Threads[0].MemberID == nil || list.Threads[0].MemberID.String() != member {
		t.Errorf("threads %+v, want one about Bさん (%s)", list.Threads, member)
	}
	// The coach alone, with the same question: another thread, and no
	// member's history.
	complete(t, srv, tok, "taiwa", msgs("話を聴いてほしいと言われたら、助言を控えるべきですか？"))
	reqs = fake.Requests()
	for _, m := range reqs[len(reqs)-1].Messages {
		if strings.Contains(m.Content, "さくら並木") {
			t.Error("model taiwa was given a member's history")
		}
	}
}

func TestOpenAIReferral(t *testing.T) {
	fake, model := fakeModel(t, chatReply)
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	contacts := []map[string]string{{"kind": "hr", "name": "人事部 相談窓口", "detail": "内線 1234"}}
	if resp := call(t, srv, "PUT", "/api/org/contacts", admin, map[string]any{"contacts": contacts}, nil); resp.StatusCode != 200 {
		t.Fatalf("set contacts = %d", resp.StatusCode)
	}
	question := "部下から、先輩にパワハラを受けていると相談されました。どう対応すれば？"
	for _, stream := range []bool{false, true} {
		before := len(fake.Requests())
		var content string
		if stream {
			_, content, _ = streamed(t, openAIStream(t, srv, tok, map[string]any{"model": "taiwa", "messages": msgs(question)}), "taiwa", false)
		} else {
			content = complete(t, srv, tok, "taiwa", msgs(question)).Choices[0].Message.Content
		}
		for _, want := range []string{"\n\nいま行うこと\n1. ", "\n\n連絡先\n- 人事: 人事部 相談窓口 — 内線 1234"} {
			if !strings.Contains(content, want) {
				t.Errorf("stream %v: the referral lacks %q:\n%s", stream, want, content)
			}
		}
		if strings.Contains(content, "出典") {
			t.Errorf("stream %v: a referral cites guidance:\n%s", stream, content)
		}
		if len(fake.Requests()) != before {
			t.Errorf("stream %v: the matter was sent to the model", stream)
		}
	}
	for _, ms := range chatThreads(t, srv, tok) {
		if a := ms[len(ms)-1].Answer; a == nil || a.Referral == nil || a.Referral.Topics[0] != "harassment" {
			t.Errorf("thread's answer %+v, want a harassment referral", a)
		}
	}
}

func TestOpenAIErrors(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, mgr := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, curator := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	hello := msgs("こんにちは、相談があります")

	tests := []struct {
		name         string
		method, path string
		token        string
		body         any
		status       int
		typ, code    string
	}{
		{"no token", "POST", "/v1/chat/completions", "", map[string]any{"model": "taiwa", "messages": hello}, 401, "authentication_error", "unauthenticated"},
		{"bad token", "POST", "/v1/chat/completions", "taiwa_nope", map[string]any{"model": "taiwa", "messages": hello}, 401, "authentication_error", "unauthenticated"},
		{"models without a token", "GET", "/v1/models", "", nil, 401, "authentication_error", "unauthenticated"},
		{"a curator has no coach", "POST", "/v1/chat/completions", curator, map[string]any{"model": "taiwa", "messages": hello}, 403, "permission_error", "forbidden"},
		{"a curator has no models", "GET", "/v1/models", curator, nil, 403, "permission_error", "forbidden"},
		{"wrong method", "GET", "/v1/chat/completions", mgr, nil, 405, "invalid_request_error", "method_not_allowed"},
		{"bad JSON", "POST", "/v1/chat/completions", mgr, "{", 400, "invalid_request_error", "invalid_argument"},
		{"no model", "POST", "/v1/chat/completions", mgr, map[string]any{"messages": hello}, 400, "invalid_request_error", "invalid_argument"},
		{"no messages", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa"}, 400, "invalid_request_error", "invalid_argument"},
		{"system messages only", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa", "messages": msgs()}, 400, "invalid_request_error", "invalid_argument"},
		{"last message not the user's", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa", "messages": msgs("質問", "答え")}, 400, "invalid_request_error", "invalid_argument"},
		{"n = 2", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa", "messages": hello, "n": 2}, 400, "invalid_request_error", "invalid_argument"},
		{"a tool message", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa", "messages": []map[string]any{
			{"role": "user", "content": "質問"}, {"role": "tool", "content": "{}", "tool_call_id": "x"}, {"role": "user", "content": "質問"}}}, 400, "invalid_request_error", "invalid_argument"},
		{"an image", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa", "messages": []map[string]any{
			{"role": "user", "content": []map[string]any{{"type": "text", "text": "これは？"}, {"type": "image_url", "image_url": map[string]string{"url": "data:,"}}}}}}, 400, "invalid_request_error", "invalid_argument"},
		{"an empty message", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa", "messages": msgs("  ")}, 400, "invalid_request_error", "invalid_argument"},
		{"a message over 4,000 characters", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa", "messages": msgs(strings.Repeat("長", 4001))}, 400, "invalid_request_error", "invalid_argument"},
		{"NUL", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "taiwa", "messages": msgs("a\x00b")}, 400, "invalid_request_error", "invalid_argument"},
		{"unknown model", "POST", "/v1/chat/completions", mgr, map[string]any{"model": "gpt-4o", "messages": hello}, 404, "invalid_request_error", "model_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e openAIErr
			resp := call(t, srv, tt.method, tt.path, tt.token, tt.body, &e)
			if resp.StatusCode != tt.status || e.Error.Type != tt.typ || e.Error.Code != tt.code || e.Error.Message == "" {
				t.Fatalf("%s %s = %d %+v, want %d %s %s", tt.method, tt.path, resp.StatusCode, e, tt.status, tt.typ, tt.code)
			}
			if e.Error.RequestID == "" || e.Error.RequestID != resp.Header.Get("X-Request-Id") {
				t.Errorf("request_id %q, header %q", e.Error.RequestID, resp.Header.Get("X-Request-Id"))
			}
			if tt.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	if n := len(chatThreads(t, srv, mgr)); n != 0 {
		t.Errorf("refused requests made %d threads", n)
	}

	// What the coach does not use is accepted and ignored; text parts are
	// read as text.
	var ok chatCompletion
	resp := call(t, srv, "POST", "/v1/chat/completions", mgr, map[string]any{
		"model": "taiwa", "temperature": 1.5, "top_p": 0.9, "max_tokens": 5, "n": 1, "user": "x", "seed": 7,
		"tools":    []map[string]any{{"type": "function", "function": map[string]any{"name": "f", "parameters": map[string]any{}}}},
		"messages": []map[string]any{{"role": "developer", "content": "be brief"}, {"role": "user", "content": []map[string]any{{"type": "text", "text": "メンバーの話を聴くコツは？"}}}},
	}, &ok)
	if resp.StatusCode != 200 || len(ok.Choices) != 1 || ok.Choices[0].Message.Content == "" {
		t.Errorf("a request with options the coach ignores = %d %+v", resp.StatusCode, ok)
	}
}

// TestOpenAITenantIsolation: a token of another organization sees
// neither the members nor the threads of the first, even when it sends
// the first's conversation word for word.
func TestOpenAITenantIsolation(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	orgA, orgB := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	_, a := pgtest.NewUser(t, db, orgA, tenant.RoleManager)
	_, b := pgtest.NewUser(t, db, orgB, tenant.RoleManager)
	if resp := call(t, srv, "POST", "/api/members", a, map[string]any{"alias": "Aさん"}, nil); resp.StatusCode != 201 {
		t.Fatalf("create member = %d", resp.StatusCode)
	}
	q1, q2 := "メンバーの話を聴くときに気をつけることは？", "沈黙が続いたらどうしますか？"
	a1 := complete(t, srv, a, "taiwa:Aさん", msgs(q1)).Choices[0].Message.Content
	threadsA := chatThreads(t, srv, a)

	var list openAIModelList
	call(t, srv, "GET", "/v1/models", b, nil, &list)
	if len(list.Data) != 1 || list.Data[0].ID != "taiwa" {
		t.Errorf("org B's models %+v, want the coach alone", list.Data)
	}
	var e openAIErr
	if resp := call(t, srv, "POST", "/v1/chat/completions", b, map[string]any{"model": "taiwa:Aさん", "messages": msgs(q1, a1, q2)}, &e); resp.StatusCode != 404 || e.Error.Code != "model_not_found" {
		t.Errorf("org B with org A's member = %d %+v, want 404 model_not_found", resp.StatusCode, e)
	}
	// A's conversation, word for word, with the coach alone: B gets a
	// thread of its own, A's is untouched.
	complete(t, srv, b, "taiwa", msgs(q1, a1, q2))
	threadsB := chatThreads(t, srv, b)
	if len(threadsB) != 1 {
		t.Fatalf("org B has %d threads, want 1", len(threadsB))
	}
	for id := range threadsB {
		if _, ok := threadsA[id]; ok {
			t.Errorf("org B continued org A's thread %s", id)
		}
	}
	for id := range threadsA {
		if resp := call(t, srv, "GET", "/api/chat/threads/"+id.String(), b, nil, nil); resp.StatusCode != 404 {
			t.Errorf("org B reads org A's thread: %d", resp.StatusCode)
		}
	}
	if diff := cmp.Diff(threadsA, chatThreads(t, srv, a)); diff != "" {
		t.Errorf("org A's threads changed (-before +after):\n%s", diff)
	}
}

// TestOpenAINodeClient drives the API with the official openai npm
// package (api/testdata/openai-client, pinned by its lock file): models,
// a completion and a streamed one, and an error. Without node and npm it
// skips, unless TAIWA_E2E_REQUIRED is set (CI).
func TestOpenAINodeClient(t *testing.T) {
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		if os.Getenv("TAIWA_E2E_REQUIRED") != "" {
			t.Fatal("node and npm not found, and TAIWA_E2E_REQUIRED is set")
		}
		t.Skip("node and npm not found: install Node.js 20 to run the OpenAI client test")
	}
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", "client.mjs"} {
		b, err := os.ReadFile(filepath.Join("testdata", "openai-client", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out)
	}

	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	if resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": "Aさん"}, nil); resp.StatusCode != 201 {
		t.Fatalf("create member = %d", resp.StatusCode)
	}
	run := exec.CommandContext(ctx, node, "client.mjs")
	run.Dir = dir
	run.Env = append(os.Environ(), "TAIWA_BASE_URL="+srv.URL+"/v1", "TAIWA_TOKEN="+tok,
		"TAIWA_QUESTION=メンバーの話を聴くときに気をつけることは？", "TAIWA_FOLLOWUP=沈黙が続いたらどうしますか？")
	var stderr bytes.Buffer
	run.Stderr = &stderr
	out, err := run.Output()
	if err != nil {
		t.Fatalf("node client.mjs: %v\n%s", err, stderr.String())
	}
	var got struct {
		Models     []string `json:"models"`
		Completion struct {
			ID, Model, Content string
			Usage              openAIUsage
		} `json:"completion"`
		Stream struct {
			ID, Content, Finish string
			Chunks              int
			Usage               *openAIUsage
		} `json:"stream"`
		NotFound struct {
			Status     int
			Code, Type string
		} `json:"notFound"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("client output %s: %v\n%s", out, err, stderr.String())
	}
	t.Logf("openai client: %d models, completion of %d characters, stream of %d chunks", len(got.Models), len([]rune(got.Completion.Content)), got.Stream.Chunks)
	if diff := cmp.Diff([]string{"taiwa", "taiwa:Aさん"}, got.Models); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	id := regexp.MustCompile(`^chatcmpl-[0-9a-f-]{36}$`)
	if c := got.Completion; !id.MatchString(c.ID) || c.Model != "taiwa" || !strings.Contains(c.Content, "\n\n出典\n- [1] ") {
		t.Errorf("completion %+v", c)
	}
	if s := got.Stream; !id.MatchString(s.ID) || s.ID == got.Completion.ID || s.Chunks < 4 || s.Finish != "stop" || s.Usage == nil || !strings.Contains(s.Content, "出典") {
		t.Errorf("stream %+v", s)
	}
	if nf := got.NotFound; nf.Status != 404 || nf.Code != "model_not_found" || nf.Type != "invalid_request_error" {
		t.Errorf("unknown model through the SDK: %+v, want 404 model_not_found", nf)
	}
	// The follow-up continued the first answer's thread.
	threads := chatThreads(t, srv, tok)
	if len(threads) != 1 {
		t.Fatalf("%d threads, want 1", len(threads))
	}
	for _, ms := range threads {
		if diff := cmp.Diff([]string{"user", "assistant", "user", "assistant"}, roles(ms)); diff != "" {
			t.Errorf("thread (-want +got):\n%s", diff)
		}
		if !slices.ContainsFunc(ms, func(m assistant.Message) bool {
			return m.Answer != nil && "chatcmpl-"+m.Answer.ID.String() == got.Stream.ID
		}) {
			t.Errorf("the thread does not hold the streamed answer %s", got.Stream.ID)
		}
	}
}
