package api

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var (
	loadBench  = flag.Duration("loadbench", 0, "measure requests per second with 16 clients for this long per route")
	loadRoutes = flag.String("loadroutes", "", "only the routes whose names match this regular expression")
)

// TestThroughputFigures is a bench command: 16 clients on one keep-alive
// pool each, as fast as they can, against /readyz (no database), /api/me
// (authenticated, one scoped read) and lexical search over the starter
// pack: the same question again and again (answered from the kept results
// after the first), and a different one each time (never). Run with
// -loadbench 10s on native PostgreSQL (make bench); it asserts no figure,
// only that every answer was a 200.
func TestThroughputFigures(t *testing.T) {
	if *loadBench == 0 {
		t.Skip("run with -loadbench DURATION")
	}
	d := coachDeps(t, nil, 0)
	d.MaxInFlight = 256
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)

	const clients = 16
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	routes := []struct {
		name, method, path, body string
	}{
		{"/readyz", http.MethodGet, "/readyz", ""},
		{"/api/me", http.MethodGet, "/api/me", ""},
		{"search (lexical, ja)", http.MethodPost, "/api/kb/search", `{"query":"挑戦を避けるメンバーにどう声をかけるか","k":5}`},
		{"search (lexical, en)", http.MethodPost, "/api/kb/search", `{"query":"how do I give feedback that is hard to hear","k":5}`},
		{"search (lexical, ja, a new question each time)", http.MethodPost, "/api/kb/search", `{"query":"挑戦を避けるメンバーにどう声をかけるか %d","k":5}`},
		{"search (lexical, en, a new question each time)", http.MethodPost, "/api/kb/search", `{"query":"how do I give feedback that is hard to hear %d","k":5}`},
	}
	only := regexp.MustCompile(*loadRoutes)
	for _, r := range routes {
		if !only.MatchString(r.name) {
			continue
		}
		var n, bad, seq atomic.Int64
		deadline := time.Now().Add(*loadBench)
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					body := r.body
					if strings.Contains(body, "%d") {
						body = fmt.Sprintf(body, seq.Add(1))
					}
					req, _ := http.NewRequestWithContext(t.Context(), r.method, srv.URL+r.path, strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+tok)
					if r.body != "" {
						req.Header.Set("Content-Type", "application/json")
					}
					resp, err := client.Do(req)
					if err != nil {
						bad.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						bad.Add(1)
						continue
					}
					n.Add(1)
				}
			})
		}
		wg.Wait()
		t.Logf("throughput %s: %.0f req/s with %d clients (%d answers, %d not 200)",
			r.name, float64(n.Load())/loadBench.Seconds(), clients, n.Load(), bad.Load())
		if bad.Load() > 0 {
			t.Errorf("%s: %d answers were not 200", r.name, bad.Load())
		}
	}
}
