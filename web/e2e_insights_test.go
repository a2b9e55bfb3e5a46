package web_test

// Browser tests of the insights pages: an admin imports the team tree from
// a CSV and reads the organization's and a team's figures; a manager reads
// their own beside the organization's.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestInsights: six managers of two teams record four months of 1on1s;
// the admin imports the teams, sees every month of the organization's and
// a team's figures, and a manager sees their own beside the organization's.
func TestInsights(t *testing.T) {
	atEachSize(t, insightsFlow)
}

func insightsFlow(t *testing.T, vp viewport) {
	base := server(t, nil)
	org := pgtest.NewOrg(t, db)
	admin := newUser(t, org, tenant.RoleAdmin, "人事部 高橋")
	csv := "team,manager_email\n"
	names := []string{"佐藤 美咲", "鈴木 健", "高田 陽子", "田中 誠", "伊藤 彩", "渡辺 翔"}
	var mgrs []string
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 1, 0, 0, 0, time.UTC)
	for i, name := range names {
		tok := newUser(t, org, tenant.RoleManager, name)
		mgrs = append(mgrs, tok)
		email := fmt.Sprintf("m%d@example.com", i)
		me := whoIs(t, base, tok)
		err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), `UPDATE users SET email = $2 WHERE id = $1::uuid`, me.ID, email)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		csv += fmt.Sprintf("開発部 / %cチーム,%s\n", 'A'+i/3, email)
		for j := range 2 {
			status, body := call(t, base, tok, http.MethodPost, "/api/members", map[string]any{"alias": fmt.Sprintf("メンバー%d", j+1)})
			if status != http.StatusCreated {
				t.Fatalf("add member: %d %s", status, body)
			}
			var m struct {
				Data struct{ ID string } `json:"data"`
			}
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			id := m.Data.ID
			for m := 1; m <= 4; m++ {
				in := map[string]any{
					"status": "held", "held_at": first.AddDate(0, -m, 2+i+j), "condition": 2 + (i+j+m)%4,
					"request_style": []string{"listen", "advise", "think-together"}[(i+j+m)%3],
					"notes":         "進捗の確認",
				}
				if status, body := call(t, base, tok, http.MethodPost, "/api/members/"+id+"/sessions", in); status != http.StatusCreated {
					t.Fatalf("add session: %d %s", status, body)
				}
			}
		}
	}

	b := newBrowser(t, base, vp)
	b.signIn(admin)
	b.run(
		click(`header nav a[href="#/teams"]`),
		waitText("h1", "チーム"),
		waitText("main", "まだチームがありません"),
		fill("#teams-csv", csv),
		eval(`document.querySelector('#teams-csv').form.requestSubmit()`),
		waitText("main", "チームを3件作成し、マネージャー6人を所属させました。"),
		waitText("ul.teams", "Aチーム"),
		waitText("ul.teams", "渡辺 翔"),
	)
	b.readable("the teams page")
	b.screenshot("23-teams")

	lastMonth := first.AddDate(0, -1, 0)
	label := fmt.Sprintf("%d/%d", lastMonth.Year(), int(lastMonth.Month()))
	b.run(
		click(`header nav a[href="#/insights"]`),
		waitText("h1", "1on1の状況"),
		waitText(`table[data-table="sessions"]`, label),
	)
	// Last month: 12 members met once each, all held.
	row := `[...document.querySelectorAll('table[data-table="sessions"] tbody tr')].find((r) => r.cells[0].innerText === %q).innerText`
	if got := value(b, chromedp.Evaluate[string](fmt.Sprintf(row, label))); got != fmt.Sprintf("%s\t12\t12\t100%%\t1.0\t0%%\t12", label) {
		t.Errorf("the organization's sessions last month read %q", got)
	}
	b.readable("the insights page")
	b.screenshot("24-insights")
	b.run(
		eval(`(() => { const s = document.querySelector('#ins-team'); s.value = [...s.options].find((o) => o.text.includes('Aチーム')).value; s.dispatchEvent(new Event('change')); })()`),
		waitJS(fmt.Sprintf(`(() => { const r = [...document.querySelectorAll('table[data-table="sessions"] tbody tr')].find((r) => r.cells[0].innerText === %q); return !!r && r.cells[2].innerText === '6'; })()`, label)),
	)

	b2 := newBrowser(t, base, vp)
	b2.signIn(mgrs[0])
	b2.run(
		click(`header nav a[href="#/mine"]`),
		waitText("h1", "自分の1on1の振り返り"),
		waitText(`table[data-table="sessions-implementation_rate"]`, "100%"),
	)
	b2.readable("the manager's own insights")
	b2.screenshot("25-my-1on1s")
}

// TestGuidanceUsage: a manager's prep and their thumb down with a comment
// reach the curator's usage page, which lists what was drawn on first.
func TestGuidanceUsage(t *testing.T) {
	atEachSize(t, guidanceUsageFlow)
}

func guidanceUsageFlow(t *testing.T, vp viewport) {
	base := server(t, nil)
	org := pgtest.NewOrg(t, db)
	curator := newUser(t, org, tenant.RoleCurator, "人材開発部 鈴木")
	mgr := newUser(t, org, tenant.RoleManager, "佐藤 美咲")
	status, body := call(t, base, mgr, http.MethodPost, "/api/members", map[string]any{"alias": "Aさん"})
	if status != http.StatusCreated {
		t.Fatalf("add member: %d %s", status, body)
	}
	var m struct {
		Data struct{ ID string } `json:"data"`
	}
	json.Unmarshal(body, &m)
	in := map[string]any{"status": "scheduled", "scheduled_at": time.Now().Add(48 * time.Hour), "request_style": "listen", "request_text": "仕事の進め方に迷っている"}
	if status, body := call(t, base, mgr, http.MethodPost, "/api/members/"+m.Data.ID+"/sessions", in); status != http.StatusCreated {
		t.Fatalf("add session: %d %s", status, body)
	}
	status, body = call(t, base, mgr, http.MethodPost, "/api/members/"+m.Data.ID+"/prep", map[string]any{})
	if status != http.StatusOK {
		t.Fatalf("prep: %d %s", status, body)
	}
	var plan struct {
		ID        string
		Citations []struct{ Title string }
	}
	json.Unmarshal(body, &plan)
	if status, body := call(t, base, mgr, http.MethodPost, "/api/answers/"+plan.ID+"/feedback", map[string]any{"helpful": false, "comment": "問いが多すぎた"}); status != http.StatusNoContent {
		t.Fatalf("feedback: %d %s", status, body)
	}
	if len(plan.Citations) == 0 {
		t.Fatal("the prep cites nothing")
	}

	b := newBrowser(t, base, vp)
	b.signIn(curator)
	b.run(
		click(`header nav a[href="#/usage"]`),
		waitText("h1", "ガイダンスの利用状況"),
		waitText(`table[data-table="usage"]`, plan.Citations[0].Title),
		waitText("main", "参照されていないガイダンス"),
		eval(`document.querySelector('details.usage').open = true`),
		waitText("details.usage", "問いが多すぎた"),
	)
	first := value(b, chromedp.Evaluate[string](`document.querySelector('table[data-table="usage"] tbody tr').cells[4].innerText`))
	if first == "0" {
		t.Error("the first row is a document no answer drew on")
	}
	if b.shows("Aさん") || b.shows("仕事の進め方") {
		t.Error("the usage page shows the member or their request")
	}
	b.readable("the usage page")
	b.screenshot("26-usage")
}

// TestRetrievalTests: a curator adds a question for their own guidance
// and runs the tests (it passes); an edit that would lose it asks first,
// names the question, and once confirmed the history shows the run the
// change started, where it fails.
func TestRetrievalTests(t *testing.T) {
	base := server(t, nil)
	org := pgtest.NewOrg(t, db)
	curator := newUser(t, org, tenant.RoleCurator, "人材開発部 鈴木")
	body := "# 出張精算の1on1\n\n## 実践のポイント\n\n- 出張精算の締め日と領収書の扱いを、メンバーと一緒に確認する。\n- 精算の遅れは責めずに、詰まっている手順を聞く。\n"
	status, out := call(t, base, curator, http.MethodPost, "/api/kb/documents", map[string]any{"title": "出張精算の遅れを話す", "body": body, "language": "ja", "topics": []string{"pdca"}})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, out)
	}
	var doc struct{ ID string }
	json.Unmarshal(out, &doc)
	if status, out := call(t, base, curator, http.MethodPost, "/api/kb/documents/"+doc.ID+"/publish", nil); status != http.StatusOK {
		t.Fatalf("publish: %d %s", status, out)
	}

	b := newBrowser(t, base, desktop)
	dialogs := b.confirms()
	b.signIn(curator)
	b.run(
		click(`header nav a[href="#/checks"]`),
		waitText("h1", "検索テスト"),
		waitText("main", "まだ実行していません"),
		fill("#check-question", "出張精算が遅れがちなメンバーと何を話す？"),
		eval(fmt.Sprintf(`(() => { const s = document.querySelector('#check-documents'); [...s.options].find((o) => o.value === %q).selected = true; })()`, doc.ID)),
		eval(`document.querySelector('#check-add').requestSubmit()`),
		waitText(`table[data-table="checks"]`, "出張精算が遅れがち"),
		click("#checks-run"),
		waitText("#checks-status", "問中"),
		waitJS(`(() => { const r = [...document.querySelectorAll('table[data-table="checks"] tbody tr')].find((r) => r.cells[0].innerText.includes('出張精算')); return !!r && r.cells[4].innerText === '合格'; })()`),
	)
	b.readable("the retrieval tests page")
	b.screenshot("27-retrieval-tests")

	b.run(
		eval(fmt.Sprintf(`location.hash = '#/guidance/%s'`, doc.ID)),
		visible("#doc-body"),
		fill("#doc-title", "会議室の予約"),
		fill("#doc-body", "# 会議室の予約\n\n- 会議室は前日までに予約する。\n"),
	)
	asked := dialogs.answer(b, "#doc-save", true)
	if !strings.Contains(asked, "出張精算が遅れがち") {
		t.Errorf("the confirmation reads %q: want the question it would break", asked)
	}
	b.run(
		waitText("#live", "保存しました"),
		eval(`location.hash = '#/checks'`),
		waitText(`table[data-table="check-runs"]`, "ガイダンスの変更"),
		waitJS(`(() => { const r = [...document.querySelectorAll('table[data-table="checks"] tbody tr')].find((r) => r.cells[0].innerText.includes('出張精算')); return !!r && r.cells[4].innerText === '不合格'; })()`),
	)
}
