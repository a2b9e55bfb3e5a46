package web_test

// Browser tests of the admin's users page (#/users): adding a user with a
// first token shown once, revoking a token, disabling and enabling a user,
// and who may not. What the UI does is checked against the API itself: a
// token that works gets 200 from /api/me, one that does not gets 401.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// call sends an API request with a bearer token, as a script or the CLI
// would, and returns the status and the body.
func call(t *testing.T, base, token, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

type meUser struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
}

// whoIs is the user a token signs in as; it fails the test if the token
// does not work.
func whoIs(t *testing.T, base, token string) meUser {
	t.Helper()
	status, body := call(t, base, token, http.MethodGet, "/api/me", nil)
	if status != http.StatusOK {
		t.Fatalf("GET /api/me with the token: %d %s, want 200", status, body)
	}
	var me struct {
		User meUser `json:"user"`
	}
	if err := json.Unmarshal(body, &me); err != nil {
		t.Fatal(err)
	}
	return me.User
}

// tokenStatus is what GET /api/me answers to a token: 200 or 401.
func tokenStatus(t *testing.T, base, token string) int {
	t.Helper()
	status, _ := call(t, base, token, http.MethodGet, "/api/me", nil)
	return status
}

// confirms answers the page's confirm() dialogs as the test says and
// keeps what they asked. A dialog holds the click that opened it, so
// another goroutine closes it; one nobody expected is dismissed.
type confirms struct {
	answers  chan bool
	messages chan string
}

func (b *browser) confirms() *confirms {
	c := &confirms{answers: make(chan bool, 1), messages: make(chan string, 16)}
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			accept := false
			select {
			case accept = <-c.answers:
			default:
			}
			select {
			case c.messages <- ev.Message:
			default:
			}
			go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
		}
	}()
	return c
}

// recordRequests makes the page note the method and address of each
// request it sends from now on (in window.sent).
const recordRequests = `if (!window.sent) { const f = window.fetch; window.fetch = (url, opts) => { window.sent.push(((opts && opts.method) || 'GET') + ' ' + url); return f(url, opts); }; } window.sent = [];`

// answer clicks sel, answers the confirm() it opens and returns what it
// asked; no dialog fails the test, and so does a declined one after which
// the page still sent anything but a GET. (The click returns once the
// handler has run up to its first await, so a request it makes has been
// sent by then.)
func (c *confirms) answer(b *browser, sel string, accept bool) string {
	b.t.Helper()
	b.run(eval(recordRequests))
	c.answers <- accept
	b.run(click(sel))
	var asked string
	select {
	case asked = <-c.messages:
	case <-time.After(60 * time.Second):
		// A confirmation may follow the server's answer (a guidance edit is
		// first checked against every retrieval test, seconds on PGlite).
		b.t.Fatalf("clicking %s asked nothing: want a confirmation first", sel)
	}
	if !accept {
		if sent := value(b, chromedp.Evaluate[[]string](`window.sent.filter((s) => !s.startsWith('GET '))`)); len(sent) > 0 {
			b.t.Errorf("after %q was declined the page sent %v", asked, sent)
		}
	}
	return asked
}

// userRow is the selector of a user's row in the users table.
func userRow(id string) string { return fmt.Sprintf(`#users-table tr[data-user-id=%q]`, id) }

// lastUseLoaded waits until every "last used" cell has its value.
var lastUseLoaded = waitJS(`(() => { const c = [...document.querySelectorAll('#users-table td[data-last]')]; return c.length > 0 && c.every((td) => td.textContent !== '…'); })()`)

// shows tells whether the page holds s anywhere, field values included.
func (b *browser) shows(s string) bool {
	b.t.Helper()
	return value(b, chromedp.Evaluate[bool](fmt.Sprintf(`document.documentElement.outerHTML.includes(%[1]q) || [...document.querySelectorAll('input, textarea')].some((i) => i.value.includes(%[1]q))`, s)))
}

func signOut() step {
	return chromedp.Steps(
		eval(`[...document.querySelectorAll('header.top button')].find((b) => b.textContent === 'サインアウト').click()`),
		visible(`input[name="token"]`),
	)
}

// TestUsersTokens: an admin adds a curator from the users page and sees
// their first token once (closed, or after a reload, it is nowhere on the
// page); the token signs in as that curator, who has no users page; the
// admin opens the curator's tokens and revokes that one, after a
// confirmation that, declined, leaves it working; revoked, the API
// answers it 401. At a phone's size too.
func TestUsersTokens(t *testing.T) {
	atEachSize(t, usersTokensFlow)
}

func usersTokensFlow(t *testing.T, vp viewport) {
	base := server(t, nil)
	org := pgtest.NewOrg(t, db)
	admin := newUser(t, org, tenant.RoleAdmin, "管理者 高橋")
	newUser(t, org, tenant.RoleManager, "佐藤 美咲")
	b := newBrowser(t, base, vp)
	dialogs := b.confirms()
	b.signIn(admin)
	b.run(
		click(`header nav a[href="#/users"]`),
		waitText("h1", "ユーザー管理"),
		waitText("#users-table", "佐藤 美咲"),
		fill("#user-name", "人材開発部 鈴木"),
		fill("#user-email", "suzuki@example.com"),
		fill("#user-role", "curator"),
		click("#user-create"),
		visible("#user-secret"),
		waitText("#user-secret-box", "今だけ"),
		waitText("#users-status", "「人材開発部 鈴木」を追加しました"),
		waitText("#users-table", "人材開発部 鈴木"),
		lastUseLoaded,
	)
	secret := value(b, chromedp.Value(css("#user-secret")))
	if !strings.HasPrefix(secret, "taiwa_") {
		t.Fatalf("the new user's token reads %q, want a taiwa_ token", secret)
	}
	if v := value(b, chromedp.Value(css("#user-name"))); v != "" {
		t.Errorf("after adding, the name field still holds %q", v)
	}
	curator := whoIs(t, base, secret)
	if curator.Role != "curator" || curator.DisplayName != "人材開発部 鈴木" {
		t.Errorf("the token signs in as %+v, want the curator 人材開発部 鈴木", curator)
	}
	row := value(b, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).innerText`, userRow(curator.ID))))
	for _, want := range []string{"suzuki@example.com", "キュレーター", "有効", "未使用"} {
		if !strings.Contains(row, want) {
			t.Errorf("the curator's row %q does not say %q", row, want)
		}
	}
	b.readable("the users page with a new token")
	b.screenshot("19-users-new-token")

	// Shown once: closed, it is gone, and a reload does not bring it back.
	b.run(click("#user-secret-close"), chromedp.WaitNotPresent(css("#user-secret-box")))
	if b.shows(secret) {
		t.Error("the token is still on the page after it was closed")
	}
	b.run(chromedp.Reload(), waitText("#users-table", "人材開発部 鈴木"))
	if b.shows(secret) {
		t.Error("the token is on the page again after a reload")
	}

	// The token signs in as the curator, who has no users page.
	b.run(signOut())
	b.signIn(secret)
	b.run(waitText("header.top .who", "人材開発部 鈴木"), waitText("header nav", "ガイダンス"))
	if b.shows(`href="#/users"`) {
		t.Error("a curator's menu links to the users page")
	}
	b.run(chromedp.Navigate(base+"/#/users"), waitJS(`location.hash === '#/guidance'`), visible("#doc-filter-q"))
	b.run(signOut())
	b.signIn(admin)

	// The admin revokes it: declined, it still works; confirmed, it is 401.
	b.run(
		chromedp.Navigate(base+"/#/users"),
		lastUseLoaded,
		waitJS(fmt.Sprintf(`document.querySelector('%s td[data-last]').textContent !== '未使用'`, userRow(curator.ID))),
		click(userRow(curator.ID)+` button[data-action="tokens"]`),
		waitText("#user-tokens-h", "「人材開発部 鈴木」のトークン"),
		waitText("#user-tokens-active", "最初のトークン"),
	)
	// Signed in, the admin lands on the guidance, which was still loading
	// when the users page was opened: it must not end up on this page.
	if n := value(b, chromedp.Evaluate[int](`document.querySelectorAll('main h1').length`)); n != 1 {
		t.Errorf("the users page shows %d pages' headings, want its own alone", n)
	}
	if n := value(b, chromedp.Evaluate[int](`document.querySelectorAll('#user-tokens-active tbody tr').length`)); n != 1 {
		t.Errorf("the curator has %d active tokens listed, want the first one alone (the session was signed out)", n)
	}
	b.readable("the curator's tokens")
	b.screenshot("20-users-tokens")
	revoke := `#user-tokens-active tbody tr button[data-action="revoke"]`
	if q := dialogs.answer(b, revoke, false); !strings.Contains(q, "最初のトークン") || !strings.Contains(q, "元に戻せません") {
		t.Errorf("revoking asks %q, want the token's name and that it cannot be undone", q)
	}
	if s := tokenStatus(t, base, secret); s != http.StatusOK {
		t.Errorf("after revoking was declined the token gets %d, want 200", s)
	}
	dialogs.answer(b, revoke, true)
	b.run(
		waitText("#users-status", "トークン「最初のトークン」を失効させました"),
		waitText("#user-tokens", "有効なトークンはありません"),
		waitJS(`document.querySelector('#user-tokens-inactive').textContent.includes('最初のトークン')`),
	)
	if s := tokenStatus(t, base, secret); s != http.StatusUnauthorized {
		t.Errorf("the revoked token gets %d, want 401", s)
	}
	b.readable("the curator's tokens after revoking")
}

// TestUsersDisable: an admin makes a manager a second token from the
// manager's token list, then disables the manager (after a confirmation
// that, declined, changes nothing): both of the manager's tokens get 401;
// enabled again, they work. The admin's own "disable" is refused with a
// sentence in Japanese (in English after switching), and the admin stays
// active. At a phone's size too.
func TestUsersDisable(t *testing.T) {
	atEachSize(t, usersDisableFlow)
}

func usersDisableFlow(t *testing.T, vp viewport) {
	base := server(t, nil)
	org := pgtest.NewOrg(t, db)
	admin := newUser(t, org, tenant.RoleAdmin, "管理者 高橋")
	managerTok := newUser(t, org, tenant.RoleManager, "佐藤 美咲")
	manager, me := whoIs(t, base, managerTok), whoIs(t, base, admin)
	b := newBrowser(t, base, vp)
	dialogs := b.confirms()
	b.signIn(admin)

	// A second token, from the manager's token list.
	b.run(
		chromedp.Navigate(base+"/#/users"),
		click(userRow(manager.ID)+` button[data-action="tokens"]`),
		fill("#token-name", "予備のトークン"),
		click("#token-create"),
		visible("#user-secret"),
		waitText("#user-secret-box", "今だけ"),
		waitText("#user-tokens-active", "予備のトークン"),
	)
	second := value(b, chromedp.Value(css("#user-secret")))
	if got := whoIs(t, base, second); got.ID != manager.ID {
		t.Fatalf("the second token signs in as %+v, want the manager", got)
	}

	disable := userRow(manager.ID) + ` button[data-action="disable"]`
	if q := dialogs.answer(b, disable, false); !strings.Contains(q, "佐藤 美咲") {
		t.Errorf("disabling asks %q, want the user's name", q)
	}
	if s := tokenStatus(t, base, managerTok); s != http.StatusOK {
		t.Errorf("after disabling was declined the manager's token gets %d, want 200", s)
	}
	dialogs.answer(b, disable, true)
	b.run(
		waitText("#users-status", "「佐藤 美咲」を無効にしました"),
		waitText(userRow(manager.ID), "無効"),
		visible(userRow(manager.ID)+` button[data-action="enable"]`),
	)
	for name, tok := range map[string]string{"first": managerTok, "second": second} {
		if s := tokenStatus(t, base, tok); s != http.StatusUnauthorized {
			t.Errorf("the disabled manager's %s token gets %d, want 401", name, s)
		}
	}
	b.readable("the users page with a disabled user")

	dialogs.answer(b, userRow(manager.ID)+` button[data-action="enable"]`, true)
	b.run(waitText("#users-status", "「佐藤 美咲」を有効にしました"), visible(disable))
	if s := tokenStatus(t, base, managerTok); s != http.StatusOK {
		t.Errorf("the enabled manager's token gets %d, want 200", s)
	}

	// An admin cannot disable themselves: the API's refusal, as a sentence.
	self := userRow(me.ID) + ` button[data-action="disable"]`
	dialogs.answer(b, self, true)
	b.run(waitText(`#users-error [role="alert"]`, "自分自身を無効にすることはできません"))
	b.readable("the refusal to disable oneself")
	if got := value(b, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).innerText`, userRow(me.ID)))); !strings.Contains(got, "有効") {
		t.Errorf("after the refusal the admin's row reads %q, want 有効", got)
	}
	if s := tokenStatus(t, base, admin); s != http.StatusOK {
		t.Errorf("after the refusal the admin's token gets %d, want 200", s)
	}
	b.run(click(`header.top button[lang="en"]`), waitText("h1", "Users"))
	dialogs.answer(b, self, true)
	b.run(waitText(`#users-error [role="alert"]`, "You cannot disable yourself."))
}

// TestUsersNotForManagers: a manager's menu has no users page, its address
// leads to their members, and the API refuses them every user and token
// operation on others. At a phone's size too.
func TestUsersNotForManagers(t *testing.T) {
	atEachSize(t, func(t *testing.T, vp viewport) {
		base := server(t, nil)
		org := pgtest.NewOrg(t, db)
		admin := whoIs(t, base, newUser(t, org, tenant.RoleAdmin, "管理者 高橋"))
		tok := newUser(t, org, tenant.RoleManager, "佐藤 美咲")
		b := newBrowser(t, base, vp)
		b.signIn(tok)
		b.run(waitText("header nav", "メンバー"))
		if b.shows(`href="#/users"`) || b.shows("ユーザー管理") {
			t.Error("a manager's page offers the users page")
		}
		b.run(chromedp.Navigate(base+"/#/users"), waitJS(`location.hash === '#/members'`), waitText("h1", "メンバー"))
		if b.shows(`id="users-table"`) {
			t.Error("a manager sees the users table")
		}
		// The browser's own session is refused too.
		if s := value(b, chromedp.Evaluate[int](`fetch('/api/users').then((r) => r.status)`, chromedp.EvalAwaitPromise)); s != http.StatusForbidden {
			t.Errorf("a manager's session gets %d from GET /api/users, want 403", s)
		}
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/users", nil},
			{http.MethodPost, "/api/users", map[string]string{"display_name": "侵入者", "role": "admin"}},
			{http.MethodPatch, "/api/users/" + admin.ID, map[string]bool{"disabled": true}},
			{http.MethodGet, "/api/tokens?user_id=" + admin.ID, nil},
			{http.MethodPost, "/api/tokens", map[string]string{"user_id": admin.ID}},
		} {
			if s, body := call(t, base, tok, r.method, r.path, r.body); s != http.StatusForbidden {
				t.Errorf("a manager's %s %s: %d %s, want 403", r.method, r.path, s, body)
			}
		}
	})
}
