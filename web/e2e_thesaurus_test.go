package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestThesaurusFlow: a curator adds a rule, sees in "try a query" what it
// added and which passage it found that the question's own words did not,
// turns a starter rule off and imports a file. At a phone's size too.
func TestThesaurusFlow(t *testing.T) {
	atEachSize(t, thesaurusFlow)
}

func thesaurusFlow(t *testing.T, vp viewport) {
	base := server(t, nil)
	org := pgtest.NewOrg(t, db)
	tok := newUser(t, org, tenant.RoleCurator, "人材開発部 森")
	post := func(path string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode >= 300 {
			t.Fatalf("POST %s = %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	doc := post("/api/kb/documents", map[string]any{"title": "仕事ぶりの顕彰", "language": "ja", "topics": []string{"recognition"},
		"body": "## 要点\n\n部下の仕事ぶりを、場面を挙げて具体的に顕彰します。\n"})
	post("/api/kb/documents/"+doc["id"].(string)+"/publish", nil)

	b := newBrowser(t, base, vp)
	b.signIn(tok)
	b.run(
		chromedp.Navigate(base+"/#/thesaurus"),
		waitText("#thes-count", "スターターパックのルール"),
		visible("#thes-table"),
		fill("#thes-rule", "称揚 => 顕彰"),
		click("#thes-add"),
		waitText("#thes-table", "称揚 => 顕彰"),
	)
	b.screenshot("21-thesaurus")

	b.run(
		chromedp.Navigate(base+"/#/try"),
		fill("#try-q", "称揚のコツ"),
		click("#try-run"),
		waitText("#try-results", "仕事ぶりの顕彰"),
		waitText("#try-expansions", "称揚 → 顕彰 (×0."),
		waitText(".try-via", "顕彰"),
		waitText(".try-plain", "類義語辞書なしでは見つかりません"),
	)
	b.screenshot("22-try-a-query-thesaurus")
	// Unticked, the same question finds nothing of it.
	b.run(
		click("#try-thesaurus"),
		click("#try-run"),
		waitJS(`!document.querySelector('#try-expansions') && !document.body.innerText.includes('仕事ぶりの顕彰')`),
	)

	// A starter rule turned off, and a file imported.
	b.run(
		chromedp.Navigate(base+"/#/thesaurus"),
		fill("#thes-filter", "kudos"),
		waitJS(`document.querySelectorAll('#thes-table tbody tr').length === 1`),
		click("#thes-table tbody tr button"),
		waitText("#thes-table tbody tr", "使わない"),
		waitText("#thes-table tbody tr button", "使う"),
		fill("#thes-import-text", "# 表彰の言い換え\n表彰, 顕彰\n"),
		click("#thes-import"),
		waitText("#thes-import-summary", "追加 1件"),
	)
	b.run(fill("#thes-filter", "表彰"), waitText("#thes-table", "表彰, 顕彰"))
}
