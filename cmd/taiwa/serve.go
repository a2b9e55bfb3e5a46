package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api"
	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/notify"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations"
	"github.com/taiwa-coach/taiwa/web"
)

// serve is the composition root: it builds each dependency once and passes
// it down.
// defaultMemoryLimit is the server's soft memory limit unless GOMEMLIMIT
// sets one.
const defaultMemoryLimit = 200 << 20

// limitMemory sets the default soft memory limit. About 150 MB of the heap
// is live for good (the IPA dictionary ~90, the coach's models ~45): with
// the default GOGC the heap doubles that before collecting (370 MB after
// 10k requests). The limit collects sooner instead (~245 MB, 7% fewer
// requests per second).
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	limitMemory(getenv)

	_, err = os.Stat(filepath.Join(cfg.DB.DataDir, "pgdata"))
	fresh := errors.Is(err, fs.ErrNotExist)
	db, err := openDB(ctx, cfg.DB, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			logger.Error("close database", slog.String("error", err.Error()))
		}
	}()

	if cfg.Migrate {
		n, err := db.Migrate(ctx, nil)
		if err != nil {
			return err
		}
		if n > 0 {
			logger.InfoContext(ctx, "migrations applied", slog.Int("count", n))
		}
	}

	analyzer, err := knowledge.NewAnalyzer()
	if err != nil {
		return fmt.Errorf("load the Japanese dictionary: %w", err)
	}
	redactor, err := anonymize.New()
	if err != nil {
		return fmt.Errorf("load the redactor: %w", err)
	}
	news := newBreakerNews(db.DB, logger)
	models := newModels(cfg.LLM, logger, news.onTrip())
	kb := knowledge.New(logger, analyzer, models.embedder())

	// Background work (starter pack, embeddings) stops before the database
	// closes: it is cancelled at shutdown and waited for.
	bgCtx, cancelBg := context.WithCancel(ctx)
	var bg sync.WaitGroup
	defer func() {
		cancelBg()
		bg.Wait()
	}()
	news.start(bgCtx, &bg, models.endpoint)
	if _, ok := kb.Embedding(); !ok {
		logger.InfoContext(ctx, "no embedding model configured: retrieval is lexical only (offline mode)")
	}

	keyer, err := pseudonymKeyer(getenv, cfg.DB.DataDir)
	if err != nil {
		return err
	}
	hist := history.New(redactor, keyer)
	if err := greetEmbedded(ctx, db, cfg, fresh, hist, stdout); err != nil {
		return err
	}
	chat := models.chat
	coachCfg := assistant.Config{Logger: logger, Knowledge: kb, History: hist, DailyTokens: int64(cfg.DailyTokens),
		MaxAnswerTokens: cfg.MaxAnswerTokens, SafetyClassifier: cfg.SafetyClassifier, Embedder: models.embedder()}
	if chat != nil {
		coachCfg.LLM = chat
		logger.InfoContext(ctx, "coach uses a language model", slog.String("model", chat.Model()))
	} else {
		logger.InfoContext(ctx, "no chat model configured: the coach answers in offline mode")
	}
	coach, err := assistant.New(coachCfg)
	if err != nil {
		return fmt.Errorf("start the coach: %w", err)
	}
	// Background work lives in the database's job queue (api/jobs): it
	// survives restarts and runs once across the processes sharing it.
	// Vectors missing for the embedding model are made there; lexical
	// retrieval serves meanwhile.
	notifier := notify.New(hist, logger, cfg.PublicURL)
	jd := jobDeps{logger: logger, db: db.DB, kb: kb, hist: hist, coach: coach, notifier: notifier}
	if e := models.embedder(); e != nil {
		jd.embed = e
	}
	runner := newJobs(jd)
	if err := runner.Start(bgCtx, true); err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Shutdown)
		defer cancel()
		if err := runner.Stop(stopCtx); err != nil {
			logger.Warn("stop jobs", slog.String("error", err.Error()))
		}
	}()

	// Ready means ready: until the starter guidance is in, a prep would
	// find none (and note a false content gap).
	starterDone := make(chan struct{})
	if !cfg.Starter {
		close(starterDone)
	}
	handler := api.NewServer(api.Deps{
		Logger:         logger,
		DB:             db.DB,
		Knowledge:      kb,
		History:        hist,
		Coach:          coach,
		Models:         models.meter,
		UI:             web.Handler(cfg.WebDir),
		Ready:          readiness(db.DB, starterDone),
		MaxInFlight:    cfg.MaxInFlight,
		TrustedProxies: cfg.TrustedProxies,
		Jobs:           runner,
		EmbedNotes:     jd.embed != nil,
		Notifier:       notifier,
	})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	// Streams (SSE) watch this context: Shutdown waits for handlers but does
	// not cancel them, so it is cancelled after a grace period below.
	baseCtx, cancelBase := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelBase(nil)
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No WriteTimeout: answers stream over SSE. Handlers bound their own
		// work with context deadlines instead.
		BaseContext: func(net.Listener) context.Context { return baseCtx },
		ErrorLog:    slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// Documents indexed by an older analyzer are re-indexed, then the
	// starter pack is brought up to date.
	bg.Go(func() {
		if n, err := kb.ReindexStale(bgCtx, db.Operator()); err != nil {
			logger.WarnContext(bgCtx, "re-index stopped; it resumes at the next start", slog.String("error", err.Error()))
		} else if n > 0 {
			logger.InfoContext(bgCtx, "re-indexed documents for the current analyzer", slog.Int("documents", n))
		}
	})
	if cfg.Starter {
		// Loaded while the server already answers: each document is its own
		// short transaction, and it takes a few seconds on a first start.
		bg.Go(func() { syncStarter(bgCtx, logger, db.DB, kb, starterDone) })
	}
	fmt.Fprintf(stdout, "taiwa listening on http://%s\n", ln.Addr()) // tests read the port from this line
	logger.InfoContext(ctx, "listening", slog.String("addr", ln.Addr().String()), slog.Bool("embedded_db", db.embedded != nil))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var runErr error
	select {
	case err := <-errc:
		return err
	case <-db.embeddedDone():
		runErr = errors.New("the embedded database exited unexpectedly")
		logger.ErrorContext(ctx, "embedded database exited")
	case <-ctx.Done():
	}
	logger.InfoContext(ctx, "shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Shutdown)
	defer cancel()
	// Let streams finish for most of the drain period, then cancel them so
	// they send their last event and end.
	grace := time.AfterFunc(cfg.Shutdown*3/4, func() { cancelBase(api.ErrShutdown) })
	defer grace.Stop()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("shutdown", slog.String("error", err.Error()))
		srv.Close()
	}
	return runErr
}

// syncStarter brings the starter knowledge pack up to date and closes
// done once it is in (or failed: the server then serves without it).
func syncStarter(ctx context.Context, logger *slog.Logger, db *tenant.DB, kb *knowledge.Base, done chan<- struct{}) {
	st, err := kb.SyncStarter(ctx, db.OrgScope(knowledge.StarterOrg))
	close(done)
	if err != nil {
		logger.ErrorContext(ctx, "starter pack not loaded; 'taiwa kb import -starter' retries", slog.String("error", err.Error()))
		return
	}
	logger.InfoContext(ctx, "starter pack", slog.Int("added", st.Added), slog.Int("updated", st.Updated),
		slog.Int("removed", st.Removed), slog.Int("unchanged", st.Unchanged),
		slog.Int("thesaurus_rules_added", st.Thesaurus.Added), slog.Int("thesaurus_rules_removed", st.Thesaurus.Removed))
	if _, ok := kb.Embedding(); ok {
		kb.EmbedMissing(ctx, db.OrgScope(knowledge.StarterOrg), nil)
	}
}

// readiness reports whether the database answers and its schema is the one
// this binary expects. Once the schema has been seen current, only the
// database is checked: migrations do not go backwards.
func readiness(db *tenant.DB, starterDone <-chan struct{}) func(context.Context) error {
	var schemaOK atomic.Bool
	return func(ctx context.Context) error {
		select {
		case <-starterDone:
		default:
			return errors.New("the starter guidance is still loading")
		}
		if err := db.Ping(ctx); err != nil {
			return err
		}
		if schemaOK.Load() {
			return nil
		}
		cur, latest, err := migrations.Status(ctx, db.Pool)
		if err != nil {
			return err
		}
		if cur < latest {
			return fmt.Errorf("schema version %d, want %d: run 'taiwa migrate'", cur, latest)
		}
		schemaOK.Store(true)
		return nil
	}
}

// greetEmbedded is what a start on the embedded database prints: where
// the data is and, on its first start, the demo organization.
func greetEmbedded(ctx context.Context, db *database, cfg serveConfig, fresh bool, hist *history.Store, stdout io.Writer) error {
	if db.embedded == nil {
		return nil
	}
	if err := announceData(ctx, db.DB, cfg.DB.DataDir, fresh, stdout); err != nil {
		return err
	}
	if cfg.Demo {
		if err := seedDemo(ctx, db.DB, hist, cfg.Addr, stdout); err != nil {
			return fmt.Errorf("demo organization: %w", err)
		}
	}
	return nil
}

// announceData says where the embedded database is: started from another
// folder, the default ./data is a new, empty database, and nothing else
// would say so. On a later start it says how to get a token again, since
// the first start's are shown only once.
func announceData(ctx context.Context, db *tenant.DB, dir string, fresh bool, stdout io.Writer) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if fresh {
		fmt.Fprintf(stdout, "Data: a new embedded database in %s (to use another, set TAIWA_DATA_DIR or -data-dir).\n", abs)
		return nil
	}
	var users int
	err = db.Operator().InTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&users)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Data: the embedded database in %s (%d users).\n", abs, users)
	if users > 0 {
		fmt.Fprintf(stdout, "Lost a token? 'taiwa admin orgs list', 'taiwa admin users list -org ID', then\n"+
			"'taiwa admin tokens create -org ID -user ID' makes a new one (with -data-dir %s).\n", dir)
	}
	return nil
}
