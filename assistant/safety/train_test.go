package safety

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Training runs in the tests (TestModelIsCurrent): the binary only reads
// the trained file.

// example is a labelled text for training.
type example struct {
	text      string
	matters   []string // empty for a negative
	immediate bool
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
		xs[i] = features(an.analyze(e.text))
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
	// Immediacy is learnt among crisis texts only: what sets a risk to life
	// now apart from a crisis.
	var cx [][]string
	var cy []bool
	for i, e := range exs {
		if slices.Contains(e.matters, Crisis) {
			cx, cy = append(cx, xs[i]), append(cy, e.immediate)
		}
	}
	io := o
	io.NegativeWeight = 1
	m.Immediate = trainLinear(cx, cy, io)
	return m
}
