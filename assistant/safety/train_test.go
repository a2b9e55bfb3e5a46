package safety

import (
	"slices"

	"github.com/taiwa-coach/taiwa/assistant/linear"
)

// Training runs in the tests (TestModelIsCurrent): the binary only reads
// the trained file.

// example is a labelled text for training.
type example struct {
	text      string
	matters   []string // empty for a negative
	immediate bool
}

// train fits the screen on examples.
func train(an *analyzer, exs []example, o linear.Options, threshold float64) model {
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
	m := model{Threshold: threshold, Options: o, Matters: map[string]linear.Model{}}
	m.Any = linear.Train(xs, label(func(e example) bool { return len(e.matters) > 0 }), o)
	for _, name := range Matters {
		m.Matters[name] = linear.Train(xs, label(func(e example) bool { return slices.Contains(e.matters, name) }), o)
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
	m.Immediate = linear.Train(cx, cy, io)
	return m
}
