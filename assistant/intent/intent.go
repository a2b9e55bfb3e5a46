// Package intent reads what a manager says they will do in a 1on1: the
// kinds of plan in their words (knowledge.PlanKinds), for the plan checks
// of the guidance. A curator's pattern finds the wording its author
// thought of; a plan comes in any wording ("the Tanaka account needs an
// owner and she has the experience" gives her more work).
//
// The reader is a logistic regression per kind over character 1- to
// 3-grams of Japanese and English words and word pairs (with "not" carried
// to the words it negates), trained on testdata/train_*.jsonl: lines
// written as managers type them, labelled with every kind they state. Like
// the safety screen's, the model is data: model/kinds.json, written by
// `go test ./assistant/intent -run TestModelIsCurrent -update`.
package intent

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/width"

	"github.com/taiwa-coach/taiwa/assistant/linear"
	"github.com/taiwa-coach/taiwa/knowledge"
)

//go:embed model/kinds.json
var modelJSON []byte

// model is a trained reader.
type model struct {
	Threshold float64                 `json:"threshold"`
	Options   linear.Options          `json:"options"`
	Trained   map[string]int          `json:"trained"` // lines per training file
	Kinds     map[string]linear.Model `json:"kinds"`
}

// Reader reads plans. It is safe for concurrent use.
type Reader struct {
	m     *model
	names []string // the model's kinds, sorted
	tok   *tokenizer.Tokenizer
}

// New loads the shipped model.
func New() (*Reader, error) {
	var m model
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		return nil, fmt.Errorf("intent model: %w", err)
	}
	if m.Threshold <= 0 || m.Threshold >= 1 || len(m.Kinds) == 0 {
		return nil, fmt.Errorf("intent model: no threshold or kinds")
	}
	t, err := tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
	if err != nil {
		return nil, fmt.Errorf("intent: %w", err)
	}
	r := &Reader{m: &m, tok: t}
	for k := range m.Kinds {
		r.names = append(r.names, k)
	}
	slices.Sort(r.names)
	return r, nil
}

// Kinds returns the kinds of plan text states, sorted.
func (r *Reader) Kinds(text string) []string {
	fs := r.features(text)
	var out []string
	for _, k := range r.names {
		if r.m.Kinds[k].Prob(fs) > r.m.Threshold {
			out = append(out, k)
		}
	}
	// A big stretch is not made small by what comes with it ("with a
	// rehearsal first", 「いきなりでも大丈夫ですかね」): for a member who
	// holds back, leading the project is the step, supported or not, and
	// a plan read as both would be excused by the small step it is not.
	if slices.Contains(out, "big-stretch") {
		out = slices.DeleteFunc(out, func(k string) bool { return k == "small-step" })
	}
	// "I've decided not to decide for her" is a decision withheld, whatever
	// the word "decided" weighs.
	if slices.Contains(out, "withhold-decision") && notDeciding.MatchString(strings.ToLower(text)) {
		out = slices.DeleteFunc(out, func(k string) bool { return k == "decide" })
	}
	// "Push it to next month" is a 1on1 put off, not pressure on the
	// member: read with the sentences around it ("Week's a mess again"),
	// the word tips the whole toward pushing the member. Pressure is said
	// in a sentence of its own.
	if slices.Contains(out, "push") && slices.Contains(out, "skip-1on1") && !r.inASentence(text, "push") {
		out = slices.DeleteFunc(out, func(k string) bool { return k == "push" })
	}
	return out
}

// inASentence reports whether some sentence of text, read alone, is of
// the kind.
func (r *Reader) inASentence(text, kind string) bool {
	return slices.ContainsFunc(knowledge.Sentences(text), func(s string) bool {
		return r.m.Kinds[kind].Prob(r.features(s)) > r.m.Threshold
	})
}

// notDeciding is a decision refused in so many words.
var notDeciding = regexp.MustCompile(`\b(?:not|never) (?:to )?(?:decide|deciding|make the (?:call|decision)|making the (?:call|decision))\b|\b(?:won'?t|will not|not going to|don'?t|do not) (?:decide|make the (?:call|decision))\b|(?:決め|判断し|結論を出さ)(?:ない|ず)(?:で|に|こと)`)

var (
	enWord = regexp.MustCompile(`[a-z]+(?:'[a-z]+)?`)
	// contractions are spelled out, so "won't push" and "will not push"
	// read alike.
	contractions = strings.NewReplacer("won't", "will not", "can't", "can not", "n't", " not",
		"'ll", " will", "'m", " am", "'re", " are", "'ve", " have", "'d", " would", "’", "'")
	// alias is a member named the way the coach's aliases are: Member K.
	alias    = regexp.MustCompile(`\bmember [a-z]\b`)
	negators = map[string]bool{"not": true, "never": true, "no": true, "without": true, "instead": true, "rather": true}
)

// features are the distinct features of a text: its Japanese character
// 1- to 3-grams, lemmas and lemma pairs (a conjugated verb counts as its
// word), and its English words (crudely stemmed) and word pairs, a word
// within three of a negator also as "!word".
func (r *Reader) features(text string) []string {
	t := strings.ToLower(width.Fold.String(text))
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	rs := []rune(t)
	for n := 1; n <= 3; n++ {
		for i := 0; i+n <= len(rs); i++ {
			if g := rs[i : i+n]; slices.ContainsFunc(g, japanese) {
				add("c" + string(g))
			}
		}
	}
	if slices.ContainsFunc(rs, japanese) {
		prev := ""
		for _, tk := range r.tok.Tokenize(t) {
			if !slices.ContainsFunc([]rune(tk.Surface), japanese) {
				prev = ""
				continue
			}
			l := tk.Surface
			if b, ok := tk.BaseForm(); ok && b != "*" {
				l = b
			}
			add("l" + l)
			if prev != "" {
				add("p" + prev + " " + l)
			}
			prev = l
		}
	}
	// An alias says who, not what kind of plan: "Member R" is in plans of
	// every kind, and read as a word it leans toward those it happened to
	// be in most ("give Member K the project").
	words := enWord.FindAllString(contractions.Replace(alias.ReplaceAllString(t, " ")), -1)
	negated := 0
	for i, w := range words {
		w = stem(w)
		add("w" + w)
		if i > 0 {
			add("b" + stem(words[i-1]) + " " + w)
		}
		if negated > 0 {
			add("!" + w)
			negated--
		}
		if negators[w] {
			negated = 3
		}
	}
	return out
}

// stem folds the commonest English endings: pushing, pushed, pushes.
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

func japanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
}
