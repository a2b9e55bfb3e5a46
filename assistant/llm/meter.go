package llm

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"time"
)

// Meter counts what an endpoint's models do, for /metrics: calls by
// outcome, latency and time to the first token, tokens, retries and
// whether each breaker is open. It is safe for concurrent use.
type Meter struct {
	mu      sync.Mutex
	models  map[modelKey]*modelStats
	retries map[int]uint64 // by HTTP status, 0 for a network error
}

type modelKey struct{ model, kind string } // kind: chat or embed

type modelStats struct {
	outcomes                 map[string]uint64
	latency, firstToken      Histogram
	promptTokens, completion uint64
	breaker                  *breaker
}

// Histogram counts observations, in seconds, in Buckets.
type Histogram struct {
	Counts []uint64 // per bucket, not cumulative; the last is +Inf
	Sum    float64
	N      uint64
}

// Buckets are the upper bounds, in seconds, of the model histograms.
var Buckets = []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30, 45, 60}

func (h *Histogram) observe(d time.Duration) {
	if h.Counts == nil {
		h.Counts = make([]uint64, len(Buckets)+1)
	}
	s := d.Seconds()
	i, _ := slices.BinarySearch(Buckets, s)
	h.Counts[i]++
	h.Sum += s
	h.N++
}

func newMeter() *Meter {
	return &Meter{models: map[modelKey]*modelStats{}, retries: map[int]uint64{}}
}

// register makes a model known before its first call, so its breaker
// shows in the metrics from the start.
func (m *Meter) register(model, kind string, b *breaker) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats(model, kind).breaker = b
}

// breaker returns a registered model's breaker, or nil.
func (m *Meter) breaker(model, kind string) *breaker {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.models[modelKey{model, kind}]; s != nil {
		return s.breaker
	}
	return nil
}

// stats returns the model's counters; m.mu is held.
func (m *Meter) stats(model, kind string) *modelStats {
	k := modelKey{model, kind}
	s := m.models[k]
	if s == nil {
		s = &modelStats{outcomes: map[string]uint64{}}
		m.models[k] = s
	}
	return s
}

// call records one call: its outcome (ok, cut, unavailable, interrupted,
// breaker_open, refused, canceled), how long it took, the time to its
// first token (0: none came, or not a stream) and the tokens the endpoint
// reported.
func (m *Meter) call(model, kind, outcome string, took, firstToken time.Duration, r Reply) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.stats(model, kind)
	s.outcomes[outcome]++
	if outcome != "breaker_open" {
		s.latency.observe(took)
	}
	if firstToken > 0 {
		s.firstToken.observe(firstToken)
	}
	s.promptTokens += uint64(r.PromptTokens)
	s.completion += uint64(r.CompletionTokens)
}

func (m *Meter) retry(status int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retries[status]++
}

// ModelStats is one model's figures.
type ModelStats struct {
	Model, Kind              string
	Outcomes                 map[string]uint64
	Latency, FirstToken      Histogram
	PromptTokens, Completion uint64
	BreakerOpen              bool
}

// Snapshot returns every model's figures, sorted, and the retries by
// status.
func (m *Meter) Snapshot() ([]ModelStats, map[int]uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]ModelStats, 0, len(m.models))
	for k, s := range m.models {
		st := ModelStats{Model: k.model, Kind: k.kind, Outcomes: map[string]uint64{}, Latency: s.latency.clone(),
			FirstToken: s.firstToken.clone(), PromptTokens: s.promptTokens, Completion: s.completion}
		for o, n := range s.outcomes {
			st.Outcomes[o] = n
		}
		if s.breaker != nil {
			st.BreakerOpen = s.breaker.open()
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b ModelStats) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Model, b.Model)) })
	retries := make(map[int]uint64, len(m.retries))
	for s, n := range m.retries {
		retries[s] = n
	}
	return out, retries
}

func (h Histogram) clone() Histogram {
	h.Counts = slices.Clone(h.Counts)
	if h.Counts == nil {
		h.Counts = make([]uint64, len(Buckets)+1)
	}
	return h
}

// outcome names how a call ended, for the meter.
func outcome(r Reply, err error) string {
	switch {
	case err == nil && r.Cut:
		return "cut"
	case err == nil:
		return "ok"
	case errors.Is(err, errBreakerOpen):
		return "breaker_open"
	case errors.Is(err, ErrInterrupted):
		return "interrupted"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	}
	return "canceled" // the caller went away or stopped reading
}
