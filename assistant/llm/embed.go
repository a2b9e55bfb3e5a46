package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
)

// Embedder is an embedding model on an Endpoint. It shares the endpoint's
// client and retries, and has the chat model's breaker policy: while the
// model is down, Embed fails at once with ErrUnavailable, so that retrieval
// goes lexical-only without waiting. It is safe for concurrent use.
type Embedder struct {
	api     *openai.Client
	model   string
	timeout time.Duration
	logger  *slog.Logger
	breaker breaker
	meter   *Meter
	// batchSize texts go in one request; concurrency requests run at once.
	batchSize, concurrency int

	mu sync.Mutex
	// dims, when set, is requested from the model and checked; otherwise
	// the first answer sets it and later ones must agree.
	dims int
}

// Embedder returns the embedding model named model on this endpoint; dims
// may be 0 (the model's own).
func (e *Endpoint) Embedder(model string, dims int) *Embedder {
	emb := &Embedder{
		api: e.api, model: model, dims: dims, timeout: e.cfg.EmbedTimeout, logger: e.cfg.Logger, meter: e.meter,
		batchSize: 64, concurrency: 2,
	}
	e.initBreaker(&emb.breaker, model, "embed")
	return emb
}

// Model names the embedding model; vectors are stored per model.
func (e *Embedder) Model() string { return e.model }

// Embed embeds texts in batches, a few batches at a time. Any failure is
// ErrUnavailable.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	start := time.Now()
	var tokens atomic.Int64
	out, err := e.embed(ctx, texts, &tokens)
	e.meter.call(e.model, "embed", outcome(Reply{}, err), time.Since(start), 0, Reply{PromptTokens: int(tokens.Load())})
	return out, err
}

func (e *Embedder) embed(ctx context.Context, texts []string, tokens *atomic.Int64) ([][]float32, error) {
	out := make([][]float32, len(texts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.concurrency)
	for start := 0; start < len(texts); start += e.batchSize {
		end := min(start+e.batchSize, len(texts))
		g.Go(func() error {
			vs, err := e.batch(gctx, ctx, texts[start:end], tokens)
			if err != nil {
				return err
			}
			copy(out[start:end], vs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// batch embeds one request's texts; parent is the caller's context, to
// tell its cancellation from the model's failure.
func (e *Embedder) batch(ctx, parent context.Context, texts []string, tokens *atomic.Int64) ([][]float32, error) {
	if err := e.breaker.allow(); err != nil {
		return nil, fmt.Errorf("embed with %s: %w", e.model, err)
	}
	req := openai.EmbeddingRequestStrings{Input: texts, Model: openai.EmbeddingModel(e.model)}
	e.mu.Lock()
	req.Dimensions = e.dims
	e.mu.Unlock()
	// A query is one short text; a backfill batch of 64 chunks takes a
	// small local model longer, and is not a person waiting.
	callCtx, cancel := context.WithTimeout(ctx, e.timeout+time.Duration(len(texts)-1)*250*time.Millisecond)
	defer cancel()
	resp, err := e.api.CreateEmbeddings(callCtx, req)
	if err == nil {
		err = e.check(resp, len(texts))
	}
	if err != nil {
		if parent.Err() != nil || (ctx.Err() != nil && callCtx.Err() == nil) {
			return nil, ctx.Err() // the caller went away, or another batch failed
		}
		return nil, e.failed(err, callCtx.Err() != nil)
	}
	e.breaker.success()
	tokens.Add(int64(resp.Usage.PromptTokens))
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		out[d.Index] = d.Embedding
	}
	return out, nil
}

// check validates an answer: one vector per text, each index once, every
// vector of the model's one length.
func (e *Embedder) check(resp openai.EmbeddingResponse, n int) error {
	if len(resp.Data) != n {
		return fmt.Errorf("%d vectors for %d texts", len(resp.Data), n)
	}
	seen := make([]bool, n)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= n || seen[d.Index] {
			return fmt.Errorf("bad index %d in the answer", d.Index)
		}
		seen[d.Index] = true
		if len(d.Embedding) == 0 {
			return errors.New("empty vector")
		}
		if e.dims == 0 {
			e.dims = len(d.Embedding)
		}
		if len(d.Embedding) != e.dims {
			return fmt.Errorf("got %d dimensions, want %d", len(d.Embedding), e.dims)
		}
	}
	return nil
}

// failed counts a failure against the breaker as a chat call's would be:
// a timeout opens it at once (the model is down, and every search would
// wait as long again), a refused request (4xx but 429) not at all.
func (e *Embedder) failed(err error, timedOut bool) error {
	status := httpStatus(err)
	switch {
	case timedOut:
		e.breaker.trip()
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests:
	default:
		e.breaker.failure()
	}
	e.logger.Warn("embedding model call failed", slog.String("model", e.model), slog.Int("status", status),
		slog.Bool("timed_out", timedOut), slog.String("error", err.Error()))
	return fmt.Errorf("embed with %s: %w: %w", e.model, ErrUnavailable, err)
}

// httpStatus is the status of an API error, 0 for other errors.
func httpStatus(err error) int {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		return reqErr.HTTPStatusCode
	}
	return 0
}
