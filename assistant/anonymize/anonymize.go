// Package anonymize masks personal data in 1on1 text before it is stored,
// logged, embedded or sent to a model: person names (Japanese with kagome's
// 人名 tags and honorific/title patterns, English with titles and a list of
// given names), email addresses, phone numbers, URLs, postal codes and
// addresses, employee and other id numbers, 12-digit individual numbers
// (マイナンバー), payment card numbers, and an organization's own terms.
//
// Replacements are typed and consistent within a Session: the same person is
// [人物1] throughout. A Report says what kinds were masked and how often,
// never the original values.
package anonymize

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// Kind is a kind of personal data.
type Kind string

const (
	Person     Kind = "person"
	Email      Kind = "email"
	Phone      Kind = "phone"
	URL        Kind = "url"
	Address    Kind = "address"
	PostalCode Kind = "postal_code"
	EmployeeID Kind = "employee_id"
	MyNumber   Kind = "my_number"
	Card       Kind = "card"
	Term       Kind = "term"
)

// labels are the placeholder names, Japanese first.
var labels = map[Kind][2]string{
	Person: {"人物", "PERSON"}, Email: {"メール", "EMAIL"}, Phone: {"電話", "PHONE"}, URL: {"URL", "URL"},
	Address: {"住所", "ADDRESS"}, PostalCode: {"郵便番号", "POSTCODE"}, EmployeeID: {"社員番号", "ID"},
	MyNumber: {"個人番号", "MYNUMBER"}, Card: {"カード", "CARD"}, Term: {"用語", "TERM"},
}

// Text is text that has been through Redact. Code that stores history or
// builds prompts takes a Text, so the compiler refuses raw input there.
// Besides Redact, two ways read one back: Scan, from a column that only
// ever receives a Text (the history's text columns), and UnmarshalJSON,
// for clients of the API reading its answers. Request types therefore
// never hold a Text: what a client sends is a string until the history
// store redacts it.
type Text struct{ s string }

func (t Text) String() string { return t.s }

// Equal says t and u are the same text (for go-cmp and callers alike).
func (t Text) Equal(u Text) bool { return t.s == u.s }

// Empty says there is no text but white space.
func (t Text) Empty() bool { return strings.TrimSpace(t.s) == "" }

// Cut shortens t to at most n runes and an ellipsis; a placeholder the cut
// would split is dropped whole. What was masked stays masked.
func (t Text) Cut(n int) Text {
	if utf8.RuneCountInString(t.s) <= n {
		return t
	}
	s := string([]rune(t.s)[:n])
	if i := strings.LastIndexByte(s, '['); i >= 0 && !strings.Contains(s[i:], "]") {
		s = s[:i]
	}
	return Text{s + "…"}
}

// MarshalJSON writes the masked text as a JSON string.
func (t Text) MarshalJSON() ([]byte, error) { return json.Marshal(t.s) }

// UnmarshalJSON reads a Text from an API answer (see Text).
func (t *Text) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &t.s) }

// Value stores the masked text (database/sql/driver.Valuer).
func (t Text) Value() (driver.Value, error) { return t.s, nil }

// Scan reads a stored Text back (database/sql.Scanner). Use it only on
// columns written with a Text.
func (t *Text) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.s = ""
	case string:
		t.s = v
	case []byte:
		t.s = string(v)
	default:
		return fmt.Errorf("anonymize: cannot scan %T into a Text", src)
	}
	return nil
}

// Report counts what Redact masked, by kind. It holds no original values.
type Report map[Kind]int

// Session keeps replacements consistent across the texts it redacts: the
// same value gets the same placeholder. A session from NewMemberSession
// keeps them across a member's whole history.
type Session struct {
	lang  int // 0: Japanese labels, 1: English
	seen  map[Kind]map[string]int
	count map[Kind]int

	// For a member's history (NewMemberSession).
	keyer    *Keyer
	scope    string
	known    map[string]int          // kind+digest -> number
	forms    map[int]map[string]bool // runes -> digests of the member's name forms (0: name keys)
	formLens []int                   // the lengths in forms, longest first
	added    []Pseudonym

	// Parts of the names numbered in this session (see number).
	parts, single map[string]int
}

// NewSession starts a session; lang "en" gives English placeholder labels.
func NewSession(lang string) *Session {
	s := &Session{seen: map[Kind]map[string]int{}, count: map[Kind]int{}}
	if lang == "en" {
		s.lang = 1
	}
	return s
}

// local numbers a value within this session alone.
func (s *Session) local(k Kind, key string) int {
	m := s.seen[k]
	if m == nil {
		m = map[string]int{}
		s.seen[k] = m
	}
	n, ok := m[key]
	if !ok {
		s.count[k]++
		n = s.count[k]
		m[key] = n
	}
	return n
}

// reserve keeps the numbers of placeholders already in raw (a note masked
// before, edited) from being given to someone else.
func (s *Session) reserve(raw string) {
	for _, m := range Placeholder.FindAllStringSubmatch(raw, -1) {
		n, _ := strconv.Atoi(m[2])
		for k, l := range labels {
			if m[1] == l[0] || m[1] == l[1] {
				s.count[k] = max(s.count[k], n)
			}
		}
	}
}

// Placeholder matches the placeholders Redact writes ([人物1], [EMAIL2],
// [MEMBER]; 本人 is a word and is not matched): submatch 1 is the label, 2
// the number. Other packages read masked text with it (the safety screen
// reads a placeholder as a neutral mark).
var Placeholder = func() *regexp.Regexp {
	names := []string{"MEMBER"}
	for _, l := range labels {
		names = append(names, regexp.QuoteMeta(l[0]), regexp.QuoteMeta(l[1]))
	}
	slices.Sort(names)
	names = slices.Compact(names)
	return regexp.MustCompile(`\[(` + strings.Join(names, "|") + `)(\d*)\]`)
}()

func (s *Session) placeholder(k Kind, n int) string {
	if k == Member {
		return [2]string{"本人", "[MEMBER]"}[s.lang]
	}
	return "[" + labels[k][s.lang] + strconv.Itoa(n) + "]"
}

// Redactor finds personal data. It loads kagome's dictionary once; share
// one per process. It is safe for concurrent use.
type Redactor struct {
	tok    *tokenizer.Tokenizer
	book   *nameBook
	tagger *tagger
}

// New loads the dictionary and the name tagger.
func New() (*Redactor, error) {
	d := ipa.Dict()
	t, err := tokenizer.New(d, tokenizer.OmitBosEos())
	if err != nil {
		return nil, err
	}
	tg, err := loadTagger()
	if err != nil {
		return nil, err
	}
	return &Redactor{tok: t, book: newNameBook(d), tagger: tg}, nil
}

// span is a found piece of personal data, by byte offsets in the text.
type span struct {
	start, end int
	kind       Kind
}

// Redact masks personal data in raw, and the organization's extra terms,
// with placeholders from s.
func (r *Redactor) Redact(raw string, s *Session, terms []string) (Text, Report) {
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "\uFFFD")
	}
	s.reserve(raw)
	spans := r.find(raw, terms, s)
	report := Report{}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		if sp.start < last {
			continue // inside the honorific dropped after 本人
		}
		b.WriteString(raw[last:sp.start])
		k, n := r.number(s, sp.kind, raw[sp.start:sp.end])
		b.WriteString(s.placeholder(k, n))
		report[k]++
		last = sp.end
		if k == Member {
			// 本人, not 本人さん.
			last += honorificAt(raw[last:])
		}
	}
	b.WriteString(raw[last:])
	return Text{b.String()}, report
}

// number gives a found value its placeholder: a person by the keys of
// their name (so 田中 and Tanaka are one), the member as 本人, anything
// else by its value.
func (r *Redactor) number(s *Session, k Kind, value string) (Kind, int) {
	switch k {
	case Member:
		return Member, 0
	case Person:
		keys, parts := r.nameKeys(value)
		if s.isMember(keys) {
			return Member, 0
		}
		return Person, s.number(Person, keys, parts)
	case Phone, Card, MyNumber, EmployeeID, PostalCode:
		if d := digits(value); d != "" {
			return k, s.number(k, []string{d}, nil)
		}
	}
	return k, s.number(k, []string{strings.ToLower(strings.TrimSpace(value))}, nil)
}

// find returns non-overlapping spans, in order. Detectors run from the most
// certain (formats) to the least (names); a later one never takes text an
// earlier one took.
func (r *Redactor) find(raw string, terms []string, s *Session) []span {
	folded, toRaw := fold(raw)
	var spans []span
	taken := func(a, b int) bool {
		for _, s := range spans {
			if a < s.end && s.start < b {
				return true
			}
		}
		return false
	}
	add := func(a, b int, k Kind) {
		if a < b && !taken(a, b) {
			spans = append(spans, span{a, b, k})
		}
	}
	for _, sp := range termSpans(raw, terms) {
		add(sp.start, sp.end, Term)
	}
	// Formats, matched on the width-folded text (０９０－… is 090-…).
	for _, d := range formats {
		for _, m := range d.re.FindAllStringSubmatchIndex(folded, -1) {
			a, b := m[0], m[1]
			if d.group > 0 && m[2*d.group] >= 0 {
				a, b = m[2*d.group], m[2*d.group+1]
			}
			if d.check != nil && !d.check(folded[a:b]) {
				continue
			}
			add(toRaw[a], toRaw[b], d.kind)
		}
	}
	// An id or a My Number listed after one is one too: 社員ID 00123 と
	// JP-0475, マイナンバー（…、5073 9912 4468）.
	for _, sp := range slices.Clone(spans) {
		re := map[Kind]*regexp.Regexp{EmployeeID: idListed, MyNumber: myNumberListed}[sp.kind]
		if re == nil {
			continue
		}
		if m := re.FindStringSubmatchIndex(raw[sp.end:]); m != nil {
			add(sp.end+m[2], sp.end+m[3], sp.kind)
		}
	}
	// The member's own name forms, however the detectors would read them
	// (after the formats: hanako in hanako@example.com is the address).
	for _, sp := range s.memberSpans(raw) {
		add(sp.start, sp.end, Member)
	}
	// One tokenization serves the dictionary's name tags and the tagger.
	toks := r.tok.Analyze(raw, tokenizer.Normal)
	person := func(sp span) {
		if !prefixOfWord(raw, sp.start, sp.end) && !notAPerson(raw, sp) {
			add(sp.start, sp.end, Person)
		}
	}
	for _, sp := range r.names(raw, toks) {
		person(sp)
	}
	for _, sp := range r.knownNames(raw, s) {
		person(sp)
	}
	for _, sp := range r.tagged(raw, toks) {
		person(sp)
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	return spans
}

// prefixOfWord reports whether a name found at the start of a sentence
// is the start of a hyphenated word instead ("De-icing roster for the
// winter is done"): a name part after a hyphen is capitalised
// (Jean-Pierre, Smith-Jones), an honorific (Tanaka-san) follows a name,
// within a sentence a word is capitalised only as a name ("the Kim-led
// team"), and a prefix is short (De-, Re-, Pre-, Anti-; "Priya-led" stays
// a name).
func prefixOfWord(raw string, start, end int) bool {
	if end+1 >= len(raw) || raw[end] != '-' || end-start > 4 {
		return false
	}
	if before := strings.TrimRight(raw[:start], " \t"); before != "" && !strings.ContainsAny(before[len(before)-1:], ".!?:\n") {
		return false
	}
	rest := raw[end+1:]
	n := strings.IndexFunc(rest, func(r rune) bool { return r < 'a' || r > 'z' })
	if n < 0 {
		n = len(rest)
	}
	return n > 0 && !honorific[rest[:n]]
}

// notAPerson reports spans any finder may take for a name that read as
// something else wherever they stand, because a placeholder there ("in
// [PERSON1]", 「長かったです（[人物1]）」) garbles the text a manager reads
// back: a mark of laughter or tears in parentheses (（笑）, (汗)), a
// product named in CamelCase (CaseWare, SharePoint; McKenzie and DeShawn
// are names), and a capitalised word after "in", "into", "via" or
// "using" (the schedule in Maximo), where people do not stand.
func notAPerson(raw string, sp span) bool {
	w := raw[sp.start:sp.end]
	if emoteMark[w] && strings.ContainsAny(raw[max(0, sp.start-3):sp.start], "（(") && strings.ContainsAny(raw[sp.end:min(len(raw), sp.end+3)], "）)") {
		return true
	}
	if camelProduct.MatchString(w) && !camelName.MatchString(w) {
		return true
	}
	// 金 of 「金・土の夜勤」 is Friday, in a list of weekdays.
	if utf8.RuneCountInString(w) == 1 && (weekdaysFrom.MatchString(raw[sp.start:]) || weekdaysTo.MatchString(raw[:sp.end])) {
		return true
	}
	before := raw[:sp.start]
	if languageUse(raw, sp) || possessiveAfterArticle.MatchString(before) && possessive(raw[sp.end:]) {
		return true
	}
	return strings.IndexByte(w, ' ') < 0 && placeBefore.MatchString(before) && !phrasalIn.MatchString(before) && !possessive(raw[sp.end:])
}

// languageUse reports whether a language that is also a name (German)
// names the language: joined to another language ("Japanese-to-German",
// "German-English") or before what a language qualifies ("German
// edition").
func languageUse(raw string, sp span) bool {
	if !properWords[strings.ToLower(raw[sp.start:sp.end])] {
		return false
	}
	if m := languageBefore.FindStringSubmatch(raw[:sp.start]); m != nil && properWords[strings.ToLower(m[1])] {
		return true
	}
	if m := languageAfter.FindStringSubmatch(raw[sp.end:]); m != nil && properWords[strings.ToLower(m[1])] {
		return true
	}
	return languageNoun.MatchString(raw[sp.end:])
}

// possessive reports whether s starts with 's.
func possessive(s string) bool {
	return strings.HasPrefix(s, "'s") || strings.HasPrefix(s, "’s")
}

var (
	languageBefore = regexp.MustCompile(`(\p{Lu}\p{Ll}+)-(?:to-|into-)?$`)
	languageAfter  = regexp.MustCompile(`^-(?:to-|into-)?(\p{Lu}\p{Ll}+)`)
	languageNoun   = regexp.MustCompile(`^[ -](?i:translation|translations|translator|translators|version|edition|manual|text|copy|subtitles|market|speakers?|customers|language|site|entity|subsidiary|localization|localisation|reviewer|reviewers|proofreading|course|class|lessons?|exam|test|skills?)\b`)
	// Nobody writes "the Emily's desk": a name after an article, with 's,
	// is a day or a product line ("the Valentine's line").
	possessiveAfterArticle = regexp.MustCompile(`\b(?i:the|a|an|this|that|our|their|its|every|each)\s+$`)
)

var (
	emoteMark    = map[string]bool{"笑": true, "汗": true, "泣": true, "涙": true, "苦笑": true, "爆笑": true, "怒": true, "謎": true, "震": true, "照": true, "嘘": true, "恥": true}
	camelProduct = regexp.MustCompile(`^[A-Z][a-z]+(?:[A-Z][a-z]+)+$`)
	camelName    = regexp.MustCompile(`^(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|Fitz)[A-Z]`)
	weekdaysFrom = regexp.MustCompile(`^[月火水木金土日][・、〜～\-][月火水木金土日]`)
	weekdaysTo   = regexp.MustCompile(`[月火水木金土日][・、〜～\-][月火水木金土日]$`)
	placeBefore  = regexp.MustCompile(`\b(?:in|into|via|using|inside|within|onto)\s+$`)
	// People are brought, looped and confided in: "loop in Sam" is Sam.
	phrasalIn = regexp.MustCompile(`(?i)\b(?:loop|bring|brought|rope|call|pull|sub|swap|confid|believ|trust|fill|ask|check|sit|sat|phone|let|put|tag|cc|invit|count|includ|pencil|slot|keep|kept|get|got|send|sent|clue|fold|factor|buzz)\w*\s+in\s+$`)
)

// honorific are the Japanese honorifics written after a romanized name.
var honorific = map[string]bool{"san": true, "kun": true, "chan": true, "sama": true, "sensei": true, "senpai": true, "shi": true, "dono": true}

// termSpans are where an organization's terms stand in raw,
// case-insensitively for Latin letters.
func termSpans(raw string, terms []string) []span {
	var out []span
	lower := strings.ToLower(raw)
	for _, t := range terms {
		lt := strings.ToLower(strings.TrimSpace(t))
		if lt == "" {
			continue
		}
		for i := 0; ; {
			j := strings.Index(lower[i:], lt)
			if j < 0 {
				break
			}
			a := i + j
			i = a + len(lt)
			// A Latin term is a word: "O" is not the o of "OK".
			if !latinAt(lower, a-1, lt[0]) && !latinAt(lower, i, lt[len(lt)-1]) {
				out = append(out, span{a, i, Term})
			}
		}
	}
	return out
}

// latinAt reports whether s[at] and the term's end beside it, edge, are
// both ASCII letters or digits: the term would cut a word there.
func latinAt(s string, at int, edge byte) bool {
	word := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	return at >= 0 && at < len(s) && word(s[at]) && word(edge)
}

// fold maps full-width ASCII (０-９, Ａ-Ｚ, ＠, －…) and the other dashes to
// ASCII, rune for rune, and returns the byte offset in raw of every byte
// offset in the folded text (one past the end included).
func fold(raw string) (string, []int) {
	var b strings.Builder
	toRaw := make([]int, 0, len(raw)+1)
	for i, r := range raw {
		switch {
		case r >= '！' && r <= '～':
			r -= '！' - '!'
		case r == '‐' || r == '‑' || r == '–' || r == '—' || r == '−':
			r = '-'
		case r == '　':
			r = ' '
		}
		n := utf8.RuneLen(r)
		for range n {
			toRaw = append(toRaw, i)
		}
		b.WriteRune(r)
	}
	toRaw = append(toRaw, len(raw))
	return b.String(), toRaw
}

type detector struct {
	kind  Kind
	re    *regexp.Regexp
	group int               // mask only this submatch (0: the whole match)
	check func(string) bool // extra validation of the masked text
}

// formats are the pattern detectors, in the order they run.
var formats = []detector{
	{kind: Email, re: regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)},
	// Addresses written to dodge scrapers: "misaki.h [at] example.com",
	// "becky.chen at example dot com".
	{kind: Email, re: regexp.MustCompile(`(?i)[a-z0-9][a-z0-9._%+-]*\s*(?:\[at\]|\(at\)|＠)\s*[a-z0-9-]+(?:\s*(?:\.|\[dot\]|\(dot\)| dot )\s*[a-z0-9-]+)*\s*(?:\.|\[dot\]|\(dot\)| dot )\s*(?:com|net|org|jp|io|co|uk|de|fr|info|me|dev)\b`)},
	// With a plain " at ", only a local part that looks like one (a dot,
	// a digit or an underscore: becky.chen.1992 at example dot com), not
	// "portfolio at behance.net".
	{kind: Email, re: regexp.MustCompile(`(?i)[a-z0-9]+[._][a-z0-9._%+-]*\s+at\s+[a-z0-9-]+(?:\s*(?:\.|\[dot\]| dot )\s*[a-z0-9-]+)*\s*(?:\.|\[dot\]| dot )\s*(?:com|net|org|jp|io|co|uk|de|fr|info|me|dev)\b`)},
	{kind: URL, re: regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'（）()「」、。，]*[^\s<>"'（）()「」、。，.,;:!?]`)},
	// A personal page without the scheme: linkedin.com/in/..., a blog's path.
	{kind: URL, re: regexp.MustCompile(`(?i)\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|jp|me|dev|app|blog|info|co\.jp|co\.uk)/[^\s<>"'（）()「」、。，]*[^\s<>"'（）()「」、。，.,;:!?]`)},
	// Card numbers: after a word for a card, or 13-19 digits in groups
	// passing the Luhn check.
	{kind: Card, re: regexp.MustCompile(`(?i)(?:カード|card|visa|mastercard|amex|jcb)[^\d。.\n]{0,30}?\b((?:\d[ -]?){12,18}\d)\b`), group: 1},
	{kind: Card, re: regexp.MustCompile(`\b(?:\d[ -]?){12,18}\d\b`), check: luhn},
	// Four groups of four digits are a card number whoever says so.
	{kind: Card, re: regexp.MustCompile(`\b\d{4}([ -])\d{4}([ -])\d{4}([ -])\d{4}\b`)},
	// マイナンバー: 12 digits, alone or as 4-4-4, after its name or with a
	// valid check digit.
	{kind: MyNumber, re: regexp.MustCompile(`(?i)(?:マイナンバー|個人番号|my ?number|individual number)[^\d。\n]{0,30}?(\d{4}[ -]?\d{4}[ -]?\d{4})(?:[^\d-]|$)`), group: 1},
	{kind: MyNumber, re: regexp.MustCompile(`(?:^|[^\d-])(\d{4}[ -]?\d{4}[ -]?\d{4})(?:[^\d-]|$)`), group: 1, check: myNumber},
	// Phone numbers: international, Japanese with hyphens or parentheses,
	// and 10-11 digit Japanese numbers written together.
	{kind: Phone, re: regexp.MustCompile(`\+\d{1,3}(?:[ -]?\(?\d{1,4}\)?){2,4}`)},
	{kind: Phone, re: regexp.MustCompile(`(?:\(0\d{1,4}\)\s?\d{1,4}-\d{3,4}|\b0\d{1,4}\(\d{1,4}\)\d{3,4}\b|\b0\d{1,4}-\d{1,4}-\d{3,4}\b|\b0\d{9,10}\b)`)},
	// The same numbers with spaces or dots between the groups (090 8765 4321),
	// and North American ones ((555) 123-4567, 555.123.4567).
	{kind: Phone, re: regexp.MustCompile(`\b0\d{1,4}(?: |\.)\d{1,4}(?: |\.)\d{3,4}\b|\(\d{3}\) ?\d{3}[-. ]\d{4}\b|\b\d{3}[-.]\d{3}[-.]\d{4}\b`)},
	{kind: Phone, re: regexp.MustCompile(`\b07\d{3} ?\d{6}\b`)},         // UK mobiles
	{kind: Phone, re: regexp.MustCompile(`\b0[1-9](?:[ .]\d{2}){4}\b`)}, // French: 06 12 34 56 78
	{kind: Phone, re: regexp.MustCompile(`(?i)(?:内線|\bext\.?|\bextension)\s*[:：]?\s*(\d{2,5})\b`), group: 1},
	{kind: PostalCode, re: regexp.MustCompile(`〒\s?\d{3}-?\d{4}|\b\d{3}-\d{4}\b`)},
	{kind: PostalCode, re: regexp.MustCompile(`(?i)(?:郵便番号|postal code|post ?code|zip(?: code)?)[:：\s]*(\d{3}-?\d{4}|\d{5}(?:-\d{4})?)\b`), group: 1},
	// Brazil (CEP 01310-100) and India (…, Chennai 600090).
	{kind: PostalCode, re: regexp.MustCompile(`\bCEP[:\s]*(\d{5}-?\d{3})\b`), group: 1},
	{kind: PostalCode, re: regexp.MustCompile(`, [A-Z][a-z]+ (\d{6})\b`), group: 1},
	// Australia (Pyrmont NSW 2009) and New Zealand (Lower Hutt 5011).
	{kind: PostalCode, re: regexp.MustCompile(`\b(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT) (\d{4})\b`), group: 1},
	{kind: PostalCode, re: regexp.MustCompile(`, (?:Auckland|Wellington|Christchurch|Hamilton|Dunedin|Tauranga|Lower Hutt|Porirua|Napier|Nelson|Rotorua|Sydney|Melbourne|Brisbane|Perth|Adelaide|Canberra|Hobart|Darwin) (\d{4})\b`), group: 1},
	// Canada: K1A 0B1.
	{kind: PostalCode, re: regexp.MustCompile(`\b[ABCEGHJ-NPRSTVXY]\d[A-Z] ?\d[A-Z]\d\b`)},
	// ZIP codes after a state (TX 78731), UK postcodes (NW1 6XE), and a
	// code before a city after a comma (", 75011 Paris").
	{kind: PostalCode, re: regexp.MustCompile(`\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY]) (\d{5}(?:-\d{4})?)\b`), group: 1},
	{kind: PostalCode, re: regexp.MustCompile(`\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b`)},
	{kind: PostalCode, re: regexp.MustCompile(`, (\d{4,5}) [A-Z][a-zà-ÿ]+`), group: 1},
	// Japanese addresses: a prefecture, then up to the block number.
	{kind: Address, re: regexp.MustCompile(`(?:東京都|北海道|(?:京都|大阪)府|[^\s、。,，]{2,3}県)[^\s、。,，「」（）()]{1,30}?\d+(?:(?:-|丁目|番地?|号)\d*)*(?:号)?`)},
	// Japanese addresses without the prefecture: a city, ward, town or
	// village, then a block number (大阪市北区梅田3丁目1番5号, 横浜市中区山下町123番地).
	{kind: Address, re: regexp.MustCompile(`(?:[一-龥]{1,5}[市区町村郡]){1,3}[一-龥ぁ-んァ-ヶ]{0,8}\d+(?:(?:-|丁目|番地?|号|条|線)[東西南北]?\d*)+`)},
	// Street addresses: "221 Baker Street", "1600 Pennsylvania Ave".
	// A street: a number, up to four words (a direction, 37th, Lake Shore),
	// the kind of street, then maybe the flat and the city and state:
	// "3410 N Lake Shore Dr, Apt 12C, Chicago, IL".
	{kind: Address, re: regexp.MustCompile(`\b\d{1,5}[A-Za-z]? (?:(?:[NSEW]\.?|[A-Z][a-z]+|\d+(?:st|nd|rd|th)) ){1,4}(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Way|Court|Ct\.?|Place|Pl\.?|Terrace|Crescent|Close|Grove|Market|Square|Sq\.?|Parkway|Pkwy\.?|Highway|Hwy\.?|Row|Walk|Gardens|Mews|Hill|Nagar|Marg)\b(?:,? (?:Apt\.?|Apartment|Unit|Suite|Ste\.?|Flat|#) ?[\w-]+)?(?:, (?:[A-Z][a-z]+ ?){1,3})?(?:, [A-Z]{2}\b)?`)},
	// Street names that come first: "12 Rue de Rivoli", "Via Roma 5", "Calle Mayor 3".
	{kind: Address, re: regexp.MustCompile(`\b\d{1,5},? (?:Rue|rue|Avenue|avenue|Boulevard|boulevard|Via|via|Viale|Calle|calle|Avenida|Rua|Plaza) (?:(?:de|del|la|di|da|des|du|della|do|dos) ){0,2}[A-Z][\p{L}'-]+(?: [A-Z][\p{L}'-]+)?|\b(?:Rue|Via|Viale|Calle|Avenida|Rua) (?:(?:de|del|la|di|da|des|du) )?[A-Z][\p{L}'-]+(?: [A-Z][\p{L}'-]+)?,? \d{1,5}\b|\b[A-Z][\p{L}-]*(?:straße|strasse|str\.|weg|gasse|platz) \d{1,5}[a-z]?\b`)},
	// English-style Japanese addresses: "1-2-3 Shibuya, Shibuya-ku, Tokyo".
	{kind: Address, re: regexp.MustCompile(`\bP\.? ?O\.? Box \d+(?:, [A-Z][a-z]+(?: [A-Z][a-z]+)?)?(?:, [A-Z]{2}\b)?`)},
	{kind: Address, re: regexp.MustCompile(`\b\d+-\d+(?:-\d+)? [A-Z][a-z]+(?:, [A-Z][a-z]+(?:-(?:ku|shi|cho|machi))?)*`)},
	// Employee and other ids after a label: mask the id, not the label.
	{kind: EmployeeID, re: regexp.MustCompile(`(?i)(?:(?:社員|従業員|職員|スタッフ|人事|個人|会員)(?:番号|コード|ID|No\.?|NO)|社番|職番|職員番号|employee\s*(?:id|no\.?|number|code|#)|staff\s*(?:id|no\.?|number|code|#)|personnel\s*(?:id|no\.?|number)|badge\s*(?:id|no\.?|number)|\bID)(?:は|が|を| is| was)?\s*[:：#]?\s*([A-Z0-9]{0,6}-?\d{3,10})\b`), group: 1},
	{kind: EmployeeID, re: regexp.MustCompile(`\b(?:EMP|E|ID)-\d{4,10}\b`)},
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func luhn(s string) bool {
	d := digits(s)
	if len(d) < 13 || len(d) > 19 {
		return false
	}
	sum := 0
	for i := range d {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// myNumber checks the twelve digits and the check digit of an individual
// number (マイナンバー), so that order and tracking numbers of twelve
// digits stay.
func myNumber(s string) bool {
	d := digits(s)
	if len(d) != 12 {
		return false
	}
	sum := 0
	for n := 1; n <= 11; n++ {
		p := int(d[11-n] - '0')
		q := n + 1
		if n >= 7 {
			q = n - 5
		}
		sum += p * q
	}
	check := 0
	if r := sum % 11; r > 1 {
		check = 11 - r
	}
	return int(d[11]-'0') == check
}

// names finds person names: Japanese by kagome's 人名 tags and by the
// honorific or title after a name, English by titles and given names.
func (r *Redactor) names(raw string, toks []tokenizer.Token) []span {
	var out []span
	// Kana and romaji first: "Yamada Taro" and キム・ミンジュン are one
	// name each, not a surname and a given name.
	out = append(out, r.kanaNames(raw)...)
	out = append(out, r.japaneseNames(raw, toks)...)
	out = append(out, englishNames(raw)...)
	out = append(out, r.contextNames(raw)...)
	if m := signOffJa.FindStringSubmatchIndex(raw); m != nil && r.readAs(raw[m[2]:m[3]]) != readWord {
		out = append(out, span{m[2], m[3], Person})
	}
	// Chat handles: @yuki.t, @m-suzuki (an address has its domain), and
	// mentions in Japanese: @岡本, @小野寺 さん, @ゆっきー.
	for _, re := range []*regexp.Regexp{handle, mentionJa} {
		for _, m := range re.FindAllStringSubmatchIndex(raw, -1) {
			out = append(out, span{m[2], m[3], Person})
		}
	}
	out = append(r.aliases(raw, out), out...)
	out = append(out, r.listed(raw, out)...)
	// A name with its reading is one span, ahead of the others.
	return append(readings(raw, out), out...)
}

// readings finds a name's reading written after it in parentheses:
// 四月一日（わたぬき）さん, 田中（たなか）課長 become one name, and the
// reading after a masked name ([人物1]氏（しょうじ）) is masked too.
func readings(raw string, found []span) []span {
	var out []span
	for _, m := range furigana.FindAllStringSubmatchIndex(raw, -1) {
		nameStart, nameEnd := m[2], m[3]
		if nameStart >= 0 && honorificAt(raw[nameStart:nameEnd]) == nameEnd-nameStart {
			nameStart = -1 // 氏（しょうじ）: the honorific of a name before it
		}
		known := nameStart >= 0 && slices.ContainsFunc(found, func(o span) bool { return o.start == nameStart && o.end == nameEnd })
		switch {
		case nameStart >= 0 && (m[6] >= 0 || known):
			closed := m[1] // after the closing parenthesis, before an honorific
			if m[6] >= 0 {
				closed = m[6]
			}
			out = append(out, span{nameStart, closed, Person})
		case nameStart < 0 && placeholderRE.MatchString(raw[max(0, m[0]-16):m[4]]):
			out = append(out, span{m[4], m[5], Person})
		}
	}
	return out
}

// listed finds the names listed with a name already found: in 中村と四十物,
// 佐藤・勅使河原 or 高橋、小鳥遊が the rare surname the dictionary does not
// know stands where a name stands. A run of kanji the dictionary reads as
// one ordinary word or a place (会議, 経理, 大阪) is left alone.
func (r *Redactor) listed(raw string, found []span) []span {
	// Placeholders already in the text (a note that was masked before)
	// are names too: [人物1]、[人物2]、ソフィア.
	seeds := slices.Clone(found)
	for _, m := range placeholderRE.FindAllStringIndex(raw, -1) {
		seeds = append(seeds, span{m[0], m[1], Person})
	}
	var out []span
	add := func(a, b int) {
		sp := span{a, b, Person}
		if !slices.ContainsFunc(seeds, func(o span) bool { return a < o.end && o.start < b }) {
			out = append(out, sp)
			seeds = append(seeds, sp) // a list goes on: A、B、C
		}
	}
	for i := 0; i < len(seeds); i++ {
		sp := seeds[i]
		if sp.kind != Person {
			continue
		}
		r.listedJapanese(raw, sp, add)
		listedEnglish(raw, sp, add)
	}
	return out
}

// listedJapanese finds the Japanese names listed with the name at sp,
// after it or before it, and passes each to add.
func (r *Redactor) listedJapanese(raw string, sp span, add func(a, b int)) {
	// After the name (and its honorific): a separator, then the run.
	at := sp.end + honorificAt(raw[sp.end:])
	closed := false
	if m := aliasAfter.FindStringIndex(raw[at:]); m != nil {
		at += m[1] // アルジュン（[人物1]）とフェルナンダ: the seed's parenthesis closes
		closed = true
	}
	if m := listedAfter.FindStringSubmatchIndex(raw[at:]); m != nil && r.listedWith(raw[at:], m) && listLike(raw[at:], m) &&
		// after a parenthesis, only a foreign name (not と週次で)
		(!closed || isKatakana(strings.ReplaceAll(raw[at+m[2]:at+m[3]], "・", ""))) {
		add(at+m[2], at+m[3])
	} else if m := listedAfterOne.FindStringSubmatchIndex(raw[at:]); m != nil {
		add(at+m[2], at+m[3])
	}
	// Before it: the run, then a separator.
	if m := listedBefore.FindStringSubmatchIndex(raw[:sp.start]); m != nil && r.listedWith(raw[:sp.start], m) && listLikeBefore(raw[m[2]:sp.start]) {
		if prev, _ := utf8.DecodeLastRuneInString(raw[:m[2]]); m[2] == 0 || !unicode.Is(unicode.Han, prev) {
			add(m[2], m[3])
		}
	} else if m := listedBeforeOne.FindStringSubmatchIndex(raw[:sp.start]); m != nil && r.readAs(raw[m[2]:m[3]]) == readPerson {
		add(m[2], m[3]) // 亮・[人物1], not 故・[人物1]
	}
	// Given names in hiragana listed with it: れん、ひなた、[人物1].
	if m := listedBeforeKana.FindStringSubmatchIndex(raw[:sp.start]); m != nil && r.book.all[raw[m[2]:m[3]]] {
		add(m[2], m[3])
	}
	if m := listedAfterKana.FindStringSubmatchIndex(raw[at:]); m != nil && r.book.all[raw[at+m[2]:at+m[3]]] {
		add(at+m[2], at+m[3])
	}
}

// listedEnglish finds the names listed with the name at sp in English:
// "Mateo and Ines", "Ngozi + Bartholomew", "Ólafur and Zoë".
func listedEnglish(raw string, sp span, add func(a, b int)) {
	if m := listedAfterEn.FindStringSubmatchIndex(raw[sp.end:]); m != nil && !notSurname[raw[sp.end+m[2]:sp.end+m[3]]] {
		add(sp.end+m[2], sp.end+m[3])
	}
	if m := listedBeforeEn.FindStringSubmatchIndex(raw[:sp.start]); m != nil && !notSurname[raw[m[2]:m[3]]] &&
		// At a sentence's start only a given name (Dawn, [PERSON1] and …).
		(!sentenceStart(raw, m[2]) || (givenName(raw[m[2]:m[3]]) || ambiguous[raw[m[2]:m[3]]]) && !neverName[raw[m[2]:m[3]]]) {
		add(m[2], m[3])
	}
}

// listedWith reports whether the run s[m[2]:m[3]], listed with a name by
// the separator around it, can be a name too: as listable, or, joined
// with ・ or ⇔ (used for people, rarely for words), any one word of the
// dictionary (清水, 宮内).
func (r *Redactor) listedWith(s string, m []int) bool {
	run := s[m[2]:m[3]]
	if r.listable(run) {
		return true
	}
	sep := strings.HasPrefix(s[m[3]:], "・") || strings.HasPrefix(s[m[3]:], "⇔") ||
		strings.HasSuffix(s[:m[2]], "・") || strings.HasSuffix(s[:m[2]], "⇔")
	return sep && r.nameInContext(run)
}

// listLike reports whether a run of kanji after 、 continues a list of
// people rather than starting a clause ([人物3]、研修中は…): it must be
// followed by an honorific or another separator.
func listLike(rest string, m []int) bool {
	if !strings.HasPrefix(rest, "、") || isKatakana(strings.ReplaceAll(rest[m[2]:m[3]], "・", "")) {
		return true
	}
	after := rest[m[3]:]
	return after == "" || honorificAt(after) > 0 || strings.HasPrefix(after, "、") || strings.HasPrefix(after, "・") ||
		strings.HasPrefix(after, "と") || strings.HasPrefix(after, "（") || strings.HasPrefix(after, "(")
}

// listLikeBefore reports whether a run before 、 and a name is one of a
// list (佐藤さん、[人物1]) rather than a clause (私自身、[人物1]さんに).
func listLikeBefore(run string) bool {
	name, ok := strings.CutSuffix(run, "、")
	return !ok || honorificAt(name[len(name)-min(len(name), len("さん")):]) > 0 || strings.HasSuffix(name, "様") ||
		strings.HasSuffix(name, "氏") || isKatakana(strings.ReplaceAll(name, "・", ""))
}

// listable reports whether a run listed with a name can be one: a name
// the dictionary knows, or no word it knows (四十物, 勅使河原).
func (r *Redactor) listable(run string) bool {
	k := r.readAs(run)
	// Katakana foreign names are often places too (ソフィア).
	return k == readUnknown || k == readPerson || k == readPlace && isKatakana(strings.ReplaceAll(run, "・", ""))
}

var (
	// A kanji run or a name's end, then a kana reading in parentheses,
	// then maybe an honorific.
	furigana = regexp.MustCompile(`(?:([\p{Han}々]{1,6})|\])[（(]([ぁ-ゖァ-ヺー]{2,10})[）)](さん|様|氏|くん|ちゃん|先生|課長|部長|係長|主任|室長|店長|社長|先輩)?`)
	// A note signed with a surname: "…お願いします。石川".
	signOffJa     = regexp.MustCompile(`(?:[。！？\n]|^)\s*([\p{Han}々]{2,4})(?:さん)?\s*$`)
	mentionJa     = regexp.MustCompile(`(?:^|[^\w@])@\s?(\p{Han}{1,4}|[\p{Katakana}ー]{2,10}|[\p{Hiragana}ー]{2,6})(?:[^\p{Han}\p{Katakana}\p{Hiragana}ー]|$)`)
	handle        = regexp.MustCompile(`(?:^|[^\w@])@([A-Za-z][\w.-]*[A-Za-z0-9])\b(?:[^@.\w]|\.(?:\s|$)|$)`)
	placeholderRE = regexp.MustCompile(`\[(?:人物|PERSON|Person)\d+\]`)
	// An id after another, past a name in parentheses: "（安藤）と C-10391", "、20-1203".
	idListed       = regexp.MustCompile(`^(?:[（(][^（()）]{1,12}[）)])?\s*(?:と|、|,|/|／|and|or|・)\s*([A-Z]{0,3}-?\d{2,}(?:-\d+)*)\b`)
	myNumberListed = regexp.MustCompile(`^\s*(?:と|、|,|/|／|and|or|・|correct one is|is)\s*(\d{4}[ -]?\d{4}[ -]?\d{4})\b`)
	aliasBefore    = regexp.MustCompile(`[（(]\[(?:人物|PERSON|Person)\d+\][）)]$`)
	listedAfterEn  = regexp.MustCompile(`^(?:'s)?(?:,| and| &| \+| or)\s+(\p{Lu}[\p{Ll}'’]+(?:[- ]\p{Lu}[\p{Ll}'’]+)?)\b`)
	listedBeforeEn = regexp.MustCompile(`\b(\p{Lu}[\p{Ll}'’]+)(?:,| and| &| \+| or)\s+$`)
	aliasAfter     = regexp.MustCompile(`^[）)]`)
	listedAfter    = regexp.MustCompile(`^(?:と|・|⇔|、|や|，|,\s?)([\p{Han}々]{2,4}|[\p{Katakana}ー]{2,}(?:・[\p{Katakana}ー]{2,})?)(?:さん|様|氏|くん|ちゃん|と|・|⇔|、|や|が|は|で|に|の|も|を|，|,|（|\(|）|\)|$)`)
	// One kanji listed after ・ or 、 (受付の[人物1]・谷(…)): a surname.
	listedAfterOne   = regexp.MustCompile(`^(?:・|、)([\p{Han}])(?:さん|様|氏|くん|ちゃん|・|、|（|\(|$)`)
	listedBefore     = regexp.MustCompile(`([\p{Han}々]{2,4}|[\p{Katakana}ー]{2,}(?:・[\p{Katakana}ー]{2,})?)(?:さん|様|氏)?(?:と|・|⇔|、|や|，|,\s?)$`)
	listedBeforeKana = regexp.MustCompile(`(?:^|[、：:\s（(])(\p{Hiragana}{2,4})(?:、|・)$`)
	listedAfterKana  = regexp.MustCompile(`^(?:、|・)(\p{Hiragana}{2,4})(?:、|・|の|と|）|\)|$)`)
	// One kanji before ・ or ⇔ and a name (亮・拓海).
	listedBeforeOne = regexp.MustCompile(`(?:^|[^\p{Han}々])([\p{Han}])(?:・|⇔)$`)
)

// How the dictionary reads a run of kanji or katakana (readAs).
const (
	readUnknown = iota // several words, or none the dictionary knows
	readPerson         // a person's name
	readPlace          // a place: a surname as often (中野さん, 池田課長)
	readWord           // other words: 会議, 毎日 (even as the newspaper), 他部署 (a prefix and a word), 今期目標
)

func (r *Redactor) readAs(run string) int {
	toks := r.tok.Analyze(run, tokenizer.Normal)
	if len(toks) == 2 && toks[0].POS()[0] == "接頭詞" {
		toks = toks[1:]
	}
	if len(toks) > 1 && !slices.ContainsFunc(toks, func(t tokenizer.Token) bool {
		pos := t.POS()
		return t.Class != tokenizer.KNOWN || utf8.RuneCountInString(t.Surface) < 2 || len(pos) > 1 && pos[1] == "固有名詞"
	}) {
		return readWord // a compound of ordinary words: 今期目標, 後輩指導
	}
	if counted(toks) {
		return readWord // a count: 一度, 二回, 3件 (一度ちゃんと is no name)
	}
	if len(toks) != 1 || toks[0].Class != tokenizer.KNOWN {
		return readUnknown
	}
	switch pos := toks[0].POS(); {
	case len(pos) > 2 && pos[1] == "固有名詞" && pos[2] == "人名":
		return readPerson
	case len(pos) > 2 && pos[1] == "固有名詞" && pos[2] == "地域":
		return readPlace
	}
	return readWord
}

// counted reports whether toks are a number and its counter (一度, 二回).
func counted(toks []tokenizer.Token) bool {
	if pos := toks[0].POS(); len(toks) < 2 || len(pos) < 2 || pos[1] != "数" {
		return false
	}
	for _, t := range toks[1:] {
		if pos := t.POS(); len(pos) < 3 || pos[1] != "数" && !(pos[1] == "接尾" && pos[2] == "助数詞") {
			return false
		}
	}
	return true
}

// honorifics follow a name: 田中さん, 佐藤部長, ゆいちゃん.
// (Katakana titles such as マネージャー are left out: before them stands a
// job title, エンジニアリングマネージャー, far more often than a name.)
var honorifics = []string{"さん", "さま", "様", "くん", "君", "ちゃん", "氏", "先生", "部長", "課長", "係長", "主任", "デスク",
	"社長", "専務", "常務", "室長", "所長", "店長", "次長", "本部長", "支店長", "先輩"}

// notNames come before honorifics without being names.
var notNames = map[string]bool{"お客": true, "客": true, "皆": true, "みな": true, "みんな": true, "奥": true, "お子": true,
	"子": true, "娘": true, "息子": true, "お父": true, "お母": true, "父": true, "母": true, "兄": true, "姉": true,
	"弟": true, "妹": true, "お兄": true, "お姉": true, "担当": true, "相手": true, "本人": true, "新人": true,
	"先方": true, "上司": true, "部下": true, "同僚": true, "お医者": true, "医者": true, "お隣": true, "彼": true, "彼女": true,
	// Prefixes of a title (副店長, 両所長, 前課長) and the people of a trade
	// (飼い主さん, 職人さん, 仲居さん).
	"副": true, "両": true, "各": true, "元": true, "前": true, "現": true, "新": true, "総": true, "旧": true,
	"主": true, "職人": true, "仲居": true, "保護者": true, "保護者係": true, "利用者": true, "患者": true}

// compounds are common words that end in an honorific: in 設計仕様 the 様
// is not one.
var compounds = map[string]bool{"仕様": true, "同様": true, "模様": true, "多様": true, "異様": true, "一様": true,
	"有様": true, "王様": true, "神様": true, "殿様": true, "外様": true, "左様": true, "諸君": true, "主君": true,
	"暴君": true, "人氏": true, "杜氏": true, "彼氏": true, "両氏": true, "同氏": true, "某氏": true, "各氏": true}

func (r *Redactor) japaneseNames(raw string, toks []tokenizer.Token) []span {
	return append(r.taggedNames(raw, toks), r.honorificNames(raw)...)
}

// taggedNames are the names kagome tags 人名, a surname and given name
// written together joined (鈴木花子).
func (r *Redactor) taggedNames(raw string, toks []tokenizer.Token) []span {
	var out []span
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !r.taggedName(raw, t) {
			continue
		}
		start, end := t.Position, t.Position+len(t.Surface)
		for i+1 < len(toks) && isPersonToken(toks[i+1]) && toks[i+1].Position == end {
			end += len(toks[i+1].Surface)
			i++
		}
		// Kanji with okurigana is a word, whatever kagome tags its pieces
		// (厳 + しめ). A lone one-kanji "surname" is more often the common
		// word (森の中, 林を抜ける); with an honorific or title
		// honorificNames still finds it (森さん, 林部長).
		if mixedKana(raw[start:end]) || utf8.RuneCountInString(raw[start:end]) == 1 {
			continue
		}
		out = append(out, span{start, end, Person})
	}
	return out
}

func isPersonToken(t tokenizer.Token) bool {
	pos := t.POS()
	return len(pos) > 2 && pos[0] == "名詞" && pos[1] == "固有名詞" && pos[2] == "人名"
}

// taggedName reports whether a token kagome tags 人名 stands as a name.
func (r *Redactor) taggedName(raw string, t tokenizer.Token) bool {
	if !isPersonToken(t) {
		return false
	}
	end := t.Position + len(t.Surface)
	// A katakana "name" inside a katakana word is a piece of that word
	// (マイ of マイナンバー), not a person; 鈴木 in 鈴木チーム is.
	if isKana(t.Surface) && (katakanaAt(raw, t.Position-1, true) || katakanaAt(raw, end, false) || !nameContext(raw, t.Position, end)) {
		return false
	}
	// Hiragana glued to the word before it is okurigana or a particle
	// (足がすくんで, 言うて); kanji with okurigana is a word (厳しめ).
	if isHiragana(t.Surface) && (t.Position > 0 && !startsRun(raw, t.Position) || r.book.words[t.Surface]) {
		return false
	}
	return !mixedKana(t.Surface)
}

// honorificNames are the runs of kanji, katakana or hiragana right before
// an honorific or title: 田中さん, マイケルさん, ゆいちゃん.
func (r *Redactor) honorificNames(raw string) []span {
	var out []span
	for _, h := range honorifics {
		for i := 0; ; {
			j := strings.Index(raw[i:], h)
			if j < 0 {
				break
			}
			at := i + j
			i = at + len(h)
			// One space may stand between the name and the honorific
			// (小野寺 さん), as chat tools insert after a mention.
			end := at
			if sp, size := utf8.DecodeLastRuneInString(raw[:at]); sp == ' ' || sp == '　' {
				end = at - size
			}
			// Another name in parentheses may stand between them:
			// オブライエン（[人物1]）さん.
			if m := aliasBefore.FindStringIndex(raw[:end]); m != nil {
				end = m[0]
			}
			if start, ok := r.beforeHonorific(raw, end, h); ok {
				// A title word alone (部長会議) has nothing before it to mask.
				out = append(out, span{start, end, Person})
			}
		}
	}
	return out
}

// beforeHonorific returns where the name before the honorific h at raw[at:]
// starts, if what stands there is a name.
func (r *Redactor) beforeHonorific(raw string, at int, h string) (int, bool) {
	start := nameRunStart(raw[:at], h)
	name := raw[start:at]
	if strings.HasPrefix(name, "ー") {
		return 0, false // ねーちゃん
	}
	if isHiragana(name) {
		if start, name = r.hiraganaName(raw, start, at, h); name == "" {
			return 0, false
		}
	}
	if name == "" || notNames[name] || strings.HasPrefix(name, "お") && utf8.RuneCountInString(name) <= 2 {
		return 0, false
	}
	if last, _ := utf8.DecodeLastRuneInString(name); compounds[string(last)+h] {
		return 0, false
	}
	// A title may be the end of a longer word: 教室長 is 教室 and 長, not
	// 教 the person; 林部長 is 林 and 部長.
	if !personalHonorifics[h] && !isHiragana(name) {
		if toks := r.tok.Analyze(raw[start:at+len(h)], tokenizer.Normal); len(toks) > 0 && len(toks[0].Surface) > len(name) {
			return 0, false
		}
	}
	if kanjiRole(name) || roleOrUnit(r, name) {
		return 0, false // a role or a unit before an honorific (工場長さん, 検査員さん, 審査部次長)
	}
	// An ordinary word before a title or honorific is a role or a
	// department (営業部長, 前任課長, ベテランさん); one kanji stays a name
	// (林さん: the dictionary's forest).
	if utf8.RuneCountInString(name) >= 2 && !isHiragana(name) && r.readAs(name) == readWord &&
		// A katakana word before さん is a name unless it is a role
		// (フォンさん, リンさん; not スタッフさん).
		!(isKatakana(name) && personalHonorifics[h] && !katakanaRoles[name]) {
		return 0, false
	}
	return start, true
}

// roleOrUnit reports whether name is an ordinary word with a suffix of
// a role, a trade or a unit of an organization (検査員, 担当者, 獣医師, 保育士,
// 運転手, 審査部, 経理課): what stands before the suffix must be a word of
// its own, so that 阿部 and 長谷部 stay names.
func roleOrUnit(r *Redactor, name string) bool {
	rs := []rune(name)
	if len(rs) < 3 || !strings.ContainsRune("員者官部課室局署班係師士手", rs[len(rs)-1]) {
		return false
	}
	return r.readAs(string(rs[:len(rs)-1])) == readWord
}

func isHiragana(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Hiragana, r) })
}

// mixedKana reports whether s mixes kanji and hiragana.
func mixedKana(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) &&
		strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Hiragana, r) })
}

// startsRun reports whether raw[i:] follows the start, a space or
// punctuation: where a word written in kana can begin.
func startsRun(raw string, i int) bool {
	prev, _ := utf8.DecodeLastRuneInString(raw[:i])
	return i == 0 || !unicode.IsLetter(prev) && !unicode.IsDigit(prev)
}

// hiraganaName checks a hiragana run before an honorific: a name the
// dictionary reads (けいこ先輩, ひかりさん) or, before ちゃん and くん, any
// short run (ゆいちゃん, なっちゃん), starting the text, following
// punctuation or a particle (りょうくんとゆいちゃん); glued to a word the
// run is that word's ending (初めてちゃんと). It returns the name's start
// and the name, or "".
func (r *Redactor) hiraganaName(raw string, start, end int, honorific string) (int, string) {
	nickname := honorific == "ちゃん" || honorific == "くん"
	// ちゃんと is also "properly" (ちゃんと聞けた): then only a name the
	// dictionary knows, starting a run.
	adverb := honorific == "ちゃん" && strings.HasPrefix(raw[end+len(honorific):], "と")
	// The longest tail of the run that starts where a word can start.
	for a := start; a < end; {
		prev, _ := utf8.DecodeLastRuneInString(raw[:a])
		atRun := a == start && startsRun(raw, a)
		if atRun || a > start && !adverb && strings.ContainsRune("とやのはがもにをへ", prev) && r.particleAt(raw[start:end], a-start) {
			name := raw[a:end]
			n := utf8.RuneCountInString(name)
			last, _ := utf8.DecodeLastRuneInString(name)
			// 経験のある先輩: a word the dictionary knows is no name.
			known := r.book.all[name] && !r.book.words[name] && !strings.ContainsRune("のがはをにもとで", last)
			if known || nickname && !adverb && n >= 2 && n <= 4 {
				return a, name
			}
		}
		_, size := utf8.DecodeRuneInString(raw[a:])
		a += size
	}
	return start, ""
}

// particleAt reports whether the kana run stands split at byte i after
// a particle: in 「にやるか課長」 the や is the verb やる's, and るか no name
// after it.
func (r *Redactor) particleAt(run string, i int) bool {
	toks := r.tok.Analyze(run, tokenizer.Normal)
	for k, t := range toks {
		if t.Position == i {
			return k > 0 && toks[k-1].POS()[0] == "助詞"
		}
	}
	return false
}

// katakanaAt reports whether the rune ending at (before) or starting at
// (after) byte offset i of s is katakana.
func katakanaAt(s string, i int, before bool) bool {
	var r rune
	if before {
		if i < 0 || i+1 > len(s) {
			return false
		}
		r, _ = utf8.DecodeLastRuneInString(s[:i+1])
	} else {
		if i >= len(s) {
			return false
		}
		r, _ = utf8.DecodeRuneInString(s[i:])
	}
	return unicode.Is(unicode.Katakana, r) || r == 'ー'
}

// nameRunStart walks back from the end of prefix over one script: kanji
// (up to 5), katakana (names like マイケル), or hiragana (ゆいちゃん, which
// hiraganaName checks).
func nameRunStart(prefix, honorific string) int {
	end := len(prefix)
	r, _ := utf8.DecodeLastRuneInString(prefix)
	var in func(rune) bool
	limit := 6
	switch {
	case unicode.Is(unicode.Han, r) || r == '々':
		in = func(r rune) bool { return unicode.Is(unicode.Han, r) || r == '々' }
		limit = 5
	case unicode.Is(unicode.Katakana, r) || r == 'ー':
		in = func(r rune) bool { return unicode.Is(unicode.Katakana, r) || r == 'ー' || r == '・' }
		limit = 12
	case unicode.Is(unicode.Hiragana, r):
		in = func(r rune) bool { return unicode.Is(unicode.Hiragana, r) }
		limit = 5
	default:
		return end
	}
	start, n := end, 0
	for start > 0 && n < limit {
		r, size := utf8.DecodeLastRuneInString(prefix[:start])
		if !in(r) {
			break
		}
		start -= size
		n++
	}
	return start
}

var (
	titled = regexp.MustCompile(`\b(?:Mr|Ms|Mrs|Mx|Dr|Prof|Herr|Herrn|Frau|Mme|Mlle|Señor|Señora|Signor|Signora)\.?\s+(\p{Lu}[\p{L}'-]+(?:\s\p{Lu}[\p{L}'-]+)?)`)
	// nameWord is a capitalized name: Chen, O'Brien, McDonald, Smith-Jones.
	nameWord    = `\p{Lu}(?:\p{Ll}+|['’]\p{Lu}\p{Ll}+)(?:\p{Lu}\p{Ll}+)?(?:-\p{Lu}\p{Ll}+)?`
	surnameWord = regexp.MustCompile(`\b` + nameWord + `\b`)
	// A lower-case given name where only a person fits: "talked with john",
	// "sarah said".
	lowerBefore     = regexp.MustCompile(`(?:\b(?i:with|and|to|from|for|cc|ask|asked|tell|told|ping|pinged|thank|thanks|meet|met|call|called|loop in|it's|it’s)\s+|\bw/\s*)(\p{Ll}+)\b`)
	latinInJapanese = regexp.MustCompile(`(?:^|[^A-Za-z0-9@._/-])(\p{Ll}{3,12})(?:さん|くん|ちゃん|様|が|は|と|に|の|も|から)`)
	lowerAfter      = regexp.MustCompile(`\b(\p{Ll}+)(?:'s|\s+(?:said|says|asked|asks|wants|wanted|thinks|thought|mentioned|agreed|will|was|is|has|had|told|and|or|who|who's|from))\b`)
	// Japanese honorifics in romaji: Tanaka-san, Sato-sensei.
	romajiHonorific = regexp.MustCompile(`\b(\p{Lu}\p{Ll}+)-(?:san|sama|kun|chan|sensei|senpai|bucho|buchou|kacho|kachou|shacho|shachou|tencho|tenchou)\b`)
	// A sign-off: "Thanks, Lucía Fernández" at the end of a note.
	signOff = regexp.MustCompile(`(?i:thanks|thank you|regards|best|cheers|sincerely|best regards|kind regards),?\s+(\p{Lu}\p{Ll}+(?:\s\p{Lu}\p{Ll}+)?)\s*[.!]?\s*$`)
)

// englishNames finds names after a title (Dr. Patel), and given names from
// the list, alone or with the capitalized word after them (Emily Clark).
func englishNames(raw string) []span {
	var out []span
	for _, re := range []*regexp.Regexp{titled, romajiHonorific, signOff} {
		for _, m := range re.FindAllStringSubmatchIndex(raw, -1) {
			out = append(out, span{m[2], m[3], Person})
		}
	}
	words := surnameWord.FindAllStringIndex(raw, -1)
	out = append(out, givenNameSpans(raw, words)...)
	out = append(out, surnameSpans(raw, words)...)
	out = append(out, unlistedNames(raw, words)...)
	return append(out, lowerCaseNames(raw)...)
}

// unlistedNames are capitalized words no name list has and no English
// dictionary either, where only a person fits ("Ebele said", "ask
// Bartholomew", "1on1 with Oyelaran"), with the next such word as the
// surname. The lists cannot hold every name; the context and the
// dictionary keep products and departments ("Finance said") out.
func unlistedNames(raw string, words [][]int) []span {
	var out []span
	for i := 0; i < len(words); i++ {
		m := words[i]
		if !unlisted(raw[m[0]:m[1]]) || !personContext(raw, m[0], m[1]) {
			continue
		}
		end := m[1]
		if i+1 < len(words) && raw[m[1]:words[i+1][0]] == " " && unlisted(raw[words[i+1][0]:words[i+1][1]]) {
			i++
			end = words[i][1]
		}
		out = append(out, span{m[0], end, Person})
	}
	return out
}

// unlisted reports whether the capitalized word w is in no name list and
// is no English word.
func unlisted(w string) bool {
	if utf8.RuneCountInString(w) < 3 || givenName(w) || surnames[w] || ambiguous[w] || notSurname[w] || placePrefix[w] {
		return false
	}
	l := strings.ToLower(w)
	base, _, _ := strings.Cut(l, "'")
	return !englishWords[l] && !englishWords[base] && !neverName[w]
}

// givenNameSpans are given names from the lists, with the capitalized word
// right after them as the surname ("Emily Clark", but not "Yuki's My
// Number").
func givenNameSpans(raw string, words [][]int) []span {
	var out []span
	for i, m := range words {
		if r, _ := utf8.DecodeLastRuneInString(raw[:m[0]]); m[0] > 0 && latinWordRune(r) {
			continue // inside a word (non-Russell); a name may touch Japanese (来週Priyaと)
		}
		w := raw[m[0]:m[1]]
		if !givenName(w) || imperative(raw, m[0], m[1]) || placePrefix[w] || placeAfter.MatchString(raw[m[1]:]) || monthUsed(raw, w, m[0], m[1]) ||
			i > 0 && raw[words[i-1][1]:m[0]] == " " && placePrefix[raw[words[i-1][0]:words[i-1][1]]] {
			continue // San Francisco, St. Louis
		}
		end, next := m[1], ""
		if i+1 < len(words) && raw[m[1]:words[i+1][0]] == " " && !notSurname[raw[words[i+1][0]:words[i+1][1]]] {
			end, next = words[i+1][1], raw[words[i+1][0]:words[i+1][1]]
		}
		// Bill, Grace, Hope: a name only with a surname after it or where
		// a person fits ("Grace said", "with Bill").
		if ambiguous[w] && !(surnames[next] && !ambiguous[next]) && !listedNameContext(raw, m[0], m[1]) {
			continue
		}
		out = append(out, span{m[0], end, Person})
	}
	return out
}

// surnameSpans are surnames from the lists, with the capitalized word
// right before them as the given name (with Siobhan McDonald), unless it
// starts the sentence (Ask Patel) or a place (San Francisco).
func surnameSpans(raw string, words [][]int) []span {
	var out []span
	for i, m := range words {
		w := raw[m[0]:m[1]]
		if !surnames[w] || imperative(raw, m[0], m[1]) || ambiguous[w] && !listedNameContext(raw, m[0], m[1]) {
			continue
		}
		start := m[0]
		if i > 0 && raw[words[i-1][1]:m[0]] == " " {
			prev := raw[words[i-1][0]:words[i-1][1]]
			if placePrefix[prev] {
				continue
			}
			if !sentenceStart(raw, words[i-1][0]) {
				start = words[i-1][0]
			}
		}
		out = append(out, span{start, m[1], Person})
	}
	return out
}

// lowerCaseNames are given names written in lower case where only a
// person fits: "talked with john", "sarah said".
func lowerCaseNames(raw string) []span {
	var out []span
	for _, re := range []*regexp.Regexp{lowerBefore, lowerAfter} {
		for _, m := range re.FindAllStringSubmatchIndex(raw, -1) {
			w := raw[m[2]:m[3]]
			name := strings.ToUpper(w[:1]) + w[1:]
			if len(w) < 3 || !givenNames[name] || latinPhrase(raw, m[2]) || afterDeterminer(raw, m[2]) || m[2] > 0 && raw[m[2]-1] == '-' {
				continue // Sato-san, the ward
			}
			// penny, rose: a word as often, so only before a verb of
			// saying ("penny says").
			if !ambiguous[name] || re == lowerAfter && sayingAfter.MatchString(raw[m[3]:]) {
				out = append(out, span{m[2], m[3], Person})
			}
		}
	}
	return out
}

// personContext reports whether the capitalized word raw[a:b] stands where
// only a person fits: before a verb of saying or doing ("Bill asked",
// "Will joins") or after a word that asks for a person ("with Grace",
// "cc Rose").
func personContext(raw string, a, b int) bool {
	return personAfter.MatchString(raw[b:]) || personBefore.MatchString(raw[:a]) ||
		listItemStart(raw, a) && ownerItem.MatchString(raw[b:])
}

// listItemStart reports whether raw[a:] starts a list item ("- Mark", not
// "Hope to close the deal").
func listItemStart(raw string, a int) bool {
	line := strings.TrimSpace(raw[strings.LastIndexByte(raw[:a], '\n')+1 : a])
	return line != "" && strings.Trim(line, "-*・•") == ""
}

// listedNameContext is personContext for a word a name list has: there
// Japanese or a parenthesis right after it is enough (see nameAside).
func listedNameContext(raw string, a, b int) bool {
	return personContext(raw, a, b) || nameAside.MatchString(raw[b:])
}

var (
	personAfter = regexp.MustCompile(`^(?:'s\s+(?:LinkedIn|email|e-mail|phone|number|mobile|partner|wife|husband|kids?|manager|desk|address|birthday|leave|last day|team|1on1|1:1)\b|(?:'s)?\s+(?:(?:can|will|could|would|should|might)\s+(?:cover|take|help|join|lead|own|review|handle|pair|run|present|send|check|share|draft|update|follow up)|and\s+\[(?:PERSON|Person|人物)\d+\]|gave|gives|sent|sends|paired|drew|built|wrote|ran|said|says|asked|asks|wants|wanted|thinks|thought|mentioned|agreed|told|joins|joined|left|leaves|replied|wrote|emailed|pinged|called|suggested|complained|reported|raised|shared|flagged|moves|moved|swaps|swapped|covers|covered|leads|owns|took|takes|starts|started|finished|presented|reviewed|approved|fixed|did|does|prefers|preferred|likes|liked|needs|needed|feels|felt|seems|seemed|still pending|is out|is off|is handling|was promoted|got promoted))\b`)
	// A role or an office in parentheses after it: "Rose (QA lead)",
	// Hope（米国オフィス）.
	nameAside    = regexp.MustCompile(`^\s?[（(][^（()）]{0,16}(?i:PM|VP|CEO|CTO|COO|CFO|lead|manager|engineer|director|intern|mentor|designer|エンジニア|マネージャー|リード|部長|課長|担当|オフィス|office|インターン|メンター|先輩|後輩|上司|同期|支社|本社)`)
	personBefore = regexp.MustCompile(`(?:\[(?:PERSON|Person|人物)\d+\]\s+and|\b(?i:with|ask|asked|tell|told|cc|ping|pinged|thanks to|thank|meet|met|call|called|email|emailed|suggested|recommended|introduced|shadow|shadowing|mentor|mentoring|mentored by|promote|promoted|praise|praised|move|moved|assign|assigned|pair|paired|onboard|onboarding|coach|coaching))\s+$`)
	// A list item's owner: "- Mark to pair with the new hire".
	ownerItem = regexp.MustCompile(`^\s+to\s+\p{Ll}+`)
)

// lowerNameContext reports whether raw[a:b], a word in lower case, stands
// where only a person fits: "with kit", "kit said", "kitさん".
func lowerNameContext(raw string, a, b int) bool {
	for _, re := range []*regexp.Regexp{lowerBefore, lowerAfter, latinInJapanese} {
		for _, m := range re.FindAllStringSubmatchIndex(raw, -1) {
			if m[2] == a && m[3] == b {
				return true
			}
		}
	}
	return false
}

// givenName reports whether w is a given name from the list, or a
// hyphenated one with one (Anne-Marie, Jean-Luc).
func givenName(w string) bool {
	if givenNames[w] {
		return true
	}
	a, b, ok := strings.Cut(w, "-")
	return ok && (givenNames[a] || givenNames[b])
}

// latinWordRune reports whether r continues a Latin word.
func latinWordRune(r rune) bool {
	return unicode.Is(unicode.Latin, r) || unicode.IsDigit(r) || r == '-'
}

// sentenceStart reports whether raw[i:] starts a sentence.
func sentenceStart(raw string, i int) bool {
	before := strings.TrimRight(raw[:i], " \t\"'(「")
	last, _ := utf8.DecodeLastRuneInString(before)
	return before == "" || strings.ContainsRune(".!?\n:;。！？", last)
}

// imperative reports whether the given name at raw[a:b] starts a sentence
// and is followed by an object ("Mark the date", "Bill it to the client"):
// the verb, not the person.
func imperative(raw string, a, b int) bool {
	if !sentenceStart(raw, a) {
		return false
	}
	next := strings.Fields(raw[b:])
	return len(next) > 0 && objectWords[strings.ToLower(strings.Trim(next[0], ",.;:"))]
}

// monthUsed reports whether w, a month that is also a name (April,
// June, August), stands as the month: after a word of time ("through
// April", "the April exam", "by June") or before a day or a year ("April
// 3", "June 2027").
func monthUsed(raw, w string, a, b int) bool {
	if !nameMonths[w] {
		return false
	}
	before := strings.Fields(strings.ToLower(raw[:a]))
	if len(before) > 0 && monthBefore[strings.Trim(before[len(before)-1], "(,")] {
		return true
	}
	return dayAfter.MatchString(raw[b:])
}

var (
	nameMonths  = setOf("April", "June", "August")
	monthBefore = setOf("in", "through", "thru", "until", "till", "by", "from", "since", "before", "after", "of", "early", "mid",
		"late", "next", "last", "this", "end", "during", "throughout", "the", "each", "every")
	dayAfter = regexp.MustCompile(`^\s*(?:\d{1,2}(?:st|nd|rd|th)?\b|['’]?\d{2,4}\b)`)
)

// sayingAfter follows a person: "penny says", "meg asked".
var sayingAfter = regexp.MustCompile(`^\s+(?:said|says|asked|asks|told|thinks|thought|mentioned|wants|wanted)\b`)

// latinPhrase reports whether the word at raw[a:] ends a Latin phrase
// (per diem, per se, ad hoc): a word, whatever a name list says.
func latinPhrase(raw string, a int) bool {
	f := strings.Fields(strings.ToLower(raw[:a]))
	return len(f) > 0 && (f[len(f)-1] == "per" || f[len(f)-1] == "ad" || f[len(f)-1] == "pro")
}

// afterDeterminer reports whether the word at raw[a:] follows an article
// or a possessive: "the ward says" is no person.
func afterDeterminer(raw string, a int) bool {
	f := strings.Fields(strings.ToLower(raw[:a]))
	return len(f) > 0 && objectWords[f[len(f)-1]]
}

// verbUse reports whether the word raw[a:b] is used as a verb: after "to"
// or a modal and before its object ("to chase the invoice", "will grant
// access"), not a name ("talked to john about it").
func verbUse(raw string, a, b int) bool {
	before := strings.Fields(strings.ToLower(raw[:a]))
	after := strings.Fields(strings.ToLower(raw[b:]))
	if len(before) == 0 || len(after) == 0 {
		return false
	}
	switch before[len(before)-1] {
	case "to", "will", "can", "must", "should", "could", "would", "please", "pls":
		next := strings.Trim(after[0], ",.;:")
		return objectWords[next] || englishWords[next] && !nameFollowers[next]
	}
	return false
}

// nameFollowers are words after a name, not a verb's object: "talked to
// john about it".
var nameFollowers = setOf("about", "yesterday", "today", "tomorrow", "again", "later", "too", "first", "directly", "and", "or", "on", "in", "at", "before", "after", "re", "regarding")

var objectWords = setOf("the", "a", "an", "this", "that", "these", "those", "it", "them", "your", "my", "our", "their",
	"his", "her", "down", "up", "off", "as", "all", "each", "every", "any")

// placeAfter follows a given name that names a place: Victoria office,
// Florence branch.
var placeAfter = regexp.MustCompile(`^ (?:office|branch|station|campus|site|plant|airport|hotel|store|warehouse|HQ|hub|line|park|depot|factory|lab)\b`)

// placePrefix starts place names made of a given name: San Francisco.
var placePrefix = setOf("San", "Santa", "Los", "Las", "St", "Saint", "Fort", "New", "Port", "Mount", "Lake", "Cape", "El", "La", "Le")

// notSurname are capitalized words that follow a given name without being
// a surname.
var notSurname = setOf("Mr", "Ms", "Mrs", "Mx", "Dr", "Prof", "Group", "Inc", "Ltd", "Company", "Team", "Bank", "University", "College", "School", "Hospital",
	"Street", "Road", "Office", "Center", "Centre", "Project", "Award", "Prize", "Foundation", "Institute", "Labs",
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
	"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
	"November", "December", "The", "And", "But", "Or", "I", "We", "He", "She", "They", "It")

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
