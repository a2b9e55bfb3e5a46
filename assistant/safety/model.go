package safety

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"unicode"

	"github.com/taiwa-coach/taiwa/assistant/linear"
)

// The lexicon finds what its authors thought of; unseen indirect wording
// gets through it. The model reads a text the lexicon let through the way
// the labelled texts read: a logistic regression over character 2- and
// 3-grams (for Japanese, which has no spaces to split words on) and
// English words and word pairs, trained on testdata/*.jsonl except the
// sealed held-out set. One model says whether a text is sensitive at all;
// one per matter says which matter it most likely is.
//
// It is data, like the lexicon: model/screen.json, written by
// `go test ./assistant/safety -run TestModelIsCurrent -update` and checked
// by the same test against a fresh training run.
//
//go:embed model/screen.json
var modelJSON []byte

// model is a trained screen.
type model struct {
	// Threshold is the probability above which a text is referred.
	Threshold float64                 `json:"threshold"`
	Options   linear.Options          `json:"options"`
	Trained   map[string]int          `json:"trained"` // texts per labelled set it was trained on
	Any       linear.Model            `json:"any"`
	Matters   map[string]linear.Model `json:"matters"`
	// Immediate says whether a crisis text tells of a risk to life now (a
	// plan, means, a time, a farewell); trained on the crisis texts.
	Immediate linear.Model `json:"immediate"`
}

func loadModel() (*model, error) {
	var m model
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		return nil, fmt.Errorf("safety model: %w", err)
	}
	if m.Threshold <= 0 || m.Threshold >= 1 || len(m.Any.Weights) == 0 {
		return nil, fmt.Errorf("safety model: no threshold or weights")
	}
	return &m, nil
}

// immediate reports whether a crisis text reads as a risk to life now.
func (m *model) immediate(d *doc) bool {
	return len(m.Immediate.Weights) > 0 && m.Immediate.Prob(features(d)) > 0.5
}

// classify returns the matter an analyzed text most likely touches, or ""
// when the model does not think it sensitive: when the screen for any
// matter passes the threshold, or one matter's own model does (it reads
// its matter's wording better; cross-validation: discrimination 0.953 ->
// 0.971 recall for 0.5 points more false referrals). vague reports that
// only the screen passed and no matter's model gives its matter even
// agreeFloor: which matter it is, the model cannot say.
func (m *model) classify(d *doc) (matter string, vague bool) {
	fs := features(d)
	best, bestP := "", -1.0
	for _, name := range Matters {
		if p := m.Matters[name].Prob(fs); p > bestP {
			best, bestP = name, p
		}
	}
	if m.Any.Prob(fs) <= m.Threshold && bestP <= m.Threshold {
		return "", false
	}
	return best, bestP <= agreeFloor
}

// agreeFloor is the least a matter's own model says of a text the screen
// flags for the flag to name a matter. Cross-validation over the training
// sets (TestCrossValidation, "agree"): at 0.05 the named flags hold
// 0.954/0.937/0.904/0.871 of the texts (crisis, harassment,
// discrimination, legal) against 0.973/0.977/0.947/0.944 for all flags,
// and 1.3% of ordinary texts against 2.5%.
const agreeFloor = 0.05

// features are the distinct character 2- and 3-grams of a text that hold
// kana or kanji, its Japanese lemmas and lemma pairs (so a conjugation
// counts as its word), and its English words and word pairs. They are read
// off the document the lexicon analyzed, so a text is tokenized once.
func features(d *doc) []string {
	t := []rune(d.whole.norm)
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	if slices.ContainsFunc(t, japanese) {
		for _, s := range d.sentences {
			for i, k := range s.ja {
				add("l" + k.lemma)
				if i > 0 {
					add("p" + s.ja[i-1].lemma + " " + k.lemma)
				}
			}
		}
	}
	for n := 2; n <= 3; n++ {
		for i := 0; i+n <= len(t); i++ {
			g := t[i : i+n]
			if slices.ContainsFunc(g, japanese) {
				add("c" + string(g))
			}
		}
	}
	ws := d.whole.en
	for i, w := range ws {
		add("w" + w.lemma)
		if i > 0 {
			add("b" + ws[i-1].lemma + " " + w.lemma)
		}
	}
	return out
}

func japanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
}
