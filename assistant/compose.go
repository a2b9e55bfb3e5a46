package assistant

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
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
	NoGuidance       bool `json:"no_guidance"`
	DroppedCitations int  `json:"dropped_citations"`
	// UnsupportedDropped counts a model's sentences left out because every
	// source they cited was invented.
	UnsupportedDropped int    `json:"unsupported_dropped"`
	Language           string `json:"language"`

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

// conflict is a stated plan that a document warns against, with the
// source to cite (0 when none was found).
type conflict struct {
	Check  knowledge.DocumentCheck
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

// styleWords name each requested style in guidance, so a style's
// watch-out cites the guidance on that style, not another's.
var styleWords = map[string]*regexp.Regexp{
	"listen":         regexp.MustCompile(`(?i)聴いて|聞いてほしい|傾聴|聞き役|just listen|listen`),
	"advise":         regexp.MustCompile(`(?i)助言|アドバイス|advice|advise`),
	"think-together": regexp.MustCompile(`(?i)一緒に考え|think (it through )?together`),
	"encourage":      regexp.MustCompile(`(?i)励まし|励ます|encourag`),
	"decide":         regexp.MustCompile(`(?i)判断|決めて|decide|decision`),
	"report":         regexp.MustCompile(`(?i)報告|report`),
}

// pickStyle is pick for a style's response-style guidance: the source
// whose title or heading names the style first, else any on the topic.
func pickStyle(sources []Source, sections []string, style string) *Source {
	if re := styleWords[style]; re != nil {
		for _, sec := range sections {
			for i := range sources {
				s := &sources[i]
				if s.Section == sec && slices.Contains(s.Hit.Topics, "response-style") &&
					re.MatchString(s.Hit.Title+" "+strings.Join(s.Hit.HeadingPath, " ")) {
					return s
				}
			}
		}
	}
	return pick(sources, sections, "response-style")
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
// it; items from the history stand on the history. Citations are numbered
// in the order the plan first uses them.
func composePrep(in prepInput) Plan {
	if in.Referral != nil {
		return referralPlan(in)
	}
	cite := newCiter(in.Sources)
	p := Plan{Mode: ModeOffline, Language: in.Lang, NoGuidance: len(in.Sources) == 0,
		Summary:   strings.Join(prepSummary(in), " "),
		Agenda:    prepAgenda(in, cite),
		Questions: prepQuestions(in, cite),
		WatchOuts: []Item{}, FollowUps: prepFollowUps(in)}
	if in.Signals != nil {
		p.MemberID = in.Signals.MemberID
	}
	p.WatchOuts, p.conflicts = prepWatchOuts(in, cite)
	p.Citations = cite.citations()
	renumber(p.Citations, p.Agenda, p.Questions, p.WatchOuts, p.FollowUps)
	return p
}

// prepSummary is what the member asked for and what the history shows.
func prepSummary(in prepInput) []string {
	lang, sig := in.Lang, in.Signals
	if sig == nil {
		return nil
	}
	var summary []string
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
	if sig.Held < 2 && len(sig.LastSessions) < 2 {
		summary = append(summary, msg(lang, "summary.new", sig.Alias))
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
	if len(sig.LastSessions) > 0 && !sig.LastSessions[0].Notes.Empty() {
		summary = append(summary, msg(lang, "summary.lastnotes", truncate(sig.LastSessions[0].Notes.String(), 120)))
	}
	if r := sig.Implementation; r != nil && *r < 0.8 && sig.Planned >= 3 {
		summary = append(summary, msg(lang, "summary.impl", *r*100, sig.Planned, sig.Held))
	}
	return summary
}

// prepAgenda is the order of the meeting: check in, the manager's own
// promises, what was done, what the member asked for, the open actions,
// the manager's question, what to practise, and the close.
func prepAgenda(in prepInput, cite *citer) []Item {
	lang, sig := in.Lang, in.Signals
	agenda := []Item{checkIn(in, cite)}
	pdca := pick(in.Sources, []string{sectionPractice, sectionNext, sectionOther}, "pdca")
	if sig != nil {
		agenda = append(agenda, continuity(lang, sig)...)
		// The member's words are in the summary already: the agenda
		// points to them rather than repeat them.
		if n := sig.Next; n != nil && !n.Request.Empty() {
			agenda = append(agenda, Item{Text: msg(lang, "agenda.request.own"), Cites: []int{}})
		} else if n != nil && len(n.Topics) > 0 {
			agenda = append(agenda, Item{Text: msg(lang, "agenda.request.topics", topicLabels(lang, n.Topics)), Cites: []int{}})
		}
		if it, ok := stylePrep(lang, sig); ok {
			agenda = append(agenda, it)
		}
		if len(sig.OpenActions) > 0 {
			agenda = append(agenda, citeFirst(cite, pdca, msg(lang, "agenda.followup", len(sig.OpenActions))))
		}
		var asked []string
		if sig.Next != nil {
			asked = sig.Next.Topics
		}
		for _, t := range sig.RecurringTopics {
			if !slices.Contains(asked, t.Topic) {
				agenda = append(agenda, Item{Text: msg(lang, "agenda.recurring", topicLabel(lang, t.Topic), t.Sessions), Cites: []int{}})
				break
			}
		}
	}
	// A question the manager brings is on the agenda; a plan is weighed
	// (watch-outs), not echoed.
	if !in.Question.Empty() && isQuestion(in.Question.String()) && len(in.Conflicts) == 0 {
		agenda = append(agenda, Item{Text: msg(lang, "agenda.question", truncate(in.Question.String(), questionRunes)), Cites: []int{}})
	}
	n := 0
	for _, s := range in.Sources {
		if s.Section != sectionPractice || !s.Found || n >= maxPractice {
			continue
		}
		if bs := bullets(s.Hit.Text); len(bs) > 0 {
			agenda = append(agenda, cite.item(msg(lang, "agenda.practice", lead(bs[0])), s.N, bs[0]))
			n++
		}
	}
	if asked("listen")(sig) {
		// A member who asked to be listened to is not sent off with tasks.
		return append(agenda, Item{Text: msg(lang, "agenda.close.listen"), Cites: []int{}})
	}
	return append(agenda, citeFirst(cite, pdca, msg(lang, "agenda.close")))
}

// checkIn opens the meeting: on the member's condition when it fell or is
// low (saying which, as the history shows it).
func checkIn(in prepInput, cite *citer) Item {
	lang, sig := in.Lang, in.Signals
	if sig == nil {
		return Item{Text: msg(lang, "agenda.checkin"), Cites: []int{}}
	}
	src := pick(in.Sources, []string{sectionPractice, sectionQuestions, sectionOther}, "wellbeing")
	switch {
	case sig.Condition.Change == "down":
		return citeFirst(cite, src, msg(lang, "agenda.checkin.down", conditionPath(sig.Condition.Values)))
	case sig.Condition.Latest != nil && *sig.Condition.Latest <= 2:
		return citeFirst(cite, src, msg(lang, "agenda.checkin.low", *sig.Condition.Latest))
	}
	return Item{Text: msg(lang, "agenda.checkin"), Cites: []int{}}
}

// stylePrep is what to prepare for the response the member asked for:
// options for advice, the call for a decision, a named action for
// encouragement.
func stylePrep(lang string, sig *history.Signals) (Item, bool) {
	if sig.Next == nil || sig.Next.Style == nil || *sig.Next.Style == "listen" {
		return Item{}, false
	}
	style := *sig.Next.Style
	if style == "encourage" {
		for _, a := range sig.DoneActions {
			if a.Owner == "member" {
				return Item{Text: msg(lang, "agenda.style.encourage.done", truncate(a.Text.String(), 60)), Cites: []int{}}, true
			}
		}
	}
	return Item{Text: msg(lang, "agenda.style."+style), Cites: []int{}}, true
}

// continuity carries the last 1on1s into this one: the manager's own open
// promises first (a member notices a promise kept or not), then what the
// member completed.
func continuity(lang string, sig *history.Signals) []Item {
	var out []Item
	for _, a := range sig.OpenActions {
		if a.Owner != "manager" || len(out) >= 2 {
			continue
		}
		key := "agenda.promise"
		if a.Overdue {
			key = "agenda.promise.overdue"
		}
		out = append(out, Item{Text: msg(lang, key, truncate(a.Text.String(), 80), a.AgeDays), Cites: []int{}})
	}
	for i, a := range sig.DoneActions {
		if i == 2 {
			break
		}
		key := "agenda.done"
		if a.Owner == "manager" {
			key = "agenda.done.manager"
		}
		out = append(out, Item{Text: msg(lang, key, truncate(a.Text.String(), 80)), Cites: []int{}})
	}
	return out
}

// prepQuestions are the guidance's own questions that fit the moment,
// open ones first, best sources first.
func prepQuestions(in prepInput, cite *citer) []Item {
	var candidates []bullet
	for _, b := range roundRobin(in.Sources, sectionQuestions, maxQuestions*3) {
		if fitsMoment(b.text, in.Signals) {
			candidates = append(candidates, b)
		}
	}
	// Open questions first; among them, those from guidance on what the
	// member asked to talk about, or on the response they asked for.
	rank := func(b bullet) int {
		r := topicFit(in.Sources[b.n-1], in.Signals)
		if openQuestion.MatchString(b.text) {
			r += 10
		}
		return r
	}
	slices.SortStableFunc(candidates, func(x, y bullet) int { return cmp.Compare(rank(y), rank(x)) })
	questions := []Item{}
	for _, b := range candidates {
		if len(questions) == maxQuestions {
			break
		}
		questions = append(questions, cite.item(unquote(b.text), b.n, b.text))
	}
	return questions
}

// topicFit is how closely a source speaks to this member's next 1on1: 2
// for a topic they chose, 1 for guidance on the response they asked for.
func topicFit(s Source, sig *history.Signals) int {
	if sig == nil || sig.Next == nil {
		return 0
	}
	if slices.ContainsFunc(sig.Next.Topics, func(t string) bool { return slices.Contains(s.Hit.Topics, t) }) {
		return 2
	}
	if st := sig.Next.Style; st != nil && styleWords[*st] != nil && styleWords[*st].MatchString(s.Hit.Title) {
		return 1
	}
	return 0
}

// openQuestion asks what, how or which, not yes or no.
var openQuestion = regexp.MustCompile(`(?i)何|どう|どんな|どの|どこ|どれ|なぜ|いつ|誰|\b(what|how|which|where|when|who|why)\b`)

var (
	// afterMeeting are questions for after a 1on1, not before it.
	afterMeeting = regexp.MustCompile(`今日の1on1|今日は|すっきり|事前に読|話してみて|today's|today|this meeting|did (?:this|it) help|how did (?:this|that) go`)
	// askedStyle are questions that presume a requested style.
	askedStyle = map[string]*regexp.Regexp{
		"listen": regexp.MustCompile(`(?i)聴いて|聞いてほしい|聞くだけ|just listen`),
		"advise": regexp.MustCompile(`(?i)助言がほしい|アドバイスがほしい|want (?:my )?advice`),
	}
	// offersView leads to the manager's view or a fix: not for a member
	// who asked to be listened to. handsBack returns the choice to the
	// member: not for one who asked the manager to decide.
	offersView = regexp.MustCompile(`(?i)私の(考え|意見|見方)|アドバイス|助言|解決策|どうすれば(解決|よくな)|my (view|advice|take|suggestion)|share my|what should you do`)
	handsBack  = regexp.MustCompile(`(?i)どうしたい|あなたなら|どちらを選|自分で決め|what would you (choose|decide|do)|your call|which would you pick`)
	// sinceLastTime are questions about a previous 1on1.
	sinceLastTime = regexp.MustCompile(`(?i)前回|この前の1on1|last time|last 1on1|since we last`)
)

// fitsMoment reports whether a guidance question suits a prep for this
// member: before the meeting, in the style they asked for, about a past
// 1on1 only when there was one.
func fitsMoment(q string, sig *history.Signals) bool {
	if afterMeeting.MatchString(strings.ToLower(q)) {
		return false
	}
	style := ""
	if sig != nil && sig.Next != nil && sig.Next.Style != nil {
		style = *sig.Next.Style
	}
	for st, re := range askedStyle {
		if st != style && re.MatchString(q) {
			return false
		}
	}
	if style == "listen" && offersView.MatchString(q) || style == "decide" && handsBack.MatchString(q) {
		return false
	}
	// Templates with blanks to fill (〇〇さん) read as unfinished text.
	if strings.ContainsAny(q, "〇○") || strings.Contains(q, "XX") {
		return false
	}
	return !(sinceLastTime.MatchString(q) && (sig == nil || len(sig.LastSessions) == 0))
}

// situationWords says in the member's terms why a plan check applies to
// them: the situations it names, as this member's history shows them.
func situationWords(lang string, when []string, sig *history.Signals) string {
	if sig == nil {
		return ""
	}
	var parts []string
	for _, w := range when {
		switch w {
		case "asked-to-listen", "asked-for-advice", "asked-to-think-together", "asked-for-encouragement", "asked-to-decide", "asked-to-report":
			if sig.Next != nil && sig.Next.Style != nil {
				parts = append(parts, msg(lang, "situation.asked", styleLabel(lang, *sig.Next.Style)))
			}
		case "condition-falling":
			if v := sig.Condition.Values; len(v) > 0 {
				parts = append(parts, msg(lang, "situation.condition-falling", conditionPath(v)))
			}
		case "avoids-challenges", "new-member":
			parts = append(parts, msg(lang, "situation."+w))
		case "manager-promise-open":
			for _, a := range sig.OpenActions {
				if a.Owner == "manager" {
					parts = append(parts, msg(lang, "situation.manager-promise-open", truncate(a.Text.String(), 40)))
					break
				}
			}
		}
	}
	return strings.Join(parts, msg(lang, "list.sep"))
}

// prepWatchOuts are the cautions: the requested style, patterns in the
// history, the stated plan against the guidance, and what to avoid.
func prepWatchOuts(in prepInput, cite *citer) (watch, conflicts []Item) {
	lang, sig := in.Lang, in.Signals
	watch = []Item{}
	if len(in.Sources) == 0 {
		watch = append(watch, Item{Text: msg(lang, "noguidance"), Cites: []int{}})
	}
	for _, c := range in.Conflicts {
		text := msg(lang, "watch.plan", c.Check.Watch)
		if why := situationWords(lang, c.Check.When, sig); why != "" {
			text = msg(lang, "watch.plan.why", why, c.Check.Watch)
		}
		it := cite.item(text, c.Source, c.Quote)
		watch = append(watch, it)
		// The model's answer keeps these with the sources' numbers (see
		// llmPlan): a copy, left alone by renumber.
		conflicts = append(conflicts, Item{Text: it.Text, Cites: slices.Clone(it.Cites)})
	}
	if q := in.Question.String(); len(in.Conflicts) == 0 && !in.Question.Empty() && !isQuestion(q) {
		// A stated plan the checks found nothing against is still weighed
		// aloud: the manager sees it was read.
		if sig != nil && sig.Next != nil && sig.Next.Style != nil {
			watch = append(watch, Item{Text: msg(lang, "watch.plan.ok", truncate(q, 80), styleLabel(lang, *sig.Next.Style)), Cites: []int{}})
		} else {
			watch = append(watch, Item{Text: msg(lang, "watch.plan.ok.nostyle", truncate(q, 80)), Cites: []int{}})
		}
	}
	if sig != nil && sig.Next != nil && sig.Next.Style != nil {
		style := *sig.Next.Style
		// The style's own guidance first, then listening for "listen".
		secs := []string{sectionAvoid, sectionPractice, sectionMisconception, sectionOther}
		src := pickStyle(in.Sources, secs, style)
		if src == nil && style == "listen" {
			src = pick(in.Sources, secs, "listening")
		}
		watch = append(watch, citeFirst(cite, src, msg(lang, "watch.style."+style)))
		for _, st := range sig.Styles {
			if st.Style == style && st.Match.Matched != nil && *st.Match.Matched < 0.6 {
				watch = append(watch, Item{Text: msg(lang, "watch.match", styleLabel(lang, style), st.Match.Ratings, *st.Match.Matched*100), Cites: []int{}})
			}
		}
	}
	if sig != nil {
		if sig.AdvisedDespiteListen {
			src := pick(in.Sources, []string{sectionAvoid, sectionPractice, sectionOther}, "listening", "response-style")
			watch = append(watch, citeFirst(cite, src, msg(lang, "watch.advised")))
		}
		if sig.StatusStreak >= 3 {
			src := pick(in.Sources, []string{sectionPractice, sectionMisconception, sectionOther}, "basics")
			watch = append(watch, citeFirst(cite, src, msg(lang, "watch.status", sig.StatusStreak)))
		}
		for _, a := range sig.LastReflection {
			if !a.Answer.Empty() {
				watch = append(watch, Item{Text: msg(lang, "watch.reflection", truncate(a.Answer.String(), 160)), Cites: []int{}})
				break
			}
		}
	}
	// What the guidance says to avoid reads as an instruction when quoted
	// bare: it is labelled.
	for _, b := range roundRobin(in.Sources, sectionAvoid, maxAvoid) {
		watch = append(watch, cite.item(msg(lang, "watch.avoid", b.text), b.n, b.text))
	}
	return dedupe(watch), conflicts
}

// prepFollowUps are the open actions, the manager's first, oldest first.
func prepFollowUps(in prepInput) []Item {
	lang, sig := in.Lang, in.Signals
	out := []Item{}
	if sig == nil {
		return out
	}
	actions := slices.Clone(sig.OpenActions)
	slices.SortStableFunc(actions, func(a, b history.OpenAction) int {
		return cmp.Compare(ownerRank(a.Owner), ownerRank(b.Owner))
	})
	for _, a := range actions {
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
		out = append(out, Item{Text: text, Cites: []int{}})
	}
	return out
}

func ownerRank(owner string) int {
	if owner == "manager" {
		return 0
	}
	return 1
}

// dedupe drops an item whose text (without its citation) came before.
func dedupe(items []Item) []Item {
	seen := map[string]bool{}
	out := items[:0]
	for _, it := range items {
		key := strings.TrimSpace(citeRE.ReplaceAllString(it.Text, ""))
		if !seen[key] {
			seen[key] = true
			out = append(out, it)
		}
	}
	return out
}

// renumber numbers an offline answer's citations 1, 2, 3… in the order
// they are listed, rewriting the markers in its items: the sources it did
// not use leave no gaps. (A plan's conflicts keep the sources' numbers
// for a model's answer.)
func renumber(citations []Citation, lists ...[]Item) {
	to := map[int]int{}
	for i := range citations {
		to[citations[i].N] = i + 1
		citations[i].N = i + 1
	}
	for _, items := range lists {
		for i := range items {
			for j, n := range items[i].Cites {
				items[i].Cites[j] = to[n]
			}
			items[i].Text = citeRE.ReplaceAllStringFunc(items[i].Text, func(m string) string {
				var out []string
				for _, n := range citeNumbers(citeRE.FindStringSubmatch(m)[1]) {
					out = append(out, strconv.Itoa(to[n]))
				}
				return "[" + strings.Join(out, ", ") + "]"
			})
		}
	}
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

// citeFirst makes an item citing src's first list item of substance (not
// a one-word label such as "Do."), or no citation when src is nil.
func citeFirst(c *citer, src *Source, text string) Item {
	if src == nil {
		return Item{Text: text, Cites: []int{}}
	}
	quote := ""
	for _, b := range bullets(src.Hit.Text) {
		if utf8.RuneCountInString(strings.Trim(b, ".。 ")) > 6 {
			quote = b
			break
		}
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
