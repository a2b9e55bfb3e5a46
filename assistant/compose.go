package assistant

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
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

	// conflicts are the watch-outs kept in both modes, whatever a model
	// writes: those on a stated plan that runs against the guidance, and a
	// vague referral's notice.
	conflicts []Item
}

// prepInput is everything the offline composer and the prompt use.
type prepInput struct {
	Lang     string
	Signals  *history.Signals
	Question anonymize.Text
	Sources  []Source
	// Reserve are the other sections of the documents found, after
	// Sources: a fixed line of the plan (the close of a listening 1on1,
	// preparing encouragement) cites the passage saying it from there when
	// no query happened to find it. Only the offline composer reads them.
	Reserve  []Source
	Referral *Referral
	// Kinds are the kinds of plan the question states (none: it asks),
	// with those of each of its Steps.
	Kinds []string
	Steps []planStep
	// Said is each sentence of a plan not given as a list, with its
	// kinds: the one a check weighs is quoted when no pattern names it.
	Said      []planStep
	Conflicts []conflict
	// Fits are the checks that support the stated plan, when none warns
	// against it.
	Fits []conflict

	fit []int  // per source (by N-1), set by composePrep: see scoreFit
	own []bool // the same: whether the fit is the source's own subject
	// context is the substance of what the member and the manager wrote
	// (memberContext), set by composePrep: guidance lines are ranked by it.
	context map[string]bool
}

// conflict is a stated plan that a document warns against, with the
// source to cite (0 when none was found).
type conflict struct {
	Check  knowledge.DocumentCheck
	Source int
	Quote  string
}

const (
	maxDone        = 3 // the member's done actions acknowledged by name
	maxAvoid       = 2
	maxPractice    = 2
	requestRunes   = 200
	planRunes      = 100 // of the manager's plan, quoted back
	planRunesLatin = 200
)

// citer collects the citations of an answer: one per source, quoting the
// first passage used from it.
type citer struct {
	sources []Source
	style   string // the response the member asked for: no quote says the opposite
	ids     map[citeKey]int
	quote   map[int]string // by citation id
	source  map[int]int    // the source number of each citation id
	next    int            // the next id for a second passage of a source
}

// citeKey is a passage of a source: a plan that draws two lines from one
// source cites each with its own passage, not the first one twice.
type citeKey struct {
	n     int
	quote string
}

func newCiter(sources []Source) *citer {
	return &citer{sources: sources, ids: map[citeKey]int{}, quote: map[int]string{}, source: map[int]int{}, next: len(sources) + 1}
}

// item makes an item from text citing source n with passage quote (n 0:
// no citation). A source's first passage is cited by the source's number,
// another by a number after the sources' (renumber numbers them all).
func (c *citer) item(text string, n int, quote string) Item {
	if n <= 0 || n > len(c.sources) {
		return Item{Text: text, Cites: []int{}}
	}
	if quote == "" {
		quote = excerpt(c.sources[n-1].Hit.Text)
	}
	k := citeKey{n, quote}
	id, ok := c.ids[k]
	if !ok {
		id = n
		if _, used := c.source[n]; used {
			id, c.next = c.next, c.next+1
		}
		c.ids[k], c.quote[id], c.source[id] = id, quote, n
	}
	return Item{Text: text + " [" + strconv.Itoa(id) + "]", Cites: []int{id}}
}

// leadCited reports whether a passage cited already opens on what t's
// first sentence says ("Explain the purpose first." cited, "Explain the
// purpose out loud." would say it again).
func (c *citer) leadCited(t string) bool {
	lead := func(s string) map[string]bool {
		if ss := knowledge.Sentences(s); len(ss) > 0 {
			s = ss[0]
		}
		return substance(s)
	}
	tl := lead(t)
	for _, q := range c.quote {
		if shared, of := inShorter(tl, lead(q)); shared >= 2 && float64(shared) >= 0.6*float64(of) {
			return true
		}
	}
	return false
}

// quoted reports whether passage quote of source n is cited already.
func (c *citer) quoted(n int, quote string) bool {
	_, ok := c.ids[citeKey{n, quote}]
	return ok
}

// citations are the passages cited, in the order of their sources.
func (c *citer) citations() []Citation {
	out := []Citation{}
	ids := slices.Collect(maps.Keys(c.source))
	slices.SortFunc(ids, func(a, b int) int { return cmp.Or(cmp.Compare(c.source[a], c.source[b]), cmp.Compare(a, b)) })
	for _, id := range ids {
		ct := citationOf(c.sources[c.source[id]-1], c.quote[id])
		ct.N = id // renumber numbers them 1, 2, 3…
		out = append(out, ct)
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

// foils are the responses each requested style is mistaken for: what
// to avoid for a member who asked to be listened to is advice, for one who
// asked for a decision, handing it back to think together.
var foils = map[string][]string{
	"listen":         {"advise"},
	"advise":         {"listen"},
	"think-together": {"decide", "advise"},
	"encourage":      {"advise"},
	"decide":         {"think-together"},
	"report":         {"advise"},
}

// otherStyle reports whether line speaks of response styles and not of
// the one the member asked for this time (nor, withFoils, of its foils):
// "Switching from listening to advice…" read to a manager asked for a
// decision.
func otherStyle(sig *history.Signals, line string, withFoils bool) bool {
	if sig == nil || sig.Next == nil || sig.Next.Style == nil {
		return false
	}
	style := *sig.Next.Style
	named := false
	for s, re := range styleWords {
		if !re.MatchString(line) {
			continue
		}
		if s == style || withFoils && slices.Contains(foils[style], s) {
			return false
		}
		named = true
	}
	return named
}

// pickStyle is pick for a style's response-style guidance: the source
// whose title or heading names the style first, else any on the topic.
func pickStyle(sources []Source, sections []string, style string) *Source {
	return pickNamed(sources, sections, styleWords[style], "response-style")
}

// pickNamed is pick for guidance on topic whose title or heading matches
// re (nil: any), else any on the topic: the follow-up guidance for a
// promise, not the PDCA cycle's "Plan".
func pickNamed(sources []Source, sections []string, re *regexp.Regexp, topic string) *Source {
	if re != nil {
		for _, sec := range sections {
			for i := range sources {
				s := &sources[i]
				if s.Section == sec && slices.Contains(s.Hit.Topics, topic) &&
					re.MatchString(s.Hit.Title+" "+strings.Join(s.Hit.HeadingPath, " ")) {
					return s
				}
			}
		}
	}
	return pick(sources, sections, topic)
}

// pickSaying is the first source, by section order, whose passage says
// what re matches; nil when none does (no citation rather than one beside
// the point).
func pickSaying(sources []Source, sections []string, re *regexp.Regexp) *Source {
	for _, sec := range sections {
		for i := range sources {
			if s := &sources[i]; s.Section == sec && re.MatchString(s.Hit.Text) {
				return s
			}
		}
	}
	return nil
}

// nextStepWords name the guidance on agreeing the next step (not any
// "by when": 「いつまでに決めるのか」, "what decision is needed and by
// when" are about the goal of a talk).
var nextStepWords = regexp.MustCompile(`(?i)次の一歩|誰が.{0,6}何を|担当と期日|next steps?\b|who does what`)

// opposite are passages that say the opposite of the response a member
// asked for: 「判断は本人に戻す」 quoted for "give your decision", or
// "hold back your solutions" for advice, reads as the guidance
// contradicting the line it backs.
var opposite = map[string]*regexp.Regexp{
	"decide": regexp.MustCompile(`(?i)本人に(?:戻|返|委ね|任せ|決めて)|決めるのは本人|判断を(?:本人に|返)|` +
		`hand (?:it|the (?:decision|choice|question|call)) back|leave (?:the )?(?:choice|decision|call) (?:to|with)|let (?:them|the member) (?:decide|choose)|` +
		// Sorting it out together is the response they did not ask for.
		`一緒に(?:考え|決め|整理|洗い出|並べ|選)|\btogether\b`),
	"advise": regexp.MustCompile(`(?i)(?:解決策|助言|アドバイス|経験談|答え)[^。]{0,12}(?:控え|しない|口にしない|我慢|飲み込)|` +
		`hold (?:back|off) (?:on )?(?:your |the )?(?:advice|solutions?|fixes)|fixing reflex|let (?:it|the (?:fix|solution)) go|don'?t (?:offer|give) (?:advice|solutions)`),
	// A member who asked to be listened to is not sent off with a plan
	// either ("End by asking what they will do next").
	"listen": regexp.MustCompile(`(?i)(?:助言|アドバイス|解決策|選択肢)を(?:示|伝え|出|用意)|give (?:your )?(?:advice|options)|offer (?:a )?(?:solutions?|options|fix)|` +
		`what (?:they|you) will do next|close with their plan|次に(?:何を)?(?:する|やる)ことを(?:聞|決め)|次の一歩を(?:本人に)?(?:聞|決め)|` +
		`(?:こと|もの|優先順位)(?:まで|を|も)決め|decide what to (?:drop|stop|cut|let go)|\bagree (?:on )?(?:what|which)\b`),
	"think-together": regexp.MustCompile(`(?i)(?:結論|答え|判断)を(?:伝え|示|渡|出す)|tell them (?:the answer|what to do)|give (?:them )?your (?:answer|decision)`),
	"report":         regexp.MustCompile(`(?i)(?:状況|進捗)の共有は1on1の外|進捗[^。]{0,10}事前に|(?:status|progress)(?: updates?)? out of the 1on1|outside the 1on1`),
	// Encouragement is about what they did: goals to set and the next try
	// ask for more ("the end of the half-year", "worth trying").
	"encourage": aheadAsk,
}

// aheadAsk looks ahead to goals and the next try.
var aheadAsk = regexp.MustCompile(`(?i)半期|目標を(?:立て|決め|書)|次の(?:挑戦|目標)|やってみる価値|half-year|worth trying|next (?:challenge|goal)|stretch goal|objectives?\b`)

// opposes reports whether passage says the opposite of style's response.
func opposes(style, passage string) bool {
	re := opposite[style]
	return re != nil && re.MatchString(passage)
}

// clip is s, folded and quoted whole when it is not much longer than runes
// (half as many again for text without Japanese), otherwise cut where a clause
// or a word ends: a quote cut mid-word ("numb…", "fro…") reads broken.
func clip(s string, runes int) string {
	return cut(strings.Join(strings.Fields(s), " "), runes, runes*3/2)
}

// runesOfText is the length of s as the cut functions weigh it: a Latin
// letter carries less than a kanji, so text without Japanese counts half.
func runesOfText(s string) int {
	if strings.ContainsFunc(s, japanese) {
		return utf8.RuneCountInString(s)
	}
	return utf8.RuneCountInString(s) / 2
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

// styleProse is the response a member asked for as a sentence says it
// ("to be listened to"): the form's label in quotes reads as their words.
func styleProse(lang, style string) string { return msg(lang, "style.prose."+style) }

func conditionPath(vs []int) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, "→")
}

// topicLabels names the topics a member picked in the member's words
// ("Trying something new, growing", not the taxonomy's "Members who avoid
// challenges").
func topicLabels(lang string, slugs []string) string {
	return strings.Join(topicNames(lang, slugs), msg(lang, "list.sep"))
}

// topicNames are topicLabels one by one.
func topicNames(lang string, slugs []string) []string {
	labels := make([]string, len(slugs))
	for i, s := range slugs {
		labels[i] = topicLabel(lang, s)
		for _, t := range knowledge.MemberTopics {
			if t.Slug == s {
				labels[i] = t.JA
				if lang == "en" {
					// Quoted: "My work and goals" is the member's choice
					// on a form, not the coach's words.
					labels[i] = msg(lang, "quoted", t.EN)
				}
			}
		}
	}
	return labels
}

// composePrep is the offline composer: a deterministic plan from the
// signals and the retrieved guidance. Every item drawn from guidance cites
// it; items from the history stand on the history. Citations are numbered
// in the order the plan first uses them.
func composePrep(in prepInput) Plan {
	if in.Referral.Blocks(true) {
		return referralPlan(in)
	}
	in.fit, in.own = scoreFit(in)
	in.context = substance(memberContext(in))
	cite := newCiter(slices.Concat(in.Sources, in.Reserve))
	if sig := in.Signals; sig != nil && sig.Next != nil && sig.Next.Style != nil {
		cite.style = *sig.Next.Style
	}
	p := Plan{Mode: ModeOffline, Language: in.Lang, NoGuidance: len(in.Sources) == 0,
		Summary:   strings.Join(prepSummary(in), msg(in.Lang, "sentence.sep")),
		Agenda:    prepAgenda(in, cite),
		Questions: prepQuestions(in, cite),
		WatchOuts: []Item{}, FollowUps: prepFollowUps(in)}
	if in.Signals != nil {
		p.MemberID = in.Signals.MemberID
	}
	p.WatchOuts, p.conflicts = prepWatchOuts(in, cite, p.Agenda)
	if r := in.Referral; r != nil {
		// A vague or customer-harassment referral comes first, in both
		// modes, saying where; its steps and contacts are in the referral.
		places := make([]string, len(r.Places))
		for i, pl := range r.Places {
			places[i] = about(in.Lang, personOf(in.Signals), "place."+pl)
		}
		key := "watch.vague"
		if r.Customer {
			key = "watch.customer"
		}
		notice := Item{Text: msg(in.Lang, key, strings.Join(places, msg(in.Lang, "list.and"))), Cites: []int{}}
		p.Referral = r
		p.WatchOuts = append([]Item{notice}, p.WatchOuts...)
		p.conflicts = append([]Item{notice}, p.conflicts...)
	}
	p.Citations = cite.citations()
	p.Citations = renumber(p.Citations, p.Agenda, p.Questions, p.WatchOuts, p.FollowUps)
	return p
}

// prepSummary is what the member asked for and what the history shows.
func prepSummary(in prepInput) []string {
	lang, sig := in.Lang, in.Signals
	if sig == nil {
		return nil
	}
	summary := requestSummary(lang, sig)
	switch {
	case sig.Held == 0 && len(sig.LastSessions) == 0:
		summary = append(summary, about(lang, personOf(sig), "summary.new.none", sig.Alias))
	case sig.Held < 2 && len(sig.LastSessions) < 2:
		summary = append(summary, about(lang, personOf(sig), "summary.new", sig.Alias))
	}
	vs := sig.Condition.Values
	line, said := conditionMove(lang, sig)
	if line != "" {
		summary = append(summary, line)
	}
	// With no open action at all, "nothing overdue" is said by the line
	// that follows.
	quiet := len(sig.OpenActions) == 0 && len(sig.LastSessions) > 0
	switch {
	case calm(sig) && quiet && !said:
		summary = append(summary, about(lang, personOf(sig), "summary.calm.noactions", conditionPath(vs)))
		quiet = false // said
	case calm(sig) && said && !quiet:
		// The rise is said above; the path is not said twice.
		summary = append(summary, msg(lang, "summary.calm.up"))
	case calm(sig) && !quiet:
		// Saying so is honest too: a plan for a member doing well need not
		// look for a problem. It claims no more than it read (the ratings
		// behind the feedback figures may be too few to show).
		summary = append(summary, about(lang, personOf(sig), "summary.calm", conditionPath(vs)))
	}
	if len(sig.OpenActions) > 0 {
		summary = append(summary, actionsSummary(lang, sig.OpenActions))
	} else if quiet {
		summary = append(summary, msg(lang, "summary.noactions"))
	}
	summary = append(summary, recurring(lang, sig)...)
	summary = append(summary, cadenceSummary(in)...)
	// Asked why, or what the member thinks, the history can answer only
	// what happened: saying so keeps the plan from guessing.
	if q := in.Question.String(); len(sig.LastSessions) > 0 && len(in.Kinds) == 0 && asksWhy.MatchString(q) {
		summary = append(summary, about(lang, personOf(sig), "summary.unknown"))
	}
	return summary
}

// asksWhy is a question about reasons or the member's own view, which
// notes and ratings do not record: "what's going on with her",
// 「本音はどうなのか」.
var asksWhy = regexp.MustCompile(`(?i)\bwhy\b|what'?s (?:going on|behind|up with|bothering)|what is (?:going on|behind)|` +
	`how (?:does|do|is|are) (?:she|he|they) (?:feel|see|doing)|\bfeel(?:s|ing)? about|really (?:think|want|feel)|on (?:her|his|their) mind|` +
	`motivat|なぜ|どうして|何が(?:起き|あった|原因)|本音|気持ち|どう思って|考えているのか|何を考え|理由|原因|何があった|モチベーション|やる気`)

// steps counts the changes along a condition path (4→4→3→3 has one).
func steps(vs []int) int {
	n := 0
	for i := 1; i < len(vs); i++ {
		if vs[i] != vs[i-1] {
			n++
		}
	}
	return n
}

// calm reports whether nothing in the history points to a problem: a
// condition held at 3 or more over two 1on1s or more, nothing overdue or
// missed, no streak of reports only, no advice after a request to listen,
// answers rated as matching when there are enough to say.
func calm(sig *history.Signals) bool {
	l := sig.Condition.Latest
	return len(sig.Condition.Values) >= 2 && sig.Condition.Change != "down" && l != nil && *l >= 3 &&
		!slices.ContainsFunc(sig.OpenActions, func(a history.OpenAction) bool { return a.Overdue }) &&
		(sig.Feedback.Matched == nil || *sig.Feedback.Matched >= 0.75) && sig.MissedSinceLast == 0 &&
		sig.StatusStreak < 3 && !sig.AdvisedDespiteListen
}

// requestSummary is what the member asked for this time, or that they
// have not.
func requestSummary(lang string, sig *history.Signals) []string {
	n := sig.Next
	if n == nil || n.Style == nil && len(n.Topics) == 0 && n.Request.Empty() {
		return []string{about(lang, personOf(sig), "summary.norequest", sig.Alias)}
	}
	// One sentence of what they wrote, or else the topics they picked,
	// then the style: the form's topic labels beside their own words read
	// as a form filled in ("picked "Trying something new" and wrote…").
	var out []string
	switch text := clip(n.Request.String(), requestRunes); {
	case text != "":
		out = append(out, msg(lang, "summary.next.text", sig.Alias, text))
	case len(n.Topics) > 0:
		out = append(out, msg(lang, "summary.next.topics", sig.Alias, topicList(lang, n.Topics)))
	}
	switch {
	case n.Style != nil && len(out) == 0:
		out = append(out, msg(lang, "summary.next", sig.Alias, styleLabel(lang, *n.Style)))
	case n.Style != nil:
		out = append(out, about(lang, personOf(sig), "summary.next.style", about(lang, personOf(sig), "style.asked."+*n.Style)))
	}
	return out
}

// topicList is the topics a member picked, each quoted as the form words
// they are, in a sentence: 「A」と「B」, "A" and "B".
func topicList(lang string, slugs []string) string {
	labels := topicNames(lang, slugs)
	if lang != "en" {
		for i, l := range labels {
			labels[i] = msg(lang, "quoted", l)
		}
	}
	if len(labels) < 2 {
		return strings.Join(labels, "")
	}
	last := len(labels) - 1
	return strings.Join(labels[:last], msg(lang, "list.sep")) + msg(lang, "list.and") + labels[last]
}

// courtesy is a comment that only thanks or says all is well ("All
// good", 「ありがとうございました」): quoted back, it tells the manager
// nothing.
var courtesy = regexp.MustCompile(`(?i)^(?:(?:all )?good|all fine|fine|great|ok(?:ay)?|nice|thanks?(?: you)?(?: so much| a lot)?|cheers|no complaints|nothing to add|helpful|useful)[.!。！ ]*$|` +
	`^(?:ありがとうございました|ありがとうございます|よかったです|良かったです|助かりました|特に(?:なし|ありません)|大丈夫です|問題ありません)[。！!]*$`)

// cadenceSummary is when the last 1on1 was, what it noted, and the 1on1s
// that did not take place.
func cadenceSummary(in prepInput) []string {
	lang, sig := in.Lang, in.Signals
	var out []string
	if d := sig.DaysSinceLast; d != nil {
		switch c := sig.CadenceDays; {
		case c != nil && float64(*d) > 1.5**c && *d >= 10:
			out = append(out, msg(lang, "summary.gap", *d, *c))
		case *d == 0:
			out = append(out, msg(lang, "summary.last.today"))
		default:
			out = append(out, msg(lang, "summary.last", *d))
		}
	}
	if len(sig.LastSessions) > 0 && !sig.LastSessions[0].Notes.Empty() {
		out = append(out, msg(lang, "summary.lastnotes", noteGist(sig.LastSessions[0].Notes.String(), in)))
	}
	if c := sig.LastComment; c != nil && !c.Comment.Empty() && !courtesy.MatchString(strings.TrimSpace(c.Comment.String())) {
		// Said to be about the last 1on1 only when it is.
		key := "summary.comment"
		if len(sig.LastSessions) > 0 && c.SessionID == sig.LastSessions[0].ID {
			key = "summary.comment.last"
		}
		out = append(out, about(lang, personOf(sig), key, sentences(c.Comment.String(), 160, 240)))
	}
	if c := sig.SameStyleComment; c != nil && !c.Comment.Empty() {
		out = append(out, about(lang, personOf(sig), "summary.samestyle", c.DaysAgo, about(lang, personOf(sig), "style.asked."+c.Style), sentences(c.Comment.String(), 160, 240)))
	}
	if sig.Planned > sig.Held && sig.Held > 0 {
		out = append(out, msg(lang, "summary.missed", sig.Planned, sig.Planned-sig.Held, missedHow(lang, sig)))
	}
	return out
}

// missedHow says how the 1on1s that did not take place went: cancelled,
// skipped, or never logged as held. "Cancelled, skipped or never logged"
// for all of them leaves the manager to look up which.
func missedHow(lang string, sig *history.Signals) string {
	var parts []string
	for _, p := range []struct {
		key string
		n   int
	}{{"summary.missed.cancelled", sig.Cancelled}, {"summary.missed.skipped", sig.Skipped},
		{"summary.missed.unlogged", sig.Planned - sig.Held - sig.Cancelled - sig.Skipped}} {
		if p.n > 0 {
			parts = append(parts, msg(lang, p.key, p.n))
		}
	}
	return strings.Join(parts, msg(lang, "list.sep"))
}

// noteGist is what a plan quotes of the manager's notes: short notes
// whole, longer ones by the sentences that bear on this 1on1 (sharing
// most with the question, the member's request and comment), at most
// two, in their order. Notes pasted whole read as a copy, not a reading.
func noteGist(notes string, in prepInput) string {
	ss := noteSentences(notes)
	// A remark left open at the end has its own agenda item.
	if _, at, _ := leftOpen(notes); len(at) > 0 && len(at) < len(ss) {
		ss = slices.Delete(ss, at[0], at[len(at)-1]+1)
	}
	if len(ss) <= 2 && runesOfText(joinSentences(ss)) <= 120 {
		return joinSentences(ss)
	}
	words := substance(writtenFor(in))
	rank := make([]int, len(ss))
	for i, t := range ss {
		rank[i] = overlap(t, words)
		if personalNote.MatchString(t) {
			rank[i] += 2
		}
		// A figure ("Overtime now about 12h a week") and what is still
		// open ("Locum ad still not posted") carry more than a missed
		// 1on1, which the plan names on its own.
		if measure.MatchString(t) {
			rank[i] += 2
		}
		if stillOpen.MatchString(t) {
			rank[i]++
		}
		if cancelledNote.MatchString(t) {
			rank[i] -= 2
		}
	}
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rank[b], rank[a]) })
	keep, n := []int{}, 0
	for _, i := range order {
		if len(keep) == 2 || len(keep) > 0 && n+runesOfText(ss[i]) > 120 {
			break
		}
		keep, n = append(keep, i), n+runesOfText(ss[i])
	}
	slices.Sort(keep)
	out := make([]string, len(keep))
	for i, k := range keep {
		t := ss[k]
		if k > 0 && (i == 0 || keep[i-1] != k-1) {
			t = dropConnective(t) // what it joined to is not quoted
		}
		out[i] = clip(t, 120)
	}
	return joinSentences(out)
}

// conditionMove says how the member's condition moved, if it did, and
// whether the line says its path (so it is not said twice).
func conditionMove(lang string, sig *history.Signals) (line string, saysPath bool) {
	vs, c := sig.Condition.Values, sig.Condition.Change
	key := "summary.condition." + c
	switch n := len(vs); {
	case c == "steady" && n >= 2 && vs[n-1] != vs[n-2]:
		// A move too small to be a trend (4→3, 3→4→3) is still a move:
		// said as what happened at the last 1on1, never as a condition
		// that holds.
		key = "summary.condition." + map[bool]string{true: "up", false: "down"}[vs[n-1] > vs[n-2]] + ".last"
	case c != "down" && c != "up":
		return "", false
	// One step that held (4→4→3→3) is said as one step, not as a steady
	// fall.
	case steps(vs) == 1 && vs[n-1] != vs[n-2]:
		key += ".last" // 3→3→2: it changed at the last 1on1
	case steps(vs) == 1:
		key += ".step" // 4→4→3→3: one step that held
	}
	line = about(lang, personOf(sig), key, conditionPath(vs))
	// A fall says its path too, but the calm line does not follow it.
	return line, c != "down"
}

// commentOn is what the member said after a 1on1 that missed what they
// asked for, when it is about the matter a check's watch-out is about
// (「評価の話がちらついて…」 beside a warning on evaluation in a 1on1), and
// how many days ago that 1on1 was: the member's own evidence for a check
// that holds for anyone.
func commentOn(watch string, sig *history.Signals) (comment string, days int, ok bool) {
	if mc := sig.MissComment; mc != nil && shared(mc.Comment.String(), watch) > 0 {
		return mc.Comment.String(), mc.DaysAgo, true
	}
	return "", 0, false
}

// connective opens a sentence that leans on the one before it (「一方で」,
// "However,").
var connective = regexp.MustCompile(`(?i)^(?:一方で、?|一方、|また、|ただ、|ただし、|しかし、?|でも、|さらに、?|それから、?|その後、?|そのため、?|なので、?|(?:however|but|also|meanwhile|still|and|then|besides|on the other hand),?\s+)`)

// dropConnective is sentence without the connective it opens with.
func dropConnective(sentence string) string {
	loc := connective.FindStringIndex(sentence)
	if loc == nil || loc[1] >= len(sentence) {
		return sentence
	}
	rest := sentence[loc[1]:]
	r, n := utf8.DecodeRuneInString(rest)
	return string(unicode.ToUpper(r)) + rest[n:]
}

var (
	// measure is a figure with its unit: hours, cases, a share.
	measure = regexp.MustCompile(`(?i)[0-9０-９]+(?:[.．][0-9]+)?\s*(?:h\b|hours?|hrs?|時間|件|%|％|人|名|日|days?|weeks?|週|回|times|cases|calls|tickets)`)
	// stillOpen is what the notes say is not settled yet.
	stillOpen = regexp.MustCompile(`(?i)まだ[^。]{0,12}(?:ない|ず|未)|未定|調整中|\bstill (?:not|no|waiting|open|pending)\b|\bnot yet\b|\bhasn'?t been\b`)
	// cancelledNote tells of a 1on1 that did not take place.
	cancelledNote = regexp.MustCompile(`(?i)キャンセル|中止|流して|流れ|リスケ|\bcancel+ed\b|\bskipped\b|\bmoved (?:it|the 1on1)\b`)
)

// personalNote is a sentence of notes about the person rather than the
// work: how they are, what they feel, said or asked.
var personalNote = regexp.MustCompile(`(?i)気持ち|不安|悩|疲|体調|表情|様子|本人は|本人から|言って|話して|感じ|つらい|辛い|嬉し|うれし|やりがい|本音|` +
	`\b(?:she|he|they)(?: has| had|'s)? (?:said|say|says|mentioned|asked|told|felt|feels|looked|seemed|sounded|admitted|worried)|feel|felt|worr|tired|exhausted|stress|frustrat|anxious|upset|excited|quiet`)

// prepAgenda is the order of the meeting: check in, the manager's own
// promises, what was done, what the member asked for, the open actions,
// the manager's question, what to practise, and the close.
func prepAgenda(in prepInput, cite *citer) []Item {
	lang, sig := in.Lang, in.Signals
	agenda := []Item{checkIn(in, cite)}
	tipsAt := len(agenda) // where a tip that says "first" goes
	// The close cites guidance on agreeing the next step, not any on the
	// habit (owning promises, keeping the date).
	pdca := pickSaying(in.Sources, []string{sectionPractice, sectionNext, sectionOther}, nextStepWords)
	if sig != nil {
		recognition := pick(in.Sources, []string{sectionPractice, sectionOther}, "recognition")
		// With nothing in the condition to ask about first, the 1on1
		// opens on the manager's overdue promise.
		opening := plainCheckIn(sig)
		cont, i := continuity(lang, sig, cite, recognition, in.Question.String(), opening)
		if i >= 0 {
			agenda = append([]Item{cont[i]}, agenda...)
			cont = slices.Delete(cont, i, i+1)
		}
		agenda = append(agenda, cont...)
		if sig.Held == 0 && len(sig.LastSessions) == 0 {
			// A first 1on1 says what the time is for and who to ask.
			agenda = append(agenda, firstItem(in, cite))
		}
		req := requestAgenda(in, cite)
		tipsAt = len(agenda) + min(len(req), 1) // after the member's own topic
		agenda = append(agenda, req...)
		if len(sig.LastSessions) > 0 {
			if r, _, cut := leftOpen(sig.LastSessions[0].Notes.String()); r != "" {
				key := "agenda.leftopen"
				if !cut {
					key += ".said"
				}
				agenda = append(agenda, Item{Text: about(lang, personOf(sig), key, r), Cites: []int{}})
			}
			if what := notAsked(sig.LastSessions[0].Notes.String()); what != "" {
				agenda = append(agenda, Item{Text: about(lang, personOf(sig), "agenda.unasked", what), Cites: []int{}})
			}
		}
		// The manager's own promises came first; the member's are asked
		// after, without blame, unless they asked to be listened to or
		// encouraged (a status question there; the follow-ups still list
		// them).
		if i := slices.IndexFunc(sig.OpenActions, func(a history.OpenAction) bool { return a.Owner == "member" }); i >= 0 && !asked("listen")(sig) && !asked("encourage")(sig) {
			agenda = append(agenda, citeSupport(cite, askHowItWent, about(lang, personOf(sig), "agenda.followup.member", clip(sig.OpenActions[i].Text.String(), 60))))
		}
	}
	if it, ok := ownTopicItem(in, cite); ok {
		agenda = append(agenda, it)
	}
	agenda = placeTips(in.Lang, agenda, practiceTips(in, cite), tipsAt)
	if asked("listen")(sig) {
		// A member who asked to be listened to is not sent off with tasks.
		// A tip that says to close this way is the close, at the end.
		end := about(lang, personOf(sig), "agenda.close.listen")
		agenda = slices.DeleteFunc(agenda, func(a Item) bool { return restates(a.Text, end) || askWhatTheyNeed.MatchString(a.Text) })
		return append(agenda, citeSupport(cite, askWhatTheyNeed, end))
	}
	if asked("encourage")(sig) {
		// Encouragement ends on the recognition, not on tasks.
		return append(agenda, Item{Text: about(lang, personOf(sig), "agenda.close.encourage"), Cites: []int{}})
	}
	return append(agenda, citeSaying(cite, pdca, about(lang, personOf(sig), "agenda.close"), nextStepWords))
}

// firstItem says what a first 1on1 is for and who to ask, cited to the
// guidance on explaining the purpose or on a map of who to ask, or else to
// any onboarding guidance.
func firstItem(in prepInput, cite *citer) Item {
	text := msg(in.Lang, "agenda.first")
	if it := citeSupport(cite, firstPurpose, text); len(it.Cites) > 0 {
		return it
	}
	return citeFor(cite, pick(in.Sources, []string{sectionPractice, sectionOther}, "onboarding"), text)
}

var (
	// firstPurpose is guidance on opening a first 1on1: what it is for,
	// and who to ask about what.
	firstPurpose = regexp.MustCompile(`(?i)目的を最初に説明|評価や進捗確認の場ではなく|誰に聞けばよいか」の地図|explain the purpose first|not an evaluation or a progress check|map of who to ask`)
	// askWhatTheyNeed is guidance on closing a 1on1 of listening: asking
	// whether they need anything beyond being heard.
	askWhatTheyNeed = regexp.MustCompile(`(?i)聞く以外に必要なこと|summari[sz]e, then ask what they need|anything you would like from me`)
)

// ownTopicItem answers a manager who asks how to raise a topic of their
// own: after the member's part, asked first. A topic that is mostly the
// words of the manager's own open promise is that promise, which comes
// first already.
func ownTopicItem(in prepInput, cite *citer) (Item, bool) {
	q := in.Question.String()
	topic, said := ownTopic(in.Lang, q)
	// Who brought it is said before the asking ("the session she asked
	// for" after it is another matter).
	if topic == "" || memberRaised.MatchString(q[:howToRaise.FindStringIndex(q)[0]]) {
		return Item{}, false
	}
	if sig := in.Signals; sig != nil {
		words := substance(topic)
		if sig.Next != nil && overlap(sig.Next.Request.String()+" "+topicLabels(in.Lang, sig.Next.Topics), words) > 0 {
			return Item{}, false // the member's own topic: the agenda starts from it
		}
		for _, a := range sig.OpenActions {
			if a.Owner == "manager" && overlap(a.Text.String(), words)*5 >= len(words)*3 {
				return Item{}, false
			}
		}
	}
	// A long topic is named once: said twice in a line (「…の部門統合」は…
	// 「…の部門統合のことも」), it reads as a form.
	if said || utf8.RuneCountInString(topic) > 16 && strings.ContainsFunc(topic, japanese) || len(strings.Fields(topic)) > 5 {
		return citeSupport(cite, ownItemsLast, about(in.Lang, personOf(in.Signals), "agenda.owntopic.said", topic)), true
	}
	return citeSupport(cite, ownItemsLast, about(in.Lang, personOf(in.Signals), "agenda.owntopic", topic, spokenTo(topic))), true
}

// missedItem names the 1on1s that did not take place, with an apology
// when the manager's words say it was on their side.
func missedItem(lang string, sig *history.Signals, cite *citer, question string) Item {
	n := sig.MissedSinceLast
	key := "agenda.missed"
	if n == 1 {
		key += ".one"
	}
	if sig.Held == 0 && len(sig.LastSessions) == 0 {
		key += ".first" // the first 1on1's item says whose time it is
	}
	args := []any{n}
	if n == 1 {
		args = nil
	}
	text := msg(lang, key, args...)
	said := question
	if len(sig.LastSessions) > 0 {
		said += "\n" + sig.LastSessions[0].Notes.String()
	}
	// Only when every miss was the manager's: "she cancelled one and I
	// moved the other" is apologised for as the manager's one.
	if ownCancel.MatchString(said) && (n == 1 || !memberCancel.MatchString(said)) {
		text = ownMissed(lang).Replace(text)
	}
	// The line says to own the miss: the passage on what a cancellation
	// tells the member says why; "reschedule, do not cancel" is for next time.
	if it := citeSupport(cite, missedMeaning, text); len(it.Cites) > 0 {
		return it
	}
	return citeSupport(cite, missedGuidance, text)
}

// memberCancel is a miss on the member's side: 「本人の都合でキャンセル」,
// "she cancelled one".
var memberCancel = regexp.MustCompile(`(?i)\b(?:she|he|they|member [a-z])(?: had to)? (?:cancell?ed|skipped|called off|moved|postponed|pushed)\b|本人(?:が|から|の都合で|の希望で)[^。]{0,12}(?:キャンセル|中止|休|欠席|延期|飛ば)`)

// ownCancel is a manager saying a 1on1 fell through on their side.
var ownCancel = regexp.MustCompile(`(?i)(?:私|こちら)の(?:都合|立ち会い|出張|予定|会議|急用|対応|不在)|` +
	`(?:私|こちら|自分)の[^。、]{0,15}(?:で|により|のため|のせいで)[^。]{0,15}(?:飛ば|流|中止|キャンセル|延期|リスケ|でき(?:な|ず))|(?:飛ばし|流し|キャンセルし|中止にし)てしま|` +
	`\b(?:because of|due to) my\b|\bi had to (?:cancel|skip|move|push|drop|postpone)|\bi (?:missed|forgot)\b|私が(?:流|中止|キャンセル|飛ば|リスケ|延期)|流してしまい|(?:cancell?ed|moved|dropped|postponed|skipped) (?:it )?(?:on|from) my (?:side|end)|\bmy (?:fault|side|end)\b|\bi (?:cancell?ed|had to cancel|moved|pushed|bumped|dropped|postponed|skipped)\b`)

// ownMissed turns "apologise if it was on your side" into an apology.
func ownMissed(lang string) *strings.Replacer {
	if lang == "en" {
		return strings.NewReplacer("say so early on (apologise if it was on your side)", "apologise for it early on (it was on your side)")
	}
	return strings.NewReplacer("早いうちにそのことに触れ（こちらの都合なら詫びて）、", "早いうちに、こちらの都合で流れたことを詫び、",
		"早いうちにそのことに触れる（こちらの都合なら詫びる）", "早いうちに、こちらの都合で流れたことを詫びる")
}

// missedMeaning is guidance on what a cancelled 1on1 tells the member.
var missedMeaning = regexp.MustCompile(`(?i)上司の都合による中止|each cancellation tells`)

// missedGuidance is guidance on 1on1s cancelled or skipped.
var missedGuidance = regexp.MustCompile(`(?i)中止ではなく|日程変更を基本|skipping one is harmless|each cancellation|cancell?ed one quietly|reschedule, do not cancel`)

// memberRaised is a question that says the member brought the topic.
var memberRaised = regexp.MustCompile(`(?:さん|本人)(?:から|が).{0,30}(?:相談|言われ|頼まれ|聞かれ|希望|話したい|口にし)|\b(?:[Ss]he|[Hh]e|[Tt]hey|[A-HJ-Z]) (?:asked|wants|raised|brought|would like|mentioned)\b`)

// ownItemsLast is guidance on keeping the manager's own items for the end.
var ownItemsLast = regexp.MustCompile(`(?i)最後に短く|話が終わってから|hold your own checklist|until (?:the end|their part)`)

// placeTips adds tips to the agenda. A tip that says when is put there:
// one for the meeting's opening (冒頭で) after the check-in; one that starts
// the talk ("最初に、状況を聞く") after the member's own topic (at), and one
// that ends it just before the close, both without the word, which would
// only repeat their place. Left where they fell, the seventh of seven
// items read 「最初に…」 and two in a row 「最後に…」.
func placeTips(lang string, agenda, tips []Item, at int) []Item {
	for _, t := range tips {
		switch {
		case openWords.MatchString(t.Text):
			// The meeting's opening, after the check-in: the word stays.
			agenda = slices.Insert(agenda, min(1, len(agenda)), t)
			at++
		case firstWords.MatchString(t.Text):
			t.Text = dropLead(lang, firstWords, t.Text)
			agenda = slices.Insert(agenda, at, t)
			at++
		case lastWords.MatchString(t.Text):
			t.Text = dropLead(lang, lastWords, t.Text)
			agenda = append(agenda, t)
		default:
			agenda = append(agenda, t)
		}
	}
	return agenda
}

var (
	openWords  = regexp.MustCompile(`^(?:冒頭で|冒頭に|1on1の始めに)|^(?i:at the (?:start|beginning) of the (?:meeting|1on1)|open (?:the meeting )?(?:by|with))\b`)
	firstWords = regexp.MustCompile(`^(?:最初に|まずは|まず|はじめに|初めに)[、,]?\s*|^(?i:first(?:ly)?|to (?:start|begin) with|to (?:start|begin))[,:]?\s+`)
	lastWords  = regexp.MustCompile(`^(?:最後に|終わりに|締めくくりに)[、,]?\s*|^(?i:finally|lastly|at the end|in closing)[,:]?\s+`)
)

// dropLead removes what re matches at the start of s, and capitalizes
// what is left in English.
func dropLead(lang string, re *regexp.Regexp, s string) string {
	rest := re.ReplaceAllString(s, "")
	if utf8.RuneCountInString(rest) < 8 {
		return s
	}
	if lang == "en" {
		r, n := utf8.DecodeRuneInString(rest)
		rest = string(unicode.ToUpper(r)) + rest[n:]
	}
	return rest
}

// practiceTips are the best-fitting guidance's tips on what to do, one per
// source, at most maxPractice.
//
// The manager's words are not echoed: a question is answered by the plan
// and its retrieval, a plan is weighed (watch-outs). A tip on handling
// actions is for a member with open actions to follow up (the finished
// ones are acknowledged already), who did not ask to be listened to. A tip
// on agreeing the next step is the close's, and one on options or plans
// moves a member who asked to be heard on to solving.
func practiceTips(in prepInput, cite *citer) []Item {
	usable := tipFilter(in.Signals, cite.style, asksOwnFeedback.MatchString(in.Question.String()))
	var out []Item
	for _, s := range in.Sources {
		if s.Section != sectionPractice || !s.Found || len(out) >= maxPractice || fit(s, in) < minFit || !ownFit(s, in) {
			continue
		}
		// The item of substance (not a bare label, "Do.") that shares most
		// with what the member and the manager wrote; the first on a tie.
		bs, ls, best, at := bullets(s.Hit.Text), leads(s.Hit.Text), -1, -1
		for i, l := range ls {
			if i < len(bs) && usable(l, bs[i]) {
				if k := overlap(bs[i], in.context); k > best {
					best, at = k, i
				}
			}
		}
		if at < 0 {
			continue
		}
		// A bare lead (「定期的に話題にする。」) says too little to act on;
		// a passage an agenda line cites already is said by that line.
		if t := tip(closeLead(in.Lang, ls[at], bs[at])); runesOfText(t) >= 14 && !cite.quoted(s.N, bs[at]) && !cite.leadCited(t) {
			// Said of this member ("ask which skills the goal could give
			// her"), not of members in general; the citation quotes it as
			// written.
			if !othersToo.MatchString(t) {
				t = personOf(in.Signals).ours(in.Lang, t)
			}
			out = append(out, cite.item(agendaTip(in.Lang, t), s.N, bs[at]))
		}
	}
	return out
}

// othersToo is a tip that speaks of people besides the member ("consider
// everyone joining from their own laptop"): its "they" may be theirs.
var othersToo = regexp.MustCompile(`(?i)\b(?:everyone|everybody|people|others|colleagues|team ?mates|the team|the group|both|each other|all of)\b`)

// staleOfMember is a member's action gone stale: overdue, or a month old.
func staleOfMember(a history.OpenAction) bool {
	return a.Owner == "member" && (a.Overdue || a.AgeDays > 28)
}

// tipFilter returns what makes a practice tip usable for this member:
// a lead with substance, the style they asked for, and what their history
// calls for.
//
// selfReview: the manager asked how to hear about their own 1on1s. The
// guidance on asking for feedback on yourself is the manager's habit, a
// tip for this meeting only then or when the member said a 1on1 missed
// what they asked for ("Any feedback?" is almost impossible to answer,
// as an agenda item for a member who wants advice on spreadsheets).
func tipFilter(sig *history.Signals, style string, selfReview bool) func(lead, bullet string) bool {
	listen := asked("listen")(sig)
	actions := sig != nil && !listen && slices.ContainsFunc(sig.OpenActions, func(a history.OpenAction) bool { return a.Owner == "member" })
	// Retiring an action is for one of the member's gone stale (overdue,
	// or a month old): the manager's own overdue promise is owned, not
	// dropped. Keeping evaluation apart is not for a member who asked to
	// talk about it.
	stale := sig != nil && slices.ContainsFunc(sig.OpenActions, staleOfMember)
	evaluation := sig != nil && sig.Next != nil && slices.Contains(sig.Next.Topics, "evaluation")
	// The lines on the manager's promises and the member's finished
	// actions say these where they apply: owning a promise ("Report your
	// own misses first" with none missed), asking how it went ("How did
	// the pairing go?" beside a passed exam).
	said := func(bullet string) bool { return askHowItWent.MatchString(bullet) || ownPromise.MatchString(bullet) }
	selfReview = selfReview || sig != nil && sig.MissComment != nil
	return func(lead, bullet string) bool {
		return utf8.RuneCountInString(strings.Trim(lead, ".。 ")) > 6 && !opposes(style, bullet) &&
			(actions || !actionTip.MatchString(bullet)) && !nextStepWords.MatchString(bullet) &&
			!(listen && offersView.MatchString(bullet)) && !said(bullet) &&
			(stale || !retireTip.MatchString(bullet)) && !(evaluation && evaluationApart.MatchString(bullet)) &&
			!seriesTip.MatchString(bullet) && (selfReview || !feedbackOnYou.MatchString(bullet))
	}
}

var (
	// feedbackOnYou is guidance on asking for and taking feedback on
	// yourself; asksOwnFeedback, a manager asking for it.
	feedbackOnYou = regexp.MustCompile(`(?i)"any feedback\?"|feedback on yourself|\bsay thank you first\b|\boffer another channel\b|\bchange one thing and say so\b|` +
		`「良かったですか」ではなく|後からメモで送ってもらう|教えてくれてありがとう|もらった意見|前回の意見を受けて`)
	asksOwnFeedback = regexp.MustCompile(`(?i)feedback (?:on|for|about) (?:me|my|myself)|how (?:i'?m|i am) doing as|(?:私|自分)(?:へ|に対する|の1on1)[^。？]{0,10}(?:フィードバック|意見)|フィードバックをもら`)
	// seriesTip is guidance on the run of 1on1s (a recurring slot, moving
	// rather than cancelling, asking every third 1on1): the manager's
	// habit, not an item of this meeting.
	seriesTip = regexp.MustCompile(`(?i)\brecurring\b|\bcalendars?\b|\bresched|\bfix the slot\b|instead of skipping|\bdo not cancel\b|make it a routine|` +
		`\bevery (?:other|second|third|fourth)\b|\bonce a (?:month|quarter)\b|日程変更を基本|中止ではなく|短くしてでも開く|定例化|カレンダー|繰り返しの予定|月に一度|数回に一度|` +
		`\bimplementation rate\b|\bover the last quarter\b|実施率`)
	// retireTip is guidance on dropping an action that no longer fits.
	retireTip = regexp.MustCompile(`(?i)\bretire|drop this one|やめることもはっきり|不要になったアクション`)
	// evaluationApart is guidance on keeping evaluation out of 1on1s.
	evaluationApart = regexp.MustCompile(`(?i)evaluation conversations? separately|separate (?:the )?evaluation|evaluation happens in a separate|1on1とは別に評価|評価[^。]{0,10}(?:別の場|切り分け|分けて)`)
)

// actionTip is guidance on handling agreed actions: how many, how to
// retire them, starting from them.
var actionTip = regexp.MustCompile(`(?i)\bactions?\b|one or two|park the rest|retire|アクション|確認から始め|宿題|決めたこと|1〜2個`)

// citeSupport cites, for a line whose claim is known, the first passage
// of any source's part on what to do that says what re matches; no
// citation when none does.
func citeSupport(c *citer, re *regexp.Regexp, text string) Item {
	for i := range c.sources {
		if s := &c.sources[i]; supportSections[s.Section] {
			if it := citeSaying(c, s, text, re); len(it.Cites) > 0 {
				return it
			}
		}
	}
	return Item{Text: text, Cites: []int{}}
}

var (
	// ownPromise is guidance on the manager's own commitments.
	ownPromise = regexp.MustCompile(`(?i)上司(?:自身)?の(?:アクション|約束)|自分の約束|約束を守|守れなかった(?:とき|ら)|(?:miss|break)\w* (?:a |your )?promise|言ったことは守|your own (?:actions|side|commitments|promises|misses)|promises?\b.{0,40}\bkept|keep (?:your|the) promises?`)
	// askHowItWent is guidance on asking about a member's action without
	// turning it into an audit.
	askHowItWent = regexp.MustCompile(`(?i)やってみてどう|(?:進み具合|進捗|結果|できなかった)[^。]{0,10}(?:問い詰め|責め)|experience, not the checkbox|how did .{1,30} go|what happened when`)
)

// citeSaying is citeFor quoting a passage of src that says what re
// matches: a source picked for one line may say other things too ("Offer
// concrete support." beside "who does what").
func citeSaying(c *citer, src *Source, text string, re *regexp.Regexp) Item {
	if src != nil {
		for _, b := range bullets(src.Hit.Text) {
			if re.MatchString(b) && !opposes(c.style, b) {
				return c.item(text, src.N, b)
			}
		}
	}
	return Item{Text: text, Cites: []int{}}
}

// requestAgenda starts from what the member asked for, and prepares the
// response they asked for. The member's words are in the summary already:
// the agenda points to them rather than repeat them.
func requestAgenda(in prepInput, cite *citer) []Item {
	lang, sig := in.Lang, in.Signals
	var out []Item
	switch n := sig.Next; {
	case n != nil && !n.Request.Empty():
		// What they wrote says more than the form's topic labels, which the
		// summary names already.
		// A member who asked for a decision wants it, not the floor: the
		// start confirms what is to be decided.
		key := "agenda.request.own"
		if asked("decide")(sig) {
			key += ".decide"
		}
		out = append(out, Item{Text: about(lang, personOf(sig), key), Cites: []int{}})
		// News they bring ("一次試験の結果が出ました（7科目中2科目合格）")
		// is recognised whatever they ask for; encouragement prepares it.
		if r := newsIn(n.Request.String()); r != "" && !asked("encourage")(sig) {
			out = append(out, Item{Text: about(lang, personOf(sig), "agenda.request.news", r), Cites: []int{}})
		}
	case n != nil && len(n.Topics) > 0:
		out = append(out, Item{Text: about(lang, personOf(sig), "agenda.request.topics", topicLabels(lang, n.Topics)), Cites: []int{}})
	}
	// A decision or advice the manager has ready, for a member who asked
	// for it, is given, not prepared again (responseReady). A plan that
	// goes against the guidance holds no result to praise
	// (「…3件あったので、1件ずつ振り返って改善点を伝えたい」).
	question := in.Question.String()
	if len(in.Conflicts) > 0 {
		question = ""
	}
	if it, ok := stylePrep(lang, sig, question, responseReady(in)); ok {
		// Cited to the guidance on the response they asked for.
		style := *sig.Next.Style
		src := pickStyle(in.Sources, []string{sectionPractice, sectionOther, sectionMisconception}, style)
		// The passage on that response, not one sharing a word with the line
		// (a decision's "what" beside praise).
		out = append(out, citeStyle(cite, src, style, it.Text, styleSays[style]))
		if facts := notesFacts(in); facts != "" {
			out = append(out, Item{Text: msg(lang, "agenda.facts."+style, facts), Cites: []int{}})
		}
	}
	return out
}

// maxFacts is how many sentences of the notes notesFacts quotes.
const maxFacts = 2

// notesFacts quotes what the manager's notes already hold about the matter
// a member wants advice, a decision or a thinking partner on: the dates,
// figures and named options ("due 14 March", "60h vs 45h") that the
// advice or the decision is made of, with how long ago each was noted.
// Only sentences that share two words with what the member or the manager
// wrote, and that carry a figure or share three, are facts of this matter;
// the one the summary quotes from the last notes is not said twice. ""
// when none is.
func notesFacts(in prepInput) string {
	sig := in.Signals
	if sig == nil || sig.Next == nil || sig.Next.Style == nil || len(sig.LastSessions) == 0 || sig.DaysSinceLast == nil {
		return ""
	}
	switch *sig.Next.Style {
	case "advise", "decide", "think-together":
	default:
		return ""
	}
	// What the manager says they will leave out (「公開授業の話は今回は
	// 出しません」) is no material for this 1on1, nor are notes on it.
	q := in.Question.String()
	left := substance(strings.Join(notRaised.FindAllString(q, -1), " "))
	words := substance(sig.Next.Request.String() + " " + notRaised.ReplaceAllString(q, " "))
	quoted := noteGist(sig.LastSessions[0].Notes.String(), in)
	type fact struct {
		text         string
		daysAgo, won int
	}
	var facts []fact
	for i, s := range sig.LastSessions[:min(4, len(sig.LastSessions))] {
		ago := heldDaysAgo(sig, s)
		for _, t := range knowledge.Sentences(strings.Join(strings.Fields(s.Notes.String()), " ")) {
			t = strings.TrimRight(t, "。. ")
			shared, figures := overlap(t, words), digit.MatchString(t)
			if shared < 2 || !figures && shared < 3 || i == 0 && strings.Contains(quoted, t) || cancelledNote.MatchString(t) || ownConduct.MatchString(t) || overlap(t, left) > 0 {
				continue
			}
			won := shared * 2
			if figures {
				won += 2
			}
			facts = append(facts, fact{clip(t, 80), ago, won})
		}
	}
	// The most telling first, the newer on a tie; then told oldest first,
	// as they were noted.
	slices.SortStableFunc(facts, func(a, b fact) int { return cmp.Compare(b.won, a.won) })
	facts = facts[:min(maxFacts, len(facts))]
	slices.SortStableFunc(facts, func(a, b fact) int { return cmp.Compare(b.daysAgo, a.daysAgo) })
	var told []string
	for _, f := range facts {
		told = append(told, msg(in.Lang, "agenda.facts.one", f.text, f.daysAgo))
	}
	return strings.Join(told, msg(in.Lang, "agenda.facts.sep"))
}

// notRaised is what a manager says they will leave out of the 1on1: "I
// won't bring up the audit", 「公開授業の話は今回は出しません」.
var notRaised = regexp.MustCompile(`(?i)\b(?:won'?t|will not|not going to|don'?t plan to|no need to|not) (?:raise|raising|bring(?:ing)? up|mention(?:ing)?|touch(?:ing)?|get(?:ting)? into|go(?:ing)? into|talk(?:ing)? about)\b[^.;!?]*|` +
	`\b(?:leave|leaving|keep|keeping) [^.;!?]{1,40}? out of (?:it|this|the 1on1|this one)\b|` +
	`[^。、]{1,30}(?:は|には|に)(?:、)?(?:今回は?|今日は?)?(?:出さない|出しません|触れない|触れません|触れず|話さない|話しません|持ち出さない|持ち出しません|言わない|言いません)`)

var (
	// digit is a figure written in digits: a date, an amount, a count.
	digit = regexp.MustCompile(`[0-9０-９]`)
	// ownConduct is a note on how the manager ran the 1on1 ("I held back
	// suggestions", 「…を助言」, 「時間切れで聞けず」): the history of the
	// meeting, not a fact of the matter.
	ownConduct = regexp.MustCompile(`(?i)^(?:i|we|together we|agreed)\b|\b(?:i|we) (?:\w+ly |only |just |had |hadn'?t |didn'?t |did not )?(?:asked|tried|held|gave|said|told|let|suggested|advised|promised|agreed|landed|offered|got)\b|` +
		`(?:助言|アドバイス|提案)(?:した|を(?:した|伝え)|$)|打診した|約束した|聞けず|聞きそびれ|時間切れ|(?:伝え|話し|言っ)た(?:$|が|けど)`)
)

// citeStyle cites a line on the response a member asked for: the passage
// of src that says what re matches, any guidance's that does, or in a
// guide to that response alone, its passage sharing most words with the
// line. A guide to every style may hold only another style's passage (a
// decision's "Do:" beside praise): then none.
func citeStyle(cite *citer, src *Source, style, text string, re *regexp.Regexp) Item {
	if it := citeSaying(cite, src, text, re); len(it.Cites) > 0 {
		return it
	}
	if it := citeSupport(cite, re, text); len(it.Cites) > 0 {
		return it
	}
	if src != nil && styleWords[style].MatchString(src.Hit.Title) {
		return citeFor(cite, src, text)
	}
	return Item{Text: text, Cites: []int{}}
}

// styleHeld is guidance on holding to each response while giving it,
// what the reminder of the member's request says.
var styleHeld = map[string]*regexp.Regexp{
	"listen":         regexp.MustCompile(`(?i)解決策や経験談|要約|言い直|気持ちに目を向け|reflect back|summari[sz]e|fixing reflex|hold back[^.]{0,20}solutions`),
	"advise":         regexp.MustCompile(`(?i)最初に、?状況|すでに試した|選択肢|ask before you advise|ask a couple of questions|options with trade-offs`),
	"think-together": regexp.MustCompile(`(?i)選択肢を増やす問い|問いかけ|広げ|open questions|widen before you narrow|lay out options`),
	"encourage":      regexp.MustCompile(`(?i)取り組みと進歩|具体的に(?:認め|伝え|挙げ)|できたこと|specific (?:effort|strengths)|past evidence`),
	"decide":         regexp.MustCompile(`(?i)結論と理由|decide clearly|explain your reasoning`),
	"report":         regexp.MustCompile(`(?i)一つだけ聞|その後ろ|背景にある|what sits behind|one question about`),
}

// styleSays is guidance on preparing each response a member may ask for.
var styleSays = map[string]*regexp.Regexp{
	"advise":         regexp.MustCompile(`(?i)選択肢|具体的な(?:提案|助言)|経験を(?:伝え|話)|actionable suggestions|options with trade-offs|concrete recommendation`),
	"think-together": regexp.MustCompile(`(?i)一緒に考え|問いを|問いかけ|選択肢を(?:並べ|広げ)|open questions|lay out options|thinking partner`),
	"encourage":      regexp.MustCompile(`(?i)強み|できたこと|うまくいった|具体的に(?:認め|伝え|挙げ)|具体的な場面を|specific strengths|past evidence|confidence and backing|jot down a few specific moments`),
	"decide":         regexp.MustCompile(`(?i)決めて(?:伝え|示)|判断(?:を|して)(?:伝え|示)|理由を(?:添え|伝え)|結論と理由|decide clearly|what decision is needed`),
	"report":         regexp.MustCompile(`(?i)進捗|報告を(?:受け|聞)|acknowledge the work specifically|clarifying question`),
}

// recurring names a topic raised again and again that the member did not
// pick this time, while it is still raised: in the latest 1on1. Twice is
// no pattern: said of two 1on1s, the topic's label reads as a bare fact.
func recurring(lang string, sig *history.Signals) []string {
	const minRecurring = 3
	var asked, last []string
	if sig.Next != nil {
		asked = sig.Next.Topics
	}
	if len(sig.LastSessions) > 0 {
		last = sig.LastSessions[0].Topics
	}
	for _, t := range sig.RecurringTopics {
		if t.Sessions >= minRecurring && !slices.Contains(asked, t.Topic) && slices.Contains(last, t.Topic) {
			return []string{msg(lang, "summary.recurring", topicLabels(lang, []string{t.Topic}), t.Sessions)}
		}
	}
	return nil
}

// checkIn opens the meeting: on the member's condition when it fell or is
// low (saying which, as the history shows it).
func checkIn(in prepInput, cite *citer) Item {
	lang, sig := in.Lang, in.Signals
	if sig == nil {
		return Item{Text: about(lang, personOf(sig), "agenda.checkin"), Cites: []int{}}
	}
	if plainCheckIn(sig) {
		return Item{Text: about(lang, personOf(sig), "agenda.checkin"), Cites: []int{}}
	}
	var text string
	if sig.Condition.Change == "down" {
		text = about(lang, personOf(sig), "agenda.checkin.down", conditionPath(sig.Condition.Values))
	} else {
		text = about(lang, personOf(sig), "agenda.checkin.low", *sig.Condition.Latest)
	}
	src := pick(in.Sources, []string{sectionPractice, sectionQuestions, sectionOther}, "wellbeing")
	// Backed by guidance on asking about a change, not by the wellbeing
	// source's other passages (when to refer to occupational health).
	if it := citeSaying(cite, src, text, askAboutChange); len(it.Cites) > 0 {
		return it
	}
	return citeSupport(cite, askAboutChange, text)
}

// plainCheckIn reports whether the check-in only asks how the member is:
// their condition did not fall and is not low.
func plainCheckIn(sig *history.Signals) bool {
	return sig.Condition.Change != "down" && (sig.Condition.Latest == nil || *sig.Condition.Latest > 2)
}

// askAboutChange is guidance on asking about a fall in condition.
var askAboutChange = regexp.MustCompile(`(?i)下がったとき|前回より.{0,4}下が|流れを見る|変化に目|事実として伝え|深追いしない|気づいた段階で|look at the pattern|asking respectfully|no pressure to answer|noticed a few changes`)

// responseReady reports whether the manager's message, with nothing
// against it, already holds the response the member asked for: the
// decision, the advice, or the honest view of their work (a critique for
// a member who asked for one).
func responseReady(in prepInput) bool {
	sig := in.Signals
	if len(in.Conflicts) > 0 || sig == nil || sig.Next == nil || sig.Next.Style == nil {
		return false
	}
	switch *sig.Next.Style {
	case "decide":
		return slices.Contains(in.Kinds, "decide")
	case "advise":
		return slices.Contains(in.Kinds, "advise") || slices.Contains(in.Kinds, "critique") && asksAssessment.MatchString(sig.Next.Request.String())
	}
	return false
}

// stylePrep is what to prepare for the response the member asked for:
// options for advice, the call for a decision, a named action for
// encouragement.
//
// ready: the manager's message states the decision or advice the member
// asked for; the plan then says to give it rather than to prepare one
// (a blind judge: "the decision already made is ignored", "the three
// named problems never reach the agenda").
func stylePrep(lang string, sig *history.Signals, question string, ready bool) (Item, bool) {
	if sig.Next == nil || sig.Next.Style == nil || *sig.Next.Style == "listen" {
		return Item{}, false
	}
	style := *sig.Next.Style
	if ready && (style == "decide" || style == "advise") {
		// Not quoted: the sentence that states it may not open the message.
		key := "agenda.style." + style + ".made"
		if style == "advise" && asksAssessment.MatchString(sig.Next.Request.String()) {
			key = "agenda.style.advise.assess.made"
		}
		return Item{Text: about(lang, personOf(sig), key), Cites: []int{}}, true
	}
	if style == "encourage" {
		if it, ok := encouragePrep(lang, sig, question); ok {
			return it, true
		}
	}
	// Advice asked for outright ("Concrete tips please") is given early,
	// not held until the member has been heard out.
	direct := ""
	if style == "advise" && asksStraightOut(sig) {
		direct = ".direct"
	}
	// A member who asks where they stand, or for every flaw in their
	// work, asks for an assessment: options with risks answer another
	// question (a blind judge: "two or three options" for "tell me
	// honestly where I stand").
	if n := sig.Next; style == "advise" && asksAssessment.MatchString(n.Request.String()) {
		if subject, ok := subjectOf(gist(style, n.Request.String())); ok {
			return Item{Text: about(lang, personOf(sig), "agenda.style.advise.assess.about", quotable(asInfinitive(subject))), Cites: []int{}}, true
		}
		return Item{Text: about(lang, personOf(sig), "agenda.style.advise.assess"), Cites: []int{}}, true
	}
	// What the member wrote makes the preparation theirs.
	if n := sig.Next; !n.Request.Empty() && (style == "advise" || style == "think-together" || style == "decide") {
		// What the ask names ("advice on how to structure a deck") is the
		// matter; a sentence around it ("I've gone round in circles on
		// the pilot") is quoted as what they wrote, and one that is only
		// the ask ("Concrete tips please", 「正直どちらでも頑張れます」)
		// not at all: the summary quotes the request already.
		what := gist(style, n.Request.String())
		if subject, ok := subjectOf(what); ok && namesEnough(subject) {
			return Item{Text: about(lang, personOf(sig), "agenda.style."+style+".about"+direct, quotable(asInfinitive(subject))), Cites: []int{}}, true
		}
		if matterWords(what) >= 3 {
			// Quoted whole in the summary already, it is not quoted again.
			if strings.Contains(clip(n.Request.String(), requestRunes), strings.TrimRight(quotable(what), "…")) {
				return Item{Text: about(lang, personOf(sig), "agenda.style."+style+".theirs"+direct), Cites: []int{}}, true
			}
			return Item{Text: about(lang, personOf(sig), "agenda.style."+style+".wrote"+direct, quotable(what)), Cites: []int{}}, true
		}
	}
	return Item{Text: about(lang, personOf(sig), "agenda.style."+style+direct), Cites: []int{}}, true
}

// namesEnough reports whether a subject says what the matter is: "next
// year" of "think together about next year. Maybe the barrel-aging
// program…" names only when; the whole of what they wrote says more.
func namesEnough(subject string) bool {
	if strings.ContainsFunc(subject, japanese) {
		return utf8.RuneCountInString(subject) >= 5
	}
	return len(strings.Fields(subject)) >= 3
}

// asksAssessment is a member asking how their work or standing is seen:
// an honest view, every flaw, a review of a draft.
var asksAssessment = regexp.MustCompile(`(?i)\bwhere i stand\b|\bbrutally honest\b|\bbe (?:honest|blunt|frank|straight) with me\b|\bdon'?t (?:hold back|sugar-?coat)\b|\bhow (?:i'?m|i am) (?:doing|seen|perceived|coming across)\b|\b(?:honest|frank|candid|blunt) (?:view|assessment|opinion|feedback|read|take)\b|\b(?:tell|show) me (?:honestly|frankly|straight) (?:what|how|where|whether)\b|` +
	`\b(?:point out|flag|tear apart|pick apart|red-?pen|mark up)\b.{0,30}\b(?:every|all|each|any|what'?s wrong|weak)|\b(?:review|go through|check|critique) my (?:draft|deck|plan|work|proposal|report|drawings?|code|lesson|write-?up)\b|` +
	`(?:全部|すべて|全て|遠慮なく|容赦なく|気になるところ|ダメなところ|悪いところ|直すところ|改善点)[^。]{0,12}(?:指摘|言って|教えて|赤を入れ|直して)|率直な(?:評価|意見|感想)|正直(?:に|な)(?:評価|意見|ところ)|今の(?:自分|私)の(?:評価|実力|立ち位置)|どう(?:見えて|評価されて|見られて)いる|(?:見て|チェックして|添削して|レビューして)(?:ほしい|欲しい|ください|もらえ)`)

// encouragePrep names what to encourage: a finished action not yet
// named, or a result in figures.
func encouragePrep(lang string, sig *history.Signals, question string) (Item, bool) {
	// The first done actions are acknowledged already (continuity): one
	// more, or the line without an example, rather than the same action
	// twice.
	named := memberDone(sig)
	for _, a := range sig.DoneActions {
		if a.Owner == "member" && !slices.Contains(named, a) {
			return Item{Text: about(lang, personOf(sig), "agenda.style.encourage.done", clip(a.Text.String(), 60)), Cites: []int{}}, true
		}
	}
	// A result in figures is the most specific praise there is: the one
	// the member wrote for this 1on1 ("I passed… 82% on calculations"), or
	// the manager in the question ("beat last year's sales by 11%"),
	// before one the older notes record.
	if r := resultIn(sig.Next.Request.String()); r != "" && gain.MatchString(sig.Next.Request.String()) {
		return Item{Text: about(lang, personOf(sig), "agenda.style.encourage.result.request", r), Cites: []int{}}, true
	}
	if r := resultIn(question); r != "" && gain.MatchString(r) {
		return Item{Text: about(lang, personOf(sig), "agenda.style.encourage.result.question", praisedFor(r)), Cites: []int{}}, true
	}
	if r := recordedResult(sig); r != "" {
		return Item{Text: about(lang, personOf(sig), "agenda.style.encourage.result", r), Cites: []int{}}, true
	}
	// News without figures ("Bins passed inspection") is still theirs.
	if r := newsIn(sig.Next.Request.String()); r != "" {
		return Item{Text: about(lang, personOf(sig), "agenda.style.encourage.result.request", r), Cites: []int{}}, true
	}
	return Item{}, false
}

// askWords are the words of asking for a response, not of what about,
// as substance spells them (folded: "pleas", "decid", "honestl").
var askWords = regexp.MustCompile(`(?i)^(?:advice|advis|tips?|concrete?|specific|honest(?:ly?)?|pleas|please|decid|decide|decision|suggestions?|pointers?|opinion|views?|think|thinking|through|together|ideas?|help|would|could|want|like|need|really|just|your|first|sure|fine|either)$`)

// matterWords counts the words of s that say what it is about; in
// Japanese, its kanji and katakana words (one kanji can be a word: 次に何を
// 伸ばすか).
func matterWords(s string) int {
	n := 0
	if strings.ContainsFunc(s, japanese) {
		s = askWordsJa.ReplaceAllString(s, "")
		for _, w := range kanaOrKanji.FindAllString(s, -1) {
			if unicode.Is(unicode.Han, []rune(w)[0]) {
				n += utf8.RuneCountInString(w)
			} else {
				n++
			}
		}
		return n
	}
	for w := range substance(s) {
		if !askWords.MatchString(w) {
			n++
		}
	}
	return n
}

var (
	askWordsJa  = regexp.MustCompile(`助言|具体的?|判断|一緒|相談|意見|正直|教え|決め|考え|整理|アドバイス|ヒント|アイデア`)
	kanaOrKanji = regexp.MustCompile(`\p{Han}+|[\p{Katakana}ー]{2,}`)
)

// resultFigure is a result told in figures: 94%, 1.4倍, +12点, 3 deals.
var (
	resultFigure = regexp.MustCompile(`(?i)[0-9０-９]+(?:[.．][0-9]+)?\s*(?:%|％|倍|件|点|人|社|名|本|割|科目|ポイント|組|家庭|pt|points?|deals?|customers?|clients?|modules?|exams?|papers?|x\b|[mk]\b|million|thousand|(?:page )?views|updates|sales|visits|downloads|sign-?ups|users|students|reviews|stars?)|[一二三四五六七八九]割`)
	// shortfall is a figure told as a miss, not a result to praise...
	shortfall = regexp.MustCompile(`(?i)未達|遅れ|届かな|下回|落ち|足りな|できなかった|missed|behind|short of|below|fell|dropped|late\b`)
	// ...unless what fell is better lower: time, cost, errors, waste
	// (「作業時間が1日10分短縮」, "turnaround dropped from 9 days to 5").
	betterLower = regexp.MustCompile(`(?i)(時間|日数|所要|工数|コスト|費用|ミス|誤|不良|クレーム|ロス|残業|廃棄|待ち).{0,12}(減|短縮|下が|落ち)|(短縮|削減)|\b(turnaround|lead time|cycle time|wait(ing)? time|handle time|cost|errors?|defects?|complaints?|waste|rework|mistakes?|overtime|driving)\b.{0,30}\b(dropped|fell|down|cut|reduced)\b|\b(down|dropped) (from )?\d+(\.\d+)?\s*(days?|hours?|minutes?|mins?|%|km)\b`)
	// gain is a figure told as a success: outside the notes' record of
	// results, a number may count faults ("11 points on the form").
	gain = regexp.MustCompile(`(?i)達成|更新|増え|伸び|上回|超え|削減|短縮|改善|好評|最高|初めて|合格|\b(passed|beat|beaten|record|best|improved|up \d|grew|growth|increase[sd]?|saved|under budget|ahead of|exceeded|won|hit (the|our|her|his|their) target)\b|[0-9]+\s*(%|％)\s*(up|more|higher|better)`)
	// figure is any number.
	figure = regexp.MustCompile(`[0-9０-９一二三四五六七八九十]`)
)

// praisedFor is the result in a manager's sentence of praising it:
// 「段取り替え短縮（42分→31分）」 of 「…短縮（42分→31分）はまず具体的に褒めたい
// です」, "beating last year's sales by 11%" of "I want to thank her for
// beating…". Quoted whole, the manager's own sentence reads back as pasted.
func praisedFor(r string) string {
	if loc := praising.FindStringIndex(r); loc != nil && runesOfText(r[:loc[0]]) >= 6 {
		return r[:loc[0]]
	}
	if m := praisingFor.FindStringSubmatch(r); m != nil && runesOfText(m[1]) >= 6 {
		return m[1]
	}
	return r
}

var (
	praising    = regexp.MustCompile(`(?:は|を|について|のこと(?:は|を)?)、?(?:まず|最初に|しっかり|きちんと|ちゃんと|一番に)?(?:具体的に)?(?:褒め|ほめ|伝え|認め|労|ねぎら|称え|たたえ|評価し|お礼を)`)
	praisingFor = regexp.MustCompile(`(?i)\b(?:praise|thank|congratulate|recogni[sz]e|credit|celebrate)\s+(?:her|him|them|[A-Z]\w*|member [a-z])\s+(?:properly |specifically |first )?(?:for|on)\s+(.+)$`)
)

// recordedResult is the first sentence of the last two 1on1s' notes that
// tells a result in figures, quotable; "" when there is none.
func recordedResult(sig *history.Signals) string {
	for _, s := range sig.LastSessions[:min(2, len(sig.LastSessions))] {
		if r := resultIn(s.Notes.String()); r != "" {
			return r
		}
	}
	return ""
}

// resultIn is the first sentence of text that records a result in figures,
// not what was agreed to do ("Agreed she'd do the bank recs for 4
// clients").
func resultIn(text string) string {
	for _, t := range knowledge.Sentences(text) {
		if agreedToDo.MatchString(t) {
			continue
		}
		if resultFigure.MatchString(t) && !shortfall.MatchString(t) || betterLower.MatchString(t) && figure.MatchString(t) {
			return clip(strings.TrimRight(t, "。. "), 80)
		}
	}
	return ""
}

// agreedToDo is a sentence of notes that tells what was agreed or planned.
var agreedToDo = regexp.MustCompile(`(?i)^(?:agreed|we agreed|plan(?:ned)?|next)\b|\b(?:agreed (?:she|he|they|that|to)|(?:she|he|they)(?:'ll| will) (?:do|take|try|run|start)|going to|plans? to)\b|(?:ことに(?:した|なった|決めた)|と合意|予定(?:です|だ)?$|を約束)`)

// newsIn is the first sentence of text that tells an achievement of the
// member's: an exam passed, a target hit, an award ("7科目中2科目合格"), not
// a figure that could be anything ("基準(1%)を超えていると言われました").
func newsIn(text string) string {
	for _, t := range knowledge.Sentences(text) {
		if achievement.MatchString(t) && !shortfall.MatchString(t) {
			return clip(strings.TrimRight(t, "。. "), 80)
		}
	}
	return ""
}

var achievement = regexp.MustCompile(`(?i)合格|達成しました|達成できました|受賞|表彰され|(?:資格|免許)を?取(?:得|れ|り)|認定され|` +
	`\b(?:i|we) (?:passed|won|achieved|qualified|got certified|hit (?:the|my|our) target|beat (?:the|my|our) (?:target|record))\b|\bpassed (?:the|my|both|all|\d)|` +
	`\bpassed (?:\w+ ){0,2}(?:inspections?|audits?|exams?|tests?|assessments?|certification)\b|(?:検査|監査|審査|試験|テスト)(?:に|を)?(?:合格|通過|パス)`)

// continuity carries the last 1on1s into this one: the manager's own open
// promises first (a member notices a promise kept or not), then what the
// member completed. When opening, the first overdue promise is said as
// what the 1on1 opens on, and opens is its index (-1 when none).
func continuity(lang string, sig *history.Signals, cite *citer, recognition *Source, question string, opening bool) (out []Item, opens int) {
	opens = -1
	if n := sig.MissedSinceLast; n > 0 {
		out = append(out, missedItem(lang, sig, cite, question))
	}
	promises := 0
	for _, a := range sig.OpenActions {
		if a.Owner != "manager" || promises == 2 {
			continue
		}
		promises++
		key := "agenda.promise"
		if a.Overdue {
			key = "agenda.promise.overdue"
			if opening && opens < 0 {
				key, opens = key+".open", len(out)
			}
		}
		// Owning a promise is guidance: it cites the passage on the
		// manager's own commitments, wherever it was found.
		out = append(out, citeSupport(cite, ownPromise, msg(lang, key, clip(a.Text.String(), 80), a.AgeDays)))
	}
	managerDone, named := false, memberDone(sig)
	for _, a := range sig.DoneActions {
		if a.Owner == "manager" && !managerDone {
			managerDone = true
			key := "agenda.done.manager"
			if a.Reported {
				key += ".before"
			}
			text := about(lang, personOf(sig), key, clip(a.Text.String(), 80))
			if d, ok := done(a.Text.String()); ok && lang == "en" {
				text = about(lang, personOf(sig), key+".done", clip(d, 90))
			}
			out = append(out, citeSupport(cite, ownPromise, text))
		}
	}
	// Acknowledging specifically is guidance on recognition: each finished
	// action by name, in one line when there are several.
	if len(named) == 0 {
		return out, opens
	}
	text := doneText(lang, personOf(sig), named)
	// Only a passage on recognition backs it (the recognition source's
	// other passages, or any sharing a word, read as cited at random:
	// conflict mediation beside a thank-you); without one, the line's
	// question ("ask how it went") is backed by guidance on following up
	// actions.
	it := citeSaying(cite, recognition, text, acknowledgeDone)
	if len(it.Cites) == 0 {
		it = citeSupport(cite, acknowledgeDone, text)
	}
	// A thank-you again, for work acknowledged before, asks nothing: the
	// guidance on asking how it went would back a line that is not there.
	if len(it.Cites) == 0 && asksHowItWent.MatchString(text) {
		it = citeSupport(cite, askHowItWent, text)
	}
	return append(out, it), opens
}

// asksHowItWent is a line that asks how a finished action went.
var asksHowItWent = regexp.MustCompile(`(?i)どうだったか|how it went|how (?:it|they|that|each) (?:went|is going)`)

// acknowledgeDone is guidance on acknowledging finished work by what it
// took (a thank-you for a report, or asking how they like praise, is not;
// nor the report style's "acknowledge the work", cited for any thanks).
var acknowledgeDone = regexp.MustCompile(`(?i)ねぎら|(?:過程|プロセス|取り組み|工夫|進歩)を?[^。]{0,10}(?:認め|伝え|言葉に)|具体的に[^。]{0,12}(?:認め|言葉に)|何が良かった|acknowledge (?:the )?(?:milestones|effort|progress)|recogni[sz]e (?:the )?(?:effort|process|progress|steps)|what exactly was good`)

// memberDone are the member's finished actions a plan acknowledges by
// name, newest first.
func memberDone(sig *history.Signals) []history.DoneAction {
	var out []history.DoneAction
	for _, a := range sig.DoneActions {
		if a.Owner == "member" && len(out) < maxDone {
			out = append(out, a)
		}
	}
	return out
}

// doneText acknowledges the member's finished actions by name: in English
// as what they did ("Thank Member G for drafting the template") when every
// action starts with a verb, quoted otherwise.
func doneText(lang string, who person, named []history.DoneAction) string {
	// Reported at the last 1on1 already: thanked again by name, not asked
	// about as news.
	before := ""
	if !slices.ContainsFunc(named, func(a history.DoneAction) bool { return !a.Reported }) {
		before = ".before"
	}
	if lang == "en" {
		var did []string
		for _, a := range named {
			if d, ok := doing(a.Text.String()); ok {
				did = append(did, clip(d, 90))
			}
		}
		if len(did) == len(named) {
			if len(did) == 1 {
				return about(lang, who, "agenda.done.doing"+before, did[0])
			}
			return about(lang, who, "agenda.done.many.doing"+before, strings.Join(did[:len(did)-1], ", for ")+" and for "+did[len(did)-1])
		}
	}
	if len(named) == 1 {
		return about(lang, who, "agenda.done"+before, clip(named[0].Text.String(), 80))
	}
	names := make([]string, len(named))
	for i, a := range named {
		names[i] = msg(lang, "quoted", clip(a.Text.String(), 60))
	}
	return about(lang, who, "agenda.done.many"+before, strings.Join(names, msg(lang, "list.sep")))
}

// matchKey is the line on how well the requested response was given,
// in words: only partly, or mostly missed below a third.
func matchKey(key string, matched float64) string {
	if matched < 1.0/3 {
		return key + ".low"
	}
	return key
}

// styleKind is the kind of plan that gives each requested response.
var styleKind = map[string]string{"listen": "listen", "advise": "advise", "think-together": "explore-together",
	"encourage": "recognize", "decide": "decide", "report": "listen"}

// situationWords says in the member's terms why a plan check applies to
// them: the situations it names, as this member's history shows them; for
// a check on every member, what this member asked for this time.
//
// A check for any member has no reason of its own (criticism in public
// goes against the guidance whatever style was asked for), and a watch-out
// that starts from the request ("They asked for advice.") is not given it
// twice.
func situationWords(lang string, c knowledge.DocumentCheck, sig *history.Signals) string {
	if sig == nil {
		return ""
	}
	when, watch := c.When, c.Watch
	// A plan to skip or shorten the 1on1 meets the ones already missed,
	// whatever situation its check is for.
	if slices.Contains(c.Plans, "kind:skip-1on1") && sig.MissedSinceLast > 0 && !slices.Contains(when, "missed-since-last") {
		when = append(slices.Clip(when), "missed-since-last")
	}
	var parts []string
	for _, w := range when {
		parts = append(parts, situationParts(lang, w, watch, sig)...)
	}
	if len(parts) == 0 {
		if c, days, ok := commentOn(watch, sig); ok {
			parts = append(parts, about(lang, personOf(sig), "situation.miss", days, clip(c, 80)))
		}
	}
	// "her condition went 4→3→2 and a 1on1 has already been missed"
	if n := len(parts); lang == "en" && n > 1 {
		last := strings.TrimPrefix(parts[n-1], "and ")
		return strings.Join(parts[:n-1], msg(lang, "list.sep")) + " and " + last
	}
	return strings.Join(parts, msg(lang, "list.sep"))
}

// situationParts says what of situation w holds for the member: the
// reasons a check's watch-out gives (a style asked for, a condition
// path, a note).
func situationParts(lang, w, watch string, sig *history.Signals) []string {
	var parts []string
	switch w {
	case "asked-to-listen", "asked-for-advice", "asked-to-think-together", "asked-for-encouragement", "asked-to-decide", "asked-to-report", "asked-beyond-report":
		if sig.Next != nil && sig.Next.Style != nil && !statesRequest.MatchString(firstSentence(watch)) {
			parts = append(parts, about(lang, personOf(sig), "situation.asked", about(lang, personOf(sig), "style.asked."+*sig.Next.Style)))
		}
		// What the member said of a 1on1 that missed what they asked
		// for, the same as now, is the evidence against doing it again
		// (and for a plan that gives it this time).
		if mc := sig.MissComment; mc != nil {
			parts = append(parts, about(lang, personOf(sig), "situation.miss", mc.DaysAgo, clip(mc.Comment.String(), 80)))
		}
	case "condition-falling":
		if v := sig.Condition.Values; len(v) > 0 {
			parts = append(parts, about(lang, personOf(sig), "situation.condition-falling", conditionPath(v)))
		}
	case "avoids-challenges":
		parts = append(parts, holdingBackSituation(lang, sig))
	case "new-member":
		parts = append(parts, about(lang, personOf(sig), "situation."+w))
	case "missed-since-last":
		if sig.MissedSinceLast == 1 {
			parts = append(parts, about(lang, personOf(sig), "situation.missed-since-last.one"))
		} else {
			parts = append(parts, about(lang, personOf(sig), "situation.missed-since-last", sig.MissedSinceLast))
		}
	case "evaluation-not-asked", "joining-not-asked":
		// What they did ask for this time is what the plan would crowd
		// out ("not looking for an answer yet" on career, not a rating).
		if sig.Next != nil && !sig.Next.Request.Empty() {
			parts = append(parts, about(lang, personOf(sig), "situation.request", clip(quotable(sig.Next.Request.String()), 80)))
		}
	case "manager-promise-open":
		for _, a := range sig.OpenActions {
			if a.Owner == "manager" {
				parts = append(parts, about(lang, personOf(sig), "situation.manager-promise-open", clip(a.Text.String(), 40)))
				break
			}
		}
	}
	return parts
}

// holdingBackSituation says why the member reads as holding back: the
// words that show it, when a note or request holds them ("his requests
// or notes show him holding back" is any member).
func holdingBackSituation(lang string, sig *history.Signals) string {
	q, ago, wrote, ok := holdingBackWords(sig)
	if !ok {
		return about(lang, personOf(sig), "situation.avoids-challenges")
	}
	key := "situation.avoids-challenges.notes"
	switch {
	case wrote && ago == 0:
		key = "situation.request"
	case wrote:
		key = "situation.avoids-challenges.wrote"
	}
	return about(lang, personOf(sig), key, q, ago)
}

// heldDaysAgo is how long ago a held 1on1 of sig.LastSessions was, counted
// from the last one's DaysSinceLast (which must be set).
func heldDaysAgo(sig *history.Signals, b history.SessionBrief) int {
	return *sig.DaysSinceLast + int(sig.LastSessions[0].At.Sub(b.At).Hours()/24+0.5)
}

// holdingBackWords is the newest sentence of the member's request or of
// the notes of a held 1on1 that shows them holding back from a challenge
// (holdingBack), how many days ago its 1on1 was (0: the coming one), and
// whether the member wrote it (a request) rather than the manager.
func holdingBackWords(sig *history.Signals) (quote string, daysAgo int, wrote, ok bool) {
	find := func(text string) (string, bool) {
		for _, s := range knowledge.Sentences(text) {
			if holdingBack.MatchString(strings.ToLower(s)) {
				return clip(strings.TrimRight(s, "。. "), 80), true
			}
		}
		return "", false
	}
	if sig.Next != nil {
		if q, ok := find(sig.Next.Request.String()); ok {
			return q, 0, true, true
		}
	}
	if len(sig.LastSessions) == 0 || sig.DaysSinceLast == nil {
		return "", 0, false, false
	}
	for _, b := range sig.LastSessions {
		ago := heldDaysAgo(sig, b)
		if q, ok := find(b.Request.String()); ok {
			return q, ago, true, true
		}
		if q, ok := find(b.Notes.String()); ok {
			return q, ago, false, true
		}
	}
	return "", 0, false, false
}

// statesRequest is a sentence that restates what the member asked for.
var statesRequest = regexp.MustCompile(`希望して|望んで|(?i)\bthey asked\b|\basked (?:you |for |to )`)

// firstSentence is the first sentence of s.
func firstSentence(s string) string {
	if ss := knowledge.Sentences(s); len(ss) > 0 {
		return ss[0]
	}
	return s
}

// prepWatchOuts are the cautions: the requested style, patterns in the
// history, the stated plan against the guidance, and what to avoid.
func prepWatchOuts(in prepInput, cite *citer, agenda []Item) (watch, conflicts []Item) {
	watch = []Item{}
	if len(in.Sources) == 0 {
		watch = append(watch, Item{Text: msg(in.Lang, "noguidance"), Cites: []int{}})
	}
	plan, conflicts := planWatch(in, cite)
	watch = append(watch, plan...)
	style := styleWatch(in, cite)
	saysAsked := func(c conflict) bool {
		return slices.ContainsFunc(c.Check.When, func(w string) bool { return strings.HasPrefix(w, "asked-") })
	}
	if len(style) > 0 && (slices.ContainsFunc(in.Conflicts, saysAsked) || slices.ContainsFunc(in.Fits, saysAsked)) {
		// A warning about the plan, or its endorsement, already says what
		// the member asked for: the line on the style would say it again.
		style = style[1:]
	}
	// A caution the agenda already gives ("after the report, ask one
	// question") is not said again.
	for _, it := range append(style, historyWatch(in, cite)...) {
		if !slices.ContainsFunc(agenda, func(a Item) bool { return restates(it.Text, a.Text) }) {
			watch = append(watch, it)
		}
	}
	return dedupe(append(watch, avoidLines(in, cite)...)), conflicts
}

// closedQuote ends an English quote that a sentence follows with a full
// stop, as a quoted sentence ends ("…to Thu 1on1." She asked you…).
func closedQuote(lang, q string) string {
	if last, _ := utf8.DecodeLastRuneInString(q); lang == "ja" || q == "" || strings.ContainsRune(".!?…\"'", last) {
		return q
	}
	return q + "."
}

// inlineQuote is q to be said inside an English sentence: without the
// full stop it ends on, or the one closing its last quote
// ("…it's been annoying."" reads "…it's been annoying"").
func inlineQuote(lang, q string) string {
	if lang != "en" {
		return q
	}
	if t, ok := strings.CutSuffix(q, ".\""); ok {
		return t + "\""
	}
	return strings.TrimSuffix(q, ".")
}

// restates reports whether line a says again what b does: most words of
// substance of the shorter, outside their quotes, are in the other.
func restates(a, b string) bool {
	shared, of := inShorter(substance(unquoted(citeRE.ReplaceAllString(a, ""))), substance(unquoted(citeRE.ReplaceAllString(b, ""))))
	return shared >= 3 && float64(shared) >= 0.6*float64(of)
}

// planWatch weighs the manager's stated plan: what in the guidance goes
// against it, or supports it, or that nothing does. conflicts are the
// warnings again, for a model's answer.
func planWatch(in prepInput, cite *citer) (watch, conflicts []Item) {
	lang, sig := in.Lang, in.Signals
	who := personOf(sig)
	plan := planQuote(in.Question.String())
	if len(in.Conflicts) > 0 {
		plan = conflictQuote(in.Question.String(), plan, in.Steps, in.Said, in.Conflicts[0].Check, sig)
	}
	plan = planPhrase(plan)
	watch, conflicts = conflictWatch(in, plan, cite)
	watch = append(watch, fitsWatch(in, plan, cite)...)
	if len(in.Conflicts) > 0 || len(in.Fits) > 0 || !isPlan(in.Question.String()) || len(in.Kinds) == 0 && !plainPlan(in.Question.String()) {
		return watch, conflicts
	}
	if len(in.Kinds) == 0 {
		// A plan the reader found no kind in is not vouched for: the
		// guidance was not weighed against it. Checking it with the member
		// holds to what they asked for: cited to the guidance on that
		// response.
		if sig != nil && sig.Next != nil && sig.Next.Style != nil {
			style := *sig.Next.Style
			src := pickStyle(in.Sources, []string{sectionPractice, sectionOther, sectionMisconception}, style)
			text := about(lang, who, "watch.plan.unread", plan, styleProse(lang, style))
			return append(watch, citeStyle(cite, src, style, text, styleHeld[style])), conflicts
		}
		return watch, conflicts
	}
	// A stated plan the checks found nothing against is still weighed
	// aloud: the manager sees it was read. One that gives the response the
	// member asked for is backed as such.
	if sig != nil && sig.Next != nil && sig.Next.Style != nil {
		style := *sig.Next.Style
		key, args := "watch.plan.ok", []any{plan, styleProse(lang, style)}
		q := in.Question.String()
		closest := closestSentence(sig.Next.Request.String(), q)
		switch {
		case slices.Contains(in.Kinds, styleKind[style]):
			key = "watch.plan.asked"
		case answersRequest(q, sig) && shared(closest, q) >= 2:
			// The plan takes up what they wrote for this 1on1: said with
			// their words, it is backed by more than finding nothing
			// against it.
			key, args = "watch.plan.answers", []any{plan, quotable(closest)}
		case memberAskedFor.MatchString(in.Question.String()):
			key, args = "watch.plan.requested", args[:1] // the request, not the style, is what it does
		case style == "advise" && responseReady(in):
			key = "watch.plan.asked"
		}
		// Cited to the guidance on the response they asked for, at the
		// passage closest to the plan.
		src := pickStyle(in.Sources, []string{sectionPractice, sectionOther, sectionMisconception}, style)
		text := about(lang, who, key, args...)
		return append(watch, citeClaim(cite, src, text, in.Question.String()+" "+msg(lang, "style."+style))), conflicts
	}
	return append(watch, Item{Text: about(lang, who, "watch.plan.ok.nostyle", plan), Cites: []int{}}), conflicts
}

// conflictWatch says what in the guidance goes against the plan,
// quoted as plan: the first concern with the plan, then any other. The
// conflicts are the same warnings with the sources' numbers, for a
// model's answer.
func conflictWatch(in prepInput, plan string, cite *citer) (watch, conflicts []Item) {
	lang, sig := in.Lang, in.Signals
	who := personOf(sig)
	said := folded(referToMember(in.Question.String(), sig))
	for i, c := range in.Conflicts {
		if i > 0 && restated(c.Check, in.Conflicts[:i]) {
			continue
		}
		// A second concern for any member stands on the check's own words
		// for the plan: read only as a kind, beside a first that found it,
		// it is the reader's guess ("tips to cut mistakes" as skipping the
		// 1on1). One on this member's situation has that to stand on.
		if i > 0 && checkRank(c.Check) == 2 && !c.Check.Says(said) {
			continue
		}
		// The plan is quoted once; a second concern about it follows.
		args := []any{closedQuote(lang, plan)}
		key := "watch.plan"
		if i > 0 {
			args, key = nil, "watch.plan.also"
		}
		if why := situationWords(lang, c.Check, sig); why != "" {
			if i == 0 {
				args = []any{inlineQuote(lang, plan)}
			}
			args, key = append(args, inlineQuote(lang, why)), key+".why"
		}
		text := about(lang, who, key, append(args, who.ours(lang, c.Check.Watch))...)
		watch = append(watch, cite.item(text, c.Source, c.Quote))
		// The model's answer keeps these with the sources' numbers (see
		// llmPlan): a copy, left alone by renumber.
		kept := Item{Text: text, Cites: []int{}}
		if c.Source > 0 {
			kept = Item{Text: text + " [" + strconv.Itoa(c.Source) + "]", Cites: []int{c.Source}}
		}
		conflicts = append(conflicts, kept)
	}
	return watch, conflicts
}

// answersRequest reports whether a plan takes up the matter the member
// wrote for the coming 1on1: it shares three words of substance with
// their request.
func answersRequest(plan string, sig *history.Signals) bool {
	if sig == nil || sig.Next == nil || sig.Next.Request.Empty() {
		return false
	}
	return shared(plan, sig.Next.Request.String()) >= 3
}

// closestSentence is the sentence of text that shares the most words of
// substance with other, the first on a tie: the part of a member's
// request a plan takes up ("maybe a 10-minute slot", not "The session
// went well").
func closestSentence(text, other string) string {
	ss := wholeSentences(knowledge.Sentences(text))
	if len(ss) == 0 {
		return text
	}
	words, best := substance(other), 0
	for i, t := range ss {
		if overlap(t, words) > overlap(ss[best], words) {
			best = i
		}
	}
	return ss[best]
}

// memberAskedFor says a plan does what the member asked of the manager:
// "she asked me to be blunt, so I will", 「本人から月1回にしてほしいと言われたので」.
var memberAskedFor = regexp.MustCompile(`(?i)\b(?:she|he|they|member \w+) (?:asked|requested|wants|wanted) (?:me|us)\b|` +
	`\b(?:she|he|they|member \w+) (?:asked|requested|begged) for [^.;:]{1,40}, so\b|\b(?:since|because|as) (?:she|he|they|member \w+) (?:asked|requested) for\b|` +
	`at (?:her|his|their) (?:own )?request|as (?:she|he|they) asked|(?:から|より)[^。]{0,40}(?:てほしい|たい|ください)と(?:言われ|頼まれ|相談され|希望され|依頼され)|` +
	`本人の(?:希望|依頼|要望)(?:で|どおり|通り|に沿|を受け)|本人から(?:の)?(?:希望|依頼|要望)`)

// fitsWatch says which checks support the stated plan. The plan is quoted
// too, once: "Your plan fits" says which plan ("早番固定で決めます"), not
// only that one was stated.
func fitsWatch(in prepInput, plan string, cite *citer) []Item {
	lang, sig := in.Lang, in.Signals
	who := personOf(sig)
	var out []Item
	for i, c := range in.Fits {
		watch := who.ours(lang, c.Check.Watch)
		why := situationWords(lang, c.Check, sig)
		var text string
		switch {
		case i == 0 && why != "":
			text = about(lang, who, "watch.plan.fits.why", inlineQuote(lang, plan), inlineQuote(lang, why), watch)
		case i == 0:
			text = about(lang, who, "watch.plan.fits", closedQuote(lang, plan), watch)
		case why != "":
			text = about(lang, who, "watch.plan.fits.also.why", why, watch)
		default:
			text = about(lang, who, "watch.plan.fits.also", watch)
		}
		out = append(out, cite.item(text, c.Source, c.Quote))
	}
	return out
}

// restated reports whether a check for any member says again what an
// earlier, more specific one said: both weigh the same kind of plan
// (skipping the 1on1 for anyone, and for a member whose condition falls).
func restated(c knowledge.DocumentCheck, earlier []conflict) bool {
	if !slices.Equal(c.When, []string{"any"}) {
		return false
	}
	return slices.ContainsFunc(earlier, func(e conflict) bool {
		return slices.ContainsFunc(c.Plans, func(p string) bool {
			return strings.HasPrefix(p, "kind:") && slices.Contains(e.Check.Plans, p)
		})
	})
}

// styleWatch is the response the member asked for, and how past answers
// rated the match when they asked for it.
func styleWatch(in prepInput, cite *citer) []Item {
	sig := in.Signals
	if sig == nil || sig.Next == nil || sig.Next.Style == nil {
		return nil
	}
	style := *sig.Next.Style
	// The style's own guidance first, then listening for "listen"; what to
	// do backs a line that says what to do (a line on what to avoid,
	// quoted there, read as backing something else).
	secs := []string{sectionPractice, sectionMisconception, sectionOther}
	src := pickStyle(in.Sources, secs, style)
	if src == nil && style == "listen" {
		src = pick(in.Sources, secs, "listening")
	}
	out := []Item{citeStyle(cite, src, style, about(in.Lang, personOf(sig), "watch.style."+style), styleHeld[style])}
	for _, st := range sig.Styles {
		if st.Style != style || st.Match.Matched == nil || *st.Match.Matched >= 0.6 {
			continue
		}
		key, args := matchKey("watch.match", *st.Match.Matched), []any{styleLabel(in.Lang, style), st.Match.Ratings, *st.Match.Matched * 100}
		// After a 1on1 of this style that they commented on, and not as a
		// miss, "change how you respond" would undo what worked last time.
		if c := lastWorked(sig, style); c != "" {
			key, args = "watch.match.since", append(args, c)
		}
		out = append(out, Item{Text: about(in.Lang, personOf(sig), key, args...), Cites: []int{}})
	}
	return out
}

// lastWorked is the member's comment on the last 1on1 held, when they had
// asked for style then too and the comment is not one on a miss.
func lastWorked(sig *history.Signals, style string) string {
	c := sig.LastComment
	if c == nil || len(sig.LastSessions) == 0 || courtesy.MatchString(c.Comment.String()) {
		return ""
	}
	last := sig.LastSessions[0]
	if last.ID != c.SessionID || last.Style == nil || *last.Style != style || sig.MissComment != nil && sig.MissComment.SessionID == c.SessionID {
		return ""
	}
	return clip(c.Comment.String(), 80)
}

// historyWatch is what the last 1on1s call for: advice given to a member
// who asked to be listened to, a streak of status reports, and the
// manager's own last reflection.
func historyWatch(in prepInput, cite *citer) []Item {
	lang, sig := in.Lang, in.Signals
	if sig == nil {
		return nil
	}
	var out []Item
	if sig.AdvisedDespiteListen {
		src := pick(in.Sources, []string{sectionAvoid, sectionPractice, sectionOther}, "listening", "response-style")
		out = append(out, citeFor(cite, src, about(lang, personOf(sig), "watch.advised")))
	}
	switch {
	case sig.StatusStreak >= 3 && asked("report")(sig):
		// Asked to report again: the report is theirs, and one question
		// after it is the change (not moving the report out of the 1on1).
		src := pick(in.Sources, []string{sectionPractice, sectionMisconception, sectionOther}, "response-style")
		out = append(out, citeFor(cite, src, about(lang, personOf(sig), "watch.status.report", sig.StatusStreak)))
	case sig.StatusStreak >= 3:
		src := pick(in.Sources, []string{sectionPractice, sectionMisconception, sectionOther}, "basics")
		out = append(out, citeFor(cite, src, about(lang, personOf(sig), "watch.status", sig.StatusStreak)))
	}
	if a, tail := reflectionToCarry(sig); a != "" {
		text := msg(lang, "watch.reflection", clip(a, 160))
		if d := sig.ReflectionDaysAgo; d != nil {
			text = msg(lang, "watch.reflection.earlier", *d, clip(a, 160))
		}
		return append(out, Item{Text: text + msg(lang, tail), Cites: []int{}})
	}
	return out
}

var (
	// lesson is a reflection answer that says what to do differently.
	lesson = regexp.MustCompile(`(?i)次(回|は|こそ)|反省|すぎ(た|る)|もっと|べきだった|ればよかった|(聞|聴|触れ|言え|確認し|伝え)なかった|[てで]しまっ|なかった|かけた|\b(haven'?t|hadn'?t|still|nearly|almost|forgot|missed)\b|\bleft (it|him|her|them)\b|\bnext time\b|\btoo (much|early|soon|fast|quickly)\b|\bi should\b|\bi could have\b|\binstead\b|\bi (talked|jumped|kept|rushed|pushed)\b|\bdidn'?t (ask|listen|check|say)\b`)
	// pastRequest is an answer that tells of the response asked for then.
	pastRequest = regexp.MustCompile(`希望だった|希望(どおり|通り)|頼まれ|求められ|(?i)\bas (she|he|they) asked\b|\b(she|he|they) (had )?asked (me )?(to|for)\b`)
)

// lessonTail is the message key of what a reflection answer that holds
// a lesson asks of the next 1on1, or "" when it holds none.
func lessonTail(answer, prompt string) string {
	switch {
	case owed.MatchString(answer):
		return "watch.reflection.owed"
	case resolved.MatchString(answer):
		return "watch.reflection.resolved"
	case leftUnsaid.MatchString(answer):
		return "watch.reflection.unsaid"
	case lesson.MatchString(answer) && !(answeredYes.MatchString(answer) && !butAfter.MatchString(answer) && !ownLesson.MatchString(answer)):
		// "Yes, I kept my preference to myself": a yes to the prompt with
		// no "but" after it is what worked, whatever words it shares with
		// a lesson ("kept", "instead of a reading list"), unless it says
		// what it would have done ("I could have asked more").
		return "watch.reflection.lesson"
	case lessonPrompt.MatchString(prompt):
		// Asked what to change, they wrote what happened.
		return "watch.reflection.noted"
	}
	return ""
}

// resolved is a reflection that already says what to do next time:
// 「次は最初の10分は質問だけにする」, "Protect the full 30 minutes next
// time", "I should have come with a pick".
var resolved = regexp.MustCompile(`(?i)次(回|は|こそ)(、)?[^。]{2,}(る|う|く|す|つ|む|ぶ|ぐ|たい)(。|$)|べきだった|ば(良|よ)かった|\bnext time[.!]?$|\bnext time,? (i'?ll |i will |i should |i need to |i want to )?\w+|\bthis time i'?(ll| will)\b|\bi should(n'?t)? have\b`)

// leftUnsaid is a reflection that tells of something not said or asked:
// 「正直に言えなかった」, "I dodged the linen question", 「…もう少し聞きたかったが、
// 時間切れになった」.
var leftUnsaid = regexp.MustCompile(`(?i)(言え|聞け|触れられ|確認でき|伝えられ|話せ|切り出せ)(なかった|ず)|(聞き|言い|話し)(そびれ|たかった)|時間切れ|\b(dodged|avoided|skipped over|ran out of time|never (asked|raised|mentioned|got to)|didn'?t (ask|raise|mention|bring up|get to|tell)|couldn'?t (ask|raise|say|tell|bring))\b`)

// owed is a reflection on something the manager still owes the member:
// 「総務への確認がまだなのが申し訳ない」, "I owe him the procurement answer".
var owed = regexp.MustCompile(`(?i)(確認|返事|回答|連絡|手配|調整|共有)が?まだ|申し訳な|\bi (still )?owe\b|\bkeeps? slipping\b|\bstill (haven'?t|need to) (sent|send|got|get|checked|check|asked|ask|booked|book)\b`)

// reflectionToCarry is the manager's reflection answer worth carrying into
// this 1on1, with the message key of what it asks of this one: a lesson
// before a plain account, and no account of giving the response asked for
// then when another is asked for now ("I just listened, as she asked" read
// to a manager asked for advice). A lesson asks to raise early what was
// left unsaid, or to settle beforehand what to do differently; an account
// of what went well, to keep to it. ("Let it shape this one" after any of
// them asked nothing the manager could do.)
func reflectionToCarry(sig *history.Signals) (answer, tail string) {
	var first string
	for _, a := range sig.LastReflection {
		t := a.Answer.String()
		// An answer with nothing in it ("特にないです") is not worth reading back.
		if utf8.RuneCountInString(t) < 12 || nothingToSay.MatchString(t) {
			continue
		}
		if pastRequest.MatchString(t) && otherStyle(sig, t, false) {
			continue
		}
		if tail := lessonTail(t, a.Prompt.String()); tail != "" {
			return t, tail
		}
		// What went well ("clear priorities for her first month") holds
		// only in a 1on1 of the same kind.
		if first == "" && sameStyleAsLast(sig) {
			first = t
		}
	}
	switch {
	case first == "":
		return "", ""
	case wentWell.MatchString(first) && !answeredNo.MatchString(first):
		return first, "watch.reflection.worked"
	}
	// "No. Third update-only session in a row." is no success to keep to.
	return first, "watch.reflection.noted"
}

var (
	// wentWell is an account of something that worked.
	wentWell = regexp.MustCompile(`(?i)(でき|られ)た|よかった|良かった|うまく|手応え|伝わった|\b(yes|worked|went well|good|better|managed to|got to|helped|landed|i think so)\b`)
	// answeredYes opens an answer with yes.
	answeredYes = regexp.MustCompile(`(?i)^\s*(yes\b|yeah\b|yep\b|i think so\b|はい|できた|できました)`)
	// ownLesson says what the manager would have done otherwise.
	ownLesson = regexp.MustCompile(`(?i)\bi (could|should|would) have\b|\bi wish\b|次(回|は|こそ)|べきだった|ればよかった|\btoo (much|early|soon|fast|quickly)\b|\bnext time\b`)
	// butAfter turns an answer from what went well to what did not.
	butAfter = regexp.MustCompile(`(?i)\b(but|though|although|however|except|apart from)\b|ただ|けど|けれど|しかし|一方`)
	// answeredNo opens an answer with no.
	answeredNo = regexp.MustCompile(`(?i)^\s*(no\b|not really|いいえ|いや|あまり|全然|できなかった)`)
)

// sameStyleAsLast reports whether the member asks for the response they
// asked for in the 1on1 the last reflection is about.
func sameStyleAsLast(sig *history.Signals) bool {
	if sig.ReflectionDaysAgo != nil || len(sig.LastSessions) == 0 || sig.Next == nil {
		return false
	}
	last, now := sig.LastSessions[0].Style, sig.Next.Style
	return last != nil && now != nil && *last == *now
}

// lessonPrompt is a reflection prompt that asks what to do differently.
var lessonPrompt = regexp.MustCompile(`(?i)次(回|は)|気をつけ|変えたい|改善|next time|differently|change|improve`)

var nothingToSay = regexp.MustCompile(`(?i)^\s*(特に(な|無)|なし|nothing|none|n/a|no comment)`)

// avoidLines are what the best-fitting guidance says to avoid, one item
// per line, the best-fitting source's first: labelled, since an item
// quoted bare reads as an instruction.
func avoidLines(in prepInput, cite *citer) []Item {
	var srcs []Source
	for _, s := range in.Sources {
		if s.Section == sectionAvoid && fit(s, in) >= minFit {
			srcs = append(srcs, s)
		}
	}
	slices.SortStableFunc(srcs, func(a, b Source) int { return cmp.Compare(fit(b, in), fit(a, in)) })
	// A line to avoid is about this member's situation (it shares words
	// with what they or the manager wrote: two, since one word in common
	// let stray rules through, "Promising total secrecy…" for "tell"), the
	// response they asked for, or a plan the guidance warns against (and
	// shares a word with the plan: not every rule of that document fits); any
	// other reads as a stray rule. With nothing written, retrieval's choice
	// stands.
	var styleRE *regexp.Regexp
	style := ""
	if sig := in.Signals; sig != nil && sig.Next != nil && sig.Next.Style != nil {
		style = *sig.Next.Style
		styleRE = styleWords[style]
	}
	plan := substance(in.Question.String())
	// "Offering three solutions when they asked for none" is about a
	// member who asked for no advice: not one who asked for it.
	asksAnswer := asked("advise")(in.Signals) || asked("decide")(in.Signals)
	var out []Item
	for _, b := range roundRobin(srcs, sectionAvoid, 3*maxAvoid, in.context) {
		h := in.Sources[b.n-1].Hit
		// "Hold back the advice" names advice too: it is no guide for a
		// member who asked for it.
		where := h.Title + " " + strings.Join(h.HeadingPath, " ")
		onStyle := styleRE != nil && styleRE.MatchString(where) && !opposes(style, where)
		onPlan := slices.ContainsFunc(in.Conflicts, func(c conflict) bool { return c.Check.DocumentID == h.DocumentID })
		if len(out) < maxAvoid && !otherStyle(in.Signals, b.text, true) && !(asksAnswer && unasked.MatchString(b.text)) &&
			(onStyle || onPlan && telling(b.text, plan) > 0 || len(in.context) == 0 || telling(b.text, in.context) > 1) {
			out = append(out, cite.item(avoidance(in.Lang, b.text), b.n, b.text))
		}
	}
	return out
}

// unasked is guidance on advice or solutions nobody asked for.
// So, to one who asked for advice, is a warning against moving from
// listening to advice ("Right, so what you need to do is…").
var unasked = regexp.MustCompile(`(?i)asked for none|(?:un|not )(?:asked|requested)|頼まれていない|求められていない|` +
	`from listening to advi|switching to advi|what you need to do is|聞き役から助言|(?:途中で|すぐに)助言に切り替`)

// telling counts the words a shares with words, leaving out those that
// tell no situation: "through", 「途中」 or "person" are in any plan and
// any rule.
func telling(a string, words map[string]bool) int {
	n := 0
	for w := range substance(a) {
		if words[w] && !weakShared[w] {
			n++
		}
	}
	return n
}

var weakShared = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("through tell know person people right everyone step need give giving done mind pick line sign asking " +
		"switch ever back first made hear open without anything hang work talk check look offer learn team number goal time keep member share next " +
		"一度 途中 様子 最初 今週 チーム 時間 確認 一方 相談 報告") {
		m[fold(w)] = true
	}
	return m
}()

// memberContext is what the member and the manager wrote for this 1on1
// and the last: the words guidance lines are matched against.
func memberContext(in prepInput) string {
	if sig := in.Signals; sig != nil && len(sig.LastSessions) > 0 {
		return writtenFor(in) + "\n" + sig.LastSessions[0].Notes.String()
	}
	return writtenFor(in)
}

// writtenFor is what was written for this 1on1: the manager's question,
// the member's request, and their latest shared comment.
func writtenFor(in prepInput) string {
	parts := []string{in.Question.String()}
	if sig := in.Signals; sig != nil {
		if n := sig.Next; n != nil {
			parts = append(parts, n.Request.String())
		}
		if c := sig.LastComment; c != nil {
			parts = append(parts, c.Comment.String())
		}
	}
	return strings.Join(parts, "\n")
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
		text := msg(lang, "followup.item", a.Text, about(lang, personOf(sig), "owner."+a.Owner), a.AgeDays, extra)
		if a.AgeDays == 0 {
			text = msg(lang, "followup.item.today", a.Text, about(lang, personOf(sig), "owner."+a.Owner), extra)
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
		key := strings.TrimRight(strings.TrimSpace(citeRE.ReplaceAllString(it.Text, "")), "。.")
		if !seen[key] {
			seen[key] = true
			out = append(out, it)
		}
	}
	return out
}

// renumber numbers an offline answer's citations 1, 2, 3… in the order
// they are listed, rewriting the markers in its items: the sources it did
// not use leave no gaps, and a citation whose line was dropped after it
// was cited (a repeated warning) is left out. (A plan's conflicts keep the
// sources' numbers for a model's answer.)
func renumber(citations []Citation, lists ...[]Item) []Citation {
	cited := map[int]bool{}
	for _, items := range lists {
		for _, it := range items {
			for _, n := range it.Cites {
				cited[n] = true
			}
		}
	}
	citations = slices.DeleteFunc(citations, func(c Citation) bool { return !cited[c.N] })
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
	return citations
}

// actionsSummary counts the open actions, and the overdue ones if any.
func actionsSummary(lang string, actions []history.OpenAction) string {
	overdue := 0
	for _, a := range actions {
		if a.Overdue {
			overdue++
		}
	}
	switch {
	case len(actions) == 1 && overdue == 1:
		return msg(lang, "summary.actions.one.overdue")
	case len(actions) == 1:
		return msg(lang, "summary.actions.one")
	case overdue == 0:
		return msg(lang, "summary.actions.ontime", len(actions))
	case overdue == 1:
		return msg(lang, "summary.actions.overdue.one", len(actions))
	}
	return msg(lang, "summary.actions", len(actions), overdue)
}

// citeFor makes an item citing the list item that best says what text
// claims: of src, or of another source on src's topics when it says it
// better; no citation when none shares a word of substance with the claim
// (a source picked by topic may not say what the line does: "Hold the
// conversation." beside "own your overdue promise"), or src is nil.
func citeFor(c *citer, src *Source, text string) Item { return citeClaim(c, src, text, text) }

// citeClaim is citeFor for a line whose claim is told in other words than
// its text (a plan weighed: the plan and the style it fits).
func citeClaim(c *citer, src *Source, text, said string) Item {
	if src == nil {
		return Item{Text: text, Cites: []int{}}
	}
	claim := substance(unquoted(said))
	n, quote, best := 0, "", 0
	consider := func(s *Source) {
		for _, b := range bullets(s.Hit.Text) {
			// A rating on a scale repeats what the member rates before
			// each 1on1.
			if utf8.RuneCountInString(strings.Trim(b, ".。 ")) <= 6 || opposes(c.style, b) || scale.MatchString(b) {
				continue
			}
			if k := overlap(b, claim); k > best {
				n, quote, best = s.N, b, k
			}
		}
	}
	consider(src)
	for i := range c.sources {
		s := &c.sources[i]
		if s.N != src.N && (s.Section == src.Section || supportSections[s.Section]) &&
			slices.ContainsFunc(s.Hit.Topics, func(t string) bool { return slices.Contains(src.Hit.Topics, t) }) {
			consider(s)
		}
	}
	return c.item(text, n, quote)
}

// supportSections are the parts of a document that say what to do: a line
// is not backed by what to avoid, a story, or a question.
var supportSections = map[string]bool{sectionPractice: true, sectionMisconception: true, sectionNext: true, sectionOther: true}

// quotedRE are the member's or the manager's words quoted in a line, and
// its asides ("(agreed 70 days ago)"): what the line claims is outside them.
var quotedRE = regexp.MustCompile(`「[^「」]*」|"[^"]*"|“[^”]*”|（[^（）]*）|\([^()]*\)`)

func unquoted(s string) string { return quotedRE.ReplaceAllString(s, " ") }

type bullet struct {
	n    int
	text string
}

// roundRobin takes list items from the sources of one section, the first
// of each source, then the second, and so on: several documents' voices
// rather than one document's whole list.
//
// Each source's items come most relevant first: those sharing most words
// of substance with context (what the member and the manager wrote), in
// the document's order otherwise, so that a list of what to avoid gives
// the line about this member's situation, not its first line.
func roundRobin(sources []Source, section string, limit int, context map[string]bool) []bullet {
	var lists [][]bullet
	for _, s := range sources {
		if s.Section != section {
			continue
		}
		var l []bullet
		rank := map[string]int{}
		for _, b := range bullets(s.Hit.Text) {
			l = append(l, bullet{s.N, b})
			rank[b] = overlap(b, context)
		}
		slices.SortStableFunc(l, func(x, y bullet) int { return cmp.Compare(rank[y.text], rank[x.text]) })
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
