package api

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestThesaurus walks a curator through the thesaurus: a rule added shows
// in "try a query" (what it added, and which hit matched through it), the
// search without it does not find that hit, edit, export and import round
// trip, managers and other organizations cannot touch it, starter rules
// are read-only but can be turned off.
func TestThesaurus(t *testing.T) {
	d := testDeps(t)
	if _, err := d.Knowledge.SyncStarter(t.Context(), db.OrgScope(knowledge.StarterOrg)); err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, cur := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	_, mgr := pgtest.NewUser(t, db, org, tenant.RoleManager)

	var doc knowledge.Document
	call(t, srv, "POST", "/api/kb/documents", cur, map[string]any{
		"title": "顕彰の仕方", "language": "ja", "topics": []string{"recognition"},
		"body": "## 要点\n\n部下の仕事ぶりを具体的に顕彰する。\n"}, &doc)
	call(t, srv, "POST", "/api/kb/documents/"+doc.ID.String()+"/publish", cur, nil, &doc)

	found := func(res knowledge.Result) *knowledge.Hit {
		for i, h := range res.Hits {
			if h.DocumentID == doc.ID {
				return &res.Hits[i]
			}
		}
		return nil
	}
	query := map[string]any{"query": "称揚のコツ", "k": 20}
	var res knowledge.Result
	call(t, srv, "POST", "/api/kb/search", mgr, query, &res)
	if found(res) != nil {
		t.Fatalf("found before any rule: %+v", res)
	}

	var rule knowledge.Rule
	if resp := call(t, srv, "POST", "/api/kb/thesaurus", mgr, map[string]any{"rule": "称揚 => 顕彰"}, nil); resp.StatusCode != 403 {
		t.Errorf("manager adds a rule = %d, want 403", resp.StatusCode)
	}
	if resp := call(t, srv, "POST", "/api/kb/thesaurus", cur, map[string]any{"rule": "称揚 => 顕彰", "weight": 1.0}, nil); resp.StatusCode != 400 {
		t.Errorf("weight 1 = %d, want 400: an expansion must weigh less than the words", resp.StatusCode)
	}
	if resp := call(t, srv, "POST", "/api/kb/thesaurus", cur, map[string]any{"rule": "称揚 => 顕彰"}, &rule); resp.StatusCode != 201 || rule.Weight != knowledge.DefaultRuleWeight {
		t.Fatalf("add = %d %+v", resp.StatusCode, rule)
	}
	if resp := call(t, srv, "POST", "/api/kb/thesaurus", cur, map[string]any{"rule": "称揚  =>顕彰"}, nil); resp.StatusCode != 409 {
		t.Errorf("the same rule again = %d, want 409", resp.StatusCode)
	}

	call(t, srv, "POST", "/api/kb/search", mgr, query, &res)
	hit := found(res)
	if hit == nil || len(hit.Expanded) != 1 || hit.Expanded[0] != "顕彰" {
		t.Fatalf("with the rule: hit %+v", hit)
	}
	if len(res.Expansions) != 1 || res.Expansions[0].RuleID != rule.ID || res.Expansions[0].To != "顕彰" {
		t.Errorf("expansions = %+v", res.Expansions)
	}
	query["thesaurus"] = false
	res = knowledge.Result{}
	call(t, srv, "POST", "/api/kb/search", mgr, query, &res)
	if found(res) != nil || len(res.Expansions) != 0 {
		t.Errorf("thesaurus false still expands: %+v", res)
	}

	path := "/api/kb/thesaurus/" + rule.ID.String()
	if resp := call(t, srv, "PUT", path, cur, map[string]any{"rule": "称揚, 顕彰", "weight": 0.7}, &rule); resp.StatusCode != 200 || !rule.Equivalent || rule.Weight < 0.69 {
		t.Errorf("update = %d %+v", resp.StatusCode, rule)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/kb/thesaurus/export", nil)
	req.Header.Set("Authorization", "Bearer "+cur)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	exported, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(exported), "# weight 0.70\n称揚, 顕彰\n") {
		t.Errorf("export = %q", exported)
	}
	var st knowledge.ThesaurusImport
	if resp := call(t, srv, "POST", "/api/kb/thesaurus/import", cur, map[string]any{"text": string(exported), "replace": true}, &st); resp.StatusCode != 200 || st != (knowledge.ThesaurusImport{Unchanged: 1}) {
		t.Errorf("re-import of the export = %d %+v", resp.StatusCode, st)
	}
	var eb errorBody
	if resp := call(t, srv, "POST", "/api/kb/thesaurus/import", cur, map[string]any{"text": "a => b\nbroken =>\n"}, &eb); resp.StatusCode != 400 || !strings.Contains(eb.Error.Message, "line 2") {
		t.Errorf("a bad line = %d %+v, want 400 naming line 2", resp.StatusCode, eb)
	}

	// Another organization neither sees nor changes the rule.
	other := pgtest.NewOrg(t, db)
	_, otherCur := pgtest.NewUser(t, db, other, tenant.RoleCurator)
	if resp := call(t, srv, "PUT", path, otherCur, map[string]any{"rule": "x => y"}, nil); resp.StatusCode != 404 {
		t.Errorf("other org edits = %d, want 404", resp.StatusCode)
	}
	if resp := call(t, srv, "DELETE", path, otherCur, nil, nil); resp.StatusCode != 404 {
		t.Errorf("other org deletes = %d, want 404", resp.StatusCode)
	}
	var list struct{ Rules []knowledge.Rule }
	call(t, srv, "GET", "/api/kb/thesaurus", otherCur, nil, &list)
	var starter *knowledge.Rule
	for i, r := range list.Rules {
		if r.ID == rule.ID {
			t.Errorf("another organization lists the rule")
		}
		if r.Starter && starter == nil {
			starter = &list.Rules[i]
		}
	}
	if starter == nil {
		t.Fatal("no starter rule listed")
	}
	sp := "/api/kb/thesaurus/" + starter.ID.String()
	if resp := call(t, srv, "PUT", sp, cur, map[string]any{"rule": "x => y"}, &eb); resp.StatusCode != 403 || eb.Error.Code != "read_only" {
		t.Errorf("edit a starter rule = %d %+v, want 403 read_only", resp.StatusCode, eb)
	}
	var hidden knowledge.Rule
	if resp := call(t, srv, "POST", sp+"/hide", cur, nil, &hidden); resp.StatusCode != 200 || !hidden.Hidden {
		t.Errorf("hide = %d %+v", resp.StatusCode, hidden)
	}
	call(t, srv, "GET", "/api/kb/thesaurus", otherCur, nil, &list)
	for _, r := range list.Rules {
		if r.ID == starter.ID && r.Hidden {
			t.Errorf("hiding a starter rule hid it for another organization")
		}
	}
	if resp := call(t, srv, "DELETE", path, cur, nil, nil); resp.StatusCode != 204 {
		t.Errorf("delete = %d", resp.StatusCode)
	}
}
