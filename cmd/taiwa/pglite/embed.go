// Package pglite runs the embedded default database: PGlite (PostgreSQL in
// WebAssembly, with pgvector) served over the PostgreSQL wire protocol by a
// Node.js child process.
//
// The npm packages are pinned by package-lock.json, embedded in the binary
// and installed under the data directory on first start, so the binary runs
// from any directory.
package pglite

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

//go:embed package.json package-lock.json launcher.mjs
var runtimeFiles embed.FS

// ErrNoNode means Node.js (or npm) is not installed.
var ErrNoNode = errors.New("the embedded database needs Node.js 18 or later and npm, which were not found in PATH: " +
	"install them (e.g. 'apt-get install nodejs npm') or set DATABASE_URL to a PostgreSQL server with pgvector >= 0.7")

// ErrBusy means another process runs the embedded database of this data
// directory; Running tells where.
var ErrBusy = errors.New("the embedded database of this data directory is in use by another process")

// Server is a running embedded database.
type Server struct {
	URL string // postgres://... on a loopback port

	cmd     *exec.Cmd
	stdin   io.WriteCloser
	lock    *os.File
	state   string
	done    chan struct{}
	waitErr error
	stop    sync.Once
	logger  *slog.Logger
}

// state is what a running server leaves in the data directory, so that
// 'taiwa admin' can reach the database while 'taiwa serve' runs.
type state struct {
	URL string `json:"url"`
	PID int    `json:"pid"`
}

// Running returns the URL of the embedded database another process runs on
// dataDir, if any.
func Running(dataDir string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "embedded.json"))
	if err != nil {
		return "", false
	}
	var st state
	if json.Unmarshal(b, &st) != nil || st.URL == "" {
		return "", false
	}
	return st.URL, true
}

// Start installs the runtime if needed and starts the database on a free
// loopback port, with its data under dataDir/pgdata. Stop it with Stop; if
// this process dies, the child notices (its stdin closes) and exits too.
func Start(ctx context.Context, dataDir string, logger *slog.Logger) (*Server, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, ErrNoNode
	}
	// The child runs in the runtime directory: a relative data directory
	// (the default ./data) would resolve against it.
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{lock: lock, state: filepath.Join(dataDir, "embedded.json"), done: make(chan struct{}), logger: logger}
	ok := false
	defer func() {
		if !ok {
			unlockDir(lock)
		}
	}()

	runtimeDir := filepath.Join(dataDir, "runtime")
	if err := install(ctx, runtimeDir, logger); err != nil {
		return nil, err
	}

	cmd := exec.Command(node, filepath.Join(runtimeDir, "launcher.mjs"), filepath.Join(dataDir, "pgdata"))
	cmd.Dir = runtimeDir
	cmd.SysProcAttr = sysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	stderrTail := &tail{max: 20}
	cmd.Stderr = &lineLogger{logger: logger, tail: stderrTail}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("embedded database: start node: %w", err)
	}
	s.cmd, s.stdin = cmd, stdin

	ready := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var msg struct{ Port int }
			if json.Unmarshal(sc.Bytes(), &msg) == nil && msg.Port > 0 {
				ready <- msg.Port
				continue
			}
			logger.Info("embedded database", slog.String("output", sc.Text()))
		}
	}()
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	// A fresh data directory takes a few seconds to initialize.
	timer := time.NewTimer(2 * time.Minute)
	defer timer.Stop()
	select {
	case port := <-ready:
		s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	case <-s.done:
		return nil, fmt.Errorf("embedded database exited during start (%v): %s", s.waitErr, stderrTail.String())
	case <-ctx.Done():
		s.kill()
		return nil, ctx.Err()
	case <-timer.C:
		s.kill()
		return nil, fmt.Errorf("embedded database did not start within 2 minutes: %s", stderrTail.String())
	}
	b, _ := json.Marshal(state{URL: s.URL, PID: cmd.Process.Pid})
	if err := os.WriteFile(s.state, b, 0o600); err != nil {
		s.kill()
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	ok = true
	return s, nil
}

// PID is the process id of the Node.js child.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Done is closed when the database process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// Stop shuts the database down cleanly (so that everything is on disk) and
// waits for it, killing it if it takes longer than timeout.
func (s *Server) Stop(timeout time.Duration) error {
	var err error
	s.stop.Do(func() {
		defer unlockDir(s.lock)
		defer os.Remove(s.state)
		s.stdin.Close() // the launcher closes the database and exits
		select {
		case <-s.done:
			if s.waitErr != nil {
				err = fmt.Errorf("embedded database: %w", s.waitErr)
			}
		case <-time.After(timeout):
			s.kill()
			err = errors.New("embedded database did not stop in time and was killed")
		}
	})
	return err
}

func (s *Server) kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// install makes runtimeDir hold the pinned npm packages and the launcher.
// npm runs only when the lock file changed (or on first start).
func install(ctx context.Context, runtimeDir string, logger *slog.Logger) error {
	want, _ := runtimeFiles.ReadFile("package-lock.json")
	have, _ := os.ReadFile(filepath.Join(runtimeDir, "package-lock.json"))
	_, statErr := os.Stat(filepath.Join(runtimeDir, "node_modules", "@electric-sql", "pglite-socket", "package.json"))
	if err := os.MkdirAll(runtimeDir, 0o700); err != nil {
		return fmt.Errorf("embedded database: %w", err)
	}
	if !bytes.Equal(want, have) || statErr != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return ErrNoNode
		}
		for _, name := range []string{"package.json", "package-lock.json"} {
			if err := copyFile(runtimeDir, name); err != nil {
				return err
			}
		}
		logger.InfoContext(ctx, "installing the embedded database runtime", slog.String("dir", runtimeDir))
		cmd := exec.CommandContext(ctx, npm, "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = runtimeDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("embedded database: npm ci in %s: %w: %s", runtimeDir, err, strings.TrimSpace(string(out)))
		}
	}
	return copyFile(runtimeDir, "launcher.mjs")
}

func copyFile(dir, name string) error {
	b, err := fs.ReadFile(runtimeFiles, name)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		return fmt.Errorf("embedded database: %w", err)
	}
	return nil
}

// lineLogger logs the child's stderr line by line and keeps the last lines
// for error messages.
type lineLogger struct {
	logger *slog.Logger
	tail   *tail
	buf    []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
		if line != "" {
			l.tail.add(line)
			l.logger.Warn("embedded database", slog.String("output", line))
		}
	}
	return len(p), nil
}

type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (t *tail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, s)
	if len(t.lines) > t.max {
		t.lines = t.lines[1:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return "no output"
	}
	return strings.Join(t.lines, " | ")
}
