package anonymize

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"

	"github.com/taiwa-coach/taiwa/assistant/linear"
)

// The rules find names by what they are (the lists, the dictionary) and
// where they stand (an honorific, a relation, a list); writers put names
// where no rule looks. The tagger reads each token the way the labelled
// notes read: a logistic regression over the token, its dictionary
// reading and its neighbours, trained on testdata/*.jsonl (the sealed
// held-out sets excepted) and shipped as data (tagger/model.json, written
// and checked by TestTaggerIsCurrent). Its spans come after the rules' and
// the formats', and never take text they took.
//
//go:embed tagger/model.json
var taggerJSON []byte

// tagger is a trained name tagger.
type tagger struct {
	// Threshold is the probability above which a token is part of a name.
	Threshold float64        `json:"threshold"`
	Options   linear.Options `json:"options"`
	Trained   map[string]int `json:"trained"` // notes per labelled set
	Model     linear.Model   `json:"model"`
}

func loadTagger() (*tagger, error) {
	var t tagger
	if err := json.Unmarshal(taggerJSON, &t); err != nil {
		return nil, fmt.Errorf("name tagger: %w", err)
	}
	if t.Threshold <= 0 || t.Threshold >= 1 || len(t.Model.Weights) == 0 {
		return nil, fmt.Errorf("name tagger: no threshold or weights")
	}
	return &t, nil
}

// words are the tokens the tagger reads: all but spaces.
func words(toks []tokenizer.Token) []tokenizer.Token {
	var out []tokenizer.Token
	for _, t := range toks {
		if t.Class != tokenizer.DUMMY && strings.TrimSpace(t.Surface) != "" {
			out = append(out, t)
		}
	}
	return out
}

// tagged returns the names the tagger reads in raw (tokenized as toks):
// runs of tokens it gives more than its threshold, joined across a ・ or
// a space between two such tokens.
func (r *Redactor) tagged(raw string, toks []tokenizer.Token) []span {
	if r.tagger == nil {
		return nil
	}
	toks = words(toks)
	var out []span
	for i := 0; i < len(toks); i++ {
		if !r.isName(toks, i) {
			continue
		}
		first := i
		start, end := toks[i].Position, toks[i].Position+len(toks[i].Surface)
		for i+1 < len(toks) && r.isName(toks, i+1) && joinable(raw[end:toks[i+1].Position]) {
			i++
			end = toks[i].Position + len(toks[i].Surface)
		}
		if r.notAName(raw, toks, first, i) {
			continue
		}
		out = append(out, span{start, end, Person})
	}
	return out
}

// notAName reports whether the tokens first..i the tagger read as a
// name are something else the way they stand in raw.
func (r *Redactor) notAName(raw string, toks []tokenizer.Token, first, i int) bool {
	start, end := toks[first].Position, toks[i].Position+len(toks[i].Surface)
	// The か of a volitional (しようかなと, 言おうかと) is grammar,
	// however the tagger scores it: managers state plans this way.
	// Kana names come in pieces kagome tags as verbs and auxiliaries
	// (しょ・う・た), so only this one particle, standing alone.
	if first == i && first > 0 && volitionalKa(toks[i-1], toks[i]) {
		return true
	}
	// Punctuation is nobody's name (the ' of O's), nor one kanji of a
	// list of one-kanji abbreviations (英・中・韓: the languages).
	if !strings.ContainsFunc(raw[start:end], unicode.IsLetter) || abbreviation(raw, start, end) {
		return true
	}
	// A kana span that a kana word goes on from, touching it (お|せ|ち
	// of おせち, しよ|う of どうしよう), is a piece of that word: a name
	// in kana ends before a particle, an honorific or a suffix (たち).
	if i+1 < len(toks) && isHiragana(raw[start:end]) && wordGoesOn(toks, first, i, end) {
		return true
	}
	// The し of すっきりした is する after the word it makes a verb of,
	// and Co of co-write a prefix: never a name alone.
	if first == i && (suruVerb(toks, i) || prefixed(raw, toks[i])) {
		return true
	}
	// A lone hiragana adverb, conjunction or interjection that the
	// sentence goes on from, or that a verb, an adjective or a number
	// follows (どうするのがいいか, もう一回), is that word, even in quotes
	// where names also stand (「そうですね」; “もりもり”が is a handle).
	if first == i && i+1 < len(toks) && isHiragana(toks[i].Surface) && functionWord(toks[i]) && modifies(toks[i+1]) {
		return true
	}
	// Adverbs before the adverb ちゃんと (もう少し|ちゃんと話したかった) are
	// those words, not a name with ちゃん.
	if beforeChanto(raw[end:], toks[first:i+1]) {
		return true
	}
	// A kana span kagome split off a word the particle after it completes
	// (たま|に|は of たまには: the adverb たまに) is that word.
	if i+1 < len(toks) && isHiragana(raw[start:end]) && r.joinsWord(raw[start:end], toks[i+1], end) {
		return true
	}
	return r.commonWords(raw[start:end], toks[first:i+1]) && !setApart(raw, raw[start:end])
}

// joinsWord reports whether span and the hiragana token next, touching it
// at end, read together as one word of a part of speech no name has.
func (r *Redactor) joinsWord(span string, next tokenizer.Token, end int) bool {
	if next.Position != end || !isHiragana(next.Surface) {
		return false
	}
	toks := r.tok.Analyze(span+next.Surface, tokenizer.Normal)
	if len(toks) != 1 || toks[0].Class != tokenizer.KNOWN {
		return false
	}
	pos := toks[0].POS()
	return len(pos) > 0 && !namePOS[pos[0]]
}

// beforeChanto reports whether span, all adverbs and such, stands before
// the adverb ちゃんと in rest.
func beforeChanto(rest string, span []tokenizer.Token) bool {
	return strings.HasPrefix(rest, "ちゃんと") && !slices.ContainsFunc(span, func(t tokenizer.Token) bool { return !functionWord(t) })
}

// wordGoesOn reports whether the kana word that toks[first..last] (ending
// at byte end) begins goes on in the token after it: a content word in
// kana touching it that runs on into a word, or the う of a volitional
// after a verb (しよ|う).
// Kagome splits kana names into verbs and auxiliaries (けん|た), so only
// these.
func wordGoesOn(toks []tokenizer.Token, first, last, end int) bool {
	next := toks[last+1]
	if next.Position != end || !isHiragana(next.Surface) {
		return false
	}
	pos := next.POS()
	switch {
	case next.Surface == "う" && pos[0] == "助動詞":
		return first == last && toks[last].POS()[0] == "動詞"
	case pos[0] == "動詞" || pos[0] == "名詞" || pos[0] == "形容詞":
		// And runs on into a noun or a verb (おせ|ち|予約), not a particle:
		// ゆい|ぴょん|が is a nickname.
		if last+2 >= len(toks) || toks[last+2].Position != next.Position+len(next.Surface) {
			return false
		}
		after := toks[last+2].POS()[0]
		return (len(pos) < 2 || pos[1] != "接尾") && honorificAt(next.Surface) == 0 && (after == "名詞" || after == "動詞")
	}
	return false
}

func (r *Redactor) isName(toks []tokenizer.Token, i int) bool {
	s := toks[i].Surface
	if neverTagged(s) || notNameHere(toks, i) || placeName(toks, i) {
		return false
	}
	threshold := r.tagger.Threshold
	if low := strings.ToLower(s); englishWords[low] && (i == 0 || strings.ContainsAny(toks[i-1].Surface, ".!?。\n")) {
		// An English word starting a sentence is the word far more often
		// than a name ("Hope to close", "Will you"): only when sure.
		threshold = max(threshold, 0.85)
	}
	return r.tagger.Model.Prob(r.tokenFeatures(toks, i)) > threshold
}

// placeName reports whether token i ends a place's name: a word for a
// place after a capitalised word (Riverside Park, North Station), however
// common the word is as a surname.
func placeName(toks []tokenizer.Token, i int) bool {
	if i < 1 || !places[toks[i].Surface] || toks[i].Position != toks[i-1].Position+len(toks[i-1].Surface)+1 {
		return false
	}
	prev := toks[i-1].Surface
	r, _ := utf8.DecodeRuneInString(prev)
	// Ms Park, Jimin Park: a person.
	return unicode.IsUpper(r) && !titles[strings.TrimSuffix(prev, ".")] && !givenNames[prev]
}

var titles = setOf("Mr", "Ms", "Mrs", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame")

var places = setOf("Park", "Street", "Road", "Avenue", "Lane", "Square", "Bridge", "Station", "Hall", "Centre", "Center",
	"Hill", "Lake", "River", "Garden", "Gardens", "Court", "Close", "Drive", "Wood", "Woods", "Field", "Fields", "Green",
	"Market", "Place", "Terrace", "Quay", "Wharf", "Heights", "Valley", "Beach", "Bay", "Point", "Campus", "Library")

// notNameHere reports whether token i, whatever the tagger would read,
// is part of a word by where it stands: its script, its length and its
// neighbours.
func notNameHere(toks []tokenizer.Token, i int) bool {
	s := toks[i].Surface
	switch charClass(s) {
	case "hira":
		// A hiragana verb or adjective that goes on conjugating (わから+ず
		// in よくわからず) is no name; one before a particle or a comma may
		// be a given name in kana (たくみ、 まお（…）), which kagome reads
		// as a verb.
		pos := toks[i].POS()[0]
		return (pos == "動詞" || pos == "形容詞") && i+1 < len(toks) && conjugates(toks[i+1])
	case "kanji":
		// A role is no name, honorific or not (班長さん, 工場長さん, 先輩).
		return kanjiRole(s) || utf8.RuneCountInString(s) == 1 && oneKanjiInWord(toks, i)
	case "kata":
		return katakanaInWord(toks, i)
	}
	return false
}

// oneKanjiInWord reports whether the single kanji at i belongs to a word:
// a stem before its okurigana (荒+げた in 声を荒げた: kana that is no
// particle, auxiliary or honorific), or the end of a compound right after
// a noun (みかん畑, 営業課) when no honorific makes it a name.
func oneKanjiInWord(toks []tokenizer.Token, i int) bool {
	s := toks[i].Surface
	if i+1 < len(toks) {
		next := toks[i+1]
		touching := toks[i].Position+len(s) == next.Position
		if touching && charClass(next.Surface) == "hira" && !isGrammar(next) && honorificAt(next.Surface) == 0 {
			return true
		}
	}
	if i == 0 {
		return false
	}
	prev := toks[i-1]
	touching := prev.Position+len(prev.Surface) == toks[i].Position
	nextHonorific := i+1 < len(toks) && honorificAt(toks[i+1].Surface) > 0
	return touching && prev.POS()[0] == "名詞" && !nextHonorific
}

// katakanaInWord reports whether the katakana at i is part of a word: used
// as a verb (リスケした, チェックする), or two katakana that are a clipped
// word or a stem (キツく, 初マネ) rather than a name before a particle or
// an honorific (ケンが, リンさん).
func katakanaInWord(toks []tokenizer.Token, i int) bool {
	next := ""
	if i+1 < len(toks) {
		if toks[i+1].POS()[0] == "動詞" {
			return true
		}
		next = toks[i+1].Surface
	}
	return utf8.RuneCountInString(toks[i].Surface) <= 2 && honorificAt(next) == 0 && !strings.ContainsAny(next, "がはとにのもをへや、。")
}

// conjugates reports whether t carries on a verb in a way no given name
// is followed: a negative, polite or desiderative auxiliary (わから+ず,
// でき+ない), or the particle て or ば. Not た or き: けん+た and ゆっ+き
// are how kagome splits the kana names けんた and ゆっきー.
func conjugates(t tokenizer.Token) bool {
	switch t.Surface {
	case "ず", "ない", "なく", "なかっ", "ぬ", "ます", "まし", "ませ", "たい", "たく", "たかっ", "て", "ば":
		return t.POS()[0] == "助動詞" || t.POS()[0] == "助詞"
	}
	return false
}

// kanjiRole reports whether a kanji word is a role or a title (班長,
// 工場長, or 長 alone where kagome splits 工場|長), not a name.
func kanjiRole(s string) bool { return kanjiRoles[s] }

var kanjiRoles = setOf("長", "班長", "工場長", "職長", "店長", "副店長", "所長", "院長", "校長", "園長", "師長", "局長", "駅長",
	"組長", "委員長", "室長", "部長", "課長", "係長", "社長", "会長", "次長", "支店長", "本部長", "事業部長", "学長", "塾長",
	"寮長", "館長", "隊長", "団長", "座長", "議長", "主任", "係", "先輩", "後輩", "先生", "担当", "上司", "部下", "同僚",
	"主査", "主事", "主幹", "監督", "社員", "職員", "店員", "講師", "教授", "助手", "顧問", "役員", "専務", "常務", "代表",
	"幹事", "親方", "看護師", "保育士", "介護士", "薬剤師", "運転手", "警備員")

// neverTagged are words the tagger never takes for a name: roles, words
// listed as no names, titles, work tools, and one Latin letter (an
// initial, the way aliases are written: Aさん).
func neverTagged(s string) bool {
	if katakanaRoles[s] || notNames[s] || neverName[s] || tools[strings.ToLower(s)] || contractions[strings.ToLower(s)] {
		return true
	}
	// No name ends in a small tsu: サクッ, ササッ are the mimetic words of
	// サクッと, ササッと.
	if strings.HasSuffix(s, "ッ") || strings.HasSuffix(s, "っ") {
		return true
	}
	c := charClass(s)
	return (c == "Latin" || c == "latin" || c == "LATIN") && utf8.RuneCountInString(s) < 2
}

// contractions are what is left of a word before n't (Didn't): never a
// name.
var contractions = setOf("didn", "doesn", "isn", "wasn", "couldn", "shouldn", "wouldn", "hasn", "haven", "hadn", "aren", "weren", "don", "won", "can", "mustn", "needn", "ain")

// tools are products people write about at work, named like people
// (Jira, Asana, Miro): never a person to the tagger.
var tools = setOf("jira", "slack", "zoom", "teams", "notion", "figma", "miro", "confluence", "salesforce", "github",
	"gitlab", "backlog", "asana", "trello", "excel", "outlook", "gmail", "kintone", "dropbox", "tableau", "sap",
	"workday", "zendesk", "hubspot", "canva", "linkedin", "chatgpt", "claude", "gemini", "copilot", "deepl", "looker",
	// and the devices and apps in katakana, newer than the dictionary
	// (スマホで書類を添付しにくい).
	"スマホ", "スマートフォン", "タブレット", "パソコン", "ノーパソ", "ガラケー", "アプリ", "エクセル", "パワポ", "スラック", "ズーム", "チームズ", "キントーン")

// joinable is what may stand between two parts of one name.
func joinable(gap string) bool {
	return gap == "" || gap == " " || gap == "・" || gap == "　"
}

// tokenFeatures describe token i: what it is, how the dictionary reads
// it, whether a name list has it, and its neighbours.
func (r *Redactor) tokenFeatures(toks []tokenizer.Token, i int) []string {
	t := toks[i]
	s := t.Surface
	low := strings.ToLower(s)
	cls := charClass(s)
	f := []string{"s=" + low, "p=" + posKey(t), "c=" + cls, "n=" + strconv.Itoa(min(utf8.RuneCountInString(s), 6)) + cls}
	if t.Class == tokenizer.UNKNOWN {
		f = append(f, "unknown|"+cls)
	}
	if pos := t.POS(); len(pos) > 3 && pos[2] == "人名" {
		f = append(f, "person="+pos[3])
	}
	switch cls {
	case "latin", "Latin", "LATIN":
		rs := []rune(low)
		title := string(unicode.ToUpper(rs[0])) + string(rs[1:])
		for _, c := range []struct {
			name string
			in   bool
		}{
			{"given", givenNames[title]}, {"surname", surnames[title]}, {"ambiguous", ambiguous[title]},
			{"word", englishWords[low]}, {"never", neverName[title]}, {"romaji", r.book.romaji[foldVowels(low)]},
		} {
			if c.in {
				f = append(f, "list="+c.name, "list="+c.name+"|"+cls)
			}
		}
	case "kata", "hira":
		k := formFold(s)
		if r.book.kana[k] {
			f = append(f, "kana-name")
		}
		if r.book.given[k] {
			f = append(f, "given-kana")
		}
	case "kanji":
		if r.book.anySurname[s] {
			f = append(f, "surname-kanji")
		}
	}
	if i == 0 || strings.ContainsAny(toks[i-1].Surface, "。.!?！？\n") {
		f = append(f, "start")
	}
	for _, d := range []int{-2, -1, 1, 2} {
		j := i + d
		if j < 0 || j >= len(toks) {
			f = append(f, "edge"+strconv.Itoa(d))
			continue
		}
		n := toks[j]
		f = append(f, "p"+strconv.Itoa(d)+"="+posKey(n), "c"+strconv.Itoa(d)+"="+charClass(n.Surface))
		if d == -1 || d == 1 {
			f = append(f, "s"+strconv.Itoa(d)+"="+strings.ToLower(n.Surface),
				"s"+strconv.Itoa(d)+"="+strings.ToLower(n.Surface)+"|"+cls)
		}
	}
	if i+1 < len(toks) && honorificAt(toks[i+1].Surface) > 0 {
		f = append(f, "honorific|"+cls)
	}
	return f
}

// posKey is a token's part of speech, three levels deep.
func posKey(t tokenizer.Token) string {
	pos := t.POS()
	return strings.Join(pos[:min(len(pos), 3)], ",")
}

// charClass names the script of s: kanji, kata, hira, Latin (capitalized),
// latin (lower case), LATIN (all capitals), digit or other.
func charClass(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	switch {
	case unicode.Is(unicode.Han, r) || r == '々':
		return "kanji"
	case unicode.Is(unicode.Katakana, r) || r == 'ー':
		return "kata"
	case unicode.Is(unicode.Hiragana, r):
		return "hira"
	case unicode.Is(unicode.Latin, r):
		switch {
		case strings.ToUpper(s) == s && utf8.RuneCountInString(s) > 1:
			return "LATIN"
		case unicode.IsUpper(r):
			return "Latin"
		}
		return "latin"
	case unicode.IsDigit(r):
		return "digit"
	}
	return "other"
}

// volitionalKa reports whether t is the particle か right after the
// volitional auxiliary う or よう.
func volitionalKa(prev, t tokenizer.Token) bool {
	touching := prev.Position+len(prev.Surface) == t.Position
	return touching && (t.Surface == "か" || t.Surface == "かな") && (prev.Surface == "う" || prev.Surface == "よう") && prev.POS()[0] == "助動詞"
}

// functionWord reports whether kagome reads t as an adverb, a conjunction,
// an interjection or an adnominal.
func functionWord(t tokenizer.Token) bool {
	switch t.POS()[0] {
	case "副詞", "接続詞", "感動詞", "連体詞":
		return true
	}
	return false
}

// suruVerb reports whether token i is one hiragana of する glued to the
// adverb or noun it makes a verb of (すっきり・し, 確認・し).
func suruVerb(toks []tokenizer.Token, i int) bool {
	t := toks[i]
	if i == 0 || utf8.RuneCountInString(t.Surface) != 1 || !isHiragana(t.Surface) || t.POS()[0] != "動詞" {
		return false
	}
	prev := toks[i-1]
	pos := prev.POS()
	return prev.Position+len(prev.Surface) == t.Position && (pos[0] == "副詞" || len(pos) > 1 && pos[0] == "名詞" && pos[1] == "サ変接続")
}

// prefixed reports whether t is a Latin word joined by a hyphen to a
// lower-case one: co-write, re-run, pre-check (Jean-Luc has its capital).
func prefixed(raw string, t tokenizer.Token) bool {
	end := t.Position + len(t.Surface)
	if r, _ := utf8.DecodeRuneInString(t.Surface); !unicode.Is(unicode.Latin, r) || !strings.HasPrefix(raw[end:], "-") {
		return false
	}
	next, _ := utf8.DecodeRuneInString(raw[end+1:])
	return unicode.IsLower(next)
}

// modifies reports whether t is what an adverb before it goes on to:
// grammar, a verb, an adjective or a number.
func modifies(t tokenizer.Token) bool {
	pos := t.POS()
	return isGrammar(t) || pos[0] == "動詞" || pos[0] == "形容詞" || len(pos) > 1 && pos[1] == "数"
}

func isGrammar(t tokenizer.Token) bool {
	pos := t.POS()
	return pos[0] == "助詞" || pos[0] == "助動詞"
}

// abbreviation reports whether raw[start:end] is one kanji of a country
// or its language listed by a middle dot with another (英・中・韓, 日米):
// one-kanji given names are listed so too (亮・翔), so only these.
func abbreviation(raw string, start, end int) bool {
	if !strings.Contains(countries, raw[start:end]) || utf8.RuneCountInString(raw[start:end]) != 1 {
		return false
	}
	b, _ := strings.CutSuffix(raw[:start], "・")
	a, _ := strings.CutPrefix(raw[end:], "・")
	r, _ := utf8.DecodeLastRuneInString(b)
	q, _ := utf8.DecodeRuneInString(a)
	return strings.ContainsRune(countries, r) || strings.ContainsRune(countries, q)
}

// countries are the kanji that stand for a country or its language.
const countries = "日英米中韓台仏独伊露西葡蘭印豪加越泰比墨伯"

// commonWords reports whether the span the tagger read as a name, toks, is
// ordinary words written as such: a kana word the dictionary knows as
// anything but a noun (しんどい, でしょ, ほぼ), loanwords the dictionary
// knows as common nouns, alone or joined (ゼロ, ネック|ウォーマー, カメラ|オフ)
// and not the reading of a name, workplace loanwords it lacks (ローテ), or
// English words that no name list has (Thursdays, Handover; Storm and
// German are names too, and stay masked) and acronyms in the plural (PMs).
// The tagger learned names from where they stand; these stand there too
// ("Handover is still open", 「ゼロ。ただ」), and a mask cannot be undone.
func (r *Redactor) commonWords(span string, toks []tokenizer.Token) bool {
	switch {
	case len(toks) == 1 && isHiragana(span) && utf8.RuneCountInString(span) > 1:
		// One kana alone may be a piece of a name kagome split (しょ|う|た).
		pos := toks[0].POS()
		return toks[0].Class == tokenizer.KNOWN && len(pos) > 0 && !namePOS[pos[0]]
	case isKatakana(span) && workWords[span]:
		return true
	case isKatakana(span):
		if r.book.all[formFold(span)] {
			return false
		}
		for _, t := range toks {
			pos := t.POS()
			if t.Class != tokenizer.KNOWN || len(pos) < 2 || pos[0] != "名詞" || pos[1] == "固有名詞" {
				return false
			}
		}
		return true
	case !strings.ContainsFunc(span, func(r rune) bool { return r > unicode.MaxLatin1 }):
		for _, w := range strings.FieldsFunc(span, func(r rune) bool { return !unicode.IsLetter(r) }) {
			first, size := utf8.DecodeRuneInString(w)
			c := string(unicode.ToUpper(first)) + w[size:] // "john" typed in lower case is John
			if !(acronymPlural.MatchString(w) || englishWord(w) && !givenName(c) && !surnames[c] && !ambiguous[c]) {
				return false
			}
		}
		return true
	}
	return false
}

// namePOS are the parts of speech a kana name is split into by kagome
// (nouns, verbs and their pieces): a kana word of any other is that word.
var namePOS = setOf("名詞", "動詞", "接頭詞", "フィラー", "記号")

// setApart reports whether word stands somewhere in raw where a name is
// written even when it is also a word: in quotes (a handle, “もりもり”), in a
// list of names (ユウキ・ジャスミン・リン), or with its spelling in Latin
// letters after it (ジャスミン（Jasmine）). Once is enough: the same word
// later in the note is the same person.
func setApart(raw, word string) bool {
	for start := 0; ; {
		i := strings.Index(raw[start:], word)
		if i < 0 {
			return false
		}
		a, b := start+i, start+i+len(word)
		before, _ := utf8.DecodeLastRuneInString(raw[:a])
		after, size := utf8.DecodeRuneInString(raw[b:])
		next, _ := utf8.DecodeRuneInString(raw[min(len(raw), b+size):])
		if strings.ContainsRune("“「『\"'", before) && strings.ContainsRune("”」』\"'", after) ||
			strings.ContainsRune("・／/", before) || strings.ContainsRune("・／/", after) ||
			strings.ContainsRune("（(", after) && next < unicode.MaxASCII && unicode.IsLetter(next) {
			return true
		}
		start = b
	}
}

// workWords are loanwords clipped the way workplaces write them, which the
// dictionary does not know and some of which read like a name (リスケ):
// ローテ is the rota, not a person.
var workWords = setOf("リスケ", "ローテ", "テンプレ", "アサイン", "エスカレ", "オンボ", "コンプラ", "マネジ", "プレゼン", "レビュ",
	"フィードバック", "ネゴ", "アポ", "リマインド", "リモート", "シフト", "マニュアル", "ミーティング", "ヒアリング", "キャパ", "タスク",
	"ボトルネック", "リソース", "スケジュール", "フォロー", "フォローアップ", "ロープレ", "オペ", "チェックリスト", "ワンオペ")

// acronymPlural is an acronym with a plural s: PMs, TAs, SKUs.
var acronymPlural = regexp.MustCompile(`^[A-Z]{2,}s$`)

// englishWord reports whether w, capitalized or not, is an English word of
// the list, or one in the plural (Thursdays, Books).
func englishWord(w string) bool {
	l := strings.ToLower(w)
	return englishWords[l] || properWords[l] || strings.HasSuffix(l, "s") && (englishWords[l[:len(l)-1]] || properWords[l[:len(l)-1]])
}

// properWords are capitalized words of a schedule and of languages, which
// the list of English words leaves out: "Tuesdays and Thursdays",
// "reviewers for German".
var properWords = setOf("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"january", "february", "march", "july", "september", "october", "november", "december",
	"english", "japanese", "chinese", "korean", "german", "french", "spanish", "italian", "portuguese", "dutch",
	"russian", "arabic", "hindi", "vietnamese", "thai", "indonesian", "tagalog", "filipino", "polish", "turkish",
	"british", "american", "canadian", "australian", "european", "asian", "african", "brazilian", "mexican", "indian")
