package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// startProcess runs 'taiwa serve' as a process of its own (this test
// binary re-run as the command) with env, and returns its base URL.
func startProcess(t *testing.T, env ...string) string {
	t.Helper()
	base, _ := startStoppable(t, env...)
	return base
}

// startStoppable is startProcess with a function that interrupts the
// process and waits for it to exit (as the test's cleanup would).
func startStoppable(t *testing.T, env ...string) (string, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TAIWA_TEST_RUN_MAIN=1", "TAIWA_TEST_ARGS=serve -addr 127.0.0.1:0 -log-level warn")
	cmd.Env = append(cmd.Env, env...)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
			}
		})
	}
	t.Cleanup(stop)
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := listenRE.FindStringSubmatch(stdout.String()); m != nil {
			waitReady(t, m[1])
			return m[1], stop
		}
		if cmd.ProcessState != nil {
			break
		}
	}
	t.Fatalf("serve did not listen; stderr: %s", stderr.String())
	return "", nil
}

// TestTwoProcesses runs two server processes on one database and uses
// them as one: a browser session made on one works on the other, an
// Idempotency-Key used on one is replayed by the other, the starter pack
// they both load at start is there once, and a model breaker one opens
// keeps the other from calling the model.
func TestTwoProcesses(t *testing.T) {
	if db.Embedded() {
		t.Skip("the embedded database serves one process")
	}
	if testing.Short() {
		t.Skip("starts two server processes")
	}
	model := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply { return openaitest.Reply{Status: 503} })
	getenv := env("DATABASE_URL", db.URL, "TAIWA_DB_SCHEMA", db.Schema)
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"admin", "bootstrap", "-org", "Two processes", "-name", "Admin"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	orgID := idRE.FindString(out.String())
	out.Reset()
	if err := run(t.Context(), []string{"admin", "users", "create", "-org", orgID, "-name", "Manager", "-role", "manager"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	mgr := tokenRE.FindString(out.String())

	shared := []string{"DATABASE_URL=" + db.URL, "TAIWA_DB_SCHEMA=" + db.Schema, "TAIWA_DATA_DIR=" + t.TempDir(),
		"OPENAI_BASE_URL=" + model.BaseURL(), "OPENAI_API_KEY=test", "TAIWA_CHAT_MODEL=m"}
	bases := make(chan string, 2)
	for range 2 { // started together: both load the starter pack at once
		go func() { bases <- startProcess(t, shared...) }()
	}
	a, b := <-bases, <-bases

	call := func(method, url string, body any, header ...string) (*http.Response, map[string]any) {
		t.Helper()
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, url, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		json.Unmarshal(raw, &m)
		return resp, m
	}

	// The starter pack, loaded by both at once, is there once.
	files, _ := knowledge.StarterFiles()
	if _, page := call("GET", b+"/api/kb/documents?source=starter&limit=1", nil, "Authorization", "Bearer "+mgr); page["total"] != float64(len(files)) {
		t.Errorf("starter documents = %v, want %d", page["total"], len(files))
	}

	// A browser session made on A is valid on B, and signing out on B ends it on A.
	resp, sess := call("POST", a+"/api/session", map[string]string{"token": mgr})
	if resp.StatusCode != 201 || len(resp.Cookies()) == 0 {
		t.Fatalf("sign in on A = %d %v", resp.StatusCode, sess)
	}
	ck := resp.Cookies()[0]
	cookie := ck.Name + "=" + ck.Value
	if resp, _ := call("GET", b+"/api/session", nil, "Cookie", cookie); resp.StatusCode != 200 {
		t.Errorf("A's session on B = %d", resp.StatusCode)
	}
	csrf, _ := sess["csrf_token"].(string)
	if resp, _ := call("DELETE", b+"/api/session", nil, "Cookie", cookie, "X-CSRF-Token", csrf); resp.StatusCode >= 300 {
		t.Errorf("sign out on B = %d", resp.StatusCode)
	}
	if resp, _ := call("GET", a+"/api/me", nil, "Cookie", cookie); resp.StatusCode != 401 {
		t.Errorf("A after signing out on B = %d, want 401", resp.StatusCode)
	}

	// An Idempotency-Key used on A is replayed by B.
	auth := []string{"Authorization", "Bearer " + mgr, "Idempotency-Key", "add-k-once"}
	resp, first := call("POST", a+"/api/members", map[string]string{"alias": "Kさん"}, auth...)
	if resp.StatusCode != 201 {
		t.Fatalf("add member on A = %d %v", resp.StatusCode, first)
	}
	memberID := func(m map[string]any) string {
		d, _ := m["data"].(map[string]any)
		id, _ := d["id"].(string)
		return id
	}
	resp, again := call("POST", b+"/api/members", map[string]string{"alias": "Kさん"}, auth...)
	if resp.StatusCode != 201 || resp.Header.Get("Idempotent-Replayed") != "true" || memberID(again) != memberID(first) {
		t.Errorf("the same key on B = %d replayed %q %v, want A's answer again", resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), again)
	}

	// The model is down: A's breaker opens after its failures, and B,
	// told, does not call the model at all (both answer offline).
	prep := "/api/members/" + memberID(first) + "/prep"
	bearer := []string{"Authorization", "Bearer " + mgr}
	for i := 0; i < 10 && !strings.Contains(metrics(t, a), `taiwa_model_breaker_open{model="m",kind="chat"} 1`); i++ {
		if resp, plan := call("POST", a+prep, nil, bearer...); resp.StatusCode != 200 || plan["mode"] != "offline" {
			t.Fatalf("prep on A with the model down = %d %v", resp.StatusCode, plan["mode"])
		}
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(metrics(t, b), `taiwa_model_breaker_open{model="m",kind="chat"} 1`); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("B never heard of A's open breaker")
		}
	}
	before := len(model.Requests())
	if resp, plan := call("POST", b+prep, nil, bearer...); resp.StatusCode != 200 || plan["mode"] != "offline" {
		t.Errorf("prep on B = %d %v", resp.StatusCode, plan["mode"])
	}
	if n := len(model.Requests()) - before; n != 0 {
		t.Errorf("B called the model %d times with the breaker open on A", n)
	}
}

// metrics returns a server's /metrics text.
func metrics(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestJobsAcrossProcesses runs the job queue in two server processes on one
// database: each saved note is embedded once (by one process or the
// other), and a job cut off when both stop is finished by a process
// started afterwards.
func TestJobsAcrossProcesses(t *testing.T) {
	if db.Embedded() {
		t.Skip("the embedded database serves one process")
	}
	if testing.Short() {
		t.Skip("starts three server processes")
	}
	model := openaitest.NewServer(t, nil)
	getenv := env("DATABASE_URL", db.URL, "TAIWA_DB_SCHEMA", db.Schema)
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"admin", "bootstrap", "-org", "Jobs", "-name", "Admin"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	orgID := idRE.FindString(out.String())
	out.Reset()
	if err := run(t.Context(), []string{"admin", "users", "create", "-org", orgID, "-name", "Manager", "-role", "manager"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	bearer := "Bearer " + tokenRE.FindString(out.String())
	shared := []string{"DATABASE_URL=" + db.URL, "TAIWA_DB_SCHEMA=" + db.Schema, "TAIWA_DATA_DIR=" + t.TempDir(),
		"OPENAI_BASE_URL=" + model.BaseURL(), "OPENAI_API_KEY=test", "TAIWA_EMBED_MODEL=e", "TAIWA_SHUTDOWN_TIMEOUT=3s"}
	a, stopA := startStoppable(t, shared...)
	b, stopB := startStoppable(t, shared...)

	post := func(url string, body any) map[string]any {
		t.Helper()
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", url, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode != 201 {
			t.Fatalf("POST %s = %d %v", url, resp.StatusCode, m)
		}
		d, _ := m["data"].(map[string]any)
		return d
	}
	member, _ := post(a+"/api/members", map[string]string{"alias": "Jさん"})["id"].(string)
	note := func(k int) string { return fmt.Sprintf("振り返りの記録 marker%03d について話した", k) }
	const saves = 12
	sessions := map[string]int{}
	for k := range saves {
		base := a
		if k%2 == 1 {
			base = b
		}
		s := post(base+"/api/members/"+member+"/sessions", map[string]any{"status": "held", "held_at": time.Now().Add(-time.Duration(k+1) * time.Hour), "notes": note(k)})
		id, _ := s["id"].(string)
		sessions[id] = k
	}
	vectors := func() int {
		var n int
		err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error { // row security: the operator sees every organization
			return tx.QueryRow(t.Context(), `SELECT count(*) FROM session_embeddings WHERE member_id = $1`, member).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				rows, _ := db.Pool.Query(t.Context(), `SELECT kind || ' ' || state || ' ' || attempt || ' ' || args::text || coalesce(errors::text, '') FROM river_job ORDER BY id`)
				jobs, _ := pgx.CollectRows(rows, pgx.RowTo[string])
				t.Fatalf("%s: not within 90 s (%d vectors, %d embedding requests, member %s); jobs:\n%s", what, vectors(), len(model.EmbedRequests()), member, strings.Join(jobs, "\n"))
			}
		}
	}
	waitFor("every note embedded", func() bool { return vectors() == saves })
	embedded := func(k int) int {
		n := 0
		for _, req := range model.EmbedRequests() {
			for _, in := range req {
				if strings.Contains(in, fmt.Sprintf("marker%03d", k)) {
					n++
				}
			}
		}
		return n
	}
	for k := range saves {
		if n := embedded(k); n != 1 {
			t.Errorf("note %d embedded %d times, want once", k, n)
		}
	}
	jobRuns := func() (runs [][]string) {
		rows, _ := db.Pool.Query(t.Context(), `SELECT attempted_by FROM river_job WHERE kind = 'embed_notes' AND args->>'member_id' = $1 ORDER BY id`, member)
		runs, err := pgx.CollectRows(rows, pgx.RowTo[[]string])
		if err != nil {
			t.Fatal(err)
		}
		return runs
	}
	// A job may still wait its turn (the notes it would embed are done):
	// none may have been run twice.
	for i, by := range jobRuns() {
		if len(by) > 1 {
			t.Errorf("job %d attempted by %v, want one process once", i, by)
		}
	}

	// A job in flight when both processes stop is finished by a third.
	model.FailEmbeddings(openaitest.Reply{Hang: true})
	post(a+"/api/members/"+member+"/sessions", map[string]any{"status": "held", "held_at": time.Now(), "notes": note(99)})
	waitFor("the last note's embedding call", func() bool { return embedded(99) > 0 })
	stopA()
	stopB()
	model.FailEmbeddings(openaitest.Reply{})
	startStoppable(t, shared...)
	waitFor("the note saved before the restart embedded", func() bool { return vectors() == saves+1 })
	runs := jobRuns()
	last := runs[len(runs)-1]
	if len(last) < 2 || last[0] == last[len(last)-1] {
		t.Errorf("the job cut off by the restart was attempted by %v, want a process before the restart and the one after", last)
	}
	t.Logf("the last job's attempts: %v", last)
}
