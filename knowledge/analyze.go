package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/unicode/norm"
)

// Analyzer turns text into the terms lexical retrieval matches on. It
// segments Japanese with kagome and its IPA dictionary (PostgreSQL's own text
// search cannot: it would treat a Japanese sentence as one word) and English
// by words, and the same analysis serves documents and queries.
//
// Loading the dictionary takes a moment and some memory: make one Analyzer
// per process and share it; it is safe for concurrent use.
type Analyzer struct {
	tok *tokenizer.Tokenizer
}

// NewAnalyzer loads the IPA dictionary.
func NewAnalyzer() (*Analyzer, error) {
	t, err := tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
	if err != nil {
		return nil, err
	}
	return &Analyzer{tok: t}, nil
}

// Normalize folds width and compatibility forms (NFKC: ｶﾀｶﾅ -> カタカナ,
// ＡＢＣ -> ABC, ① -> 1) and case, so that equivalent spellings match.
func Normalize(s string) string {
	return strings.ToLower(norm.NFKC.String(s))
}

// Terms returns the terms of text in order, with repeats (term frequency
// matters to BM25).
func (a *Analyzer) Terms(text string) []string {
	text = Normalize(text)
	var out []string
	// Split into runs of Japanese script and of everything else: kagome
	// would cut "1on1" or "e-mail" into pieces.
	start, inJa := 0, false
	flush := func(end int) {
		if end <= start {
			return
		}
		if inJa {
			out = a.japanese(text[start:end], out)
		} else {
			out = english(text[start:end], out)
		}
	}
	for i, r := range text {
		ja := isJapanese(r)
		if ja != inJa {
			flush(i)
			start, inJa = i, ja
		}
	}
	flush(len(text))
	return out
}

func isJapanese(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || r == 'ー' || r == '々' || r == '〆'
}

// japanese keeps content words: nouns (not pronouns, suffixes or
// dependent nouns), verbs, adjectives and adverbs, in their base form, and
// drops particles, auxiliaries and the commonest light verbs. Search mode
// also splits long compounds (心理的安全性 -> 心理, 的, 安全, 性), so a query
// for 安全性 finds them.
func (a *Analyzer) japanese(s string, out []string) []string {
	for _, t := range a.tok.Analyze(s, tokenizer.Search) {
		pos := t.POS()
		if len(pos) == 0 {
			continue
		}
		sub := ""
		if len(pos) > 1 {
			sub = pos[1]
		}
		term := t.Surface
		switch pos[0] {
		case "名詞":
			switch sub {
			case "代名詞", "非自立", "接尾", "数", "特殊":
				continue
			}
		case "動詞", "形容詞":
			if sub == "非自立" || sub == "接尾" {
				continue
			}
			if base, ok := t.BaseForm(); ok && base != "*" {
				term = base
			}
		case "副詞", "形容動詞語幹":
		default:
			// 助詞, 助動詞, 記号, 接続詞, 連体詞, 感動詞, 接頭詞, フィラー ...
			if t.Class != tokenizer.UNKNOWN {
				continue
			}
		}
		if v, ok := jaVariants[term]; ok {
			term = v
		}
		if jaStop[term] || utf8.RuneCountInString(term) == 1 && !unicode.Is(unicode.Han, []rune(term)[0]) {
			continue
		}
		out = append(out, term)
	}
	return out
}

// english splits s into words, drops stop words and applies a light,
// conservative stemming (plural and -ing/-ed endings), enough for "members"
// to meet "member" and "listening" to meet "listen".
func english(s string, out []string) []string {
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !word(r) && r != '\'' && r != '-' }) {
		w = strings.Trim(w, "'-")
		w = strings.TrimSuffix(w, "'s")
		if w == "" || enStop[w] || strings.ContainsAny(w, "'") && enStop[strings.ReplaceAll(w, "'", "")] {
			continue
		}
		// Hyphenated words count as their parts too: "follow-up" finds "follow up".
		if strings.Contains(w, "-") {
			for _, p := range strings.Split(w, "-") {
				if p != "" && !enStop[p] {
					out = append(out, stem(p))
				}
			}
			continue
		}
		if utf8.RuneCountInString(w) < 2 {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem strips the endings of plurals and verb forms, then folds what they
// leave: a final silent e and a final y after a consonant (praise, praised,
// praising -> prais; try, tries, tried -> tri), so that every form of a
// word meets the others. Irregular verbs are looked up first (forgot ->
// forget).
func stem(w string) string {
	if base, ok := enIrregular[w]; ok {
		w = base
	}
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "sses"):
		w = w[:n-2]
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = undouble(w[:n-3])
	case n > 4 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed"):
		w = undouble(w[:n-2])
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case n > 3 && w[n-1] == 'e' && w[n-2] != 'e':
		return w[:n-1]
	case n > 2 && w[n-1] == 'y' && !strings.ContainsRune("aeiouy", rune(w[n-2])):
		return w[:n-1] + "i"
	}
	return w
}

// enIrregular maps the irregular forms of verbs managers use to their base.
var enIrregular = map[string]string{
	"forgot": "forget", "forgotten": "forget", "told": "tell", "said": "say", "says": "say", "thought": "think",
	"felt": "feel", "took": "take", "taken": "take", "gave": "give", "given": "give", "kept": "keep",
	"left": "leave", "brought": "bring", "made": "make", "went": "go", "gone": "go", "knew": "know",
	"known": "know", "saw": "see", "seen": "see", "spoke": "speak", "spoken": "speak", "wrote": "write",
	"written": "write", "began": "begin", "begun": "begin", "ran": "run", "met": "meet", "sent": "send",
	"spent": "spend", "built": "build", "lost": "lose", "held": "hold", "heard": "hear",
	"understood": "understand", "chose": "choose", "chosen": "choose", "fell": "fall", "fallen": "fall",
	"grew": "grow", "grown": "grow", "led": "lead", "paid": "pay", "sat": "sit", "stood": "stand",
	"taught": "teach", "caught": "catch", "bought": "buy", "fought": "fight", "broke": "break",
	"broken": "break", "drove": "drive", "driven": "drive", "hid": "hide", "hidden": "hide",
	"shook": "shake", "wore": "wear", "worn": "wear", "sought": "seek", "meant": "mean", "dealt": "deal",
	"found": "find", "withdrew": "withdraw", "withdrawn": "withdraw",
	"overtook": "overtake", "mistook": "mistake", "undertook": "undertake", "burnt": "burn",
}

// undouble turns "stopp" (from stopping) into "stop".
func undouble(w string) string {
	n := len(w)
	if n > 2 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) && !strings.ContainsRune("aeiou", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

// jaVariants fold kanji variants of one verb into one term: a manager who
// writes 聴く should find guidance that writes 聞く.
var jaVariants = map[string]string{"聴く": "聞く", "訊く": "聞く", "聴ける": "聞ける", "観る": "見る", "診る": "見る"}

var jaStop = setOf(
	"する", "いる", "ある", "なる", "ない", "いい", "よい", "れる", "られる", "せる", "させる", "できる", "くる", "いく", "おる",
	"こと", "もの", "ため", "よう", "とき", "ところ", "それ", "これ", "あれ", "どれ", "ここ", "そこ",
	"さん", "方", "等", "場合", "上", "中", "的", "性", "化", "者", "際", "今", "又", "お", "ご",
)

var enStop = setOf(
	"a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does",
	"for", "from", "had", "has", "have", "he", "her", "him", "his", "how", "i", "if", "in", "into", "is",
	"it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "she", "so", "than", "that",
	"the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "up", "us",
	"very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will", "with",
	"would", "you", "your", "yours", "am", "about", "should", "shall", "may", "might", "must", "also",
	"dont", "im", "ive", "youre", "theyre", "isnt", "doesnt", "didnt", "cant", "wont", "any", "some",
	"all", "more", "most", "other", "such", "only", "own", "same", "each", "both", "get", "got",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
