// Package llm talks to a chat model behind any OpenAI-compatible endpoint
// (OpenAI, Azure, Ollama, vLLM, llama.cpp) through go-openai, and adds what
// go-openai leaves out: a timeout per call, retries with jittered backoff
// that honour Retry-After, and a circuit breaker, so that a failing model
// turns into ErrUnavailable quickly and the coach answers offline instead.
package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// ErrUnavailable means the model cannot answer now: it is not reachable,
// keeps failing, refused the request or the breaker is open. Callers fall
// back to offline mode.
var ErrUnavailable = errors.New("language model unavailable")

// ErrInterrupted is a stream that broke after it had started.
var ErrInterrupted = errors.New("language model stream interrupted")

// Config configures a Client.
type Config struct {
	BaseURL string // OpenAI-compatible API URL, e.g. http://localhost:11434/v1
	APIKey  string
	Model   string // the chat model, for New
	// Timeout bounds one call, retries included (default 45s): keep it
	// under the request's own bound, so that a slow model still leaves time
	// to answer offline.
	Timeout time.Duration
	// FirstToken bounds the wait for the first piece of a streamed answer
	// (default 15s), and Idle the gap between two pieces (default 15s): a
	// hung or stalled model is given up on long before Timeout.
	FirstToken, Idle time.Duration
	// EmbedTimeout bounds one embedding request (default 10s): a query
	// waits for it before retrieval goes lexical-only.
	EmbedTimeout time.Duration
	// Retries after the first attempt on 429, 5xx and network errors
	// (0: the default, 2; negative: none).
	Retries int
	// MaxWait is the longest Retry-After honoured; a longer one is not
	// waited for (default 20s).
	MaxWait time.Duration
	// BreakerFailures in a row open the breaker for BreakerCooldown
	// (defaults 5 and 30s).
	BreakerFailures int
	BreakerCooldown time.Duration
	// OnTrip, when set, hears of each breaker the endpoint opens, with the
	// model, the kind ("chat" or "embed") and when it closes: several
	// server processes tell each other (Endpoint.Open applies one heard),
	// so a model one found down is not called by the others either. It
	// must not block.
	OnTrip func(model, kind string, until time.Time)
	Logger *slog.Logger
	// Transport is the HTTP transport under the retries (default
	// http.DefaultTransport).
	Transport http.RoundTripper
}

// Endpoint is one OpenAI-compatible API: one HTTP client, transport and
// retry policy for the chat model and the embedding model alike, each
// with a breaker of its own (an endpoint can serve one and not the other:
// a local server with the chat model loaded and the embedding model not).
type Endpoint struct {
	api   *openai.Client
	cfg   Config
	meter *Meter
}

// NewEndpoint returns the endpoint of cfg; cfg.Model is not used.
func NewEndpoint(cfg Config) *Endpoint {
	if cfg.Timeout == 0 {
		cfg.Timeout = 45 * time.Second
	}
	if cfg.EmbedTimeout == 0 {
		cfg.EmbedTimeout = 10 * time.Second
	}
	if cfg.FirstToken == 0 {
		cfg.FirstToken = 15 * time.Second
	}
	if cfg.Idle == 0 {
		cfg.Idle = 15 * time.Second
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = 2
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 20 * time.Second
	}
	if cfg.BreakerFailures == 0 {
		cfg.BreakerFailures = 5
	}
	if cfg.BreakerCooldown == 0 {
		cfg.BreakerCooldown = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	meter := newMeter()
	oc.HTTPClient = &http.Client{Transport: &retryTransport{
		base: cfg.Transport, retries: cfg.Retries, maxWait: cfg.MaxWait, logger: cfg.Logger, meter: meter,
	}}
	return &Endpoint{api: openai.NewClientWithConfig(oc), cfg: cfg, meter: meter}
}

// Meter is what the endpoint's models did, for /metrics.
func (e *Endpoint) Meter() *Meter { return e.meter }

// Chat returns the chat model named model on this endpoint.
func (e *Endpoint) Chat(model string) *Client {
	c := &Client{
		api: e.api, model: model, timeout: e.cfg.Timeout, logger: e.cfg.Logger,
		firstToken: e.cfg.FirstToken, idle: e.cfg.Idle, meter: e.meter,
	}
	e.initBreaker(&c.breaker, model, "chat")
	return c
}

// initBreaker sets up a model's breaker and makes it known to the meter.
func (e *Endpoint) initBreaker(b *breaker, model, kind string) {
	b.threshold, b.cooldown = e.cfg.BreakerFailures, e.cfg.BreakerCooldown
	if e.cfg.OnTrip != nil {
		b.onOpen = func(until time.Time) { e.cfg.OnTrip(model, kind, until) }
	}
	e.meter.register(model, kind, b)
}

// Open opens the breaker of a model of this endpoint until then, for a
// trip another server process heard first (Config.OnTrip). Unknown models
// are ignored.
func (e *Endpoint) Open(model, kind string, until time.Time) {
	if b := e.meter.breaker(model, kind); b != nil {
		b.openFor(until)
	}
}

// Client is a chat model. It is safe for concurrent use.
type Client struct {
	api     *openai.Client
	model   string
	timeout time.Duration
	// firstToken and idle bound the silences of a stream.
	firstToken, idle time.Duration
	logger           *slog.Logger
	breaker          breaker
	meter            *Meter
}

// New returns the chat model cfg.Model of the endpoint cfg.
func New(cfg Config) *Client { return NewEndpoint(cfg).Chat(cfg.Model) }

// Model names the chat model.
func (c *Client) Model() string { return c.model }

// Message is one message of a conversation with the model.
type Message = openai.ChatCompletionMessage

// Reply is a finished answer.
type Reply struct {
	Text         string
	FinishReason string // stop, length, ...
	// PromptTokens and CompletionTokens as the endpoint reported them; 0
	// when it did not.
	PromptTokens, CompletionTokens int
	// Cut is set when the answer was cut at its bound: the model
	// stopped at max_tokens (FinishReason "length"), or it ignored
	// max_tokens and Stream stopped reading at maxRunes.
	Cut bool
}

// runesPerToken bounds an answer's length in characters from its bound in
// tokens, for servers that do not honour max_tokens: a token is at most a
// few characters of English, about one of Japanese.
const runesPerToken = 6

// Stream sends msgs and calls onDelta with each piece of the answer as it
// arrives; it returns the whole answer. maxTokens bounds the answer (every
// call has a bound). An error before the first piece is ErrUnavailable
// (the caller can still answer offline); after it, ErrInterrupted. When
// onDelta returns an error the stream stops and that error is returned.
//
// The model gets FirstToken to start answering and Idle between pieces,
// within Timeout in all.
func (c *Client) Stream(ctx context.Context, msgs []Message, maxTokens int, onDelta func(string) error) (Reply, error) {
	start := time.Now()
	var first time.Duration
	r, err := c.stream(ctx, msgs, maxTokens, func(d string) error {
		if first == 0 {
			first = time.Since(start)
		}
		return onDelta(d)
	})
	c.meter.call(c.model, "chat", outcome(r, err), time.Since(start), first, r)
	return r, err
}

func (c *Client) stream(ctx context.Context, msgs []Message, maxTokens int, onDelta func(string) error) (Reply, error) {
	if err := c.breaker.allow(); err != nil {
		return Reply{}, err
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var started atomic.Bool
	silence := time.AfterFunc(c.firstToken, func() {
		if started.Load() {
			stop(errSilent)
		} else {
			stop(errNoFirstToken)
		}
	})
	defer silence.Stop()
	end := &streamEnd{}
	ctx = context.WithValue(ctx, streamEndKey{}, end)

	req := openai.ChatCompletionRequest{
		Model: c.model, Messages: msgs, MaxTokens: maxTokens, Temperature: 0.3, Stream: true,
	}
	stream, err := c.api.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return Reply{}, c.failed(parent, cause(ctx, err))
	}
	defer stream.Close()
	var (
		b     strings.Builder
		reply Reply
		runes int
	)
	maxRunes := maxTokens * runesPerToken
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			// go-openai reports a connection that closed before [DONE]
			// as a normal end: it was one only if [DONE] or a finish
			// reason came (some servers send [DONE] alone).
			if reply.FinishReason == "" && !end.done.Load() {
				return Reply{Text: b.String()}, c.interrupted(b.Len(), io.ErrUnexpectedEOF)
			}
			break
		}
		if err != nil {
			if parent.Err() != nil {
				return Reply{Text: b.String()}, parent.Err() // the caller went away
			}
			return Reply{Text: b.String()}, c.interrupted(b.Len(), cause(ctx, err))
		}
		started.Store(true)
		silence.Reset(c.idle)
		if chunk.Usage != nil {
			reply.PromptTokens, reply.CompletionTokens = chunk.Usage.PromptTokens, chunk.Usage.CompletionTokens
		}
		for _, ch := range chunk.Choices {
			if ch.FinishReason != "" {
				reply.FinishReason = string(ch.FinishReason)
			}
			piece := ch.Delta.Content
			if piece == "" {
				continue
			}
			n := utf8.RuneCountInString(piece)
			if runes+n > maxRunes {
				piece = string([]rune(piece)[:maxRunes-runes])
				reply.FinishReason = string(openai.FinishReasonLength)
			}
			runes += n
			b.WriteString(piece)
			if err := onDelta(piece); err != nil {
				return Reply{Text: b.String()}, err
			}
			if runes >= maxRunes {
				// Stop reading: closing the stream cancels the request.
				c.logger.Warn("language model answer cut: it ignored max_tokens", slog.Int("max_tokens", maxTokens))
				c.breaker.success()
				return Reply{Text: b.String(), FinishReason: reply.FinishReason, Cut: true,
					PromptTokens: reply.PromptTokens, CompletionTokens: reply.CompletionTokens}, nil
			}
		}
	}
	c.breaker.success()
	reply.Text = b.String()
	reply.Cut = reply.FinishReason == string(openai.FinishReasonLength)
	return reply, nil
}

// The causes of a stream given up on.
var (
	errNoFirstToken = errors.New("the model did not start answering in time")
	errSilent       = errors.New("the model stopped sending mid-answer")
)

// cause names why ctx ended, when it was one of the silences.
func cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); errors.Is(c, errNoFirstToken) || errors.Is(c, errSilent) {
		return fmt.Errorf("%w (%w)", c, err)
	}
	return err
}

// streamEnd notes whether a streamed body carried the [DONE] line, which
// go-openai does not tell apart from a dropped connection.
type streamEnd struct{ done atomic.Bool }

type streamEndKey struct{}

// Complete sends msgs and returns the whole answer at once. It streams
// underneath, so that a model that never starts, or stops halfway, is
// given up on after FirstToken or Idle as in Stream, not after Timeout.
func (c *Client) Complete(ctx context.Context, msgs []Message, maxTokens int) (Reply, error) {
	r, err := c.Stream(ctx, msgs, maxTokens, func(string) error { return nil })
	if errors.Is(err, ErrInterrupted) {
		// Half an answer is no answer here.
		return Reply{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return r, err
}

// failed classifies an error before any answer: the caller's own
// cancellation (parent is the caller's context) passes through; everything
// else is ErrUnavailable, and counts against the breaker unless it was the
// request's fault.
func (c *Client) failed(parent context.Context, err error) error {
	if parent.Err() != nil {
		return parent.Err()
	}
	status := httpStatus(err)
	// A 4xx other than 429 is our request or our key: the model is up,
	// and hammering it will not help, but it is not the model failing.
	switch {
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests:
		c.logger.Warn("language model refused the request", slog.Int("status", status), slog.String("error", err.Error()))
	case errors.Is(err, errNoFirstToken):
		// A model that takes a request and says nothing for FirstToken is
		// down, not flaky: open the breaker at once, so that the next
		// call (the answer after the safety classifier, another
		// manager's prep) answers offline now instead of waiting again.
		c.breaker.trip()
		c.logger.Warn("language model did not start answering", slog.String("error", err.Error()))
	default:
		c.breaker.failure()
		c.logger.Warn("language model call failed", slog.Int("status", status), slog.String("error", err.Error()))
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func (c *Client) interrupted(received int, err error) error {
	if errors.Is(err, errNoFirstToken) {
		c.breaker.trip() // headers, then nothing: down, as in failed
	} else {
		c.breaker.failure()
	}
	c.logger.Warn("language model stream broke", slog.Int("bytes_received", received), slog.String("error", err.Error()))
	return fmt.Errorf("%w: %w", ErrInterrupted, err)
}

// breaker stops calls for a cooldown after threshold failures in a row,
// then lets one call through to probe.
type breaker struct {
	threshold int
	cooldown  time.Duration

	// onOpen, when set, is told each time the breaker opens here.
	onOpen func(until time.Time)

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

// openFor opens the breaker until then, as another process's did; the
// other process was told already.
func (b *breaker) openFor(until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = max(b.failures, b.threshold)
	b.probing = false
	if until.After(b.openUntil) {
		b.openUntil = until
	}
}

// opened tells onOpen; b.mu is held.
func (b *breaker) opened() {
	if b.onOpen != nil {
		b.onOpen(b.openUntil)
	}
}

func (b *breaker) allow() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return nil
	}
	if time.Now().Before(b.openUntil) || b.probing {
		return fmt.Errorf("%w: %w after %d failures", ErrUnavailable, errBreakerOpen, b.failures)
	}
	b.probing = true
	return nil
}

// errBreakerOpen is a call not made: the breaker is open.
var errBreakerOpen = errors.New("circuit open")

// open reports whether calls are being refused now.
func (b *breaker) open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures >= b.threshold && time.Now().Before(b.openUntil)
}

func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures, b.probing = 0, false
}

// trip opens the breaker now, for a cooldown.
func (b *breaker) trip() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = max(b.failures, b.threshold)
	b.probing = false
	b.openUntil = time.Now().Add(b.cooldown)
	b.opened()
}

func (b *breaker) failure() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	b.probing = false
	if b.failures >= b.threshold {
		b.openUntil = time.Now().Add(b.cooldown)
		b.opened()
	}
}
