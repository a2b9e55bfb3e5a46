package api

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestMalformedRequests sends malformed requests to every route of the
// route list (a new route is covered without editing the test), as each
// role, with ids that name nothing, ids that are not ids, and bodies of
// every wrong shape: no answer may be a 5xx. It prints how many requests
// it sent.
func TestMalformedRequests(t *testing.T) {
	var e *echo.Echo
	srv := newTestServer(t, coachDeps(t, nil, 0), func(x *echo.Echo) { e = x })
	org := pgtest.NewOrg(t, db)
	var tokens []string
	for _, role := range []tenant.Role{tenant.RoleManager, tenant.RoleCurator, tenant.RoleAdmin} {
		_, tok := pgtest.NewUser(t, db, org, role)
		tokens = append(tokens, tok)
	}
	bodies := []string{
		"", "{", "[]", "null", "0", `"x"`, `{"a":1}`, `{"text":123}`, `{"alias":["x"]}`, `{"forms":"x"}`,
		`{"status":"held","held_at":"yesterday"}`, `{"scheduled_at":"2026-99-99T99:99:99Z"}`, `{"limit":-1}`,
		`{"ttl_hours":1e300}`, `{"helpful":"yes"}`, `{"answers":[{"prompt":null}]}`, `{"phrases":[{"matter":1}]}`,
		`{"texts":["` + strings.Repeat("あ", 70000) + `"]}`, `{"query":"\ud800"}`, `{"contacts":[{}]}`, `{"terms":[""]}`,
		`{"title":"t","body":"b","language":"xx","topics":[]}`, `{"dismiss":["` + strings.Repeat("f", 32) + `"],"topics":["crisis"]}`,
	}
	ids := []string{"00000000-0000-0000-0000-000000000000", "not-an-id", "..%2F"}
	var sent, failed int
	for _, r := range e.Routes() {
		if strings.HasPrefix(r.Path, "/test/") || r.Method == echo.RouteNotFound || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		for _, id := range ids {
			path := r.Path
			for _, p := range []string{":id", ":version", ":token"} {
				path = strings.ReplaceAll(path, p, id)
			}
			for _, tok := range tokens {
				for _, body := range bodies {
					if r.Method == http.MethodGet || r.Method == http.MethodDelete {
						if body != "" {
							continue
						}
					}
					req, _ := http.NewRequest(r.Method, srv.URL+path+"?limit=abc&offset=-5&months=999999999999", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+tok)
					req.Header.Set("Content-Type", "application/json")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					sent++
					if resp.StatusCode >= 500 {
						failed++
						if failed <= 20 {
							t.Errorf("%s %s body %.60q: %d", r.Method, path, body, resp.StatusCode)
						}
					}
				}
			}
		}
	}
	t.Logf("malformed requests: %d sent, %d answered 5xx", sent, failed)
	if sent < 1000 {
		t.Errorf("only %d requests sent: the route list was not walked", sent)
	}
}
