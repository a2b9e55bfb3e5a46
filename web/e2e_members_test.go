package web_test

// Browser tests of a manager's members (issue 15): an alias taken in
// another width is refused in a sentence naming the member; erasing a
// member sits apart at the bottom of the page and waits for the alias to
// be typed; a second scheduled 1on1 is warned about before it is made,
// and the member's answer to either shows on its page, the member's page
// and the prep. The helpers are e2e_test.go's.

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// addRefused submits an alias on the members page, passing the warning
// about aliases that look like names if it comes, and waits for the
// refusal.
func addRefused(b *browser, alias, want string) {
	b.t.Helper()
	b.run(
		fill("#member-alias", alias),
		click("#member-add"),
		waitJS(`!!document.querySelector('main .error, #alias-warning')`),
	)
	if value(b, chromedp.Evaluate[bool](`!!document.querySelector('#alias-warning') && !document.querySelector('main .error')`)) {
		b.run(click("#member-add"))
	}
	b.run(waitText("main .error", want))
}

// TestMemberAliasAndErase: 「Ｋ さん」 beside 「Kさん」 is refused, in
// Japanese and in English, naming 「Kさん」; on the member's page, erasing
// is the last section, away from the main buttons, and its button stays
// disabled until the alias is typed exactly. At a phone's size too.
func TestMemberAliasAndErase(t *testing.T) {
	atEachSize(t, func(t *testing.T, vp viewport) {
		base := server(t, nil)
		org := pgtest.NewOrg(t, db)
		tok := newUser(t, org, tenant.RoleManager, "佐藤 美咲")
		b := newBrowser(t, base, vp)
		b.signIn(tok)
		b.run(addMember("Kさん")...)
		b.run(chromedp.Navigate(base+"/#/members"), visible("#members"))
		addRefused(b, "Ｋ さん", "同じ呼び名のメンバー（Kさん）がすでにいます")
		b.readable("a refused alias")
		b.screenshot("members-alias-taken")
		if n := value(b, chromedp.Evaluate[int](`document.querySelectorAll('#members tbody tr').length`)); n != 1 {
			t.Errorf("the members list has %d rows, want 1", n)
		}

		// The member's page: erasing is apart, last, and needs the alias.
		b.run(click("#members a"), visible("#member-danger"))
		if !value(b, chromedp.Evaluate[bool](`[...document.querySelectorAll('#app > *')].pop().id === 'member-danger'`)) {
			t.Error("the erase section is not the last thing on the member's page")
		}
		if value(b, chromedp.Evaluate[bool](`!!document.querySelector('#prepare').parentElement.querySelector('.btn-danger')`)) {
			t.Error("a destructive button sits beside the prepare button")
		}
		disabled := func() bool {
			return value(b, chromedp.Evaluate[bool](`document.querySelector('#member-erase').disabled`))
		}
		if !disabled() {
			t.Error("the erase button is enabled before anything is typed")
		}
		if !value(b, chromedp.Evaluate[bool](`document.querySelector('label[for="member-erase-alias"]').textContent.includes('Kさん')`)) {
			t.Error("the confirmation field's label does not say which alias to type")
		}
		for _, typed := range []string{"Kさ", "kさん", "Ｋさん", "Kさんx"} {
			b.run(fill("#member-erase-alias", typed))
			if !disabled() {
				t.Errorf("the erase button is enabled after typing %q, want only for 「Kさん」", typed)
			}
		}
		b.run(fill("#member-erase-alias", "Kさん"))
		if disabled() {
			t.Error("the erase button stays disabled with the alias typed")
		}
		b.readable("the member's page")
		b.screenshot("member-danger")

		// In English, the same sentences, then the member goes.
		b.run(
			click(`header.top button[lang="en"]`),
			waitText("#member-danger h2", "Cannot be undone"),
			waitText(`label[for="member-erase-alias"]`, `type the alias "Kさん"`),
			fill("#member-erase-alias", "Kさん"),
			click("#member-erase"),
			waitText("main", "No members yet"),
			fill("#member-alias", "Kさん"),
			click("#member-add"),
			waitText("h1", "Kさん"),
			chromedp.Navigate(base+"/#/members"),
			visible("#members"),
		)
		addRefused(b, "ｋさん", "You already have a member with this alias: Kさん")
	})
}

// TestSecondScheduledSession: scheduling a 1on1 for a member who has one
// coming warns first, with the way to the existing one and the way to go
// ahead; the member answers the later one's intake, and the answer shows
// on that 1on1's page (topics by name), on the member's page and in the
// prep, which marks the 1on1 answered. At a phone's size too.
func TestSecondScheduledSession(t *testing.T) {
	atEachSize(t, func(t *testing.T, vp viewport) {
		base := server(t, nil)
		org := pgtest.NewOrg(t, db)
		tok := newUser(t, org, tenant.RoleManager, "佐藤 美咲")
		b := newBrowser(t, base, vp)
		b.signIn(tok)
		soon := time.Now().Add(48 * time.Hour).Format("2006-01-02T15:04")
		later := time.Now().Add(9 * 24 * time.Hour).Format("2006-01-02T15:04")
		schedule := func(when string) {
			b.t.Helper()
			b.run(
				click("#schedule-session"),
				fill("#session-when", when),
				click("#session-check"),
				chromedp.WaitEnabled(css("#session-save")),
				click("#session-save"),
			)
		}
		b.run(addMember("Sさん")...)
		memberPage := value(b, chromedp.Evaluate[string](`location.href`))
		schedule(soon)
		b.run(visible("#timeline"), waitJS(`document.querySelectorAll('#timeline > li.scheduled').length === 1`))

		// A second one: warned, and the existing one is a click away.
		schedule(later)
		b.run(waitText("#schedule-warning", "予定している1on1がすでにあります"))
		b.readable("the warning about a second scheduled 1on1")
		b.screenshot("schedule-warning")
		b.run(
			click("#schedule-warning a"),
			waitJS(`location.hash.startsWith('#/sessions/')`),
			waitText("h1", "予定"),
			chromedp.Navigate(memberPage),
			visible("#schedule-session"),
		)
		schedule(later)
		b.run(
			click("#schedule-anyway"),
			waitJS(`document.querySelectorAll('#timeline > li.scheduled').length === 2`),
			visible("#member-scheduled-many"),
		)

		// The member answers the later one (the timeline is newest first).
		b.run(click("#timeline > li.scheduled a"), visible("#link-intake"))
		sessionPage := value(b, chromedp.Evaluate[string](`location.href`))
		b.run(click("#link-intake"), visible("#link-url"))
		link := value(b, chromedp.Value(css("#link-url")))
		b.run(
			chromedp.Navigate(link),
			visible(`input[name="topic"]`),
			click(`input[name="topic"][value="wellbeing"]`),
			fill("#intake-text", "最近疲れています。まず話を聞いてほしいです。"),
			click(`input[name="style"][value="listen"]`),
			click("#intake-submit"),
			visible("#done"),
		)

		// Its page, the member's page and the prep all show the answer.
		b.run(
			chromedp.Navigate(sessionPage),
			waitText("#session-request-text", "まず話を聞いてほしい"),
			waitText("#session-topics", "コンディション"),
		)
		b.readable("the answered 1on1's page")
		b.run(
			chromedp.Navigate(memberPage),
			waitText("#member-request", "まず話を聞いてほしい"),
			click("#prepare"),
			visible("#prep-session"),
			waitJS(`[...document.querySelectorAll('#prep-session option')].some((o) => o.textContent.includes('本人の回答あり'))`),
		)
		b.screenshot("prep-two-scheduled")
		b.run(
			click("#prep-run"),
			visible("#plan"),
			waitText("#plan-summary", "まず話を聞いてほしい"),
		)
	})
}
