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

// TestAsksAssessment: a request for an honest view of the member's work
// or standing is an assessment, not a request for options.
func TestAsksAssessment(t *testing.T) {
	for _, tc := range []struct {
		request string
		want    bool
	}{
		{"Please be brutally honest about the draft before it goes to the board.", true},
		{"Tell me honestly where I stand for the senior role.", true},
		{"提出前に、気になるところを全部、遠慮なく指摘してください。", true},
		{"チェックリスト案を作ったので、足りないところを見てほしいです。", true},
		{"I'd like advice on how to split the client list with the new hire.", false},
		{"年末調整の準備で、何から手をつけるべきか教えてほしいです。", false},
	} {
		if got := asksAssessment.MatchString(tc.request); got != tc.want {
			t.Errorf("asksAssessment(%q) = %v, want %v", tc.request, got, tc.want)
		}
	}
}

// TestClosestSentence: an endorsement quotes the part of the request
// the plan takes up.
func TestClosestSentence(t *testing.T) {
	request := "The supervisors' session went well. The forum is in March and I think I want to try presenting this time, maybe a 10-minute slot."
	plan := "I'll put his name in for a 10-minute slot at the March forum and offer a dry run."
	if got, want := closestSentence(request, plan), "The forum is in March and I think I want to try presenting this time, maybe a 10-minute slot."; got != want {
		t.Errorf("closestSentence = %q, want %q", got, want)
	}
}
