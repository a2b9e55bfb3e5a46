package llm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
)

var hello = []llm.Message{{Role: "user", Content: "こんにちは"}}

func TestErrorsAndRetries(t *testing.T) {
	tests := []struct {
		name     string
		replies  []openaitest.Reply
		wantErr  error
		requests int
	}{
		{"429 with Retry-After, then an answer", []openaitest.Reply{{Status: 429, RetryAfter: "0", Code: "rate_limit_exceeded"}, {Text: "hi"}}, nil, 2},
		{"500 then an answer", []openaitest.Reply{{Status: 500}, {Text: "hi"}}, nil, 2},
		{"500 three times", []openaitest.Reply{{Status: 500}, {Status: 502}, {Status: 503}}, llm.ErrUnavailable, 3},
		{"400 is not retried", []openaitest.Reply{{Status: 400, Code: "invalid_request_error"}}, llm.ErrUnavailable, 1},
		{"401 is not retried", []openaitest.Reply{{Status: 401, Code: "invalid_api_key"}}, llm.ErrUnavailable, 1},
		{"used-up quota is not retried", []openaitest.Reply{{Status: 429, Code: "insufficient_quota"}}, llm.ErrUnavailable, 1},
		{"a Retry-After too long to wait for", []openaitest.Reply{{Status: 429, RetryAfter: "120"}}, llm.ErrUnavailable, 1},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: "", true: " (stream)"}[stream], func(t *testing.T) {
				srv := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply { return openaitest.Reply{Text: "unexpected"} })
				srv.Queue(tt.replies...)
				c := llm.New(llm.Config{BaseURL: srv.BaseURL(), Model: "m", MaxWait: time.Second})
				var r llm.Reply
				var err error
				if stream {
					r, err = c.Stream(t.Context(), hello, 100, func(string) error { return nil })
				} else {
					r, err = c.Complete(t.Context(), hello, 100)
				}
				if !errors.Is(err, tt.wantErr) || (err == nil && r.Text != "hi") {
					t.Errorf("got %q, %v; want error %v", r.Text, err, tt.wantErr)
				}
				if n := len(srv.Requests()); n != tt.requests {
					t.Errorf("%d requests, want %d", n, tt.requests)
				}
			})
		}
	}
}

func TestStream(t *testing.T) {
	const answer = "1on1では、まず最後まで聴きましょう。[1]"
	srv := openaitest.NewServer(t, func(r openaitest.Request) openaitest.Reply {
		if r.MaxTokens != 300 {
			t.Errorf("max_tokens = %d, want 300", r.MaxTokens)
		}
		return openaitest.Reply{Text: answer, ChunkRunes: 3}
	})
	c := llm.New(llm.Config{BaseURL: srv.BaseURL(), Model: "m"})
	var deltas []string
	r, err := c.Stream(t.Context(), hello, 300, func(d string) error { deltas = append(deltas, d); return nil })
	if err != nil || r.Text != answer || strings.Join(deltas, "") != answer || len(deltas) < 5 || r.FinishReason != "stop" {
		t.Fatalf("stream = %+v, %v, %d deltas", r, err, len(deltas))
	}
}

func TestBrokenStream(t *testing.T) {
	srv := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Text: strings.Repeat("あ", 40), ChunkRunes: 4, BreakAfter: 3}
	})
	c := llm.New(llm.Config{BaseURL: srv.BaseURL(), Model: "m"})
	r, err := c.Stream(t.Context(), hello, 100, func(string) error { return nil })
	if !errors.Is(err, llm.ErrInterrupted) || r.Text != strings.Repeat("あ", 12) {
		t.Fatalf("broken stream = %q, %v; want 12 runes and ErrInterrupted", r.Text, err)
	}
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	srv := openaitest.NewServer(t, nil)
	c := llm.New(llm.Config{BaseURL: srv.BaseURL(), Model: "m", Retries: -1, BreakerFailures: 3, BreakerCooldown: 50 * time.Millisecond})
	srv.Queue(openaitest.Reply{Status: 500}, openaitest.Reply{Status: 500}, openaitest.Reply{Status: 500})
	for range 3 {
		if _, err := c.Complete(t.Context(), hello, 10); !errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	}
	if _, err := c.Complete(t.Context(), hello, 10); !errors.Is(err, llm.ErrUnavailable) || len(srv.Requests()) != 3 {
		t.Fatalf("open breaker: err %v after %d requests; want no fourth request", err, len(srv.Requests()))
	}
	time.Sleep(60 * time.Millisecond)
	if r, err := c.Complete(t.Context(), hello, 10); err != nil || r.Text != "ok" {
		t.Fatalf("after the cooldown: %q, %v", r.Text, err)
	}
}

func TestCancelStopsTheUpstreamCall(t *testing.T) {
	srv := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Text: strings.Repeat("x", 400), ChunkRunes: 1, ChunkDelay: 5 * time.Millisecond}
	})
	c := llm.New(llm.Config{BaseURL: srv.BaseURL(), Model: "m"})
	ctx, cancel := context.WithCancel(t.Context())
	n := 0
	_, err := c.Stream(ctx, hello, 100, func(string) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for srv.Canceled() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if srv.Canceled() != 1 {
		t.Error("the server did not see the stream cancelled")
	}
}

// TestSilences: a model that never starts, one that stops mid-answer and
// one that ends with [DONE] but no finish reason. The first two are given
// up on after FirstToken and Idle, far inside Timeout; the third is a
// whole answer, not a broken stream.
func TestSilences(t *testing.T) {
	never := make(chan struct{})
	t.Cleanup(func() { close(never) })
	tests := []struct {
		name    string
		reply   openaitest.Reply
		wantErr error
		cause   string
		text    string
	}{
		{"hung before any byte", openaitest.Reply{Hang: true}, llm.ErrUnavailable, "did not start", ""},
		{"stalled after the first piece", openaitest.Reply{Text: "はじめに、", ChunkRunes: 2, Gate: never}, llm.ErrInterrupted, "stopped sending", "はじ"},
		{"[DONE] with no finish reason", openaitest.Reply{Text: "全文です。", NoFinishReason: true}, nil, "", "全文です。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t, nil)
			srv.Queue(tt.reply)
			c := llm.New(llm.Config{BaseURL: srv.BaseURL(), Model: "m", Timeout: time.Minute,
				FirstToken: 200 * time.Millisecond, Idle: 200 * time.Millisecond, BreakerFailures: 1})
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			r, err := c.Stream(ctx, hello, 100, func(string) error { return nil })
			if !errors.Is(err, tt.wantErr) || tt.cause != "" && !strings.Contains(err.Error(), tt.cause) {
				t.Fatalf("error %v, want %v (%s)", err, tt.wantErr, tt.cause)
			}
			if ctx.Err() != nil {
				t.Fatal("the call ran into the test's own deadline: the silence was not bounded")
			}
			if r.Text != tt.text {
				t.Errorf("text %q, want %q", r.Text, tt.text)
			}
			// A whole answer does not count against the breaker (one
			// failure would open it here; a hang opens it whatever the
			// threshold, see TestHangOpensBreaker).
			_, err = c.Complete(ctx, hello, 10)
			if tt.wantErr == nil && err != nil {
				t.Errorf("after a whole answer, the next call fails: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, llm.ErrUnavailable) {
				t.Errorf("after a failure with a breaker of 1, the next call = %v, want ErrUnavailable", err)
			}
		})
	}
}

// TestHangOpensBreaker: one call that gets no first token opens the
// breaker at once, even with a threshold of 5: the next call answers
// ErrUnavailable without waiting again.
func TestHangOpensBreaker(t *testing.T) {
	srv := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply { return openaitest.Reply{Hang: true} })
	c := llm.New(llm.Config{BaseURL: srv.BaseURL(), Model: "m", FirstToken: 200 * time.Millisecond, BreakerFailures: 5})
	for range 3 {
		if _, err := c.Complete(t.Context(), hello, 10); !errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("error %v, want ErrUnavailable", err)
		}
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("the hung model got %d requests, want 1 (then the breaker is open)", n)
	}
}

// TestBreakerTripShared: a breaker that opens is told to OnTrip once, and
// another endpoint that hears it (Open) refuses calls without reaching the
// model, as a second server process does.
func TestBreakerTripShared(t *testing.T) {
	srv := openaitest.NewServer(t, nil)
	type trip struct {
		model, kind string
		until       time.Time
	}
	trips := make(chan trip, 10)
	onTrip := func(model, kind string, until time.Time) { trips <- trip{model, kind, until} }
	a := llm.NewEndpoint(llm.Config{BaseURL: srv.BaseURL(), Retries: -1, BreakerFailures: 2, BreakerCooldown: time.Minute, OnTrip: onTrip})
	b := llm.NewEndpoint(llm.Config{BaseURL: srv.BaseURL(), Retries: -1, BreakerFailures: 2, BreakerCooldown: time.Minute, OnTrip: onTrip})
	ca, cb := a.Chat("m"), b.Chat("m")
	srv.Queue(openaitest.Reply{Status: 503}, openaitest.Reply{Status: 503})
	for range 2 {
		if _, err := ca.Complete(t.Context(), hello, 10); !errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	}
	var got trip
	select {
	case got = <-trips:
	default:
		t.Fatal("the breaker opened and OnTrip was not told")
	}
	if got.model != "m" || got.kind != "chat" || time.Until(got.until) < 50*time.Second {
		t.Errorf("trip = %+v, want m/chat for about a minute", got)
	}
	b.Open(got.model, got.kind, got.until)
	if _, err := cb.Complete(t.Context(), hello, 10); !errors.Is(err, llm.ErrUnavailable) || len(srv.Requests()) != 2 {
		t.Errorf("the other endpoint after Open: err %v, %d requests; want refused without a third request", err, len(srv.Requests()))
	}
	if len(trips) != 0 {
		t.Errorf("a breaker opened by Open was told again: %d more trips", len(trips))
	}
	b.Open("unknown", "chat", got.until) // ignored
}
