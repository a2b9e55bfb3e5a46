package api

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/assistant/safety"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// plantedLine is a text with the people it names, in order, and any other
// identifiers in it.
type plantedLine struct {
	Text string   `json:"text"`
	Who  []string `json:"who"`
	IDs  []string `json:"ids"`
}

type plantedMember struct {
	Alias    string   `json:"alias"`
	Lang     string   `json:"lang"`
	Names    []string `json:"names"`
	Sessions []struct {
		DaysAgo    int           `json:"days_ago"`
		Notes      []plantedLine `json:"notes"`
		Actions    []plantedLine `json:"actions"`
		Comment    []plantedLine `json:"comment"`
		Reflection []plantedLine `json:"reflection"`
	} `json:"sessions"`
	Intake   []plantedLine `json:"intake"`
	Chat     []plantedLine `json:"chat"`
	Question plantedLine   `json:"question"`
}

type plantedSet struct {
	Members []plantedMember     `json:"members"`
	Search  []plantedLine       `json:"search"`
	People  map[string][]string `json:"people"`
}

// identifiers lists every planted name and identifier.
func (s plantedSet) identifiers() []string {
	var ids []string
	add := func(ls ...plantedLine) {
		for _, l := range ls {
			ids = append(ids, l.IDs...)
		}
	}
	for _, m := range s.Members {
		ids = append(ids, m.Alias)
		ids = append(ids, m.Names...)
		for _, ss := range m.Sessions {
			add(ss.Notes...)
			add(ss.Actions...)
			add(ss.Comment...)
			add(ss.Reflection...)
		}
		add(m.Intake...)
		add(m.Chat...)
		add(m.Question)
	}
	add(s.Search...)
	for _, p := range s.People {
		ids = append(ids, p...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// found reports whether id occurs in text: Latin identifiers as words,
// case-insensitively (Lee, not the lee of "fleet"), others as substrings.
func found(text, id string) bool {
	if strings.ContainsFunc(id, func(r rune) bool { return r > 0x2000 }) {
		return strings.Contains(text, id)
	}
	return regexp.MustCompile(`(?i)(?:^|[^\pL\pN])` + regexp.QuoteMeta(id) + `(?:$|[^\pL\pN])`).MatchString(text)
}

// TestOutboundIdentifiers plants identifiers in everything written about
// two members (the alias, their name forms, notes, actions, intake, shared
// comments, reflection answers, chat turns, the prep question) and in
// search queries, runs prep, reflection, chat and search against a fake
// model and embedder that record every request, and counts the planted
// identifiers found in what they received: it must be 0. It also checks
// that one placeholder never stands for two people in a member's texts,
// and that the member reads as 本人/[MEMBER].
func TestOutboundIdentifiers(t *testing.T) {
	b, err := os.ReadFile("testdata/outbound.json")
	if err != nil {
		t.Fatal(err)
	}
	var set plantedSet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	ids := set.identifiers()
	if len(ids) < 50 {
		t.Fatalf("%d identifiers planted, want at least 50", len(ids))
	}

	fake, model := fakeModel(t, func(req openaitest.Request) openaitest.Reply {
		if strings.HasPrefix(req.Messages[0].Content, safety.ClassifierMarker) {
			return openaitest.Reply{Text: `{"matters": [], "immediate": false}`}
		}
		return citingAnswer(req)
	})
	emb := &recordingEmbedder{}
	d := testDeps(t)
	a, err := analyzer()
	if err != nil {
		t.Fatal(err)
	}
	d.Knowledge = knowledge.New(d.Logger, a, emb)
	if _, err := d.Knowledge.SyncStarter(t.Context(), db.OrgScope(knowledge.StarterOrg)); err != nil {
		t.Fatal(err)
	}
	if d.Coach, err = assistant.New(assistant.Config{Logger: d.Logger, Knowledge: d.Knowledge, History: d.History, Safety: sharedDetector(t),
		LLM: model, Embedder: emb, SafetyClassifier: true}); err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	p, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)

	for _, m := range set.Members {
		id := plantMember(t, srv, tok, m)
		checkPlaceholders(t, p, id, m)
	}
	for _, q := range set.Search {
		if resp := call(t, srv, "POST", "/api/kb/search", tok, map[string]any{"query": q.Text}, nil); resp.StatusCode != 200 {
			t.Fatalf("search = %d", resp.StatusCode)
		}
	}

	var payloads []string
	chats := 0
	for _, r := range fake.Requests() {
		chats++
		for _, m := range r.Messages {
			payloads = append(payloads, m.Content)
		}
	}
	emb.mu.Lock()
	payloads = append(payloads, emb.inputs...)
	embeds := len(emb.inputs)
	emb.mu.Unlock()
	if chats < 6 || embeds < 10 {
		t.Fatalf("%d chat requests and %d embedding inputs recorded: the flows did not reach the provider", chats, embeds)
	}
	leaked := 0
	for _, id := range ids {
		for _, pl := range payloads {
			if found(pl, id) {
				leaked++
				t.Errorf("%q reached the provider in %q", id, pl)
				break
			}
		}
	}
	t.Logf("outbound payloads: %d identifiers planted, %d found in %d chat requests and %d embedding inputs", len(ids), leaked, chats, embeds)
}

// plantMember writes everything about m through the API and asks the
// coach about them; it returns the member's id.
func plantMember(t *testing.T, srv *httptest.Server, tok string, m plantedMember) uuid.UUID {
	t.Helper()
	var created redacted[history.Member]
	if resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": m.Alias}, &created); resp.StatusCode != 201 {
		t.Fatalf("create member = %d", resp.StatusCode)
	}
	member := "/api/members/" + created.Data.ID.String()
	if resp := call(t, srv, "PUT", member+"/names", tok, map[string]any{"forms": m.Names}, nil); resp.StatusCode != 200 {
		t.Fatalf("member names = %d", resp.StatusCode)
	}
	day := func(d int) string { return time.Now().AddDate(0, 0, d).UTC().Format(time.RFC3339) }
	var last string
	for _, s := range m.Sessions {
		var actions []map[string]any
		for _, a := range s.Actions {
			actions = append(actions, map[string]any{"text": a.Text, "owner": "manager"})
		}
		var sess redacted[history.Session]
		body := map[string]any{"status": "held", "held_at": day(-s.DaysAgo), "condition": 3, "notes": joinLines(s.Notes), "actions": actions}
		if resp := call(t, srv, "POST", member+"/sessions", tok, body, &sess); resp.StatusCode != 201 {
			t.Fatalf("create session = %d", resp.StatusCode)
		}
		last = "/api/sessions/" + sess.Data.ID.String()
		if len(s.Comment) > 0 {
			link := newLink(t, srv, tok, last, "feedback")
			fb := map[string]any{"satisfaction": 4, "matched": "yes", "comment": joinLines(s.Comment), "share": true}
			if resp := call(t, srv, "POST", link+"/feedback", "", fb, nil); resp.StatusCode != 200 {
				t.Fatalf("feedback = %d", resp.StatusCode)
			}
		}
		if len(s.Reflection) > 0 {
			var answers []map[string]any
			for _, r := range s.Reflection {
				answers = append(answers, map[string]any{"prompt": "次に向けて気になっていることは？", "answer": r.Text})
			}
			if resp := call(t, srv, "PUT", last+"/reflection/answers", tok, map[string]any{"answers": answers}, nil); resp.StatusCode != 200 {
				t.Fatalf("reflection answers = %d", resp.StatusCode)
			}
		}
	}
	var next redacted[history.Session]
	call(t, srv, "POST", member+"/sessions", tok, map[string]any{"status": "scheduled", "scheduled_at": day(2)}, &next)
	link := newLink(t, srv, tok, "/api/sessions/"+next.Data.ID.String(), "intake")
	intake := map[string]any{"style": "listen", "topics": []string{"career"}, "text": joinLines(m.Intake)}
	if resp := call(t, srv, "POST", link+"/intake", "", intake, nil); resp.StatusCode != 200 {
		t.Fatalf("intake = %d", resp.StatusCode)
	}

	// What goes to the provider: prep, reflection, chat.
	if resp := call(t, srv, "POST", member+"/prep", tok, map[string]any{"question": m.Question.Text}, nil); resp.StatusCode != 200 {
		t.Fatalf("prep = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "POST", last+"/reflection", tok, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("reflection = %d", resp.StatusCode)
	}
	var th assistant.Thread
	call(t, srv, "POST", "/api/chat/threads", tok, map[string]any{"member_id": created.Data.ID}, &th)
	for _, c := range m.Chat {
		var a assistant.ChatAnswer
		if resp := call(t, srv, "POST", "/api/chat/threads/"+th.ID.String()+"/messages", tok, map[string]any{"text": c.Text}, &a); resp.StatusCode != 200 || a.Referral != nil {
			t.Fatalf("chat = %d, referral %+v", resp.StatusCode, a.Referral)
		}
	}
	return created.Data.ID
}

func joinLines(ls []plantedLine) string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Text)
	}
	return strings.Join(out, "\n")
}

var placeholder = regexp.MustCompile(`本人|\[MEMBER\]|\[(?:人物|PERSON)\d+\]`)

// checkPlaceholders reads what was stored about a member, line by line in
// the order it was written, and checks each line's placeholders against
// the people the fixture says it names: the member as 本人/[MEMBER], and
// each placeholder standing for one person only.
func checkPlaceholders(t *testing.T, p tenant.Principal, member uuid.UUID, m plantedMember) {
	t.Helper()
	var stored []string
	err := db.Scope(p).InTx(t.Context(), func(tx pgx.Tx) error {
		for _, q := range []string{
			`SELECT notes FROM sessions WHERE member_id = $1 AND status = 'held' ORDER BY held_at`,
			`SELECT a.text FROM actions a JOIN sessions s ON s.id = a.session_id WHERE a.member_id = $1 ORDER BY s.held_at, a.created_at`,
			`SELECT f.comment FROM session_feedback f JOIN sessions s ON s.id = f.session_id WHERE f.member_id = $1 ORDER BY s.held_at`,
			`SELECT r.answer FROM session_reflections r JOIN sessions s ON s.id = r.session_id WHERE r.member_id = $1 ORDER BY s.held_at, r.position`,
			`SELECT request_text FROM sessions WHERE member_id = $1 AND status = 'scheduled'`,
			`SELECT content FROM chat_messages WHERE member_id = $1 AND role = 'user' ORDER BY created_at, id`,
		} {
			rows, _ := tx.Query(t.Context(), q, member)
			texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			for _, s := range texts {
				stored = append(stored, strings.Split(s, "\n")...)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []plantedLine
	for _, kind := range []func(i int) []plantedLine{
		func(i int) []plantedLine { return m.Sessions[i].Notes },
		func(i int) []plantedLine { return m.Sessions[i].Actions },
		func(i int) []plantedLine { return m.Sessions[i].Comment },
		func(i int) []plantedLine { return m.Sessions[i].Reflection },
	} {
		for i := range m.Sessions {
			want = append(want, kind(i)...)
		}
	}
	want = append(want, m.Intake...)
	want = append(want, m.Chat...)
	if len(stored) != len(want) {
		t.Fatalf("%s: %d stored lines, want %d: %q", m.Alias, len(stored), len(want), stored)
	}
	who := map[string]string{} // placeholder -> person
	for i, l := range want {
		got := placeholder.FindAllString(stored[i], -1)
		if len(got) != len(l.Who) {
			t.Errorf("%q -> %q: placeholders %q, want one for each of %v", l.Text, stored[i], got, l.Who)
			continue
		}
		for j, person := range l.Who {
			isMember := got[j] == "本人" || got[j] == "[MEMBER]"
			switch {
			case person == "member" && !isMember, person != "member" && isMember:
				t.Errorf("%q -> %q: %s read as %s", l.Text, stored[i], person, got[j])
			case person != "member":
				if prev, ok := who[got[j]]; ok && prev != person {
					t.Errorf("%s stands for both %s and %s (%q)", got[j], prev, person, stored[i])
				}
				who[got[j]] = person
			}
		}
	}
	t.Logf("%s: %s", m.Alias, fmt.Sprint(who))
}
