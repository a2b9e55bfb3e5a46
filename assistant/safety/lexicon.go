package safety

import (
	"cmp"
	"embed"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
)

// The lexicon is data: one YAML file per language, a list of rules. A rule
// names its matter, the patterns that raise it, the patterns that cancel it
// in the same sentence (unless), and examples that must and must not match
// (the tests check both).
//
// A pattern is a sequence of elements separated by spaces; an element is
// alternatives separated by "|"; each alternative is a word or phrase. In
// Japanese an alternative is tokenized with kagome and matched on lemma
// readings, so 消える matches 消え, きえ, 消えちゃ...; in English it is
// a word, and a trailing * matches any ending (hurt* matches hurting).
// Consecutive elements may have up to gap tokens between them (default
// 4), within one sentence unless the rule sets cross. A pattern starting
// with "re:" is a regular expression on the text, folded to NFKC lower
// case.
//
//go:embed lexicon/*.yaml
var lexiconFS embed.FS

type ruleSpec struct {
	Matter    string `yaml:"matter"`
	Name      string `yaml:"name"`
	Immediate bool   `yaml:"immediate"`
	Gap       int    `yaml:"gap"`
	Cross     bool   `yaml:"cross"`
	// Beside marks a matter a prep plan tells beside its coaching when
	// nothing else is found (customer harassment: Finding.Customer).
	Beside    bool     `yaml:"beside"`
	Match     []string `yaml:"match"`
	Unless    []string `yaml:"unless"`
	Examples  []string `yaml:"examples"`
	Negatives []string `yaml:"negatives"`
}

type rule struct {
	matter    string
	name      string
	immediate bool
	cross     bool
	beside    bool
	patterns  []pattern
	unless    []pattern
	spec      ruleSpec
}

const defaultGap = 4

func loadLexicon(an *analyzer) ([]*rule, error) {
	files, err := lexiconFS.ReadDir("lexicon")
	if err != nil {
		return nil, err
	}
	var rules []*rule
	for _, f := range files {
		lang := strings.TrimSuffix(f.Name(), ".yaml")
		b, err := lexiconFS.ReadFile(path.Join("lexicon", f.Name()))
		if err != nil {
			return nil, err
		}
		var specs []ruleSpec
		if err := yaml.Unmarshal(b, &specs); err != nil {
			return nil, fmt.Errorf("lexicon %s: %w", f.Name(), err)
		}
		for _, s := range specs {
			r, err := an.rule(lang, s)
			if err != nil {
				return nil, fmt.Errorf("lexicon %s, rule %q: %w", f.Name(), s.Name, err)
			}
			rules = append(rules, r)
		}
	}
	return rules, nil
}

func (an *analyzer) rule(lang string, s ruleSpec) (*rule, error) {
	if !slices.Contains(Matters, s.Matter) {
		return nil, fmt.Errorf("unknown matter %q", s.Matter)
	}
	if len(s.Match) == 0 {
		return nil, fmt.Errorf("no patterns")
	}
	gap := cmp.Or(s.Gap, defaultGap)
	r := &rule{matter: s.Matter, name: s.Name, immediate: s.Immediate, cross: s.Cross, beside: s.Beside, spec: s}
	for _, m := range s.Match {
		p, err := an.compileLang(lang, m, gap)
		if err != nil {
			return nil, err
		}
		r.patterns = append(r.patterns, p)
	}
	for _, m := range s.Unless {
		p, err := an.compileLang(lang, m, gap)
		if err != nil {
			return nil, err
		}
		r.unless = append(r.unless, p)
	}
	return r, nil
}

// matches reports whether the rule fires on the document: some pattern
// matches a sentence (or the whole text, for a cross rule) that no unless
// pattern matches.
func (r *rule) matches(d *doc) bool {
	parts := d.sentences
	if r.cross {
		parts = []*part{&d.whole}
	}
	return slices.ContainsFunc(parts, r.matchesIn)
}

// matchesIn reports whether the rule fires on one part of a document.
func (r *rule) matchesIn(p *part) bool {
	return slices.ContainsFunc(r.patterns, p.has) && !slices.ContainsFunc(r.unless, p.has)
}

// inside reports whether rules that fired on d (hits) found more than
// what beside rules tell beside the coaching: a rule not marked beside,
// unless it is a rule of a beside rule's matter that fired only in
// sentences a beside rule also fired in ("passengers screaming at her team" is read by the
// general rules on shouting too; "her lead yells at her" is not the
// customers').
func inside(d *doc, hits []*rule) bool {
	beside, matters := map[*part]bool{}, map[string]bool{}
	for _, r := range hits {
		if r.beside && !r.cross {
			matters[r.matter] = true
			for _, p := range d.sentences {
				if r.matchesIn(p) {
					beside[p] = true
				}
			}
		}
	}
	for _, r := range hits {
		if r.beside {
			continue
		}
		if !matters[r.matter] || r.cross {
			return true
		}
		for _, p := range d.sentences {
			if !beside[p] && r.matchesIn(p) {
				return true
			}
		}
	}
	return false
}

// pattern is a regular expression or a sequence of elements.
type pattern struct {
	re    *regexp.Regexp
	en    bool      // match English words, not Japanese lemmas
	elems [][][]key // element -> alternatives -> token keys
	gap   int
}

// key is a token as matched: its lemma and the lemma's reading in
// hiragana. Tokens match when either is the same, so 消える matches きえる
// and 付き纏う matches つきまとう. Two words written wholly in kanji do not
// match by reading: they are different words that sound alike (肩 and 型,
// so 型をつかむ is not 肩をつかむ; 最後 and 最期), not one word spelled two ways.
type key struct {
	lemma, reading string
}

func (k key) matches(t key) bool {
	if prefix, ok := strings.CutSuffix(k.lemma, "*"); ok {
		return strings.HasPrefix(t.lemma, prefix)
	}
	if k.lemma == t.lemma {
		return true
	}
	// A one-kana reading is a particle's as often as a word's: 手 is not
	// the て of 泣いていた.
	if utf8.RuneCountInString(k.reading) < 2 || (allKanji(k.lemma) && allKanji(t.lemma)) {
		return false
	}
	return k.reading == t.reading || sameVerb(k.reading, t.reading)
}

// allKanji reports whether s is written in kanji alone.
func allKanji(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// iu pairs the i-row kana a verb's noun form ends in with the u-row kana of
// its dictionary form: 脅し (おどし) is the noun of 脅す (おどす).
var iu = map[rune]rune{'し': 'す', 'き': 'く', 'ぎ': 'ぐ', 'ち': 'つ', 'に': 'ぬ', 'び': 'ぶ', 'み': 'む', 'り': 'る', 'い': 'う'}

// sameVerb reports whether two readings are a verb and its noun form
// (待ち伏せ and 待ち伏せる, 脅し and 脅す): kagome gives the noun for a
// pattern written alone and the verb for the same word in a sentence, or
// the other way round. Readings of fewer than three kana are left out:
// too many short words pair by chance.
func sameVerb(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(ra) < 3 {
		return false
	}
	if len(rb) == len(ra)+1 {
		return rb[len(rb)-1] == 'る' && string(rb[:len(ra)]) == string(ra)
	}
	if len(ra) != len(rb) || string(ra[:len(ra)-1]) != string(rb[:len(rb)-1]) {
		return false
	}
	x, y := ra[len(ra)-1], rb[len(rb)-1]
	return iu[x] == y || iu[y] == x
}

// part is a sentence, or the whole text, ready for matching.
type part struct {
	norm string // NFKC lower case
	hira string // norm with katakana as hiragana
	ja   []key  // Japanese tokens
	en   []key  // English words
}

func (p *part) has(pt pattern) bool {
	if pt.re != nil {
		return pt.re.MatchString(p.norm) || (p.hira != p.norm && pt.re.MatchString(p.hira))
	}
	toks := p.ja
	if pt.en {
		toks = p.en
	}
	return matchFrom(toks, pt.elems, 0, 0, pt.gap)
}

// matchFrom reports whether elems[i:] match toks from start: the first
// element anywhere, the next within gap tokens of the previous one's end.
func matchFrom(toks []key, elems [][][]key, i, start, gap int) bool {
	for pos := start; pos < len(toks); pos++ {
		if i > 0 && pos > start+gap {
			return false
		}
		for _, alt := range elems[i] {
			n := matchAt(toks, pos, alt)
			if n == 0 {
				continue
			}
			if i == len(elems)-1 || matchFrom(toks, elems, i+1, pos+n, gap) {
				return true
			}
		}
	}
	return false
}

// matchAt returns how many tokens alt matches at toks[pos:], or 0.
func matchAt(toks []key, pos int, alt []key) int {
	if pos+len(alt) > len(toks) {
		return 0
	}
	for j, k := range alt {
		if !k.matches(toks[pos+j]) {
			return 0
		}
	}
	return len(alt)
}

// doc is a text analyzed once for every rule.
type doc struct {
	sentences []*part
	whole     part
}

// analyzer turns text into lemma readings with kagome.
type analyzer struct {
	tok      *tokenizer.Tokenizer
	mu       sync.Mutex
	readings map[string]string // lemma -> its reading in hiragana
}

func newAnalyzer(t *tokenizer.Tokenizer) *analyzer {
	return &analyzer{tok: t, readings: map[string]string{}}
}

// fold is the normal form every text and pattern is matched in: NFKC
// (full-width letters and half-width kana folded), lower case, and folds.
func fold(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return folds.Replace(s)
}

// folds writes one apostrophe, and hiragana small vowels, which casual
// writing puts in place of full ones (ないです as なぃです), as full ones.
var folds = strings.NewReplacer("’", "'", "‘", "'", "`", "'",
	"ぁ", "あ", "ぃ", "い", "ぅ", "う", "ぇ", "え", "ぉ", "お")

// hiragana writes katakana as hiragana, so readings compare across scripts.
func hiragana(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'ァ' && r <= 'ヶ' {
			return r - 0x60
		}
		return r
	}, s)
}

var sentenceEnd = regexp.MustCompile(`[。．！？!?\n]+|\.(?:\s+|$)|;\s*`)

var englishWord = regexp.MustCompile(`[a-z0-9]+(?:'[a-z]+)?`)

func (an *analyzer) analyze(text string) *doc {
	// What the redactor leaves of personal data says nothing about a
	// matter: a placeholder is read as a neutral mark, not as the words of
	// its label.
	n := fold(workless(anonymize.Placeholder.ReplaceAllString(text, "○")))
	d := &doc{whole: part{norm: n, hira: hiragana(n)}}
	for _, s := range sentenceEnd.Split(n, -1) {
		if strings.TrimSpace(s) == "" {
			continue
		}
		p := &part{norm: s, hira: hiragana(s), ja: an.keys(s), en: words(s)}
		d.sentences = append(d.sentences, p)
		d.whole.ja = append(d.whole.ja, p.ja...)
		d.whole.en = append(d.whole.en, p.en...)
	}
	return d
}

func words(s string) []key {
	ws := englishWord.FindAllString(s, -1)
	out := make([]key, len(ws))
	for i, w := range ws {
		out[i] = key{lemma: w}
	}
	return out
}

// keys are a text's tokens without spaces and punctuation: 消えちゃいたい
// gives the lemmas 消える ちゃ いる たい, read きえる ちゃ いる たい.
func (an *analyzer) keys(s string) []key {
	var out []key
	for _, t := range an.tok.Tokenize(s) {
		if strings.TrimFunc(t.Surface, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) }) == "" {
			continue
		}
		out = append(out, an.key(t))
	}
	return out
}

func (an *analyzer) key(t tokenizer.Token) key {
	base, ok := t.BaseForm()
	if !ok || base == "*" || base == "" {
		base = t.Surface
	}
	// いる is two verbs: 要る (need; godan: いらない) and 居る (be; ichidan:
	// いない). Read alike, "会社 いらない" found every 「会社に連絡できていない」.
	if base == "いる" || base == "要る" {
		if f := t.Features(); len(f) > 4 && strings.HasPrefix(f[4], "五段") {
			return key{lemma: "要る", reading: "要る"}
		}
	}
	if base == t.Surface {
		if r, ok := t.Reading(); ok && r != "*" && r != "" {
			return key{lemma: base, reading: hiragana(r)}
		}
		return key{lemma: base, reading: hiragana(base)}
	}
	return key{lemma: base, reading: an.reading(base)}
}

// reading is a lemma's reading, from tokenizing the lemma alone.
func (an *analyzer) reading(lemma string) string {
	an.mu.Lock()
	r, ok := an.readings[lemma]
	an.mu.Unlock()
	if ok {
		return r
	}
	var b strings.Builder
	for _, t := range an.tok.Tokenize(lemma) {
		if rd, ok := t.Reading(); ok && rd != "*" && rd != "" {
			b.WriteString(rd)
		} else {
			b.WriteString(t.Surface)
		}
	}
	r = hiragana(b.String())
	an.mu.Lock()
	an.readings[lemma] = r
	an.mu.Unlock()
	return r
}

// compile compiles an organization's phrase: English when it has no
// letter outside ASCII, Japanese otherwise.
func (an *analyzer) compile(phrase string, gap int) (pattern, error) {
	phrase = strings.TrimSpace(phrase)
	lang := "en"
	for _, r := range phrase {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			lang = "ja"
			break
		}
	}
	if strings.HasPrefix(phrase, "re:") {
		return pattern{}, errInvalid("a phrase is words, not a regular expression")
	}
	return an.compileLang(lang, phrase, cmp.Or(gap, defaultGap))
}

func (an *analyzer) compileLang(lang, src string, gap int) (pattern, error) {
	if re, ok := strings.CutPrefix(src, "re:"); ok {
		c, err := regexp.Compile(strings.TrimSpace(re))
		if err != nil {
			return pattern{}, err
		}
		return pattern{re: c}, nil
	}
	p := pattern{en: lang == "en", gap: gap}
	for _, el := range strings.Fields(fold(src)) {
		var alts [][]key
		for _, a := range strings.Split(el, "|") {
			if a == "" {
				continue
			}
			var keys []key
			if p.en {
				keys = []key{{lemma: a}}
			} else {
				keys = an.keys(a)
			}
			if len(keys) > 0 {
				alts = append(alts, keys)
			}
		}
		if len(alts) == 0 {
			return pattern{}, errInvalid("empty element in %q", src)
		}
		p.elems = append(p.elems, alts)
	}
	if len(p.elems) == 0 {
		return pattern{}, errInvalid("empty pattern")
	}
	return p, nil
}

// ErrInvalid is a phrase or setting that cannot be used.
var ErrInvalid = fmt.Errorf("invalid argument")

func errInvalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
