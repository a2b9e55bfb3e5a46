package assistant

import (
	"regexp"
	"slices"

	"github.com/taiwa-coach/taiwa/assistant/history"
)

// minFit is the least fit a source needs before its questions and what it
// says to avoid reach a plan: retrieval brings guidance near the member's
// words, and only some of it speaks to this member.
const minFit = 2

// situationTopics are the guidance topics the history calls for, beyond
// what the member chose: a falling condition calls for wellbeing, a new
// member for onboarding, and so on.
var situationTopics = []struct {
	topic string
	holds func(*history.Signals) bool
}{
	{"wellbeing", situations["condition-falling"]},
	{"onboarding", situations["new-member"]},
	{"challenge", situations["avoids-challenges"]},
	{"listening", func(s *history.Signals) bool { return asked("listen")(s) || s.AdvisedDespiteListen }},
	{"basics", func(s *history.Signals) bool { return s.StatusStreak >= 3 || s.Held < 2 }},
	{"pdca", func(s *history.Signals) bool { return len(s.OpenActions) > 0 || len(s.DoneActions) > 0 }},
}

// clashes are the guidance topics that work against a requested style:
// a critique card in a session the member asked to be encouraged in, or
// listened to in.
var clashes = map[string][]string{
	"encourage": {"feedback", "evaluation"},
	"listen":    {"feedback", "evaluation"},
	// A member who asked for a decision is not in for an exploration of
	// their career, nor one who asked to report for a lesson on moving
	// reports out of the 1on1.
	"decide": {"career"},
	"report": {"basics"},
}

// situationOnly are guidance topics that speak of a situation, not of the
// member topic of the same name: the starter pack's "challenge" guidance is
// about members who avoid challenges, while a member who picks "trying
// something new" is looking forward to one.
var situationOnly = map[string]string{"challenge": "avoids-challenges"}

// scoreFit is how closely each source (by N-1) speaks to this member's
// coming 1on1: 3 for guidance about a topic they chose (1 where it is an
// aside), 3 for guidance on the response they asked for, 3 for the
// guidance a stated plan runs into, 2 for each topic their history calls
// for. The member's situations are read once, not once per source.
//
// own reports, per source, whether some of that is the document's own
// subject (its first topic, the response asked for, the plan): a trust
// document whose aside is following up actions reaches a member with open
// actions, but its tips on confidentiality do not belong on their agenda.
func scoreFit(in prepInput) (fit []int, own []bool) {
	out := make([]int, len(in.Sources))
	own = make([]bool, len(in.Sources))
	sig := in.Signals
	if sig == nil {
		return out, own
	}
	var called []string // the topics the history calls for
	for _, st := range situationTopics {
		if st.holds(sig) {
			called = append(called, st.topic)
		}
	}
	var (
		styleRE *regexp.Regexp
		clash   []string
	)
	if next := sig.Next; next != nil && next.Style != nil {
		styleRE, clash = styleWords[*next.Style], clashes[*next.Style]
	}
	for i, s := range in.Sources {
		has := func(t string) bool { return slices.Contains(s.Hit.Topics, t) }
		n, first := 0, ""
		if len(s.Hit.Topics) > 0 {
			first = s.Hit.Topics[0]
		}
		if w, ok := situationOnly[first]; ok && !situations[w](sig) {
			first = ""
		}
		if next := sig.Next; next != nil && first != "" {
			n, own[i] = chosenFit(in, next.Topics, first, has)
		}
		if styleRE != nil && has("response-style") && styleRE.MatchString(s.Hit.Title) {
			n += 3
			own[i] = true
		}
		if slices.ContainsFunc(in.Conflicts, func(c conflict) bool { return c.Check.DocumentID == s.Hit.DocumentID }) {
			n += 3
			own[i] = true
		}
		for _, t := range called {
			if has(t) {
				n += 2
				own[i] = own[i] || t == first
			}
		}
		if offMoment(s, first, clash, sig) {
			n = min(n, 0)
		}
		out[i] = n
	}
	return out, own
}

// chosenFit is a source's fit to the topics the member chose (topics),
// when it is about first: a document is about its first topic; its others
// are asides (a member asking for feedback on their work is not in for a
// performance conversation). own reports a fit by the document's subject.
func chosenFit(in prepInput, topics []string, first string, has func(string) bool) (n int, own bool) {
	switch {
	case first == "goals" && slices.Contains(topics, first) && !goalTalk(in):
		// "My work and goals" is what members pick for any work update:
		// guidance on setting goals is an aside unless goals are what
		// they or the manager write about.
		return 1, false
	case slices.Contains(topics, first):
		return 3, true
	case slices.ContainsFunc(topics, has):
		return 1, false
	}
	return 0, false
}

// offMoment reports whether source s, about topic first, fits no line
// whatever else it shares with the member: a card against the requested
// style (clash), or guidance for a member with nothing to talk about when
// they wrote what they want to talk about.
func offMoment(s Source, first string, clash []string, sig *history.Signals) bool {
	return slices.Contains(clash, first) ||
		nothingToTalkAbout.MatchString(s.Hit.Title) && sig.Next != nil && !sig.Next.Request.Empty()
}

// nothingToTalkAbout is the title of guidance on a member who says there is
// nothing to talk about.
var nothingToTalkAbout = regexp.MustCompile(`(?i)nothing to talk about|話すこと(?:は|が)(?:ない|ありません)`)

// goalWords are goals as such: targets, objectives, what to aim for.
var goalWords = regexp.MustCompile(`(?i)目標|ゴール|目指|OKR|KPI|KGI|ノルマ|\b(goals?|targets?|objectives?|okrs?|kpis?|aims?|aiming)\b`)

// goalTalk reports whether the member's request or the manager's question
// is about goals themselves.
func goalTalk(in prepInput) bool {
	text := in.Question.String()
	if n := in.Signals.Next; n != nil {
		text += " " + n.Request.String()
	}
	return goalWords.MatchString(text)
}

// ownFit reports whether source s fits this member by its own subject
// (scoreFit).
func ownFit(s Source, in prepInput) bool {
	return s.N >= 1 && s.N <= len(in.own) && in.own[s.N-1]
}

// fit is source s's score in scoreFit.
func fit(s Source, in prepInput) int {
	if s.N < 1 || s.N > len(in.fit) {
		return 0
	}
	return in.fit[s.N-1]
}
