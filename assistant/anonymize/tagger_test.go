package anonymize

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/ikawaha/kagome/v2/tokenizer"

	"github.com/taiwa-coach/taiwa/assistant/linear"
)

var (
	updateTagger = flag.Bool("update", false, "retrain tagger/model.json from testdata")
	taggerCV     = flag.Bool("taggercv", false, "measure the tagger set by set, each with a model trained without it")
)

// taggerSets are the labelled sets the tagger learns from: every set but
// the held-out ones that measure it (heldout7 was run once before the
// tagger existed, heldout8 once with it; neither is read).
var taggerSets = []string{"labelled", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "dev1", "dev2", "dev3", "dev4"}

// The settings the shipped tagger is trained with; the threshold was set
// by cross-validation (TestTaggerCrossValidation).
var (
	taggerOptions   = linear.Options{Epochs: 12, Rate: 0.1, L2: 1e-4, NegativeWeight: 1, Seed: 7, MinWeight: 0.02}
	taggerThreshold = 0.5
)

// tokenExamples are the features of every token of the sets' notes, and
// whether the token lies in a labelled name.
func tokenExamples(t *testing.T, r *Redactor, sets []string) ([][]string, []bool, map[string]int) {
	var xs [][]string
	var ys []bool
	counts := map[string]int{}
	for _, name := range sets {
		for _, c := range readLabelled(t, "testdata/"+name+".jsonl") {
			counts[name]++
			toks := words(r.tok.Analyze(c.Text, tokenizer.Normal))
			in := c.nameBytes()
			for i, tk := range toks {
				xs = append(xs, r.tokenFeatures(toks, i))
				ys = append(ys, in[tk.Position])
			}
		}
	}
	return xs, ys, counts
}

// nameBytes marks the byte offsets of the text that lie in a labelled
// person's or the member's name.
func (c labelled) nameBytes() map[int]bool {
	in := map[int]bool{}
	for _, m := range c.Mask {
		if m.Kind != Person && m.Kind != Member || m.Text == "" {
			continue
		}
		for i := 0; ; {
			j := strings.Index(c.Text[i:], m.Text)
			if j < 0 {
				break
			}
			for b := i + j; b < i+j+len(m.Text); b++ {
				in[b] = true
			}
			i += j + len(m.Text)
		}
	}
	return in
}

func trainTagger(t *testing.T, r *Redactor, sets []string) tagger {
	xs, ys, counts := tokenExamples(t, r, sets)
	return tagger{Threshold: taggerThreshold, Options: taggerOptions, Trained: counts, Model: linear.Train(xs, ys, taggerOptions)}
}

// TestTaggerIsCurrent trains the tagger afresh and checks the shipped one
// is what the data and settings give; with -update it rewrites it.
func TestTaggerIsCurrent(t *testing.T) {
	r := redactor(t)
	fresh := trainTagger(t, r, taggerSets)
	if *updateTagger {
		b, err := json.Marshal(fresh)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("tagger/model.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("tagger/model.json: %d bytes, %d features", len(b), len(fresh.Model.Weights))
		return
	}
	shipped := r.tagger
	if shipped.Threshold != fresh.Threshold || shipped.Options != fresh.Options || len(shipped.Trained) != len(fresh.Trained) {
		t.Fatal("tagger/model.json was trained with other settings or sets (go test ./assistant/anonymize -run TestTaggerIsCurrent -update)")
	}
	for set, n := range fresh.Trained {
		if shipped.Trained[set] != n {
			t.Fatalf("tagger/model.json was trained on %d notes of %s, testdata has %d (-update)", shipped.Trained[set], set, n)
		}
	}
	xs, _, _ := tokenExamples(t, r, taggerSets[:1])
	for _, x := range xs {
		if d := math.Abs(shipped.Model.Prob(x) - fresh.Model.Prob(x)); d > 1e-3 {
			t.Fatalf("tagger/model.json differs from a fresh training run by %.4f (-update)", d)
		}
	}
}

// TestTaggerCrossValidation estimates what the tagger adds on notes it
// was not trained on: each set is left out in turn, and redacted with the
// rules alone and with a tagger trained on the rest, at a few thresholds.
// Run with -taggercv.
func TestTaggerCrossValidation(t *testing.T) {
	if !*taggerCV {
		t.Skip("run with -taggercv")
	}
	r := redactor(t)
	thresholds := []float64{0, 0.4, 0.5, 0.6, 0.7, 0.8}
	type sum struct{ recall, keep, precision float64 }
	sums := make([]sum, len(thresholds))
	for _, left := range taggerSets {
		var rest []string
		for _, s := range taggerSets {
			if s != left {
				rest = append(rest, s)
			}
		}
		tg := trainTagger(t, r, rest)
		for i, th := range thresholds {
			rr := *r
			rr.tagger = nil
			if th > 0 {
				fold := tg
				fold.Threshold = th
				rr.tagger = &fold
			}
			rec, keep, prec := measure(t, &rr, "testdata/"+left+".jsonl", false)
			sums[i].recall += rec
			sums[i].keep += keep
			sums[i].precision += prec
			t.Logf("%s left out, threshold %.1f: recall %.3f keep %.3f precision %.3f", left, th, rec, keep, prec)
		}
	}
	n := float64(len(taggerSets))
	for i, th := range thresholds {
		t.Logf("threshold %.1f (0: rules alone), mean over sets: recall %.3f keep %.3f precision %.3f", th, sums[i].recall/n, sums[i].keep/n, sums[i].precision/n)
	}
}
