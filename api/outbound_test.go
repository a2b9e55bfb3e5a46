package api

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// recordingEmbedder embeds like the fake endpoint and keeps every input.
type recordingEmbedder struct {
	mu     sync.Mutex
	inputs []string
}

func (*recordingEmbedder) Model() string { return "recording-embedder" }

func (e *recordingEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	e.mu.Lock()
	e.inputs = append(e.inputs, texts...)
	e.mu.Unlock()
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = openaitest.Vector(t, 64)
	}
	return out, nil
}

// A search query typed by a manager reaches the embeddings provider
// masked; a member's alias (often a real name) never reaches the chat
// model.
func TestOutboundPayloadsMasked(t *testing.T) {
	emb := &recordingEmbedder{}
	d := coachDeps(t, nil, 0)
	a, err := analyzer()
	if err != nil {
		t.Fatal(err)
	}
	d.Knowledge = knowledge.New(d.Logger, a, emb)
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	query := "佐藤花子さんがすぐに助言を求めてきます。連絡は hanako.sato@example.com まで"
	if resp := call(t, srv, "POST", "/api/kb/search", tok, map[string]any{"query": query}, nil); resp.StatusCode != 200 {
		t.Fatalf("search = %d", resp.StatusCode)
	}
	emb.mu.Lock()
	inputs := strings.Join(emb.inputs, "\n")
	emb.mu.Unlock()
	if inputs == "" {
		t.Fatal("the query was not embedded")
	}
	for _, id := range []string{"佐藤", "花子", "hanako.sato@example.com"} {
		if strings.Contains(inputs, id) {
			t.Errorf("%q reached the embeddings provider: %q", id, inputs)
		}
	}

	fake, model := fakeModel(t, citingAnswer)
	srv = newTestServer(t, coachDeps(t, model, 0))
	member := seedMember(t, srv, tok, "山田花子", "")
	if resp := call(t, srv, "POST", member+"/prep", tok, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("prep = %d", resp.StatusCode)
	}
	for _, r := range fake.Requests() {
		for _, m := range r.Messages {
			if strings.Contains(m.Content, "山田") || strings.Contains(m.Content, "花子") {
				t.Errorf("the member's alias reached the model: %q", m.Content)
			}
		}
	}
}
