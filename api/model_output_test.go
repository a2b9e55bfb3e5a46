package api

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestModelOutput: what a model streams reaches the manager sanitized as
// it streams, invented citations never reach the screen, an answer with
// nothing to show is answered offline, and an answer that ignores
// max_tokens is cut and says so.
func TestModelOutput(t *testing.T) {
	hostile := "[summary]\n聴くことに徹する [1]。<<b>script>alert(1)<</b>/script> ![x](https://evil.example/p.png) " +
		"[ここ](vbscript:msgbox) www.evil.example/a <think>SECRET</think>と [42] を避ける。\n[agenda]\n- 調子を聞く [2]\n"
	tests := []struct {
		name       string
		reply      openaitest.Reply
		wantMode   string
		wantReason string
	}{
		{"hostile", openaitest.Reply{Text: hostile, ChunkRunes: 2}, "llm", ""},
		{"reasoning only", openaitest.Reply{Text: "<think>SECRET: she is struggling</think>\n"}, "offline", assistant.ReasonEmpty},
		{"tool call only", openaitest.Reply{ToolCall: "lookup_member"}, "offline", assistant.ReasonEmpty},
		{"nothing", openaitest.Reply{Text: ""}, "offline", assistant.ReasonEmpty},
	}
	fake, model := fakeModel(t, nil)
	srv := newTestServer(t, coachDeps(t, model, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	member := seedMember(t, srv, tok, "Oさん", "")
	for _, tt := range tests {
		fake.Queue(tt.reply)
		events, cancel := openStream(t, srv, member+"/prep", tok, map[string]any{})
		var shown strings.Builder
		var done assistant.Plan
		for _, ev := range collect(t, events) {
			switch ev.Type {
			case "delta":
				var d map[string]string
				json.Unmarshal(ev.Data, &d)
				shown.WriteString(d["text"])
			case "reset":
				shown.Reset() // the client clears what it showed
			case "done":
				json.Unmarshal(ev.Data, &done)
			}
		}
		cancel()
		if done.Mode != tt.wantMode || done.FallbackReason != tt.wantReason {
			t.Errorf("%s: mode %q reason %q, want %q %q", tt.name, done.Mode, done.FallbackReason, tt.wantMode, tt.wantReason)
		}
		final, _ := json.Marshal(done)
		for _, bad := range []string{"<script", "evil.example", "vbscript", "msgbox", "SECRET", "[42]", "lookup_member"} {
			if strings.Contains(shown.String(), bad) {
				t.Errorf("%s: the streamed text holds %q: %q", tt.name, bad, shown.String())
			}
			if strings.Contains(string(final), bad) {
				t.Errorf("%s: the final answer holds %q", tt.name, bad)
			}
		}
	}

	// A model that ignores max_tokens: 200,000 characters.
	fake.Queue(openaitest.Reply{Text: strings.Repeat("とても長い回答です。", 20000), ChunkRunes: 400, ChunkDelay: time.Millisecond})
	var th assistant.Thread
	if resp := call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{}, &th); resp.StatusCode != 201 {
		t.Fatalf("create thread = %d", resp.StatusCode)
	}
	var a assistant.ChatAnswer
	if resp := call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": "傾聴のコツは？"}, &a); resp.StatusCode != 200 {
		t.Fatalf("chat with an endless answer = %d, want 200", resp.StatusCode)
	}
	if n := utf8.RuneCountInString(a.Text); a.Mode != "llm" || n > 20000 || n < 1000 || a.Notice == "" {
		t.Errorf("endless answer: mode %s, %d characters, notice %q; want it cut, kept and said", a.Mode, n, a.Notice)
	}
	if fake.Canceled() == 0 {
		t.Error("the endless stream was read to its end, not cut")
	}
}
