package anonymize

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome-dict/dict"
)

// nameBook holds the readings of the person names in kagome's dictionary,
// so that names written without kanji are found too: in katakana (ミサキ,
// タナカ), in hiragana before a particle (けんたが), and in romaji (Haruki,
// Yamada Taro). A reading that is also another word of the dictionary
// (a loanword such as ケース, a kana word such as ひかり) is left out:
// masking it would break ordinary text more often than it found a name.
type nameBook struct {
	kana   map[string]bool // hiragana readings of surnames and given names
	given  map[string]bool // of given names alone (for hiragana, which particles follow)
	romaji map[string]bool // romaji of both, long vowels folded
	words  map[string]bool // hiragana words (ちなみに: not ちなみ + に)
	all    map[string]bool // every reading, for kana before an honorific (ひかりさん)
	// surnames are kanji surnames that are no other word of the
	// dictionary (岡部, 大和田, 早乙女), found alone before a particle;
	// anySurname has the others too (清水, 宮内, 山口), taken only where a
	// person stands.
	surnames, anySurname map[string]bool
}

func newNameBook(d *dict.Dict) *nameBook {
	sc := scanDict(d)
	b := &nameBook{kana: map[string]bool{}, given: map[string]bool{}, romaji: map[string]bool{}, all: map[string]bool{},
		words: sc.hiragana, surnames: map[string]bool{}, anySurname: sc.surnameKanji}
	for _, e := range sc.names {
		n := utf8.RuneCountInString(e.reading)
		if n < 2 || n > 6 {
			continue
		}
		b.all[e.reading] = true
		if !sc.katakana[e.reading] {
			b.kana[e.reading] = true
		}
		if e.given && !sc.hiragana[e.reading] {
			b.given[e.reading] = true
		}
		if r := foldVowels(romaji(e.reading)); len(r) >= 4 && !notRomajiNames[r] {
			b.romaji[r] = true
		}
	}
	for w := range sc.surnameKanji {
		if n := utf8.RuneCountInString(w); n >= 2 && n <= 4 && !sc.otherKanji[w] {
			b.surnames[w] = true
		}
	}
	return b
}

// dictScan is what newNameBook reads off the dictionary.
type dictScan struct {
	names []nameEntry
	// Kana words a name reading may collide with: katakana surfaces
	// (loanwords: ケース), and hiragana surfaces and common nouns' readings
	// (ひかり for 光), which is how such words are written in kana.
	katakana, hiragana map[string]bool
	// Kanji surnames, and the kanji words that are something else too
	// (大和: a place; 中田: both).
	surnameKanji, otherKanji map[string]bool
}

type nameEntry struct {
	reading string
	given   bool
}

func scanDict(d *dict.Dict) dictScan {
	sc := dictScan{katakana: map[string]bool{}, hiragana: map[string]bool{}, surnameKanji: map[string]bool{}, otherKanji: map[string]bool{}}
	for i := range d.Morphs {
		c := d.Contents[i]
		if len(c) < 4 {
			continue
		}
		var p []string
		for _, id := range d.POSTable.POSs[i] {
			p = append(p, d.POSTable.NameList[id])
		}
		surface, reading := c[2], c[3]
		proper := len(p) > 1 && p[1] == "固有名詞"
		switch {
		case proper && len(p) > 3 && p[2] == "人名":
			sc.names = append(sc.names, nameEntry{formFold(reading), p[3] == "名"})
			if p[3] == "姓" && !isKana(surface) {
				sc.surnameKanji[surface] = true
			}
		case isKatakana(surface):
			if !proper { // タナカ the company is a name too
				sc.katakana[formFold(surface)] = true
			}
		case isKana(surface):
			sc.hiragana[surface] = true
		default:
			sc.otherKanji[surface] = true
			if p[0] == "名詞" && !proper && isKana(reading) {
				sc.hiragana[formFold(reading)] = true
			}
		}
	}
	return sc
}

func isKatakana(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Katakana, r) && r != 'ー' })
}

func isKana(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.In(r, unicode.Hiragana, unicode.Katakana) && r != 'ー' {
			return false
		}
	}
	return true
}

// notRomajiNames are readings of names that, written in Latin letters, are
// far more often a place, a company or an English word.
var notRomajiNames = setOf("tokyo", "osaka", "kyoto", "nagoya", "kobe", "yokohama", "sapporo", "fukuoka", "sendai", "chiba",
	"saitama", "nara", "hiroshima", "okinawa", "kawasaki", "toyota", "honda", "suzuki", "yamaha", "mazda", "nissan",
	"hitachi", "toshiba", "canon", "nikon", "sony", "ricoh", "kubota", "shimano", "kirin", "asahi", "sapporo", "mitsubishi",
	"sumitomo", "mitsui", "matsuda", "tama", "kanto", "kansai", "hokkaido", "kyushu", "shikoku", "tohoku", "kanji", "kana",
	"sake", "sushi", "ramen", "tofu", "miso", "sumo", "judo", "karate", "kaizen", "kanban", "manga", "anime", "emoji",
	"tsunami", "sensei", "senpai", "karaoke", "bento", "origami", "zen", "haiku", "wasabi", "matcha", "umami", "kimono",
	"more", "make", "made", "take", "same", "name", "came", "game", "home", "note", "hope", "rose", "case", "base", "sure",
	"mine", "dome", "tone", "zone", "done", "none", "gone", "nine", "line", "fine", "wine", "time", "mime", "kite", "site",
	"bite", "rate", "date", "gate", "late", "mate", "hate", "fate", "sane", "cane", "lane", "pane", "mane", "wane", "tame",
	"fame", "dame", "lame", "bike", "like", "hike", "mike", "pike", "sake", "wake", "bake", "cake", "fake", "lake", "rake",
	"tide", "ride", "side", "wide", "hide", "bide", "aide", "road", "toad", "load", "mode", "node", "code", "rode", "robe",
	"tube", "cube", "dune", "tune", "june", "rune", "mute", "cute", "lute", "jute", "ruse", "fuse", "muse", "amuse",
	"china", "india", "nepal", "kenya", "area", "idea", "data", "mania", "sierra", "mission", "kara", "karma", "mama", "papa", "nana", "sora", "hana")

// kanaNames finds names written in kana or romaji (see nameBook).
func (r *Redactor) kanaNames(raw string) []span {
	var out []span
	for _, find := range []func(string) []span{r.katakanaNames, r.kanjiSurnames, r.katakanaFullNames, nicknames,
		r.hiraganaNames, r.latinInJapaneseNames, r.romajiNames} {
		out = append(out, find(raw)...)
	}
	return out
}

// katakanaNames are katakana words the dictionary reads as names, and
// ・-joined full names one part of which is (キム・ミンジュン: foreign given
// names are rarely in the dictionary).
func (r *Redactor) katakanaNames(raw string) []span {
	var out []span
	for _, m := range katakanaWord.FindAllStringIndex(raw, -1) {
		if katakanaAt(raw, m[0]-1, true) || katakanaAt(raw, m[1], false) || !nameContext(raw, m[0], m[1]) || workWords[raw[m[0]:m[1]]] {
			continue
		}
		if slices.ContainsFunc(strings.Split(raw[m[0]:m[1]], "・"), func(p string) bool { return r.book.kana[formFold(p)] }) {
			out = append(out, span{m[0], m[1], Person})
		}
	}
	return out
}

// kanjiSurnames are kanji surnames alone that kagome read otherwise
// (今週は岡部が入る).
func (r *Redactor) kanjiSurnames(raw string) []span {
	var out []span
	for _, m := range kanjiRun.FindAllStringSubmatchIndex(raw, -1) {
		if r.book.surnames[raw[m[2]:m[3]]] {
			out = append(out, span{m[2], m[3], Person})
		}
	}
	return out
}

// katakanaFullNames are full names joined with ・ no part of which is a
// word: ソムチャイ・ウォンサワット, ファム・ヴァン・ドゥック.
func (r *Redactor) katakanaFullNames(raw string) []span {
	var out []span
	for _, m := range katakanaFullName.FindAllStringIndex(raw, -1) {
		if katakanaAt(raw, m[0]-1, true) || katakanaAt(raw, m[1], false) {
			continue
		}
		if !slices.ContainsFunc(strings.Split(raw[m[0]:m[1]], "・"), func(p string) bool { return r.readAs(p) == readWord }) {
			out = append(out, span{m[0], m[1], Person})
		}
	}
	return out
}

// nicknames are shaped like ゆっきー, かっちー, マッチー.
func nicknames(raw string) []span {
	var out []span
	for _, m := range nickname.FindAllStringSubmatchIndex(raw, -1) {
		if startsRun(raw, m[2]) {
			out = append(out, span{m[2], m[3], Person})
		}
	}
	return out
}

// hiraganaNames are given names in hiragana before a particle: けんたが,
// ゆいと, みさきの. Only a run that starts the text or follows punctuation
// or a space: after kanji, kana is okurigana or a particle (問題はない).
func (r *Redactor) hiraganaNames(raw string) []span {
	var out []span
	for _, m := range hiraganaRun.FindAllStringIndex(raw, -1) {
		run := raw[m[0]:m[1]]
		if !startsRun(raw, m[0]) || honorificAt(run) > 0 { // [人物1]さんが: the honorific of a name before it
			continue
		}
		rs := []rune(run)
		for n := min(4, len(rs)-1); n >= 2; n-- {
			name, rest := string(rs[:n]), string(rs[n:])
			i := slices.IndexFunc(particles, func(p string) bool { return strings.HasPrefix(rest, p) })
			if i >= 0 && r.book.given[name] && !r.book.words[name+particles[i]] {
				out = append(out, span{m[0], m[0] + len(name), Person})
				break
			}
		}
	}
	return out
}

// latinInJapaneseNames are lower-case names in Japanese text, before a
// particle or an honorific: takuが, hiroさん.
func (r *Redactor) latinInJapaneseNames(raw string) []span {
	var out []span
	for _, m := range latinInJapanese.FindAllStringSubmatchIndex(raw, -1) {
		w := raw[m[2]:m[3]]
		if honorificAt(raw[m[3]:]) > 0 || givenNames[strings.ToUpper(w[:1])+w[1:]] || r.book.romaji[foldVowels(w)] {
			out = append(out, span{m[2], m[3], Person})
		}
	}
	return out
}

// romajiNames are Japanese names in Latin letters: Haruki, Tanaka, and two
// together (Yamada Taro).
func (r *Redactor) romajiNames(raw string) []span {
	var out []span
	for _, m := range capitalWords.FindAllStringIndex(raw, -1) {
		if prev, _ := utf8.DecodeLastRuneInString(raw[:m[0]]); prev == '-' || m[1] < len(raw) && raw[m[1]] == '-' {
			continue // part of a hyphenated word: Anne-Marie is englishNames'
		}
		a, b := r.romajiRun(raw, m[0], m[1])
		// One word that is also a Western name (Sarah, Kim) is left to
		// englishNames, which joins it with the surname after it.
		if a < 0 || imperative(raw, a, b) || givenNames[raw[a:b]] || surnames[raw[a:b]] || plainWord(raw, a, b) {
			continue
		}
		out = append(out, span{a, b, Person})
	}
	return out
}

// plainWord reports whether the one word at raw[a:b] is a word before it
// is a romaji name: one never taken for a name (Some, One), or an English
// word opening a sentence without a person's verb after it ("Some useful
// bits", not "Ken said").
func plainWord(raw string, a, b int) bool {
	w := raw[a:b]
	if strings.ContainsRune(w, ' ') {
		return false
	}
	return neverName[w] || englishWords[strings.ToLower(w)] && sentenceStart(raw, a) && !sayingAfter.MatchString(raw[b:])
}

// romajiRun returns the first run of romaji names among the words of
// raw[from:to], or -1.
func (r *Redactor) romajiRun(raw string, from, to int) (a, b int) {
	a, b = -1, -1
	off := from
	for _, w := range strings.Fields(raw[from:to]) {
		i := strings.Index(raw[off:], w) + off
		if r.book.romaji[foldVowels(strings.ToLower(w))] {
			if a < 0 {
				a = i
			}
			b = i + len(w)
		} else if a >= 0 {
			break
		}
		off = i + len(w)
	}
	return a, b
}

// nameContext reports whether raw[a:b] stands where a name can: not
// glued to kanji before it (初マネ), and followed by the end, punctuation, a
// particle or an honorific rather than the rest of a verb or adjective
// (リスケして, キツく, ホンマ死ぬほど).
func nameContext(raw string, a, b int) bool {
	if prev, _ := utf8.DecodeLastRuneInString(raw[:a]); a > 0 && unicode.Is(unicode.Han, prev) {
		return false
	}
	rest := raw[b:]
	next, _ := utf8.DecodeRuneInString(rest)
	switch {
	case rest == "" || unicode.IsSpace(next) || unicode.IsPunct(next) || unicode.IsSymbol(next):
		return true
	case honorificAt(rest) > 0:
		return true
	}
	return slices.ContainsFunc(particles, func(p string) bool { return strings.HasPrefix(rest, p) }) ||
		strings.HasPrefix(rest, "たち") || strings.HasPrefix(rest, "達") || strings.HasPrefix(rest, "で") || strings.HasPrefix(rest, "だ")
}

var (
	katakanaWord = regexp.MustCompile(`[\p{Katakana}ー]{2,}(?:・[\p{Katakana}ー]{2,})*`)
	hiraganaRun  = regexp.MustCompile(`\p{Hiragana}{3,}`)
	kanjiRun     = regexp.MustCompile(`(?:^|[^\p{Han}々])([\p{Han}々]{2,4})(?:が|は|と|に|の|も|を|へ|や|から|で|、|。|（|\(|\s|$)`)
	// A one-letter part is a Korean surname: イ・ソヨン, オ・ジヘ.
	katakanaFullName = regexp.MustCompile(`(?:[\p{Katakana}ー]{2,}|[イオユソハコホノペウ])(?:・[\p{Katakana}ー]{2,})+`)
	nickname         = regexp.MustCompile(`([ぁ-ゖ]{1,2}っ[ぁ-ゖ]ー|[ァ-ヺ]{1,2}ッ[ァ-ヺ]ー)(?:が|は|と|に|の|も|を|って|さん|ちゃん|くん|、|。|\s|$)`)
	capitalWords     = regexp.MustCompile(`\b\p{Lu}\p{Ll}{2,}(?:\s\p{Lu}\p{Ll}{2,})?\b`)
	// particles (and honorifics) a hiragana name runs into, longest first.
	// (Not って: まよって is a verb far more often than a name.)
	particles = []string{"ちゃん", "さん", "くん", "から", "です", "より", "まで", "が", "は", "と", "に", "の", "も", "を", "へ", "や"}
)
