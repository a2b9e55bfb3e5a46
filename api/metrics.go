package api

import (
	"bufio"
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// metrics counts requests and serves them in the Prometheus text format.
// The format is small and stable; writing it here keeps the Prometheus
// client library (and protobuf, which it pulls in) out of the build.
type metrics struct {
	db     *tenant.DB
	models *llm.Meter       // nil in offline mode
	coach  *assistant.Coach // fallbacks by reason
	kb     *knowledge.Base  // kept search results
	start  time.Time

	mu       sync.Mutex
	requests map[requestKey]uint64
	latency  map[routeKey]*histogram

	inFlight atomic.Int64
	rejected atomic.Uint64
}

type routeKey struct{ route, method string }

type requestKey struct {
	routeKey
	status int
}

// latencyBuckets are the upper bounds, in seconds, of the latency histogram.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; one more for +Inf
	sum    float64
	n      uint64
}

func newMetrics(db *tenant.DB) *metrics {
	return &metrics{
		db: db, start: time.Now(),
		requests: map[requestKey]uint64{},
		latency:  map[routeKey]*histogram{},
	}
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	k := routeKey{route, method}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{k, status}]++
	h := m.latency[k]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latency[k] = h
	}
	s := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, s)
	h.counts[i]++
	h.sum += s
	h.n++
}

func (m *metrics) middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := statusOf(c, err)
			m.observe(routeOf(c), c.Request().Method, status, time.Since(start))
			return err
		}
	}
}

func handleMetrics(m *metrics) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		w := bufio.NewWriter(c.Response())
		m.write(w)
		return w.Flush()
	}
}

// write renders every metric, in a stable order.
func (m *metrics) write(w *bufio.Writer) {
	m.mu.Lock()
	reqs := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		reqs = append(reqs, k)
	}
	slices.SortFunc(reqs, func(a, b requestKey) int {
		return cmp.Or(cmp.Compare(a.route, b.route), cmp.Compare(a.method, b.method), cmp.Compare(a.status, b.status))
	})
	header(w, "taiwa_http_requests_total", "counter", "HTTP requests by route pattern, method and status.")
	for _, k := range reqs {
		fmt.Fprintf(w, "taiwa_http_requests_total{method=%s,route=%s,status=\"%d\"} %d\n", quote(k.method), quote(k.route), k.status, m.requests[k])
	}
	routes := make([]routeKey, 0, len(m.latency))
	for k := range m.latency {
		routes = append(routes, k)
	}
	slices.SortFunc(routes, func(a, b routeKey) int { return cmp.Or(cmp.Compare(a.route, b.route), cmp.Compare(a.method, b.method)) })
	header(w, "taiwa_http_request_duration_seconds", "histogram", "HTTP request latency by route pattern and method.")
	for _, k := range routes {
		h := m.latency[k]
		writeHistogram(w, "taiwa_http_request_duration_seconds", "method="+quote(k.method)+",route="+quote(k.route),
			latencyBuckets, llm.Histogram{Counts: h.counts, Sum: h.sum, N: h.n})
	}
	m.mu.Unlock()

	gauge(w, "taiwa_http_in_flight_requests", "gauge", "Requests being served now.", float64(m.inFlight.Load()))
	gauge(w, "taiwa_http_rejected_total", "counter", "Requests answered 503 because the in-flight cap was reached.", float64(m.rejected.Load()))

	if m.db != nil {
		s := m.db.Pool.Stat()
		header(w, "taiwa_db_pool_connections", "gauge", "Open database connections by state.")
		fmt.Fprintf(w, "taiwa_db_pool_connections{state=\"acquired\"} %d\n", s.AcquiredConns())
		fmt.Fprintf(w, "taiwa_db_pool_connections{state=\"constructing\"} %d\n", s.ConstructingConns())
		fmt.Fprintf(w, "taiwa_db_pool_connections{state=\"idle\"} %d\n", s.IdleConns())
		gauge(w, "taiwa_db_pool_max_connections", "gauge", "Maximum database connections.", float64(s.MaxConns()))
		gauge(w, "taiwa_db_pool_acquires_total", "counter", "Connection acquires.", float64(s.AcquireCount()))
		gauge(w, "taiwa_db_pool_empty_acquires_total", "counter", "Acquires that had to wait for a connection.", float64(s.EmptyAcquireCount()))
		gauge(w, "taiwa_db_pool_canceled_acquires_total", "counter", "Acquires given up (timeout or client gone).", float64(s.CanceledAcquireCount()))
		gauge(w, "taiwa_db_pool_acquire_wait_seconds_total", "counter", "Time spent waiting for connections.", s.AcquireDuration().Seconds())
	}

	if m.kb != nil {
		hits, misses := m.kb.ResultCacheStats()
		header(w, "taiwa_search_result_cache_total", "counter", "Searches answered from the kept results (hit) or run (miss).")
		fmt.Fprintf(w, "taiwa_search_result_cache_total{outcome=\"hit\"} %d\n", hits)
		fmt.Fprintf(w, "taiwa_search_result_cache_total{outcome=\"miss\"} %d\n", misses)
	}

	m.writeModels(w)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge(w, "go_goroutines", "gauge", "Goroutines that currently exist.", float64(runtime.NumGoroutine()))
	gauge(w, "go_memstats_heap_alloc_bytes", "gauge", "Heap bytes allocated and still in use.", float64(ms.HeapAlloc))
	gauge(w, "go_memstats_sys_bytes", "gauge", "Bytes obtained from the system.", float64(ms.Sys))
	gauge(w, "go_gc_cycles_total", "counter", "Completed GC cycles.", float64(ms.NumGC))
	gauge(w, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.", float64(m.start.Unix()))
}

func header(w *bufio.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func gauge(w *bufio.Writer, name, typ, help string, v float64) {
	header(w, name, typ, help)
	fmt.Fprintf(w, "%s %s\n", name, strconv.FormatFloat(v, 'g', -1, 64))
}

// quote is a label value in the exposition format: \, " and newlines escaped.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// writeModels renders the model calls and the offline answers.
func (m *metrics) writeModels(w *bufio.Writer) {
	if m.coach != nil {
		fb := m.coach.Fallbacks()
		keys := slices.SortedFunc(maps.Keys(fb), func(a, b assistant.Fallback) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Reason, b.Reason))
		})
		header(w, "taiwa_coach_fallbacks_total", "counter", "Answers composed offline, by kind and reason.")
		for _, k := range keys {
			fmt.Fprintf(w, "taiwa_coach_fallbacks_total{kind=%s,reason=%s} %d\n", quote(k.Kind), quote(k.Reason), fb[k])
		}
	}
	if m.models == nil {
		return
	}
	stats, retries := m.models.Snapshot()
	header(w, "taiwa_model_calls_total", "counter", "Model calls by model, kind (chat, embed) and outcome (ok, cut, unavailable, interrupted, breaker_open, canceled).")
	for _, s := range stats {
		for _, o := range slices.Sorted(maps.Keys(s.Outcomes)) {
			fmt.Fprintf(w, "taiwa_model_calls_total{model=%s,kind=%s,outcome=%s} %d\n", quote(s.Model), quote(s.Kind), quote(o), s.Outcomes[o])
		}
	}
	header(w, "taiwa_model_breaker_open", "gauge", "1 while the model's circuit breaker refuses calls.")
	for _, s := range stats {
		open := 0
		if s.BreakerOpen {
			open = 1
		}
		fmt.Fprintf(w, "taiwa_model_breaker_open{model=%s,kind=%s} %d\n", quote(s.Model), quote(s.Kind), open)
	}
	header(w, "taiwa_model_tokens_total", "counter", "Tokens the endpoint reported, by model and type.")
	for _, s := range stats {
		fmt.Fprintf(w, "taiwa_model_tokens_total{model=%s,kind=%s,type=\"prompt\"} %d\n", quote(s.Model), quote(s.Kind), s.PromptTokens)
		fmt.Fprintf(w, "taiwa_model_tokens_total{model=%s,kind=%s,type=\"completion\"} %d\n", quote(s.Model), quote(s.Kind), s.Completion)
	}
	for _, h := range []struct {
		name, help string
		of         func(llm.ModelStats) llm.Histogram
	}{
		{"taiwa_model_call_duration_seconds", "Model call time, retries included.", func(s llm.ModelStats) llm.Histogram { return s.Latency }},
		{"taiwa_model_first_token_seconds", "Time to a streamed answer's first piece.", func(s llm.ModelStats) llm.Histogram { return s.FirstToken }},
	} {
		header(w, h.name, "histogram", h.help)
		for _, s := range stats {
			writeHistogram(w, h.name, "model="+quote(s.Model)+",kind="+quote(s.Kind), llm.Buckets, h.of(s))
		}
	}
	header(w, "taiwa_model_retries_total", "counter", "Model requests retried, by the status that caused it (0: a network error).")
	for _, st := range slices.Sorted(maps.Keys(retries)) {
		fmt.Fprintf(w, "taiwa_model_retries_total{status=\"%d\"} %d\n", st, retries[st])
	}
}

func writeHistogram(w *bufio.Writer, name, labels string, buckets []float64, h llm.Histogram) {
	var cum uint64
	for i, le := range buckets {
		cum += h.Counts[i]
		fmt.Fprintf(w, "%s_bucket{%s,le=\"%s\"} %d\n", name, labels, strconv.FormatFloat(le, 'g', -1, 64), cum)
	}
	fmt.Fprintf(w, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, h.N)
	fmt.Fprintf(w, "%s_sum{%s} %g\n", name, labels, h.Sum)
	fmt.Fprintf(w, "%s_count{%s} %d\n", name, labels, h.N)
}
