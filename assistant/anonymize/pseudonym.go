package anonymize

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
)

// Member is the member a history is about: their own name becomes 本人
// ([MEMBER] in English), so the coach knows whom a note is about without
// learning the name.
const Member Kind = "member"

// Keyer digests names with the installation's secret. A digest stands for
// a name in the database (one placeholder per person, the member's own
// name forms) without holding it; without the secret it cannot be checked
// against a guess.
type Keyer struct{ key []byte }

// NewKeyer returns a Keyer for a secret of at least 16 bytes.
func NewKeyer(secret []byte) (*Keyer, error) {
	if len(secret) < 16 {
		return nil, errors.New("pseudonym secret: want at least 16 bytes")
	}
	return &Keyer{key: slices.Clone(secret)}, nil
}

// sum digests parts within scope (a member's id): the same name in two
// members' histories has two unrelated digests.
func (k *Keyer) sum(scope string, parts ...string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(scope))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Derive returns a 32-byte secret for one purpose (scope) and object
// (parts), such as a member link's token: the server can make it again
// from the id alone, and nobody without the key can.
func (k *Keyer) Derive(scope string, parts ...string) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("derive:" + scope))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// Pseudonym is one person (or address, phone...) of a member's history: the
// digest of its normalized value and its placeholder number.
type Pseudonym struct {
	Kind   Kind
	Digest string
	N      int
}

// NameForm is the digest of one way the member's name is written. Runes is
// its length in runes for a written form, found in any text by digesting
// every substring of that length; 0 marks the digest of a name key
// (its reading), compared with the names the detectors find.
type NameForm struct {
	Digest string
	Runes  int
}

// ErrNameForm reports a member name form that cannot be matched safely.
var ErrNameForm = errors.New("a name form needs 2 to 30 characters, or one kanji (凛)")

// MemberNames digests the forms of the member's name a manager typed
// (田中 / たなか / Tanaka) for storage. The forms themselves are not kept.
func (r *Redactor) MemberNames(k *Keyer, scope string, forms []string) ([]NameForm, error) {
	var out []NameForm
	add := func(f NameForm) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, f := range forms {
		f = strings.TrimSpace(f)
		n := utf8.RuneCountInString(f)
		if n > 30 || n == 0 || n == 1 && !unicode.Is(unicode.Han, []rune(f)[0]) {
			return nil, ErrNameForm
		}
		add(NameForm{Digest: k.sum(scope, "form", formFold(f)), Runes: n})
		keys, _ := r.nameKeys(f)
		for _, key := range keys {
			add(NameForm{Digest: k.sum(scope, "key", key)})
		}
	}
	return out, nil
}

// NewMemberSession starts a session for texts about one member (scope is
// the member's id): people keep the placeholder numbers they had in the
// member's earlier texts (known), and the member's own name forms become
// 本人. Added returns what the session numbered anew, to be stored.
func NewMemberSession(lang string, k *Keyer, scope string, known []Pseudonym, member []NameForm) *Session {
	s := NewSession(lang)
	s.keyer, s.scope = k, scope
	s.known = map[string]int{}
	for _, p := range known {
		s.known[string(p.Kind)+p.Digest] = p.N
		s.count[p.Kind] = max(s.count[p.Kind], p.N)
	}
	s.forms = map[int]map[string]bool{}
	for _, f := range member {
		if s.forms[f.Runes] == nil {
			s.forms[f.Runes] = map[string]bool{}
		}
		s.forms[f.Runes][f.Digest] = true
	}
	for n := range s.forms {
		s.formLens = append(s.formLens, n)
	}
	// Longest first: Jennifer, not Jen, where both are forms.
	slices.SortFunc(s.formLens, func(a, b int) int { return b - a })
	return s
}

// Added returns the pseudonyms this session numbered that its history did
// not know yet.
func (s *Session) Added() []Pseudonym { return s.added }

// number returns the placeholder number of a value of kind k, given the
// keys it may be known by (most likely first) and, for a name of several
// words, its parts: "Siobhan" after "Siobhan O'Brien" (or before it) is the
// same person unless two names of the session share that part.
func (s *Session) number(k Kind, keys, parts []string) int {
	if n := s.lookup(k, keys); n > 0 {
		return n
	}
	if k == Person {
		n := s.parts[keys[0]]
		if len(parts) > 0 {
			n = 0
			for _, p := range parts {
				if m := s.single[p]; m > 0 && n == 0 {
					n = m
				} else if m > 0 && m != n {
					n = -1
				}
			}
		}
		if n > 0 {
			s.remember(k, keys[0], n)
			s.noteParts(keys[0], parts, n)
			return n
		}
	}
	n := s.allocate(k, keys[0])
	if k == Person {
		s.noteParts(keys[0], parts, n)
	}
	return n
}

// lookup returns the number a value already has, or 0.
func (s *Session) lookup(k Kind, keys []string) int {
	for _, key := range keys {
		if s.keyer == nil {
			if n := s.seen[k][key]; n > 0 {
				return n
			}
		} else if n := s.known[string(k)+s.keyer.sum(s.scope, string(k), key)]; n > 0 {
			return n
		}
	}
	return 0
}

// remember gives a value a number for the rest of this session only.
func (s *Session) remember(k Kind, key string, n int) {
	if s.keyer != nil {
		s.known[string(k)+s.keyer.sum(s.scope, string(k), key)] = n
		return
	}
	if s.seen[k] == nil {
		s.seen[k] = map[string]int{}
	}
	s.seen[k][key] = n
}

// allocate numbers a new value; in a member's history it is stored
// (Added).
func (s *Session) allocate(k Kind, key string) int {
	if s.keyer == nil {
		return s.local(k, key)
	}
	s.count[k]++
	n := s.count[k]
	d := s.keyer.sum(s.scope, string(k), key)
	s.known[string(k)+d] = n
	s.added = append(s.added, Pseudonym{Kind: k, Digest: d, N: n})
	return n
}

// noteParts records a name's parts (or the name as a single word) for the
// names of this session that follow.
func (s *Session) noteParts(key string, parts []string, n int) {
	if s.parts == nil {
		s.parts, s.single = map[string]int{}, map[string]int{}
	}
	if len(parts) == 0 {
		s.single[key] = n
		return
	}
	for _, p := range parts {
		switch m := s.parts[p]; {
		case m == 0:
			s.parts[p] = n
		case m != n:
			s.parts[p] = -1 // two people share this part: it tells them apart no more
		}
	}
}

// isMember reports whether a found name is one of the member's own.
func (s *Session) isMember(keys []string) bool {
	if s.keyer == nil || len(s.forms[0]) == 0 {
		return false
	}
	return slices.ContainsFunc(keys, func(key string) bool { return s.forms[0][s.keyer.sum(s.scope, "key", key)] })
}

// memberSpans finds the member's name forms in raw, with an honorific or
// title after them (田中さん, 田中課長 are the member too).
func (s *Session) memberSpans(raw string) []span {
	if s == nil || s.keyer == nil || len(s.forms) == 0 {
		return nil
	}
	var rs []rune
	var at []int // byte offset of each rune, and one past the end
	for i, r := range raw {
		rs = append(rs, r)
		at = append(at, i)
	}
	at = append(at, len(raw))
	folded := []rune(formFold(string(rs)))
	if len(folded) != len(rs) {
		return nil // formFold maps rune for rune; a mismatch would misplace spans
	}
	var out []span
	for i := 0; i < len(folded); i++ {
		for _, n := range s.formLens {
			set := s.forms[n]
			if n == 0 || i+n > len(folded) || !set[s.keyer.sum(s.scope, "form", string(folded[i:i+n]))] {
				continue
			}
			if !formBoundary(rs, i, i+n) || n == 1 && !oneKanjiName(raw[at[i+1]:]) {
				continue
			}
			// A Latin form written in lower case is the member (marcus
			// 1on1), unless it is also an ordinary word (kit, grace): then
			// only where a person fits ("with kit", "kit said").
			if lower := string(rs[i : i+n]); isLowerLatin(lower) && (ambiguous[strings.ToUpper(lower[:1])+lower[1:]] && !lowerNameContext(raw, at[i], at[i+n]) ||
				englishWords[lower] && verbUse(raw, at[i], at[i+n])) {
				continue
			}
			out = append(out, span{at[i], at[i+n], Member})
			i += n - 1
			break
		}
	}
	return out
}

// knownNames finds, in a member's history, capitalized Latin words and
// katakana words that are the name of someone the history already knows
// (Tanaka, after 田中さん was masked): the detectors alone miss many bare
// names.
func (r *Redactor) knownNames(raw string, s *Session) []span {
	if s == nil || s.keyer == nil || len(s.known) == 0 {
		return nil
	}
	var out []span
	for _, m := range nameLike.FindAllStringIndex(raw, -1) {
		keys, _ := r.nameKeys(raw[m[0]:m[1]])
		if slices.ContainsFunc(keys, func(key string) bool { return s.known[string(Person)+s.keyer.sum(s.scope, string(Person), key)] > 0 }) {
			out = append(out, span{m[0], m[1], Person})
		}
	}
	return out
}

var nameLike = regexp.MustCompile(`\b\p{Lu}[\p{Ll}'’-]+\b|\p{Katakana}[\p{Katakana}ー]+`)

func isLowerLatin(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsLower(r) })
}

// oneKanjiName reports whether what follows a one-kanji form makes it a
// name: an honorific or a particle (凛さん, 凛が), not more of a word.
func oneKanjiName(rest string) bool {
	if rest == "" || honorificAt(rest) > 0 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return unicode.IsPunct(r) || unicode.IsSpace(r) || strings.ContainsRune("がはのにをもへや", r)
}

// honorificAt returns the length of the honorific or title s starts with.
func honorificAt(s string) int {
	for _, h := range honorifics {
		if strings.HasPrefix(s, h) {
			return len(h)
		}
	}
	return 0
}

// formBoundary reports whether rs[a:b] stands as a word: a Latin form
// between non-letters, a kanji or katakana form not inside a longer run of
// its script (田中 in 新田中, タナカ in ハタナカ), a hiragana form not right
// after other hiragana (particles may follow it).
func formBoundary(rs []rune, a, b int) bool {
	class := func(r rune) int {
		switch {
		case unicode.Is(unicode.Han, r) || r == '々':
			return 1
		case unicode.Is(unicode.Katakana, r) || r == 'ー':
			return 2
		case unicode.Is(unicode.Hiragana, r):
			return 3
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return 4
		}
		return 0
	}
	first, last := class(rs[a]), class(rs[b-1])
	if a > 0 && first != 0 && class(rs[a-1]) == first {
		return false
	}
	if b < len(rs) && last != 0 && last != 3 && class(rs[b]) == last {
		// A title after a kanji name is still the name: 田中課長.
		rest := string(rs[b:])
		return last == 1 && (slices.ContainsFunc(honorifics, func(h string) bool { return strings.HasPrefix(rest, h) }) ||
			slices.ContainsFunc(nameSuffixes, func(h string) bool { return strings.HasPrefix(rest, h) }))
	}
	return true
}

// nameSuffixes follow a kanji name in one run without being part of it:
// 蓮本人, 田中宛, 佐藤一家.
var nameSuffixes = []string{"本人", "自身", "宛", "一家", "家族", "名義", "案件", "チーム", "班"}

// formFold normalizes a name form rune for rune: full-width ASCII to ASCII,
// lower case, katakana to hiragana (タナカ and たなか are one form).
func formFold(s string) string {
	f, _ := fold(s)
	return strings.Map(func(r rune) rune {
		if r >= 'ァ' && r <= 'ヶ' {
			return r - 'ァ' + 'ぁ'
		}
		return unicode.ToLower(r)
	}, f)
}

// nameKeys are the keys a found name is known by: its reading in romaji
// (田中, たなか, タナカ and Tanaka are all "tanaka"), and for a name of
// two Latin words both orders (Taro Yamada is 山田太郎). Long vowels are
// folded (Satou, Satoh and Sato are one).
func (r *Redactor) nameKeys(name string) (keys, parts []string) {
	if strings.ContainsFunc(name, func(c rune) bool { return c < 0x80 && unicode.IsLetter(c) }) {
		for _, w := range strings.FieldsFunc(strings.ToLower(name), func(c rune) bool { return c == ' ' || c == '-' || c == '.' || c == '・' }) {
			parts = append(parts, foldVowels(strings.Map(func(c rune) rune {
				if unicode.IsLetter(c) {
					return c
				}
				return -1
			}, w)))
		}
	} else {
		// The reading of the whole (kana names split oddly into tokens),
		// and as parts the readings of a surname and a given name.
		var b strings.Builder
		var names []string
		for _, t := range r.tok.Analyze(name, tokenizer.Normal) {
			reading, ok := t.Reading()
			if !ok || reading == "*" {
				reading = t.Surface
			}
			b.WriteString(romaji(reading))
			if pos := t.POS(); len(pos) > 2 && pos[2] == "人名" {
				names = append(names, foldVowels(romaji(reading)))
			}
		}
		whole := foldVowels(b.String())
		if whole == "" {
			return []string{strings.ToLower(name)}, nil
		}
		if len(names) == 2 && names[0]+names[1] == whole {
			return []string{whole, names[1] + names[0]}, names
		}
		return []string{whole}, nil
	}
	parts = slices.DeleteFunc(parts, func(p string) bool { return p == "" })
	if len(parts) == 0 {
		return []string{strings.ToLower(name)}, nil
	}
	keys = []string{strings.Join(parts, "")}
	if len(parts) == 2 {
		keys = append(keys, parts[1]+parts[0])
	}
	if len(parts) == 1 {
		parts = nil
	}
	return keys, parts
}

// foldVowels writes long vowels short, as names are usually romanized:
// satou, satoh -> sato; yuuki -> yuki.
func foldVowels(s string) string {
	s = strings.NewReplacer("ou", "o", "oo", "o", "uu", "u", "aa", "a", "ii", "i", "ee", "e").Replace(s)
	return strings.TrimSuffix(s, "h")
}

// romaji spells kana in Hepburn romaji; other characters pass through.
func romaji(kana string) string {
	rs := []rune(formFold(kana))
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		if i+1 < len(rs) {
			if s, ok := kanaPairs[string(rs[i:i+2])]; ok {
				b.WriteString(s)
				i++
				continue
			}
		}
		switch r := rs[i]; {
		case r == 'っ' && i+1 < len(rs):
			if next := romaji(string(rs[i+1])); next != "" {
				b.WriteByte(next[0])
			}
		case r == 'ー':
			// a long vowel: folded away
		default:
			if s, ok := kana1[r]; ok {
				b.WriteString(s)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

var kana1 = func() map[rune]string {
	m := map[rune]string{}
	rows := []struct {
		kana string
		sp   []string
	}{
		{"あいうえお", []string{"a", "i", "u", "e", "o"}},
		{"かきくけこ", []string{"ka", "ki", "ku", "ke", "ko"}},
		{"がぎぐげご", []string{"ga", "gi", "gu", "ge", "go"}},
		{"さしすせそ", []string{"sa", "shi", "su", "se", "so"}},
		{"ざじずぜぞ", []string{"za", "ji", "zu", "ze", "zo"}},
		{"たちつてと", []string{"ta", "chi", "tsu", "te", "to"}},
		{"だぢづでど", []string{"da", "ji", "zu", "de", "do"}},
		{"なにぬねの", []string{"na", "ni", "nu", "ne", "no"}},
		{"はひふへほ", []string{"ha", "hi", "fu", "he", "ho"}},
		{"ばびぶべぼ", []string{"ba", "bi", "bu", "be", "bo"}},
		{"ぱぴぷぺぽ", []string{"pa", "pi", "pu", "pe", "po"}},
		{"まみむめも", []string{"ma", "mi", "mu", "me", "mo"}},
		{"やゆよ", []string{"ya", "yu", "yo"}},
		{"らりるれろ", []string{"ra", "ri", "ru", "re", "ro"}},
		{"わをん", []string{"wa", "o", "n"}},
		{"ぁぃぅぇぉゃゅょゎゔ", []string{"a", "i", "u", "e", "o", "ya", "yu", "yo", "wa", "vu"}},
	}
	for _, row := range rows {
		for i, r := range []rune(row.kana) {
			m[r] = row.sp[i]
		}
	}
	return m
}()

// kanaPairs are the contracted sounds: しゃ sha, きょ kyo.
var kanaPairs = func() map[string]string {
	m := map[string]string{}
	for _, c := range []struct{ kana, stem string }{
		{"き", "ky"}, {"ぎ", "gy"}, {"し", "sh"}, {"じ", "j"}, {"ち", "ch"}, {"ぢ", "j"}, {"に", "ny"},
		{"ひ", "hy"}, {"び", "by"}, {"ぴ", "py"}, {"み", "my"}, {"り", "ry"},
	} {
		m[c.kana+"ゃ"], m[c.kana+"ゅ"], m[c.kana+"ょ"] = c.stem+"a", c.stem+"u", c.stem+"o"
	}
	return m
}()
