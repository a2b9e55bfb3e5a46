package llm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
)

// TestEmbedderBreaker: embeddings share the chat model's client and
// breaker policy. A failing or hung embedding model is asked a bounded
// number of times, then Embed fails at once, so that search goes
// lexical-only without waiting; the chat model on the same endpoint is
// not affected.
func TestEmbedderBreaker(t *testing.T) {
	tests := []struct {
		name    string
		fault   openaitest.Reply
		timeout time.Duration
		// requests the endpoint sees over 10 calls: the breaker's 3
		// failures of 3 attempts each, or one hang.
		requests int
	}{
		{"503", openaitest.Reply{Status: 503}, 5 * time.Second, 9},
		{"hang", openaitest.Reply{Hang: true}, 300 * time.Millisecond, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t, nil)
			srv.FailEmbeddings(tt.fault)
			ep := llm.NewEndpoint(llm.Config{BaseURL: srv.BaseURL(), EmbedTimeout: tt.timeout,
				BreakerFailures: 3, BreakerCooldown: time.Minute, MaxWait: time.Second})
			emb := ep.Embedder("e", 0)
			for i := range 10 {
				start := time.Now()
				_, err := emb.Embed(t.Context(), []string{"質問"})
				if !errors.Is(err, llm.ErrUnavailable) {
					t.Fatalf("call %d: error %v, want ErrUnavailable", i, err)
				}
				if i >= 3 && time.Since(start) > 100*time.Millisecond {
					// Not a timing assertion on the model: an open
					// breaker must not reach the network at all.
					t.Errorf("call %d waited %v with the breaker open", i, time.Since(start))
				}
			}
			if n := len(srv.EmbedRequests()); n != tt.requests {
				t.Errorf("%d embedding requests, want %d", n, tt.requests)
			}
			if _, err := ep.Chat("m").Complete(t.Context(), hello, 10); err != nil {
				t.Errorf("the chat model on the same endpoint: %v", err)
			}
			srv.FailEmbeddings(openaitest.Reply{})
		})
	}
}

// TestEmbedderChecksAnswers: vectors come back one per text, in order,
// with one length per model.
func TestEmbedderChecksAnswers(t *testing.T) {
	srv := openaitest.NewServer(t, nil)
	emb := llm.NewEndpoint(llm.Config{BaseURL: srv.BaseURL()}).Embedder("e", 0)
	texts := make([]string, 130) // three requests of at most 64
	for i := range texts {
		texts[i] = string(rune('あ' + i))
	}
	vs, err := emb.Embed(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		want := openaitest.Vector(texts[i], 64)
		if len(v) != 64 || v[0] != want[0] || v[63] != want[63] {
			t.Fatalf("vector %d is not text %d's", i, i)
		}
	}
	if n := len(srv.EmbedRequests()); n != 3 {
		t.Errorf("%d requests for 130 texts, want 3", n)
	}
	if _, err := llm.NewEndpoint(llm.Config{BaseURL: srv.BaseURL()}).Embedder("e", 32).Embed(t.Context(), texts[:1]); err == nil {
		t.Error("64-dimensional vectors accepted when 32 were asked for")
	}
}
