package assistant

import "testing"

// TestActionWords: an action written as an instruction is said back as
// what was done; one that does not start with a known verb is not turned.
func TestActionWords(t *testing.T) {
	cases := []struct {
		action, doing, done string
	}{
		{"Draft the live-blog template with pre-built results tables", "drafting the live-blog template with pre-built results tables", "drafted the live-blog template with pre-built results tables"},
		{"Send her the delegation scheme.", "sending her the delegation scheme", "sent her the delegation scheme"},
		{"Shadow the next planning committee meeting", "shadowing the next planning committee meeting", "shadowed the next planning committee meeting"},
		{"Set up a call with the vendor", "setting up a call with the vendor", "set up a call with the vendor"},
		{"Write up the pilot results", "writing up the pilot results", "written up the pilot results"},
		{"Try batching swab log entries", "trying batching swab log entries", "tried batching swab log entries"},
		{"Pull last year's non-conformances", "pulling last year's non-conformances", "pulled last year's non-conformances"},
		{"Plan the handover", "planning the handover", "planned the handover"},
		{"Agree the rota with the night lead", "agreeing the rota with the night lead", "agreed the rota with the night lead"},
		{"Draft the reply to the customs query and send it to me before submission", "drafting the reply to the customs query and sending it to you before submission", "drafted the reply to the customs query and sent it to you before submission"},
		{"Set up a weekly time split and track hours for a month", "setting up a weekly time split and tracking hours for a month", "set up a weekly time split and tracked hours for a month"},
		{"Draft the budget and plan for Q3", "drafting the budget and plan for Q3", "drafted the budget and plan for Q3"},
		{"Budget review with finance", "", ""},
		{"Member to draft the FAQ", "", ""},
		{"引継ぎ資料を作る", "", ""},
	}
	for _, c := range cases {
		got, ok := doing(c.action)
		if want := c.doing; got != want || ok != (want != "") {
			t.Errorf("doing(%q) = %q, %v; want %q", c.action, got, ok, want)
		}
		got, ok = done(c.action)
		if want := c.done; got != want || ok != (want != "") {
			t.Errorf("done(%q) = %q, %v; want %q", c.action, got, ok, want)
		}
	}
}
