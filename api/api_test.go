package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/jobs"
	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/notify"
	"github.com/taiwa-coach/taiwa/assistant/safety"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var db *pgtest.DB

func TestMain(m *testing.M) { pgtest.Main(m, &db) }

var (
	analyzer = sync.OnceValues(knowledge.NewAnalyzer)
	redactor = sync.OnceValues(anonymize.New)
	// detector is shared: loading the lexicon and model takes a while.
	detector = sync.OnceValues(safety.NewDetector)
)

func sharedDetector(t *testing.T) *safety.Detector {
	t.Helper()
	d, err := detector()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// testDeps are the dependencies of a test server; logs go to the test log.
func testDeps(t *testing.T) Deps {
	a, err := analyzer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := redactor()
	if err != nil {
		t.Fatal(err)
	}
	sd := sharedDetector(t)
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	keyer, _ := anonymize.NewKeyer([]byte("a test secret of 32 bytes or so."))
	kb, h := knowledge.New(logger, a, nil), history.New(r, keyer)
	coach, err := assistant.New(assistant.Config{Logger: logger, Knowledge: kb, History: h, Safety: sd})
	if err != nil {
		t.Fatal(err)
	}
	// Jobs are enqueued, not worked: a test that needs one worked starts a
	// runner of its own (slack_test.go).
	queue := jobs.New(db.DB, logger)
	if err := queue.Start(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	return Deps{
		Logger:      logger,
		DB:          db.DB,
		Knowledge:   kb,
		History:     h,
		Coach:       coach,
		Ready:       db.Ping,
		MaxInFlight: 64,
		Jobs:        queue,
		Notifier:    notify.New(h, logger, "http://taiwa.test"),
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func newTestServer(t *testing.T, d Deps, extra ...func(e *echo.Echo)) *httptest.Server {
	t.Helper()
	e := newEcho(d)
	for _, f := range extra {
		f(e)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// call makes a request and decodes a JSON answer into out (if not nil).
func call(t *testing.T, srv *httptest.Server, method, path, token string, body any, out any) *http.Response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp
}

// TestCrossOrgAndOwnership tries every route that names an id across orgs
// and across users of one org: all answers are 404 or 403, never data.
func TestCrossOrgAndOwnership(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	orgA, orgB := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	adminA, adminATok := pgtest.NewUser(t, db, orgA, tenant.RoleAdmin)
	mgr1, mgr1Tok := pgtest.NewUser(t, db, orgA, tenant.RoleManager)
	mgr2, _ := pgtest.NewUser(t, db, orgA, tenant.RoleManager)
	_, adminBTok := pgtest.NewUser(t, db, orgB, tenant.RoleAdmin)
	curB, curBTok := pgtest.NewUser(t, db, orgB, tenant.RoleCurator)

	disable := map[string]any{"disabled": true}
	tests := []struct {
		name         string
		token        string
		method, path string
		body         any
		want         int
	}{
		{"other org's admin reads a user", adminBTok, "GET", "/api/users/" + mgr1.UserID.String(), nil, 404},
		{"other org's admin disables a user", adminBTok, "PATCH", "/api/users/" + mgr1.UserID.String(), disable, 404},
		{"other org's admin revokes a token", adminBTok, "DELETE", "/api/tokens/" + mgr1.TokenID.String(), nil, 404},
		{"other org's admin makes a token for a user", adminBTok, "POST", "/api/tokens", map[string]any{"user_id": mgr1.UserID}, 404},
		{"other org's admin lists a user's tokens", adminBTok, "GET", "/api/tokens?user_id=" + mgr1.UserID.String(), nil, 200},
		{"manager reads another manager", mgr1Tok, "GET", "/api/users/" + mgr2.UserID.String(), nil, 404},
		{"manager revokes another manager's token", mgr1Tok, "DELETE", "/api/tokens/" + mgr2.TokenID.String(), nil, 404},
		{"manager revokes an admin's token", mgr1Tok, "DELETE", "/api/tokens/" + adminA.TokenID.String(), nil, 404},
		{"manager lists another's tokens", mgr1Tok, "GET", "/api/tokens?user_id=" + mgr2.UserID.String(), nil, 403},
		{"manager makes a token for another", mgr1Tok, "POST", "/api/tokens", map[string]any{"user_id": mgr2.UserID}, 403},
		{"manager lists users", mgr1Tok, "GET", "/api/users", nil, 403},
		{"manager creates a user", mgr1Tok, "POST", "/api/users", map[string]any{"display_name": "x", "role": "admin"}, 403},
		{"curator of another org reads a user", curBTok, "GET", "/api/users/" + mgr1.UserID.String(), nil, 404},
		{"manager reads themselves", mgr1Tok, "GET", "/api/users/" + mgr1.UserID.String(), nil, 200},
		{"curator reads themselves", curBTok, "GET", "/api/users/" + curB.UserID.String(), nil, 200},
		{"admin reads a user of their org", adminATok, "GET", "/api/users/" + mgr2.UserID.String(), nil, 200},
		{"malformed id", adminATok, "GET", "/api/users/123", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body map[string]any
			resp := call(t, srv, tt.method, tt.path, tt.token, tt.body, &body)
			if resp.StatusCode != tt.want {
				t.Fatalf("%s %s = %d %v, want %d", tt.method, tt.path, resp.StatusCode, body, tt.want)
			}
			if tt.want == 200 && strings.Contains(tt.path, "tokens?user_id") {
				// Listing another org's user's tokens shows nothing.
				if toks, _ := body["tokens"].([]any); len(toks) != 0 {
					t.Errorf("listed %d tokens of another org's user", len(toks))
				}
			}
		})
	}

	// The victim's rows are untouched.
	var u tenant.User
	call(t, srv, "GET", "/api/users/"+mgr1.UserID.String(), adminATok, nil, &u)
	if u.DisabledAt != nil {
		t.Errorf("user disabled by another org")
	}
	if resp := call(t, srv, "GET", "/api/me", mgr1Tok, nil, nil); resp.StatusCode != 200 {
		t.Errorf("manager's token stopped working: %d", resp.StatusCode)
	}
}

func TestTokenLifecycle(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)

	var created tokenCreateResponse
	resp := call(t, srv, "POST", "/api/tokens", tok, map[string]any{"name": "laptop", "expires_in_days": 30}, &created)
	if resp.StatusCode != 201 || created.Secret == "" || created.Token.ExpiresAt == nil {
		t.Fatalf("create token = %d %+v", resp.StatusCode, created)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token response Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	var me meResponse
	if resp := call(t, srv, "GET", "/api/me", created.Secret, nil, &me); resp.StatusCode != 200 {
		t.Fatalf("new token: /api/me = %d", resp.StatusCode)
	}
	var page tokensPage
	call(t, srv, "GET", "/api/tokens", tok, nil, &page)
	if len(page.Tokens) != 2 {
		t.Errorf("listed %d tokens, want 2", len(page.Tokens))
	}
	if resp := call(t, srv, "DELETE", "/api/tokens/"+created.Token.ID.String(), tok, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("revoke = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "GET", "/api/me", created.Secret, nil, nil); resp.StatusCode != 401 {
		t.Errorf("revoked token: /api/me = %d, want 401", resp.StatusCode)
	}
}

func TestErrors(t *testing.T) {
	d := testDeps(t)
	srv := newTestServer(t, d, func(e *echo.Echo) {
		e.GET("/test/db-error", func(c echo.Context) error {
			return errors.New(`ERROR: relation "secret_table" does not exist (SQLSTATE 42P01)`)
		})
		e.GET("/test/panic", func(c echo.Context) error { panic("boom in handler") })
	})
	org := pgtest.NewOrg(t, db)
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)

	tests := []struct {
		name         string
		method, path string
		token        string
		body         any
		status       int
		code         string
	}{
		{"unknown route", "GET", "/nope", "", nil, 404, "not_found"},
		{"no token", "GET", "/api/me", "", nil, 401, "unauthenticated"},
		{"bad token", "GET", "/api/me", "taiwa_nope", nil, 401, "unauthenticated"},
		{"wrong method", "PUT", "/api/me", admin, nil, 405, "method_not_allowed"},
		{"bad json", "POST", "/api/users", admin, "{", 400, "invalid_argument"},
		{"unknown field", "POST", "/api/users", admin, `{"display_name":"x","role":"manager","nmae":"y"}`, 400, "invalid_argument"},
		{"bad role", "POST", "/api/users", admin, map[string]any{"display_name": "x", "role": "boss"}, 400, "invalid_argument"},
		{"too large", "POST", "/api/users", admin, `{"display_name":"` + strings.Repeat("x", 3<<20) + `"}`, 413, "too_large"},
		{"db error is hidden", "GET", "/test/db-error", "", nil, 500, "internal"},
		{"panic is recovered", "GET", "/test/panic", "", nil, 500, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body errorBody
			resp := call(t, srv, tt.method, tt.path, tt.token, tt.body, &body)
			if resp.StatusCode != tt.status || body.Error.Code != tt.code {
				t.Fatalf("%s %s = %d %+v, want %d %s", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.code)
			}
			if body.Error.RequestID == "" || body.Error.RequestID != resp.Header.Get("X-Request-Id") {
				t.Errorf("request_id %q, header %q: want the same, non-empty", body.Error.RequestID, resp.Header.Get("X-Request-Id"))
			}
			if body.Error.Message == "" {
				t.Error("empty message")
			}
			for _, leak := range []string{"secret_table", "SQLSTATE", "boom"} {
				if strings.Contains(body.Error.Message, leak) {
					t.Errorf("message %q leaks %q", body.Error.Message, leak)
				}
			}
		})
	}
}

func TestReadyzFollowsDatabase(t *testing.T) {
	// A database handle of its own, so closing it does not affect other tests.
	own, err := tenant.Open(t.Context(), db.URL, tenant.Options{Schema: db.Schema, AcquireTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d := testDeps(t)
	d.DB, d.Ready = own, own.Ping
	srv := newTestServer(t, d)
	if resp := call(t, srv, "GET", "/readyz", "", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("readyz = %d, want 200", resp.StatusCode)
	}
	own.Close()
	var body map[string]string
	if resp := call(t, srv, "GET", "/readyz", "", nil, &body); resp.StatusCode != 503 || body["status"] != "unavailable" {
		t.Fatalf("readyz with the database gone = %d %v, want 503 unavailable", resp.StatusCode, body)
	}
	if resp := call(t, srv, "GET", "/healthz", "", nil, nil); resp.StatusCode != 200 {
		t.Errorf("healthz = %d, want 200 (the process is up)", resp.StatusCode)
	}
	// Requests that need the database get 503 with Retry-After, not 500.
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	var eb errorBody
	resp := call(t, srv, "GET", "/api/me", tok, nil, &eb)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || eb.Error.Code != "unavailable" {
		t.Errorf("/api/me with the database gone = %d %+v Retry-After %q, want 503 unavailable with Retry-After",
			resp.StatusCode, eb, resp.Header.Get("Retry-After"))
	}
}

// TestInFlightCap fills the cap with requests that block, and checks the
// next one is turned away at once with 503 and Retry-After while health
// endpoints still answer.
func TestInFlightCap(t *testing.T) {
	d := testDeps(t)
	d.MaxInFlight = 2
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	srv := newTestServer(t, d, func(e *echo.Echo) {
		e.GET("/test/slow", func(c echo.Context) error {
			started <- struct{}{}
			<-release
			return c.NoContent(http.StatusNoContent)
		})
	})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.URL + "/test/slow")
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	<-started
	<-started
	var body errorBody
	resp := call(t, srv, "GET", "/test/slow", "", nil, &body)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || body.Error.Code != "unavailable" {
		t.Errorf("over the cap: %d %+v Retry-After %q, want 503 with Retry-After", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
	if resp := call(t, srv, "GET", "/healthz", "", nil, nil); resp.StatusCode != 200 {
		t.Errorf("healthz over the cap = %d, want 200", resp.StatusCode)
	}
	close(release)
	wg.Wait()
	if resp := call(t, srv, "GET", "/test/slow", "", nil, nil); resp.StatusCode != 204 {
		// The slot is free again; this one must not block (release is closed).
		t.Errorf("after the load: %d, want 204", resp.StatusCode)
	}
}

// TestSlowBodiesHoldNoSlot: requests whose bodies trickle in do not take
// a slot while they arrive, so they cannot turn real requests away.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	d := testDeps(t)
	d.MaxInFlight = 2
	srv := newTestServer(t, d, func(e *echo.Echo) {
		e.POST("/test/echo", func(c echo.Context) error {
			if _, err := io.ReadAll(c.Request().Body); err != nil {
				return err
			}
			return c.NoContent(http.StatusNoContent)
		})
	})
	addr := strings.TrimPrefix(srv.URL, "http://")
	for range 3 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	}
	time.Sleep(200 * time.Millisecond) // the slow requests reach the server
	resp, err := http.Post(srv.URL+"/test/echo", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("a real request behind 3 slow bodies (cap 2): %d, want 204", resp.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	call(t, srv, "GET", "/api/me", tok, nil, nil)
	call(t, srv, "GET", "/api/users/"+tenant.NewID().String(), tok, nil, nil)
	for range 2 { // the second is answered from the kept results
		call(t, srv, "POST", "/api/kb/search", tok, map[string]any{"query": "メトリクスの確認のための質問"}, nil)
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q, want the Prometheus text format", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`taiwa_http_requests_total{method="GET",route="/api/me",status="200"} 1`,
		`taiwa_http_requests_total{method="GET",route="/api/users/:id",status="404"} 1`,
		`taiwa_http_request_duration_seconds_bucket{method="GET",route="/api/me",le="+Inf"} 1`,
		`taiwa_http_request_duration_seconds_count{method="GET",route="/api/me"} 1`,
		`# TYPE taiwa_http_request_duration_seconds histogram`,
		`taiwa_db_pool_max_connections`,
		`taiwa_db_pool_acquires_total`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !regexp.MustCompile(`taiwa_search_result_cache_total\{outcome="hit"\} [1-9]`).Match(b) {
		t.Errorf("metrics count no search answered from the kept results:\n%s", b)
	}
}

func TestSecurityHeaders(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	resp := call(t, srv, "GET", "/healthz", "", nil, nil)
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}
