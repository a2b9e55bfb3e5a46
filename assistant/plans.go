package assistant

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// A stated plan is weighed against the guidance: each published document
// may declare the plans it warns against and for which members
// (knowledge.PlanCheck). The coach knows the members; the curators know
// the plans.

// statesPlan finds a manager talking about what they will do.
var statesPlan = regexp.MustCompile(`つもり|予定|[^ど]うかな|しようと思|させよう|させる|させたい|する(?:こと)?にし|言うつもり|伝えよう|` +
	`しようかな|しようか|してみよう|(?:よう|こう)と思|[おごそぞとどのぼぽもろ]うと思|思って(?:います|る)|思ってい(?:ます|る)|考えて(?:います|る)|(?:う|よう)かと(?:思|考)|たいと思|` +
	`ようかと|ましょうか|おうかな|ておこう|てもらおう|ちゃおう|(?:て|で)も?(?:いい|よい|大丈夫|構わない)ん?(?:です|でしょう)?か|(?:ちゃ|じゃ)っても?(?:いい|大丈夫)|` +
	`\bi'?ll\b|\bi will\b|\bi'?m going to|\bi am going to|\bi plan to|\bi intend to|\bi want to|\bi'?d like to|\bi'?m thinking (?:of|about)|` +
	`\bi think i'?ll|\bi was thinking|(?:^|[.!?]\s+)(?:thinking|planning) (?:of|about|to)\b|\bi'?ve (?:already )?decided\b|\bi have (?:already )?decided\b|my plan is|(?:^|[.!?]\s+|the )plan(?: is|:)|planning to|gonna|going to (?:push|tell|make)|\bi'?ll just|\blet me|` +
	`(?:should|could|can) i\b|is it ok(?:ay)? (?:if|to)|\bwhat if i\b|maybe (?:\w+ ){0,3}i\b|` +
	`the best (?:thing|way|approach|move|option) (?:is|would be|might be) to\b|(?:probably|maybe) (?:best|better) to\b|i think (?:we|i) should\b|` +
	`\bi'?d rather\b|\bi figured?\b|\bi'?d (?:\w+ly )?(?:cover|go|start|do|tell|ask|put|make|take|give|spend|use|walk|bring|keep|skip|move|cut|get|just|also)\b|\bi'?m leaning towards?\b|\bi'?m thinking (?:she|he|they|we|i) (?:should|could|might|will)\b|\bplan to\b|planning on\b|のが(?:一番|いい|よさそう)(?:かな|と思|です)|(?:方|ほう)が(?:いい|よさそう)(?:かな|と思)|ことにしよう|ことにします`)

var (
	// howQuestion asks how to do something, and states no plan ("How do I
	// encourage her?").
	howQuestion = regexp.MustCompile(`^\s*(?:how (?:do|can|should|would|to)\b|what (?:is|are|should|can)\b|why\b|どう(?:すれば|したら|やって|やれば)|どのように|どうやって|なぜ|何を(?:すれば|したら))`)
	// endsAsking is a message that ends on a question of how or what to
	// do, after some context ("…スキップが続いています。どう進めれば
	// いいでしょうか？"): what comes before it tells, it does not plan.
	endsAsking = regexp.MustCompile(`(?:どう|どのように|何を|なにを|何に|なにに|何から|なにから|何について|どこ|どんな|どの)[^。！!？?]{0,30}(?:いい|よい|べき)[^。！!？?]{0,12}[?？。]?\s*$|` +
		`(?:how (?:do|can|should|would) i|(?:what|where|which) (?:\w+ )?(?:should|do|can) i|what'?s the best way)[^.!?]*\?\s*$`)
)

// isPlan reports whether the manager's words are to be weighed as a plan:
// anything but a question of how to (plans come as "I'll…", "might be
// time to…", "〜します", "〜しちゃおうかな", and many more).
func isPlan(question string) bool {
	q := folded(question)
	if statesPlan.MatchString(whAsks.ReplaceAllString(q, "")) {
		return true
	}
	// "S's 1on1 is on Friday - what should I focus on? She's only been
	// here five weeks.": a question of what to do, with context after it.
	for _, s := range knowledge.Sentences(question) {
		if asksHow(folded(s)) {
			return false
		}
	}
	return !asksHow(q)
}

// whAsks asks the coach what or how to do ("what should I cover?"): its
// "should I" states no plan, unlike "should I skip it?".
var whAsks = regexp.MustCompile(`\b(?:what|how|where|when|which|who|why)(?: \w+)?\s+(?:should|could|can|do)\s+i\b`)

// plainPlan reports whether the manager's words state a plan in so many
// words and ask nothing of how: a plan of no kind the reader knows ("keep
// his report to the last five minutes") is still quoted back, with the
// member's request to check it against.
func plainPlan(question string) bool {
	q := folded(question)
	return statesPlan.MatchString(q) && !asksHow(q)
}

// asksHow reports whether folded words ask how or what to do.
func asksHow(q string) bool { return howQuestion.MatchString(q) || endsAsking.MatchString(q) }

// folded is s lower-cased, full-width Latin folded, as the patterns read it.
func folded(s string) string { return strings.ToLower(width.Fold.String(s)) }

// looseSentences splits where a busy manager ends a sentence without
// saying so: at an ellipsis that goes on (「…余裕ないんだよね…Mさんの1on1、
// 今回は」), and at a full stop before a lower-case word ("w/o her tbh.
// gonna just tell P"), so the plan is quoted without the venting before it.
func looseSentences(ss []string) []string {
	var out []string
	for _, s := range ss {
		for {
			loc := looseEnd.FindStringIndex(s)
			if loc == nil {
				break
			}
			end := loc[1]
			if r, n := utf8.DecodeLastRuneInString(s[:end]); unicode.IsLower(r) {
				end -= n // the word after the stop starts the next sentence
			}
			before := s[:loc[0]]
			// Not inside a quote (「えっと…どうしよう」と言っていた), not after
			// an abbreviation (e.g.), and in Japanese only after a sentence's
			// final particle: 「任せてみるのもありかなと思っていて……次の1on1で
			// 打診してみようかな」 is one thought.
			quoted := strings.Count(before, "「") > strings.Count(before, "」") || strings.Count(before, "\"")%2 == 1
			last, _ := utf8.DecodeLastRuneInString(before)
			ends := !strings.ContainsFunc(before, japanese) || strings.ContainsRune("ねよなわさぞぜ", last)
			if quoted || !ends || abbreviation.MatchString(before) || utf8.RuneCountInString(before) < 8 || utf8.RuneCountInString(s[end:]) < 8 {
				break
			}
			out = append(out, strings.TrimSpace(s[:end]))
			s = strings.TrimSpace(s[end:])
		}
		out = append(out, s)
	}
	return out
}

// abbreviation ends the text before a full stop that ends no sentence.
var abbreviation = regexp.MustCompile(`(?i)\b(?:e\.g|i\.e|etc|vs|approx|mins?|hrs?|no|mr|ms|mrs|dr|st|incl|dept|ca)$`)

// looseEnd is an ellipsis, or a full stop before a lower-case word.
var looseEnd = regexp.MustCompile(`(?:…+|\.\.\.)\s*|\.\s+(?:\p{Ll})`)

// wholeSentences joins a sentence that a quote's question mark cut off
// back onto its start: 「…話しておきたいことはある？」 + と聞くつもりです。
func wholeSentences(ss []string) []string {
	var out []string
	for _, s := range ss {
		// A sentence end inside a quote (『どっちにする？』と返して) is none.
		if n := len(out); n > 0 && (continues(out[n-1], s) || !closed(out[n-1])) {
			out[n-1] = joinSentences([]string{out[n-1], s})
			continue
		}
		out = append(out, s)
	}
	return out
}

// planQuote is the plan as a watch-out quotes it: the sentences that
// state it, from the first to the last in a row ("D's 1on1s have turned
// into status updates. I'd like to keep his report to the last five
// minutes…" quotes the second; a closing "それでいいですかね？" or "Not
// sure though." is left out), or the whole message when no sentence
// states one.
func planQuote(question string) string {
	ss := looseSentences(wholeSentences(knowledge.Sentences(question)))
	first, last := -1, -1
	for i, s := range ss {
		if statesPlan.MatchString(whAsks.ReplaceAllString(folded(s), "")) {
			if first < 0 {
				first = i
			} else if last < i-1 {
				break
			}
			last = i
		}
	}
	if first < 0 {
		first, last = 0, len(ss)-1
		for last > 0 && hedge.MatchString(folded(ss[last])) {
			last--
		}
		// 「来週Uさんと1on1です。」 says when, not what.
		for first < last && meetingIs.MatchString(ss[first]) {
			first++
		}
	}
	if last < 0 {
		return ""
	}
	// "I'll tell him at the start." tells what the sentence before says
	// (pointed back to at its start: 「…用意して、それを一緒に確認する」
	// points within itself).
	if first > 0 {
		if loc := pointsToBefore.FindStringIndex(ss[first]); loc != nil && utf8.RuneCountInString(ss[first][:loc[0]]) <= 20 {
			first--
		}
	}
	plan := joinSentences(ss[first : last+1])
	if loc := askingApproval.FindStringIndex(plan); loc != nil && loc[0] > 0 {
		plan = plan[:loc[0]]
	}
	// "Plan: first I'll own up…" heads the plan with a label the quote
	// need not carry.
	if loc := planLabel.FindStringIndex(plan); loc != nil && len(plan)-loc[1] >= 20 {
		plan = plan[loc[1]:]
	}
	// "…, so my plan is to keep asking questions" names the plan after its
	// reasons: the quote starts there.
	if loc := planNamed.FindStringIndex(plan); loc != nil && loc[0] > 0 && len(plan)-loc[1] >= 20 {
		plan = plan[loc[1]:]
	}
	// The reason before the plan is the manager's context, not the plan:
	// quoted back whole, the watch-out repeats their message.
	if loc := reasonLead.FindStringIndex(plan); loc != nil {
		if rest := plan[loc[1]:]; utf8.RuneCountInString(rest) >= 15 {
			plan = rest
		}
	}
	return sentences(plan, planRunes, planRunesLatin)
}

// planStep is one item of a plan given as a list, with the kinds of plan
// read in it alone.
type planStep struct {
	Text  string
	Kinds []string
}

// stepMark numbers or bullets an item of a plan given as a list: "1)",
// "(2)", "3.", "①", a line opening on "-" or "・".
var stepMark = regexp.MustCompile(`(?m)(?:^|[^0-9０-９A-Za-z(（])(?:\(?[0-9０-９]{1,2}[).）]|[（(][0-9０-９]{1,2}[)）])\s*|[①-⑩]\s*|^\s*[-*・•]\s+`)

// planSteps are the items of a plan given as a list (two or more), each up
// to the end of its sentence: "1) thank him for…, 2) go through…, 3) ask
// him to pick up the compressor room PMs…". Read whole, such a plan is
// read as its most common kind (thanks and schedules), and the one step
// that goes against the guidance for this member is lost among them. A
// list of options, ideas or reasons is what the manager will say, not
// what they will do: none.
func planSteps(question string) []string {
	if listsContent.MatchString(question) {
		return nil
	}
	locs := stepMark.FindAllStringIndex(question, -1)
	// Numbers count items only from one up, one by one: "from 14 to 6."
	// is no item.
	n := 0
	locs = slices.DeleteFunc(locs, func(loc []int) bool {
		v, numbered := stepNumber(question[loc[0]:loc[1]])
		if !numbered {
			return false
		}
		if v != n+1 {
			return true
		}
		n = v
		return false
	})
	if len(locs) < 2 {
		return nil
	}
	var steps []string
	for i, loc := range locs {
		end := len(question)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		step := question[loc[1]:end]
		if i == len(locs)-1 {
			if ss := knowledge.Sentences(step); len(ss) > 0 {
				step = ss[0]
			}
		}
		step = strings.TrimRight(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(step), " and")), ",;、， ")
		if utf8.RuneCountInString(step) >= 6 {
			steps = append(steps, step)
		}
	}
	if len(steps) < 2 {
		return nil
	}
	return steps
}

// listsContent is a list of what a manager will offer or give as reasons:
// "three concrete options: (1)…", 「理由は、①…」, 「この3つから選んでもらう」.
var listsContent = regexp.MustCompile(`(?i)\b(?:options?|ideas|suggestions|ways (?:to|of)|tips|reasons?|pros and cons)\b|\bwhich (?:one|of (?:these|them|the))\b|` +
	`具体策|選択肢|理由|アイデア|案を|案は|パターン|選んで|選ばせ|どれ(?:が|から|を)`)

// stepNumber is the number of a step's mark, if it has one.
func stepNumber(mark string) (int, bool) {
	for _, r := range mark {
		if r >= '①' && r <= '⑩' {
			return int(r-'①') + 1, true
		}
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, width.Fold.String(mark))
	v, err := strconv.Atoi(digits)
	return v, err == nil
}

// readSteps reads the kinds of plan in question (read) and, for a plan
// given as a list, in each of its steps: the kinds are the question's with
// every step's, sorted.
func readSteps(question string, read func(string) []string) (kinds []string, steps []planStep) {
	kinds = read(question)
	for _, t := range planSteps(question) {
		st := planStep{Text: t, Kinds: read(t)}
		steps = append(steps, st)
		for _, k := range st.Kinds {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	slices.Sort(kinds)
	return kinds, steps
}

// onThePlan keeps, after the first, the checks that the plan's own
// sentences match, read alone (planQuote): a second reason found only in
// the context around the plan (「1on1は所長会議で私がキャンセルしてしまって」
// before a plan of role-play) warns against a plan the manager never made.
func onThePlan(against []knowledge.DocumentCheck, question string, read func(string) []string, s *history.Signals) []knowledge.DocumentCheck {
	if len(against) < 2 {
		return against
	}
	quote := planQuote(question)
	words, kinds := folded(referToMember(quote, s)), read(quote)
	rest := slices.DeleteFunc(slices.Clone(against[1:]), func(c knowledge.DocumentCheck) bool { return !c.Matches(words, kinds) })
	return append(against[:1:1], rest...)
}

// readSentences reads the kinds of plan in each sentence of question,
// when it has two or more.
func readSentences(question string, read func(string) []string) []planStep {
	ss := wholeSentences(knowledge.Sentences(question))
	if len(ss) < 2 {
		return nil
	}
	out := make([]planStep, len(ss))
	for i, t := range ss {
		out[i] = planStep{Text: t, Kinds: read(t)}
	}
	return out
}

// planPhrase is a Japanese plan quote as the phrase a watch-out names
// it by (「…」というお考え): without the word joining it to what came
// before (「そのうえで、」), the leave it asks for (「…頼んでも大丈夫ですかね？」)
// and the words of intending (「…伝えようかなと思っています。」 names
// 「…伝えよう」). A quote in English is left as it is.
func planPhrase(quote string) string {
	if !strings.ContainsFunc(quote, japanese) {
		return quote
	}
	p := strings.TrimSpace(quote)
	if loc := joinedOn.FindStringIndex(p); loc != nil && utf8.RuneCountInString(p[loc[1]:]) >= 10 {
		p = p[loc[1]:]
	}
	ss := wholeSentences(knowledge.Sentences(p))
	for i, s := range ss {
		ss[i] = meantPart(s)
		if i < len(ss)-1 {
			ss[i] += "。"
		}
	}
	return joinSentences(ss)
}

// meantPart is a sentence of a plan without its closing words of
// intending or asking leave.
func meantPart(s string) string {
	p := s
	for {
		q := strings.TrimRight(p, "。．.！!…・ 　")
		if loc := askingLeave.FindStringIndex(q); loc != nil && utf8.RuneCountInString(q[:loc[0]]) >= 10 {
			q = leaveAsked(q, loc)
		}
		q = doubting.ReplaceAllString(intending.ReplaceAllString(q, ""), "$1")
		if q == p || utf8.RuneCountInString(q) < 8 {
			return p
		}
		p = q
	}
}

// leaveAsked is a sentence that closes on a request for leave (loc, by
// askingLeave) cut to what the leave is asked for: the plan before it
// (「新人2名の教育担当もお願いしたいんですが、…頼んでも大丈夫ですかね？」), or,
// when what comes before is only the occasion (「来週が評価面談なんですけど、」),
// the plan inside the request itself, asked as a question: 「…今回の1on1で
// 評価も一緒に伝えちゃっていいか」.
func leaveAsked(q string, loc []int) string {
	before := q[:loc[0]]
	if statesPlan.MatchString(before) || !occasionOnly.MatchString(before) {
		return before
	}
	_, after, _ := strings.Cut(q[loc[0]:], "、")
	return strings.TrimRight(leaveEnd.ReplaceAllString(after, "${1}か"), "?？")
}

var (
	// occasionOnly ends a clause that names a circumstance, not a deed: a
	// noun before its copula (「評価面談な」んですけど, 「繁忙期だ」けど).
	occasionOnly = regexp.MustCompile(`(?:な|だ|です)$`)
	// leaveEnd is the close of a request for leave after its word of
	// leave: 「いい」 + 「ですかね？」.
	leaveEnd = regexp.MustCompile(`(大丈夫|いい|よい|OK|ok|問題ない|アリ|あり)(?:です|でしょう)?(?:か|かね|よね|ね)?[?？]?$`)
	// joinedOn opens a sentence that goes on from an earlier one.
	joinedOn = regexp.MustCompile(`^(?:そのうえで|その上で|で|なので|だから|それで|あと|とりあえず|一応|正直|ついでに)、`)
	// askingLeave is a plan's closing request for leave to do it:
	// 「…んですが、今回の1on1で頼んでも大丈夫ですかね？」.
	askingLeave = regexp.MustCompile(`(?:んです|のです)?(?:が|けど|けれど)、[^。、]*(?:大丈夫|いい|よい|OK|ok|問題ない|アリ|あり)(?:です|でしょう)?(?:か|かね|よね|ね)?[?？]?$`)
	// intending is the end of a sentence saying the manager means to
	// do what comes before it.
	intending = regexp.MustCompile(`(?:(?:と|って)(?:思います|思って(?:い)?ます|思ってる|思っている|思う|考えて(?:い)?ます|考えてる|考えている)|` +
		`つもり(?:です|でいます|だ)?|予定です|んです|のです)$`)
	// doubting is the doubt after a plan's verb: 「伝えよう」 + 「かなと」.
	doubting = regexp.MustCompile(`(う)(?:かな|か)と?$`)
)

// conflictQuote is the plan a check warns against: quote (planQuote's
// reading of the question), unless that misses the sentence stating a
// plan that the check's pattern matches; then that sentence (after the one
// it points back to: 「それを伝えて」). Of "I'll tell her in advance. I'll
// point it out at the morning briefing.", the briefing goes against the
// guidance. Of a plan given as a list, it is the step the check holds
// against, by its words or by the kinds read in it; else, when no pattern
// names a sentence, the first of said (each sentence with its kinds) that
// the check holds against.
func conflictQuote(question, quote string, steps, said []planStep, c knowledge.DocumentCheck, s *history.Signals) string {
	says := func(t string) bool { return c.Says(folded(referToMember(t, s))) }
	holds := func(st planStep) bool {
		return c.Matches(folded(referToMember(st.Text, s)), st.Kinds) && !softener.MatchString(st.Text)
	}
	// The step that goes against the guidance, not the whole list.
	for _, st := range steps {
		if c.Matches(folded(referToMember(st.Text, s)), st.Kinds) {
			return sentences(st.Text, planRunes, planRunesLatin)
		}
	}
	if t, ok := quoteSaying(quote, says); ok {
		return t
	}
	ss := wholeSentences(knowledge.Sentences(question))
	for i, t := range ss {
		if !says(t) || !statesPlan.MatchString(whAsks.ReplaceAllString(folded(t), "")) || softener.MatchString(t) {
			continue
		}
		if i > 0 && goesOnFrom.MatchString(t) {
			t = joinSentences(ss[i-1 : i+1])
		}
		// A sentence of context outside the quote may share the check's
		// words: the quote's own sentence read as the plan is the plan.
		if !strings.Contains(t, quote) && !strings.Contains(quote, t) {
			if q := saidInQuote(quote, said, holds); q != "" {
				t = q
			}
		}
		return sentences(t, planRunes, planRunesLatin)
	}
	// No pattern names it: the sentence read as the kind of plan the
	// check weighs ("I was going to push it to after the check"), the
	// quote's own first.
	if t := saidInQuote(quote, said, holds); t != "" {
		return sentences(t, planRunes, planRunesLatin)
	}
	for _, st := range said {
		if holds(st) {
			return sentences(st.Text, planRunes, planRunesLatin)
		}
	}
	return quote
}

// quoteSaying is, within the quote, the sentences that say the plan a
// check's pattern matches: a memo's context (「来期の班長枠1つ空く。Yさんが
// 一番の適任。」) is not the plan.
func quoteSaying(quote string, says func(string) bool) (string, bool) {
	qs := wholeSentences(knowledge.Sentences(quote))
	if !slices.ContainsFunc(qs, says) {
		return "", false
	}
	first, last := slices.IndexFunc(qs, says), len(qs)-1
	for !says(qs[last]) {
		last--
	}
	// Plan sentences beside it stay: 「Dさんは来月から専任にします。
	// 工場長とも合意済みです。」 states the decision the next one
	// announces, "I'll just keep asking…" how it is held back.
	plan := func(t string) bool { return statesPlan.MatchString(whAsks.ReplaceAllString(folded(t), "")) }
	for first > 0 && (goesOnFrom.MatchString(qs[first]) || plan(qs[first-1])) {
		first--
	}
	// 「今回の1on1でそれを伝えます」 points back to a decision
	// (「…でいくことにしました」) that may be two sentences up.
	if slices.ContainsFunc(qs[first:last+1], pointsToBefore.MatchString) {
		first = 0
	}
	for last < len(qs)-1 && plan(qs[last+1]) && !hedge.MatchString(folded(qs[last+1])) {
		last++
	}
	if first == 0 && last == len(qs)-1 {
		return quote, true
	}
	return sentences(joinSentences(qs[first:last+1]), planRunes, planRunesLatin), true
}

// saidInQuote is the first sentence of said inside the quote that the
// check holds against, read alone as the kind of plan it weighs ("Is it OK
// if I use the first half to go over her rating", not "Mid-year ratings are
// due Friday" before it). It is given whole, as said: the quote may leave
// out what the sentence is about (「…をお願いしたいので、」), and "So I'll
// tell her that's the plan" goes with the one before.
func saidInQuote(quote string, said []planStep, holds func(planStep) bool) string {
	qs := wholeSentences(knowledge.Sentences(quote))
	for j, st := range said {
		if !holds(st) || !slices.ContainsFunc(qs, func(q string) bool { return strings.Contains(st.Text, q) || strings.Contains(q, st.Text) }) {
			continue
		}
		if j > 0 && goesOnFrom.MatchString(st.Text) {
			return joinSentences([]string{said[j-1].Text, st.Text})
		}
		return st.Text
	}
	return ""
}

// goesOnFrom is a sentence that goes on from the one before it: opening
// on it (「で、」, "So"), or naming what it said (「その2つを」, "do that").
var goesOnFrom = regexp.MustCompile(`(?i)^(?:で、|それ|そう|あれ|(?:so|then|that|this|it)\b)|(?:それ|これ|その|この|あの)(?:[0-9０-９一二三]つ|方針|方向|案|件|話|こと)?(?:を|で)|\b(?:do|tell her|tell him|tell them) (?:that|this|it)\b`)

// pointsToBefore is a plan that tells what the sentence before it says:
// 「その段取りを伝える」, "I'll tell him at the start of the 1on1", "let
// her know that's the plan".
var pointsToBefore = regexp.MustCompile(`(?i)(?:それ|これ)を|(?:その|この|あの)(?:[0-9０-９一二三]つ|[\p{Han}\p{Katakana}ー]{1,6})?を|` +
	`\b(?:tell|let) (?:her|him|them)(?: know)? (?:that's|that is|this is|it's|about (?:it|this|that))|` +
	`\b(?:tell|inform) (?:her|him|them)(?: (?:at|in|during) the (?:start|beginning|1on1|meeting)\b|[.,!;])|\b(?:do|tell (?:her|him|them)) (?:this|it)\b`)

// softener is a sentence that softens the plan rather than states it
// (「まあ嫌なら無理にとは言わないつもりです」, "if she'd rather not, fine").
var softener = regexp.MustCompile(`(?i)嫌なら|無理にとは|無理強い|\bif (?:she|he|they)(?:'d| would)? rather not\b|\bno pressure\b`)

// hedge is a closing sentence that doubts or asks about the plan before
// it ("Not sure though.", "What do you think?", 「どう思いますか？」).
var hedge = regexp.MustCompile(`^(?:not sure|i'?m not sure|unsure|thoughts|what do you think|is that (?:ok|okay|alright|fine)|does that (?:make sense|sound)|any (?:thoughts|advice)|どう(?:でしょう|思いますか|ですか)|いかがでしょう|それでいい|これでいい|大丈夫(?:ですか|でしょうか)|迷って)`)

// planLabel heads a message that labels its plan ("Plan:", 「方針：」).
var planLabel = regexp.MustCompile(`(?i)^\s*(?:(?:my |the )?(?:plan|idea|thinking)(?: for (?:the|this|her|his|their) 1on1)?|方針|計画|予定|作戦|段取り|案)\s*[:：]\s*`)

// planNamed is where a message names its plan ("so my plan is to").
var planNamed = regexp.MustCompile(`(?i)(?:,\s*|\b)(?:so |and )?(?:my|the) plan (?:for the 1on1 )?is (?:to )?`)

// meetingIs is a sentence that only says a 1on1 is coming
// (「来週Uさんと1on1です。」, "I have my 1on1 with K on Friday.").
var meetingIs = regexp.MustCompile(`(?i)^[^。、,]{0,24}(?:1on1|面談)(?:です|があります|の予定です|が入っています)[。.]?$|^(?:i have|i've got|there'?s) (?:my |our |a |the )?1on1 with [^.,]{1,20}(?: (?:on|this|next|tomorrow)[^.,]{0,15})?\.?$`)

// reasonLead is a reason clause opening a plan: 「…しているみたいなので、」,
// "Since she's buried in close, ".
var reasonLead = regexp.MustCompile(`(?i)^[^。！？!?]*(?:ので|ため|のも)、|^(?:since|as|because|given (?:that )?)\b[^,.;]{5,120}, `)

// askingApproval is a plan's closing request for a go-ahead
// ("…入ろうかと思っているんですが、それでいいですかね？", "…, is that OK?").
var askingApproval = regexp.MustCompile(`(?:んです|のです)?(?:が|けど|けれど|けれども)、?(?:それで|これで)?(?:いい|よい|大丈夫|問題ない|OK|ok)[^。！？!?]{0,8}[?？]\s*$|,\s*(?:is that|would that be|does that sound) (?:ok|okay|alright|fine|right)\??\s*$`)

// situations are what the coach tells of a member from the history, for
// each of knowledge.Situations.
var situations = map[string]func(*history.Signals) bool{
	"any":                     func(*history.Signals) bool { return true },
	"asked-to-listen":         asked("listen"),
	"asked-for-advice":        asked("advise"),
	"asked-to-think-together": asked("think-together"),
	"asked-for-encouragement": asked("encourage"),
	"asked-to-decide":         asked("decide"),
	"asked-to-report":         asked("report"),
	// A member who asked to be heard, advised, encouraged, decided for or
	// thought with asked for more than a report.
	"asked-beyond-report": func(s *history.Signals) bool {
		return s != nil && s.Next != nil && s.Next.Style != nil && *s.Next.Style != "report"
	},
	"condition-falling": func(s *history.Signals) bool {
		return s != nil && (s.Condition.Change == "down" || s.Condition.Latest != nil && *s.Condition.Latest <= 2)
	},
	// A member who picks "trying something new" is not avoiding it: only
	// their words or the notes tell of holding back.
	"avoids-challenges":  func(s *history.Signals) bool { return notesMention(s, holdingBack) },
	"new-member":         func(s *history.Signals) bool { return s == nil || s.Held < 2 },
	"established-member": func(s *history.Signals) bool { return s != nil && s.Held >= 2 },
	// A member who picked evaluation, or asked about their rating, asked
	// for the talk a check on rating talk would warn against.
	"evaluation-not-asked": func(s *history.Signals) bool {
		return s == nil || s.Next == nil || !slices.Contains(s.Next.Topics, "evaluation") &&
			!evaluationWords.MatchString(notEvaluation.ReplaceAllString(s.Next.Request.String(), ""))
	},
	// A member who asked for the clinic owner to join asked for what a
	// check on others sitting in would warn against.
	"joining-not-asked": func(s *history.Signals) bool {
		return s == nil || s.Next == nil || !joinAsk.MatchString(s.Next.Request.String())
	},
	"manager-promise-open": func(s *history.Signals) bool {
		return s != nil && slices.ContainsFunc(s.OpenActions, func(a history.OpenAction) bool {
			return a.Owner == "manager" && (a.Overdue || a.AgeDays >= 14)
		})
	},
	"missed-since-last": func(s *history.Signals) bool { return s != nil && s.MissedSinceLast > 0 },
	// Asked now or in the last two 1on1s: an old confidence may be out by
	// now, with their agreement.
	"asked-privacy": func(s *history.Signals) bool {
		if s == nil {
			return false
		}
		texts := []string{}
		if s.Next != nil {
			texts = append(texts, s.Next.Request.String())
		}
		for _, b := range s.LastSessions[:min(2, len(s.LastSessions))] {
			texts = append(texts, b.Request.String(), b.Notes.String())
		}
		return privacyAsk.MatchString(strings.Join(texts, "\n"))
	},
}

// privacyAsk is a member asking to keep something between the two of them.
var privacyAsk = regexp.MustCompile(`(?i)ここだけの話|ここだけに(?:して|とどめ)|内緒|内密|オフレコ|口外し|(?:ほか|他|周り|みんな)の(?:人|メンバー|スタッフ)?(?:に|には)(?:まだ)?(?:言わ|話さ|伝え|知られ)(?:ない|ず)|` +
	`まだ(?:誰|だれ)にも|(?:二人|ふたり)だけの話|伏せて(?:ほしい|欲しい|おいて|ください|もらえ|いただけ)|(?:決まる|確定する)まで(?:は)?(?:誰にも|周りに|他の人に)?(?:言わ|話さ|黙って|伏せ)|\bbetween (?:us|the two of us|you and me|ourselves)\b|\bjust (?:the two of us|us two)\b|\b(?:before|without) (?:it|this|anything) (?:goes|going|gets|getting) (?:out )?to (?:the )?(?:wider |whole |rest of the )?(?:team|crew|group|everyone|others)\b|\bkeep (?:it|this|that) (?:private|confidential|quiet|to yourself|between)\b|` +
	`\boff the record\b|\bin confidence\b|\b(?:don'?t|do not|please don'?t) (?:tell|share|mention|say)\b`)

// joinAsk is a member asking for someone else to join the 1on1.
var joinAsk = regexp.MustCompile(`(?i)\b(?:join|joins|joining|sit in|sits in|come along|be there|be in the room|attend)\b|同席|同行|一緒に(?:入|参加|出席|聞い)|(?:にも|も)(?:入って|参加して|来て|いて)|(?:呼んで|入ってもらって|来てもらって)`)

// notEvaluation is a request that says it is not about evaluation
// (「評価の話ではなく、中長期の話をしたい」, "not about my rating").
var notEvaluation = regexp.MustCompile(`(?i)(?:評価|査定)(?:の話|のこと|の件)?(?:ではなく|じゃなく|ではない|は(?:抜き|なし|別|置いて))|\bnot (?:about )?(?:my |the )?(?:rating|evaluation|appraisal|review)\b`)

// evaluationWords are a request about the member's own evaluation.
var evaluationWords = regexp.MustCompile(`(?i)評価|査定|レーティング|格付|\b(?:rating|evaluation|appraisal|review (?:result|outcome|score)|grade|calibration)\b`)

// asked is the situation of a member who asked for style this time.
func asked(style string) func(*history.Signals) bool {
	return func(s *history.Signals) bool {
		return s != nil && s.Next != nil && s.Next.Style != nil && *s.Next.Style == style
	}
}

// holdingBack is how requests and notes tell of a member holding back
// from challenges.
var holdingBack = regexp.MustCompile(`尻込み|(?:挑戦|チャレンジ|新しいこと|難しい仕事)(?:を|は|から)?(?:避け|ためら|躊躇|遠慮|断)|` +
	`手を挙げ(?:ない|られない|ず)|自信が(?:な|持て)|荷が重|まだ早い|失敗(?:が|するのが)(?:怖|こわ|不安)|辞退|断った|無難|慣れた仕事|` +
	`新しい(?:業務|仕事|こと|役割)[^。]{0,12}(?:不安|怖|こわ|苦手)|(?:一つ|ひとつ|少し)ずつなら|変化(?:が|は)(?:苦手|嫌|不安)|` +
	`hesitat|avoid|not ready|out front|in the spotlight|guinea pig|(?:dislikes?|wary of|resists?) change|out of (?:my|her|his|their) depth|comfort zone|safe option|declin|turned (?:it )?down|` +
	`(?:afraid|scared|worried) (?:of|about) (?:failing|failure|mistakes)|not confident|holds? back|pass(?:ed)? on|` +
	`(?:not|isn't|wasn't|never) (?:comfortable|keen|ready) (?:with |about |on |speaking|leading|presenting|taking|to)|(?:would|'d|’d) rather (?:not|stick|stay|keep)|behind the scenes|rather not (?:lead|take|present|speak)|` +
	`(?:don'?t|doesn'?t|does not|didn'?t|did not) want to (?:manage|lead|present|run|be (?:a |the )?(?:lead|manager|supervisor))|preferred (?:that )?(?:i|you|someone else) (?:present|lead|do it)|nothing (?:dramatic|too big)|\bnot managing\b|` +
	`(?:管理職|マネジメント|リーダー)(?:は|に|を)?(?:なりたくない|やりたくない|向いていない|避けたい|興味がない)|` +
	`人前(?:で話す|に立つ|で発表)?(?:の|こと)?(?:が|は)(?:苦手|怖|こわ|不安)|前に出る(?:の|こと)(?:が|は)(?:苦手|怖|不安)|気が進ま|(?:今|いま)の(?:仕事|担当|まま)(?:で|が)(?:いい|いたい|十分)`)

// notesMention reports whether the member's requests and the manager's
// notes match re.
func notesMention(s *history.Signals, re *regexp.Regexp) bool {
	if s == nil {
		return false
	}
	texts := []string{}
	if s.Next != nil {
		texts = append(texts, s.Next.Request.String(), s.Next.Notes.String())
	}
	for _, b := range s.LastSessions {
		texts = append(texts, b.Request.String(), b.Notes.String())
	}
	return re.MatchString(strings.ToLower(strings.Join(texts, "\n")))
}

// referToMember writes "them" where an English plan names the member by
// their alias ("tell L we're rolling out…", "give Member L's options up"),
// and 本人 where a Japanese one does (「Qさんの希望で」 for the alias
// 「バイヤーQさん」), as the checks' patterns do: a manager names the
// member as often as they say "her". One letter that is an English word
// ("I", "A") is left alone.
func referToMember(question string, s *history.Signals) string {
	if s == nil || s.Alias == "" {
		return question
	}
	if strings.ContainsFunc(question, japanese) {
		names := []string{regexp.QuoteMeta(s.Alias)}
		if short := shortAliasJa.FindString(s.Alias); short != "" && short != s.Alias {
			names = append(names, regexp.QuoteMeta(short))
		}
		return regexp.MustCompile(strings.Join(names, "|")).ReplaceAllString(question, "本人")
	}
	names := []string{regexp.QuoteMeta(s.Alias)}
	if f := strings.Fields(s.Alias); len(f) > 1 && f[len(f)-1] != "I" && f[len(f)-1] != "A" {
		names = append(names, regexp.QuoteMeta(f[len(f)-1]))
	}
	re := regexp.MustCompile(`\b(?:` + strings.Join(names, "|") + `)(?:'s|’s)?\b`)
	return re.ReplaceAllStringFunc(question, func(m string) string {
		if strings.HasSuffix(m, "s") && strings.ContainsAny(m, "'’") {
			return "their"
		}
		return "them"
	})
}

// shortAliasJa is how a manager calls a member whose alias has a role
// before the name: 「Qさん」 for 「バイヤーQさん」.
var shortAliasJa = regexp.MustCompile(`[A-Za-zＡ-Ｚａ-ｚ]+(?:さん|くん|君|ちゃん)$`)

// planConflicts returns the checks the manager's stated plan, read as
// plans of kinds, runs into for this member (every situation holds and
// the plan matches), and when there are none, the checks that support
// it: one per document either way.
func planConflicts(checks []knowledge.DocumentCheck, question string, kinds []string, steps []planStep, s *history.Signals) (against, fits []knowledge.DocumentCheck) {
	if !isPlan(question) {
		return nil, nil
	}
	q := abandoned.ReplaceAllString(folded(referToMember(question, s)), " ")
	// A list is read step by step too: read whole, "1. check in, 2. thank
	// her, 3. ask her to take on the workshops" may read as easing her
	// load, which no step says.
	stepWords := make([]string, len(steps))
	for i, st := range steps {
		stepWords[i] = folded(referToMember(st.Text, s))
	}
	matches := func(c knowledge.DocumentCheck) bool {
		if c.Matches(q, kinds) {
			return true
		}
		for i, st := range steps {
			if c.Matches(stepWords[i], st.Kinds) {
				return !c.Excepts(q)
			}
		}
		return false
	}
	add := func(out []knowledge.DocumentCheck, c knowledge.DocumentCheck) []knowledge.DocumentCheck {
		if slices.ContainsFunc(out, func(o knowledge.DocumentCheck) bool { return o.DocumentID == c.DocumentID }) {
			return out
		}
		return append(out, c)
	}
	for _, c := range checks {
		holds := !slices.ContainsFunc(c.When, func(w string) bool {
			f := situations[w]
			return f == nil || !f(s)
		})
		if !holds || !matches(c) {
			continue
		}
		if c.Fits {
			fits = add(fits, c)
		} else {
			against = add(against, c)
		}
	}
	// A concern for any member read only as a kind (the reader's guess:
	// a decision's reasons read as arguing with feedback) gives way to a
	// check on what this member asked for that the plan fits.
	if slices.ContainsFunc(fits, func(c knowledge.DocumentCheck) bool { return checkRank(c) == 0 }) {
		against = slices.DeleteFunc(against, func(c knowledge.DocumentCheck) bool { return checkRank(c) == 2 && !c.Says(q) })
	}
	if len(against) > 0 {
		// A check on what the member asked for speaks first, then one on
		// their situation (a falling condition), then one for any member:
		// a decision withheld from a member who asked you to decide is
		// that, first, whatever else the reader saw in the plan.
		// Of two as close, the one whose own words say the plan speaks to
		// it more surely than one that only shares its kind.
		says := func(c knowledge.DocumentCheck) int {
			if c.Says(q) {
				return 0
			}
			return 1
		}
		slices.SortStableFunc(against, func(a, b knowledge.DocumentCheck) int {
			return cmp.Or(cmp.Compare(checkRank(a), checkRank(b)), cmp.Compare(says(a), says(b)))
		})
		return against, nil
	}
	return nil, fits
}

// abandoned is an intention the manager has given up, told before the
// plan that replaced it: 「最初は私が決めるつもりだったんですが、」, "I was
// going to decide for her, but". Neither a check's plans nor what
// excuses them read it.
var abandoned = regexp.MustCompile(`(?i)[^。、]*(?:つもり|予定|気)だった(?:ん(?:です|だ)|の)?(?:が|けど|けれど|けれども)、?|` +
	`\b(?:i was|i'd been|i had been) (?:going to|gonna|planning to|planning on|thinking of|about to) [^.;!?]*?,? but\b`)

// checkRank orders checks by how closely they speak to this member: 0 for
// a check on what the member asked for (a style, privacy), 1 on another situation, 2 for
// any member.
func checkRank(c knowledge.DocumentCheck) int {
	switch {
	case slices.ContainsFunc(c.When, func(w string) bool { return strings.HasPrefix(w, "asked-") }):
		return 0
	case slices.ContainsFunc(c.When, func(w string) bool { return w != "any" && !strings.HasSuffix(w, "-not-asked") }):
		return 1
	}
	// "The member did not ask about their rating" holds of almost anyone:
	// as weak as any member's.
	return 2
}

// A manager's question on how to raise a topic of their own ("若手の育成の
// ことも話したいんですが、どう切り出せば", "How do I bring up the hours
// thing with T?") is answered in the agenda: after the member's part, asked
// first, and left for next time if today is not the day.
var (
	howToRaise = regexp.MustCompile(`(?i)どう(?:やって)?(?:切り出|持ち出|触れ|伝え)|どのように(?:切り出|持ち出|触れ)|how (?:do|should|can|would|could) i (?:bring up|raise|broach|bring .{1,30} up)|how to (?:bring up|raise|broach)|(?:good|best) way to (?:bring up|raise|broach)`)
	// ownTopicJa is what the manager wants to talk about: 「Xの話」「Xのこと」.
	ownTopicJa = regexp.MustCompile(`([^、。？?！!「」\s]{2,24}?)(?:の話|のこと|について|の件)`)
	ownTopicEn = regexp.MustCompile(`(?i)\b(?:bring up|raise|broach)\s+(.{3,50}?)(?:\s+(?:with|to|without|given|when|if|but|in|at|during)\b|[?,.;]|$)`)
	// topicLead is what precedes a topic in the same clause: 「竣工も近いので来期」.
	// A connective after a verb or adjective ends the clause before it
	// (近いので); 「12月からの…」 is part of the topic.
	topicLead  = regexp.MustCompile(`^.*(?:[ぁ-ん](?:ので|から|けど|けれど)|ですが|のも|ため|でも|本当は|実は|1on1で|[えけせてねべめれ]ば|たら)`)
	refersBack = regexp.MustCompile(`(?i)\b(?:bring|raise|broach) (?:that|this|it) (?:up\b)?|(?:その|この|あの)(?:話|件|こと)`)
	pointer    = regexp.MustCompile(`(?i)^(?:it|this|that|them|him|her)$|^(?:その|それ|あの|あれ|この|これ)`)
)

// ownTopic is the topic a manager asks how to raise, in their words, or
// "". said reports a topic that is the sentence before the question, which
// "that" or その話 points back to ("Head office is extending Sunday
// opening to 6pm. How do I bring that up?").
func ownTopic(lang, question string) (topic string, said bool) {
	loc := howToRaise.FindStringIndex(question)
	if loc == nil {
		return "", false
	}
	if lang == "en" {
		if m := ownTopicEn.FindStringSubmatch(question); m != nil {
			topic = strings.TrimSpace(m[1])
		}
	} else {
		for _, m := range ownTopicJa.FindAllStringSubmatch(question, -1) {
			topic = m[1] // the last: closest to the question
		}
		topic = strings.TrimLeft(topicLead.ReplaceAllString(topic, ""), "もはをが、 ")
	}
	if pointer.MatchString(topic) || topic == "" && refersBack.MatchString(question) {
		return sentenceBefore(question[:loc[0]])
	}
	if utf8.RuneCountInString(topic) < 2 || anyTopic.MatchString(topic) {
		return "", false
	}
	return topic, false
}

// anyTopic is no topic of the manager's own but anything besides the
// usual: 「どう切り出せば他の話もできますか」「たまには別の話も」 ask how to
// widen the 1on1.
var anyTopic = regexp.MustCompile(`(?i)(?:^|[はもにをがで、])(?:他|ほか|別|その他|それ以外|色々|いろいろ|違う)$|^(?:(?:other|different|more) (?:things|topics|stuff|subjects)|anything else|something else)$`)

// sentenceBefore is the last whole sentence of before, the text up to
// where a question starts asking: the one a "that" points back to, or the
// clause the asking sentence opens on ("There's a post coming up in
// January — how do I bring it up").
func sentenceBefore(before string) (string, bool) {
	ss := knowledge.Sentences(before)
	if t := strings.TrimSpace(before); len(ss) > 0 && !strings.ContainsAny(lastRune(t), "。.!?！？") {
		if c := strings.TrimRight(t, "—–-:;,、 "); c != t && utf8.RuneCountInString(ss[len(ss)-1]) >= 8 {
			ss[len(ss)-1] = strings.TrimRight(strings.TrimSpace(ss[len(ss)-1]), "—–-:;,、 ")
		} else {
			ss = ss[:len(ss)-1] // the asking sentence's own start
		}
	}
	if len(ss) == 0 {
		return "", false
	}
	s := strings.TrimRight(ss[len(ss)-1], "。.!?！？ ")
	if n := utf8.RuneCountInString(s); n < 8 || n > 120 {
		return "", false
	}
	return s, true
}

func lastRune(s string) string {
	r, _ := utf8.DecodeLastRuneInString(s)
	return string(r)
}
