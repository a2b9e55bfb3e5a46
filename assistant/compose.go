package assistant

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
)

// Item is one line of an answer. Text carries its citations as [n]
// markers; Cites lists the same numbers.
type Item struct {
	Text  string `json:"text"`
	Cites []int  `json:"cites"`
}

// Plan is the coach's preparation for a 1on1.
type Plan struct {
	ID       uuid.UUID `json:"id"`
	MemberID uuid.UUID `json:"member_id"`
	Mode     string    `json:"mode"`
	Model    string    `json:"model"`
	// FallbackReason says why a configured model did not write this
	// answer, or that it did not coach (sensitive_topic).
	FallbackReason string     `json:"fallback_reason,omitempty"`
	Notice         string     `json:"notice,omitempty"`
	Summary        string     `json:"summary"`
	Agenda         []Item     `json:"agenda"`
	Questions      []Item     `json:"questions"`
	WatchOuts      []Item     `json:"watch_outs"`
	FollowUps      []Item     `json:"follow_ups"`
	Citations      []Citation `json:"citations"`
	Referral       *Referral  `json:"referral,omitempty"`
	// NoGuidance is set when retrieval found nothing relevant: the plan
	// then draws on the history only, and the query is recorded as a
	// content gap.
	NoGuidance       bool   `json:"no_guidance"`
	DroppedCitations int    `json:"dropped_citations"`
	Language         string `json:"language"`

	// conflicts are the watch-outs on a stated plan that runs against the
	// guidance: kept in both modes, whatever a model writes.
	conflicts []Item
}

// prepInput is everything the offline composer and the prompt use.
type prepInput struct {
	Lang      string
	Signals   *history.Signals
	Question  anonymize.Text
	Sources   []Source
	Referral  *Referral
	Conflicts []conflict
}

// conflict is a stated plan that guidance warns against, with the source
// to cite (0 when none was found).
type conflict struct {
	Rule   planRule
	Source int
	Quote  string
}

const (
	maxQuestions  = 5
	maxAvoid      = 3
	maxPractice   = 2
	requestRunes  = 200
	questionRunes = 200
)

// citer collects the citations of an answer: one per source, quoting the
// first passage used from it.
type citer struct {
	sources []Source
	quotes  map[int]string
	order   []int
}

func newCiter(sources []Source) *citer { return &citer{sources: sources, quotes: map[int]string{}} }

// item makes an item from text citing source n with passage quote (n 0:
// no citation).
func (c *citer) item(text string, n int, quote string) Item {
	if n <= 0 || n > len(c.sources) {
		return Item{Text: text, Cites: []int{}}
	}
	if _, ok := c.quotes[n]; !ok {
		if quote == "" {
			quote = excerpt(c.sources[n-1].Hit.Text)
		}
		c.quotes[n] = quote
		c.order = append(c.order, n)
	}
	return Item{Text: text + " [" + strconv.Itoa(n) + "]", Cites: []int{n}}
}

func (c *citer) citations() []Citation {
	out := []Citation{}
	ns := slices.Clone(c.order)
	slices.Sort(ns)
	for _, n := range ns {
		out = append(out, citationOf(c.sources[n-1], c.quotes[n]))
	}
	return out
}

func citationOf(s Source, quote string) Citation {
	return Citation{N: s.N, ChunkID: s.Hit.ChunkID, DocumentID: s.Hit.DocumentID, Title: s.Hit.Title,
		HeadingPath: nonNil(s.Hit.HeadingPath), Quote: quote}
}

// pick returns the best source (lowest number) of the first of sections
// that has one matching any of topics (nil: any topic), or nil.
func pick(sources []Source, sections []string, topics ...string) *Source {
	for _, sec := range sections {
		for i := range sources {
			s := &sources[i]
			if s.Section != sec {
				continue
			}
			if len(topics) == 0 || slices.ContainsFunc(topics, func(t string) bool { return slices.Contains(s.Hit.Topics, t) }) {
				return s
			}
		}
	}
	return nil
}

// truncate folds s's whitespace and cuts it to at most runes characters,
// the last one an ellipsis when it was cut.
func truncate(s string, runes int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= runes {
		return s
	}
	return string([]rune(s)[:runes-1]) + "…" // within runes, a column's bound
}

func styleLabel(lang, style string) string { return msg(lang, "style."+style) }

func conditionPath(vs []int) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, "→")
}

func topicLabels(lang string, slugs []string) string {
	labels := make([]string, len(slugs))
	for i, s := range slugs {
		labels[i] = topicLabel(lang, s)
	}
	return strings.Join(labels, msg(lang, "list.sep"))
}

// composePrep is the offline composer: a deterministic plan from the
// signals and the retrieved guidance. Every item drawn from guidance cites
// it; items from the history stand on the history.
func composePrep(in prepInput) Plan {
	if in.Referral != nil {
		return referralPlan(in)
	}
	lang, sig := in.Lang, in.Signals
	cite := newCiter(in.Sources)
	p := Plan{Mode: ModeOffline, Language: lang, Agenda: []Item{}, Questions: []Item{}, WatchOuts: []Item{},
		FollowUps: []Item{}, NoGuidance: len(in.Sources) == 0, Referral: in.Referral}
	if sig != nil {
		p.MemberID = sig.MemberID
	}

	// Summary: what the member asked for and what the history shows.
	var summary []string
	if sig != nil {
		if n := sig.Next; n != nil && (n.Style != nil || len(n.Topics) > 0 || !n.Request.Empty()) {
			if n.Style != nil {
				summary = append(summary, msg(lang, "summary.next", sig.Alias, styleLabel(lang, *n.Style)))
			}
			if len(n.Topics) > 0 {
				summary = append(summary, msg(lang, "summary.next.topics", topicLabels(lang, n.Topics)))
			}
			if !n.Request.Empty() {
				summary = append(summary, msg(lang, "summary.next.text", truncate(n.Request.String(), requestRunes)))
			}
		} else {
			summary = append(summary, msg(lang, "summary.norequest", sig.Alias))
		}
		switch sig.Condition.Change {
		case "down":
			summary = append(summary, msg(lang, "summary.condition.down", conditionPath(sig.Condition.Values)))
		case "up":
			summary = append(summary, msg(lang, "summary.condition.up", conditionPath(sig.Condition.Values)))
		}
		if len(sig.OpenActions) > 0 {
			summary = append(summary, actionsSummary(lang, sig.OpenActions))
		}
		if d := sig.DaysSinceLast; d != nil {
			switch c := sig.CadenceDays; {
			case c != nil && float64(*d) > 1.5**c && *d >= 10:
				summary = append(summary, msg(lang, "summary.gap", *d, *c))
			case *d == 0:
				summary = append(summary, msg(lang, "summary.last.today"))
			default:
				summary = append(summary, msg(lang, "summary.last", *d))
			}
		}
		if r := sig.Implementation; r != nil && *r < 0.8 && sig.Planned >= 3 {
			summary = append(summary, msg(lang, "summary.impl", *r*100, sig.Planned, sig.Held))
		}
	}
	if in.Referral != nil {
		summary = append([]string{in.Referral.Message}, summary...)
	}
	p.Summary = strings.Join(summary, " ")

	// Agenda.
	var styleTopics []string
	if sig != nil && sig.Next != nil {
		styleTopics = sig.Next.Topics
	}
	if sig != nil && (sig.Condition.Change == "down" || (sig.Condition.Latest != nil && *sig.Condition.Latest <= 2)) {
		src := pick(in.Sources, []string{sectionPractice, sectionQuestions, sectionOther}, "wellbeing")
		p.Agenda = append(p.Agenda, citeFirst(cite, src, msg(lang, "agenda.checkin.down", conditionPath(sig.Condition.Values))))
	} else {
		p.Agenda = append(p.Agenda, Item{Text: msg(lang, "agenda.checkin"), Cites: []int{}})
	}
	if sig != nil && sig.Next != nil {
		if !sig.Next.Request.Empty() {
			p.Agenda = append(p.Agenda, Item{Text: msg(lang, "agenda.request", truncate(sig.Next.Request.String(), requestRunes)), Cites: []int{}})
		} else if len(sig.Next.Topics) > 0 {
			p.Agenda = append(p.Agenda, Item{Text: msg(lang, "agenda.request.topics", topicLabels(lang, sig.Next.Topics)), Cites: []int{}})
		}
	}
	pdca := pick(in.Sources, []string{sectionPractice, sectionNext, sectionOther}, "pdca")
	if sig != nil && len(sig.OpenActions) > 0 {
		p.Agenda = append(p.Agenda, citeFirst(cite, pdca, msg(lang, "agenda.followup", len(sig.OpenActions))))
	}
	if sig != nil {
		for _, t := range sig.RecurringTopics {
			if !slices.Contains(styleTopics, t.Topic) {
				p.Agenda = append(p.Agenda, Item{Text: msg(lang, "agenda.recurring", topicLabel(lang, t.Topic), t.Sessions), Cites: []int{}})
				break
			}
		}
	}
	if !in.Question.Empty() {
		p.Agenda = append(p.Agenda, Item{Text: msg(lang, "agenda.question", truncate(in.Question.String(), questionRunes)), Cites: []int{}})
	}
	if in.Referral == nil {
		n := 0
		for _, s := range in.Sources {
			if s.Section != sectionPractice || !s.Found || n >= maxPractice {
				continue
			}
			if bs := bullets(s.Hit.Text); len(bs) > 0 {
				p.Agenda = append(p.Agenda, cite.item(msg(lang, "agenda.practice", lead(bs[0])), s.N, bs[0]))
				n++
			}
		}
	}
	p.Agenda = append(p.Agenda, citeFirst(cite, pdca, msg(lang, "agenda.close")))

	// Questions, from the guidance's own questions, best sources first.
	if in.Referral == nil {
		for _, b := range roundRobin(in.Sources, sectionQuestions, maxQuestions) {
			p.Questions = append(p.Questions, cite.item(unquote(b.text), b.n, b.text))
		}
	}

	// Watch-outs.
	if p.NoGuidance {
		p.WatchOuts = append(p.WatchOuts, Item{Text: msg(lang, "noguidance"), Cites: []int{}})
	}
	if in.Referral != nil {
		p.WatchOuts = append(p.WatchOuts, Item{Text: in.Referral.Message, Cites: []int{}})
	}
	if sig != nil && sig.Next != nil && sig.Next.Style != nil {
		style := *sig.Next.Style
		// The style's own guidance first, then listening for "listen".
		secs := []string{sectionAvoid, sectionPractice, sectionMisconception, sectionOther}
		src := pick(in.Sources, secs, "response-style")
		if src == nil && style == "listen" {
			src = pick(in.Sources, secs, "listening")
		}
		p.WatchOuts = append(p.WatchOuts, citeFirst(cite, src, msg(lang, "watch.style."+style)))
		for _, st := range sig.Styles {
			if st.Style == style && st.Match.Matched != nil && *st.Match.Matched < 0.6 {
				p.WatchOuts = append(p.WatchOuts, Item{Text: msg(lang, "watch.match", styleLabel(lang, style), st.Match.Ratings, *st.Match.Matched*100), Cites: []int{}})
			}
		}
	}
	for _, c := range in.Conflicts {
		text := msg(lang, "watch.plan", truncate(in.Question.String(), 80), msg(lang, "conflict."+c.Rule.topic))
		it := cite.item(text, c.Source, c.Quote)
		p.WatchOuts = append(p.WatchOuts, it)
		p.conflicts = append(p.conflicts, it)
	}
	if sig != nil && len(sig.LastReflection) > 0 {
		for _, a := range sig.LastReflection {
			if !a.Answer.Empty() {
				p.WatchOuts = append(p.WatchOuts, Item{Text: msg(lang, "watch.reflection", truncate(a.Answer.String(), 160)), Cites: []int{}})
				break
			}
		}
	}
	if in.Referral == nil {
		for _, b := range roundRobin(in.Sources, sectionAvoid, maxAvoid) {
			p.WatchOuts = append(p.WatchOuts, cite.item(b.text, b.n, b.text))
		}
	}

	// Follow-ups: the open actions, oldest first.
	if sig != nil {
		for _, a := range sig.OpenActions {
			extra := ""
			if a.DueDate != nil {
				extra = msg(lang, "followup.due", *a.DueDate)
			}
			if a.Overdue {
				extra += msg(lang, "followup.overdue")
			}
			text := msg(lang, "followup.item", a.Text, msg(lang, "owner."+a.Owner), a.AgeDays, extra)
			if a.AgeDays == 0 {
				text = msg(lang, "followup.item.today", a.Text, msg(lang, "owner."+a.Owner), extra)
			}
			p.FollowUps = append(p.FollowUps, Item{Text: text, Cites: []int{}})
		}
	}
	p.Citations = cite.citations()
	return p
}

// actionsSummary counts the open actions, and the overdue ones if any.
func actionsSummary(lang string, actions []history.OpenAction) string {
	overdue := 0
	for _, a := range actions {
		if a.Overdue {
			overdue++
		}
	}
	if overdue == 0 {
		return msg(lang, "summary.actions.ontime", len(actions))
	}
	return msg(lang, "summary.actions", len(actions), overdue)
}

// citeFirst makes an item citing src's first list item, or no citation
// when src is nil.
func citeFirst(c *citer, src *Source, text string) Item {
	if src == nil {
		return Item{Text: text, Cites: []int{}}
	}
	quote := ""
	if bs := bullets(src.Hit.Text); len(bs) > 0 {
		quote = bs[0]
	}
	return c.item(text, src.N, quote)
}

type bullet struct {
	n    int
	text string
}

// roundRobin takes list items from the sources of one section, the first
// of each source, then the second, and so on: several documents' voices
// rather than one document's whole list.
func roundRobin(sources []Source, section string, limit int) []bullet {
	var lists [][]bullet
	for _, s := range sources {
		if s.Section != section {
			continue
		}
		var l []bullet
		for _, b := range bullets(s.Hit.Text) {
			l = append(l, bullet{s.N, b})
		}
		lists = append(lists, l)
	}
	var out []bullet
	seen := map[string]bool{}
	for i := 0; len(out) < limit; i++ {
		added := false
		for _, l := range lists {
			if i < len(l) && len(out) < limit {
				added = true
				if !seen[l[i].text] {
					seen[l[i].text] = true
					out = append(out, l[i])
				}
			}
		}
		if !added {
			break
		}
	}
	return out
}

// String renders a plan as text, for a stream and for logs of shape.
func (p Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", p.Summary)
	for _, sec := range []struct {
		name  string
		items []Item
	}{{"agenda", p.Agenda}, {"questions", p.Questions}, {"watch_outs", p.WatchOuts}, {"follow_ups", p.FollowUps}} {
		if len(sec.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n[%s]\n", sec.name)
		for _, it := range sec.items {
			fmt.Fprintf(&b, "- %s\n", it.Text)
		}
	}
	return b.String()
}

// referralPlan is the plan when the member's situation is one the coach
// does not coach on: the referral alone, what to do now and who to
// involve, with no guidance and no questions. The manager can still log the
// 1on1 and its actions.
func referralPlan(in prepInput) Plan {
	p := Plan{Mode: ModeOffline, Language: in.Lang, Summary: in.Referral.Message, Agenda: []Item{}, Questions: []Item{},
		WatchOuts: []Item{}, FollowUps: []Item{}, Citations: []Citation{}, Referral: in.Referral}
	for _, s := range in.Referral.Steps {
		p.WatchOuts = append(p.WatchOuts, Item{Text: s, Cites: []int{}})
	}
	if in.Signals != nil {
		p.MemberID = in.Signals.MemberID
	}
	return p
}
