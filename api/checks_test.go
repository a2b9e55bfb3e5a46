package api

import (
	"strings"
	"testing"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestRetrievalSuiteCatchesARegression: a curator's question passes; an
// edit of the document that answered it is refused with 409 breaks_checks,
// and, confirmed, goes through with a run in the history where that
// question fails. The starter pack's questions run too.
func TestRetrievalSuiteCatchesARegression(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleCurator)

	body := "# 出張精算の1on1\n\n## 実践のポイント\n\n- 出張精算の締め日と領収書の扱いを、メンバーと一緒に確認する。\n- 精算の遅れは責めずに、詰まっている手順を聞く。\n"
	var d knowledge.Document
	if resp := call(t, srv, "POST", "/api/kb/documents", tok, map[string]any{"title": "出張精算の遅れを話す", "body": body, "language": "ja", "topics": []string{"pdca"}}, &d); resp.StatusCode != 201 {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "POST", "/api/kb/documents/"+d.ID.String()+"/publish", tok, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("publish = %d", resp.StatusCode)
	}
	var c knowledge.Check
	if resp := call(t, srv, "POST", "/api/kb/checks", tok, map[string]any{"question": "出張精算が遅れがちなメンバーと何を話す？", "language": "ja", "documents": []string{d.ID.String()}}, &c); resp.StatusCode != 201 {
		t.Fatalf("add check = %d", resp.StatusCode)
	}
	var run knowledge.Run
	if resp := call(t, srv, "POST", "/api/kb/checks/run", tok, nil, &run); resp.StatusCode != 200 {
		t.Fatalf("run = %d", resp.StatusCode)
	}
	rank := func(r knowledge.Run) int {
		for _, x := range r.Results {
			if x.CheckID == c.ID {
				return x.Rank
			}
		}
		t.Fatal("the run has no result for the curator's question")
		return 0
	}
	if rank(run) != 1 || run.Checks < 50 || run.HitAt3 < 0.8 {
		t.Fatalf("first run: the question ranks %d; %d questions, hit@3 %.2f, MRR %.2f", rank(run), run.Checks, run.HitAt3, run.MRR)
	}
	t.Logf("first run: %d questions, hit@3 %.3f, MRR %.3f", run.Checks, run.HitAt3, run.MRR)

	edit := map[string]any{"title": "会議室の予約", "body": "# 会議室の予約\n\n- 会議室は前日までに予約する。\n", "language": "ja", "topics": []string{"pdca"}}
	var e errorBody
	if resp := call(t, srv, "PUT", "/api/kb/documents/"+d.ID.String(), tok, edit, &e); resp.StatusCode != 409 || e.Error.Code != "breaks_checks" || !strings.Contains(e.Error.Message, "出張精算が遅れがち") {
		t.Fatalf("an edit that breaks the question = %d %+v, want 409 breaks_checks naming it", resp.StatusCode, e)
	}
	if resp := call(t, srv, "POST", "/api/kb/documents/"+d.ID.String()+"/unpublish", tok, nil, &e); resp.StatusCode != 409 || e.Error.Code != "breaks_checks" {
		t.Errorf("unpublishing the answer = %d %+v, want 409 breaks_checks", resp.StatusCode, e)
	}
	// Nothing changed: the refused edit rolled back.
	var got knowledge.Document
	call(t, srv, "GET", "/api/kb/documents/"+d.ID.String(), tok, nil, &got)
	if got.Title != "出張精算の遅れを話す" || got.Status != knowledge.StatusPublished {
		t.Errorf("after the refusals the document is %q (%s)", got.Title, got.Status)
	}

	edit["confirm"] = true
	if resp := call(t, srv, "PUT", "/api/kb/documents/"+d.ID.String(), tok, edit, nil); resp.StatusCode != 200 {
		t.Fatalf("a confirmed edit = %d", resp.StatusCode)
	}
	var page checksPage
	call(t, srv, "GET", "/api/kb/checks", tok, nil, &page)
	if len(page.Runs) != 2 || page.Runs[0].Trigger != "publish" || page.Runs[0].DocumentID == nil || *page.Runs[0].DocumentID != d.ID {
		t.Fatalf("history: %+v, want the publish run first", page.Runs)
	}
	if r := rank(page.Runs[0]); r >= 1 && r <= 3 {
		t.Errorf("after the edit the question still ranks %d", r)
	}
	if page.Runs[0].Hits != page.Runs[1].Hits-1 {
		t.Errorf("hits %d then %d: want exactly the broken question lost", page.Runs[1].Hits, page.Runs[0].Hits)
	}
	// The starter pack's questions are listed, and not the curator's to delete.
	starter := 0
	for _, x := range page.Checks {
		if x.Starter {
			starter++
			if resp := call(t, srv, "DELETE", "/api/kb/checks/"+x.ID.String(), tok, nil, nil); resp.StatusCode != 404 && starter == 1 {
				t.Errorf("deleting a starter question = %d, want 404", resp.StatusCode)
			}
		}
	}
	if starter < 50 {
		t.Errorf("%d starter questions listed", starter)
	}
	if resp := call(t, srv, "DELETE", "/api/kb/checks/"+c.ID.String(), tok, nil, nil); resp.StatusCode != 204 {
		t.Errorf("deleting the curator's question = %d", resp.StatusCode)
	}
}
