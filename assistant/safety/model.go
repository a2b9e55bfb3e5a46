package safety

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"unicode"
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
	Threshold float64           `json:"threshold"`
	Options   trainOptions      `json:"options"`
	Trained   map[string]int    `json:"trained"` // texts per labelled set it was trained on
	Any       linear            `json:"any"`
	Matters   map[string]linear `json:"matters"`
}

// linear is one logistic regression: a bias and a weight per feature.
type linear struct {
	Bias    float64            `json:"bias"`
	Weights map[string]float64 `json:"weights"`
}

func (l linear) prob(fs []string) float64 {
	z := l.Bias
	for _, f := range fs {
		z += l.Weights[f]
	}
	return 1 / (1 + math.Exp(-z))
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

// classify returns the matter a text most likely touches, or "" when the
// model does not think it sensitive.
func (m *model) classify(an *analyzer, text string) string {
	fs := features(an, text)
	if m.Any.prob(fs) <= m.Threshold {
		return ""
	}
	best, bestP := "", -1.0
	for _, name := range Matters {
		if p := m.Matters[name].prob(fs); p > bestP {
			best, bestP = name, p
		}
	}
	return best
}

// features are the distinct character 2- and 3-grams of a text that hold
// kana or kanji, its Japanese lemmas and lemma pairs (so a conjugation
// counts as its word), and its English words and word pairs, after fold.
func features(an *analyzer, text string) []string {
	t := []rune(fold(text))
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	if an != nil && slices.ContainsFunc(t, japanese) {
		for _, s := range sentenceEnd.Split(string(t), -1) {
			ks := an.keys(s)
			for i, k := range ks {
				add("l" + k.lemma)
				if i > 0 {
					add("p" + ks[i-1].lemma + " " + k.lemma)
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
	ws := englishWord.FindAllString(string(t), -1)
	for i, w := range ws {
		add("w" + w)
		if i > 0 {
			add("b" + ws[i-1] + " " + w)
		}
	}
	return out
}

func japanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
}

// trainOptions are the settings of a training run, kept with the model.
type trainOptions struct {
	Epochs         int     `json:"epochs"`
	Rate           float64 `json:"rate"`
	L2             float64 `json:"l2"`
	NegativeWeight float64 `json:"negative_weight"` // false referrals cost more than this many misses in training
	Seed           uint64  `json:"seed"`
	MinWeight      float64 `json:"min_weight"` // smaller weights are dropped from the file
}

// example is a labelled text for training.
type example struct {
	text    string
	matters []string // empty for a negative
}

// trainLinear fits a logistic regression by stochastic gradient descent,
// deterministically for a given seed. positive says which examples are
// positive.
func trainLinear(xs [][]string, positive []bool, o trainOptions) linear {
	w := map[string]float64{}
	b := 0.0
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	for range o.Epochs {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			z := b
			for _, f := range xs[i] {
				z += w[f]
			}
			g := 1 / (1 + math.Exp(-z))
			if positive[i] {
				g -= 1
			} else {
				g *= o.NegativeWeight
			}
			b -= o.Rate * g
			for _, f := range xs[i] {
				w[f] -= o.Rate * (g + o.L2*w[f])
			}
		}
	}
	out := linear{Bias: round(b), Weights: map[string]float64{}}
	for f, v := range w {
		if math.Abs(v) >= o.MinWeight {
			out.Weights[f] = round(v)
		}
	}
	return out
}

func round(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// train fits the screen on examples.
func train(an *analyzer, exs []example, o trainOptions, threshold float64) model {
	xs := make([][]string, len(exs))
	for i, e := range exs {
		xs[i] = features(an, e.text)
	}
	label := func(keep func(example) bool) []bool {
		out := make([]bool, len(exs))
		for i, e := range exs {
			out[i] = keep(e)
		}
		return out
	}
	m := model{Threshold: threshold, Options: o, Matters: map[string]linear{}}
	m.Any = trainLinear(xs, label(func(e example) bool { return len(e.matters) > 0 }), o)
	for _, name := range Matters {
		m.Matters[name] = trainLinear(xs, label(func(e example) bool { return slices.Contains(e.matters, name) }), o)
	}
	return m
}
