package assistant

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
)

const (
	maxQuestions       = 5
	minQuestions       = 2
	maxMemberQuestions = 3
	// maxGuidanceQuestions is how many of the guidance's own questions a
	// plan asks, each from guidance that fits well (questionFit): stock
	// questions beyond the best read as padding ("How do you see your
	// progress this quarter?" to a member who asked for advice on handoffs).
	maxGuidanceQuestions = 2
	questionFit          = 3
	// quoteRunes is how much of a member's words a question quotes.
	quoteRunes      = 40
	quoteRunesLatin = 90
)

// prepQuestions are the questions to ask: first those from this member's
// own words and actions, then the guidance's own that fit the moment and
// the member (open ones, from the best-fitting guidance).
func prepQuestions(in prepInput, cite *citer) []Item {
	questions := memberQuestions(in.Lang, in.Signals)
	// A member who asked for a decision wants it, not an exploration: the
	// confirming question after it, and no more from the guidance.
	if asked("decide")(in.Signals) {
		return questions
	}
	candidates := guidanceQuestions(in, questionFit)
	// Too few, and the requested style's own document asks what suits
	// it: its questions section, when no query found it, is among the
	// reserve ("Which part of it are you proudest of?" for a member who
	// asked to be encouraged, where the guidance found asked only of setbacks).
	if len(questions)+len(candidates) < minQuestions {
		candidates = append(candidates, styleQuestions(in)...)
	}
	// Still too few (a first 1on1 with nothing asked for): the guidance
	// found that fits less well asks too; one question is no preparation.
	if len(questions)+len(candidates) < minQuestions {
		candidates = append(candidates, guidanceQuestions(in, 1)...)
	}
	limit := min(maxQuestions, len(questions)+maxGuidanceQuestions)
	if asked("report")(in.Signals) {
		// A report is followed by one question about what sits behind
		// it, not a list: a barrage turns an update into an exam.
		limit = max(len(questions), min(limit, minQuestions))
	}
	for _, b := range candidates {
		if len(questions) >= limit {
			break
		}
		q := questionMark(unquote(b.text))
		if !slices.ContainsFunc(questions, func(it Item) bool { return alike(it.Text, q) }) {
			questions = append(questions, cite.item(q, b.n, b.text))
		}
	}
	// Nothing in the guidance found fits a second time: one question is no
	// preparation (a blind judge, three rounds running), so the one the
	// requested response always leaves room for follows.
	if style := requestedStyle(in.Signals); len(questions) == 1 && style != "" {
		q := msg(in.Lang, "question.more."+style)
		if !alike(questions[0].Text, q) {
			questions = append(questions, Item{Text: q, Cites: []int{}})
		}
	}
	return questions
}

// questionMark ends a Japanese question the guidance wrote without its mark
// (「…違ったのはどんな点ですか」) with one.
func questionMark(q string) string {
	if strings.HasSuffix(q, "か") && strings.ContainsFunc(q, japanese) {
		return q + "？"
	}
	return q
}

// guidanceQuestions are the open questions of the guidance found, from
// documents that fit at least atLeast, that suit the moment: best fitting
// first.
func guidanceQuestions(in prepInput, atLeast int) []bullet {
	var out []bullet
	for _, b := range roundRobin(in.Sources, sectionQuestions, maxQuestions*4, in.context) {
		// A question on goals is for a member or manager writing about
		// goals, not for any work update.
		if fit(in.Sources[b.n-1], in) >= atLeast && openAsk(b.text) && fitsMoment(b.text, in.Signals) &&
			(!goalWords.MatchString(b.text) || goalTalk(in)) {
			out = append(out, b)
		}
	}
	slices.SortStableFunc(out, func(x, y bullet) int {
		return cmp.Compare(fit(in.Sources[y.n-1], in), fit(in.Sources[x.n-1], in))
	})
	return out
}

// styleQuestions are the questions of the requested style's own
// document among the reserve that suit the moment and the member.
func styleQuestions(in prepInput) []bullet {
	re := styleWords[requestedStyle(in.Signals)]
	if re == nil {
		return nil
	}
	var docs []Source
	for _, s := range in.Reserve {
		if re.MatchString(s.Hit.Title) {
			docs = append(docs, s)
		}
	}
	var out []bullet
	for _, b := range roundRobin(docs, sectionQuestions, maxQuestions*2, in.context) {
		if openAsk(b.text) && fitsMoment(b.text, in.Signals) {
			out = append(out, b)
		}
	}
	return out
}

// alike reports whether two questions ask much the same: most of the
// shorter one's character pairs are in the longer one ("What have you
// tried so far?" in "On X: what have you tried so far, and…").
func alike(a, b string) bool {
	if shared, of := inShorter(pairs(a), pairs(b)); of > 0 && float64(shared) >= 0.8*float64(of) {
		return true
	}
	if invitation.MatchString(a) && invitation.MatchString(b) {
		return true // two ways of "start wherever you like"
	}
	// Outside what they quote, two questions on the same words of
	// substance ask the same ("手応えを感じたのは…", "手応えがあったのは…").
	shared, of := inShorter(substance(unquoted(citeRE.ReplaceAllString(a, ""))), substance(unquoted(citeRE.ReplaceAllString(b, ""))))
	return shared > 0 && 2*shared >= of
}

// invitation is a question that only invites the member to start
// talking, wherever they like.
var invitation = regexp.MustCompile(`どこからでも|話しやすいところから|何から話|どこから話|(?i)where would you like to start|where do you want to (?:start|begin)|wherever (?:is|feels) easiest|start(?:ing)? wherever`)

// inShorter counts how many elements of the smaller of two sets the other
// holds, and the smaller's size: how much of the shorter text the longer
// says too.
func inShorter(a, b map[string]bool) (shared, of int) {
	if len(a) > len(b) {
		a, b = b, a
	}
	for w := range a {
		if b[w] {
			shared++
		}
	}
	return shared, len(a)
}

// pairs are the character pairs of s without citations, spaces and
// punctuation, lower-cased.
func pairs(s string) map[string]bool {
	rs := []rune(strings.ToLower(citeRE.ReplaceAllString(s, "")))
	out := map[string]bool{}
	for i := 0; i+1 < len(rs); i++ {
		if !unicode.IsSpace(rs[i]) && !unicode.IsPunct(rs[i]) && !unicode.IsSpace(rs[i+1]) && !unicode.IsPunct(rs[i+1]) {
			out[string(rs[i:i+2])] = true
		}
	}
	return out
}

// shared counts the words of substance a and b have in common: pairs of
// kanji or katakana, and Latin words of four letters or more (kana pairs
// and short words are grammar, shared by any two sentences).
func shared(a, b string) int { return overlap(a, substance(b)) }

// overlap counts the words of substance of a among words (substance of
// another text, read once for many a).
func overlap(a string, words map[string]bool) int {
	n := 0
	for w := range substance(a) {
		if words[w] {
			n++
		}
	}
	return n
}

// stopWords are English words of four letters or more that any two
// sentences may share.
var stopWords = map[string]bool{"that": true, "this": true, "with": true, "them": true, "they": true, "their": true,
	"what": true, "when": true, "have": true, "from": true, "will": true, "your": true, "more": true, "into": true,
	"than": true, "then": true, "there": true, "were": true, "been": true, "about": true, "which": true, "would": true,
	"could": true, "should": true, "before": true, "after": true, "only": true, "some": true, "also": true, "just": true,
	"like": true, "over": true, "does": true, "said": true, "once": true, "each": true, "other": true, "others": true,
	// The coach's own words about any member and 1on1.
	"member": true, "members": true, "asked": true, "asks": true, "want": true, "wants": true, "things": true,
	"manager": true, "today": true, "time": true, "next": true, "last": true}

// commonKanji are words any line of the coach and any guidance share
// (本人, 上司, 前回…): sharing them says nothing about what a line says.
var commonKanji = map[string]bool{"本人": true, "自分": true, "相手": true, "上司": true, "部下": true, "今回": true,
	"前回": true, "次回": true, "一緒": true, "メンバー": true, "マネジャー": true, "マネージャー": true}

// fold strips the commonest English endings, so that a line on "owning a
// promise" and guidance on "promises kept" share a word: promised,
// promises, promising → promis.
func fold(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "e", "s", "y"} {
		if r, ok := strings.CutSuffix(w, suf); ok && len(r) >= 4 {
			return r
		}
	}
	return w
}

func substance(s string) map[string]bool {
	out := map[string]bool{}
	rs := []rune(strings.ToLower(s))
	// Kanji pairs stand for words; a katakana word is one word however
	// long (コンディション shared is one word shared, not six pairs).
	han := func(r rune) bool { return unicode.Is(unicode.Han, r) }
	kana := func(r rune) bool { return unicode.Is(unicode.Katakana, r) || r == 'ー' }
	for i := 0; i < len(rs); {
		j := i + 1
		switch {
		case kana(rs[i]):
			for j < len(rs) && kana(rs[j]) {
				j++
			}
			if w := string(rs[i:j]); j-i >= 2 && !commonKanji[w] {
				out[w] = true
			}
		case han(rs[i]):
			for j < len(rs) && han(rs[j]) {
				if w := string(rs[j-1 : j+1]); !commonKanji[w] {
					out[w] = true
				}
				j++
			}
		}
		i = j
	}
	for _, w := range strings.FieldsFunc(string(rs), func(r rune) bool { return !unicode.IsLetter(r) || r > unicode.MaxLatin1 }) {
		if len(w) >= 4 && !stopWords[w] {
			out[fold(w)] = true
		}
	}
	return out
}

// memberQuestions are asked from the member's own words and actions: what
// they wrote for this 1on1, in the response they asked for, and what they
// still hold. They quote the history and cite nothing.
func memberQuestions(lang string, sig *history.Signals) []Item {
	out := []Item{}
	if sig == nil {
		return out
	}
	add := func(key string, args ...any) {
		if len(out) < maxMemberQuestions {
			out = append(out, Item{Text: msg(lang, key, args...), Cites: []int{}})
		}
	}
	switch n := sig.Next; {
	case n != nil && !n.Request.Empty():
		style := "none"
		if n.Style != nil {
			style = *n.Style
		}
		switch style {
		case "decide":
			add("question.request.decide") // asked once the decision is given
			add("question.decide.next")
		case "report":
			// What they will report is theirs to tell: quoted back, a
			// statement ("I'll report the audit figures") reads as a topic.
			add("question.request.report")
		default:
			key, args := requestQuestion(sig, style)
			add(key, args...)
		}
	case n != nil && len(n.Topics) > 0:
		add("question.topics", topicLabels(lang, n.Topics))
	default:
		add("question.norequest")
		if len(sig.LastSessions) > 0 {
			add("question.norequest.since")
		}
	}
	// What they completed is not asked again here: the agenda already
	// acknowledges it and asks how it went.
	for _, a := range sig.OpenActions {
		if a.Owner == "member" && !asked("listen")(sig) {
			key := "question.open"
			if a.Overdue {
				key = "question.open.overdue"
			}
			if topic, ok := actionTopic(lang, quotable(a.Text.String())); ok {
				add(key+".topic", topic)
			} else {
				add(key, quotable(a.Text.String()))
			}
			break
		}
	}
	return out
}

// requestQuestion is the question asked from what the member wrote for
// the coming 1on1 in the response they asked for (not decide or report):
// its message key and argument.
func requestQuestion(sig *history.Signals, style string) (string, []any) {
	request := sig.Next.Request.String()
	key := "question.request." + style
	switch {
	case style == "advise" && asksAssessment.MatchString(request):
		// "Please be brutally honest about the draft": the honest view is
		// the answer; asking what they tried first holds it back.
		key += ".assess"
	case style == "advise" && triedAlready.MatchString(request):
		// "I've already tried moving the time slot": asking what they
		// tried is asking again.
		key += ".tried"
	case style == "advise" && asksStraightOut(sig):
		// "Please just tell me what you'd do", now or after the last
		// 1on1: asking what they tried first holds back what they asked
		// for.
		key += ".direct"
	case style == "encourage" && lostHeart.MatchString(request):
		// 「最近ミスが続いて自信をなくしています」 tells a setback, not work
		// done: asking what took the most effort in it asks them to
		// praise the mistakes.
		key += ".setback"
	}
	// The result the agenda's encouragement item quotes already is
	// pointed back to, not quoted a second time.
	if key == "question.request.encourage" && encourageQuotes(request, quotable(gist(style, request))) {
		return key + ".quoted", nil
	}
	switch subject, ok := subjectOf(gist(style, request)); {
	case ok:
		return key + ".subject", []any{addressed(quotable(subject))}
	case style == "think-together" && !weighsChoice.MatchString(request):
		// Options are asked of a choice the request names (「受験するか
		// どうか」); of 「4月に福祉課から来ました」 they are not.
		return key + ".open", []any{quotable(gist(style, request))}
	}
	return key, []any{quotable(gist(style, request))}
}

// encourageQuotes reports whether the agenda's encouragement item
// (encouragePrep) quotes the result in the member's request that quote
// says too.
func encourageQuotes(request, quote string) bool {
	r := resultIn(request)
	if r == "" || !gain.MatchString(request) {
		r = newsIn(request)
	}
	q := strings.TrimRight(quote, "…")
	return r != "" && q != "" && (strings.Contains(r, q) || strings.Contains(q, r))
}

// actionTopic is an action as a question names it aloud: the instruction
// read out in quotes (「「C整備用の部品事前発注リストを整備管理に提出する」は…」,
// "Where are you with "Draft the note"?") reads as a form, not a manager
// asking. In Japanese its object (「部品事前発注リストの件」) or the whole
// phrase as a matter (「院長に相談する件」); in English the gerund ("drafting
// the note"). false when neither fits: the action is quoted as written.
func actionTopic(lang, action string) (string, bool) {
	if lang != "ja" {
		return doing(action)
	}
	if !jaVerbEnd.MatchString(action) {
		return "", false
	}
	if i := strings.LastIndex(action, "を"); i > 0 {
		obj, rest := action[:i], action[i+len("を"):]
		if runesOfText(obj) >= 3 && utf8.RuneCountInString(rest) <= 12 && !jaClauseNoun.MatchString(obj) && !strings.ContainsAny(obj, "にへでと") {
			return obj + "の件", true
		}
	}
	return action + "件", true
}

var (
	// jaVerbEnd is an action ending in a verb's plain form (作る, まとめる,
	// 相談する, 聞いておく).
	jaVerbEnd = regexp.MustCompile(`[るすくうつむぶぬぐ]$`)
	// jaClauseNoun ends an object that is a clause or a bare particle
	// phrase, not a thing (「人員のこと」「つまずいた点」 read as 「の件」 twice over);
	// an object with a particle in it (「検査員にテンプレートの使い方」) is
	// part of a clause too, and the whole action is the matter.
	jaClauseNoun = regexp.MustCompile(`(?:こと|もの|点|ところ|[がはも])$`)
)

// asksStraight is a request for the manager's own answer, said outright,
// or for concrete advice: a member who asks for specifics is not asked
// first what they tried (a blind judge: "still question-led").
var asksStraight = regexp.MustCompile(`(?i)\bjust tell me\b|\btell me (?:what|how) you'?d\b|\bwhat (?:would you|you'?d|you would) do\b|\bstraight answer\b|` +
	`\bbe (?:blunt|direct|frank|straight)(?: with me)?\b|\bdon'?t (?:sugar-?coat|hold back)\b|(?:遠慮なく|率直に|ストレートに)(?:言って|教えて|指摘して|アドバイス)|` +
	`\b(?:concrete|specific|practical) (?:advice|tips|suggestions|steps)\b|ズバリ|はっきり(?:教え|言っ)|(?:課長|部長|店長|所長|上司)なら(?:どう|どの)|具体的な(?:アドバイス|助言|やり方|方法|手順)|具体的に(?:教え|アドバイス)`)

// asksStraightOut reports whether the member asked for a straight answer,
// for the coming 1on1 or in their comment after the last one.
func asksStraightOut(sig *history.Signals) bool {
	return sig.Next != nil && asksStraight.MatchString(sig.Next.Request.String()) ||
		sig.LastComment != nil && asksStraight.MatchString(sig.LastComment.Comment.String())
}

// triedAlready is a request that tells what the member has tried.
var triedAlready = regexp.MustCompile(`(?i)\b(?:already|i'?ve|i have|we'?ve|we have)\s+(?:already\s+)?tried\b|\btried\s+(?:everything|all|a few|several)\b|(?:試して(?:み)?|試し|やってみ)(?:ました|ています|ている|た(?:けど|が|ものの|のですが|んですが|[。、]))|手は尽くし`)

// quotable is the first sentence of a member's words, short enough to say
// back in a question: cut at a clause boundary rather than mid-word (a
// question that quotes "…" reads as a template).
func quotable(s string) string {
	s = pastOpeners(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "。！？!?\n"); i > 0 {
		s = s[:i]
	} else if i := strings.Index(s, ". "); i > 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, "。.、, ")
	if rest := addedOn.ReplaceAllString(s, ""); runesOfText(rest) >= 6 {
		s = rest
	}
	return cut(s, quoteRunes, quoteRunesLatin)
}

// pastOpeners is s from its first sentence that says something: an
// apology, a greeting or an ask for a manner of answer ("Sorry I had to
// cancel last time.", 「お疲れさまです。」, "Please be blunt.") quoted back
// tells the member nothing they wrote about.
func pastOpeners(s string) string {
	ss := knowledge.Sentences(s)
	i := slices.IndexFunc(ss, func(t string) bool { return !opener.MatchString(t) && !onlyAsksStyle(t) })
	if i <= 0 {
		return s
	}
	return joinSentences(ss[i:])
}

// opener is a sentence said before the matter: an apology, a greeting or
// thanks.
var opener = regexp.MustCompile(`(?i)^\s*(?:sorry|apologies|hi|hello|hey|thanks|thank you|morning|good (?:morning|afternoon))\b|` +
	`^\s*(?:すみません|すいません|申し訳(?:ありません|ございません|ない)|お疲れ(?:様|さま)です|おつかれさまです|いつもありがとうございます|ありがとうございます|先日はありがとう|ごめんなさい)|` +
	// 「審査部の資料、ありがとうございました。」: thanks for something, then the matter.
	`^[^。！!？?]{0,30}(?:ありがとうございました|ありがとうございます|助かりました)[。！!]?\s*$`)

// addedOn is the word that adds a sentence to the one before it
// (「あと、頼み方について…」, "Also, how to…"): quoted alone, a fragment.
var addedOn = regexp.MustCompile(`(?i)^(?:あと(?:は)?、|それと、|それから、|それに、|また、|ちなみに、|(?:also|and|plus|oh and|anyway|btw),?\s+)`)

// sentences is the start of s in whole sentences while they fit in limit
// runes (latin for text without Japanese, a Latin letter carrying less than
// a kanji); a first sentence longer than that is cut by cut.
func sentences(s string, limit, latin int) string {
	s = strings.Join(strings.Fields(s), " ")
	sep := ""
	if !strings.ContainsFunc(s, japanese) {
		limit, sep = latin, " "
	}
	var b strings.Builder
	for i, sent := range knowledge.Sentences(s) {
		next := sent
		if i > 0 {
			next = sep + sent
		}
		if utf8.RuneCountInString(b.String()+next) > limit {
			if i == 0 {
				return cut(sent, limit, limit)
			}
			break
		}
		b.WriteString(next)
	}
	return b.String()
}

// joinSentences joins sentences as they were written: with a space
// between them, unless they are Japanese.
func joinSentences(ss []string) string {
	if slices.ContainsFunc(ss, func(s string) bool { return strings.ContainsFunc(s, japanese) }) {
		return strings.Join(ss, "")
	}
	return strings.Join(ss, " ")
}

// cut shortens s to limit runes (latin for text without Japanese) at a
// clause's end, or a word's, rather than in the middle of one.
func cut(s string, limit, latin int) string {
	rs := []rune(s)
	if !strings.ContainsFunc(s, japanese) {
		limit = latin
	}
	// A little over the limit is better whole than broken mid-word.
	if len(rs) <= limit+limit/2 {
		return s
	}
	for i := limit; i > limit/3; i-- {
		if strings.ContainsRune("、,;；—–", rs[i]) {
			// A cut inside brackets would leave one open: cut before it.
			if o := openBracket(rs[:i]); o >= 0 {
				if o > limit/3 {
					return strings.TrimSpace(string(rs[:o]))
				}
				continue
			}
			return strings.TrimSpace(string(rs[:i]))
		}
	}
	if !strings.ContainsFunc(s, japanese) {
		// At a space, and not after a word that leads into what was cut
		// ("…for the school street scheme and…").
		for i := limit - 1; i > limit/2; i-- {
			if rs[i] == ' ' && !leadsOn.MatchString(string(rs[:i])) {
				return string(rs[:i]) + "…"
			}
		}
	} else {
		// After a particle, where a word starts (「今から|考えて」), not
		// inside one (「考えておくべ…」).
		for i := limit - 1; i > limit/2; i-- {
			if strings.ContainsRune("はがをにでともへらて", rs[i-1]) && !unicode.Is(unicode.Hiragana, rs[i]) && rs[i] != 'ー' {
				return string(rs[:i]) + "…"
			}
		}
	}
	return truncate(s, limit)
}

// leadsOn is text ending on a word that leads into the next one.
var leadsOn = regexp.MustCompile(`(?i)\b(?:and|or|but|so|the|a|an|to|of|for|with|in|on|at|by|from|that|which|my|our|your|their|his|her|i|i'd|i'm|i've|we|is|are|was|were|be|been|have|has|had|will|would|can|could|should|not)$`)

// openBracket is the index of the first bracket rs opens and does not
// close, or -1.
func openBracket(rs []rune) int {
	var open []int
	for i, r := range rs {
		if strings.ContainsRune("(（「『[【", r) {
			open = append(open, i)
		} else if strings.ContainsRune(")）」』]】", r) && len(open) > 0 {
			open = open[:len(open)-1]
		}
	}
	if len(open) == 0 {
		return -1
	}
	return open[0]
}

// gist is the sentence of a member's request a question quotes: for
// advice or thinking together, the one that asks ("I've read the client's
// notes. I'd like straight advice on how to structure a deck…" quotes
// the second); otherwise the first, which says where they are.
func gist(style, request string) string {
	ss := knowledge.Sentences(request)
	if style == "decide" {
		// A decision is asked on in the sentence that asks for it when
		// that sentence names what to decide ("decide which one I drop,
		// A or B"); "Which should I prioritise?" leans on the sentences
		// before it.
		for _, t := range ss {
			if _, ok := subjectOf(t); ok {
				return t
			}
		}
		return request
	}
	if style != "advise" && style != "think-together" {
		return request
	}
	// The ask that names its matter ("advice on merging the three
	// spreadsheets"), before a later one that only asks ("Concrete tips
	// please.").
	for i := len(ss) - 1; i >= 0; i-- {
		if _, ok := subjectOf(ss[i]); ok && asks.MatchString(ss[i]) {
			return afterContrast(ss[i])
		}
	}
	for i := len(ss) - 1; i >= 0; i-- {
		if asks.MatchString(ss[i]) && utf8.RuneCountInString(ss[i]) > 10 && !onlyAsksStyle(ss[i]) {
			return afterContrast(ss[i])
		}
	}
	// "Can we think it through together?" says how, not what: the first
	// sentence that says what is the subject.
	for _, t := range ss {
		if !onlyAsksStyle(t) && utf8.RuneCountInString(t) > 10 {
			return t
		}
	}
	return request
}

// afterContrast is the part of sentence s after its last "but" when that
// part asks: in "I got 'meets' and I'm OK with it, but I want to
// understand what 'exceeds' would look like", the ask is what follows.
func afterContrast(s string) string {
	locs := contrast.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return s
	}
	rest := s[locs[len(locs)-1][1]:]
	if !asks.MatchString(rest) || utf8.RuneCountInString(rest) <= 10 || onlyAsksStyle(rest) {
		return s
	}
	return rest
}

// contrast is a clause boundary that turns to what matters: ", but",
// 「…けど、」, 「…ですが、」.
var contrast = regexp.MustCompile(`(?i),\s*but\s+|けど、|けれど、|けれども、|ですが、|ましたが、|のですが、`)

// asksAbout is a sentence that asks for a response about something: what
// follows "advice on", what precedes 「について、アドバイスがほしい」.
var asksAbout = []*regexp.Regexp{
	regexp.MustCompile(`^(.{4,}?)(?:について|に関して|の件で|のことで)[、,]?\s*.{0,12}(?:アドバイス|助言|相談|意見|一緒に考え|考えて|決めて|判断)`),
	// 「C区分の先をどう回していくか、具体的なやり方を教えてほしい」: the
	// matter is the question before the ask.
	regexp.MustCompile(`^(.{2,}?(?:どう|どのように|どうやって|何から|どこから)[^、。]{1,24}?か)[、,]\s*.{0,12}(?:アドバイス|助言|教えて|やり方|方法|一緒に考え|相談)`),
	// 「法人融資に残るか審査部を目指すか、一緒に考えたい」: the matter is the
	// choice, the clauses ending in か before the ask, not the occasion
	// before them (「来月の調書を出す前に、」).
	regexp.MustCompile(`((?:[^、。]+?か、){0,2}[^、。]+?か)(?:を|について)?[、,]?\s*(?:一緒に考え|相談|アドバイス|助言|意見)`),
	// "think through whether to stay on the desk or move to audit".
	regexp.MustCompile(`(?i)\b(?:think (?:it )?(?:through|about|over)|talk (?:it )?through|figure out|weigh(?: up)?)\s+((?:whether|which)\b.{6,}?\bor\b.{2,}?)[.?!]*$`),
	// A short lead-in may come first: "Now that things are calmer I'd
	// like to think together about what's next for me".
	regexp.MustCompile(`(?i)^(?:[^.?!,]{0,40}?\s)?(?:i'?d (?:really )?like|i want|i need|can i get|could i get|can we|could we|can you|could you|please)\b.{0,30}?` +
		`\b(?:advice|help|input|tips|pointers|your (?:view|take|thoughts)|think(?:ing)?(?: it| this)?(?: through)?(?: with (?:you|me))?(?: together)?|talk(?:ing)? (?:it )?through(?: with (?:you|me))?|decide|a decision|make the call)` +
		`\s+(?:on|about|with|for|regarding)\s+(.{6,}?)[.?!]*$`),
}

// asksDecision is a sentence that asks for a decision and names it:
// "decide which one I drop, A or B", 「AとBのどちらを優先するか決めてほしい」.
var asksDecision = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(?:decide|choose|pick|make the call on|call it on)\s+((?:which|whether|what|who|how|when|if)\b.{6,}?)(?:,? (?:and|so) (?:i'?ll|i will|i can)\b.*)?[.?!]*$`),
	// The options are named, joined by と, before どちら.
	regexp.MustCompile(`^(.{2,}?と.{2,}?(?:、|の)(?:どちら|どっち)[^、。]{0,12}?か)(?:を|は)?[、,]?\s*[^か]{0,12}?(?:決めて|判断して|決めていただ|判断していただ|決めてもら|判断をお願い)`),
}

// subjectOf is what a request asks about ("how to structure a deck" in
// "I'd like straight advice on how to structure a deck"): a question that
// quotes the whole request ("On 'I'd like advice on X', which part would
// you like advice on?") says the ask twice.
func subjectOf(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, re := range asksAbout {
		if m := re.FindStringSubmatch(s); m != nil {
			// "how to plan it: what you would do in the first week"
			// is said up to its colon.
			subject, _, _ := strings.Cut(m[1], ":")
			return strings.TrimSpace(subject), true
		}
	}
	// A decision is named when the words say more than "which one" or
	// 「どちらがいいか」: the options, or what they are for.
	for _, re := range asksDecision {
		if m := re.FindStringSubmatch(s); m != nil {
			// A dash or semicolon starts an aside ("which run goes on
			// Line 2 - I've given you everything I have").
			subject := clauseBreak.Split(m[1], 2)[0]
			if subject = strings.TrimSpace(subject); runesOfText(subject) >= 12 {
				return subject, true
			}
		}
	}
	return "", false
}

// asInfinitive says a member's "which project I take" as the choice
// itself, "which project to take": in the manager's plan, "I" would be the
// manager.
func asInfinitive(s string) string {
	if m := choiceByI.FindStringSubmatchIndex(s); m != nil {
		return strings.TrimRight(s[:m[3]], " ") + " to " + s[m[4]:]
	}
	return s
}

// choiceByI is a choice the member words as theirs: "which project I
// take", "whether I should go".
var choiceByI = regexp.MustCompile(`(?i)^((?:which|what|whether|where|when|how) (?:[\w'-]+ ){0,3}?)I (?:should |could |can |need to |have to )?([a-z])`)

// clauseBreak ends the clause that names a decision.
var clauseBreak = regexp.MustCompile(`;|\s[-–—]+\s|—`)

// styleAsk is the part of a sentence that asks for a response style
// ("Can we think it through together", 「一緒に考えてもらえますか」).
var styleAsk = regexp.MustCompile(`(?i)(?:can|could|shall|would you|i'?d like (?:to|us to)|i want (?:us )?to|let'?s|please)?\s*` +
	`(?:we |you )?(?:think|talk|work|figure) (?:it|this|that|things)?\s*(?:all )?(?:through|over|out)?\s*(?:together|with me)|` +
	`(?:i'?d like|i want|can i get|could i get|i need) (?:your |some )?(?:advice|input|help|take|view|decision)|` +
	`(?:can|could|would) you (?:just )?(?:decide|make the call|tell me what to do|listen|give me (?:some )?advice)|` +
	`what would you do(?: in my (?:shoes|place|position)| here| if you were me)?|what do you (?:think|suggest|recommend)|` +
	`(?:[A-Za-zＡ-Ｚ]+さん|課長|部長|店長|リーダー)?(?:なら|だったら)(?:どう(?:します|しますか|する|される)|どうしたら)[^。？?]*|どうしたら(?:いい|よい)(?:でしょう|ですか)?[^。？?]*|` +
	`(?:一緒に)?(?:考えて|相談に乗って|決めて|判断して|聴いて|聞いて)(?:ほしい|欲しい|もらえ|いただけ|ください)[^。？?]*|` +
	`(?:アドバイス|助言|ご意見|意見)(?:が|を)?(?:ほしい|欲しい|ください|いただけ|もらえ)[^。？?]*|` +
	// How bluntly, not what about: "Please be blunt", 「遠慮なく言ってください」.
	`(?:just )?(?:be (?:blunt|honest|direct|straight|frank)(?: with me)?|don'?t (?:sugar-?coat|hold back)(?: it)?|(?:tell|give) (?:me|it to me) straight)|` +
	`(?:遠慮なく|率直に|はっきり|ズバッと|ストレートに|厳しめに)(?:言って|指摘して|伝えて|教えて|ダメ出しして)(?:ほしい|欲しい|ください|もらえ|いただけ)[^。？?]*`)

// onlyAsksStyle reports whether little is left of s once its request for
// a style is taken out.
func onlyAsksStyle(s string) bool {
	rest := strings.TrimFunc(styleAsk.ReplaceAllString(s, ""), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return rest != strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) &&
		utf8.RuneCountInString(rest) < 6
}

// lastSentence is the last sentence of s.
func lastSentence(s string) string {
	ss := knowledge.Sentences(s)
	if len(ss) == 0 {
		return s
	}
	return ss[len(ss)-1]
}

// asks is a sentence that asks for something.
var asks = regexp.MustCompile(`ほしい|欲しい|たい|ください|いただ|もらえ|助かり|[?？]|(?i)\b(?:i'?d like|i would like|i want|please|can we|could we|could you|help me)\b`)

// openAsk reports whether q asks what, how or which, not yes or no: 誰か
// and 何か ask whether there is someone or something (「これまで誰かに
// 話せていましたか」 is answered yes or no).
// A question whose asking word sits in a clause before 「…ことはありますか」
// asks whether there is such a thing (「誰に聞けばよいか分からずに止まって
// いることはありますか」), and a rating on a scale is a number, not an
// answer in their words.
func openAsk(q string) bool {
	return openQuestion.MatchString(indefinite.ReplaceAllString(q, "")) && !whetherThere.MatchString(q) && !onScale.MatchString(q)
}

var (
	openQuestion = regexp.MustCompile(`(?i)何|どう|どんな|どの|どこ|どれ|なぜ|いつ|誰|\b(what|how|which|where|when|who|why)\b`)
	whetherThere = regexp.MustCompile(`は(?:あります|ありません|います|いません|ない)か?[。？?」]*$`)
	onScale      = regexp.MustCompile(`(?i)[0-9０-９]\s*(?:から|〜|～|-|to)\s*[0-9０-９]+\s*(?:で|段階)|on a scale|out of (?:5|five|10|ten)\b`)
	indefinite   = regexp.MustCompile(`(?:何|誰|どこ|いつ|どれ)(?:か|でも)|どうか`)
)

var (
	// afterMeeting are questions for after a 1on1, not before it.
	afterMeeting = regexp.MustCompile(`今日の(?:1on1|時間|面談|話)|今日は|今日話|すっきり|事前に読|話してみて|today's|today|this meeting|did (?:this|it) help|how did (?:this|that) go`)
	// askedStyle are questions that presume a requested style.
	askedStyle = map[string]*regexp.Regexp{
		"listen": regexp.MustCompile(`(?i)聴いて|聞いてほしい|聞くだけ|just listen`),
		"advise": regexp.MustCompile(`(?i)助言がほしい|アドバイスがほしい|want (?:my )?advice`),
		// "What decision do you need from me, and by when?" asked of a
		// member who wanted encouragement.
		// 「判断のために一つだけ確認させてください」 gathers facts for a
		// decision nobody asked for in a report.
		"decide": regexp.MustCompile(`(?i)decision (?:do )?you need from me|私が決めた(?:方|ほう)が|決めてほしいのは|判断のために|決めるために|before I (?:decide|make the call)|(?:for|to make) (?:my|the|this) (?:decision|call)\b`),
		"report": regexp.MustCompile(`(?i)behind this update`),
	}
	// offersView leads to the manager's view or a fix: not for a member
	// who asked to be listened to. handsBack returns the choice to the
	// member: not for one who asked the manager to decide.
	offersView = regexp.MustCompile(`(?i)私の(考え|意見|見方)|アドバイス|助言|解決策|どうすれば(解決|よくな)|どうするのがよさそう|次に(何|どう)|` +
		`my (view|advice|take|suggestion)|share my|what should you do|what (would|will|could) you do|what have you (considered|tried)|next step|` +
		// Options and plans move a member who asked to be heard on to
		// solving (「ほかにどんな選択肢が…」).
		`選択肢|打ち手|対策|次の一歩|どう(する|したら)|\boptions?\b|\bwhat (you|they) will do\b|\b(their|your) plan\b|\bsolutions?\b|` +
		// So do offers to change their work ("What's one thing I could
		// change…?", 「私が変えられることは」): a fix, however kind.
		`(私|上司|こちら)(が|で)(変え|変更|調整|減ら|引き取)|\bI (could|can|should) (change|adjust|take over|take off|remove|fix)\b|\bmake (it|things|the next [a-z ]+) easier\b|` +
		// And so does homework: a step to take before the next 1on1.
		`\bsteps? (you want to|you'?d like to|to) take\b|before we meet again|by our next 1on1|次回まで|次の1on1まで`)
	asksLeave = regexp.MustCompile(`(?i)would it (?:be useful|help|be ok(?:ay)?) if i|do you want (?:me to share|my (?:view|take|advice))|shall i (?:share|tell)|(?:話して|伝えて|共有して|言って)も(?:いい|よい|大丈夫)|(?:アドバイス|助言|意見)(?:を)?(?:して|言って|伝えて)?も(?:いい|よい)`)
	handsBack = regexp.MustCompile(`(?i)どうしたい|あなたなら|どちらを選|自分で決め|what would you (choose|decide|do)|your call|which would you pick`)
	// pointsBack are questions about a meeting or matter the guidance's
	// reader was in ("How did that meeting feel?"), or that go on from an
	// answer ("それは、いつ頃までに…"): this member gave none.
	pointsBack = regexp.MustCompile(`(?i)\b(that|this) (meeting|project|incident|conversation|decision|call|idea|plan|option)\b|(あの|その|この)(会議|件|とき|時|打ち合わせ|案件|プロジェクト|案|話|アイデア|計画|方法|やり方)|` +
		`\bwhen i (mentioned|brought up|suggested|offered|asked about)\b|\byou (just )?(mentioned|said)\b|先ほど|さっき|今の話|` +
		`^[「"“]?(それ|そこ|で、|じゃあ|so\b|and\b|then\b)|` +
		// "If you went ahead with that…", "for this to feel worth trying":
		// a guidance question on something the member said in its example.
		`\b(?:ahead|on) with (?:that|it)\b|\bfor (?:this|that|it) to\b|` +
		// "Which of these options…" needs options laid out before it.
		`\b(?:these|those) (?:options|choices|ideas|suggestions|proposals)\b|(?:これらの|この中の|このうち)(?:案|選択肢)?`)
	// probes ask the member for their own answer first.
	probes = regexp.MustCompile(`(?i)before I share|what have you (already )?(thought about|considered|tried)|what (other )?options (can|do) you see|` +
		`what would make you (feel )?confident|where (exactly )?are you stuck|どう(すれば|したら)いいと(思|考)|どうするのがよさそう|自分ではどう|どんなことを試|試してみました|手が止まって`)
	// gloomy questions look for worries and risks: not for a member who
	// asked to be encouraged and is doing well.
	gloomy = regexp.MustCompile(`(?i)worr|worst|go(?:es)? wrong|went wrong|even when|(?:wasn't|isn't|not) going|setback|\brisks?\b|afraid|\bstuck\b|不安|心配|しんど|つらい|辛い|怖|最悪|つまず`)
	// scale asks for a rating on a scale.
	scale = regexp.MustCompile(`(?i)[1１一][〜~～－-][5５五]|[1１][点]?から[5５]|\b(1|one) to (5|five|10|ten)\b|scale of`)
	// presumesHardship are questions that take hard times as given.
	presumesHardship = regexp.MustCompile(`(?i)(忙しい|大変な|厳しい|苦しい|しんどい)(時期|状況|中)|この状況|こんな状況|tough (time|period|stretch)|hard time|difficult (time|period)|busy (time|period|season)|given everything`)
	// agreedWords are questions about what was agreed (and what got in
	// the way of it, or makes "the next step" easier: one that is open).
	agreedWords = regexp.MustCompile(`(?i)\bagreed\b|決めたこと|合意|約束|\bgot in the way\b|\bthe next step (?:easier|harder|feel)|次の一歩を(?:踏み出しやすく|始めやすく)`)
	// sinceLastTime are questions about a previous 1on1.
	sinceLastTime = regexp.MustCompile(`(?i)前回|この前の1on1|last time|last 1on1|since we last`)
)

// fitsMoment reports whether a guidance question suits a prep for this
// member: before the meeting, in the style they asked for, about a past
// 1on1 only when there was one.
func fitsMoment(q string, sig *history.Signals) bool {
	if afterMeeting.MatchString(strings.ToLower(q)) || pointsBack.MatchString(q) || !fitsStyle(q, sig) || redundantOrPresuming(q, sig) {
		return false
	}
	// A yes-or-no question ("Would it help to talk to someone…?") closes
	// what a prep question should open.
	// Of "Here's what I've noted as my action. Have I got it right?", the
	// question is its last sentence.
	if ask, _, asked := strings.Cut(strings.ReplaceAll(q, "？", "?"), "?"); asked && !openAsk(lastSentence(ask)) || !openAsk(ask) {
		return false
	}
	// "Where did what we agreed land?" needs something the member agreed
	// and has not finished (the agenda asks how the finished went).
	if agreedWords.MatchString(q) && (sig == nil || !slices.ContainsFunc(sig.OpenActions, func(a history.OpenAction) bool { return a.Owner == "member" })) {
		return false
	}
	// Templates with blanks to fill (〇〇さん) read as unfinished text, and
	// a guidance example's facts ("the release process has come up three
	// times since spring") as facts about this member.
	if strings.ContainsAny(q, "〇○") || strings.Contains(q, "XX") || examplePremise.MatchString(q) {
		return false
	}
	// Pointing to occupational health is for strain that lasts, not one
	// low 1on1.
	if referOut.MatchString(q) && !lastingStrain(sig) {
		return false
	}
	// What the manager has been like so far needs a 1on1 held together;
	// how the meetings could change is for a member who said one missed
	// what they asked for (as the tips on feedback on yourself).
	if soFar.MatchString(q) && (sig == nil || sig.Held == 0) {
		return false
	}
	if onOurMeetings.MatchString(q) && (sig == nil || sig.MissComment == nil) {
		return false
	}
	return !(sinceLastTime.MatchString(q) && (sig == nil || len(sig.LastSessions) == 0))
}

var (
	soFar          = regexp.MustCompile(`(?i)これまで(?:私|の1on1)|今までの1on1|(?:so far|until now) in (?:our|these) (?:1on1s|meetings)|what have i done (?:that )?(?:helped|was useful)|when have i been (?:most )?(?:useful|helpful)`)
	onOurMeetings  = regexp.MustCompile(`(?i)1on1の進め方|1on1で(?:話しにくい|言いにくい)|やめてほしいこと|(?:candid|open|honest) in (?:these|our) (?:meetings|1on1s)|how i run (?:these|our) (?:meetings|1on1s)|change about (?:these|our) (?:meetings|1on1s)`)
	examplePremise = regexp.MustCompile(`(?i)\bour notes\b|\b(?:has|have) come up\b.{0,20}\btimes\b|(?:メモ|記録)を(?:見返|振り返)すと|[0-9０-９一二三]回(?:も|目)?(?:出て|話題に)`)
	referOut       = regexp.MustCompile(`(?i)産業医|保健スタッフ|産業保健|カウンセ|相談窓口|occupational health|\beap\b|counsell?or|employee assistance`)
)

// lastingStrain reports whether the member's condition has been low (2
// or less) at the last two 1on1s.
func lastingStrain(sig *history.Signals) bool {
	if sig == nil {
		return false
	}
	vs := sig.Condition.Values
	return len(vs) >= 2 && vs[len(vs)-1] <= 2 && vs[len(vs)-2] <= 2
}

// fitsStyle reports whether a guidance question suits the response the
// member asked for.
func fitsStyle(q string, sig *history.Signals) bool {
	style := requestedStyle(sig)
	for st, re := range askedStyle {
		if st != style && re.MatchString(q) {
			return false
		}
	}
	if style == "listen" && offersView.MatchString(q) || style == "decide" && handsBack.MatchString(q) {
		return false
	}
	// Asking what they have tried or considered turns a request for advice
	// back on the member, and makes a problem of a report or a request
	// for encouragement.
	// Asking leave to advise ("Would it be useful if I shared…?") is for a
	// member who did not ask for it.
	if (style == "advise" || style == "decide") && asksLeave.MatchString(q) {
		return false
	}
	if style == "advise" && handsBack.MatchString(q) || slices.Contains([]string{"advise", "report", "encourage", "decide"}, style) && probes.MatchString(q) {
		return false
	}
	if style == "encourage" && aheadAsk.MatchString(q) {
		return false
	}
	return style != "encourage" || !gloomy.MatchString(q) || hardTimes(sig)
}

// redundantOrPresuming reports whether q asks what the history already
// holds (a scale question: the member rates their condition before each
// 1on1) or presumes what it does not show (hard times: "この状況の中で…").
func redundantOrPresuming(q string, sig *history.Signals) bool {
	style := requestedStyle(sig)
	return sig != nil && len(sig.Condition.Values) > 0 && scale.MatchString(q) ||
		presumesHardship.MatchString(q) && !hardTimes(sig) ||
		// A member who reports or asks for encouragement, and is not
		// struggling, is not asked what went wrong as if something had.
		presumesSetback.MatchString(q) && !hardTimes(sig) && (style == "report" || style == "encourage") ||
		// The response they want is asked before each 1on1, and an update
		// read beforehand is a report's.
		style != "" && asksStyle.MatchString(q) || style != "report" && readUpdate.MatchString(q) ||
		// How 1on1s went elsewhere, how often to meet, how things are
		// done here: the start of working together, not its fifth year.
		startingOut.MatchString(q) && !situations["new-member"](sig) ||
		// "What makes you reluctant about management?" asks after a doubt
		// only a member who voiced one, or holds back, has.
		presumesDoubt.MatchString(q) && !situations["avoids-challenges"](sig) && !voicedDoubt(sig) ||
		// "the way you handled the stakeholder review" names an event of
		// the guidance's example, not of this member's work.
		namesAbsentEvent(q, sig) ||
		// "here's where I got to on what I promised", "When you tried it,
		// what actually happened?" ask after actions the history must hold.
		asksPromised.MatchString(q) && !holdsAction(sig, "manager") ||
		asksTried.MatchString(q) && !holdsAction(sig, "member")
}

// holdsAction reports whether owner has an action open, or done lately.
func holdsAction(sig *history.Signals, owner string) bool {
	return sig != nil && (slices.ContainsFunc(sig.OpenActions, func(a history.OpenAction) bool { return a.Owner == owner }) ||
		slices.ContainsFunc(sig.DoneActions, func(a history.DoneAction) bool { return a.Owner == owner }))
}

// weighsChoice is a request that names a choice to make.
var weighsChoice = regexp.MustCompile(`(?i)\b(?:whether|which|or not|between|options?|choose|choice|decide|pick|how|what to|where to|who)\b|どう|何から|何を|誰が|いつ|どこから|比べ|配分|\bcompar|\bversus\b|\bvs\b|\bor\b.{0,40}\?|かどうか|どちら|どっち|どれ|どの|選択肢|選ぶ|選び|決め|迷って|悩んで|か、|か迷|するか`)

var (
	asksPromised = regexp.MustCompile(`(?i)what i promised|where i got to|お約束した件|約束していた件|私のほうで(?:やって|進めて)いた`)
	asksTried    = regexp.MustCompile(`(?i)when you tried it|once you got into it|since we agreed it|前回決めたこと|もう追わなくても|思うように進まなかった`)
)

// namesAbsentEvent reports whether q names a particular piece of work
// ("the stakeholder review", 「あのプロジェクト」) that nothing the member
// or the notes said mentions.
func namesAbsentEvent(q string, sig *history.Signals) bool {
	m := particularEvent.FindStringSubmatch(q)
	if m == nil || sig == nil {
		return false
	}
	var texts []string
	if sig.Next != nil {
		texts = append(texts, sig.Next.Request.String(), sig.Next.Notes.String())
	}
	for _, s := range sig.LastSessions[:min(3, len(sig.LastSessions))] {
		texts = append(texts, s.Request.String(), s.Notes.String())
	}
	noun := strings.ToLower(m[1] + m[2])
	return !strings.Contains(strings.ToLower(strings.Join(texts, " ")), strings.TrimSuffix(noun, "s"))
}

// particularEvent is a named piece of work: "the whole project", "the
// stakeholder review", 「あの案件」「今回のプロジェクト」.
var particularEvent = regexp.MustCompile(`(?i)\b(?:the|that|this) (?:whole |entire |last |recent )?(?:[a-z]+ )?(project|review|launch|migration|pilot|presentation|release|deal|rollout|incident|audit|pitch|campaign|demo|event)s?\b|` +
	`(?:あの|その|今回の|先日の|例の|この前の)(プロジェクト|案件|発表|提案|リリース|移行|プレゼン|商談|イベント|監査|導入)`)

// voicedDoubt reports whether the member's words for the coming 1on1 or
// the notes of the last one tell of a doubt or worry.
func voicedDoubt(sig *history.Signals) bool {
	if sig == nil {
		return false
	}
	var texts []string
	if sig.Next != nil {
		texts = append(texts, sig.Next.Request.String())
	}
	if len(sig.LastSessions) > 0 {
		texts = append(texts, sig.LastSessions[0].Request.String(), sig.LastSessions[0].Notes.String())
	}
	return slices.ContainsFunc(texts, doubtWords.MatchString)
}

var (
	asksStyle = regexp.MustCompile(`(?i)listening, advice|what would help (you )?most from me|どんな関わり方|聞くだけ[^。？]{0,12}(アドバイス|助言|一緒に)`)
	// lostHeart is a request for encouragement after a setback.
	lostHeart = regexp.MustCompile(`(?i)自信を?(?:なく|失|持て)|自信が(?:ない|なく|持て)|落ち込|へこ|凹|ミスが(?:続|重な)|失敗(?:が続|続き|して|ばかり)|うまくいか|上手くいか|不安|` +
		`\b(?:lost (?:my |some )?confidence|confidence (?:is|has been) (?:low|shot|knocked)|feel(?:ing)? (?:down|low|useless|stupid|like a failure)|(?:another|a string of|a few|two|three) mistakes|messed up|screwed up|setbacks?|knocked (?:me|back)|doubt(?:ing)? (?:myself|whether))\b`)
	presumesSetback = regexp.MustCompile(`(?i)(?:進まなかった|うまくいかなかった|できなかった)(?:と|の)?(?:したら|すれば)|何が妨げ|妨げになって|` +
		`what got in the way|what (?:blocked|held) (?:you|it) (?:back|up)|if (?:it|things) (?:didn't|did not|hasn't|haven't) go|didn't go (?:well|as planned)|` +
		`outcome (?:wasn't|was not|isn't) what you wanted|didn't turn out|weighing on you|結果は(?:望んだ|思った)とおりでなく|思うような結果`)
	startingOut = regexp.MustCompile(`(?i)experience (?:have you had )?with 1on1s before|weekly or every other week|` +
		`before joining|settled in|not sure who to (?:ask|go to)|who to go to|how things get done (?:on|in) this team|ought to know already|` +
		`これまで1on1に|(?:週に1回|毎週)と隔週|入社(?:前|して)|職場に慣れ|誰に聞けば`)
	presumesDoubt = regexp.MustCompile(`(?i)気が進まない|ためらい|躊躇|(?:不安|心配)に(?:感じ|思)|what makes you (?:hesitant|reluctant|unsure)|what (?:worries|is worrying) you about|\b(?:hesitant|reluctant) about\b`)
	doubtWords    = regexp.MustCompile(`(?i)不安|心配|迷[いっう]|気が進まない|自信が(?:ない|なく)|向いていない|ためら|躊躇|怖[いく]|\b(?:worr(?:y|ied|ies)|unsure|not sure|hesitant|reluctant|nervous|anxious|doubts?|afraid|scared)\b`)
	readUpdate    = regexp.MustCompile(`(?i)read your (update|report)|(報告|進捗|共有)[^。？]{0,8}(事前に|先に)(読|拝見|目を通)`)
)

// requestedStyle is the response the member asked for in the coming
// 1on1, or "".
func requestedStyle(sig *history.Signals) string {
	if sig == nil || sig.Next == nil || sig.Next.Style == nil {
		return ""
	}
	return *sig.Next.Style
}

// hardTimes reports whether the history shows a member under strain: a
// falling or low condition.
func hardTimes(sig *history.Signals) bool {
	if sig == nil {
		return false
	}
	return situations["condition-falling"](sig) || sig.Condition.Latest != nil && *sig.Condition.Latest <= 2
}

func japanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
}
