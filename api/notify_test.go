package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/taiwa-coach/taiwa/api/jobs"
	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/notify"
	"github.com/taiwa-coach/taiwa/assistant/notify/notifytest"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

func TestNotificationSettingsAPI(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	_, mgr := pgtest.NewUser(t, db, org, tenant.RoleManager)

	team := "T" + strings.ToUpper(org.String()[24:])
	put := map[string]any{"public_url": "https://taiwa.example.co.jp", "slack_team_id": team, "slack_signing_secret": "signing-sekrit",
		"slack_bot_token": "xoxb-sekrit", "smtp_addr": "smtp.example.co.jp:587", "smtp_from": "taiwa@example.co.jp", "smtp_password": "smtp-sekrit"}
	var got map[string]any
	if resp := call(t, srv, "PUT", "/api/org/notifications", admin, put, &got); resp.StatusCode != 200 {
		t.Fatalf("PUT = %d %v", resp.StatusCode, got)
	}
	var raw json.RawMessage
	call(t, srv, "GET", "/api/org/notifications", admin, nil, &raw)
	json.Unmarshal(raw, &got)
	if got["slack_bot_token_set"] != true || got["smtp_password_set"] != true || got["slack_team_id"] != team {
		t.Errorf("settings = %v", got)
	}
	if bytes.Contains(raw, []byte("sekrit")) {
		t.Errorf("a secret came back: %s", raw)
	}
	if resp := call(t, srv, "GET", "/api/org/notifications", mgr, nil, nil); resp.StatusCode != 403 {
		t.Errorf("manager GET = %d, want 403", resp.StatusCode)
	}
	if resp := call(t, srv, "PUT", "/api/org/notifications", admin, map[string]any{"smtp_tls": "sometimes"}, nil); resp.StatusCode != 400 {
		t.Errorf("bad smtp_tls = %d, want 400", resp.StatusCode)
	}
	// A workspace belongs to one organization.
	other := pgtest.NewOrg(t, db)
	_, otherAdmin := pgtest.NewUser(t, db, other, tenant.RoleAdmin)
	if resp := call(t, srv, "PUT", "/api/org/notifications", otherAdmin, map[string]any{"slack_team_id": team, "slack_signing_secret": "x"}, &got); resp.StatusCode != 400 {
		t.Errorf("another org taking the workspace = %d %v, want 400", resp.StatusCode, got)
	}
	// A user's own choices.
	if resp := call(t, srv, "PUT", "/api/me/notifications", mgr, map[string]any{"opt_out": true, "slack_user_id": "U0ME"}, &got); resp.StatusCode != 200 || got["opt_out"] != true {
		t.Errorf("PUT prefs = %d %v", resp.StatusCode, got)
	}
	if resp := call(t, srv, "PUT", "/api/me/notifications", mgr, map[string]any{"slack_user_id": "not an id"}, nil); resp.StatusCode != 400 {
		t.Errorf("bad Slack id = %d, want 400", resp.StatusCode)
	}
}

// TestNotificationTest: the test message reaches the fakes of Slack and
// SMTP, and a channel that fails says why.
func TestNotificationTest(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	slack := notifytest.NewSlack(t, "xoxb-test")
	mail := notifytest.NewSMTP(t)
	org := pgtest.NewOrg(t, db)
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	if resp := call(t, srv, "PUT", "/api/org/notifications", admin, map[string]any{"slack_api_url": slack.APIURL(), "slack_bot_token": "xoxb-test",
		"smtp_addr": mail.Addr, "smtp_from": "taiwa@example.com", "smtp_tls": "none"}, nil); resp.StatusCode != 200 {
		t.Fatalf("settings = %d", resp.StatusCode)
	}
	var out struct{ Deliveries []notify.Delivery }
	if call(t, srv, "POST", "/api/me/notifications/test", admin, nil, &out); len(out.Deliveries) != 0 {
		t.Errorf("nothing set up for the admin yet: %+v", out)
	}
	call(t, srv, "PUT", "/api/me/notifications", admin, map[string]any{"slack_user_id": "U0ADMIN"}, nil)
	mail.Down(true)
	call(t, srv, "POST", "/api/me/notifications/test", admin, nil, &out)
	if len(out.Deliveries) != 1 || out.Deliveries[0].Channel != "slack" || !out.Deliveries[0].OK {
		t.Errorf("deliveries %+v, want Slack only (the admin has no email)", out.Deliveries)
	}
	if p := slack.Posts(); len(p) != 1 || p[0].Channel != "U0ADMIN" {
		t.Errorf("Slack got %+v", p)
	}
	slack.Fail("account_inactive")
	call(t, srv, "POST", "/api/me/notifications/test", admin, nil, &out)
	if len(out.Deliveries) != 1 || out.Deliveries[0].OK || !strings.Contains(out.Deliveries[0].Error, "account_inactive") {
		t.Errorf("deliveries %+v, want Slack's error", out.Deliveries)
	}
}

func TestCalendarFeedAPI(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, mgr := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, other := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, curator := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	scheduled := func(token, alias string) {
		var m struct{ Data struct{ ID string } }
		call(t, srv, "POST", "/api/members", token, map[string]string{"alias": alias}, &m)
		when := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		if resp := call(t, srv, "POST", "/api/members/"+m.Data.ID+"/sessions", token, map[string]any{"status": "scheduled", "scheduled_at": when}, nil); resp.StatusCode != 201 {
			t.Fatalf("session = %d", resp.StatusCode)
		}
	}
	scheduled(mgr, "Aさん")
	scheduled(other, "Bさん")

	var feed struct {
		Feed *notify.Feed `json:"feed"`
		URL  string       `json:"url"`
	}
	if resp := call(t, srv, "POST", "/api/me/calendar", mgr, nil, &feed); resp.StatusCode != 201 || !strings.HasPrefix(feed.URL, "http://taiwa.test/calendar/tcal_") {
		t.Fatalf("POST /api/me/calendar = %d %+v", resp.StatusCode, feed)
	}
	path := strings.TrimPrefix(feed.URL, "http://taiwa.test")
	fetch := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == 200 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
			t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
		}
		return resp.StatusCode, string(b)
	}
	status, body := fetch(path)
	if status != 200 {
		t.Fatalf("feed = %d %s", status, body)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if evs := cal.Events(); len(evs) != 1 || evs[0].GetProperty(ics.ComponentPropertySummary).Value != "1on1: Aさん" {
		t.Errorf("events %d, want only this manager's 1on1 with A:\n%s", len(evs), body)
	}
	var cur struct{ Feed *notify.Feed }
	if call(t, srv, "GET", "/api/me/calendar", mgr, nil, &cur); cur.Feed == nil || cur.Feed.ID != feed.Feed.ID {
		t.Errorf("GET /api/me/calendar = %+v", cur)
	}
	// A new URL ends the old one; revoking ends the new one.
	var again struct{ URL string }
	call(t, srv, "POST", "/api/me/calendar", mgr, nil, &again)
	if status, _ := fetch(path); status != 404 {
		t.Errorf("the replaced feed = %d, want 404", status)
	}
	if status, _ := fetch(strings.TrimPrefix(again.URL, "http://taiwa.test")); status != 200 {
		t.Errorf("the new feed = %d", status)
	}
	if resp := call(t, srv, "DELETE", "/api/me/calendar", mgr, nil, nil); resp.StatusCode != 204 {
		t.Errorf("revoke = %d", resp.StatusCode)
	}
	if status, _ := fetch(strings.TrimPrefix(again.URL, "http://taiwa.test")); status != 404 {
		t.Errorf("the revoked feed = %d, want 404", status)
	}
	for _, bad := range []string{"/calendar/tcal_nothing.ics", "/calendar/tl_abc", "/calendar/" + strings.Repeat("x", 200)} {
		if status, _ := fetch(bad); status != 404 {
			t.Errorf("%s = %d, want 404", bad, status)
		}
	}
	if resp := call(t, srv, "POST", "/api/me/calendar", curator, nil, nil); resp.StatusCode != 403 {
		t.Errorf("a curator's calendar = %d, want 403", resp.StatusCode)
	}
}

// slackRequest is a slash command as Slack sends it, signed with secret.
func slackRequest(t *testing.T, srv string, secret string, ts time.Time, form url.Values) *http.Response {
	t.Helper()
	body := []byte(form.Encode())
	stamp := strconv.FormatInt(ts.Unix(), 10)
	return slackRaw(t, srv, stamp, notify.SignSlack(secret, stamp, body), body)
}

func slackRaw(t *testing.T, srv, stamp, sig string, body []byte) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", srv+"/api/slack/commands", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestSlackCommand(t *testing.T) {
	slack := notifytest.NewSlack(t, "xoxb-test")
	d := testDeps(t)
	runner := jobs.New(d.DB, d.Logger, jobs.PollEvery(100*time.Millisecond))
	jobs.Add(runner, SlackPrepWork(d.Coach, d.Notifier))
	// Started and stopped outside the test's context, which ends before
	// cleanups run: the runner must finish its work and its logging first.
	if err := runner.Start(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		runner.Stop(ctx)
	})
	d.Jobs = runner
	srv := newTestServer(t, d)

	org := pgtest.NewOrg(t, db)
	team := "T" + strings.ToUpper(org.String()[24:]) // the random end of the id: one workspace per organization
	_, admin := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	_, mgr := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, curator := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	if resp := call(t, srv, "PUT", "/api/org/notifications", admin, map[string]any{"slack_team_id": team, "slack_signing_secret": "s3cret", "slack_api_url": slack.APIURL()}, nil); resp.StatusCode != 200 {
		t.Fatalf("settings = %d", resp.StatusCode)
	}
	call(t, srv, "PUT", "/api/me/notifications", mgr, map[string]any{"slack_user_id": "U0MGR"}, nil)
	call(t, srv, "PUT", "/api/me/notifications", curator, map[string]any{"slack_user_id": "U0CUR"}, nil)
	call(t, srv, "POST", "/api/members", mgr, map[string]string{"alias": "Kさん"}, nil)

	form := func(user, text string) url.Values {
		return url.Values{"team_id": {team}, "user_id": {user}, "command": {"/taiwa"}, "text": {text}, "response_url": {slack.HookURL("resp")}}
	}
	reply := func(resp *http.Response) string {
		var r struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.ResponseType != "ephemeral" {
			t.Errorf("reply %+v (%v), want ephemeral", r, err)
		}
		return r.Text
	}
	now := time.Now()

	resp := slackRequest(t, srv.URL, "s3cret", now, form("U0MGR", "prep ｋさん"))
	if resp.StatusCode != 200 {
		t.Fatalf("prep = %d", resp.StatusCode)
	}
	if text := reply(resp); !strings.Contains(text, "Kさん") {
		t.Errorf("the immediate answer %q", text)
	}
	var prep notifytest.SlackPost
	for deadline := time.Now().Add(30 * time.Second); prep.Text == ""; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no prep posted to the response URL within 30 s")
		}
		for _, p := range slack.Posts() {
			if p.Path == "/hooks/resp" {
				prep = p
			}
		}
	}
	if prep.ResponseType != "ephemeral" || !strings.Contains(prep.Text, "Kさん") {
		t.Errorf("the prep posted: %+v", prep)
	}

	// What is refused, and how.
	body := []byte(form("U0MGR", "help").Encode())
	stamp := strconv.FormatInt(now.Unix(), 10)
	good := notify.SignSlack("s3cret", stamp, body)
	if r := slackRaw(t, srv.URL, stamp, good, body); r.StatusCode != 200 {
		t.Errorf("help = %d", r.StatusCode)
	}
	cases := []struct {
		name   string
		resp   *http.Response
		status int
		text   string
	}{
		{"replayed", slackRaw(t, srv.URL, stamp, good, body), 409, ""},
		{"bad signature", slackRequest(t, srv.URL, "other", now, form("U0MGR", "prep Kさん")), 401, ""},
		{"old", slackRequest(t, srv.URL, "s3cret", now.Add(-10*time.Minute), form("U0MGR", "prep Kさん")), 401, ""},
		{"unknown workspace", slackRequest(t, srv.URL, "s3cret", now, url.Values{"team_id": {"T0NOBODY"}, "user_id": {"U0MGR"}, "text": {"help"}}), 401, ""},
		{"unsigned", slackRaw(t, srv.URL, stamp, "", body), 401, ""},
		{"unknown Slack user", slackRequest(t, srv.URL, "s3cret", now, form("U0STRANGER", "prep Kさん")), 200, "/#/settings"},
		{"a curator", slackRequest(t, srv.URL, "s3cret", now, form("U0CUR", "prep Kさん")), 200, "マネージャー"},
		{"no such member", slackRequest(t, srv.URL, "s3cret", now, form("U0MGR", "prep Zさん")), 200, "Zさん"},
		{"usage", slackRequest(t, srv.URL, "s3cret", now, form("U0MGR", "hello")), 200, "/taiwa prep"},
		{"response URL elsewhere", slackRequest(t, srv.URL, "s3cret", now, url.Values{"team_id": {team}, "user_id": {"U0MGR"}, "text": {"prep Kさん"}, "response_url": {"http://169.254.169.254/latest"}}), 400, ""},
	}
	for _, c := range cases {
		if c.resp.StatusCode != c.status {
			t.Errorf("%s = %d, want %d", c.name, c.resp.StatusCode, c.status)
			continue
		}
		if c.text != "" {
			if text := reply(c.resp); !strings.Contains(text, c.text) {
				t.Errorf("%s: %q, want it to say %q", c.name, text, c.text)
			}
		}
	}
}
