package history

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFiguresRevealNoRating plays a manager who writes down every figure
// the API shows about one member each time a rating comes in (the rolling
// figure and one per requested style) and knows which sessions each
// covers. Adding or subtracting any one, two or three of those figures'
// sums must never leave one or two ratings. Rating histories: one like
// the reported leak (nine ratings, advise among them) and five hundred
// random ones.
func TestFiguresRevealNoRating(t *testing.T) {
	advise, listen, report := "advise", "listen", "report"
	histories := [][]*string{
		{&listen, &listen, &advise, &listen, &listen, &listen, &report, &report, &advise},
	}
	r := rand.New(rand.NewPCG(1, 2))
	styles := []*string{nil, &advise, &listen, &report}
	for range 500 {
		h := make([]*string, 3+r.IntN(16))
		for i := range h {
			h[i] = styles[r.IntN(len(styles))]
		}
		histories = append(histories, h)
	}
	shownAny := 0
	for _, h := range histories {
		rs := make([]rating, len(h))
		for i, st := range h {
			rs[i] = rating{Style: st, Satisfaction: 1 + i%5, Matched: "yes"}
		}
		var cells [][]int
		add := func(c []int) {
			if !slices.ContainsFunc(cells, func(o []int) bool { return slices.Equal(o, c) }) {
				cells = append(cells, c)
			}
		}
		for n := 1; n <= len(rs); n++ {
			sigs, overall := styleFigures(rs[:n], nil)
			if overall.Ratings > 0 {
				add(adversaryWindow(n))
			}
			for _, s := range sigs {
				if s.Match.Ratings > 0 {
					add(adversaryStyle(h[:n], s.Style, s.Match.Ratings))
					shownAny++
				}
			}
		}
		if v := smallCombination(cells, len(rs)); v != nil {
			t.Fatalf("%v: figures combine to %v", styleNames(h), v)
		}
	}
	if shownAny == 0 {
		t.Fatal("no style figure was ever shown: the test proves nothing")
	}
	t.Logf("differencing: %d rating histories, %d style figures shown, 0 combinations of 1 to 3 figures isolate one or two answers", len(histories), shownAny)
}

// smallCombination tries every one, two and three figures with signs and
// returns a combination that leaves at most two ratings, or nil.
func smallCombination(cells [][]int, n int) []int {
	vec := func(c []int, sign int, v []int) {
		for _, i := range c {
			v[i] += sign
		}
	}
	check := func(v []int) []int {
		nz := 0
		for _, x := range v {
			if x != 0 {
				nz++
			}
		}
		if nz >= 1 && nz <= 2 {
			return v
		}
		return nil
	}
	for i := range cells {
		for _, si := range []int{1} {
			v := make([]int, n)
			vec(cells[i], si, v)
			if r := check(v); r != nil {
				return r
			}
			for j := i + 1; j < len(cells); j++ {
				for _, sj := range []int{1, -1} {
					w := slices.Clone(v)
					vec(cells[j], sj, w)
					if r := check(w); r != nil {
						return r
					}
					for k := j + 1; k < len(cells); k++ {
						for _, sk := range []int{1, -1} {
							x := slices.Clone(w)
							vec(cells[k], sk, x)
							if r := check(x); r != nil {
								return r
							}
						}
					}
				}
			}
		}
	}
	return nil
}

// adversaryWindow: the rolling figure covers the latest six ratings of the
// longest prefix whose length is a multiple of three.
func adversaryWindow(n int) []int {
	u := n - n%3
	var out []int
	for i := max(0, u-6); i < u; i++ {
		out = append(out, i)
	}
	return out
}

// adversaryStyle: a style's figure covers its first k ratings.
func adversaryStyle(h []*string, style string, k int) []int {
	var out []int
	for i, st := range h {
		if st != nil && *st == style && len(out) < k {
			out = append(out, i)
		}
	}
	return out
}

func styleNames(h []*string) []string {
	var out []string
	for _, s := range h {
		if s == nil {
			out = append(out, "-")
		} else {
			out = append(out, *s)
		}
	}
	return out
}
