package assistant

import (
	"testing"

	"github.com/taiwa-coach/taiwa/assistant/history"
)

// TestPronounOf: the plan says "she" or "he" only when the manager's own
// notes clearly do; others named in the notes and the member's quoted
// words do not count.
func TestPronounOf(t *testing.T) {
	notes := func(ns ...string) *history.Signals {
		sig := &history.Signals{Alias: "Member K"}
		for _, n := range ns {
			sig.LastSessions = append(sig.LastSessions, history.SessionBrief{Notes: stored(n)})
		}
		return sig
	}
	cases := []struct {
		name string
		sig  *history.Signals
		want pronoun
	}{
		{"she twice", notes("She spotted the mislabelled pallet before dispatch. The technical manager asked her to walk the auditor through it."), "she"},
		{"he across notes", notes("Closed two renewals.", "He wants to try the pricing call himself."), "he"},
		{"once is not enough", notes("Asked her about the roster."), ""},
		{"others named too", notes("She said the site lead told him to wait; he agreed. She is unsure."), ""},
		{"a clear majority", notes("She led the review. Her figures held up. She asked for the next one; the auditor said he was impressed."), "she"},
		{"quoted words are the member's", notes(`Said "I told him and he ignored me" about the courier.`), ""},
		{"no notes", notes(), ""},
		{"the manager's question", &history.Signals{Asked: stored("He's given me straight updates and that's his call. Plan: let him run through the schedule first.")}, "he"},
		{"nil", nil, ""},
	}
	for _, c := range cases {
		if got := pronounOf(c.sig); got != c.want {
			t.Errorf("%s: pronounOf = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestPronounApply: the coach's words about the member take the pronoun
// and the verb after it agrees; the quoted argument is left as written.
func TestPronounApply(t *testing.T) {
	cases := []struct {
		p    pronoun
		in   string
		want string
	}{
		{"she", "They asked you to encourage them.", "She asked you to encourage her."},
		{"he", "Ask how they feel or what is in the way, and let them lead their report.", "Ask how he feels or what is in the way, and let him lead his report."},
		{"she", "how they are or what they want to do", "how she is or what she wants to do"},
		{"she", "they do not want to; they also asked; they'd like; they're new; they've done it", "she does not want to; she also asked; she'd like; she's new; she's done it"},
		{"he", "what they finished and what they try next", "what he finished and what he tries next"},
		{"she", "they can decide themselves", "she can decide herself"},
		{"", "They asked you to encourage them.", "They asked you to encourage them."},
	}
	for _, c := range cases {
		if got := c.p.apply(c.in); got != c.want {
			t.Errorf("%q.apply(%q) = %q, want %q", c.p, c.in, got, c.want)
		}
	}
	who := person{alias: "Member F", pron: "she"}
	got := about("en", who, "agenda.request.own")
	if want := "Start from what Member F wrote beforehand, and let her lead"; got != want {
		t.Errorf("about = %q, want %q", got, want)
	}
	got = about("en", who, "summary.samestyle", 12, "listen", "they said they felt rushed")
	if want := `12 days ago, after a 1on1 in which she also asked you to listen, Member F wrote: "they said they felt rushed"`; got != want {
		t.Errorf("about = %q, want %q (the quoted argument is left alone)", got, want)
	}
}
