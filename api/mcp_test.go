package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/safety"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// bearerTransport adds an API token to every request, as an MCP client
// configured with a header does.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// mcpSession connects the SDK's own client to srv's /mcp with token.
func mcpSession(t *testing.T, srv *httptest.Server, token string) *mcp.ClientSession {
	t.Helper()
	s, err := mcpConnect(t, srv, token)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mcpConnect(t *testing.T, srv *httptest.Server, token string) (*mcp.ClientSession, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "taiwa-test", Version: "v0"}, nil)
	return client.Connect(t.Context(), &mcp.StreamableClientTransport{
		Endpoint:   srv.URL + "/mcp",
		HTTPClient: &http.Client{Transport: bearerTransport{token}},
		MaxRetries: -1,
	}, nil)
}

// mcpTool calls a tool; a protocol error fails the test (tool errors are
// results).
func mcpTool(t *testing.T, s *mcp.ClientSession, name string, args any) *mcp.CallToolResult {
	t.Helper()
	res, err := s.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v", name, err)
	}
	return res
}

// mcpOut decodes a successful result's structured content.
func mcpOut[T any](t *testing.T, name string, res *mcp.CallToolResult) T {
	t.Helper()
	var out T
	if res.IsError {
		t.Fatalf("%s: error result %q", name, mcpText(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		t.Fatalf("%s: structured content %s: %v", name, b, err)
	}
	return out
}

func mcpText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// mcpWorld is two organizations: in A, two managers with members, a
// curator's published guide and an admin; in B, a manager and a curator.
type mcpWorld struct {
	srv                     *httptest.Server
	mgr, mgr2, cur, adm     string // org A's tokens
	bMgr, bCur              string // org B's tokens
	aki, crisis, mgr2Member history.Member
	guide                   knowledge.Document
}

func newMCPWorld(t *testing.T) *mcpWorld {
	t.Helper()
	w := &mcpWorld{srv: newTestServer(t, coachDeps(t, nil, 0))}
	orgA, orgB := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	_, w.mgr = pgtest.NewUser(t, db, orgA, tenant.RoleManager)
	_, w.mgr2 = pgtest.NewUser(t, db, orgA, tenant.RoleManager)
	_, w.cur = pgtest.NewUser(t, db, orgA, tenant.RoleCurator)
	_, w.adm = pgtest.NewUser(t, db, orgA, tenant.RoleAdmin)
	_, w.bMgr = pgtest.NewUser(t, db, orgB, tenant.RoleManager)
	_, w.bCur = pgtest.NewUser(t, db, orgB, tenant.RoleCurator)

	if resp := call(t, w.srv, "POST", "/api/kb/documents", w.cur, map[string]any{
		"title": "Zorblax silence guide", "language": "en", "topics": []string{"listening"},
		"body": "## Zorblax pauses\n\nAfter a question, wait ten seconds: the zorblax silence is thinking time.\n",
	}, &w.guide); resp.StatusCode != 201 {
		t.Fatalf("create guide = %d", resp.StatusCode)
	}
	if resp := call(t, w.srv, "POST", "/api/kb/documents/"+w.guide.ID.String()+"/publish", w.cur, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("publish = %d", resp.StatusCode)
	}

	call(t, w.srv, "GET", seedMember(t, w.srv, w.mgr, "Aki", ""), w.mgr, nil, &w.aki)
	call(t, w.srv, "POST", "/api/members", w.mgr, map[string]any{"alias": "Crisis"}, &redacted[history.Member]{})
	call(t, w.srv, "POST", "/api/members", w.mgr2, map[string]any{"alias": "Other"}, &redacted[history.Member]{})
	var ms struct{ Members []history.Member }
	call(t, w.srv, "GET", "/api/members", w.mgr, nil, &ms)
	for _, m := range ms.Members {
		if m.Alias == "Crisis" {
			w.crisis = m
		}
	}
	call(t, w.srv, "GET", "/api/members", w.mgr2, nil, &ms)
	w.mgr2Member = ms.Members[0]
	// A crisis in last week's notes (safety_test.go): the next prep is a
	// referral.
	if resp := call(t, w.srv, "POST", "/api/members/"+w.crisis.ID.String()+"/sessions", w.mgr, map[string]any{
		"status": "held", "held_at": time.Now().AddDate(0, 0, -7).UTC().Format(time.RFC3339), "condition": 2,
		"notes": "進捗の確認。本人「ぜんぶ終わりにしたい、もう遺書も書いた」と。",
	}, nil); resp.StatusCode != 201 {
		t.Fatalf("crisis session = %d", resp.StatusCode)
	}
	return w
}

func TestMCP(t *testing.T) {
	w := newMCPWorld(t)
	mgr := mcpSession(t, w.srv, w.mgr)

	t.Run("tools", func(t *testing.T) { testMCPTools(t, w, mgr) })
	t.Run("search_guidance is the API's search", func(t *testing.T) { testMCPSearch(t, w) })
	t.Run("list_members is the API's list", func(t *testing.T) { testMCPMembers(t, w, mgr) })
	t.Run("prep_member is the API's prep", func(t *testing.T) { testMCPPrep(t, w, mgr) })
	t.Run("prep_member refers", func(t *testing.T) { testMCPReferral(t, w, mgr) })
	t.Run("refusals are tool results", func(t *testing.T) { testMCPRefusals(t, w) })
	t.Run("another organization sees nothing", func(t *testing.T) { testMCPOtherOrg(t, w) })
	t.Run("HTTP", func(t *testing.T) { testMCPHTTP(t, w) })
	t.Run("server faults are hidden", testMCPServerFault)
}

// testMCPServerFault: a server fault's cause goes to the log, and the
// caller reads the request id to quote.
func testMCPServerFault(t *testing.T) {
	var log strings.Builder
	call := &mcpCall{mcpDeps: mcpDeps{logger: slog.New(slog.NewTextHandler(&log, nil))}, requestID: "req-1"}
	for _, tc := range []struct {
		err          error
		want, logged string
	}{
		{errors.New(`ERROR: relation "secret_table" does not exist (SQLSTATE 42P01)`), "req-1", "secret_table"},
		{fmt.Errorf("prep: %w", tenant.ErrUnavailable), "temporarily unavailable", "prep: "},
	} {
		msg := call.toolError(t.Context(), "prep_member", tc.err).Error()
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, "secret_table") || strings.Contains(msg, "prep:") {
			t.Errorf("%v reads %q, want %q and no cause", tc.err, msg, tc.want)
		}
		if !strings.Contains(log.String(), tc.logged) {
			t.Errorf("the log lacks %v: %s", tc.err, log.String())
		}
	}
}

func testMCPTools(t *testing.T, w *mcpWorld, mgr *mcp.ClientSession) {
	if info := mgr.InitializeResult().ServerInfo; info.Name != "taiwa" || info.Version == "" {
		t.Errorf("server info = %+v, want taiwa with a version", info)
	}
	type schema struct {
		Type       string                     `json:"type"`
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	want := map[string]struct{ in, required, out []string }{
		"search_guidance": {[]string{"query", "limit"}, []string{"query"}, []string{"hits"}},
		"list_members":    {nil, nil, []string{"members"}},
		"prep_member":     {[]string{"alias", "member_id", "question", "lang"}, nil, []string{"summary", "agenda", "questions", "watch_outs", "follow_ups", "citations", "referral"}},
	}
	// Every role is shown the same tools; the calls check the role.
	for _, s := range []*mcp.ClientSession{mgr, mcpSession(t, w.srv, w.cur)} {
		res, err := s.ListTools(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range res.Tools {
			names = append(names, tool.Name)
			wt, ok := want[tool.Name]
			if !ok {
				continue
			}
			var in, out schema
			for _, x := range []struct {
				from any
				to   *schema
			}{{tool.InputSchema, &in}, {tool.OutputSchema, &out}} {
				b, _ := json.Marshal(x.from)
				if err := json.Unmarshal(b, x.to); err != nil || x.to.Type != "object" {
					t.Errorf("%s: schema %s is not an object schema: %v", tool.Name, b, err)
				}
			}
			for _, p := range wt.in {
				if _, ok := in.Properties[p]; !ok {
					t.Errorf("%s: input schema lacks %s: %v", tool.Name, p, in.Properties)
				}
			}
			if !slices.Equal(in.Required, wt.required) {
				t.Errorf("%s: required %v, want %v", tool.Name, in.Required, wt.required)
			}
			for _, p := range wt.out {
				if _, ok := out.Properties[p]; !ok {
					t.Errorf("%s: output schema lacks %s", tool.Name, p)
				}
			}
			if tool.Description == "" {
				t.Errorf("%s has no description", tool.Name)
			}
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"list_members", "prep_member", "search_guidance"}) {
			t.Errorf("tools = %v", names)
		}
	}
}

// testMCPSearch compares each role's tool results with the API's answer
// to the same caller.
func testMCPSearch(t *testing.T, w *mcpWorld) {
	for _, tc := range []struct {
		name, token, query string
		limit              int
		wantGuide          bool
	}{
		{"manager, own org's guide", w.mgr, "zorblax silence thinking time", 3, true},
		{"curator, starter pack", w.cur, "沈黙が怖い 十秒待つ", 0, false},
		{"admin, many hits", w.adm, "feedback that is hard to hear", 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mcpSession(t, w.srv, tc.token)
			args := map[string]any{"query": tc.query}
			if tc.limit > 0 {
				args["limit"] = tc.limit
			}
			got := mcpOut[guidanceResult](t, "search_guidance", mcpTool(t, s, "search_guidance", args))
			var rest knowledge.Result
			if resp := call(t, w.srv, "POST", "/api/kb/search", tc.token, map[string]any{"query": tc.query, "k": tc.limit}, &rest); resp.StatusCode != 200 {
				t.Fatalf("REST search = %d", resp.StatusCode)
			}
			if len(got.Hits) == 0 || len(got.Hits) != len(rest.Hits) {
				t.Fatalf("%d hits, the API %d", len(got.Hits), len(rest.Hits))
			}
			for i, h := range got.Hits {
				r := rest.Hits[i]
				if h.DocumentID != r.DocumentID || h.Title != r.Title || h.Text != r.Text || h.Score != r.Score ||
					!slices.Equal(h.HeadingPath, r.HeadingPath) || h.Starter != r.Starter {
					t.Errorf("hit %d = %+v, the API's %+v", i, h, r)
				}
			}
			if found := got.Hits[0].DocumentID == w.guide.ID; found != tc.wantGuide {
				t.Errorf("first hit is the org's guide: %v, want %v (%+v)", found, tc.wantGuide, got.Hits[0])
			}
		})
	}
}

func testMCPMembers(t *testing.T, w *mcpWorld, mgr *mcp.ClientSession) {
	got := mcpOut[membersResult](t, "list_members", mcpTool(t, mgr, "list_members", nil))
	var rest struct{ Members []history.Member }
	call(t, w.srv, "GET", "/api/members", w.mgr, nil, &rest)
	if len(got.Members) != 2 || len(got.Members) != len(rest.Members) {
		t.Fatalf("members %+v, the API's %+v", got.Members, rest.Members)
	}
	for i, m := range got.Members {
		r := rest.Members[i]
		if m.ID != r.ID || m.Alias != r.Alias || m.OpenActions != r.OpenActions || !slices.Equal(m.Conditions, r.Conditions) ||
			!sameTime(m.LastSessionAt, r.LastSessionAt) || !sameTime(m.NextSessionAt, r.NextSessionAt) {
			t.Errorf("member %d = %+v, the API's %+v", i, m, r)
		}
	}
	if aki := got.Members[0]; aki.Alias != "Aki" || aki.OpenActions != 1 || aki.LastSessionAt == nil || aki.NextSessionAt == nil {
		t.Errorf("Aki = %+v, want an open action, a last and a next 1on1", aki)
	}
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

func testMCPPrep(t *testing.T, w *mcpWorld, mgr *mcp.ClientSession) {
	var rest assistant.Plan
	if resp := call(t, w.srv, "POST", "/api/members/"+w.aki.ID.String()+"/prep", w.mgr, map[string]any{"question": "どう声をかけるか"}, &rest); resp.StatusCode != 200 {
		t.Fatalf("REST prep = %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		name string
		args map[string]any
		lang string
	}{
		{"by alias", map[string]any{"alias": "aki", "question": "どう声をかけるか"}, "ja"}, // as the database compares aliases
		{"by id", map[string]any{"member_id": w.aki.ID.String(), "question": "どう声をかけるか"}, "ja"},
		{"in English", map[string]any{"alias": "Aki", "lang": "en"}, "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mcpTool(t, mgr, "prep_member", tc.args)
			p := mcpOut[assistant.Plan](t, "prep_member", res)
			if p.ID == rest.ID || p.MemberID != w.aki.ID || p.Language != tc.lang || p.Referral != nil {
				t.Errorf("plan id %v member %v language %s referral %+v", p.ID, p.MemberID, p.Language, p.Referral)
			}
			if tc.lang == rest.Language {
				// The offline composer is deterministic: the same plan.
				if p.Summary != rest.Summary || !reflect.DeepEqual(p.Agenda, rest.Agenda) || !reflect.DeepEqual(p.Questions, rest.Questions) ||
					!reflect.DeepEqual(p.Citations, rest.Citations) {
					t.Errorf("plan %+v\nthe API's %+v", p, rest)
				}
			}
			if len(p.Agenda) == 0 || len(p.Citations) == 0 {
				t.Fatalf("plan without agenda or citations: %+v", p)
			}
			text := mcpText(res)
			l := labelsFor(tc.lang)
			c := p.Citations[0]
			for _, want := range []string{"## " + l.summary, p.Summary, "## " + l.agenda, "1. " + p.Agenda[0].Text,
				"## " + l.sources, "[1] " + c.Title, c.DocumentID.String()} {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func testMCPReferral(t *testing.T, w *mcpWorld, mgr *mcp.ClientSession) {
	var rest assistant.Plan
	call(t, w.srv, "POST", "/api/members/"+w.crisis.ID.String()+"/prep", w.mgr, nil, &rest)
	res := mcpTool(t, mgr, "prep_member", map[string]any{"alias": "Crisis"})
	p := mcpOut[assistant.Plan](t, "prep_member", res)
	if p.Referral == nil || rest.Referral == nil || !slices.Contains(p.Referral.Topics, safety.Crisis) ||
		!slices.Equal(p.Referral.Topics, rest.Referral.Topics) || p.Referral.Immediate != rest.Referral.Immediate {
		t.Fatalf("referral %+v, the API's %+v", p.Referral, rest.Referral)
	}
	if p.FallbackReason != "sensitive_topic" || len(p.Agenda)+len(p.Questions)+len(p.Citations) != 0 {
		t.Errorf("the plan still coaches: %+v", p)
	}
	text := mcpText(res)
	l := labelsFor(p.Language)
	for _, want := range []string{l.referral, p.Referral.Message, "1. " + p.Referral.Steps[0], l.contacts, p.Referral.Contacts[0].Name} {
		if !strings.Contains(text, want) {
			t.Errorf("referral text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, l.agenda) || strings.Contains(text, l.summary) {
		t.Errorf("the referral text coaches:\n%s", text)
	}
}

// testMCPRefusals: what the API answers 403, 404 or 400 comes back as a
// tool result with isError and one sentence, never a protocol error or
// database text.
func testMCPRefusals(t *testing.T, w *mcpWorld) {
	akiID, otherID := w.aki.ID.String(), w.mgr2Member.ID.String()
	for _, tc := range []struct {
		name, token, tool string
		args              map[string]any
		want              string
	}{
		{"a curator preps", w.cur, "prep_member", map[string]any{"member_id": akiID}, "forbidden"},
		{"an admin preps", w.adm, "prep_member", map[string]any{"alias": "Aki"}, "forbidden"},
		{"a curator lists members", w.cur, "list_members", nil, "forbidden"},
		{"another manager's member by id", w.mgr, "prep_member", map[string]any{"member_id": otherID}, "not found"},
		{"another manager's member by alias", w.mgr, "prep_member", map[string]any{"alias": "Other"}, "not found"},
		{"another org's manager, by id", w.bMgr, "prep_member", map[string]any{"member_id": akiID}, "not found"},
		{"another org's manager, by alias", w.bMgr, "prep_member", map[string]any{"alias": "Aki"}, "not found"},
		{"no member named", w.mgr, "prep_member", map[string]any{"question": "x"}, "invalid argument"},
		{"alias and id", w.mgr, "prep_member", map[string]any{"alias": "Aki", "member_id": akiID}, "invalid argument"},
		{"not an id", w.mgr, "prep_member", map[string]any{"member_id": "'; DROP TABLE members; --"}, "invalid argument"},
		{"an unknown language", w.mgr, "prep_member", map[string]any{"alias": "Aki", "lang": "fr"}, "invalid argument"},
		{"a question too long", w.mgr, "prep_member", map[string]any{"alias": "Aki", "question": strings.Repeat("あ", 2001)}, "invalid argument"},
		{"NUL", w.mgr, "prep_member", map[string]any{"alias": "Aki\x00"}, "NUL"},
		{"an empty query", w.mgr, "search_guidance", map[string]any{"query": " "}, "invalid argument"},
		{"a limit too high", w.mgr, "search_guidance", map[string]any{"query": "feedback", "limit": 51}, "invalid argument"},
		{"an unknown argument", w.mgr, "search_guidance", map[string]any{"query": "feedback", "k": 3}, "k"},
		{"a wrong type", w.mgr, "search_guidance", map[string]any{"query": 3}, "query"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mcpTool(t, mcpSession(t, w.srv, tc.token), tc.tool, tc.args)
			msg := mcpText(res)
			if !res.IsError || !strings.Contains(msg, tc.want) {
				t.Fatalf("result isError %v %q, want an error result with %q", res.IsError, msg, tc.want)
			}
			if strings.Contains(strings.TrimSpace(msg), "\n") || res.StructuredContent != nil {
				t.Errorf("error result %q with %v: want one sentence and nothing else", msg, res.StructuredContent)
			}
			for _, leak := range []string{"SQLSTATE", "ERROR:", "pgx", "DROP", "Zorblax"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q holds %q", msg, leak)
				}
			}
		})
	}
}

func testMCPOtherOrg(t *testing.T, w *mcpWorld) {
	for _, token := range []string{w.bMgr, w.bCur} {
		s := mcpSession(t, w.srv, token)
		res := mcpOut[guidanceResult](t, "search_guidance", mcpTool(t, s, "search_guidance", map[string]any{"query": "zorblax silence thinking time", "limit": 50}))
		for _, h := range res.Hits {
			if h.DocumentID == w.guide.ID || strings.Contains(strings.ToLower(h.Text+h.Title), "zorblax") {
				t.Errorf("org B found org A's guide: %+v", h)
			}
		}
	}
	got := mcpOut[membersResult](t, "list_members", mcpTool(t, mcpSession(t, w.srv, w.bMgr), "list_members", nil))
	if len(got.Members) != 0 {
		t.Errorf("org B's manager lists %+v", got.Members)
	}
}

// testMCPHTTP: a missing or wrong token is the API's 401 before MCP runs;
// the transport's own refusals are the API's error body.
func testMCPHTTP(t *testing.T, w *mcpWorld) {
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"0"}}}`
	for _, tc := range []struct {
		name, method, token, accept string
		status                      int
		code                        string
	}{
		{"no token", "POST", "", "application/json, text/event-stream", 401, "unauthenticated"},
		{"a wrong token", "POST", "taiwa_nope", "application/json, text/event-stream", 401, "unauthenticated"},
		{"no Accept", "POST", w.mgr, "", 400, "invalid_argument"},
		{"GET (no sessions)", "GET", w.mgr, "text/event-stream", 405, "method_not_allowed"},
		{"initialize", "POST", w.mgr, "application/json, text/event-stream", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.NewReader(initialize)
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, w.srv.URL+"/mcp", body)
			req.Header.Set("Content-Type", "application/json")
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := w.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("%s /mcp = %d, want %d", tc.method, resp.StatusCode, tc.status)
			}
			if tc.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 with WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
			if tc.code == "" {
				if resp.Header.Get("Mcp-Session-Id") != "" {
					t.Errorf("a stateless server gave a session id")
				}
				return
			}
			var eb errorBody
			if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || eb.Error.Code != tc.code || eb.Error.RequestID != resp.Header.Get("X-Request-Id") {
				t.Errorf("error body %+v (%v), want code %s and the request id", eb, err, tc.code)
			}
		})
	}
	if _, err := mcpConnect(t, w.srv, "taiwa_nope"); err == nil {
		t.Error("the client connected with a wrong token")
	}
}
