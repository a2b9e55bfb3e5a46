package safety

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/taiwa-coach/taiwa/assistant/linear"
)

var update = flag.Bool("update", false, "retrain model/screen.json from testdata")

// The settings the shipped model is trained with. The threshold trades
// recall for false referrals; it was set by cross-validation
// (TestCrossValidation), and a sealed set measures it. With the ordinary
// texts of dev19 and the judgment scenarios, cross-validation (-crossval,
// every set left out in turn) chose L2 1e-3 and 0.3 over 1e-4 and 0.4:
// recall 0.978/0.981/0.959/0.950 (crisis, harassment, discrimination,
// legal) against 0.972/0.982/0.962/0.951, false referrals 2.5% against
// 3.1%. Held-out sets 6-10: recall 1,115 of 1,145, 16 false referrals of
// 521; after training on dev20 and the spent judgment4-7 texts, 1,114 and
// 15.
var (
	modelOptions   = linear.Options{Epochs: 25, Rate: 0.2, L2: 1e-3, NegativeWeight: 2, Seed: 3, MinWeight: 0.05}
	modelThreshold = 0.3
)

// trainingSets are the labelled sets gates.json marks as training, and, as ordinary
// text, the sentences of the starter guidance the lexicon does not flag:
// managers ask the coach in its words (聴く, 助言, 挑戦...), and a model
// that never saw them reads them as sensitive.
func trainingSets(t *testing.T) ([]example, map[string]int) {
	t.Helper()
	gates := readGates(t)
	files, _ := filepath.Glob("testdata/*.jsonl")
	var exs []example
	counts := map[string]int{}
	for _, f := range files {
		if !gates[filepath.Base(f)].Training {
			continue // a held-out set measures the model
		}
		for _, l := range readSet(t, f) {
			e := example{text: l.Text, immediate: l.Immediate}
			if l.Matter != "" {
				e.matters = append([]string{l.Matter}, l.Also...)
			}
			exs = append(exs, e)
			counts[filepath.Base(f)]++
		}
	}
	d := newTestDetector(t)
	// Managers' stated plans, as ordinary text: the model had seen members'
	// notes and requests, and took plans in a manager's voice (体調の話は
	// スキップして…) for crises. Plans of critique and pressure are left
	// out: in a member's words they tell of harassment. Held-out sets 6-10
	// with these lines: recall 1,114 of 1,145 (1,117 without), false
	// referrals 18 of 521 either way.
	//
	// Only the first four writers' lines: with the fifth's, held-out sets
	// 6-11 lost 4 positives (2 crisis texts) and dev21-22 gained 3 false
	// referrals; later files (the sixth writer's hard phrasings, the
	// contrasts added by hand in 7) were not tried.
	plans, _ := filepath.Glob("../intent/testdata/train_*.jsonl")
	plans = slices.DeleteFunc(plans, func(f string) bool {
		n, err := strconv.Atoi(strings.TrimSuffix(f[strings.LastIndex(f, "_")+3:], ".jsonl"))
		return err == nil && n > 4 // train_ja.jsonl is the first writer's
	})
	for _, f := range plans {
		for _, l := range readPlans(t, f) {
			if !slices.ContainsFunc(l.Kinds, func(k string) bool { return k == "public-critique" || k == "push" }) && !d.lexiconFlags(l.Text) {
				exs = append(exs, example{text: l.Text})
				counts["plan statements"]++
			}
		}
	}
	docs, _ := filepath.Glob("../../knowledge/starter/*/*.md")
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range guidanceSentences(string(b)) {
			if !d.lexiconFlags(s) {
				exs = append(exs, example{text: s})
				counts["starter guidance"]++
			}
		}
	}
	return exs, counts
}

// plan is a line of the plan reader's training data (assistant/intent).
type plan struct {
	Text  string   `json:"text"`
	Kinds []string `json:"kinds"`
}

func readPlans(t *testing.T, path string) []plan {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []plan
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l plan
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, l)
	}
	return out
}

// guidanceSentences are a guidance document's lines and sentences, without
// front matter, headings and markup.
func guidanceSentences(doc string) []string {
	if _, rest, ok := strings.Cut(strings.TrimPrefix(doc, "---\n"), "\n---\n"); ok {
		doc = rest
	}
	var out []string
	for _, line := range strings.Split(doc, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*#>0123456789. "))
		line = strings.ReplaceAll(line, "**", "")
		for _, s := range sentenceEnd.Split(line, -1) {
			if utf8.RuneCountInString(strings.TrimSpace(s)) >= 8 {
				out = append(out, strings.TrimSpace(s))
			}
		}
	}
	return out
}

// TestModelIsCurrent trains the model afresh from testdata and checks the
// shipped one says the same of every labelled text: the file is what the
// data and settings give, not edited by hand. With -update it rewrites it.
func TestModelIsCurrent(t *testing.T) {
	exs, counts := trainingSets(t)
	an := newTestDetector(t).an
	fresh := train(an, exs, modelOptions, modelThreshold)
	fresh.Trained = counts
	if *update {
		b, err := json.Marshal(fresh)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("model/screen.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("model/screen.json: %d bytes, %d features", len(b), len(fresh.Any.Weights))
		return
	}
	shipped, err := loadModel()
	if err != nil {
		t.Fatal(err)
	}
	if shipped.Threshold != fresh.Threshold || shipped.Options != fresh.Options || len(shipped.Trained) != len(counts) {
		t.Fatalf("model/screen.json was trained with other settings or sets (go test ./assistant/safety -run TestModelIsCurrent -update)")
	}
	for set, n := range counts {
		if shipped.Trained[set] != n {
			t.Fatalf("model/screen.json was trained on %d texts of %s, testdata has %d (go test ./assistant/safety -run TestModelIsCurrent -update)", shipped.Trained[set], set, n)
		}
	}
	for _, e := range exs {
		fs := features(an.analyze(e.text))
		if d := math.Abs(shipped.Any.Prob(fs) - fresh.Any.Prob(fs)); d > 1e-3 {
			t.Fatalf("model/screen.json differs from a fresh training run by %.4f on %q", d, e.text)
		}
	}
}

func TestModelReadsUnseenWording(t *testing.T) {
	d := newTestDetector(t)
	// Not in the lexicon, and not in the labelled sets.
	for _, text := range []string{
		"最近、家に帰るとベッドの上で何時間も天井を見ていて、何のために働いているのかもうわからない。消えてしまえば楽なのに",
		"he keeps telling her that her career here is over if she ever mentions the incident at the hotel to anyone",
	} {
		if f := d.Scan([]Text{{Place: PlaceIntake, Text: text, Fresh: true}}, nil); !f.Flagged() {
			t.Errorf("not referred: %q", text)
		}
	}
	for _, text := range []string{
		"来週のリリースに向けてテスト計画を見直したい。QAチームとの役割分担も相談したいです。",
		"She wants to talk about her career path and whether a staff engineer role is realistic next year.",
	} {
		if f := d.Scan([]Text{{Place: PlaceIntake, Text: text, Fresh: true}}, nil); f.Flagged() {
			t.Errorf("an ordinary text was referred (%v): %q", f.Matters, text)
		}
	}
}

// read is what the screen saw of one left-out text.
type read struct {
	matter string  // "" for a negative
	lex    bool    // a lexicon rule matched
	p      float64 // the model's probability, trained without the text's set
	pm     float64 // the highest of the per-matter models' probabilities
	pc     float64 // the crisis model's probability
}

// tally is recall per matter and false referrals of a rule over reads.
func tally(reads []read, flagged func(read) bool) string {
	hit, pos := map[string]int{}, map[string]int{}
	fp, neg := 0, 0
	for _, r := range reads {
		f := flagged(r)
		if r.matter == "" {
			neg++
			if f {
				fp++
			}
			continue
		}
		pos[r.matter]++
		if f {
			hit[r.matter]++
		}
	}
	var b strings.Builder
	for _, name := range Matters {
		fmt.Fprintf(&b, "%s %.3f (%d/%d) ", name, float64(hit[name])/float64(pos[name]), hit[name], pos[name])
	}
	fmt.Fprintf(&b, "· false referrals %.3f (%d/%d)", float64(fp)/float64(neg), fp, neg)
	return b.String()
}

var crossval = flag.Bool("crossval", false, "measure the screen set by set, each with a model trained without it")

// TestCrossValidation estimates how the screen reads wording it was not
// trained on, without spending a held-out set: each training set written
// as a whole (not the starter guidance) is left out in turn, the model is
// trained on the rest, and the left-out set is read by the lexicon and that
// model. The lexicon was written with these sets in view, so its share is
// optimistic; the model's is honest. Run with -crossval (about a minute a
// set); it prints pooled recall per matter and false referrals for a few
// thresholds.
func TestCrossValidation(t *testing.T) {
	if !*crossval {
		t.Skip("run with -crossval")
	}
	exs, _ := trainingSets(t)
	d := newTestDetector(t)
	var reads []read
	var imm, immHit, notImm, immFalse int // crisis texts: immediate or not, and what the screen said
	files, _ := filepath.Glob("testdata/*.jsonl")
	gates := readGates(t)
	for _, f := range files {
		if !gates[filepath.Base(f)].Training {
			continue
		}
		left := readSet(t, f)
		out := map[string]bool{}
		for _, l := range left {
			out[l.Text] = true
		}
		var rest []example
		for _, e := range exs {
			if !out[e.text] {
				rest = append(rest, e)
			}
		}
		o := modelOptions
		if v := os.Getenv("CROSSVAL_OPTIONS"); v != "" {
			if err := json.Unmarshal([]byte(v), &o); err != nil {
				t.Fatal(err)
			}
		}
		m := train(d.an, rest, o, 0.5)
		for _, l := range left {
			doc := d.an.analyze(l.Text)
			lex := slices.ContainsFunc(d.rules, func(r *rule) bool { return r.matches(doc) })
			if l.Matter == Crisis {
				said := slices.ContainsFunc(d.rules, func(r *rule) bool { return r.immediate && r.matches(doc) }) || m.immediate(doc)
				switch {
				case l.Immediate:
					imm++
					if said {
						immHit++
					}
				default:
					notImm++
					if said {
						immFalse++
					}
				}
			}
			fs := features(doc)
			r := read{matter: l.Matter, lex: lex, p: m.Any.Prob(fs), pc: m.Matters[Crisis].Prob(fs)}
			for _, name := range Matters {
				r.pm = max(r.pm, m.Matters[name].Prob(fs))
			}
			reads = append(reads, r)
		}
		t.Logf("%s left out", filepath.Base(f))
	}
	t.Logf("immediate: %d/%d risks to life now marked, %d/%d other crisis texts marked", immHit, imm, immFalse, notImm)
	// A text is referred when the model's probability passes the
	// threshold, or a lexicon rule matched and the model does not all but
	// rule it out (veto 0: the lexicon alone decides).
	for _, veto := range []float64{0, 0.02, -1} {
		for _, th := range []float64{0.3, 0.4, 0.5, 0.6} {
			t.Logf("veto %.2f threshold %.2f: %s", veto, th, tally(reads, func(r read) bool {
				if veto < 0 {
					// veto -1: the lexicon, or either the screen or a
					// matter's own model past the threshold
					return r.lex || r.p > th || r.pm > th
				}
				return (r.lex && r.p > veto) || r.p > th
			}))
		}
	}
	// The screen past the threshold with no matter's own model agreeing
	// (agree: the least a matter's model must say; see agreeFloor).
	for _, agree := range []float64{0, 0.05, 0.1, 0.2} {
		t.Logf("agree %.2f: %s", agree, tally(reads, func(r read) bool {
			return r.lex || r.pm > modelThreshold || (r.p > modelThreshold && r.pm > agree)
		}))
	}
	// What blocks when only the lexicon, or both models past the threshold,
	// may replace the coaching (the rest is said beside it), and the same
	// with the crisis model alone enough.
	t.Logf("block when both agree: %s", tally(reads, func(r read) bool {
		return r.lex || r.p > modelThreshold && r.pm > modelThreshold
	}))
	t.Logf("block when both agree or crisis: %s", tally(reads, func(r read) bool {
		return r.lex || r.pc > modelThreshold || r.p > modelThreshold && r.pm > modelThreshold
	}))
}
