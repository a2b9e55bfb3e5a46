package main

// The container files at the top of the repository (Dockerfile,
// compose.yaml, deploy/) cannot be run here: there is no container engine.
// These tests hold them to the code instead: the names, port and defaults
// they use are the ones this binary reads.

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	goversion "go/version"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.yaml.in/yaml/v3"
)

const (
	composePath    = "../../compose.yaml"
	dockerfilePath = "../../Dockerfile"
)

// composeFile is the part of compose.yaml the tests read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string     `yaml:"image"`
	Build       any        `yaml:"build"`
	Environment composeEnv `yaml:"environment"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Ports           []string `yaml:"ports"`
	Volumes         []string `yaml:"volumes"`
	StopGracePeriod string   `yaml:"stop_grace_period"`
}

// composeEnv is a service's environment, written as a map or as a list of
// NAME=value (a bare NAME passes the host's value through: "" here).
type composeEnv map[string]string

func (e *composeEnv) UnmarshalYAML(n *yaml.Node) error {
	m := map[string]string{}
	if n.Kind == yaml.SequenceNode {
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		for _, kv := range list {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
	} else if err := n.Decode(&m); err != nil {
		return err
	}
	*e = m
	return nil
}

// interpolation is compose's ${NAME}, ${NAME:-default}, ${NAME-default}
// and $$ (a literal $).
var interpolation = regexp.MustCompile(`\$\$|\$\{(\w+)(?::?-([^}]*))?\}`)

// readCompose parses compose.yaml as 'docker compose' would on a machine
// where none of the variables it mentions is set: the tests never read the
// developer's environment.
func readCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatal(err)
	}
	b = interpolation.ReplaceAllFunc(b, func(m []byte) []byte {
		if string(m) == "$$" {
			return []byte("$")
		}
		return interpolation.ReplaceAll(m, []byte("$2"))
	})
	var f composeFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return f
}

func TestComposeServices(t *testing.T) {
	f := readCompose(t)
	db, taiwa := f.Services["db"], f.Services["taiwa"]
	for _, name := range []string{"db", "taiwa"} {
		if _, ok := f.Services[name]; !ok {
			t.Fatalf("compose.yaml has no service %q", name)
		}
	}

	url := taiwa.Environment["DATABASE_URL"]
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("taiwa's DATABASE_URL %q: %v", url, err)
	}
	superuser := cmp.Or(db.Environment["POSTGRES_USER"], "postgres") // the image's default

	tests := []struct {
		name string
		ok   bool
		msg  string
	}{
		{"db image", strings.HasPrefix(db.Image, "pgvector/pgvector:"),
			fmt.Sprintf("db image %q, want a pgvector/pgvector image", db.Image)},
		{"db healthcheck", strings.Contains(strings.Join(db.Healthcheck.Test, " "), "pg_isready"),
			fmt.Sprintf("db healthcheck %q does not run pg_isready", db.Healthcheck.Test)},
		{"taiwa built here", taiwa.Build != nil && taiwa.Image == "",
			"taiwa is not built from the Dockerfile (build: .)"},
		{"database host", pc.ConnConfig.Host == "db",
			fmt.Sprintf("DATABASE_URL host %q, want the db service", pc.ConnConfig.Host)},
		{"waits for a healthy db", taiwa.DependsOn["db"].Condition == "service_healthy",
			fmt.Sprintf("taiwa depends_on db with condition %q, want service_healthy", taiwa.DependsOn["db"].Condition)},
		// A superuser bypasses row-level security: deploy/initdb.sql makes
		// the login role that must be used instead.
		{"not the superuser", pc.ConnConfig.User != "" && pc.ConnConfig.User != superuser,
			fmt.Sprintf("DATABASE_URL logs in as %q, the superuser", pc.ConnConfig.User)},
		{"database named", pc.ConnConfig.Database != "",
			"DATABASE_URL names no database"},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: %s", tt.name, tt.msg)
		}
	}

	// Every bind mount exists in the repository, every named volume is declared.
	for name, s := range f.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				if _, err := os.Stat(filepath.Join("../..", src)); err != nil {
					t.Errorf("service %s mounts %s: %v", name, src, err)
				}
			} else if _, ok := f.Volumes[src]; !ok {
				t.Errorf("service %s mounts volume %q, which compose.yaml does not declare", name, src)
			}
		}
	}
}

// servedEnv returns the names of the environment variables 'taiwa serve'
// reads, found by asking it: a variable added to the config is known here
// without a list to keep in step. A variable read outside parseServe and
// pseudonymKeyer must be added here.
func servedEnv(t *testing.T) map[string]bool {
	read := map[string]bool{}
	getenv := func(k string) string { read[k] = true; return "" }
	if _, err := parseServe(nil, getenv, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := pseudonymKeyer(getenv, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	return read
}

// TestComposeEnvIsRead catches a variable the deployment sets that the
// binary would silently ignore (a typo, or a setting that was renamed).
func TestComposeEnvIsRead(t *testing.T) {
	read := servedEnv(t)
	if !read["DATABASE_URL"] || !read["TAIWA_PSEUDONYM_KEY"] {
		t.Fatalf("servedEnv found %d variables, not DATABASE_URL and TAIWA_PSEUDONYM_KEY", len(read))
	}
	final := readDockerfile(t).final()
	sets := []struct {
		where string
		env   map[string]string
	}{
		{"compose.yaml (taiwa)", readCompose(t).Services["taiwa"].Environment},
		{"the Dockerfile's final stage", final.env()},
	}
	for _, s := range sets {
		if len(s.env) == 0 {
			t.Errorf("%s sets no environment", s.where)
		}
		for k := range s.env {
			if !read[k] {
				t.Errorf("%s sets %s, which taiwa serve does not read", s.where, k)
			}
		}
	}
}

// TestComposePort checks that the server in the container listens where
// compose publishes it, and on the port it uses by default, so the README's
// http://localhost:8080 holds for every way of starting it.
func TestComposePort(t *testing.T) {
	f := readCompose(t)
	taiwa := f.Services["taiwa"]
	final := readDockerfile(t).final()

	// The container's environment: the image's, then compose's on top.
	env := final.env()
	for k, v := range taiwa.Environment {
		env[k] = v
	}
	cfg, err := parseServe(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("taiwa serve in the container: %v", err)
	}
	def, err := parseServe(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	_, defPort, _ := net.SplitHostPort(def.Addr)

	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		t.Errorf("in the container taiwa listens on %s, which is unreachable from outside it (set TAIWA_ADDR=:%s)", cfg.Addr, port)
	}
	published := false
	for _, p := range taiwa.Ports {
		parts := strings.Split(p, ":")
		container, _, _ := strings.Cut(parts[len(parts)-1], "/")
		if container != port {
			continue
		}
		published = true
		if len(parts) < 2 || parts[len(parts)-2] != defPort {
			t.Errorf("compose publishes %q, want host port %s (taiwa's default)", p, defPort)
		}
	}
	if !published {
		t.Errorf("compose publishes %q, not the port taiwa listens on in the container (%s)", taiwa.Ports, port)
	}
	if exposed := final.args("EXPOSE"); !slices.Contains(exposed, port) && !slices.Contains(exposed, port+"/tcp") {
		t.Errorf("the Dockerfile exposes %q, not %s", exposed, port)
	}

	// docker stop kills after the grace period (10s unless set): leave the
	// server its whole drain time.
	grace, err := time.ParseDuration(taiwa.StopGracePeriod)
	if err != nil || grace <= cfg.Shutdown {
		t.Errorf("taiwa's stop_grace_period %q, want more than the shutdown timeout %v", taiwa.StopGracePeriod, cfg.Shutdown)
	}
}

// dockerfile is a Dockerfile's stages, each a list of instructions.
type dockerfile []stage

type stage struct {
	from  string // image
	insts []instruction
}

type instruction struct {
	cmd  string // upper case
	args string
}

// readDockerfile reads the instructions of the Dockerfile: comments
// dropped, continuation lines joined.
func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	b, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	var df dockerfile
	var line string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "#") || l == "" && line == "" {
			continue
		}
		if s, ok := strings.CutSuffix(l, `\`); ok {
			line += s + " "
			continue
		}
		line += l
		cmd, args, _ := strings.Cut(line, " ")
		line = ""
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			df = append(df, stage{from: strings.Fields(in.args)[0]})
			continue
		}
		if len(df) == 0 {
			t.Fatalf("Dockerfile: %s before FROM", in.cmd)
		}
		df[len(df)-1].insts = append(df[len(df)-1].insts, in)
	}
	if len(df) == 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	return df
}

func (df dockerfile) final() stage { return df[len(df)-1] }

// args returns the arguments of every instruction cmd of the stage, as
// fields (a JSON array counts as its elements).
func (s stage) args(cmd string) []string {
	var out []string
	for _, in := range s.insts {
		if in.cmd != cmd {
			continue
		}
		var list []string
		if json.Unmarshal([]byte(in.args), &list) != nil {
			list = strings.Fields(in.args)
		}
		out = append(out, list...)
	}
	return out
}

// env returns what the stage's ENV instructions set (NAME=value form).
func (s stage) env() map[string]string {
	m := map[string]string{}
	for _, kv := range s.args("ENV") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = strings.Trim(v, `"'`)
	}
	return m
}

func TestDockerfile(t *testing.T) {
	df := readDockerfile(t)
	final := df.final()

	// The last USER of the final stage: numeric, because Kubernetes'
	// runAsNonRoot cannot check a user name.
	users := final.args("USER")
	user := ""
	if len(users) > 0 {
		user, _, _ = strings.Cut(users[len(users)-1], ":")
	}
	if uid, err := strconv.Atoi(user); err != nil || uid == 0 {
		t.Errorf("the final stage runs as user %q, want a numeric user that is not root", user)
	}

	// The stage that builds the binary.
	var build *stage
	var buildRun string
	for i, s := range df {
		for _, in := range s.insts {
			if in.cmd == "RUN" && strings.Contains(in.args, "go build") && strings.Contains(in.args, "./cmd/taiwa") {
				build, buildRun = &df[i], in.args
			}
		}
	}
	if build == nil {
		t.Fatal("no RUN builds ./cmd/taiwa with go build")
	}
	if !strings.Contains(buildRun, "CGO_ENABLED=0") && build.env()["CGO_ENABLED"] != "0" {
		t.Errorf("./cmd/taiwa is built without CGO_ENABLED=0: %s", buildRun)
	}
	for _, flag := range []string{"-trimpath", "-s -w"} {
		if !strings.Contains(buildRun, flag) {
			t.Errorf("./cmd/taiwa is built without %s: %s", flag, buildRun)
		}
	}

	// The build image's Go is at least go.mod's: the golang images do not
	// download a newer toolchain (GOTOOLCHAIN=local). A tag without a patch
	// release (golang:1.26) follows the newest one.
	goMod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for l := range strings.Lines(string(goMod)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "go "); ok {
			want = "go" + v
		}
	}
	_, tag, _ := strings.Cut(build.from, ":")
	have := "go" + strings.Split(tag, "-")[0] // golang:1.26.8-trixie
	if have == goversion.Lang(have) {
		want = goversion.Lang(want)
	}
	if !strings.HasPrefix(build.from, "golang:") || !goversion.IsValid(have) || goversion.Compare(have, want) < 0 {
		t.Errorf("the build stage is FROM %s, want golang:<version> with version at least %s (go.mod)", build.from, want)
	}

	// The image runs 'taiwa serve'.
	cmd := append(final.args("ENTRYPOINT"), final.args("CMD")...)
	if len(cmd) < 2 || filepath.Base(cmd[0]) != "taiwa" || cmd[1] != "serve" {
		t.Errorf("the image runs %q, want taiwa serve", cmd)
	}
}

// TestDockerfileBuild builds the binary as the Dockerfile does and checks
// that it is static and, in the image's environment without DATABASE_URL
// (and without Node.js for the embedded database), stops with one line
// saying what to set.
func TestDockerfileBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "taiwa")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}

	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	cgo := ""
	for _, s := range bi.Settings {
		if s.Key == "CGO_ENABLED" {
			cgo = s.Value
		}
	}
	if cgo != "0" {
		t.Errorf("the binary says CGO_ENABLED=%q, want 0", cgo)
	}
	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the binary asks for a dynamic loader: it would not start on a distroless/static image")
			}
		}
	}

	// The image's environment, a PATH without node, a writable data
	// directory instead of /data.
	env := []string{"PATH=" + t.TempDir(), "HOME=" + t.TempDir()}
	for k, v := range readDockerfile(t).final().env() {
		env = append(env, k+"="+v)
	}
	env = append(env, "TAIWA_DATA_DIR="+t.TempDir())
	serve := exec.CommandContext(ctx, bin, "serve")
	serve.Env = env
	var stdout, stderr bytes.Buffer
	serve.Stdout, serve.Stderr = &stdout, &stderr
	err = serve.Run()
	if exit := (*exec.ExitError)(nil); !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("taiwa serve without DATABASE_URL: %v, want exit status 1", err)
	}
	msg := strings.TrimSuffix(stderr.String(), "\n")
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "DATABASE_URL") || stdout.Len() > 0 {
		t.Errorf("taiwa serve without DATABASE_URL printed\nstdout: %q\nstderr: %q\nwant one line naming DATABASE_URL", stdout.String(), stderr.String())
	}
}
