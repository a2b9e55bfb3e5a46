package intent

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/taiwa-coach/taiwa/assistant/linear"
	"github.com/taiwa-coach/taiwa/knowledge"
)

var update = flag.Bool("update", false, "retrain model/kinds.json from testdata")

// The settings the shipped model is trained with, chosen by
// TestCrossValidation: a false kind on a fitting plan is a false warning,
// so negatives weigh more than misses. Leave-one-writer-out at 0.3 with
// six writers: precision 0.857, recall 0.786 (five: 0.863, 0.768; four:
// 0.833, 0.703). Read before training on them, the fifth writer's lines:
// precision 0.877/0.862, recall 0.752/0.759 (ja/en); the sixth's, the
// hardest phrasings (members named, plans told by their content, casual
// Japanese): 0.789/0.864, 0.724/0.727; the eighth set's (a seventh
// writer's: plans told through roles, two-step plans, negations that flip
// a kind), with the contrasts of set 7 written by hand in the model:
// 0.850/0.856, 0.721/0.722. Sets 9 and 10 (a ninth writer in both
// languages, a tenth in Japanese) brought six kinds earlier writers did
// not have (critique, compare, take-over, monitor, involve-others,
// status-review), learned from them alone; set 11 holds contrasts written
// by hand (praise given in public is not critique). With them the
// threshold went to 0.4: on the judgment sets' fitting plans, 8 of 68
// were flagged at 0.3, 5 at 0.4, for one conflict of 162 fewer. Set 14
// (a writer in both languages asked for hard phrasings: the manager's own
// experience offered, a decision handed back by asking the member's pick,
// terse plain-form plans, past-tense reports that plan nothing) read
// before training on it: precision 0.883, recall 0.630 at 0.4. Leave-one-
// writer-out over the other writers, in one run: without it 0.824/0.748 at
// 0.4, with it 0.819/0.766 at 0.4 and 0.838/0.741 at 0.5. At 0.4, with an
// alias ("Member R") dropped before reading (it says who, not what), the
// blind plan-check sets flag 2 more plans against the guidance of 510 and
// 3 more fitting plans of 238 than before, the judgment sets 3 more of 289
// and none more of 118; at 0.45, 2 and 1 more, 2 and none, but TestReadsPlans
// loses a decision told with its reasons.
var (
	modelOptions   = linear.Options{Epochs: 30, Rate: 0.2, L2: 1e-4, NegativeWeight: 0.3, Seed: 7, MinWeight: 0.05}
	modelThreshold = 0.4
)

// fromEveryWriter are kinds learned from every writer's lines, not only
// from those of the writers who labelled them: the lines written for them
// (sets 19 and 20, two writers) hold too few plans of other kinds to learn
// what these are not ("I'll listen to the end and hold back advice" read
// as dismissing feedback). The other writers' lines rarely state them: of
// 20 drawn from the 1,129 that a model trained on set 19 alone read as one
// of them at 0.9, one did (a rumour heard, with no plan), so as examples
// of their absence they are nearly clean. Of 12 such plans in spent blind
// plan-check sets that neither writer saw, set 19 alone read none; with
// set 20, all 12.
var fromEveryWriter = []string{"hearsay", "dismiss-feedback", "own-agenda"}

// askedFor are the kinds a writer was asked to write lines for, when not
// all: the other kinds their lines state were labelled in passing, and
// are learned from the writers who wrote for them.
var askedFor = map[string][]string{"19": fromEveryWriter, "20": fromEveryWriter}

type line struct {
	Text  string   `json:"text"`
	Kinds []string `json:"kinds"`
	// writer is the set the line came from without its language
	// (train_ja3.jsonl and train_en3.jsonl: "3"): one helper wrote each.
	writer string
}

func readLines(t *testing.T) ([]line, map[string]int) {
	t.Helper()
	files, _ := filepath.Glob("testdata/train_*.jsonl")
	if len(files) == 0 {
		t.Fatal("no training files")
	}
	var out []line
	counts := map[string]int{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for n := 1; sc.Scan(); n++ {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("%s:%d: %v", f, n, err)
			}
			for _, k := range l.Kinds {
				if !slices.Contains(knowledge.PlanKinds, k) {
					t.Fatalf("%s:%d: kind %q is not in knowledge.PlanKinds", f, n, k)
				}
			}
			l.writer = strings.TrimLeft(strings.TrimSuffix(filepath.Base(f), ".jsonl"), "train_jaen")
			out = append(out, l)
			counts[filepath.Base(f)]++
		}
		fh.Close()
	}
	return out, counts
}

func train(r *Reader, ls []line, o linear.Options, threshold float64) model {
	xs := make([][]string, len(ls))
	for i, l := range ls {
		xs[i] = r.features(l.Text)
	}
	// A kind is learned from the writers who labelled it: one added after
	// a writer wrote their lines was never a choice for them, and their
	// lines that state it would read as examples of its absence.
	knows := map[string]map[string]bool{}
	for _, l := range ls {
		if knows[l.writer] == nil {
			knows[l.writer] = map[string]bool{}
		}
		for _, k := range l.Kinds {
			knows[l.writer][k] = true
		}
		if kinds, ok := askedFor[l.writer]; ok {
			knows[l.writer] = map[string]bool{}
			for _, k := range kinds {
				knows[l.writer][k] = true
			}
		}
	}
	m := model{Threshold: threshold, Options: o, Kinds: map[string]linear.Model{}}
	for _, k := range knowledge.PlanKinds {
		var kx [][]string
		var pos []bool
		for i, l := range ls {
			if knows[l.writer][k] || slices.Contains(fromEveryWriter, k) {
				kx = append(kx, xs[i])
				pos = append(pos, slices.Contains(l.Kinds, k))
			}
		}
		if len(kx) > 0 {
			m.Kinds[k] = linear.Train(kx, pos, o)
		}
	}
	return m
}

// TestModelIsCurrent trains the model afresh and checks the shipped one
// reads every training line alike: the file is what the data and settings
// give. With -update it rewrites it.
func TestModelIsCurrent(t *testing.T) {
	ls, counts := readLines(t)
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	fresh := train(r, ls, modelOptions, modelThreshold)
	fresh.Trained = counts
	if *update {
		b, err := json.Marshal(fresh)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("model/kinds.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("model/kinds.json: %d bytes", len(b))
		return
	}
	shipped := r.m
	if shipped.Threshold != fresh.Threshold || shipped.Options != fresh.Options || !mapsEqual(shipped.Trained, counts) {
		t.Fatalf("model/kinds.json was trained with other settings or data (go test ./assistant/intent -run TestModelIsCurrent -update)")
	}
	for _, l := range ls {
		fs := r.features(l.Text)
		for _, k := range knowledge.PlanKinds {
			if d := math.Abs(shipped.Kinds[k].Prob(fs) - fresh.Kinds[k].Prob(fs)); d > 1e-3 {
				t.Fatalf("model/kinds.json differs from a fresh training run by %.4f on %q (%s)", d, l.Text, k)
			}
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestReadsPlans: plans in wording that is in no training line.
func TestReadsPlans(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text      string
		want, not []string
	}{
		{"来週から新規の代理店開拓もDさんに見てもらおうかと。", []string{"more-work"}, []string{"ease-load"}},
		{"評価面談の前に、今期の点数を1on1でざっくり伝えておきます。", []string{"rating"}, nil},
		{"朝会で、みんなの前で今回のミスを説明してもらうつもりです。", []string{"public-critique"}, []string{"recognize"}},
		{"1on1は当面やめて、週報で十分かなと思ってます。", []string{"skip-1on1"}, nil},
		{"I'll let her know which option I picked and why, then hear her concerns.", []string{"decide"}, []string{"withhold-decision"}},
		{"Going to tell him the whole rollout is his now, no training wheels.", []string{"big-stretch"}, []string{"small-step"}},
		{"I won't bring up his score at all; that's for the review meeting.", nil, []string{"rating"}},
		{"How do I get a quiet engineer to talk more?", nil, []string{"more-work", "push", "advise"}},
		{"隣の課の課長から、Mさんが会議で不機嫌そうだったと聞いたので、次の1on1で伝えるつもりです。", []string{"hearsay"}, nil},
		{"He said our 1on1s feel like box-ticking. Honestly I think they're fine, so I'll explain why we do them this way.", []string{"dismiss-feedback"}, nil},
		{"I need his input for my quarterly deck, so we'll spend the 1on1 on that.", []string{"own-agenda"}, nil},
		// Holding back advice is not holding back their feedback.
		{"話を最後まで聴くことに徹して、助言はしないつもりです。", []string{"listen"}, []string{"dismiss-feedback"}},
		// Pushing a 1on1 to next month puts it off; it does not push her.
		{"Week's a mess again with the audit. Maybe we keep it to 15 minutes, or even push it to next month? She's understanding.", []string{"skip-1on1"}, []string{"push"}},
	} {
		got := r.Kinds(tc.text)
		for _, k := range tc.want {
			if !slices.Contains(got, k) {
				t.Errorf("Kinds(%q) = %v, want %s", tc.text, got, k)
			}
		}
		for _, k := range tc.not {
			if slices.Contains(got, k) {
				t.Errorf("Kinds(%q) = %v, want no %s", tc.text, got, k)
			}
		}
	}
}

var crossval = flag.Bool("crossval", false, "run the cross-validation of the reader's settings")

// TestCrossValidation prints the precision and recall of the reader on each
// writer's lines, trained on the other writers', at several thresholds and
// per kind, for choosing modelOptions and modelThreshold (-crossval).
func TestCrossValidation(t *testing.T) {
	if !*crossval {
		t.Skip("-crossval")
	}
	ls, _ := readLines(t)
	base, err := New()
	if err != nil {
		t.Fatal(err)
	}
	// Each writer's lines are read by a model trained on the others': a
	// manager's words are a new writer's, and lines of one writer share
	// habits that make a random split look better than it is.
	var writers []string
	for _, l := range ls {
		if !slices.Contains(writers, l.writer) {
			writers = append(writers, l.writer)
		}
	}
	// CROSSVAL_OPTIONS (JSON) tries other settings than the shipped ones.
	options := modelOptions
	if o := os.Getenv("CROSSVAL_OPTIONS"); o != "" {
		if err := json.Unmarshal([]byte(o), &options); err != nil {
			t.Fatal(err)
		}
	}
	thresholds := []float64{0.25, 0.3, 0.35, 0.4, 0.5}
	type count struct{ tp, fp, fn int }
	tally := func(c *count, got, want bool) {
		switch {
		case got && want:
			c.tp++
		case got:
			c.fp++
		case want:
			c.fn++
		}
	}
	at := make([]count, len(thresholds))
	kinds := map[string]*count{}
	for _, k := range knowledge.PlanKinds {
		kinds[k] = &count{}
	}
	// CROSSVAL_WRITERS (comma-separated) reads only these writers' lines,
	// each trained on all the others': whether new lines help the reader
	// on the writers it had.
	only := os.Getenv("CROSSVAL_WRITERS")
	for _, w := range writers {
		if only != "" && !slices.Contains(strings.Split(only, ","), w) {
			continue
		}
		var tr, te []line
		for _, l := range ls {
			if l.writer == w {
				te = append(te, l)
			} else {
				tr = append(tr, l)
			}
		}
		m := train(base, tr, options, modelThreshold)
		for _, l := range te {
			fs := base.features(l.Text)
			for _, k := range knowledge.PlanKinds {
				mk, ok := m.Kinds[k]
				if !ok {
					continue // only this writer labelled it
				}
				p, want := mk.Prob(fs), slices.Contains(l.Kinds, k)
				for i, th := range thresholds {
					tally(&at[i], p > th, want)
				}
				tally(kinds[k], p > modelThreshold, want)
			}
		}
	}
	var b strings.Builder
	for i, th := range thresholds {
		c := at[i]
		fmt.Fprintf(&b, "threshold %.2f: precision %.3f recall %.3f\n", th,
			float64(c.tp)/float64(max(1, c.tp+c.fp)), float64(c.tp)/float64(max(1, c.tp+c.fn)))
	}
	for _, k := range knowledge.PlanKinds {
		c := kinds[k]
		fmt.Fprintf(&b, "%-18s precision %.2f recall %.2f (%d/%d)\n", k,
			float64(c.tp)/float64(max(1, c.tp+c.fp)), float64(c.tp)/float64(max(1, c.tp+c.fn)), c.tp, c.tp+c.fn)
	}
	t.Log("\n" + b.String())
}
