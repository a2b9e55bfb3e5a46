package api

// The security test matrix, generated from the route list: every test here
// walks e.Routes(), so a new route is covered without editing the tests
// (and TestRoleRouteTable fails until the new route is added to its
// table, which is the one place a person must decide who may call it).
// Each test prints its figures with t.Logf.

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// ---------------------------------------------------------------------------
// The route list and the table of who may call each route.

// matrixRoute is one route of the route list: a method and a path pattern.
type matrixRoute struct{ Method, Path string }

func (r matrixRoute) key() string { return r.Method + " " + r.Path }

// matrixRoutes returns the routes the server registered, sorted, once each.
// It skips what TestMalformedRequests skips: routes a test added (/test/),
// echo's RouteNotFound entries and the UI's wildcard asset route.
func matrixRoutes(t *testing.T, e *echo.Echo) []matrixRoute {
	t.Helper()
	seen := map[string]bool{}
	var rs []matrixRoute
	for _, r := range e.Routes() {
		if strings.HasPrefix(r.Path, "/test/") || r.Method == echo.RouteNotFound || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		mr := matrixRoute{r.Method, r.Path}
		if !seen[mr.key()] {
			seen[mr.key()] = true
			rs = append(rs, mr)
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].key() < rs[j].key() })
	if len(rs) < 50 {
		t.Fatalf("only %d routes: the route list was not read", len(rs))
	}
	return rs
}

func matrixUnsafe(m string) bool { return !safeMethod(m) }

// matrixPublic are the routes that take no user, and why. They are not in
// the role table: no role applies to them.
var matrixPublic = map[string]string{
	"GET /healthz":                           "liveness probe",
	"GET /readyz":                            "readiness probe",
	"GET /metrics":                           "Prometheus scrape (network-restricted)",
	"GET /api/openapi.yaml":                  "the API description",
	"POST /api/session":                      "sign-in: the API token is in the body",
	"GET /api/member-links/:token":           "a member has no account: the link token is the credential",
	"POST /api/member-links/:token/intake":   "a member has no account: the link token is the credential",
	"POST /api/member-links/:token/feedback": "a member has no account: the link token is the credential",
	"GET /calendar/:token":                   "calendar apps fetch the feed on their own: its token is the credential",
	"POST /api/slack/commands":               "Slack signs the request with the workspace's signing secret (slack.go)",
}

var (
	matrixAnyRole = []tenant.Role{tenant.RoleManager, tenant.RoleCurator, tenant.RoleAdmin}
	matrixManager = []tenant.Role{tenant.RoleManager}
	matrixCurate  = []tenant.Role{tenant.RoleCurator, tenant.RoleAdmin}
	matrixAdmin   = []tenant.Role{tenant.RoleAdmin}
)

// matrixRoleTable says which roles may call each authenticated route; any
// other role must get 403. It was derived from addRoutes (the requireRole
// middlewares) and from the handlers that decide inside: those answer 404,
// not 403, for what the caller does not own, so such a route is "matrixAnyRole"
// here. A route missing from this table fails TestRoleRouteTable.
var matrixRoleTable = map[string][]tenant.Role{
	// GET /api/session with a bearer token is a 400 (no browser session), not a 403.
	"GET /api/session":    matrixAnyRole,
	"DELETE /api/session": matrixAnyRole,
	"GET /api/me":         matrixAnyRole,
	"GET /api/org":        matrixAnyRole,

	"GET /api/users":  matrixAdmin,
	"POST /api/users": matrixAdmin,
	// handleUsersGet: the caller themselves or an admin; anyone else 404.
	"GET /api/users/:id":   matrixAnyRole,
	"PATCH /api/users/:id": matrixAdmin,
	// handleTokensList / handleTokensCreate: one's own tokens for anyone;
	// another user's (user_id) is 403 for non-admins, inside the handler.
	"GET /api/tokens":  matrixAnyRole,
	"POST /api/tokens": matrixAnyRole,
	// handleTokensRevoke: one's own, or any for an admin; else 404.
	"DELETE /api/tokens/:id": matrixAnyRole,

	"GET /api/kb/topics":     matrixAnyRole,
	"GET /api/kb/documents":  matrixAnyRole, // managers see published guidance only
	"POST /api/kb/documents": matrixCurate,
	// documentFor: managers read published guidance, else 404.
	"GET /api/kb/documents/:id":                            matrixAnyRole,
	"PUT /api/kb/documents/:id":                            matrixCurate,
	"DELETE /api/kb/documents/:id":                         matrixCurate,
	"POST /api/kb/documents/:id/publish":                   matrixCurate,
	"POST /api/kb/documents/:id/unpublish":                 matrixCurate,
	"POST /api/kb/documents/:id/archive":                   matrixCurate,
	"POST /api/kb/documents/:id/hide":                      matrixCurate,
	"POST /api/kb/documents/:id/unhide":                    matrixCurate,
	"POST /api/kb/documents/:id/copy":                      matrixCurate,
	"GET /api/kb/documents/:id/versions":                   matrixCurate,
	"GET /api/kb/documents/:id/versions/:version":          matrixCurate,
	"POST /api/kb/documents/:id/versions/:version/restore": matrixCurate,
	"GET /api/kb/documents/:id/chunks":                     matrixCurate,
	"GET /api/kb/documents/:id/export":                     matrixAnyRole, // documentFor, as GET
	"GET /api/kb/export":                                   matrixCurate,
	"POST /api/kb/import":                                  matrixCurate,
	"POST /api/kb/chunk-preview":                           matrixCurate,
	"POST /api/kb/search":                                  matrixAnyRole,
	"GET /api/kb/gaps":                                     matrixCurate,
	"GET /api/kb/thesaurus":                                matrixCurate,
	"POST /api/kb/thesaurus":                               matrixCurate,
	"GET /api/kb/thesaurus/export":                         matrixCurate,
	"POST /api/kb/thesaurus/import":                        matrixCurate,
	"PUT /api/kb/thesaurus/:id":                            matrixCurate,
	"DELETE /api/kb/thesaurus/:id":                         matrixCurate,
	"POST /api/kb/thesaurus/:id/hide":                      matrixCurate,
	"POST /api/kb/thesaurus/:id/unhide":                    matrixCurate,
	"GET /api/members":                                     matrixManager,
	"POST /api/members":                                    matrixManager,
	"GET /api/members/:id":                                 matrixManager,
	"DELETE /api/members/:id":                              matrixManager,
	"PUT /api/members/:id/names":                           matrixManager,
	"GET /api/members/:id/export":                          matrixManager,
	"GET /api/members/:id/sessions":                        matrixManager,
	"POST /api/members/:id/sessions":                       matrixManager,
	"GET /api/members/:id/actions":                         matrixManager,
	"GET /api/members/:id/feedback":                        matrixManager,
	"GET /api/members/:id/signals":                         matrixManager,
	"GET /api/members/:id/referral":                        matrixManager,
	"POST /api/members/:id/prep":                           matrixManager,
	"GET /api/sessions/:id":                                matrixManager,
	"PUT /api/sessions/:id":                                matrixManager,
	"DELETE /api/sessions/:id":                             matrixManager,
	"POST /api/sessions/:id/links":                         matrixManager,
	"GET /api/sessions/:id/links":                          matrixManager,
	"PUT /api/sessions/:id/reflection/answers":             matrixManager,
	"POST /api/sessions/:id/reflection":                    matrixManager,
	"PATCH /api/actions/:id":                               matrixManager,
	"POST /api/redact":                                     matrixManager,
	"GET /api/chat/threads":                                matrixManager,
	"POST /api/chat/threads":                               matrixManager,
	"GET /api/chat/threads/:id":                            matrixManager,
	"DELETE /api/chat/threads/:id":                         matrixManager,
	"POST /api/chat/threads/:id/messages":                  matrixManager,
	"POST /api/answers/:id/feedback":                       matrixManager,
	"POST /api/referrals/dismissals":                       matrixManager,
	"GET /api/org/terms":                                   matrixAdmin,
	"PUT /api/org/terms":                                   matrixAdmin,
	"GET /api/org/contacts":                                matrixAnyRole, // the coach shows them to managers
	"PUT /api/org/contacts":                                matrixAdmin,
	"GET /api/org/safety-phrases":                          matrixAdmin,
	"PUT /api/org/safety-phrases":                          matrixAdmin,
	"GET /api/org/referrals":                               matrixAdmin,
	"GET /api/org/audit":                                   matrixAdmin, // added with the audit trail (audit.go)
	"GET /api/org/teams":                                   matrixAdmin, // added with insights (insights.go)
	"POST /api/org/teams":                                  matrixAdmin,
	"PUT /api/org/teams/:id":                               matrixAdmin,
	"DELETE /api/org/teams/:id":                            matrixAdmin,
	"POST /api/org/teams/import":                           matrixAdmin,
	"PUT /api/users/:id/team":                              matrixAdmin,
	"GET /api/org/insights":                                matrixAdmin, // curators only where an admin allows
	"GET /api/org/insights/access":                         matrixCurate,
	"PUT /api/org/insights/access":                         matrixAdmin,
	"GET /api/me/insights":                                 matrixManager,
	"GET /v1/models":                                       matrixManager, // the coach's OpenAI-compatible face (openai.go)
	"POST /v1/chat/completions":                            matrixManager,
	"GET /api/kb/usage":                                    matrixCurate,
	"GET /api/kb/checks":                                   matrixCurate,
	"POST /api/kb/checks":                                  matrixCurate,
	"DELETE /api/kb/checks/:id":                            matrixCurate,
	"POST /api/kb/checks/run":                              matrixCurate,
	// The MCP endpoint: each tool checks the role of the route it mirrors
	// (mcp_test.go), and refuses with a tool result, not a 403.
	"POST /mcp": matrixAnyRole,
	// Where managers work (notify.go): the organization's channels are the
	// admins'; a user's own choices are theirs; the calendar is a manager's.
	"GET /api/org/notifications":      matrixAdmin,
	"PUT /api/org/notifications":      matrixAdmin,
	"GET /api/me/notifications":       matrixAnyRole,
	"PUT /api/me/notifications":       matrixAnyRole,
	"POST /api/me/notifications/test": matrixAnyRole,
	"GET /api/me/calendar":            matrixManager,
	"POST /api/me/calendar":           matrixManager,
	"DELETE /api/me/calendar":         matrixManager,
}

// matrixBodies are valid-looking bodies for the routes that write: a
// replay with them would change something if the server let it through.
// A route without one is sent {}.
var matrixBodies = map[string]string{
	"POST /api/users":                          `{"display_name":"replayed user","role":"admin"}`,
	"PATCH /api/users/:id":                     `{"disabled":true}`,
	"POST /api/tokens":                         `{"name":"replayed token"}`,
	"POST /api/kb/documents":                   `{"title":"replayed","body":"## replayed\n\nreplayed body","language":"en","topics":["listening"]}`,
	"PUT /api/kb/documents/:id":                `{"title":"replayed","body":"## replayed\n\nreplayed body","language":"en","topics":["listening"]}`,
	"POST /api/kb/chunk-preview":               `{"body":"## replayed\n\nreplayed body"}`,
	"POST /api/kb/search":                      `{"query":"replayed"}`,
	"POST /api/members":                        `{"alias":"replayed member"}`,
	"PUT /api/members/:id/names":               `{"forms":["Replayed"]}`,
	"POST /api/members/:id/sessions":           `{"status":"held","notes":"replayed notes","actions":[{"text":"replayed","owner":"manager"}]}`,
	"PUT /api/sessions/:id":                    `{"status":"held","notes":"replayed notes"}`,
	"PATCH /api/actions/:id":                   `{"status":"dropped"}`,
	"POST /api/sessions/:id/links":             `{"phase":"feedback"}`,
	"PUT /api/sessions/:id/reflection/answers": `{"answers":[{"prompt":"replayed prompt","answer":"replayed answer"}]}`,
	"PUT /api/org/terms":                       `{"terms":["replayedterm"]}`,
	"POST /api/redact":                         `{"texts":["replayed text"]}`,
	"POST /api/members/:id/prep":               `{"question":"replayed question"}`,
	"POST /api/chat/threads":                   `{"title":"replayed thread"}`,
	"POST /api/chat/threads/:id/messages":      `{"text":"replayed message"}`,
	"POST /api/answers/:id/feedback":           `{"helpful":false,"comment":"replayed"}`,
	"PUT /api/org/contacts":                    `{"contacts":[{"kind":"hr","name":"replayed","detail":"replayed"}]}`,
	"PUT /api/org/notifications":               `{"public_url":"https://replayed.example"}`,
	"PUT /api/me/notifications":                `{"opt_out":true}`,
	"POST /api/referrals/dismissals":           `{"dismiss":["0123456789abcdef0123456789abcdef"],"topics":["harassment"]}`,
	"PUT /api/org/safety-phrases":              `{"phrases":[{"matter":"harassment","phrase":"replayed phrase"}]}`,
	"POST /api/member-links/:token/intake":     `{"style":"listen","topics":["wellbeing"],"text":"replayed intake"}`,
	"POST /api/member-links/:token/feedback":   `{"satisfaction":4,"matched":"yes","comment":"replayed","share":true}`,
}

func matrixBody(r matrixRoute) string {
	if b, ok := matrixBodies[r.key()]; ok {
		return b
	}
	return "{}"
}

// matrixPath fills a path pattern: :id with id, :token with token and
// :version with 1 (every document has a version 1).
func matrixPath(pattern, id, token string) string {
	p := strings.ReplaceAll(pattern, ":version", "1")
	p = strings.ReplaceAll(p, ":token", token)
	return strings.ReplaceAll(p, ":id", id)
}

// matrixIDKind is what a route's :id names: the path segment before it
// (members, sessions, documents, ...), or "" when there is no :id.
func matrixIDKind(pattern string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if s == ":id" && i > 0 {
			return segs[i-1]
		}
	}
	return ""
}

// ---------------------------------------------------------------------------
// Requests.

type matrixReq struct {
	method, path string
	bearer       string
	cookie       *http.Cookie
	csrf         string
	body         string // sent as JSON when not empty
}

type matrixResp struct {
	status int
	header http.Header
	body   []byte
}

func matrixSend(t *testing.T, srv *httptest.Server, r matrixReq) matrixResp {
	t.Helper()
	res, err := matrixDo(t, srv, r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// matrixDo is matrixSend for goroutines other than the test's: it returns
// the error instead of stopping the test.
func matrixDo(t *testing.T, srv *httptest.Server, r matrixReq) (matrixResp, error) {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), r.method, srv.URL+r.path, body)
	if err != nil {
		return matrixResp{}, err
	}
	if r.body != "" {
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	if r.bearer != "" {
		req.Header.Set(echo.HeaderAuthorization, "Bearer "+r.bearer)
	}
	if r.cookie != nil {
		req.AddCookie(r.cookie)
	}
	if r.csrf != "" {
		req.Header.Set(csrfHeader, r.csrf)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return matrixResp{}, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return matrixResp{}, fmt.Errorf("%s %s: read: %w", r.method, r.path, err)
	}
	return matrixResp{resp.StatusCode, resp.Header, data}, nil
}

func matrixIs2xx(status int) bool { return status >= 200 && status < 300 }

// matrixErrors keeps a systematic defect from printing thousands of lines:
// the first few are shown, the rest counted.
type matrixErrors struct {
	t     *testing.T
	shown int
}

func (c *matrixErrors) errorf(format string, args ...any) {
	c.t.Helper()
	if c.shown++; c.shown <= 40 {
		c.t.Errorf(format, args...)
	} else if c.shown == 41 {
		c.t.Errorf("... more failures not shown")
	}
}

// matrixUsers makes one user of each role in org.
func matrixUsers(t *testing.T, org uuid.UUID) map[tenant.Role]string {
	t.Helper()
	toks := map[tenant.Role]string{}
	for _, role := range matrixAnyRole {
		_, toks[role] = pgtest.NewUser(t, db, org, role)
	}
	return toks
}

// matrixStableJSON re-encodes a JSON answer without fields that change on their
// own (when a token was last used, when an export was made), so two reads
// of unchanged rows compare equal.
func matrixStableJSON(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	var strip func(v any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "last_used_at")
			delete(x, "exported_at")
			for _, y := range x {
				strip(y)
			}
		case []any:
			for _, y := range x {
				strip(y)
			}
		}
	}
	strip(v)
	out, _ := json.Marshal(v)
	return string(out)
}

// matrixRead is a GET that the owner of a resource makes to see it.
type matrixRead struct{ token, path string }

// matrixSnapshot reads every path as its owner; each must answer 200.
func matrixSnapshot(t *testing.T, srv *httptest.Server, reads []matrixRead) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range reads {
		res := matrixSend(t, srv, matrixReq{method: http.MethodGet, path: r.path, bearer: r.token})
		if res.status != http.StatusOK {
			t.Fatalf("owner's read of %s = %d %s", r.path, res.status, res.body)
		}
		out[r.path] = matrixStableJSON(res.body)
	}
	return out
}

// matrixCompare reports every read whose answer changed.
func matrixCompare(t *testing.T, what string, before, after map[string]string) (changed int) {
	t.Helper()
	paths := make([]string, 0, len(before))
	for p := range before {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if before[p] != after[p] {
			changed++
			// From a little before the first difference: a long export
			// differs far from its start.
			i := 0
			for i < min(len(before[p]), len(after[p])) && before[p][i] == after[p][i] {
				i++
			}
			i = max(0, i-200)
			t.Errorf("%s changed %s (from byte %d):\nbefore %.600s\nafter  %.600s", what, p, i, before[p][i:], after[p][i:])
		}
	}
	return changed
}

// ---------------------------------------------------------------------------
// 1. Cross-tenant replay.

// matrixLetters is a random lowercase word: markers are made of letters
// only, so the redactor (which masks numbers, mails, names) keeps them.
func matrixLetters(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rand.IntN(26))
	}
	return string(b)
}

// matrixVictimID is one of org A's ids, named, with what kind of route takes it.
type matrixVictimID struct{ name, kind, id string }

// matrixVictim is org A: its users, the resources they made through the API,
// and the markers written into every text, by who may read them.
type matrixVictim struct {
	mgr, cur, adm string    // tokens of A's manager (the owner of the history), curator, admin
	mgrID, userID uuid.UUID // A's manager, and the user A's admin made
	ids           []matrixVictimID
	linkToken     string
	member, sched string

	// Marker prefixes. private: the manager's history, which only that
	// manager may read. admin: users, tokens and terms, which only A's
	// admins may read. shared: guidance and contacts, which every user of
	// A may read. Every marker of a scope starts with its prefix, so a
	// body holding a prefix holds (part of) one of A's texts.
	private, admin, shared string
	// markers are the full markers, and reads the owner's views of them.
	markers []string
	reads   []matrixRead
}

func (v *matrixVictim) mark(prefix, tag string) string {
	m := prefix + tag
	v.markers = append(v.markers, m)
	return m
}

// matrixSeedVictim creates in org every kind of resource the routes take ids
// for, through the API, as the roles that may create them.
func matrixSeedVictim(t *testing.T, srv *httptest.Server, org uuid.UUID) *matrixVictim {
	t.Helper()
	v := &matrixVictim{private: "qzp" + matrixLetters(8), admin: "qza" + matrixLetters(8), shared: "qzk" + matrixLetters(8)}
	mgrP, mgr := pgtest.NewUser(t, db, org, tenant.RoleManager)
	curP, cur := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	admP, adm := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	v.mgr, v.cur, v.adm, v.mgrID = mgr, cur, adm, mgrP.UserID
	must := func(resp *http.Response, want int, what string) {
		t.Helper()
		if resp.StatusCode != want {
			t.Fatalf("seed: %s = %d, want %d", what, resp.StatusCode, want)
		}
	}
	day := func(d int) string { return time.Now().AddDate(0, 0, d).UTC().Format(time.RFC3339) }

	// The manager's history.
	var m redacted[history.Member]
	must(call(t, srv, "POST", "/api/members", mgr, map[string]any{"alias": "M " + v.mark(v.private, "alias")}, &m), 201, "member")
	member := m.Data.ID.String()
	var held redacted[history.Session]
	must(call(t, srv, "POST", "/api/members/"+member+"/sessions", mgr, map[string]any{
		"status": "held", "held_at": day(-1), "condition": 3, "request_style": "listen", "request_topics": []string{"wellbeing"},
		"request_text": "request " + v.mark(v.private, "request"), "notes": "notes " + v.mark(v.private, "notes"),
		"actions": []map[string]any{{"text": "action " + v.mark(v.private, "action"), "owner": "manager",
			"due_date": time.Now().AddDate(0, 0, 7).Format(time.DateOnly)}},
	}, &held), 201, "held session")
	if len(held.Data.Actions) != 1 {
		t.Fatalf("seed: the session has %d actions, want 1", len(held.Data.Actions))
	}
	var sched redacted[history.Session]
	must(call(t, srv, "POST", "/api/members/"+member+"/sessions", mgr, map[string]any{
		"status": "scheduled", "scheduled_at": day(2), "notes": "plan " + v.mark(v.private, "plan"),
	}, &sched), 201, "scheduled session")
	var link createdLink
	must(call(t, srv, "POST", "/api/sessions/"+sched.Data.ID.String()+"/links", mgr, map[string]any{"phase": "intake"}, &link), 201, "member link")
	var refl assistant.Reflection
	must(call(t, srv, "POST", "/api/sessions/"+held.Data.ID.String()+"/reflection", mgr, nil, &refl), 200, "reflection")
	if len(refl.Prompts) == 0 {
		t.Fatal("seed: reflection without prompts")
	}
	must(call(t, srv, "PUT", "/api/sessions/"+held.Data.ID.String()+"/reflection/answers", mgr, map[string]any{
		"answers": []map[string]string{{"prompt": refl.Prompts[0].Text, "answer": "answer " + v.mark(v.private, "reflection")}},
	}, nil), 200, "reflection answers")
	// Non-streaming prep (JSON): the coach answers offline, at once.
	var plan assistant.Plan
	must(call(t, srv, "POST", "/api/members/"+member+"/prep", mgr, map[string]any{"question": "question " + v.mark(v.private, "question")}, &plan), 200, "prep")
	must(call(t, srv, "POST", "/api/answers/"+plan.ID.String()+"/feedback", mgr, map[string]any{"helpful": true, "comment": "rating " + v.mark(v.private, "rating")}, nil), 204, "answer feedback")
	var th assistant.Thread
	must(call(t, srv, "POST", "/api/chat/threads", mgr, map[string]any{"member_id": m.Data.ID, "title": "thread " + v.mark(v.private, "thread")}, &th), 201, "chat thread")
	var ans assistant.ChatAnswer
	must(call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", mgr, map[string]any{"text": "how do I listen better? " + v.mark(v.private, "chat")}, &ans), 200, "chat message")
	var thread struct {
		Messages []assistant.Message `json:"messages"`
	}
	must(call(t, srv, "GET", "/api/chat/threads/"+th.ID.String(), mgr, nil, &thread), 200, "chat thread read")
	if len(thread.Messages) == 0 {
		t.Fatal("seed: the thread has no messages")
	}

	// The curator's guidance, published so that a manager of A may read it.
	var d knowledge.Document
	must(call(t, srv, "POST", "/api/kb/documents", cur, map[string]any{
		"title": "Guide " + v.mark(v.shared, "title"), "language": "en", "topics": []string{"listening"}, "tags": []string{v.mark(v.shared, "tag")},
		"body": "## Listening\n\nWait ten seconds after a question. " + v.mark(v.shared, "body") + "\n",
	}, &d), 201, "document")
	must(call(t, srv, "POST", "/api/kb/documents/"+d.ID.String()+"/publish", cur, nil, nil), 200, "publish")

	// The admin's users, tokens and settings.
	var u tenant.User
	must(call(t, srv, "POST", "/api/users", adm, map[string]any{"display_name": "User " + v.mark(v.admin, "user"), "role": "manager"}, &u), 201, "user")
	var tok tokenCreateResponse
	must(call(t, srv, "POST", "/api/tokens", adm, map[string]any{"user_id": u.ID, "name": "token " + v.mark(v.admin, "token")}, &tok), 201, "token")
	must(call(t, srv, "PUT", "/api/org/terms", adm, map[string]any{"terms": []string{v.mark(v.admin, "term")}}, nil), 200, "terms")
	must(call(t, srv, "PUT", "/api/org/contacts", adm, map[string]any{"contacts": []map[string]string{
		{"kind": "hr", "name": "HR " + v.mark(v.shared, "contact"), "detail": "intranet/hr"}}}, nil), 200, "contacts")

	v.member, v.sched, v.linkToken, v.userID = member, sched.Data.ID.String(), link.Token, u.ID
	v.ids = []matrixVictimID{
		{"member", "members", member},
		{"held session", "sessions", held.Data.ID.String()},
		{"scheduled session", "sessions", v.sched},
		{"action", "actions", held.Data.Actions[0].ID.String()},
		{"member link's id (not its token)", "member-links", link.Link.ID.String()},
		{"chat thread", "threads", th.ID.String()},
		{"chat message", "messages", thread.Messages[0].ID.String()},
		{"prep answer", "answers", plan.ID.String()},
		{"chat answer", "answers", ans.ID.String()},
		{"reflection answer", "answers", refl.ID.String()},
		{"KB document", "documents", d.ID.String()},
		{"user made by the admin", "users", u.ID.String()},
		{"token made by the admin", "tokens", tok.Token.ID.String()},
		{"manager's user", "users", mgrP.UserID.String()},
		{"manager's token", "tokens", mgrP.TokenID.String()},
		{"curator's user", "users", curP.UserID.String()},
		{"admin's token", "tokens", admP.TokenID.String()},
	}
	seen := map[string]bool{}
	for _, id := range v.ids {
		if id.id == uuid.Nil.String() || seen[id.id] {
			t.Fatalf("seed: the %s's id %s is nil or taken twice", id.name, id.id)
		}
		seen[id.id] = true
	}
	// The owners' views: compared before and after the replay.
	s := "/api/sessions/"
	v.reads = []matrixRead{
		{mgr, "/api/members/" + member},
		{mgr, "/api/members/" + member + "/sessions"},
		{mgr, "/api/members/" + member + "/actions"},
		{mgr, s + held.Data.ID.String()},
		{mgr, s + v.sched},
		{mgr, s + v.sched + "/links"},
		{mgr, "/api/chat/threads"},
		{mgr, "/api/chat/threads/" + th.ID.String()},
		// Every row an erasure would delete, the answer ratings included.
		{mgr, "/api/members/" + member + "/export"},
		{cur, "/api/kb/documents/" + d.ID.String()},
		{cur, "/api/kb/documents/" + d.ID.String() + "/versions"},
		{adm, "/api/users/" + u.ID.String()},
		{adm, "/api/users/" + mgrP.UserID.String()},
		{adm, "/api/tokens?user_id=" + u.ID.String()},
		{adm, "/api/tokens?user_id=" + mgrP.UserID.String()},
		{adm, "/api/org/terms"},
		{adm, "/api/org/contacts"},
	}
	return v
}

// matrixLeak returns the first of prefixes that body holds, looking inside
// a zip (the guidance export) too: a leak there would be compressed.
func matrixLeak(body []byte, prefixes []string) string {
	texts := [][]byte{body}
	if bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		if zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err == nil {
			for _, f := range zr.File {
				if rc, err := f.Open(); err == nil {
					b, _ := io.ReadAll(rc)
					rc.Close()
					texts = append(texts, []byte(f.Name), b)
				}
			}
		}
	}
	for _, b := range texts {
		for _, p := range prefixes {
			if bytes.Contains(b, []byte(p)) {
				return p
			}
		}
	}
	return ""
}

// matrixCaller is who replays org A's ids.
type matrixCaller struct {
	name    string
	role    tenant.Role
	token   string
	sameOrg bool // a second manager of org A, not someone of org B
}

// matrixOrgShared: routes on organization-level resources that any user of the
// org may read (published guidance). Only there may a second manager of
// the same org get a 2xx; everything else under the manager's history,
// and users and tokens (self or admin only), must stay closed to them.
func matrixOrgShared(r matrixRoute) bool {
	return strings.HasPrefix(r.Path, "/api/kb/documents/:id") && r.Method == http.MethodGet
}

// TestCrossTenantReplay creates real resources of every kind in org A and
// replays every route with a path parameter with each of A's ids, as each
// role of org B and as a second manager of org A, with {} and a
// valid-looking body. No answer may hold any of A's texts; org B gets no
// 2xx; A's second manager gets a 2xx only on guidance A's managers may
// read. A's resources must be unchanged afterwards.
//
// The member-link routes (:token) are replayed like the others with A's
// ids in place of the token: an id is not a token, so they must answer
// 404. The real link token is different: it is the credential, and anyone
// holding it may use it by design, so a 2xx with it is no leak. It is
// replayed once, at the end, from org B (with B's bearer token, which must
// change nothing): the view must carry none of the manager's texts, the
// submission must land in A's manager's history, and the link must then
// be spent.
func TestCrossTenantReplay(t *testing.T) {
	var e *echo.Echo
	srv := newTestServer(t, coachDeps(t, nil, 0), func(x *echo.Echo) { e = x })
	routes := matrixRoutes(t, e)
	orgA, orgB := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	v := matrixSeedVictim(t, srv, orgA)

	var callers []matrixCaller
	bToks := matrixUsers(t, orgB)
	for _, role := range matrixAnyRole {
		callers = append(callers, matrixCaller{name: "org B's " + string(role), role: role, token: bToks[role]})
	}
	_, mgr2 := pgtest.NewUser(t, db, orgA, tenant.RoleManager)
	callers = append(callers, matrixCaller{name: "org A's second manager", role: tenant.RoleManager, token: mgr2, sameOrg: true})

	before := matrixSnapshot(t, srv, v.reads)
	matrixOwnerSeesMarkers(t, v, before)

	tally := &matrixTally{errs: &matrixErrors{t: t}, v: v}
	replays, routesCovered := matrixReplays(routes, v)
	// Each caller replays in a goroutine of its own: they are independent
	// (every replay must fail), and the test stays fast. check runs under
	// the lock.
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range replays {
				// A role the table refuses gets 403 before any lookup
				// (TestRoleRouteTable): it is sent only the ids of the
				// route's kind, which keeps the test fast.
				if roles, ok := matrixRoleTable[p.r.key()]; ok && !slices.Contains(roles, c.role) && p.id.kind != matrixIDKind(p.r.Path) {
					continue
				}
				res, err := matrixDo(t, srv, matrixReq{method: p.r.Method, path: p.path, bearer: c.token, body: p.body})
				if err != nil {
					t.Errorf("as %s: %v", c.name, err)
					return
				}
				no2xx := !c.sameOrg || !matrixOrgShared(p.r) || p.id.kind != "documents"
				mu.Lock()
				tally.check(c, p.r, p.path, p.what, res, no2xx)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	// Routes that take an id in the body or the query instead.
	u := v.userID.String()
	bodyIDs := []struct {
		method, path, body string
		no2xx              bool
	}{
		{"POST", "/api/chat/threads", `{"member_id":"` + v.member + `","title":"replayed"}`, true},
		{"POST", "/api/redact", `{"texts":["replayed"],"member_id":"` + v.member + `"}`, true},
		{"POST", "/api/tokens", `{"user_id":"` + u + `","name":"replayed"}`, true},
		{"GET", "/api/tokens?user_id=" + u, "", false}, // B's admin gets an empty list
		{"GET", "/api/tokens?user_id=" + v.mgrID.String(), "", false},
	}
	for _, b := range bodyIDs {
		for _, c := range callers {
			res := matrixSend(t, srv, matrixReq{method: b.method, path: b.path, bearer: c.token, body: b.body})
			tally.check(c, matrixRoute{b.method, b.path}, b.path, "id in the body or query", res, b.no2xx)
		}
	}

	// Every GET without a path parameter (lists, settings, reports,
	// exports): scoped to the caller's org, so none of A's texts.
	listed := 0
	for _, r := range routes {
		if r.Method != http.MethodGet || strings.Contains(r.Path, ":") {
			continue
		}
		listed++
		for _, c := range callers {
			res := matrixSend(t, srv, matrixReq{method: r.Method, path: r.Path, bearer: c.token})
			tally.check(c, r, r.Path, "list", res, false)
		}
	}

	// A's resources are unchanged, and A's users and tokens still work.
	after := matrixSnapshot(t, srv, v.reads)
	changed := matrixCompare(t, "the replay", before, after)
	for _, tok := range []string{v.mgr, v.cur, v.adm} {
		if res := matrixSend(t, srv, matrixReq{method: http.MethodGet, path: "/api/me", bearer: tok}); res.status != http.StatusOK {
			t.Errorf("an org A user's token stopped working after the replay: /api/me = %d", res.status)
		}
	}
	matrixReplayLink(t, srv, v, callers[0], tally)

	t.Logf("cross-tenant replay: %d routes with a path parameter covered (%d ids of org A, %d callers), %d id-less GET routes read, %d requests sent, %d leaks found, %d unexpected 2xx, %d 5xx, %d of A's reads changed",
		routesCovered, len(v.ids), len(callers), listed, tally.sent, tally.leaks, tally.opened, tally.serverErrors, changed)
}

// matrixOwnerSeesMarkers checks that the owners read back every marker
// that is stored: otherwise not finding it elsewhere would prove nothing.
// The prep question and the answer rating may be shown back by the member
// export only.
func matrixOwnerSeesMarkers(t *testing.T, v *matrixVictim, before map[string]string) {
	t.Helper()
	var seen strings.Builder
	for _, s := range before {
		seen.WriteString(s)
	}
	var unseen []string
	for _, m := range v.markers {
		if !strings.Contains(seen.String(), m) {
			unseen = append(unseen, m)
		}
	}
	for _, m := range unseen {
		if !strings.HasSuffix(m, "question") && !strings.HasSuffix(m, "rating") {
			t.Fatalf("the owner cannot read back marker %s: the leak check would prove nothing for it", m)
		}
	}
	t.Logf("org A: %d ids, %d markers written (%d not shown back to the owner: %v)", len(v.ids), len(v.markers), len(unseen), unseen)
}

// matrixTally checks replayed answers and counts what it found.
type matrixTally struct {
	errs                              *matrixErrors
	v                                 *matrixVictim
	sent, leaks, opened, serverErrors int
}

func (m *matrixTally) check(c matrixCaller, r matrixRoute, path, what string, res matrixResp, no2xx bool) {
	m.sent++
	forbidden := []string{m.v.private, m.v.admin, m.v.shared}
	if c.sameOrg {
		forbidden = forbidden[:2] // guidance and contacts are A's managers' to read
	}
	if p := matrixLeak(res.body, forbidden); p != "" {
		m.leaks++
		m.errs.errorf("LEAK: %s %s (%s) as %s = %d: the answer holds org A's text %s…: %.300s", r.Method, path, what, c.name, res.status, p, res.body)
	}
	if no2xx && matrixIs2xx(res.status) {
		m.opened++
		m.errs.errorf("%s %s (%s) as %s = %d, want no 2xx: %.300s", r.Method, path, what, c.name, res.status, res.body)
	}
	if res.status >= 500 {
		m.serverErrors++
		m.errs.errorf("%s %s (%s) as %s = %d", r.Method, path, what, c.name, res.status)
	}
}

// matrixReplay is one request of the replay.
type matrixReplay struct {
	r                matrixRoute
	id               matrixVictimID
	path, body, what string
}

// matrixReplays is every route with a path parameter, with each of A's ids.
func matrixReplays(routes []matrixRoute, v *matrixVictim) (replays []matrixReplay, covered int) {
	for _, r := range routes {
		if !strings.Contains(r.Path, ":") {
			continue
		}
		covered++
		kind := matrixIDKind(r.Path)
		for _, id := range v.ids {
			// On :token routes the id stands in for the token.
			path := matrixPath(r.Path, id.id, id.id)
			// Writes get {} with every id, and the valid-looking body
			// with the ids of the kind the route takes (with every id
			// on :token routes): with an id of another kind the lookup
			// fails before the body matters, and the test stays fast.
			bodies := []string{""}
			if matrixUnsafe(r.Method) && r.Method != http.MethodDelete {
				bodies = []string{"{}"}
				if kind == "" || id.kind == kind {
					bodies = append(bodies, matrixBody(r))
				}
			}
			for _, b := range bodies {
				replays = append(replays, matrixReplay{r, id, path, b, id.name + ", body " + b})
			}
		}
	}
	return replays, covered
}

// matrixReplayLink uses A's member link once, from org B: the token is the
// credential, so the answers are 2xx, but the view holds none of the
// manager's texts, the intake lands in A's manager's history, and the
// link is then spent.
func matrixReplayLink(t *testing.T, srv *httptest.Server, v *matrixVictim, b matrixCaller, tally *matrixTally) {
	t.Helper()
	link := "/api/member-links/" + v.linkToken
	res := matrixSend(t, srv, matrixReq{method: http.MethodGet, path: link, bearer: b.token})
	tally.sent++
	if res.status != http.StatusOK {
		t.Errorf("GET the link after the replay = %d, want 200: the replay spent or broke it", res.status)
	}
	if p := matrixLeak(res.body, []string{v.private, v.admin, v.shared}); p != "" {
		tally.leaks++
		t.Errorf("LEAK: the member link's view holds the manager's text %s…: %s", p, res.body)
	}
	intake := "intake " + "qzb" + matrixLetters(8)
	res = matrixSend(t, srv, matrixReq{method: http.MethodPost, path: link + "/intake", bearer: b.token,
		body: `{"style":"listen","topics":["wellbeing"],"text":"` + intake + `"}`})
	tally.sent++
	if res.status != http.StatusOK {
		t.Errorf("intake through A's link = %d, want 200 (the token is the credential)", res.status)
	}
	if s := matrixSend(t, srv, matrixReq{method: http.MethodGet, path: "/api/sessions/" + v.sched, bearer: v.mgr}); !strings.Contains(string(s.body), intake) {
		t.Errorf("the intake did not land in A's manager's session: %.300s", s.body)
	}
	if s := matrixSend(t, srv, matrixReq{method: http.MethodGet, path: "/api/members", bearer: b.token}); strings.Contains(string(s.body), intake) || strings.Contains(string(s.body), v.private) {
		t.Errorf("the intake (sent with B's bearer token) reached org B: %.300s", s.body)
	}
	res = matrixSend(t, srv, matrixReq{method: http.MethodPost, path: link + "/intake", bearer: b.token,
		body: `{"style":"listen","topics":["wellbeing"],"text":"again"}`})
	tally.sent++
	if res.status != http.StatusGone {
		t.Errorf("a second intake through a spent link = %d, want 410", res.status)
	}
}

// ---------------------------------------------------------------------------
// 2. Role × route table.

// TestRoleRouteTable calls every authenticated route as each role, with
// the nil UUID for ids and {} for bodies: a role the table does not allow
// must get 403, an allowed role anything but 403. The table must name
// exactly the routes of the route list.
func TestRoleRouteTable(t *testing.T) {
	var e *echo.Echo
	srv := newTestServer(t, coachDeps(t, nil, 0), func(x *echo.Echo) { e = x })
	routes := matrixRoutes(t, e)
	toks := matrixUsers(t, pgtest.NewOrg(t, db))

	// The table and the route list name the same routes.
	live := map[string]bool{}
	for _, r := range routes {
		live[r.key()] = true
		_, public := matrixPublic[r.key()]
		_, inTable := matrixRoleTable[r.key()]
		switch {
		case public && inTable:
			t.Errorf("%s is both public and in the role table: remove one", r.key())
		case !public && !inTable:
			t.Errorf("%s is not in matrixRoleTable: add it to the table (which roles may call it?)", r.key())
		}
	}
	for k := range matrixRoleTable {
		if !live[k] {
			t.Errorf("matrixRoleTable names %s, which is no longer a route: remove it from the table", k)
		}
	}
	for k := range matrixPublic {
		if !live[k] {
			t.Errorf("matrixPublic names %s, which is no longer a route: remove it from the table", k)
		}
	}

	var checked, mismatches int
	nilID := uuid.Nil.String()
	for _, r := range routes {
		allowed, ok := matrixRoleTable[r.key()]
		if !ok {
			continue
		}
		body := ""
		if matrixUnsafe(r.Method) && r.Method != http.MethodDelete {
			body = "{}"
		}
		path := matrixPath(r.Path, nilID, nilID)
		for _, role := range matrixAnyRole {
			res := matrixSend(t, srv, matrixReq{method: r.Method, path: path, bearer: toks[role], body: body})
			checked++
			may := slices.Contains(allowed, role)
			switch {
			case may && res.status == http.StatusForbidden:
				mismatches++
				t.Errorf("%s as %s = 403, but the table allows %s: %.200s", r.key(), role, role, res.body)
			case !may && res.status != http.StatusForbidden:
				mismatches++
				t.Errorf("%s as %s = %d, want 403 (the table allows only %v): %.200s", r.key(), role, res.status, allowed, res.body)
			}
		}
	}
	t.Logf("role table: %d routes × %d roles = %d calls checked (%d public routes skipped), %d mismatches",
		len(matrixRoleTable), len(matrixAnyRole), checked, len(matrixPublic), mismatches)
}

// ---------------------------------------------------------------------------
// 3. CSRF on every unsafe route.

// matrixBrowserSession is a cookie session made by POST /api/session.
type matrixBrowserSession struct {
	cookie *http.Cookie
	csrf   string
}

func matrixSignIn(t *testing.T, srv *httptest.Server, token string) matrixBrowserSession {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/api/session", strings.NewReader(`{"token":"`+token+`"}`))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s sessionResponse
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != http.StatusCreated || s.CSRFToken == "" {
		t.Fatalf("sign in = %d %+v %v", resp.StatusCode, s, err)
	}
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, sessionCookie) && c.Value != "" {
			return matrixBrowserSession{cookie: &http.Cookie{Name: c.Name, Value: c.Value}, csrf: s.CSRFToken}
		}
	}
	t.Fatalf("sign in set no session cookie: %v", resp.Header["Set-Cookie"])
	return matrixBrowserSession{}
}

// TestCSRFEveryUnsafeRoute sends every unsafe route that authenticates
// with a browser session's cookie as each role, without the CSRF header
// and with wrong ones (garbage, and another session's real token): every
// answer is 403 and nothing changes. With the right header an allowed role
// gets anything but 403. Ids name real resources where the route takes
// one, so a request that got through would change something.
func TestCSRFEveryUnsafeRoute(t *testing.T) {
	var e *echo.Echo
	srv := newTestServer(t, coachDeps(t, nil, 0), func(x *echo.Echo) { e = x })
	routes := matrixRoutes(t, e)
	toks := matrixUsers(t, pgtest.NewOrg(t, db))
	sessions := map[tenant.Role]matrixBrowserSession{}
	for _, role := range matrixAnyRole {
		sessions[role] = matrixSignIn(t, srv, toks[role])
	}
	mgr, cur, adm := toks[tenant.RoleManager], toks[tenant.RoleCurator], toks[tenant.RoleAdmin]

	// Real ids of each kind, made with bearer tokens (no CSRF involved).
	var m redacted[history.Member]
	call(t, srv, "POST", "/api/members", mgr, map[string]any{"alias": "csrf member"}, &m)
	var s redacted[history.Session]
	call(t, srv, "POST", "/api/members/"+m.Data.ID.String()+"/sessions", mgr, map[string]any{"status": "held", "notes": "csrf notes",
		"actions": []map[string]any{{"text": "csrf action", "owner": "manager"}}}, &s)
	var th assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", mgr, map[string]any{"member_id": m.Data.ID, "title": "csrf thread"}, &th)
	var plan assistant.Plan
	call(t, srv, "POST", "/api/members/"+m.Data.ID.String()+"/prep", mgr, nil, &plan)
	var d knowledge.Document
	call(t, srv, "POST", "/api/kb/documents", cur, map[string]any{"title": "csrf guide", "language": "en", "topics": []string{"listening"},
		"body": "## Listening\n\nWait after a question.\n"}, &d)
	var u tenant.User
	call(t, srv, "POST", "/api/users", adm, map[string]any{"display_name": "csrf user", "role": "manager"}, &u)
	var tk tokenCreateResponse
	call(t, srv, "POST", "/api/tokens", adm, map[string]any{"user_id": u.ID, "name": "csrf token"}, &tk)
	if len(s.Data.Actions) != 1 || th.ID == uuid.Nil || plan.ID == uuid.Nil || d.ID == uuid.Nil || u.ID == uuid.Nil || tk.Token.ID == uuid.Nil {
		t.Fatalf("seed failed: session %+v thread %v plan %v doc %v user %v token %v", s.Data, th.ID, plan.ID, d.ID, u.ID, tk.Token.ID)
	}
	ids := map[string]string{
		"members": m.Data.ID.String(), "sessions": s.Data.ID.String(), "actions": s.Data.Actions[0].ID.String(),
		"threads": th.ID.String(), "answers": plan.ID.String(), "documents": d.ID.String(),
		"users": u.ID.String(), "tokens": tk.Token.ID.String(),
	}
	idFor := func(r matrixRoute) string {
		if id, ok := ids[matrixIDKind(r.Path)]; ok {
			return id
		}
		return uuid.Nil.String()
	}

	member, sess := "/api/members/"+ids["members"], "/api/sessions/"+ids["sessions"]
	reads := []matrixRead{
		{mgr, "/api/members"}, {mgr, member}, {mgr, member + "/sessions"}, {mgr, member + "/actions"}, {mgr, sess},
		{mgr, sess + "/links"}, {mgr, "/api/chat/threads"}, {mgr, "/api/chat/threads/" + ids["threads"]}, {mgr, "/api/tokens"},
		{cur, "/api/kb/documents"}, {cur, "/api/kb/documents/" + ids["documents"]}, {cur, "/api/kb/documents/" + ids["documents"] + "/versions"},
		{cur, "/api/tokens"}, {adm, "/api/users"}, {adm, "/api/users/" + ids["users"]}, {adm, "/api/tokens?user_id=" + ids["users"]},
		{adm, "/api/tokens"}, {adm, "/api/org/terms"}, {adm, "/api/org/contacts"}, {adm, "/api/org/safety-phrases"},
	}
	before := matrixSnapshot(t, srv, reads)

	var unsafeRoutes []matrixRoute
	for _, r := range routes {
		if _, public := matrixPublic[r.key()]; !public && matrixUnsafe(r.Method) {
			unsafeRoutes = append(unsafeRoutes, r)
		}
	}
	body := func(r matrixRoute) string {
		if r.Method == http.MethodDelete {
			return ""
		}
		return matrixBody(r)
	}

	// (a) no header, (b) wrong headers: 403 and nothing done.
	var refused, passed int
	errs := &matrixErrors{t: t}
	for _, r := range unsafeRoutes {
		path := matrixPath(r.Path, idFor(r), "")
		for i, role := range matrixAnyRole {
			other := sessions[matrixAnyRole[(i+1)%len(matrixAnyRole)]].csrf // a real token, of another session
			for _, bad := range []struct{ name, csrf string }{
				{"no X-CSRF-Token", ""}, {"a garbage X-CSRF-Token", strings.Repeat("0", 32)}, {"another session's X-CSRF-Token", other},
			} {
				res := matrixSend(t, srv, matrixReq{method: r.Method, path: path, cookie: sessions[role].cookie, csrf: bad.csrf, body: body(r)})
				if res.status == http.StatusForbidden {
					refused++
				} else {
					passed++
					errs.errorf("%s %s as %s with the cookie and %s = %d, want 403: %.200s", r.Method, path, role, bad.name, res.status, res.body)
				}
			}
		}
	}
	after := matrixSnapshot(t, srv, reads)
	changed := matrixCompare(t, "a cookie request without the right CSRF token", before, after)
	for _, role := range matrixAnyRole {
		if res := matrixSend(t, srv, matrixReq{method: http.MethodGet, path: "/api/session", cookie: sessions[role].cookie}); res.status != http.StatusOK {
			t.Errorf("%s's browser session ended after requests without the CSRF token: GET /api/session = %d", role, res.status)
		}
	}

	// (c) the right header: an allowed role is not refused. These run
	// last: they change things (erase the member, revoke, sign out).
	var allowedChecked, refusedAllowed int
	for _, r := range unsafeRoutes {
		path := matrixPath(r.Path, idFor(r), "")
		for _, role := range matrixRoleTable[r.key()] {
			res := matrixSend(t, srv, matrixReq{method: r.Method, path: path, cookie: sessions[role].cookie, csrf: sessions[role].csrf, body: body(r)})
			allowedChecked++
			if res.status == http.StatusForbidden || res.status == http.StatusUnauthorized {
				refusedAllowed++
				t.Errorf("%s %s as %s with the cookie and the right CSRF token = %d, want neither 401 nor 403: %.200s", r.Method, path, role, res.status, res.body)
			}
			if r.key() == "DELETE /api/session" {
				if res.status != http.StatusNoContent {
					t.Errorf("sign out = %d, want 204", res.status)
				}
				if res := matrixSend(t, srv, matrixReq{method: http.MethodGet, path: "/api/session", cookie: sessions[role].cookie}); res.status != http.StatusUnauthorized {
					t.Errorf("the session after sign out: GET /api/session = %d, want 401", res.status)
				}
				sessions[role] = matrixSignIn(t, srv, toks[role])
			}
		}
	}
	t.Logf("CSRF: %d unsafe authenticated routes; %d cookie requests without the right token (%d refused with 403, %d let through), %d owner reads changed; %d requests with the right token as an allowed role, %d refused",
		len(unsafeRoutes), refused+passed, refused, passed, changed, allowedChecked, refusedAllowed)
	if len(unsafeRoutes) < 30 {
		t.Errorf("only %d unsafe routes: the route list was not walked", len(unsafeRoutes))
	}
}

// ---------------------------------------------------------------------------
// 4. Headers on every answer.

// matrixCSP are the Content-Security-Policy directives server.go sets
// that matter; the test looks for them rather than for the exact string.
var matrixCSP = []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"}

// matrixHeaderProblems lists what an answer to path lacks of the headers every
// answer must carry (server.go: the Secure middleware, RequestID, noStore).
func matrixHeaderProblems(route, path string, res matrixResp) []string {
	var out []string
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"X-Xss-Protection":       "0",
	} {
		if got := res.header.Get(h); got != want {
			out = append(out, fmt.Sprintf("%s %q, want %q", h, got, want))
		}
	}
	csp := res.header.Get("Content-Security-Policy")
	for _, d := range matrixCSP {
		if !strings.Contains(csp, d) {
			out = append(out, fmt.Sprintf("Content-Security-Policy %q lacks %q", csp, d))
			break
		}
	}
	rid := res.header.Get(echo.HeaderXRequestID)
	if rid == "" {
		out = append(out, "no X-Request-Id")
	}
	if strings.HasPrefix(path, "/api/") {
		if got := res.header.Get(echo.HeaderCacheControl); got != "no-store" {
			out = append(out, fmt.Sprintf("Cache-Control %q, want no-store", got))
		}
	}
	// Routes that authenticate say how (RFC 9110: a 401 carries
	// WWW-Authenticate): a bearer token, or for Slack's commands Slack's
	// signature. Sign-in is left out: its token is in the body.
	scheme := "Bearer"
	if route == "POST /api/slack/commands" {
		scheme = "Slack-Signature"
	}
	if res.status == http.StatusUnauthorized && route != "POST /api/session" && !strings.HasPrefix(res.header.Get(echo.HeaderWWWAuthenticate), scheme) {
		out = append(out, fmt.Sprintf("401 with WWW-Authenticate %q", res.header.Get(echo.HeaderWWWAuthenticate)))
	}
	if res.status >= 400 && len(res.body) > 0 {
		var eb errorBody
		if err := json.Unmarshal(res.body, &eb); err != nil || eb.Error.Code == "" {
			out = append(out, "an error answer that is not the error body")
		} else if eb.Error.RequestID != rid {
			out = append(out, fmt.Sprintf("error request_id %q, X-Request-Id %q", eb.Error.RequestID, rid))
		}
	}
	if len(res.body) > 0 && res.header.Get(echo.HeaderContentType) == "" {
		out = append(out, "a body without Content-Type")
	}
	return out
}

// TestHeadersEveryRoute checks the headers of answers to every route: as
// nobody (401, or the public routes' own answers), as each role with nil
// ids and {} (2xx, 400, 403, 404), with the wrong method (405), with a
// body over the limit (413), and from a server whose in-flight cap is
// reached (503), plus unknown paths (404). Failures are grouped by status
// and header, with a few example requests each.
func TestHeadersEveryRoute(t *testing.T) {
	var e *echo.Echo
	srv := newTestServer(t, coachDeps(t, nil, 0), func(x *echo.Echo) { e = x })
	routes := matrixRoutes(t, e)
	toks := matrixUsers(t, pgtest.NewOrg(t, db))
	// A server whose in-flight cap is reached: its one slot is held by a
	// request that waits until the test ends, so every other caller is
	// turned away (503 with Retry-After).
	busyDeps := testDeps(t)
	busyDeps.MaxInFlight = 1
	busyDeps.Logger = slog.New(slog.DiscardHandler) // every answer is a logged 503
	holding, release := make(chan struct{}), make(chan struct{})
	busy := newTestServer(t, busyDeps, func(e *echo.Echo) {
		e.GET("/test/hold", func(c echo.Context) error {
			close(holding)
			<-release
			return c.NoContent(http.StatusNoContent)
		})
	})
	// Cleanups run last-in first-out: the slot is freed before the server
	// closes (Close waits for the held request).
	t.Cleanup(sync.OnceFunc(func() { close(release) }))
	go func() {
		if resp, err := http.Get(busy.URL + "/test/hold"); err == nil {
			resp.Body.Close()
		}
	}()
	<-holding

	type failure struct {
		count    int
		examples []string
	}
	failures := map[string]*failure{}
	statuses := map[int]int{}
	var checked, failedAnswers int
	check := func(label, route, method, path string, res matrixResp) {
		checked++
		statuses[res.status]++
		problems := matrixHeaderProblems(route, path, res)
		if len(problems) > 0 {
			failedAnswers++
		}
		for _, p := range problems {
			k := fmt.Sprintf("%d: %s", res.status, p)
			f := failures[k]
			if f == nil {
				f = &failure{}
				failures[k] = f
			}
			f.count++
			if len(f.examples) < 3 {
				f.examples = append(f.examples, label+" "+method+" "+path)
			}
		}
	}

	nilID := uuid.Nil.String()
	oversized := `{"text":"` + strings.Repeat("x", 2<<20) + `"}`
	methods := map[string][]string{}
	for _, r := range routes {
		methods[r.Path] = append(methods[r.Path], r.Method)
		path := matrixPath(r.Path, nilID, "tl_nothing")
		body := ""
		if matrixUnsafe(r.Method) && r.Method != http.MethodDelete {
			body = "{}"
		}
		check("anonymous", r.key(), r.Method, path, matrixSend(t, srv, matrixReq{method: r.Method, path: path, body: body}))
		for _, role := range matrixAnyRole {
			check(string(role), r.key(), r.Method, path, matrixSend(t, srv, matrixReq{method: r.Method, path: path, bearer: toks[role], body: body}))
		}
		if body != "" {
			check("oversized body", r.key(), r.Method, path, matrixSend(t, srv, matrixReq{method: r.Method, path: path, bearer: toks[tenant.RoleAdmin], body: oversized}))
		}
		check("server busy", r.key(), r.Method, path, matrixSend(t, busy, matrixReq{method: r.Method, path: path, bearer: toks[tenant.RoleAdmin], body: body}))
	}
	// The wrong method on every path, and paths that are no route.
	for p, ms := range methods {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if !slices.Contains(ms, m) {
				path := matrixPath(p, nilID, "tl_nothing")
				check("wrong method", "", m, path, matrixSend(t, srv, matrixReq{method: m, path: path, bearer: toks[tenant.RoleManager]}))
				break
			}
		}
	}
	for _, p := range []string{"/api/nope", "/api/members/" + nilID + "/nope", "/nope", "/m/tl_nothing"} {
		check("no route", "", http.MethodGet, p, matrixSend(t, srv, matrixReq{method: http.MethodGet, path: p, bearer: toks[tenant.RoleManager]}))
	}

	keys := make([]string, 0, len(failures))
	for k := range failures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := failures[k]
		t.Errorf("%d answers with status %s (e.g. %s)", f.count, k, strings.Join(f.examples, "; "))
	}
	t.Logf("headers: %d answers checked over %d routes (statuses %v), %d answers failed, %d kinds of failure", checked, len(routes), statuses, failedAnswers, len(keys))
}
