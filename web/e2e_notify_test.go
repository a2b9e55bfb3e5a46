package web_test

// Browser test of reminders and the calendar: a manager gives their Slack
// member id and makes a calendar URL, which a calendar app can fetch; an
// admin sets the organization's email server, and its password is never
// shown again.

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

func TestNotifications(t *testing.T) {
	atEachSize(t, notificationsFlow)
}

func notificationsFlow(t *testing.T, vp viewport) {
	base := server(t, nil)
	org := pgtest.NewOrg(t, db)
	mgr := newUser(t, org, tenant.RoleManager, "佐藤 美咲")
	admin := newUser(t, org, tenant.RoleAdmin, "管理者 高橋")
	status, body := call(t, base, mgr, http.MethodPost, "/api/members", map[string]any{"alias": "Aさん"})
	if status != http.StatusCreated {
		t.Fatalf("add member: %d %s", status, body)
	}
	var m struct {
		Data struct{ ID string } `json:"data"`
	}
	json.Unmarshal(body, &m)
	in := map[string]any{"status": "scheduled", "scheduled_at": time.Now().Add(48 * time.Hour), "notes": "転職の相談があった"}
	if status, body := call(t, base, mgr, http.MethodPost, "/api/members/"+m.Data.ID+"/sessions", in); status != http.StatusCreated {
		t.Fatalf("add session: %d %s", status, body)
	}

	b := newBrowser(t, base, vp)
	b.signIn(mgr)
	b.run(
		chromedp.Navigate(base+"/#/notifications"),
		waitText("h1", "通知とカレンダー"),
		fill("#notify-slack-user", "U0SATO"),
		click("#notify-save"),
		waitText("#notify-status", "保存しました"),
		// No bot and no email server yet: the test message says so.
		click("#notify-test"),
		waitText("#notify-test-results", "送り先がまだありません"),
		click("#notify-calendar-create"),
		visible("#notify-calendar-url"),
		waitText("#notify-calendar", "購読用URLの作成日"),
	)
	b.readable("the notifications page")
	b.screenshot("28-notifications")
	url := value(b, chromedp.Evaluate[string](`document.querySelector('#notify-calendar-url').value`))
	if !strings.HasPrefix(url, base+"/calendar/tcal_") {
		t.Fatalf("calendar URL %q", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	feed, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(feed), "SUMMARY:1on1: Aさん") || strings.Contains(string(feed), "転職") {
		t.Errorf("the feed = %d:\n%s", resp.StatusCode, feed)
	}
	b.run(chromedp.Reload(), waitJS(`document.querySelector('#notify-slack-user') && document.querySelector('#notify-slack-user').value === 'U0SATO'`))
	if b.shows("tcal_") {
		t.Error("the calendar URL is shown again after a reload")
	}

	a := newBrowser(t, base, vp)
	a.signIn(admin)
	a.run(
		chromedp.Navigate(base+"/#/org"),
		waitText("#notify-org", "リマインドと連携"),
		fill("#notify-smtp-addr", "smtp.example.co.jp:587"),
		fill("#notify-smtp-from", "taiwa@example.co.jp"),
		fill("#notify-smtp-password", "mail-sekrit"),
		click("#notify-org-save"),
		waitText("#notify-org-status", "保存しました"),
		chromedp.Reload(),
		waitJS(`document.querySelector('#notify-smtp-addr') && document.querySelector('#notify-smtp-addr').value === 'smtp.example.co.jp:587'`),
		waitJS(`document.querySelector('#notify-smtp-password').placeholder.includes('設定済み')`),
	)
	if a.shows("mail-sekrit") || value(a, chromedp.Evaluate[string](`document.querySelector('#notify-smtp-password').value`)) != "" {
		t.Error("the SMTP password is shown after saving")
	}
	a.readable("the organization's settings")
}
