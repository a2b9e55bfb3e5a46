package api

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"
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
