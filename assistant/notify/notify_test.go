package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/notify"
	"github.com/taiwa-coach/taiwa/assistant/notify/notifytest"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var db *pgtest.DB

func TestMain(m *testing.M) { pgtest.Main(m, &db) }

var (
	storeOnce sync.Once
	store     *history.Store
)

func historyStore(t *testing.T) *history.Store {
	t.Helper()
	storeOnce.Do(func() {
		r, err := anonymize.New()
		if err != nil {
			t.Fatal(err)
		}
		keyer, _ := anonymize.NewKeyer([]byte("a test secret of 32 bytes or so."))
		store = history.New(r, keyer)
	})
	return store
}

// Words that must never leave Taiwa in a reminder or a calendar event.
const (
	secretNote    = "評価面談の前に転職の相談があった"
	secretRequest = "家族のことで相談したい"
)

type world struct {
	org     uuid.UUID
	manager tenant.Principal
	h       *history.Store
	member  history.Member
}

func newWorld(t *testing.T, email string) world {
	t.Helper()
	ctx := t.Context()
	w := world{org: pgtest.NewOrg(t, db), h: historyStore(t)}
	err := db.OrgScope(w.org).InTx(ctx, func(tx pgx.Tx) error {
		u, err := tenant.CreateUser(ctx, tx, w.org, tenant.NewUser{DisplayName: "Manager", Email: email, Role: tenant.RoleManager})
		w.manager = tenant.Principal{OrgID: w.org, UserID: u.ID, Role: tenant.RoleManager, Language: u.Language}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.in(t, func(tx pgx.Tx) (err error) {
		w.member, _, err = w.h.CreateMember(ctx, tx, w.org, w.manager.UserID, "Kさん, 開発; 2課")
		return err
	})
	return w
}

func (w world) in(t *testing.T, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.Scope(w.manager).InTx(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

func (w world) session(t *testing.T, in history.SessionInput) history.Session {
	t.Helper()
	var s history.Session
	w.in(t, func(tx pgx.Tx) (err error) {
		s, _, err = w.h.CreateSession(t.Context(), tx, w.org, w.manager.UserID, w.member.ID, "ja", in, knowledge.ValidTopic)
		return err
	})
	return s
}

// answerIntake has the member answer the session's intake through a link.
func (w world) answerIntake(t *testing.T, session uuid.UUID) {
	t.Helper()
	ctx := t.Context()
	var token string
	w.in(t, func(tx pgx.Tx) (err error) {
		_, token, err = w.h.CreateLink(ctx, tx, w.org, w.manager.UserID, session, history.PhaseIntake, 0)
		return err
	})
	err := db.LinkScope(history.HashLinkToken(token)).InTx(ctx, func(tx pgx.Tx) error {
		l, err := history.LookupLink(ctx, tx, history.HashLinkToken(token))
		if err != nil {
			return err
		}
		if err := tenant.ActAs(ctx, tx, l.OrgID, l.ManagerID); err != nil {
			return err
		}
		_, err = w.h.SubmitIntake(ctx, tx, l, "ja", history.Intake{Style: "listen", Topics: []string{"career"}, Text: secretRequest}, knowledge.ValidTopic)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func at(d time.Duration) *time.Time { t := time.Now().Add(d).Truncate(time.Second); return &t }

// TestCalendarFeed parses the feed with an iCalendar library, as a
// calendar app would: the manager's own 1on1s only, with their links, text
// escaped and folded, cancelled ones marked, no notes.
func TestCalendarFeed(t *testing.T) {
	w := newWorld(t, "")
	other := newWorld(t, "") // another organization's manager
	other.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(24 * time.Hour)})

	next := w.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(26 * time.Hour), Notes: secretNote})
	var intake string
	w.in(t, func(tx pgx.Tx) (err error) {
		_, intake, err = w.h.CreateLink(t.Context(), tx, w.org, w.manager.UserID, next.ID, history.PhaseIntake, 0)
		return err
	})
	held := w.session(t, history.SessionInput{Status: "held", HeldAt: at(-48 * time.Hour), Notes: secretNote})
	cancelled := w.session(t, history.SessionInput{Status: "cancelled", ScheduledAt: at(72 * time.Hour)})
	w.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(400 * 24 * time.Hour)}) // beyond the window

	n := notify.New(w.h, slog.New(slog.DiscardHandler), "https://taiwa.example")
	var feed []byte
	w.in(t, func(tx pgx.Tx) (err error) {
		feed, err = n.Calendar(t.Context(), tx, notify.Links{Base: "https://taiwa.example"}, "ja", time.Now())
		return err
	})
	for i, line := range strings.Split(string(feed), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, over 75: %q", i, len(line), line)
		}
	}
	if bytes.Contains(feed, []byte("転職")) {
		t.Error("a note reached the calendar")
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(feed))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, feed)
	}
	events := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		events[e.Id()] = e
	}
	if len(events) != 3 {
		t.Fatalf("%d events, want the 3 of this manager within the window:\n%s", len(events), feed)
	}
	prop := func(e *ics.VEvent, p ics.ComponentProperty) string {
		if v := e.GetProperty(p); v != nil {
			return v.Value
		}
		return ""
	}
	e := events[next.ID.String()+"@taiwa"]
	if e == nil {
		t.Fatal("the scheduled 1on1 is missing")
	}
	// Escaped in the feed, the alias as typed once parsed.
	if got := prop(e, ics.ComponentPropertySummary); got != "1on1: Kさん, 開発; 2課" || !bytes.Contains(feed, []byte(`1on1: Kさん\, 開発\; 2課`)) {
		t.Errorf("summary %q: want the alias, escaped in the feed", got)
	}
	start, err := e.GetStartAt()
	if err != nil || !start.Equal(*next.ScheduledAt) {
		t.Errorf("start %v (%v), want %v", start, err, next.ScheduledAt)
	}
	desc := strings.ReplaceAll(prop(e, ics.ComponentPropertyDescription), `\n`, "\n")
	prep := "https://taiwa.example/#/members/" + w.member.ID.String() + "/prep"
	if !strings.Contains(desc, prep) || !strings.Contains(desc, "https://taiwa.example/m/"+intake) {
		t.Errorf("description %q: want the prep link and the member's intake link", desc)
	}
	if got := prop(e, ics.ComponentPropertyUrl); got != prep {
		t.Errorf("URL %q, want %q", got, prep)
	}
	if got := prop(events[held.ID.String()+"@taiwa"], ics.ComponentPropertyStatus); got != "CONFIRMED" {
		t.Errorf("held 1on1 status %q", got)
	}
	if got := prop(events[cancelled.ID.String()+"@taiwa"], ics.ComponentPropertyStatus); got != "CANCELLED" {
		t.Errorf("cancelled 1on1 status %q, want CANCELLED so calendars drop it", got)
	}
}

// reminderSetup is an organization with Slack (bot) and email set up, a
// manager who gave their Slack id, and the fakes behind them.
func reminderSetup(t *testing.T) (world, *notify.Notifier, *notifytest.Slack, *notifytest.SMTP) {
	t.Helper()
	w := newWorld(t, "manager@example.com")
	slack := notifytest.NewSlack(t, "xoxb-test")
	mail := notifytest.NewSMTP(t)
	err := db.Scope(w.manager).InTx(t.Context(), func(tx pgx.Tx) error {
		bot := "xoxb-test"
		if _, err := notify.PutSettings(t.Context(), tx, w.org, notify.SettingsInput{
			Settings:      notify.Settings{PublicURL: "https://taiwa.example", SlackAPIURL: slack.APIURL(), SMTPAddr: mail.Addr, SMTPFrom: "Taiwa <taiwa@example.com>", SMTPTLS: "none"},
			SlackBotToken: &bot,
		}); err != nil {
			return err
		}
		_, err := notify.PutPrefs(t.Context(), tx, w.org, w.manager.UserID, notify.PrefsInput{SlackUserID: "U0MANAGER"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, notify.New(w.h, slog.New(slog.DiscardHandler), "http://unused"), slack, mail
}

// due runs the operator's sweep and keeps this organization's reminders.
func due(t *testing.T, org uuid.UUID) []notify.Due {
	t.Helper()
	var all []notify.Due
	err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) (err error) {
		all, err = notify.DueReminders(t.Context(), tx, time.Now(), 10000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Due
	for _, d := range all {
		if d.Org == org {
			out = append(out, d)
		}
	}
	return out
}

func TestRemindersSlackAndEmail(t *testing.T) {
	w, n, slack, mail := reminderSetup(t)
	soon := w.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(30 * time.Minute), Notes: secretNote})
	w.answerIntake(t, soon.ID)
	later := w.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(5 * time.Hour)}) // not due yet
	held := w.session(t, history.SessionInput{Status: "held", HeldAt: at(-2 * time.Hour), Notes: secretNote})
	unanswered := w.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(20 * time.Minute)})

	ds := due(t, w.org)
	want := map[uuid.UUID]string{soon.ID: notify.KindPrepare, held.ID: notify.KindAfter, unanswered.ID: notify.KindPrepare}
	if len(ds) != len(want) {
		t.Fatalf("due %+v, want %d reminders", ds, len(want))
	}
	for _, d := range ds {
		if want[d.Session] != d.Kind || d.Manager != w.manager.UserID || d.Session == later.ID {
			t.Errorf("due %+v: not expected", d)
		}
		// Twice, as a retried job would: sent once.
		for range 2 {
			if err := n.Remind(t.Context(), db.Scope(w.manager), d); err != nil {
				t.Fatal(err)
			}
		}
	}
	if left := due(t, w.org); len(left) != 0 {
		t.Errorf("still due after sending: %+v", left)
	}
	text := sent(t, slack, mail, 3)
	for _, secret := range []string{secretNote, secretRequest, "転職", "家族"} {
		if strings.Contains(text, secret) {
			t.Errorf("%q reached a message:\n%s", secret, text)
		}
	}
	prep := "https://taiwa.example/#/members/" + w.member.ID.String() + "/prep"
	for _, wantText := range []string{prep, "まず聴いてほしい", "キャリア", "https://taiwa.example/#/sessions/" + held.ID.String(), "https://taiwa.example/m/tl_"} {
		if !strings.Contains(text, wantText) {
			t.Errorf("messages lack %q:\n%s", wantText, text)
		}
	}
	// The links the reminders made work: the unanswered 1on1's intake link
	// and the held one's feedback link are open links of those sessions.
	w.in(t, func(tx pgx.Tx) error {
		for s, phase := range map[uuid.UUID]string{unanswered.ID: history.PhaseIntake, held.ID: history.PhaseFeedback} {
			open, err := w.h.OpenLinks(t.Context(), tx, []uuid.UUID{s}, phase)
			if err != nil {
				return err
			}
			if open[s] == "" || !strings.Contains(text, "/m/"+open[s]) {
				t.Errorf("session %s: the %s link in the message is not its open link", s, phase)
			}
		}
		return nil
	})
}

// sent checks that n reminders went out on each channel, addressed as set
// up, and returns all their text (emails decoded).
func sent(t *testing.T, slack *notifytest.Slack, mail *notifytest.SMTP, n int) string {
	t.Helper()
	posts, mails := slack.Posts(), mail.Mails()
	if len(posts) != n || len(mails) != n {
		t.Fatalf("%d Slack messages and %d emails, want %d each", len(posts), len(mails), n)
	}
	var all strings.Builder
	for _, p := range posts {
		if p.Channel != "U0MANAGER" || p.Token != "xoxb-test" {
			t.Errorf("Slack message to %q with token %q, want a direct message from the bot", p.Channel, p.Token)
		}
		all.WriteString(p.Text + "\n")
	}
	for _, m := range mails {
		if len(m.To) != 1 || m.To[0] != "manager@example.com" || m.From != "taiwa@example.com" {
			t.Errorf("mail from %q to %v", m.From, m.To)
		}
		all.WriteString(decodeQP(t, m.Data) + "\n")
	}
	return all.String()
}

func decodeQP(t *testing.T, data string) string {
	t.Helper()
	head, body, _ := strings.Cut(data, "\r\n\r\n")
	if !strings.Contains(head, "quoted-printable") || !strings.Contains(head, "Subject: =?utf-8?q?") {
		t.Errorf("mail headers: %s", head)
	}
	var b strings.Builder
	r := strings.NewReplacer("=\r\n", "")
	body = r.Replace(body)
	for i := 0; i < len(body); i++ {
		if body[i] == '=' && i+2 < len(body) {
			var v byte
			for _, c := range body[i+1 : i+3] {
				v <<= 4
				switch {
				case c >= '0' && c <= '9':
					v |= byte(c - '0')
				case c >= 'A' && c <= 'F':
					v |= byte(c-'A') + 10
				}
			}
			b.WriteByte(v)
			i += 2
			continue
		}
		b.WriteByte(body[i])
	}
	return b.String()
}

func TestRemindersHonourChoicesAndRetry(t *testing.T) {
	w, n, slack, mail := reminderSetup(t)
	s := w.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(40 * time.Minute)})
	d := notify.Due{Org: w.org, Manager: w.manager.UserID, Session: s.ID, Kind: notify.KindPrepare}

	// Every channel down: nothing is claimed, the job's retry sends it.
	slack.Fail("ratelimited")
	mail.Down(true)
	if err := n.Remind(t.Context(), db.Scope(w.manager), d); err == nil {
		t.Fatal("a reminder nobody got reported success")
	} else {
		t.Logf("every channel down: %v", err)
	}
	if len(due(t, w.org)) != 1 {
		t.Fatal("a reminder that failed everywhere is no longer due")
	}
	slack.Fail("")
	mail.Down(false)
	if err := n.Remind(t.Context(), db.Scope(w.manager), d); err != nil {
		t.Fatal(err)
	}
	if len(slack.Posts()) != 1 || len(mail.Mails()) != 1 {
		t.Fatalf("after the retry: %d Slack, %d mail, want 1 each", len(slack.Posts()), len(mail.Mails()))
	}

	// A manager who opted out gets nothing.
	w.in(t, func(tx pgx.Tx) error {
		_, err := notify.PutPrefs(t.Context(), tx, w.org, w.manager.UserID, notify.PrefsInput{OptOut: true, SlackUserID: "U0MANAGER"})
		return err
	})
	s2 := w.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(50 * time.Minute)})
	if err := n.Remind(t.Context(), db.Scope(w.manager), notify.Due{Org: w.org, Manager: w.manager.UserID, Session: s2.ID, Kind: notify.KindPrepare}); err != nil {
		t.Fatal(err)
	}
	if len(slack.Posts()) != 1 || len(mail.Mails()) != 1 {
		t.Errorf("a manager who opted out was sent a reminder")
	}

	// Another manager's session, asked for in this manager's scope, is not
	// theirs to be reminded of: row security shows nothing.
	other := newWorld(t, "")
	theirs := other.session(t, history.SessionInput{Status: "scheduled", ScheduledAt: at(30 * time.Minute)})
	w.in(t, func(tx pgx.Tx) error {
		_, err := notify.PutPrefs(t.Context(), tx, w.org, w.manager.UserID, notify.PrefsInput{SlackUserID: "U0MANAGER"})
		return err
	})
	if err := n.Remind(context.Background(), db.Scope(w.manager), notify.Due{Org: w.org, Manager: w.manager.UserID, Session: theirs.ID, Kind: notify.KindPrepare}); err != nil {
		t.Fatal(err)
	}
	if len(slack.Posts()) != 1 {
		t.Error("a reminder went out for another organization's session")
	}
}

// TestReminderToOwnWebhook: without the organization's bot, a manager's
// own incoming webhook gets the reminder; one that is not Slack's is
// refused when saved.
func TestReminderToOwnWebhook(t *testing.T) {
	w := newWorld(t, "")
	slack := notifytest.NewSlack(t, "xoxb-unused")
	w.in(t, func(tx pgx.Tx) error {
		if _, err := notify.PutSettings(t.Context(), tx, w.org, notify.SettingsInput{Settings: notify.Settings{PublicURL: "https://taiwa.example", SlackAPIURL: slack.APIURL()}}); err != nil {
			return err
		}
		if _, err := notify.PutPrefs(t.Context(), tx, w.org, w.manager.UserID, notify.PrefsInput{SlackWebhookURL: ptr("https://hooks.example.net/x")}); err == nil {
			t.Error("a webhook that is not Slack's was saved")
		}
		_, err := notify.PutPrefs(t.Context(), tx, w.org, w.manager.UserID, notify.PrefsInput{SlackWebhookURL: ptr(slack.HookURL("mine"))})
		return err
	})
	s := w.session(t, history.SessionInput{Status: "held", HeldAt: at(-3 * time.Hour), Notes: secretNote})
	n := notify.New(w.h, slog.New(slog.DiscardHandler), "")
	if err := n.Remind(t.Context(), db.Scope(w.manager), notify.Due{Org: w.org, Manager: w.manager.UserID, Session: s.ID, Kind: notify.KindAfter}); err != nil {
		t.Fatal(err)
	}
	posts := slack.Posts()
	if len(posts) != 1 || posts[0].Path != "/hooks/mine" || !strings.Contains(posts[0].Text, "振り返り") || strings.Contains(posts[0].Text, "転職") {
		t.Errorf("posts %+v, want the after-1on1 reminder on the manager's webhook, without the note", posts)
	}
}

func TestSettingsValidation(t *testing.T) {
	w := newWorld(t, "")
	cases := []struct {
		name string
		in   notify.SettingsInput
		ok   bool
	}{
		{"defaults", notify.SettingsInput{}, true},
		{"smtp", notify.SettingsInput{Settings: notify.Settings{SMTPAddr: "smtp.example.com:587", SMTPFrom: "a@example.com"}}, true},
		{"smtp without port", notify.SettingsInput{Settings: notify.Settings{SMTPAddr: "smtp.example.com", SMTPFrom: "a@example.com"}}, false},
		{"smtp without from", notify.SettingsInput{Settings: notify.Settings{SMTPAddr: "smtp.example.com:587"}}, false},
		{"bad tls", notify.SettingsInput{Settings: notify.Settings{SMTPTLS: "maybe"}}, false},
		{"bad url", notify.SettingsInput{Settings: notify.Settings{PublicURL: "javascript:alert(1)"}}, false},
		{"bad team", notify.SettingsInput{Settings: notify.Settings{SlackTeamID: "x; drop"}}, false},
		{"secret without team", notify.SettingsInput{SlackSigningSecret: ptr("s")}, false},
		{"reminder too soon", notify.SettingsInput{Settings: notify.Settings{RemindBeforeMin: 1}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := db.Scope(w.manager).InTx(t.Context(), func(tx pgx.Tx) error {
				_, err := notify.PutSettings(t.Context(), tx, w.org, c.in)
				return err
			})
			if (err == nil) != c.ok {
				t.Errorf("PutSettings: %v, want ok=%v", err, c.ok)
			}
		})
	}
	// A secret is kept when left out, and never in the view.
	w.in(t, func(tx pgx.Tx) error {
		if _, err := notify.PutSettings(t.Context(), tx, w.org, notify.SettingsInput{Settings: notify.Settings{SlackTeamID: "T0TEAM"}, SlackSigningSecret: ptr("sekrit")}); err != nil {
			return err
		}
		if _, err := notify.PutSettings(t.Context(), tx, w.org, notify.SettingsInput{Settings: notify.Settings{SlackTeamID: "T0TEAM"}}); err != nil {
			return err
		}
		s, err := notify.GetSettings(t.Context(), tx)
		if err != nil || s.SlackSigningSecret != "sekrit" || !s.View().SlackSigningSecretSet {
			t.Errorf("secret after a save without it: %q (%v)", s.SlackSigningSecret, err)
		}
		return nil
	})
}

func ptr(s string) *string { return &s }

func TestSlackSignature(t *testing.T) {
	body := []byte("team_id=T1&user_id=U1&text=prep+K")
	now := time.Unix(1_800_000_000, 0)
	ts := "1800000000"
	good := notify.SignSlack("secret", ts, body)
	cases := []struct {
		name      string
		secret    string
		ts, sig   string
		body      []byte
		now       time.Time
		wantError error
	}{
		{"good", "secret", ts, good, body, now, nil},
		{"other secret", "other", ts, good, body, now, notify.ErrBadSignature},
		{"body changed", "secret", ts, good, []byte("team_id=T1&user_id=U2&text=prep+K"), now, notify.ErrBadSignature},
		{"old", "secret", ts, good, body, now.Add(6 * time.Minute), notify.ErrStale},
		{"from the future", "secret", ts, good, body, now.Add(-6 * time.Minute), notify.ErrStale},
		{"no v0", "secret", ts, strings.TrimPrefix(good, "v0="), body, now, notify.ErrBadSignature},
		{"not hex", "secret", ts, "v0=zz", body, now, notify.ErrBadSignature},
		{"no secret set", "", ts, good, body, now, notify.ErrBadSignature},
		{"bad timestamp", "secret", "soon", good, body, now, notify.ErrBadSignature},
	}
	for _, c := range cases {
		if err := notify.VerifySlack(c.secret, c.ts, c.sig, c.body, c.now); err != c.wantError {
			t.Errorf("%s: %v, want %v", c.name, err, c.wantError)
		}
	}
}
