package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
)

// Embedder turns texts into vectors. Every vector of one embedder has the
// same length.
type Embedder interface {
	// Model names the model; vectors are stored per model.
	Model() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// OpenAIEmbedder embeds through any OpenAI-compatible /embeddings endpoint
// (OpenAI, Azure, Ollama, vLLM, llama.cpp, text-embeddings servers).
type OpenAIEmbedder struct {
	client *openai.Client
	model  string
	// dims, when set, is requested from the model and checked; otherwise
	// the first answer sets it and later ones must agree.
	mu   sync.Mutex
	dims int
	// BatchSize texts go in one request; Concurrency requests run at once.
	BatchSize   int
	Concurrency int
	// Retries on 429 and 5xx, with exponential backoff and jitter.
	Retries int
	Backoff time.Duration
}

// NewOpenAIEmbedder returns an embedder for model; dims may be 0.
func NewOpenAIEmbedder(client *openai.Client, model string, dims int) *OpenAIEmbedder {
	return &OpenAIEmbedder{client: client, model: model, dims: dims, BatchSize: 64, Concurrency: 2, Retries: 4, Backoff: 500 * time.Millisecond}
}

func (e *OpenAIEmbedder) Model() string { return e.model }

// Embed embeds texts in batches, a few batches at a time.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(e.Concurrency, 1))
	size := max(e.BatchSize, 1)
	for start := 0; start < len(texts); start += size {
		end := min(start+size, len(texts))
		g.Go(func() error {
			vs, err := e.batch(ctx, texts[start:end])
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

func (e *OpenAIEmbedder) batch(ctx context.Context, texts []string) ([][]float32, error) {
	req := openai.EmbeddingRequestStrings{Input: texts, Model: openai.EmbeddingModel(e.model)}
	e.mu.Lock()
	wantDims := e.dims
	e.mu.Unlock()
	if wantDims > 0 {
		req.Dimensions = wantDims
	}
	var resp openai.EmbeddingResponse
	var err error
	for attempt := 0; ; attempt++ {
		resp, err = e.client.CreateEmbeddings(ctx, req)
		if err == nil || attempt >= e.Retries || !retryable(err) {
			break
		}
		// Exponential backoff with full jitter, so parallel batches spread out.
		d := e.Backoff << attempt
		d = d/2 + rand.N(d/2+1)
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("embed with %s: %w", e.model, err)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("embed with %s: %d vectors for %d texts", e.model, len(resp.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("embed with %s: bad index %d in the answer", e.model, d.Index)
		}
		out[d.Index] = d.Embedding
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range out {
		if len(v) == 0 {
			return nil, fmt.Errorf("embed with %s: empty vector", e.model)
		}
		if e.dims == 0 {
			e.dims = len(v)
		}
		if len(v) != e.dims {
			return nil, fmt.Errorf("embed with %s: got %d dimensions, want %d", e.model, len(v), e.dims)
		}
	}
	return out, nil
}

// retryable reports whether an API error may pass on a retry: rate limits
// and server errors, but not bad requests, auth failures or exhausted quota.
func retryable(err error) bool {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		if apiErr.Type == "insufficient_quota" || apiErr.Code == "insufficient_quota" {
			return false
		}
		return apiErr.HTTPStatusCode == http.StatusTooManyRequests || apiErr.HTTPStatusCode >= 500
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode == http.StatusTooManyRequests || reqErr.HTTPStatusCode >= 500
	}
	// Connection errors (reset, refused while a local server restarts).
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
