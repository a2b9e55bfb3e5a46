// Package assistant is the coach. Before a 1on1 it combines guidance
// retrieved from the knowledge base with the manager's anonymized history
// of the member into a prep plan; after it, it asks reflection questions
// that close the loop; in between, managers chat with it. Every item drawn
// from guidance cites it.
//
// With a chat model configured the coach writes with it; without one, or
// when the model is unavailable or the organization's budget is spent, a
// deterministic composer answers from the same retrieved guidance and
// history, and the answer says so (mode "offline").
package assistant

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/tiktoken-go/tokenizer"

	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/intent"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/safety"
	"github.com/taiwa-coach/taiwa/knowledge"
)

var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid argument")
)

// DB runs fn in a transaction that already carries the caller's
// organization and user for row-level security. The api package provides
// it, so the coach never decides whose data it sees.
type DB interface {
	InTx(ctx context.Context, fn func(tx pgx.Tx) error) error
}

// Caller is the manager the coach is working for.
type Caller struct {
	OrgID    uuid.UUID
	UserID   uuid.UUID
	Language string // ja or en: the language of the answers
}

// Config is what a Coach needs.
type Config struct {
	Logger    *slog.Logger
	Knowledge *knowledge.Base
	History   *history.Store
	// LLM is the chat model; nil means offline mode.
	LLM *llm.Client
	// Safety finds the matters the coach refers instead of coaching on
	// (default: a detector with the shipped lexicon).
	Safety *safety.Detector
	// SafetyClassifier asks the chat model, when the lexicon finds
	// nothing, whether a sensitive matter was missed (one more model call
	// per answer; it can only add a referral).
	SafetyClassifier bool
	// Intent reads the kinds of plan in a manager's words, for the plan
	// checks (default: the shipped model).
	Intent *intent.Reader
	// Embedder, when set, embeds session notes to find past sessions
	// relevant to a question.
	Embedder history.Embedder
	// DailyTokens is each organization's model budget per day (0: none).
	DailyTokens int64
	// MaxAnswerTokens bounds every model answer (default 1200).
	MaxAnswerTokens int
	// ContextTokens bounds what a chat sends: older turns are dropped to
	// fit (default 6000).
	ContextTokens int
}

// Coach is the coaching assistant.
type Coach struct {
	logger   *slog.Logger
	kb       *knowledge.Base
	history  *history.Store
	llm      *llm.Client
	embedder history.Embedder
	safety   *safety.Detector
	intent   *intent.Reader
	// classifier is nil unless configured with a model.
	classifier *safety.Classifier
	budget     int64
	maxAnswer  int
	context    int
	tokens     tokenizer.Codec

	mu        sync.Mutex
	fallbacks map[Fallback]uint64
}

// Fallback is a kind of answer (prep, chat, reflection) and why it was
// offline.
type Fallback struct{ Kind, Reason string }

// fellBack counts an offline answer, for /metrics; reason "" is none.
func (c *Coach) fellBack(kind, reason string) {
	if reason == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fallbacks[Fallback{kind, reason}]++
}

// Fallbacks returns how many answers were offline, by kind and reason.
func (c *Coach) Fallbacks() map[Fallback]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.fallbacks)
}

// New returns a coach.
func New(cfg Config) (*Coach, error) {
	codec, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxAnswerTokens == 0 {
		cfg.MaxAnswerTokens = 1200
	}
	if cfg.ContextTokens == 0 {
		cfg.ContextTokens = 6000
	}
	if cfg.Safety == nil {
		if cfg.Safety, err = safety.NewDetector(); err != nil {
			return nil, err
		}
	}
	if cfg.Intent == nil {
		if cfg.Intent, err = intent.New(); err != nil {
			return nil, err
		}
	}
	var classifier *safety.Classifier
	if cfg.SafetyClassifier && cfg.LLM != nil {
		classifier = safety.NewClassifier(cfg.LLM)
	}
	return &Coach{classifier: classifier,
		logger: cfg.Logger, kb: cfg.Knowledge, history: cfg.History, llm: cfg.LLM, embedder: cfg.Embedder, safety: cfg.Safety, intent: cfg.Intent,
		budget: cfg.DailyTokens, maxAnswer: cfg.MaxAnswerTokens, context: cfg.ContextTokens, tokens: codec,
		fallbacks: map[Fallback]uint64{},
	}, nil
}

// Mode says who wrote an answer.
const (
	ModeLLM     = "llm"
	ModeOffline = "offline"
)

// Why an answer is offline when a model is configured, or why it did not
// coach.
const (
	ReasonNotConfigured = "llm_not_configured"
	ReasonUnavailable   = "llm_unavailable"
	ReasonInterrupted   = "llm_interrupted"
	// ReasonEmpty: the model answered with nothing to show (only
	// reasoning, markup or a tool call).
	ReasonEmpty     = "llm_empty_answer"
	ReasonBudget    = "budget_exceeded"
	ReasonSensitive = "sensitive_topic"
)

// countTokens counts s as the model's tokenizer would (o200k, the
// encoding of current OpenAI models; other models differ by a little,
// which a budget can absorb).
func (c *Coach) countTokens(s string) int {
	n, err := c.tokens.Count(s)
	if err != nil {
		return len(s) / 3
	}
	return n
}
