package api

import (
	"bufio"
	"bytes"
	"flag"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var streamBench = flag.Int("streambench", 0, "measure a streamed prep's first byte and first delta this many times, through Taiwa and from the fake model alone")

// TestStreamLatencyFigures is a bench command, not a test: it prints the
// medians of the time to a streamed prep's first byte and first delta
// through Taiwa, beside the time to the fake model's own first byte and
// first piece, with the starter pack, a member's history and embeddings
// that answer at once. Run with -streambench N (make bench); it asserts
// nothing about time.
func TestStreamLatencyFigures(t *testing.T) {
	n := *streamBench
	if n == 0 {
		t.Skip("run with -streambench N")
	}
	fake := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Text: "[summary]\n聴くことに徹しましょう [1]。\n[agenda]\n- 調子を聞く [2]\n", ChunkRunes: 6}
	})
	ep := llm.NewEndpoint(llm.Config{BaseURL: fake.BaseURL()})
	d := coachDeps(t, ep.Chat("fake-model"), 0)
	a, err := analyzer()
	if err != nil {
		t.Fatal(err)
	}
	emb := ep.Embedder("fake-embed", 0)
	d.Knowledge = knowledge.New(d.Logger, a, emb)
	if d.Coach, err = assistant.New(assistant.Config{Logger: d.Logger, Knowledge: d.Knowledge, History: d.History,
		Safety: sharedDetector(t), LLM: ep.Chat("fake-model"), Embedder: emb}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Knowledge.EmbedMissing(t.Context(), db.OrgScope(knowledge.StarterOrg), nil); err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Lさん", "")

	var taiwaByte, taiwaDelta, fakeByte, fakeDelta []time.Duration
	for range n {
		b, dl := firstBytes(t, srv.Client(), srv.URL+member+"/prep", tok, `{"question":"来週の1on1で業務量の話をどう切り出すか"}`, "event: delta")
		taiwaByte, taiwaDelta = append(taiwaByte, b), append(taiwaDelta, dl)
		b, dl = firstBytes(t, fake.Client(), fake.BaseURL()+"/chat/completions", "",
			`{"model":"fake-model","stream":true,"messages":[{"role":"user","content":"hi"}]}`, `"content":"`)
		fakeByte, fakeDelta = append(fakeByte, b), append(fakeDelta, dl)
	}
	tb, td, fb, fd := median(taiwaByte), median(taiwaDelta), median(fakeByte), median(fakeDelta)
	t.Logf("streamed prep, %d runs, medians: first byte %v through Taiwa (fake alone %v); first delta %v through Taiwa (fake alone %v), +%v",
		n, tb.Round(time.Microsecond), fb.Round(time.Microsecond), td.Round(time.Microsecond), fd.Round(time.Microsecond), (td - fd).Round(time.Microsecond))
}

// firstBytes posts body and returns the time to the first byte of the
// answer and to the first line holding marker.
func firstBytes(t *testing.T, c *http.Client, url, token, body, marker string) (time.Duration, time.Duration) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", url, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	if _, err := r.Peek(1); err != nil {
		t.Fatalf("%s: no body: %v", url, err)
	}
	first := time.Since(start)
	for {
		line, err := r.ReadString('\n')
		if strings.Contains(line, marker) {
			return first, time.Since(start)
		}
		if err != nil {
			t.Fatalf("%s: no %q in the stream: %v", url, marker, err)
		}
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestHungModelFigure is a bench command too: with a model that takes the
// request and says nothing, and every model setting at its default, it
// prints how long a JSON prep takes to answer offline (the request's own
// bound is 60 s). Run with -streambench N.
func TestHungModelFigure(t *testing.T) {
	if *streamBench == 0 {
		t.Skip("run with -streambench N")
	}
	fake := openaitest.NewServer(t, func(openaitest.Request) openaitest.Reply { return openaitest.Reply{Hang: true} })
	d := coachDeps(t, llm.New(llm.Config{BaseURL: fake.BaseURL(), Model: "fake-model"}), 0)
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Hさん", "")
	start := time.Now()
	var p assistant.Plan
	if resp := call(t, srv, "POST", member+"/prep", tok, nil, &p); resp.StatusCode != 200 || p.Mode != "offline" {
		t.Fatalf("prep with a hung model = %d, mode %s", resp.StatusCode, p.Mode)
	}
	t.Logf("JSON prep with a hung model, default settings: offline answer in %v (%s)", time.Since(start).Round(10*time.Millisecond), p.FallbackReason)
}
