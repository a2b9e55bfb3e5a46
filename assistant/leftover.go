package assistant

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/taiwa-coach/taiwa/knowledge"
)

// A member's remark at the very end of a 1on1 ("At the very end he said
// the regional conference 'might be interesting' - we ran out of time",
// 「最後に『現場代理人とやり取りが噛み合わない』と一言だけ」) is often what
// they most wanted to say and found no time for. A coach picks it up
// next time; blind judges docked every plan that only quoted it.
var (
	// endOfMeeting places a remark at the close of the meeting.
	endOfMeeting = regexp.MustCompile(`(?i)最後に|最後の方|終わりがけ|終わり際|帰り際|去り際|終了間際|別れ際|` +
		`\b(?:at|towards?|near) the (?:very )?end\b|\bon (?:his|her|their|the) way out\b|\bas we (?:were )?wrapp(?:ed|ing) up\b|\bin passing\b|\bat the door\b`)
	// outOfTime says it was left there.
	outOfTime = regexp.MustCompile(`(?i)時間切れ|時間が足りず|時間がなく|時間が足りなかった|深掘りでき|深掘りしな|話せなかった|持ち越し|話し足りない|` +
		`ran out of time|no time (?:left|to)|(?:didn't|did not|never) get (?:to|round to|around to)|before (?:we )?(?:got|getting) to`)
	// memberRemark is the member saying something (not the manager
	// asking: 「最後に『最近どう?』と聞いた」 is the manager's).
	memberRemark = regexp.MustCompile(`(?i)と一言|と話があった|話があった|と言われた|と言っていた|と漏ら|とこぼ|と口に|と話して|本人から|と相談|` +
		`\b(?:he|she|they)(?: also| briefly| only)? (?:said|says|mentioned|mentions|asked|asks|brought up|raised|added|wondered|hinted|floated)\b`)
	// remarkLead is what comes before the remark itself.
	remarkLead = regexp.MustCompile(`(?i)^.*?\b(?:he|she|they)(?: also| briefly| only)? (?:said|says|mentioned|mentions|brought up|raised|added|hinted|floated|asked(?: about)?|wondered)(?: in passing)?(?: (?:that|about))?\s+`)
	// leftBefore is what time ran out before.
	leftBefore = regexp.MustCompile(`(?i)\bran out of time before (?:we )?(?:got|getting|could get|managed to get) (?:to|round to|around to) ([^;,.]+)`)
	// inPassing says how, not what.
	inPassing = regexp.MustCompile(`(?i)\s+in passing\b`)
	// remarkTail is how the sentence tells it was left.
	remarkTail = regexp.MustCompile(`(?i)\s*(?:[-–—]+|,? but|;|,)\s*(?:we |there was )?(?:ran out of time|no time|didn't get|did not get|never got).*$|` +
		`,?\s*(?:and |but )?then (?:(?:he|she|they|I) )?(?:had to|got called|was called|left|rushed)\b.*$|(?:が、?|けど、?|ものの、?)?(?:時間切れ|時間が足りず|時間がなく|深掘り).*$`)
	// remarkJaLead and remarkJaTail are the Japanese frame around an
	// unquoted remark (最後に…と一言あった).
	remarkJaLead = regexp.MustCompile(`^(?:最後に|最後の方で|終わりがけに?|終わり際に?|帰り際に?|去り際に?|終了間際に?)[、,]?\s*(?:本人から[、,]?)?`)
	remarkJaTail = regexp.MustCompile(`(?:と一言(?:だけ)?(?:あった)?|と話があった|という話があった|と言われた|と言っていた|と話していた|とのこと|とこぼしていた|と漏らしていた)?(?:が|けど)?[、,]?$`)
	// asksForResponse is a remark that asks how to be answered ("I just
	// need someone to decide", 「とにかく決めてほしい」): the plan answers
	// it, it is no topic left open.
	asksForResponse = regexp.MustCompile(`(?i)\b(?:someone|you) to (?:decide|pick|choose|make the call|tell me)\b|\b(?:just|only) (?:listen|want to talk|need to vent)\b|\bjust need (?:a decision|an answer|advice)\b|` +
		`決めて(?:ほしい|欲しい|もらい|ください)|聞いて(?:ほしい|欲しい|もらいたい)だけ|ただ聞いて|アドバイス(?:が|を)?(?:ほしい|欲しい)|答えが(?:ほしい|欲しい)`)
	// quotedRemark is a remark the notes quote.
	quotedRemark = regexp.MustCompile(`「([^「」]+)」|『([^『』]+)』|“([^”]+)”|"([^"]+)"`)
)

// leftOpen is what the member raised at the end of the last 1on1, or
// said before the notes tell that time ran out, in a short form to say
// back; at says which sentences of notes it comes from, so the summary
// does not quote them again, and cut whether the notes say there was no
// time for it.
func leftOpen(notes string) (remark string, at []int, cut bool) {
	ss := noteSentences(notes)
	for i, s := range ss {
		said := memberRemark.MatchString(s) && !strings.Contains(s, "と聞いた")
		switch {
		case endOfMeeting.MatchString(s) && said:
			at = []int{i}
		case outOfTime.MatchString(s) && said:
			at = []int{i}
		case outOfTime.MatchString(s) && i > 0 && memberRemark.MatchString(ss[i-1]) && !endOfMeeting.MatchString(ss[i-1]):
			// "She says volunteers are still confused by the old sheet.
			// We ran out of time before getting to it."
			at = []int{i - 1, i}
			s = ss[i-1]
		default:
			continue
		}
		if r := remarkIn(s); r != "" && !asksForResponse.MatchString(r) {
			if len(at) == 1 && i+1 < len(ss) && outOfTime.MatchString(ss[i+1]) && !memberRemark.MatchString(ss[i+1]) {
				at = append(at, i+1) // 「時間切れで深掘りしなかった。」
			}
			return r, at, slices.ContainsFunc(at, func(i int) bool { return outOfTime.MatchString(ss[i]) })
		}
		at = nil
	}
	return "", nil, false
}

// remarkIn is the remark a sentence of notes tells: what it quotes, or the
// sentence without the frame around it.
func remarkIn(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "。.")
	if strings.ContainsFunc(s, japanese) {
		if m := quotedRemark.FindStringSubmatch(s); m != nil {
			for _, g := range m[1:] {
				if utf8.RuneCountInString(g) >= 6 {
					return g
				}
			}
		}
		s = remarkTail.ReplaceAllString(s, "")
		s = remarkJaTail.ReplaceAllString(remarkJaLead.ReplaceAllString(s, ""), "")
	} else {
		// "Ran out of time before getting to options; she asked to
		// continue next time": what was left is the options.
		if m := leftBefore.FindStringSubmatch(s); m != nil && utf8.RuneCountInString(m[1]) >= 4 {
			return clip(strings.TrimSpace(m[1]), 90)
		}
		s = inPassing.ReplaceAllString(remarkTail.ReplaceAllString(remarkLead.ReplaceAllString(s, ""), ""), "")
		// The words themselves when the notes quote them: "'the travel's
		// catching up with me a bit,' then had to take a customer call".
		if q := quotedOpening(s); runesOfText(q) >= 6 {
			s = q
		}
	}
	s = strings.TrimRight(strings.TrimSpace(s), "。.,、")
	if runesOfText(s) < 6 {
		return ""
	}
	return clip(s, 90)
}

// quotedOpening is the quotation s opens with, without its closing comma
// or stop, or "" when s does not open with one. A single quote closes
// before a non-letter: "travel's" holds an apostrophe.
func quotedOpening(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	var end int
	switch r {
	case '"':
		end = strings.IndexByte(s[n:], '"')
	case '“':
		end = strings.Index(s[n:], "”")
	case '\'', '‘':
		end = -1
		for i, c := range s[n:] {
			if c != '\'' && c != '’' {
				continue
			}
			next, _ := utf8.DecodeRuneInString(s[n+i+utf8.RuneLen(c):])
			if !unicode.IsLetter(next) {
				end = i
				break
			}
		}
	default:
		return ""
	}
	if end < 0 {
		return ""
	}
	return strings.TrimRight(s[n:n+end], ",.;!? ")
}

// What the manager meant to ask and did not (「夜勤帯の件はこちらから聞き
// そびれた」, "I didn't follow up on the CMMS comment") is theirs to pick
// up first next time: a blind judge docked a plan that only quoted it.
var (
	// notAskedJa ends what the notes did not get to ask: the object
	// before its particle, then the verb a few words on.
	notAskedJa = regexp.MustCompile(`([^、。]{2,40}?)(?:について|のこと)?(?:を|は|には|について)[^、。を]{0,12}?(?:聞きそび|聞け(?:なかった|ていない|ず)|聞き忘れ|触れられなかった|触れそび|確認しそび|確認できなかった|聞かずに終わ)`)
	// notAskedEn is the manager saying they did not ask or follow up,
	// and what about.
	notAskedEn = regexp.MustCompile(`(?i)\b(?:didn'?t|did not|never|forgot to)(?: get to| got to| manage to)? (?:ask(?:ed)?|follow(?:ed)? up|check(?:ed)?(?: in)?)(?: (?:about|on|in on|whether|if))?\s+([^.;!?]{6,})`)
	// someoneElse is a subject other than the manager just before the
	// verb: "he did not ask about his review".
	someoneElse = regexp.MustCompile(`(?i)\b(?:he|she|they|we|member|it)\s*$`)
	// iSubject is the manager, the notes' writer, as a subject.
	iSubject = regexp.MustCompile(`\bI\b`)
	// toldOn is the miss reported to someone (「設計課の件はまだ聞けていない
	// と私から伝えた」: not heard from the design office yet), not a question
	// left unasked.
	toldOn = regexp.MustCompile(`^[^。]{0,6}?と(?:私から|こちらから|本人に)?(?:伝え|話し|言っ|返し|説明|報告)`)
	// unaskedLead is a word the Japanese object should not start with
	// (「ただ、」): what the clause before it said is cut at its comma.
	unaskedLead = regexp.MustCompile(`^(?:ただ|でも|しかし|結局|また|あと)、?`)
)

// notAsked is what the last notes say the manager did not get to ask, as
// the words to name it by, or "".
func notAsked(notes string) string {
	for _, s := range knowledge.Sentences(strings.Join(strings.Fields(notes), " ")) {
		if m := notAskedEn.FindStringSubmatchIndex(s); m != nil {
			if before := s[:m[0]]; iSubject.MatchString(before) && !someoneElse.MatchString(before) {
				return clip(strings.TrimRight(strings.TrimSpace(s[m[2]:m[3]]), ",. "), 80)
			}
		}
		if m := notAskedJa.FindStringSubmatchIndex(s); m != nil && !toldOn.MatchString(s[m[1]:]) {
			what := unaskedLead.ReplaceAllString(strings.TrimSpace(s[m[2]:m[3]]), "")
			if runesOfText(what) >= 2 && !strings.HasPrefix(what, "本人の話") && nounEnd(what) {
				return clip(what, 40)
			}
		}
	}
	return ""
}

// nounEnd reports whether a Japanese phrase ends as a thing to ask about
// (「夜勤帯の件」, 「困りごと」, 「どう感じているか」), not an adverb
// (「報告が中心で深く」).
func nounEnd(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return !unicode.Is(unicode.Hiragana, r) || r == 'か' || strings.HasSuffix(s, "こと") || strings.HasSuffix(s, "ごと") || strings.HasSuffix(s, "もの")
}

// noteSentences are the sentences of notes, one sentence however many the
// remark it quotes holds (「専門チームの件、どうなりました？」と一言あった).
func noteSentences(notes string) []string {
	return wholeSentences(knowledge.Sentences(strings.Join(strings.Fields(notes), " ")))
}
