package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// usageError is a mistake in flags or environment: main exits with 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// flagSet is a flag.FlagSet whose flags take their defaults from the
// environment. An environment value that does not parse is reported by
// parse, as a usage error naming the variable.
type flagSet struct {
	*flag.FlagSet
	getenv  func(string) string
	envErrs []error
}

func newFlagSet(name, synopsis string, getenv func(string) string, stderr io.Writer) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), getenv: getenv}
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags (each also read from the environment variable shown):\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// env returns the environment value of key and a usage note naming it.
func (fs *flagSet) env(key, usage string) (string, string) {
	if key == "" {
		return "", usage
	}
	return fs.getenv(key), usage + " (" + key + ")"
}

func (fs *flagSet) stringVar(p *string, name, key, def, usage string) {
	v, usage := fs.env(key, usage)
	fs.StringVar(p, name, cmp.Or(v, def), usage)
}

func (fs *flagSet) boolVar(p *bool, name, key string, def bool, usage string) {
	v, usage := fs.env(key, usage)
	if v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fs.envErrs = append(fs.envErrs, fmt.Errorf("%s=%q: not a boolean", key, v))
		} else {
			def = b
		}
	}
	fs.BoolVar(p, name, def, usage)
}

func (fs *flagSet) intVar(p *int, name, key string, def int, usage string) {
	v, usage := fs.env(key, usage)
	if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fs.envErrs = append(fs.envErrs, fmt.Errorf("%s=%q: not an integer", key, v))
		} else {
			def = n
		}
	}
	fs.IntVar(p, name, def, usage)
}

func (fs *flagSet) durationVar(p *time.Duration, name, key string, def time.Duration, usage string) {
	v, usage := fs.env(key, usage)
	if v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fs.envErrs = append(fs.envErrs, fmt.Errorf("%s=%q: not a duration (e.g. 30s, 2m)", key, v))
		} else {
			def = d
		}
	}
	fs.DurationVar(p, name, def, usage)
}

// parse parses args; errors are usage errors, and -h is flag.ErrHelp.
func (fs *flagSet) parse(args []string) error {
	if err := errors.Join(fs.envErrs...); err != nil {
		return &usageError{err}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		// package flag has already printed the error and the usage.
		return &usageError{err}
	}
	return nil
}

// dbConfig says which database to use. Every command that touches the
// database reads it the same way.
type dbConfig struct {
	URL              string // empty: the embedded PGlite under DataDir
	DataDir          string
	Schema           string
	MaxConns         int
	AcquireTimeout   time.Duration
	StatementTimeout time.Duration
}

func (c *dbConfig) register(fs *flagSet) {
	fs.stringVar(&c.URL, "database-url", "DATABASE_URL", "", "PostgreSQL `URL` (pgvector >= 0.7); empty runs the embedded PGlite")
	// -h prints defaults, and this one comes from the environment: never
	// print its password.
	if f := fs.Lookup("database-url"); f.DefValue != "" {
		shown := "(from DATABASE_URL)"
		if u, err := url.Parse(f.DefValue); err == nil && u.Scheme != "" {
			shown = u.Redacted()
		}
		f.DefValue = shown
	}
	fs.stringVar(&c.DataDir, "data-dir", "TAIWA_DATA_DIR", "./data", "`directory` for the embedded database and its runtime")
	fs.stringVar(&c.Schema, "db-schema", "TAIWA_DB_SCHEMA", "", "PostgreSQL `schema` for Taiwa's tables (default: the login role's search_path)")
	fs.intVar(&c.MaxConns, "db-max-conns", "TAIWA_DB_MAX_CONNS", 16, "maximum database `connections` (the embedded database always uses 1)")
	fs.durationVar(&c.AcquireTimeout, "db-acquire-timeout", "TAIWA_DB_ACQUIRE_TIMEOUT", 3*time.Second, "longest wait for a database connection before answering 503")
	fs.durationVar(&c.StatementTimeout, "db-statement-timeout", "TAIWA_DB_STATEMENT_TIMEOUT", 30*time.Second, "statement_timeout of request transactions")
}

func (c *dbConfig) validate() error {
	if c.URL != "" {
		if _, err := pgxpool.ParseConfig(c.URL); err != nil {
			// pgx errors quote the URL, password included: say less.
			return usagef("DATABASE_URL is not a valid PostgreSQL URL or DSN")
		}
	} else if strings.TrimSpace(c.DataDir) == "" {
		return usagef("TAIWA_DATA_DIR is empty: set it, or set DATABASE_URL")
	}
	if c.MaxConns < 1 || c.MaxConns > 1000 {
		return usagef("TAIWA_DB_MAX_CONNS=%d: want 1 to 1000", c.MaxConns)
	}
	if c.AcquireTimeout <= 0 || c.StatementTimeout <= 0 {
		return usagef("database timeouts must be positive")
	}
	if c.Schema != "" && !validIdent(c.Schema) {
		return usagef("TAIWA_DB_SCHEMA=%q: want letters, digits and underscores", c.Schema)
	}
	return nil
}

func validIdent(s string) bool {
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != "" && len(s) <= 63
}

// llmConfig says which OpenAI-compatible endpoint the coach and the
// embedder use. With no chat model the coach answers in offline mode.
type llmConfig struct {
	APIKey     string // OPENAI_API_KEY only: secrets do not belong in flags
	BaseURL    string
	ChatModel  string
	EmbedModel string
	EmbedDims  int
	Timeout    time.Duration
	// FirstToken and Idle bound a model's silences (see llm.Config).
	FirstToken, Idle time.Duration
}

func (c *llmConfig) register(fs *flagSet) {
	c.APIKey = fs.getenv("OPENAI_API_KEY")
	fs.stringVar(&c.BaseURL, "openai-base-url", "OPENAI_BASE_URL", "", "OpenAI-compatible API `URL` (OpenAI, Azure, Ollama, vLLM, llama.cpp); empty means api.openai.com")
	fs.stringVar(&c.ChatModel, "chat-model", "TAIWA_CHAT_MODEL", "", "chat `model` of the coach; empty: "+defaultChatModel+" when an endpoint or key is set, else offline; \"offline\" forces offline")
	fs.stringVar(&c.EmbedModel, "embed-model", "TAIWA_EMBED_MODEL", "", "embedding `model`; empty means lexical retrieval only")
	fs.intVar(&c.EmbedDims, "embed-dimensions", "TAIWA_EMBED_DIMENSIONS", 0, "embedding `dimensions` to request (0: the model's default)")
	fs.durationVar(&c.Timeout, "llm-timeout", "TAIWA_LLM_TIMEOUT", 45*time.Second, "timeout of one model call, retries included (keep it under the 60s of a request)")
	fs.durationVar(&c.FirstToken, "llm-first-token-timeout", "TAIWA_LLM_FIRST_TOKEN_TIMEOUT", 15*time.Second, "longest wait for a model to start answering before the coach answers offline")
	fs.durationVar(&c.Idle, "llm-idle-timeout", "TAIWA_LLM_IDLE_TIMEOUT", 15*time.Second, "longest silence of a model mid-answer")
}

func (c *llmConfig) validate() error {
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("OPENAI_BASE_URL=%q: want an http or https URL", c.BaseURL)
		}
	}
	if (c.ChatModel != "" && c.ChatModel != "offline" || c.EmbedModel != "") && c.APIKey == "" && c.BaseURL == "" {
		return usagef("a model is set (TAIWA_CHAT_MODEL or TAIWA_EMBED_MODEL) but neither OPENAI_API_KEY nor OPENAI_BASE_URL is")
	}
	if c.EmbedDims < 0 || c.EmbedDims > 16000 {
		return usagef("TAIWA_EMBED_DIMENSIONS=%d: want 0 to 16000", c.EmbedDims)
	}
	if c.Timeout <= 0 || c.FirstToken <= 0 || c.Idle <= 0 {
		return usagef("TAIWA_LLM_TIMEOUT, TAIWA_LLM_FIRST_TOKEN_TIMEOUT and TAIWA_LLM_IDLE_TIMEOUT must be positive")
	}
	return nil
}

// serveConfig is everything 'taiwa serve' reads.
type serveConfig struct {
	Addr        string
	DB          dbConfig
	LLM         llmConfig
	Migrate     bool
	Demo        bool
	Starter     bool
	MaxInFlight int
	LogFormat   string
	LogLevel    string
	Shutdown    time.Duration
	// DailyTokens is each organization's model budget per day;
	// MaxAnswerTokens bounds every model answer.
	DailyTokens     int
	MaxAnswerTokens int
	// SafetyClassifier asks the chat model to screen what the lexicon
	// let through.
	SafetyClassifier bool
	// WebDir serves the UI from disk instead of the binary (development).
	WebDir string
	// TrustedProxies may name the client in X-Forwarded-For.
	TrustedProxies []netip.Prefix
	// PublicURL is where users reach the server, for the links in
	// reminders and calendar events (an organization may set its own).
	PublicURL string
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	fs := newFlagSet("taiwa serve", "taiwa serve [flags]", getenv, stderr)
	var c serveConfig
	fs.stringVar(&c.Addr, "addr", "TAIWA_ADDR", "127.0.0.1:8080", "listen `address` (host:port)")
	c.DB.register(fs)
	c.LLM.register(fs)
	fs.boolVar(&c.Migrate, "migrate", "TAIWA_MIGRATE", true, "apply pending migrations at start")
	fs.boolVar(&c.Demo, "demo", "TAIWA_DEMO", true, "on the embedded database, create a demo organization on first start")
	fs.boolVar(&c.Starter, "starter", "TAIWA_STARTER", true, "load the starter knowledge pack at start (adds new and changed documents)")
	fs.intVar(&c.MaxInFlight, "max-inflight", "TAIWA_MAX_INFLIGHT", 256, "`requests` served at once; more get 503 with Retry-After")
	fs.stringVar(&c.LogFormat, "log-format", "TAIWA_LOG_FORMAT", "json", "log `format`: json or text")
	fs.stringVar(&c.LogLevel, "log-level", "TAIWA_LOG_LEVEL", "info", "log `level`: debug, info, warn or error")
	fs.durationVar(&c.Shutdown, "shutdown-timeout", "TAIWA_SHUTDOWN_TIMEOUT", 20*time.Second, "how long to drain requests and streams on shutdown")
	fs.intVar(&c.DailyTokens, "org-daily-tokens", "TAIWA_ORG_DAILY_TOKENS", 500000, "model `tokens` each organization may use a day; beyond it the coach answers offline (0: no limit)")
	fs.stringVar(&c.WebDir, "web-dir", "TAIWA_WEB_DIR", "", "serve the web UI from this `directory` instead of the binary (for UI development)")
	fs.intVar(&c.MaxAnswerTokens, "max-answer-tokens", "TAIWA_MAX_ANSWER_TOKENS", 1200, "most `tokens` of one model answer")
	fs.boolVar(&c.SafetyClassifier, "safety-classifier", "TAIWA_SAFETY_CLASSIFIER", true, "with a chat model, also ask it whether a text the safety lexicon let through needs a referral (one more call per answer, before coaching)")
	fs.stringVar(&c.PublicURL, "public-url", "TAIWA_PUBLIC_URL", "", "`URL` users reach the server at, for links in reminders and calendar feeds (default: http://<addr>)")
	var proxies string
	fs.stringVar(&proxies, "trusted-proxies", "TAIWA_TRUSTED_PROXIES", "", "comma-separated `addresses or CIDR ranges` of reverse proxies whose X-Forwarded-For names the client (logs and audit trail)")
	if err := fs.parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.TrustedProxies, err = parsePrefixes(proxies); err != nil {
		return c, err
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		return c, usagef("TAIWA_ADDR=%q: want host:port", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return c, usagef("TAIWA_ADDR=%q: bad port", c.Addr)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	} else if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, usagef("TAIWA_PUBLIC_URL=%q: want an http or https URL", c.PublicURL)
	}
	if err := c.DB.validate(); err != nil {
		return c, err
	}
	if err := c.LLM.validate(); err != nil {
		return c, err
	}
	if c.MaxInFlight < 1 {
		return c, usagef("TAIWA_MAX_INFLIGHT=%d: want at least 1", c.MaxInFlight)
	}
	if c.DailyTokens < 0 || c.MaxAnswerTokens < 16 || c.MaxAnswerTokens > 32000 {
		return c, usagef("TAIWA_ORG_DAILY_TOKENS must be 0 or more and TAIWA_MAX_ANSWER_TOKENS 16 to 32000")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return c, usagef("TAIWA_LOG_FORMAT=%q: want json or text", c.LogFormat)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return c, err
	}
	if c.Shutdown <= 0 {
		return c, usagef("TAIWA_SHUTDOWN_TIMEOUT must be positive")
	}
	return c, nil
}

// parsePrefixes reads a comma-separated list of addresses and CIDR ranges.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, usagef("TAIWA_TRUSTED_PROXIES: %q is neither an address nor a CIDR range", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
