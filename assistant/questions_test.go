package assistant

import (
	"testing"

	"github.com/taiwa-coach/taiwa/assistant/history"
)

// TestOrphanQuestions: a guidance question that refers back to what the
// member said in its example ("went ahead with that") or to an agreed
// step ("what got in the way") is asked only when there is such a thing.
func TestOrphanQuestions(t *testing.T) {
	style := "think-together"
	none := &history.Signals{Next: &history.SessionBrief{Style: &style}}
	open := &history.Signals{Next: none.Next, OpenActions: []history.OpenAction{{Owner: "member", Text: stored("Draft the rota")}}}
	cases := []struct {
		q    string
		sig  *history.Signals
		want bool
	}{
		{"If you went ahead with that, what would be the hardest part?", none, false},
		{"What would need to be true for this to feel worth trying?", none, false},
		{"What got in the way, if anything?", none, false},
		{"What got in the way, if anything?", open, true},
		{"Which options are you weighing so far?", none, true},
	}
	for _, c := range cases {
		if got := fitsMoment(c.q, c.sig); got != c.want {
			t.Errorf("fitsMoment(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}
