package api

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

func TestMetricsExposition(t *testing.T) {
	m := newMetrics(nil)
	m.observe("/api/x", "GET", 200, 3*time.Millisecond)
	m.observe("/api/x", "GET", 200, 5*time.Millisecond) // on a bound: counted in le="0.005"
	m.observe("/api/x", "GET", 500, 20*time.Millisecond)
	m.observe("/api/x", "GET", 200, 2*time.Minute)
	m.observe(`/a"b\c`, "GET", 404, time.Millisecond)
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	m.write(w)
	w.Flush()
	out := buf.String()
	for _, want := range []string{
		`taiwa_http_requests_total{method="GET",route="/api/x",status="200"} 3`,
		`taiwa_http_requests_total{method="GET",route="/api/x",status="500"} 1`,
		`taiwa_http_requests_total{method="GET",route="/a\"b\\c",status="404"} 1`,
		`taiwa_http_request_duration_seconds_bucket{method="GET",route="/api/x",le="0.005"} 2`,
		`taiwa_http_request_duration_seconds_bucket{method="GET",route="/api/x",le="0.025"} 3`,
		`taiwa_http_request_duration_seconds_bucket{method="GET",route="/api/x",le="60"} 3`,
		`taiwa_http_request_duration_seconds_bucket{method="GET",route="/api/x",le="+Inf"} 4`,
		`taiwa_http_request_duration_seconds_count{method="GET",route="/api/x"} 4`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("exposition lacks %s\n%s", want, out)
		}
	}
}

// TestModelMetrics: /metrics says what the model did: calls by outcome,
// retries, the breaker, and the answers that fell back offline and why.
func TestModelMetrics(t *testing.T) {
	fake := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply { return openaitest.Reply{Status: 503} })
	ep := llm.NewEndpoint(llm.Config{BaseURL: fake.BaseURL(), MaxWait: time.Second, BreakerFailures: 2})
	d := coachDeps(t, ep.Chat("fake-model"), 0)
	d.Models = ep.Meter()
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Mさん", "")
	for range 3 {
		if resp := call(t, srv, "POST", member+"/prep", tok, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("prep = %d", resp.StatusCode)
		}
	}
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := string(b)
	for _, want := range []string{
		`taiwa_model_calls_total{model="fake-model",kind="chat",outcome="unavailable"} 2`,
		`taiwa_model_calls_total{model="fake-model",kind="chat",outcome="breaker_open"} 1`,
		`taiwa_model_breaker_open{model="fake-model",kind="chat"} 1`,
		`taiwa_model_retries_total{status="503"} 4`,
		`taiwa_coach_fallbacks_total{kind="prep",reason="llm_unavailable"} 3`,
		`taiwa_model_call_duration_seconds_count{model="fake-model",kind="chat"} 2`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
