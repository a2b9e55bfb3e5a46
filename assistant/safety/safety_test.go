package safety

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

var (
	detectorOnce sync.Once
	detector     *Detector
	detectorErr  error
)

func newTestDetector(t testing.TB) *Detector {
	t.Helper()
	detectorOnce.Do(func() { detector, detectorErr = NewDetector() })
	if detectorErr != nil {
		t.Fatal(detectorErr)
	}
	return detector
}

// Every rule's examples match it and its negatives do not: the lexicon's
// own documentation is tested.
func TestLexiconExamples(t *testing.T) {
	d := newTestDetector(t)
	for _, r := range d.rules {
		if len(r.spec.Examples) == 0 {
			t.Errorf("rule %s/%q has no examples", r.matter, r.name)
		}
		for _, ex := range r.spec.Examples {
			if !r.matches(d.an.analyze(ex)) {
				t.Errorf("rule %s/%q does not match its example %q", r.matter, r.name, ex)
			}
		}
		for _, ex := range r.spec.Negatives {
			if r.matches(d.an.analyze(ex)) {
				t.Errorf("rule %s/%q matches its negative %q", r.matter, r.name, ex)
			}
		}
	}
}

// The texts the issue that asked for this package found coached through.
func TestReportedMisses(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range []struct {
		text   string
		matter string
	}{
		{"消えてしまいたい", Crisis},
		{"いなくなりたい", Crisis},
		{"死んでしまいたい", Crisis},
		{"もう生きていても意味がない", Crisis},
		{"自分を傷つけている", Crisis},
		{"I don't see the point of going on anymore", Crisis},
		{"飲み会のあと、課長に二人で飲みに行こうとしつこく誘われ、帰りのタクシーで太ももを触られたそうだ", Harassment},
		{"育休から戻ったら評価を一段階下げられた", Discrimination},
	} {
		f := d.Scan([]Text{{Place: PlaceIntake, Text: tc.text, Fresh: true}}, nil)
		if !slices.Contains(f.Matters, tc.matter) {
			t.Errorf("%q: found %v, want %s (rules: %v)", tc.text, f.Matters, tc.matter, d.Hits(tc.text))
		}
	}
}

func TestScanReportsPlacesAndImmediacy(t *testing.T) {
	d := newTestDetector(t)
	f := d.Scan([]Text{
		{Place: PlaceQuestion, Text: "来週の1on1で何を話せばいいですか", Fresh: true},
		{Place: PlaceNote, Text: "本人は「もう遺書も書いた」と話していた", Fresh: true},
		{Place: PlaceComment, Text: "上司に毎日みんなの前で怒鳴られています", Fresh: true},
	}, nil)
	want := Finding{Matters: []string{Crisis, Harassment}, Places: []string{PlaceNote, PlaceComment}, Immediate: true}
	if !slices.Equal(f.Matters, want.Matters) || !slices.Equal(f.Places, want.Places) || f.Immediate != want.Immediate {
		t.Errorf("Scan = %+v, want %+v", f, want)
	}
	if f := d.Scan([]Text{{Place: PlaceQuestion, Text: "来週の1on1で何を話せばいいですか", Fresh: true}}, nil); f.Flagged() {
		t.Errorf("an ordinary question was flagged: %+v", f)
	}
}

// An organization's phrase matches in its conjugations and kana spellings.
func TestOrganizationPhrases(t *testing.T) {
	d := newTestDetector(t)
	phrases := []Phrase{{Matter: Harassment, Phrase: "追い出し会議に呼ぶ"}, {Matter: Legal, Phrase: "project blue sky"}}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"また追い出し会議に呼ばれた", []string{Harassment}},
		{"おいだし会議によばれました", []string{Harassment}},
		{"He mentioned Project Blue Sky again", []string{Legal}},
		{"会議に呼ばれた", nil},
	} {
		f := d.Scan([]Text{{Place: PlaceNote, Text: tc.text, Fresh: true}}, phrases)
		if !slices.Equal(f.Matters, tc.want) {
			t.Errorf("%q: %v, want %v", tc.text, f.Matters, tc.want)
		}
	}
	if err := d.ValidPhrase(Phrase{Matter: "gossip", Phrase: "x"}); err == nil {
		t.Error("an unknown matter was accepted")
	}
	if err := d.ValidPhrase(Phrase{Matter: Crisis, Phrase: "re:.*"}); err == nil {
		t.Error("a regular expression was accepted as a phrase")
	}
}

type labelled struct {
	ID        string   `json:"id"`
	Lang      string   `json:"lang"`
	Place     string   `json:"place"`
	Matter    string   `json:"matter"`
	Also      []string `json:"also"`
	Immediate bool     `json:"immediate"`
	Phrasing  string   `json:"phrasing"`
	Text      string   `json:"text"`
}

// gate is what a labelled set must reach. The development set must reach
// the bar; a held-out set keeps its first run's figures as a floor,
// so a change that loses recall fails, but nothing was tuned on it.
type gate struct {
	MinRecall float64 `json:"min_recall"` // per matter
	MaxFalse  float64 `json:"max_false"`  // share of negatives referred
	FirstRun  string  `json:"first_run"`  // figures of its first run, as printed
	// Training marks a set the model is trained on: its figures are
	// in-sample, its first run is the honest one.
	Training bool `json:"training"`
}

func TestLabelledSets(t *testing.T) {
	d := newTestDetector(t)
	gates := readGates(t)
	files, _ := filepath.Glob("testdata/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no labelled sets")
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			g, ok := gates[name]
			if !ok {
				t.Fatalf("no gate for %s in testdata/gates.json", name)
			}
			set := readSet(t, file)
			s := score(d, set)
			if g.Training {
				name += " (training data)"
			}
			t.Logf("%s: %s", name, s)
			if testing.Verbose() {
				for _, m := range s.misses {
					t.Log(m)
				}
			}
			for _, m := range Matters {
				if r := s.recall(m); r < g.MinRecall {
					t.Errorf("%s recall %.3f < %.3f", m, r, g.MinRecall)
				}
			}
			if f := s.falseRate(); f > g.MaxFalse {
				t.Errorf("false referrals %.3f > %.3f", f, g.MaxFalse)
			}
		})
	}
}

func readGates(t *testing.T) map[string]gate {
	t.Helper()
	var gates map[string]gate
	b, err := os.ReadFile("testdata/gates.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &gates); err != nil {
		t.Fatal(err)
	}
	return gates
}

func readSet(t *testing.T, file string) []labelled {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = append(out, l)
	}
	return out
}

type scores struct {
	pos, hit, kind   map[string]int
	certain          map[string]int // referred by the lexicon, not only the model
	vague            map[string]int // referred only beside a plan (Finding.Vague)
	neg, falseRef    int
	falseVague       int
	immediate, imHit int
	misses           []string
}

func score(d *Detector, set []labelled) scores {
	s := scores{pos: map[string]int{}, hit: map[string]int{}, kind: map[string]int{}, certain: map[string]int{}, vague: map[string]int{}}
	for _, l := range set {
		f := d.Scan([]Text{{Place: l.Place, Text: l.Text, Fresh: true}}, nil)
		if l.Matter == "" {
			s.neg++
			if f.Vague {
				s.falseVague++
			}
			if f.Flagged() {
				s.falseRef++
				s.misses = append(s.misses, fmt.Sprintf("FALSE %s %v %q %v", l.ID, f.Matters, l.Text, d.Hits(l.Text)))
			}
			continue
		}
		s.pos[l.Matter]++
		if f.Flagged() && !f.Possible {
			s.certain[l.Matter]++
		}
		if f.Vague {
			s.vague[l.Matter]++
		}
		if f.Flagged() {
			s.hit[l.Matter]++
		} else {
			s.misses = append(s.misses, fmt.Sprintf("MISS %s %s %q", l.ID, l.Matter, l.Text))
		}
		if slices.Contains(f.Matters, l.Matter) || slices.ContainsFunc(l.Also, func(m string) bool { return slices.Contains(f.Matters, m) }) {
			s.kind[l.Matter]++
		} else if f.Flagged() {
			s.misses = append(s.misses, fmt.Sprintf("KIND %s %s got %v %q", l.ID, l.Matter, f.Matters, l.Text))
		}
		if l.Immediate {
			s.immediate++
			if f.Immediate {
				s.imHit++
			}
		}
	}
	return s
}

// recall is the share of a matter's texts that got a referral.
func (s scores) recall(m string) float64 {
	if s.pos[m] == 0 {
		return 1
	}
	return float64(s.hit[m]) / float64(s.pos[m])
}

func (s scores) falseRate() float64 {
	if s.neg == 0 {
		return 0
	}
	return float64(s.falseRef) / float64(s.neg)
}

func (s scores) String() string {
	var b strings.Builder
	for _, m := range Matters {
		fmt.Fprintf(&b, "%s recall %.3f (%d/%d, right kind %d, by the lexicon %d, vague %d) · ", m, s.recall(m), s.hit[m], s.pos[m], s.kind[m], s.certain[m], s.vague[m])
	}
	fmt.Fprintf(&b, "immediate %d/%d · false referrals %.3f (%d/%d negatives, %d vague)", s.imHit, s.immediate, s.falseRate(), s.falseRef, s.neg, s.falseVague)
	return b.String()
}

// A model-only flag that no matter's own model agrees with is vague: the
// text reads as sensitive to the screen, and the matter is a guess.
func TestVagueFindings(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range []struct {
		text           string
		flagged, vague bool
	}{
		{"Suggested she stop splitting the difference day to day. Her list shows about 30% of the fintech work could go to the junior AM. She asked me to talk to both account directors about Q4 priorities.", true, true},
		{"最近、家に帰るとベッドの上で何時間も天井を見ていて、何のために働いているのかもうわからない", true, false},
		{"もう消えてしまいたいと言っていた", true, false}, // the lexicon's: never vague
		// Weak words over a long, glad message: read as legal only as a
		// whole, told beside the plan.
		{"J's storytime went 9 -> 17 -> 22 -> 26 over the four weeks, and two families signed up for library cards on the spot. I want to open by telling her exactly that and what it showed - she spotted the need, started small, got a volunteer on board - plus that the branch manager mentioned it at the area meeting, then ask what she'd want to keep or change, without loading anything new on her.", true, true},
	} {
		f := d.Scan([]Text{{Place: PlaceNote, Text: tc.text, Fresh: true}}, nil)
		if f.Flagged() != tc.flagged || f.Vague != tc.vague {
			t.Errorf("%q: flagged %v vague %v, want %v %v", tc.text, f.Flagged(), f.Vague, tc.flagged, tc.vague)
		}
	}
}
