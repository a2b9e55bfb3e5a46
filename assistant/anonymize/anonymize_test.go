package anonymize

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

var shared = sync.OnceValues(New)

func redactor(t testing.TB) *Redactor {
	t.Helper()
	r, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type labelled struct {
	ID    string   `json:"id"`
	Lang  string   `json:"lang"`
	Text  string   `json:"text"`
	Terms []string `json:"terms"`
	Mask  []struct {
		Text string `json:"text"`
		Kind Kind   `json:"kind"`
	} `json:"mask"`
	Keep []string `json:"keep"`
	// Member lists the forms of the member's name the manager gave;
	// mask spans of kind "member" must read as the member.
	Member []string `json:"member"`
	// Same groups mask texts that are one person: one placeholder each.
	Same [][]string `json:"same"`
}

// redactionSets are measured by TestLabelledSet, with the least recall and
// keep rate each must hold. labelled.jsonl was in view while the
// detectors were written; each later set was written by a helper who had
// not seen them, and its first run is recorded (fixes made after a run
// make later runs of that set optimistic).
var redactionSets = []struct {
	name             string
	recall, keepRate float64
	firstRun         string
}{
	{"labelled", 0.95, 0.97, "development set"},
	{"heldout", 0.95, 0.97, "recall 0.896, precision 1.000"},
	{"heldout2", 0.95, 0.97, "recall 0.951, precision 0.930"},
	// heldout3 (251 notes, with member forms and people named several
	// ways) was sealed until the pseudonyms, kana and romaji names were
	// in; its first complete run (the first attempt stopped on a one-kanji
	// member form, 凛, which the API then refused and now takes):
	// recall 0.840 (person 0.749, member 1.000, postal_code 0.500,
	// url 0.786, email 0.857, address 0.947, employee_id 0.933; card,
	// my_number, phone 1.000), keep rate 0.986, precision 0.976, one
	// placeholder per person 15/47. Spent since: fixes after it make
	// later runs optimistic.
	{"heldout3", 0.80, 0.97, "recall 0.840, keep rate 0.986, precision 0.976, one placeholder per person 15/47"},
	// heldout4 (244 notes, written blind while heldout3's misses were
	// being fixed, sealed until its single first run): recall 0.855
	// (person 0.809, member 0.935, card 0.636, my_number 0.455,
	// employee_id 0.750, address 0.929, phone 0.941, postal_code 0.923,
	// email and url 1.000), keep rate 0.989, precision 0.970, one
	// placeholder per person 70/82.
	{"heldout4", 0.82, 0.97, "recall 0.855, keep rate 0.989, precision 0.970, one placeholder per person 70/82"},
	// heldout5 (204 notes, written blind after heldout4's fixes and the
	// name lists, sealed until its single first run): recall 0.901
	// (person 0.814, member 0.975, phone 0.905, postal_code 0.909,
	// employee_id 0.929, address 0.933; card, email, my_number, url
	// 1.000), keep rate 0.991, precision 0.977, one placeholder per person
	// 65/78.
	{"heldout5", 0.87, 0.97, "recall 0.901, keep rate 0.991, precision 0.977, one placeholder per person 65/78"},
	// heldout6 (278 notes, written blind while the audit trail was built,
	// run once): recall 0.882 (person 0.804, member 0.982, address 0.933,
	// my_number 0.909, the rest 1.000), keep rate 0.991, precision 0.983,
	// one placeholder per person 55/62. Misses: @-mentions and lists of
	// Japanese surnames, kanji given names alone, katakana foreign names,
	// Latin names touching Japanese, lower-case and word-like English
	// names.
	{"heldout6", 0.86, 0.97, "recall 0.882, keep rate 0.991, precision 0.983, one placeholder per person 55/62"},
	// dev1 (300 notes, written blind as a development set, tuned on):
	// first run recall 0.901 (person 0.832), keep rate 0.993, precision
	// 0.981, one placeholder per person 57/61.
	// heldout7 (299 notes, written blind while the model path was built,
	// adversarial on lists, compounds, given names alone, katakana and
	// word-like names; sealed until the context rules were in, run once):
	// recall 0.876 (person 0.820, member 0.989, address 0.933,
	// employee_id 0.923, my_number 0.900, phone 0.895; card, email,
	// postal_code, url 1.000), keep rate 0.991, precision 0.985, one
	// placeholder per person 44/58. Its notes were not read.
	{"heldout7", 0.85, 0.97, "recall 0.876, keep rate 0.991, precision 0.985, one placeholder per person 44/58"},
	// dev2 (320 notes, written blind as a development set, adversarial on
	// person names; tuned on since): first run with the name tagger,
	// recall 0.930 (person 0.889), keep rate 0.992, precision 0.980, one
	// placeholder per person 56/59.
	// heldout8 (315 notes, written blind, sealed until the name tagger was
	// trained, run once): recall 0.963 (person 0.965, member 1.000,
	// address 0.941, my_number 0.692, postal_code 0.769; card, email,
	// employee_id, phone, url 1.000), keep rate 0.989, precision 0.973,
	// one placeholder per person 37/40. Its notes were not read.
	{"heldout8", 0.94, 0.97, "recall 0.963, keep rate 0.989, precision 0.973, one placeholder per person 37/40"},
	// heldout9 (304 notes, written blind with many look-alikes, sealed
	// until the tagger was trained on dev3, run once): recall 0.965
	// (person 0.963, member 0.984, employee_id 0.870, address 0.950,
	// email 0.941, postal_code 0.941; card, my_number, phone, url 1.000),
	// keep rate 0.977, precision 0.936, one placeholder per person 22/25.
	// Its notes were not read.
	{"heldout9", 0.94, 0.96, "recall 0.965, keep rate 0.977, precision 0.936, one placeholder per person 22/25"},
	// heldout10 (276 notes, written blind, sealed until the last rules of
	// the session, run once): recall 0.975 (person 0.988, member 0.990,
	// address 0.833, employee_id 0.800, my_number 0.818; card, email,
	// phone, postal_code, url 1.000), keep rate 0.992, precision 0.966,
	// one placeholder per person 21/23. Its notes were not read.
	{"heldout10", 0.95, 0.97, "recall 0.975, keep rate 0.992, precision 0.966, one placeholder per person 21/23"},
	// heldout11 (281 notes, written blind, sealed until the format fixes
	// of the session's end, run once): recall 0.972 (person 0.965, member
	// 1.000, address 0.824, employee_id 0.941; card, email, my_number,
	// phone, postal_code, url 1.000), keep rate 0.986, precision 0.971,
	// one placeholder per person 22/23. Its notes were not read.
	{"heldout11", 0.95, 0.97, "recall 0.972, keep rate 0.986, precision 0.971, one placeholder per person 22/23"},
	// heldout12 (240 notes, written blind while dev4 was being fixed,
	// sealed until the session's last redaction change, run once): recall
	// 0.982 (person 0.972, member 0.986; address, card, email,
	// employee_id, my_number, phone, postal_code, url 1.000), keep rate
	// 0.981, precision 0.966, one placeholder per person 30/35. Its notes
	// were not read.
	{"heldout12", 0.97, 0.97, "recall 0.982, keep rate 0.981, precision 0.966, one placeholder per person 30/35"},
	{"dev2", 0.92, 0.98, "recall 0.930, keep rate 0.992, precision 0.980, one placeholder per person 56/59"},
	// dev3 (320 notes, written blind as a development set, all kinds
	// spread; tuned on since): first run recall 0.955 (person 0.941,
	// employee_id 0.862, postal_code 0.864, address 0.917), keep rate
	// 0.988, precision 0.972, one placeholder per person 41/48.
	{"dev3", 0.95, 0.98, "recall 0.955, keep rate 0.988, precision 0.972, one placeholder per person 41/48"},
	// dev4 (320 notes, written blind as a development set on the hardest
	// classes: names after の and in compounds, nicknames, word-like and
	// lower-case English names, addresses without a prefecture, foreign
	// streets; tuned on since): first run recall 0.945 (person 0.912,
	// address 0.931, phone 0.955), keep rate 0.988, precision 0.978, one
	// placeholder per person 49/53.
	{"dev4", 0.96, 0.98, "recall 0.945, keep rate 0.988, precision 0.978, one placeholder per person 49/53"},
	// dev5 (260 notes, written blind on ordinary words that read as names:
	// katakana loanwords and jargon (コールセンター, ゲート, ポモドーロ),
	// お詫び, みどりの窓口, capitalized words opening an English sentence
	// ("Comp's done!", "Storm survey update:"), with names in the same
	// places): first run recall 0.975 (person 0.964, member 1.000), keep
	// rate 0.932, precision 0.766. Training the tagger on it lifted its
	// precision to 0.92-0.94 but cost held-out recall (heldout8 0.977 to
	// 0.965-0.967 at thresholds 0.3-0.5): not shipped.
	{"dev5", 0.97, 0.93, "recall 0.975, keep rate 0.932, precision 0.766, one placeholder per person 15/16"},
	{"dev1", 0.95, 0.98, "recall 0.901, keep rate 0.993, precision 0.981, one placeholder per person 57/61"},
}

// TestLabelledSet measures, per set and per kind, recall (labelled spans
// masked, every occurrence; the member's forms read as the member), the
// keep rate (keep spans that survive) and precision (masked spans that are
// labelled), and how often a person named several ways keeps one
// placeholder.
func TestLabelledSet(t *testing.T) {
	for _, set := range redactionSets {
		t.Run(set.name, func(t *testing.T) {
			recall, keep := testSet(t, "testdata/"+set.name+".jsonl")
			if recall < set.recall || keep < set.keepRate {
				t.Errorf("recall %.3f, keep rate %.3f; want at least %.2f and %.2f (first run: %s)", recall, keep, set.recall, set.keepRate, set.firstRun)
			}
		})
	}
}

func readLabelled(t *testing.T, path string) []labelled {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c labelled
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if len(cases) < 45 {
		t.Fatalf("%d labelled notes, want at least 45", len(cases))
	}
	return cases
}

// kindTally counts one kind's labelled spans and how many were masked.
type kindTally struct{ want, found int }

func testSet(t *testing.T, path string) (recall, keepRate float64) {
	recall, keepRate, _ = measure(t, redactor(t), path, true)
	return recall, keepRate
}

// measure redacts a labelled set with r and returns recall, keep rate and
// precision; verbose logs every miss and the figures.
func measure(t *testing.T, r *Redactor, path string, verbose bool) (recall, keepRate, precision float64) {
	cases := readLabelled(t, path)
	logf := func(format string, args ...any) {
		if verbose {
			t.Logf(format, args...)
		}
	}
	k, err := NewKeyer([]byte("a test secret of sixteen bytes or more"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]*kindTally{}
	var masked, correct, keepN, kept, sameN, sameOK int
	for _, c := range cases {
		s := c.session(r, k)
		// Precision: what the detectors mask is labelled.
		for _, sp := range r.find(c.Text, c.Terms, s) {
			masked++
			if c.labelled(sp.start, sp.end) {
				correct++
			} else {
				logf("%s: masked %q as %s, not labelled", c.ID, c.Text[sp.start:sp.end], sp.kind)
			}
		}
		out, _ := r.Redact(c.Text, s, c.Terms)
		got := out.String()
		for _, m := range c.Mask {
			kt := kinds[m.Kind]
			if kt == nil {
				kt = &kindTally{}
				kinds[m.Kind] = kt
			}
			kt.want++
			ok := !strings.Contains(got, m.Text)
			if m.Kind == Member {
				ok = ok && (strings.Contains(got, "本人") || strings.Contains(got, "[MEMBER]"))
			}
			if ok {
				kt.found++
			} else {
				logf("%s: %s %q not masked: %s", c.ID, m.Kind, m.Text, got)
			}
		}
		for _, keep := range c.Keep {
			keepN++
			if strings.Contains(got, keep) {
				kept++
			} else {
				logf("%s: %q should survive: %s", c.ID, keep, got)
			}
		}
		for _, group := range c.Same {
			sameN++
			if c.onePlaceholder(r, c.session(r, k), group) {
				sameOK++
			} else {
				logf("%s: %q are one person but got several placeholders: %s", c.ID, group, got)
			}
		}
	}
	var want, found int
	var per []string
	order := slices.Sorted(maps.Keys(kinds))
	for _, kind := range order {
		kt := kinds[kind]
		want, found = want+kt.want, found+kt.found
		per = append(per, fmt.Sprintf("%s %.3f (%d/%d)", kind, float64(kt.found)/float64(kt.want), kt.found, kt.want))
	}
	recall = float64(found) / float64(want)
	keepRate = 1
	if keepN > 0 {
		keepRate = float64(kept) / float64(keepN)
	}
	precision = float64(correct) / float64(max(masked, 1))
	logf("redaction on %s, %d notes: recall %.3f (%d/%d spans), keep rate %.3f (%d/%d), precision %.3f (%d/%d masks labelled), one placeholder per person %d/%d; by kind: %s",
		path, len(cases), recall, found, want, keepRate, kept, keepN, precision, correct, masked, sameOK, sameN, strings.Join(per, ", "))
	return recall, keepRate, precision
}

// session is a fresh session for the note: about the member when the
// note gives the member's name forms.
func (c labelled) session(r *Redactor, k *Keyer) *Session {
	if len(c.Member) == 0 {
		return NewSession(c.Lang)
	}
	forms, err := r.MemberNames(k, c.ID, c.Member)
	if err != nil {
		panic(fmt.Sprintf("%s: member forms %q: %v", c.ID, c.Member, err))
	}
	return NewMemberSession(c.Lang, k, c.ID, nil, forms)
}

// labelled reports whether raw[a:b] overlaps a labelled span.
func (c labelled) labelled(a, b int) bool {
	for _, m := range c.Mask {
		for i := 0; ; {
			j := strings.Index(c.Text[i:], m.Text)
			if j < 0 {
				break
			}
			s := i + j
			if a < s+len(m.Text) && s < b {
				return true
			}
			i = s + len(m.Text)
		}
	}
	return false
}

// onePlaceholder reports whether every text of group, where it occurs, is
// replaced by the same placeholder.
func (c labelled) onePlaceholder(r *Redactor, s *Session, group []string) bool {
	var spans []span
	for _, sp := range r.find(c.Text, c.Terms, s) {
		spans = append(spans, sp)
	}
	seen := ""
	for _, sp := range spans {
		v := c.Text[sp.start:sp.end]
		if !slices.Contains(group, v) {
			continue
		}
		k, n := r.number(s, sp.kind, v)
		p := s.placeholder(k, n)
		if seen != "" && p != seen {
			return false
		}
		seen = p
	}
	return seen != ""
}

func TestConsistentPlaceholders(t *testing.T) {
	r := redactor(t)
	s := NewSession("ja")
	a, rep := r.Redact("田中さんと佐藤さんが話し、田中さんが結論を出した。", s, nil)
	b, _ := r.Redact("翌週、田中さんから連絡があった。", s, nil)
	if a.String() != "[人物1]さんと[人物2]さんが話し、[人物1]さんが結論を出した。" || b.String() != "翌週、[人物1]さんから連絡があった。" {
		t.Errorf("got %q and %q", a, b)
	}
	if rep[Person] != 3 {
		t.Errorf("report %v, want 3 person masks", rep)
	}
	en, _ := r.Redact("Ask Dr. Patel, then email pat@example.com.", NewSession("en"), nil)
	if en.String() != "Ask Dr. [PERSON1], then email [EMAIL1]." {
		t.Errorf("got %q", en)
	}
}

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]*[A-Za-z]{2,}`)
	phoneRE = regexp.MustCompile(`\b0\d{1,4}-\d{1,4}-\d{4}\b|\+\d{1,3}[ -]\d{2,4}[ -]\d{3,4}[ -]\d{3,4}`)
)

// FuzzRedact: the redactor never panics and never lets an email address or
// a phone number through, whatever surrounds them.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"田中さん", "mail a@b.co now", "tel 090-1234-5678。", "〒100-0001 東京都千代田区1-1", "Dr. X", "", "\xff\xfe"} {
		f.Add(s, "x@example.com", "03-1234-5678")
	}
	r, err := shared()
	if err != nil {
		f.Fatal(err)
	}
	k, _ := NewKeyer([]byte("0123456789abcdef"))
	forms, err := r.MemberNames(k, "m", []string{"田中", "たなか", "Tanaka", "ﾀﾅｶ"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text, email, phone string) {
		r.Redact(text, NewSession("ja"), nil) // must not panic on any input
		r.Redact(text, NewMemberSession("en", k, "m", []Pseudonym{{Person, "00", 3}}, forms), nil)
		if !emailRE.MatchString(email) || emailRE.FindString(email) != email || !phoneRE.MatchString(phone) || phoneRE.FindString(phone) != phone {
			return
		}
		in := text + " " + email + " と " + phone + " "
		got, _ := r.Redact(in, NewSession("ja"), nil)
		if strings.Contains(got.String(), email) {
			t.Errorf("email %q survived in %q", email, got)
		}
		if strings.Contains(got.String(), phone) {
			t.Errorf("phone %q survived in %q", phone, got)
		}
	})
}

// Formats that used to slip through (issue 11): phones with spaces, ids
// after other labels, addresses without a prefecture, street addresses;
// and ordinary words that must stay.
func TestFormatsThatSlipped(t *testing.T) {
	r := redactor(t)
	for _, tc := range []struct {
		text, gone string
		kind       Kind
	}{
		{"携帯は 090 8765 4321 です", "8765", Phone},
		{"call me at (555) 123-4567 tomorrow", "123-4567", Phone},
		{"社員コード: A12345 の件", "A12345", EmployeeID},
		{"従業員番号 004512 を確認", "004512", EmployeeID},
		{"staff no. 88231 asked for leave", "88231", EmployeeID},
		{"社員ID：EMP-2231 の申請", "2231", EmployeeID},
		{"実家は大阪市北区梅田3丁目1番5号です", "梅田3丁目", Address},
		{"横浜市中区山下町123番地に引っ越した", "山下町123", Address},
		{"She lives at 221 Baker Street now", "Baker Street", Address},
		{"reach me on ext. 4412", "4412", Phone},
		{"阿部課長に確認した", "阿部", Person},
		{"長谷部さんから連絡があった", "長谷部", Person},
	} {
		got, rep := r.Redact(tc.text, NewSession("ja"), nil)
		if strings.Contains(got.String(), tc.gone) || rep[tc.kind] == 0 {
			t.Errorf("%q -> %q (%v), want %s masked", tc.text, got.String(), rep, tc.kind)
		}
	}
	for _, text := range []string{"森の中を散歩するのが好き", "Mark the date in the calendar", "お客さんとの打ち合わせ", "3丁目の角を曲がる", "version 2.1.3 released",
		"11 contracts auto-renew in the next 90 days",
		// An English word that is also a romaji name, opening a sentence.
		"Some useful bits - would really love the liaison intro.",
		// Adverbs before the adverb ちゃんと.
		"もう少しちゃんと話したかったです",
		// A role before an honorific, and a kana verb going on conjugating.
		"班長さんとの進め方も含めて相談したい", "工場長さんに確認した", "介護記録の書き方がまだよくわからず、毎回先輩に直してもらっています",
		// A role or a unit before an honorific, and a stem before its okurigana.
		"第4ラインの検査員さんへの説明を少しずつ進めています", "審査部次長の件は日程が合わず", "お客様が声を荒げた件で",
		// A trade before an honorific.
		"獣医師さんとのことも少し話したいです", "看護師さんに聞いた", "保育士さんの配置", "運転手さんに渡した"} {
		if got, rep := r.Redact(text, NewSession("en"), nil); got.String() != text {
			t.Errorf("%q was masked: %q (%v)", text, got.String(), rep)
		}
	}
}

// TestMemberSession: within one member's history a person keeps one
// placeholder across saves, name variants of one person share it, and the
// member's own name forms become 本人, however they are written.
func TestMemberSession(t *testing.T) {
	r := redactor(t)
	k, err := NewKeyer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	forms, err := r.MemberNames(k, "member-1", []string{"佐藤 美咲", "美咲", "みさき", "Misaki"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forms {
		if strings.Contains(f.Digest, "misaki") || len(f.Digest) != 32 {
			t.Fatalf("a stored form is not a digest: %+v", f)
		}
	}
	var known []Pseudonym
	save := func(text string) string {
		s := NewMemberSession("ja", k, "member-1", known, forms)
		out, _ := r.Redact(text, s, nil)
		known = append(known, s.Added()...)
		return out.String()
	}
	first := save("田中課長から、美咲さんの提案がよかったと聞いた。鈴木さんも同意。")
	second := save("Tanaka said the proposal was good. みさきは次も挑戦したいと言っていた。MISAKI agreed.")
	third := save("鈴木さんと田中さんに共有する。ミサキちゃんの発表は来週。")
	for _, tc := range []struct{ text, want string }{
		{first, "[人物1]課長から、本人の提案がよかったと聞いた。[人物2]さんも同意。"},
		// Tanaka alone is no name the detectors know: the history does.
		{second, "[人物1] said the proposal was good. 本人は次も挑戦したいと言っていた。本人 agreed."},
		{third, "[人物2]さんと[人物1]さんに共有する。本人の発表は来週。"},
	} {
		if tc.text != tc.want {
			t.Errorf("got  %s\nwant %s", tc.text, tc.want)
		}
	}
	// Another member's history numbers the same people independently, and
	// does not know this member's name.
	other := NewMemberSession("ja", k, "member-2", nil, nil)
	if out, _ := r.Redact("美咲さんと鈴木さん", other, nil); out.String() != "[人物1]さんと[人物2]さん" {
		t.Errorf("another member: %s", out)
	}
	// A form is matched as a word, not inside another one.
	forms, _ = r.MemberNames(k, "member-3", []string{"ゆい", "Jo", "田中", "ミカ"})
	s := NewMemberSession("en", k, "member-3", nil, forms)
	for text, want := range map[string]string{
		"ゆいは元気":                   "[MEMBER]は元気",
		"Jo said no, John agreed": "[MEMBER] said no, [PERSON1] agreed",
		"ミカンを買った":                 "ミカンを買った",
		"タナカさんに相談":                "[MEMBER]に相談",
		"田中課長に相談":                 "[MEMBER]に相談",
		"joke":                    "joke",
	} {
		if out, _ := r.Redact(text, s, nil); out.String() != want {
			t.Errorf("%q -> %q, want %q", text, out, want)
		}
	}
	if _, err := r.MemberNames(k, "m", []string{"a"}); err == nil {
		t.Error("a one-letter form was accepted")
	}
	// One kanji is a name form (凛), matched before an honorific or a
	// particle only.
	forms, _ = r.MemberNames(k, "member-4", []string{"凛"})
	s = NewMemberSession("ja", k, "member-4", nil, forms)
	for text, want := range map[string]string{"凛さんが発表した": "本人が発表した", "凛は元気": "本人は元気", "凛々しい態度": "凛々しい態度", "凛然と": "凛然と"} {
		if out, _ := r.Redact(text, s, nil); out.String() != want {
			t.Errorf("%q -> %q, want %q", text, out, want)
		}
	}
}

// TestNamesWithoutKanji: names written in kana or Latin letters, names the
// old lists did not know, and the words around them that must stay.
func TestNamesWithoutKanji(t *testing.T) {
	checkRedactions(t, []redaction{
		{"ミサキです。来週の件で相談したい", "[人物1]です。来週の件で相談したい"},
		{"けんたが資料を作った", "[人物1]が資料を作った"},
		{"ハルキの提案はよかった", "[人物1]の提案はよかった"},
		{"タナカに確認した", "[人物1]に確認した"},
		{"鈴木チームの案件", "[人物1]チームの案件"},
		{"Haruki finished the deck", "[PERSON1] finished the deck"},
		{"Taku will join, and Yamada Taro too", "[PERSON1] will join, and [PERSON2] too"},
		{"Becky Chen and Dave Miller reviewed it; Mike O'Brien left", "[PERSON1] and [PERSON2] reviewed it; [PERSON3] left"},
		{"talked with john about it, then sarah said no", "talked with [PERSON1] about it, then [PERSON2] said no"},
		{"Ask Patel before Friday", "Ask [PERSON1] before Friday"},
		{"四月一日（わたぬき）さんと、田中（たなか）課長", "[人物1]さんと、[人物2]課長"},
		{"[人物1]さんと[人物2]さん、ソフィアが参加", "[人物1]さんと[人物2]さん、[人物3]が参加"},
		{"今朝のstandupでtakuが「hiroさんのレビュー待ち」", "今朝のstandupで[人物1]が「[人物2]さんのレビュー待ち」"},
		{"ゆっきーとなっちゃん、[人物1]くんとりょうくん", "[人物2]と[人物3]ちゃん、[人物1]くんと[人物4]くん"},
		{"けいこ先輩とひかりさん", "[人物1]先輩と[人物2]さん"},
		{"Reach her at misaki.h [at] example.com or becky.chen.1992 at example dot com", "Reach her at [EMAIL1] or [EMAIL2]"},
		{"Mail it to Austin, TX 78731 or London NW1 6XE", "Mail it to Austin, TX [POSTCODE1] or London [POSTCODE2]"},
		{"マイナンバー 1234 5678 9012、注文番号 202405311235", "マイナンバー [個人番号1]、注文番号 202405311235"},
		// Words that look like names and are not.
		{"portfolio at behance.net is public", "portfolio at behance.net is public"},
		{"1on1またリスケしちゃった", "1on1またリスケしちゃった"},
		{"言い方がキツくなってないか", "言い方がキツくなってないか"},
		{"初マネ1週間目", "初マネ1週間目"},
		{"ちなみに来週は休みです", "ちなみに来週は休みです"},
		{"問題はないです", "問題はないです"},
		{"I am from China, and the park is long", "I am from China, and the park is long"},
		{"Mark the date. Will you join?", "Mark the date. Will you join?"},
		{"森の中を散歩した。お客さんから連絡", "森の中を散歩した。お客さんから連絡"},
		{"ケースバイケースで、リードを取る", "ケースバイケースで、リードを取る"},
		{"自動発注の話も含めて、どうするのがいいか一緒に考えたい", "自動発注の話も含めて、どうするのがいいか一緒に考えたい"},
		{"一度ちゃんと話したい。もう一回ちゃんと確認する", "一度ちゃんと話したい。もう一回ちゃんと確認する"},
		{"評価もサクッと伝えて、ササッと片付ける", "評価もサクッと伝えて、ササッと片付ける"},
		{"花子ちゃんと遊ぶ", "[人物1]ちゃんと遊ぶ"},
		{"本人は『少しすっきりした』と言っていた", "本人は『少しすっきりした』と言っていた"},
		{"改善案を紙1枚に書いて杜氏に渡す。同氏の了承も取った", "改善案を紙1枚に書いて杜氏に渡す。同氏の了承も取った"},
		// Kana words kagome splits into pieces the tagger reads as names.
		{"年末のおせち予約が重なって、どうしよう。", "年末のおせち予約が重なって、どうしよう。"},
		{"けんたとゆうきが来た、しょうたさんに任せた", "[人物1]と[人物2]が来た、[人物3]さんに任せた"},
		{"Co-write the toolbox talk notes; Jean-Luc will review", "Co-write the toolbox talk notes; [PERSON1] will review"},
	})
}

// redaction is a text and what redacting it in a fresh session gives.
type redaction struct{ text, want string }

func checkRedactions(t *testing.T, cases []redaction) {
	t.Helper()
	r := redactor(t)
	for _, tc := range cases {
		lang := "ja"
		if !strings.ContainsFunc(tc.text, func(r rune) bool { return r > 0x3000 }) {
			lang = "en"
		}
		if out, _ := r.Redact(tc.text, NewSession(lang), nil); out.String() != tc.want {
			t.Errorf("%q -> %q, want %q", tc.text, out, tc.want)
		}
	}
}

// TestNamesByContext: where only a person fits, a word is taken for a
// name that no list or dictionary reading gives away; the same words
// elsewhere are left alone.
func TestNamesByContext(t *testing.T) {
	checkRedactions(t, []redaction{
		{"ベトナム語ができるフォンさんに通訳を頼んだ", "ベトナム語ができる[人物1]さんに通訳を頼んだ"},
		{"Markさんから資料が来ました", "[人物1]さんから資料が来ました"},
		{"[人物1]・清水・四十物で夜間工事", "[人物1]・[人物2]・[人物3]で夜間工事"},
		{"デモは亮・拓海・[人物1]の3人", "デモは[人物2]・[人物3]・[人物1]の3人"},
		{"交換申請（[人物1]⇔宮内）", "交換申請（[人物1]⇔[人物2]）"},
		{"子どもの陽菜が小学校に上がる", "子どもの[人物1]が小学校に上がる"},
		{"ゆいです🙏 明日の研修", "[人物1]です🙏 明日の研修"},
		{"オブライエン（O'Brien）さんが常駐", "[人物1]さんが常駐"},
		{"Rose（米国PM）が来日", "[人物1]（米国PM）が来日"},
		{"安全書類の提出（担当：関）", "安全書類の提出（担当：[人物1]）"},
		{"山口チームとの関係は良好。佐藤名義の口座", "[人物1]チームとの関係は良好。[人物2]名義の口座"},
		{"入居者はクマール一家", "入居者は[人物1]一家"},
		{"[人物1]（@[人物2]）とイ・ソヨンの対立", "[人物1]（@[人物2]）と[人物3]の対立"},
		{"hey it's taku. can we talk?", "hey it's [PERSON1]. can we talk?"},
		{"- Mark to pair with the new hire", "- [PERSON1] to pair with the new hire"},
		// The same places with no name in them.
		{"営業・経理・[人物1]で対応", "営業・経理・[人物1]で対応"},
		{"夫の実家に帰省。上司の指示が曖昧。母のマイナンバーを書く", "夫の実家に帰省。上司の指示が曖昧。母のマイナンバーを書く"},
		{"スタッフさんに連絡。開発チームと東京チーム", "スタッフさんに連絡。開発チームと東京チーム"},
		{"現場（型枠）の工程を確認。森林組合へ視察", "現場（型枠）の工程を確認。森林組合へ視察"},
		{"故・[人物1]様の長男から苦情", "故・[人物1]様の長男から苦情"},
		{"Hope to close the deal. Jiraのチケットを整理", "Hope to close the deal. Jiraのチケットを整理"},
		{"目標の立て方について相談。みかん畑", "目標の立て方について相談。みかん畑"},
		{"Rさんと Aさん、メンバー3の件", "Rさんと Aさん、メンバー3の件"},
		{"Rota has to be published in 10 days. Easter rota sorted with two Saturday volunteers.", "Rota has to be published in 10 days. Easter rota sorted with two Saturday volunteers."},
		// A manager's plan: the か of a volitional is no name (かな is).
		{"今回お願いしようかなと。任せてみようかと思う。言おうかな", "今回お願いしようかなと。任せてみようかと思う。言おうかな"},
		{"「そうですね」と受け止めてから話す", "「そうですね」と受け止めてから話す"},
		// Punctuation is nobody's name; countries' kanji listed are languages.
		{"Thinking of skipping Member O's 1on1 this week", "Thinking of skipping Member O's 1on1 this week"},
		{"多言語案内シート(英・中・韓)を試作する。亮・翔の2人で", "多言語案内シート(英・中・韓)を試作する。[人物1]・[人物2]の2人で"},
		{"47 of 63 flagged trees in Riverside Park inspected, then North Park", "47 of 63 flagged trees in Riverside Park inspected, then North Park"},
		{"Ms Park and Jimin Park joined", "Ms [PERSON1] and [PERSON1] joined"},
		// A sentence opening on a hyphenated word; names before a hyphen.
		{"OTP 91%. De-icing roster for the winter is done.", "OTP 91%. De-icing roster for the winter is done."},
		{"The Kim-led team is fine. Tanaka-san agreed.", "The [PERSON1]-led team is fine. [PERSON2]-san agreed."},
		{"アンケートで見えた不満点(スマホで書類を添付しにくい等)", "アンケートで見えた不満点(スマホで書類を添付しにくい等)"},
	})
}

// TestNameParts: a given name or surname alone is the person whose full
// name the session saw, unless two people share it.
func TestNameParts(t *testing.T) {
	r := redactor(t)
	for _, tc := range []struct{ text, want string }{
		{"Siobhan O'Brien joined. Siobhan wants to move teams.", "[PERSON1] joined. [PERSON1] wants to move teams."},
		{"Priya asked first; later Priya Raman agreed.", "[PERSON1] asked first; later [PERSON1] agreed."},
		{"Siobhan O'Brien and Siobhan Kelly paired. Siobhan said yes.", "[PERSON1] and [PERSON2] paired. [PERSON3] said yes."},
		{"山田太郎さんが来た。山田さんは元気。", "[人物1]さんが来た。[人物1]さんは元気。"},
	} {
		lang := "en"
		if strings.ContainsFunc(tc.text, func(r rune) bool { return r > 0x3000 }) {
			lang = "ja"
		}
		if out, _ := r.Redact(tc.text, NewSession(lang), nil); out.String() != tc.want {
			t.Errorf("%q -> %q, want %q", tc.text, out, tc.want)
		}
	}
}

// TestLongestMemberForm: where a short and a long form of the member both
// match (Jen, Jennifer), the long one is masked, every time (the forms
// were once tried in map order).
func TestLongestMemberForm(t *testing.T) {
	r := redactor(t)
	k, err := NewKeyer([]byte("a test secret of sixteen bytes or more"))
	if err != nil {
		t.Fatal(err)
	}
	forms, err := r.MemberNames(k, "m1", []string{"Jen", "Jennifer", "Jennifer Okafor"})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		out, _ := r.Redact("Jennifer Okafor said Jennifer and Jen agree.", NewMemberSession("en", k, "m1", nil, forms), nil)
		if got := out.String(); got != "[MEMBER] said [MEMBER] and [MEMBER] agree." {
			t.Fatalf("got %q", got)
		}
	}
}

func TestTextCut(t *testing.T) {
	r := redactor(t)
	masked, _ := r.Redact("昨日、田中さんと来期の目標を話した。", NewSession("ja"), nil)
	for _, tt := range []struct {
		n    int
		want string
	}{
		{100, "昨日、[人物1]さんと来期の目標を話した。"},
		{5, "昨日、…"},      // [人物1] would be split: dropped whole
		{8, "昨日、[人物1]…"}, // kept whole
	} {
		if got := masked.Cut(tt.n).String(); got != tt.want {
			t.Errorf("Cut(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	var back Text
	if err := back.Scan(masked.String()); err != nil || !back.Equal(masked) {
		t.Errorf("Scan: %q, %v", back, err)
	}
	b, _ := json.Marshal(masked)
	var decoded Text
	if err := json.Unmarshal(b, &decoded); err != nil || !decoded.Equal(masked) {
		t.Errorf("JSON round trip: %s -> %q, %v", b, decoded, err)
	}
}

// TestTermsAreWords: an organization's Latin term is masked as a word,
// never inside one; a Japanese term wherever it stands.
func TestTermsAreWords(t *testing.T) {
	r := redactor(t)
	for _, tc := range []struct {
		text  string
		terms []string
		want  string
	}{
		{"Is it OK if O takes the Orion work?", []string{"O", "Orion"}, "Is it OK if [TERM1] takes the [TERM2] work?"},
		{"Project X2 and X25 ship", []string{"X2"}, "Project [TERM1] and X25 ship"},
		{"北斗プロジェクトと北斗2", []string{"北斗"}, "[用語1]プロジェクトと[用語1]2"},
	} {
		lang := "en"
		if strings.ContainsFunc(tc.text, func(r rune) bool { return r > 0x3000 }) {
			lang = "ja"
		}
		if out, _ := r.Redact(tc.text, NewSession(lang), tc.terms); out.String() != tc.want {
			t.Errorf("%q %v -> %q, want %q", tc.text, tc.terms, out, tc.want)
		}
	}
}

// Words the name tagger once took for names stay, and a word that is also
// a name is masked where it stands as one: quoted as a handle, in a list
// of names, spelled out in Latin letters.
func TestOrdinaryWordsKept(t *testing.T) {
	r := redactor(t)
	for _, tc := range []struct {
		text       string
		keep, mask []string
	}{
		{text: "夜勤が続いて、かなりしんどいです。どうでしょう？", keep: []string{"しんどい", "でしょう"}},
		{text: "入力漏れはゼロ。カウンターとゲートそれぞれのメリットを書き出した。", keep: []string{"ゼロ", "ゲート"}},
		{text: "来月からローテを変える。リスケの依頼があった。", keep: []string{"ローテ", "リスケ"}},
		// Storm and German are names too (lists have them): they stay masked.
		{text: "The survey update is due. Tuesdays and Thursdays are the killers. Both squad PMs are worried.",
			keep: []string{"Tuesdays", "Thursdays", "PMs"}},
		// A language that is a name too names the language beside another
		// one or before what it qualifies; a name after an article with 's
		// is a day's product line.
		{text: "The Japanese-to-German medical device manual is late. The German edition too. The Valentine's line starts late.",
			keep: []string{"Japanese-to-German", "German edition", "Valentine's line"}},
		{text: "Met with German about the rota; German said yes.", mask: []string{"German"}},
		{text: "副店長と両所長に相談。職人さんから連絡あり。", keep: []string{"副店長", "両所長", "職人さん"}},
		{text: "今週のシフト：火 ジャスミン（Jasmine）・ボラ・リン。ジャスミンは水曜から有休。", mask: []string{"ジャスミン"}},
		{text: "店員のハンドルネーム“もりもり”が店内を撮影。", mask: []string{"もりもり"}},
		{text: "met with john about the rota.", mask: []string{"john"}},
		// たま|に|は is the adverb たまに; the や of やるか is the verb's.
		{text: "たまには別の話もしたい。AとBどちらを先にやるか課長に決めてほしい。", keep: []string{"たまには", "やるか課長"}},
		{text: "資料は部長やゆうこ課長に回した。", mask: []string{"ゆうこ"}},
		// April, June and August are names too: as the month they stay.
		{text: "Two study days a month through April, and the April exam date. Review due June 3.", keep: []string{"through April", "the April exam", "June 3"}},
		{text: "April asked for the rota. I told June about it.", mask: []string{"April", "June"}},
		// Laughter, products, systems and weekdays, read back in plans.
		{text: "支店長代理の昔話が長かったです（笑）", keep: []string{"（笑）"}},
		{text: "He finds CaseWare and the tickmark conventions overwhelming. Publish the schedule in Maximo.", keep: []string{"CaseWare", "in Maximo"}},
		{text: "金・土の夜勤フロントを2名体制にする。月・金は在宅。", keep: []string{"金・土", "月・金"}},
		{text: "I'll loop in Sam, and she confided in Maria. Jo McKenzie and DeShawn joined.", mask: []string{"Sam", "Maria", "McKenzie", "DeShawn"}},
		{text: "金さんと土井さんが担当。", mask: []string{"金さん"}},
	} {
		out, _ := r.Redact(tc.text, NewSession("ja"), nil)
		for _, k := range tc.keep {
			if !strings.Contains(out.String(), k) {
				t.Errorf("%q masked in %q: %s", k, tc.text, out)
			}
		}
		for _, m := range tc.mask {
			if strings.Contains(out.String(), m) {
				t.Errorf("%q not masked in %q: %s", m, tc.text, out)
			}
		}
	}
}
