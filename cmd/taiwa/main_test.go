package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/assistant/safety"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var db *pgtest.DB

func TestMain(m *testing.M) {
	// The crash test re-runs this binary as the taiwa command itself.
	if os.Getenv("TAIWA_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"taiwa"}, strings.Fields(os.Getenv("TAIWA_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	pgtest.Main(m, &db)
}

// env returns a getenv over the given pairs only: tests never read the
// developer's environment by accident.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  []string
		want string // in the error message
	}{
		{"no command", nil, nil, "missing command"},
		{"unknown command", []string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{"bad flag", []string{"serve", "-nope"}, nil, "flag provided but not defined"},
		{"bad address", []string{"serve"}, []string{"TAIWA_ADDR", "localhost"}, "TAIWA_ADDR"},
		{"bad port", []string{"serve"}, []string{"TAIWA_ADDR", "127.0.0.1:99999"}, "bad port"},
		{"bad duration", []string{"serve"}, []string{"TAIWA_DB_ACQUIRE_TIMEOUT", "soon"}, "TAIWA_DB_ACQUIRE_TIMEOUT"},
		{"bad bool", []string{"serve"}, []string{"TAIWA_MIGRATE", "perhaps"}, "TAIWA_MIGRATE"},
		{"bad int", []string{"serve"}, []string{"TAIWA_MAX_INFLIGHT", "many"}, "TAIWA_MAX_INFLIGHT"},
		{"zero inflight", []string{"serve", "-max-inflight", "0"}, nil, "TAIWA_MAX_INFLIGHT"},
		{"bad database url", []string{"serve"}, []string{"DATABASE_URL", "postgres://u:secretpw@host:notaport/db"}, "DATABASE_URL is not a valid"},
		{"bad base url", []string{"serve"}, []string{"OPENAI_BASE_URL", "ftp://x"}, "OPENAI_BASE_URL"},
		{"model without endpoint", []string{"serve"}, []string{"TAIWA_CHAT_MODEL", "gpt-4o"}, "neither OPENAI_API_KEY nor OPENAI_BASE_URL"},
		{"bad log format", []string{"serve"}, []string{"TAIWA_LOG_FORMAT", "xml"}, "TAIWA_LOG_FORMAT"},
		{"bad log level", []string{"serve"}, []string{"TAIWA_LOG_LEVEL", "loud"}, "TAIWA_LOG_LEVEL"},
		{"bad schema", []string{"migrate"}, []string{"TAIWA_DB_SCHEMA", "a-b"}, "TAIWA_DB_SCHEMA"},
		{"unknown admin command", []string{"admin", "frob"}, nil, "unknown command"},
		{"admin bad org id", []string{"admin", "users", "list", "-org", "x", "-database-url", "postgres://127.0.0.1:1/x"}, nil, "-org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tt.args, env(tt.env...), &stdout, &stderr)
			var uerr *usageError
			if !errors.As(err, &uerr) {
				t.Fatalf("run(%q) error = %v, want a usage error (exit 2)", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secretpw") {
				t.Errorf("error %q shows the database password", err)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error %q is more than one line", err)
			}
		})
	}
}

// TestExitCodes runs the real binary: bad config exits 2 with one line on
// stderr and no stack trace.
func TestExitCodes(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TAIWA_TEST_RUN_MAIN=1", "TAIWA_TEST_ARGS=serve", "TAIWA_ADDR=nope")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit = %v, want code 2", err)
	}
	if got := strings.TrimSpace(stderr.String()); strings.Count(got, "\n") != 0 || !strings.HasPrefix(got, "taiwa: ") || strings.Contains(got, "goroutine") {
		t.Errorf("stderr = %q, want one 'taiwa: ...' line", got)
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"help"}, env(), &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"serve", "migrate", "admin", "pglite", "version"} {
		if !strings.Contains(out.String(), cmd) {
			t.Errorf("help does not mention %s", cmd)
		}
	}
	out.Reset()
	err := run(t.Context(), []string{"serve", "-h"}, env(), &out, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("serve -h: %v", err)
	}
	for _, v := range []string{"DATABASE_URL", "TAIWA_ADDR", "TAIWA_DATA_DIR", "OPENAI_BASE_URL", "TAIWA_CHAT_MODEL", "TAIWA_EMBED_MODEL", "TAIWA_MAX_INFLIGHT"} {
		if !strings.Contains(out.String(), v) {
			t.Errorf("serve -h does not mention %s", v)
		}
	}
	// The database URL comes from the environment and is shown as the
	// flag's default: without its password.
	out.Reset()
	run(t.Context(), []string{"serve", "-h"}, env("DATABASE_URL", "postgres://taiwa:hunter2secret@db:5432/taiwa"), &out, &out)
	if strings.Contains(out.String(), "hunter2secret") || !strings.Contains(out.String(), "postgres://taiwa:xxxxx@db:5432/taiwa") {
		t.Errorf("serve -h shows the database password:\n%s", out.String())
	}
	// TAIWA_CHAT_MODEL=offline needs no endpoint.
	if _, err := parseServe(nil, env("TAIWA_CHAT_MODEL", "offline"), io.Discard); err != nil {
		t.Errorf("TAIWA_CHAT_MODEL=offline without an endpoint: %v", err)
	}
	out.Reset()
	if err := run(t.Context(), []string{"version"}, env(), &out, &out); err != nil || !strings.HasPrefix(out.String(), "taiwa ") {
		t.Errorf("version = %q, %v", out.String(), err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenRE = regexp.MustCompile(`taiwa listening on (http://\S+)`)

// startServe runs 'taiwa serve' through run and returns its base URL, its
// stdout, its stderr (the log) and a stop function that cancels it and
// returns run's error.
func startServe(t *testing.T, getenv func(string) string) (base string, stdout, stderr *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-log-level", "warn"}, getenv, stdout, stderr)
	}()
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-errc:
			case <-time.After(60 * time.Second):
				stopErr = errors.New("serve did not stop within 60 s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { stop() })
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			waitReady(t, base)
			return base, stdout, stderr, stop
		}
		select {
		case err := <-errc:
			t.Fatalf("serve exited: %v\nstderr: %s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not listen; stderr: %s", stderr.String())
	return "", nil, nil, nil
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	for range 1200 { // a first start loads the starter guidance: up to a minute
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never returned 200", base)
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	return do(t, "GET", url, token)
}

func do(t *testing.T, method, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &body)
	return resp.StatusCode, body
}

var tokenRE = regexp.MustCompile(`taiwa_[A-Za-z0-9_-]{43}`)
var idRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestServeAndAdmin runs the server on DATABASE_URL and administers it
// through the command line, as an operator would.
func TestServeAndAdmin(t *testing.T) {
	getenv := env("DATABASE_URL", db.URL, "TAIWA_DB_SCHEMA", db.Schema)
	base, _, _, stop := startServe(t, getenv)

	admin := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(t.Context(), append([]string{"admin"}, args...), getenv, &out, &errOut); err != nil {
			t.Fatalf("admin %v: %v\n%s", args, err, errOut.String())
		}
		return out.String()
	}
	out := admin("bootstrap", "-org", "Acme 株式会社", "-name", "Admin", "-email", "admin@example.com")
	adminTok := tokenRE.FindString(out)
	orgID := idRE.FindString(out)
	if adminTok == "" || orgID == "" {
		t.Fatalf("bootstrap printed no token or org id:\n%s", out)
	}
	status, me := get(t, base+"/api/me", adminTok)
	if status != 200 || me["user"].(map[string]any)["role"] != "admin" {
		t.Fatalf("/api/me with the bootstrap token = %d %v", status, me)
	}
	if !strings.Contains(admin("orgs", "list"), "Acme 株式会社") {
		t.Error("orgs list does not show the new org")
	}
	out = admin("users", "create", "-org", orgID, "-name", "Manager One", "-role", "manager")
	mgrTok := tokenRE.FindString(out)
	mgrID := idRE.FindString(out)
	if status, _ := get(t, base+"/api/me", mgrTok); status != 200 {
		t.Fatalf("manager token: %d", status)
	}
	out = admin("tokens", "list", "-org", orgID, "-user", mgrID)
	tokID := idRE.FindString(out)
	admin("tokens", "revoke", "-org", orgID, "-token", tokID)
	if status, _ := get(t, base+"/api/me", mgrTok); status != 401 {
		t.Errorf("revoked manager token: %d, want 401", status)
	}
	out = admin("tokens", "create", "-org", orgID, "-user", mgrID, "-expires", "24h")
	if status, _ := get(t, base+"/api/me", tokenRE.FindString(out)); status != 200 {
		t.Errorf("new manager token: %d", status)
	}
	admin("users", "disable", "-org", orgID, "-user", mgrID)
	if status, _ := get(t, base+"/api/me", tokenRE.FindString(out)); status != 401 {
		t.Errorf("disabled manager's token: %d, want 401", status)
	}
	if !strings.Contains(admin("users", "list", "-org", orgID), "disabled") {
		t.Error("users list does not show the disabled user")
	}
	var mout bytes.Buffer
	if err := run(t.Context(), []string{"migrate", "-status"}, getenv, &mout, &mout); err != nil || !strings.Contains(mout.String(), "schema version") {
		t.Errorf("migrate -status = %q, %v", mout.String(), err)
	}
	if err := stop(); err != nil {
		t.Errorf("serve returned %v after cancel, want nil", err)
	}
}

// TestServeEmbedded is 'make run' on a fresh data directory: the embedded
// database starts, a demo org is created and its tokens work; a restart
// keeps the data; stopping leaves no database process behind.
func TestServeEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded database (npm install on first use)")
	}
	// A relative data directory, like the default ./data.
	t.Chdir(t.TempDir())
	dir, _ := filepath.Abs("data")
	getenv := env("TAIWA_DATA_DIR", "data", "PATH", os.Getenv("PATH"), "HOME", os.Getenv("HOME"))
	base, stdout, _, stop := startServe(t, getenv)
	toks := tokenRE.FindAllString(stdout.String(), -1)
	if len(toks) < 2 || !strings.Contains(stdout.String(), "manager") || !strings.Contains(stdout.String(), "curator") {
		t.Fatalf("demo tokens not printed:\n%s", stdout.String())
	}
	if want := "Data: a new embedded database in " + dir; !strings.Contains(stdout.String(), want) {
		t.Errorf("first start does not say where the data is (%q):\n%s", want, stdout.String())
	}
	for _, tok := range toks[:2] {
		if status, body := get(t, base+"/api/me", tok); status != 200 {
			t.Errorf("demo token: /api/me = %d %v", status, body)
		}
	}
	// Ready means ready: the starter pack is in when /readyz first says 200.
	if _, body := get(t, base+"/api/kb/documents?source=starter&limit=1", toks[1]); body["total"].(float64) < 40 {
		t.Fatalf("ready before the starter pack was loaded: %v", body)
	}
	// The browser UI is served at the root.
	if resp, err := http.Get(base + "/"); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET / = %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// The demo manager's coach works offline on a demo member: a plan with
	// questions and watch-outs cited from the starter pack.
	prep := regexp.MustCompile(`/api/members/` + idRE.String() + `/prep`).FindString(stdout.String())
	if prep == "" {
		t.Fatalf("no prep example printed:\n%s", stdout.String())
	}
	status, plan := do(t, "POST", base+prep, toks[0])
	questions, _ := plan["questions"].([]any)
	citations, _ := plan["citations"].([]any)
	if status != 200 || plan["mode"] != "offline" || len(questions) < 2 || len(citations) < 3 {
		t.Errorf("demo prep = %d: mode %v, %d questions, %d citations", status, plan["mode"], len(questions), len(citations))
	}
	pid := embeddedPID(t, dir)
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if alive(pid) {
		t.Errorf("embedded database (pid %d) still running after serve stopped", pid)
	}

	// Second start, now with an OpenAI-compatible endpoint: same data, no
	// second demo org, and the same prep streams the model's answer, whose
	// citations all name chunks the model was given.
	fake := openaitest.NewServer(t, func(r openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Text: "[summary]\n聴くことに徹しましょう [1]。\n[agenda]\n- 調子を聞く [2]\n[questions]\n- 「最近どうですか？」 [3]\n[watch_outs]\n- 助言を急がない [1]\n"}
	})
	getenv = env("TAIWA_DATA_DIR", "data", "PATH", os.Getenv("PATH"), "HOME", os.Getenv("HOME"), "OPENAI_BASE_URL", fake.BaseURL())
	base, stdout, _, stop = startServe(t, getenv)
	if tokenRE.MatchString(stdout.String()) {
		t.Errorf("second start printed new demo tokens:\n%s", stdout.String())
	}
	for _, want := range []string{"Data: the embedded database in " + dir + " (8 users)", "taiwa admin tokens create"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("second start does not say %q:\n%s", want, stdout.String())
		}
	}
	if status, _ := get(t, base+"/api/me", toks[0]); status != 200 {
		t.Errorf("demo token after restart: %d, want 200", status)
	}
	req, _ := http.NewRequest("POST", base+prep, nil)
	req.Header.Set("Authorization", "Bearer "+toks[0])
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	stream := string(body)
	i := strings.LastIndex(stream, "event: done\ndata: ")
	if resp.StatusCode != 200 || !strings.Contains(stream, "event: delta") || i < 0 {
		t.Fatalf("prep stream = %d:\n%s", resp.StatusCode, stream)
	}
	var done struct {
		Mode      string `json:"mode"`
		Model     string `json:"model"`
		Citations []struct {
			N     int    `json:"n"`
			Title string `json:"title"`
		} `json:"citations"`
	}
	json.Unmarshal([]byte(strings.SplitN(stream[i+len("event: done\ndata: "):], "\n", 2)[0]), &done)
	// By default the safety classifier screens first (its answer here is
	// no JSON, so the lexicon's verdict stands), then the coach writes.
	reqs := fake.Requests()
	if done.Mode != "llm" || done.Model != "gpt-4o-mini" || len(done.Citations) != 3 || len(reqs) != 2 ||
		!strings.HasPrefix(reqs[0].Messages[0].Content, safety.ClassifierMarker) {
		t.Fatalf("prep with a model: mode %q model %q, %d citations, %d model calls", done.Mode, done.Model, len(done.Citations), len(reqs))
	}
	prompt := reqs[1].Messages[len(reqs[1].Messages)-1].Content
	for _, c := range done.Citations {
		if !strings.Contains(prompt, fmt.Sprintf("[%d] %s", c.N, c.Title)) {
			t.Errorf("citation [%d] %q does not resolve to a chunk given to the model", c.N, c.Title)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestNoOrphanWhenKilled kills taiwa with SIGKILL (no chance to clean up)
// and checks the embedded database process goes away by itself.
func TestNoOrphanWhenKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded database")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{"TAIWA_TEST_RUN_MAIN=1", "TAIWA_TEST_ARGS=serve -addr 127.0.0.1:0 -demo=false",
		"TAIWA_DATA_DIR=" + dir, "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	stdout := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for i := 0; !listenRE.MatchString(stdout.String()); i++ {
		if i > 1200 {
			t.Fatal("taiwa did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
	pid := embeddedPID(t, dir)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	for range 100 {
		if !alive(pid) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("embedded database (pid %d) outlived the killed taiwa by 10 s", pid)
}

func embeddedPID(t *testing.T, dataDir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "embedded.json"))
	if err != nil {
		t.Fatalf("embedded.json: %v", err)
	}
	var st struct{ PID int }
	if err := json.Unmarshal(b, &st); err != nil || st.PID == 0 {
		t.Fatalf("embedded.json %q: %v", b, err)
	}
	return st.PID
}

// alive reports whether pid runs; a zombie (exited, not yet reaped by its
// new parent) counts as gone.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// TestKBImport imports a folder through the command line: the good file goes
// in, each bad one is named with its reason, and the starter pack loads.
// TestKBImportInBatches imports more files than one batch holds: each
// batch is its own transaction with a progress line, a key taken in an
// earlier batch is still refused, and an import cut short (here: the first
// files only) goes on where it stopped when run again.
func TestKBImportInBatches(t *testing.T) {
	getenv := env("DATABASE_URL", db.URL, "TAIWA_DB_SCHEMA", db.Schema)
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"admin", "bootstrap", "-org", "Batch org", "-name", "Curator"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	orgID := idRE.FindString(out.String())
	dir := t.TempDir()
	const n = 2*importBatch + 30
	for i := range n {
		id := fmt.Sprintf("doc-%03d", i)
		if i == n-1 {
			id = "doc-007" // the same id as a file of the first batch
		}
		body := fmt.Sprintf("---\nid: %s\ntitle: 面談メモ %d\nlang: ja\ntopics: [basics]\n---\n\n## 実践のポイント\n\n%d回目の面談では次回までの約束を一つ確認します。\n", id, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.md", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The first 120 files, as an import stopped after its first batch and
	// part of the second would have left them.
	first := make([]string, 0, 120)
	for i := range 120 {
		first = append(first, filepath.Join(dir, fmt.Sprintf("f%03d.md", i)))
	}
	out.Reset()
	if err := run(t.Context(), append([]string{"kb", "import", "-org", orgID, "-publish"}, first...), getenv, &out, &errOut); err != nil {
		t.Fatalf("kb import: %v\n%s", err, errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if err := run(t.Context(), []string{"kb", "import", "-org", orgID, "-publish", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("kb import: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"imported 100 of 230 files (43%)", "imported 200 of 230 files (86%)", "imported 230 of 230 files (100%)"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, errOut.String())
		}
	}
	got := out.String()
	for _, want := range []string{"109 created, 0 updated, 120 unchanged, 1 skipped", filepath.Join(dir, "f229.md") + ": " + filepath.Join(dir, "f007.md") + " has the same key"} {
		if !strings.Contains(got, want) {
			t.Errorf("kb import output lacks %q:\n%s", want, got[max(0, len(got)-600):])
		}
	}
}

func TestKBImport(t *testing.T) {
	getenv := env("DATABASE_URL", db.URL, "TAIWA_DB_SCHEMA", db.Schema)
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"admin", "bootstrap", "-org", "KB org", "-name", "Curator"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	orgID := idRE.FindString(out.String())

	dir := t.TempDir()
	files := map[string]string{
		"good.md":      "---\ntitle: 面談の終わり方\nlang: ja\ntopics: [basics]\ntags: [締め]\n---\n\n## 実践のポイント\n\n最後に次回までの約束を一つ確認します。\n",
		"bad-topic.md": "---\ntitle: x\nlang: ja\ntopics: [cooking]\n---\nbody\n",
		"no-front.md":  "# only a heading\n",
		"notes.txt":    "ignored: not Markdown",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := run(t.Context(), []string{"kb", "import", "-org", orgID, "-publish", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("kb import: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"created    " + filepath.Join(dir, "good.md"), "skipped    " + filepath.Join(dir, "bad-topic.md") + ": topic \"cooking\"",
		"skipped    " + filepath.Join(dir, "no-front.md") + ": no front matter", "1 created, 0 updated, 0 unchanged, 2 skipped"} {
		if !strings.Contains(got, want) {
			t.Errorf("kb import output lacks %q:\n%s", want, got)
		}
	}
	docID := idRE.FindString(got[strings.Index(got, "created "):])

	// Importing again changes nothing: the folder, without -publish (the
	// document stays published), or the file by itself (its key is its
	// name, as in the folder).
	for _, args := range [][]string{{"-publish", dir}, {dir}, {filepath.Join(dir, "good.md")}} {
		out.Reset()
		err := run(t.Context(), append([]string{"kb", "import", "-org", orgID}, args...), getenv, &out, &errOut)
		if got := out.String(); err != nil || !strings.Contains(got, "unchanged  "+filepath.Join(dir, "good.md")+" -> 面談の終わり方 ("+docID+")") ||
			!strings.Contains(got, "\n0 created, 0 updated, 1 unchanged") {
			t.Errorf("kb import %v again: %v\n%s", args, err, got)
		}
	}

	// Curate it from the command line: unpublish, edit, publish, search, export.
	kb := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		if err := run(t.Context(), append([]string{"kb"}, args...), getenv, &o, &e); err != nil {
			t.Fatalf("kb %v: %v\n%s", args, err, e.String())
		}
		return o.String()
	}
	if got := kb("unpublish", "-org", orgID, docID); !strings.Contains(got, "draft") {
		t.Errorf("unpublish: %s", got)
	}
	edited := filepath.Join(t.TempDir(), "edited.md") // not in dir, which is imported again below
	os.WriteFile(edited, []byte(strings.Replace(files["good.md"], "約束を一つ確認します", "約束を一つだけ声に出して確認します", 1)), 0o644)
	if got := kb("update", "-org", orgID, "-doc", docID, edited); !strings.Contains(got, "version 3") {
		t.Errorf("update: %s", got)
	}
	if got := kb("search", "-org", orgID, "次回までの約束を声に出して確認"); strings.Contains(got, "面談の終わり方") {
		t.Errorf("search found a draft:\n%s", got)
	}
	kb("publish", "-org", orgID, docID)
	if got := kb("search", "-org", orgID, "次回までの約束を声に出して確認"); !strings.Contains(got, "面談の終わり方") || !strings.Contains(got, "bm25") {
		t.Errorf("search after publish:\n%s", got)
	}
	if got := kb("list", "-org", orgID, "-status", "published", "-q", "面談"); !strings.Contains(got, docID) {
		t.Errorf("list:\n%s", got)
	}
	if got := kb("export", "-org", orgID, "-doc", docID); !strings.Contains(got, "title: 面談の終わり方") || !strings.Contains(got, "声に出して") {
		t.Errorf("export:\n%s", got)
	}
	// The folder's file differs from the document now (edited above): it
	// is the document's next version, still published.
	out.Reset()
	if err := run(t.Context(), []string{"kb", "import", "-org", orgID, dir}, getenv, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "updated    "+filepath.Join(dir, "good.md")+" -> 面談の終わり方 ("+docID+", version 5)") ||
		!strings.Contains(out.String(), "0 created, 1 updated, 0 unchanged, 2 skipped") {
		t.Errorf("kb import of an edited file: %v\n%s", err, out.String())
	}
	// The export imports back onto the same document, unchanged.
	export := filepath.Join(t.TempDir(), "export.zip")
	os.WriteFile(export, []byte(kb("export", "-org", orgID)), 0o644)
	if got := kb("import", "-org", orgID, export); !strings.Contains(got, "unchanged") || !strings.Contains(got, docID) ||
		!strings.Contains(got, "0 created, 0 updated, 1 unchanged, 0 skipped") {
		t.Errorf("kb import of the export:\n%s", got)
	}

	// An organization id that does not exist is an error, not the starter
	// pack listed as its guidance.
	unknown := "0a1b2c3d-0000-4000-8000-000000000000"
	for _, args := range [][]string{{"list", "-org", unknown}, {"search", "-org", unknown, "約束"}, {"import", "-org", unknown, dir}} {
		var o, e bytes.Buffer
		if err := run(t.Context(), append([]string{"kb"}, args...), getenv, &o, &e); err == nil || !strings.Contains(err.Error(), "no organization") {
			t.Errorf("kb %v = %v, want an error naming the unknown organization\n%s", args, err, o.String())
		}
	}

	out.Reset()
	if err := run(t.Context(), []string{"kb", "import", "-starter"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("kb import -starter: %v", err)
	}
	if !strings.Contains(out.String(), "starter pack:") {
		t.Errorf("kb import -starter output: %s", out.String())
	}
	if err := run(t.Context(), []string{"kb", "reembed"}, getenv, &out, &errOut); err == nil || !strings.Contains(err.Error(), "TAIWA_EMBED_MODEL") {
		t.Errorf("kb reembed without a model: %v, want a usage error naming TAIWA_EMBED_MODEL", err)
	}
}
