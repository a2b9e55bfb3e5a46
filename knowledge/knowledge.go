// Package knowledge is the curated 1on1 guidance the coach retrieves:
// documents and their versions, Markdown-aware chunks, Japanese-aware
// lexical analysis, and hybrid retrieval (BM25 computed in PostgreSQL fused
// with pgvector similarity).
//
// The package never decides whose data it sees: callers pass a transaction
// (pgx.Tx) that already carries the organization for row-level security, or
// a DB whose InTx does.
package knowledge

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid argument")
	ErrConflict = errors.New("conflict")
	// ErrReadOnly: the starter pack cannot be edited; copy the document.
	ErrReadOnly = errors.New("read-only")
	// ErrUnconfirmed: publishing a flagged document needs a curator's
	// confirmation.
	ErrUnconfirmed = errors.New("needs confirmation")
)

// StarterOrg owns the starter pack that every organization reads.
var StarterOrg = uuid.Nil

// DB runs fn in a transaction scoped to the caller's organization.
type DB interface {
	InTx(ctx context.Context, fn func(tx pgx.Tx) error) error
}

// Topic is one of the fixed taxonomy slugs used by filters, the coach and
// evaluations.
type Topic struct {
	Slug string `json:"slug"`
	JA   string `json:"ja"`
	EN   string `json:"en"`
}

// Topics is the taxonomy, in display order.
var Topics = []Topic{
	{"basics", "1on1の基本", "1on1 basics"},
	{"listening", "傾聴", "Listening"},
	{"pdca", "PDCA・習慣化", "PDCA and habit"},
	{"challenge", "挑戦を避けるメンバー", "Members who avoid challenges"},
	{"psych-safety", "心理的安全性", "Psychological safety"},
	{"feedback", "フィードバック", "Feedback"},
	{"expectations", "期待と役割", "Expectations"},
	{"response-style", "関わり方の要望", "Response style"},
	{"career", "キャリア", "Career"},
	{"wellbeing", "コンディション", "Wellbeing"},
	{"goals", "目標", "Goals"},
	{"recognition", "承認", "Recognition"},
	{"remote", "リモート", "Remote"},
	{"onboarding", "オンボーディング", "Onboarding"},
	{"difficult", "難しい対話", "Difficult conversations"},
	{"evaluation", "評価との切り分け", "Evaluation"},
	{"trust", "信頼関係", "Trust"},
}

// MemberTopics are the topics a member picks from before a 1on1, in plain
// words: the taxonomy's labels are written for managers and curators.
var MemberTopics = []Topic{
	{"goals", "仕事の進め方・目標", "My work and goals"},
	{"career", "キャリア・これからのこと", "My career and future"},
	{"wellbeing", "体調・気持ち・働き方", "How I'm doing"},
	{"trust", "チームや人間関係", "The team and people I work with"},
	{"expectations", "期待されていること・役割", "What is expected of me"},
	{"feedback", "自分へのフィードバック", "Feedback on my work"},
	{"challenge", "新しい挑戦・成長", "Trying something new, growing"},
	{"evaluation", "評価のこと", "My evaluation"},
	{"recognition", "うまくいったこと", "Something that went well"},
	{"remote", "リモートでの働き方", "Working remotely"},
	{"onboarding", "仕事や職場に慣れること", "Settling in"},
	{"difficult", "言いにくいこと", "Something hard to say"},
}

// ValidTopic reports whether slug is in the taxonomy.
func ValidTopic(slug string) bool {
	return slices.ContainsFunc(Topics, func(t Topic) bool { return t.Slug == slug })
}

// Base is the knowledge base.
type Base struct {
	logger   *slog.Logger
	analyzer *Analyzer
	embedder Embedder // nil: lexical retrieval only
	chunking ChunkOptions
	// checks holds each document version's plan checks compiled
	// ("id/version" -> []DocumentCheck): a prep reads them all, and a
	// version never changes.
	checks sync.Map
	// explain, set by tests, receives the search statement instead of
	// running it (to look at its plan).
	explain func(ctx context.Context, tx pgx.Tx, sql string, args pgx.NamedArgs) error
	// depth, fullPostings and lexicalIndexMin, set by tests, replace the
	// constants of the same names.
	depth, fullPostings, lexicalIndexMin int
	// results are recent search results (nil: none kept).
	results *resultCache
}

// New returns a knowledge base. A nil embedder means offline: lexical
// retrieval only, which search results say.
func New(logger *slog.Logger, analyzer *Analyzer, embedder Embedder) *Base {
	return &Base{logger: logger, analyzer: analyzer, embedder: embedder, chunking: DefaultChunkOptions,
		results: newResultCache(DefaultResultCache)}
}

// Analyzer is the analyzer the base indexes and searches with.
func (b *Base) Analyzer() *Analyzer { return b.analyzer }
