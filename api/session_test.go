package api

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
	"github.com/taiwa-coach/taiwa/web"
)

// TestBrowserSession signs in as the UI does: the API token becomes an
// HttpOnly session cookie, unsafe requests need the CSRF token, and
// signing out revokes the session.
func TestBrowserSession(t *testing.T) {
	d := testDeps(t)
	d.UI = web.Handler("")
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	do := func(method, path, csrf, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}

	if resp := do("POST", "/api/session", "", `{"token":"taiwa_wrong"}`); resp.StatusCode != 401 {
		t.Errorf("sign-in with a bad token = %d, want 401", resp.StatusCode)
	}
	var s sessionResponse
	resp := call(t, srv, "POST", "/api/session", "", map[string]string{"token": tok}, &s)
	if resp.StatusCode != 201 || s.CSRFToken == "" || s.User.Role != tenant.RoleManager {
		t.Fatalf("sign-in = %d %+v", resp.StatusCode, s)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Value == tok {
		t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Strict, not the API token itself", cookie)
	}
	jar.SetCookies(resp.Request.URL, []*http.Cookie{cookie})

	for _, tc := range []struct {
		method, path, csrf, body string
		want                     int
	}{
		{"GET", "/api/me", "", "", 200},
		{"GET", "/api/session", "", "", 200},
		{"POST", "/api/members", "", `{"alias":"Xさん"}`, 403},
		{"POST", "/api/members", "wrong", `{"alias":"Xさん"}`, 403},
		{"POST", "/api/members", s.CSRFToken, `{"alias":"Xさん"}`, 201},
		{"DELETE", "/api/session", "", "", 403},
		{"DELETE", "/api/session", s.CSRFToken, "", 204},
		{"GET", "/api/me", "", "", 401},
	} {
		if resp := do(tc.method, tc.path, tc.csrf, tc.body); resp.StatusCode != tc.want {
			t.Errorf("%s %s (csrf %q) = %d, want %d", tc.method, tc.path, tc.csrf, resp.StatusCode, tc.want)
		}
		if tc.method == "DELETE" && tc.want == 204 {
			// The browser drops the cleared cookie; a stolen copy must not
			// work either.
			jar.SetCookies(resp.Request.URL, []*http.Cookie{cookie})
		}
	}
	// The API token itself still works: signing out ended the session only.
	if resp := call(t, srv, "GET", "/api/me", tok, nil, nil); resp.StatusCode != 200 {
		t.Errorf("API token after sign-out = %d", resp.StatusCode)
	}
}

func TestUIServed(t *testing.T) {
	d := testDeps(t)
	d.UI = web.Handler("")
	srv := newTestServer(t, d)
	for _, tc := range []struct{ path, contentType, contains string }{
		{"/", "text/html", `src="/static/app.js"`},
		{"/m/tl_sometoken", "text/html", `src="/static/member.js"`},
		{"/static/app.js", "javascript", "import"},
		{"/static/style.css", "text/css", "--accent"},
	} {
		resp, err := srv.Client().Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), tc.contentType) || !strings.Contains(string(body), tc.contains) {
			t.Errorf("GET %s = %d %s", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", tc.path, csp)
		}
	}
}

// TestHostCookieOverTLS: behind HTTPS the session cookie carries the
// __Host- prefix (Secure, Path=/, no Domain), so no sibling domain can set
// or overwrite it, and it signs the browser in.
func TestHostCookieOverTLS(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/api/session", strings.NewReader(`{"token":"`+tok+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-"+sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.Secure || cookie.Path != "/" || cookie.Domain != "" {
		t.Fatalf("cookies %v: want __Host-%s, Secure, Path=/, no Domain", resp.Cookies(), sessionCookie)
	}
	req, _ = http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/api/me", nil)
	req.AddCookie(cookie)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("/api/me with the __Host- cookie: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}
