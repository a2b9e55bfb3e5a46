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
// 0.971 recall for 0.5 points more false referrals).
//
// vague reports a flag only one of the two passed, and not the crisis
// model (which blocks on its own): the text reads as sensitive to one of
// them, and the coach tells it beside its coaching rather than in its
// place (see Finding.Vague). Cross-validation over the training sets
// (TestCrossValidation): every flag holds 0.973/0.977/0.947/0.944 of the
// texts (crisis, harassment, discrimination, legal) and 2.5% of ordinary
// ones; the flags that block, 0.932/0.877/0.820/0.789 and 0.9%. Held-out
// sets 6-11: 13 of the 342 crisis texts flagged are vague, 3-14% of the
// others; ordinary texts (dev21, dev22) blocked 5 and 1 of 600, against 14
// and 7 when every flag blocked. Blocking the vague flags whose best guess
// is crisis too made ordinary notes of tiredness and a call-out crisis
// referrals in a blind round. A vague referral still comes first, with
// occupational health and a crisis line among its contacts, and a risk to
// life now is never vague.
//
// quietScreen: a note that a member raised something "at the end" and
// time ran out (最後に…と一言だけ。時間切れで…) reads to the crisis model as
// last words (0.42) and to the screen as nothing (0.00); a blind round
// lost a plan to it. Over every labelled set, the crisis model passed
// with the screen under 0.02 on no crisis text and two ordinary ones;
// under 0.05, on one crisis text (a plan for tonight, a risk to life now,
// which is never vague). Such a reading is told beside the coaching.
func (m *model) classify(d *doc) (matter string, vague bool) {
	fs := features(d)
	best, bestP := "", -1.0
	for _, name := range Matters {
		if p := m.Matters[name].Prob(fs); p > bestP {
			best, bestP = name, p
		}
	}
	anyP := m.Any.Prob(fs)
	if anyP <= m.Threshold && bestP <= m.Threshold {
		return "", false
	}
	// A crisis reading blocks on its own: when the crisis model passes,
	// the flag blocks whatever the screen says, unless the screen is sure
	// there is nothing (under quietScreen).
	named := anyP > m.Threshold && bestP > m.Threshold || m.Matters[Crisis].Prob(fs) > m.Threshold && anyP >= quietScreen
	return best, !named
}

// quietScreen is the screen's probability under which a crisis reading
// alone is vague (see classify).
const quietScreen = 0.02

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
