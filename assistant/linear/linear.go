// Package linear holds logistic regressions over sparse string features:
// the safety screen's and the name tagger's. A model is data, trained in
// its package's tests and shipped as JSON; the binary only reads it.
package linear

import (
	"math"
	"math/rand/v2"
)

// Model is one logistic regression: a bias and a weight per feature.
type Model struct {
	Bias    float64            `json:"bias"`
	Weights map[string]float64 `json:"weights"`
}

// Prob is the probability the model gives a text with features fs (each
// counted once; unknown features weigh nothing).
func (m Model) Prob(fs []string) float64 {
	z := m.Bias
	for _, f := range fs {
		z += m.Weights[f]
	}
	return 1 / (1 + math.Exp(-z))
}

// Options are the settings of a training run, kept with a model.
type Options struct {
	Epochs         int     `json:"epochs"`
	Rate           float64 `json:"rate"`
	L2             float64 `json:"l2"`
	NegativeWeight float64 `json:"negative_weight"` // a false positive costs this many misses in training
	Seed           uint64  `json:"seed"`
	MinWeight      float64 `json:"min_weight"` // smaller weights are dropped from the file
}

// Train fits a model by stochastic gradient descent, deterministically
// for a given seed. positive says which examples are positive.
func Train(xs [][]string, positive []bool, o Options) Model {
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
	out := Model{Bias: round(b), Weights: map[string]float64{}}
	for f, v := range w {
		if math.Abs(v) >= o.MinWeight {
			out.Weights[f] = round(v)
		}
	}
	return out
}

func round(v float64) float64 { return math.Round(v*1e4) / 1e4 }
