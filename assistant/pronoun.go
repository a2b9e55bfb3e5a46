package assistant

import (
	"regexp"
	"strings"

	"github.com/taiwa-coach/taiwa/assistant/history"
)

// person is how a plan names the member: the manager's alias, and in
// English the pronoun the manager's own notes use for them. A plan that
// says "they" of someone the manager writes "she" about reads as a form.
type person struct {
	alias string
	pron  pronoun
}

func personOf(sig *history.Signals) person {
	return person{alias: sig.Name(), pron: pronounOf(sig)}
}

// pronoun is "she", "he", or "" when the notes do not say (the plan then
// keeps "they").
type pronoun string

// pronounOf reads the pronoun from what the manager wrote about the member:
// the question to the coach, notes, actions and reflections, outside
// quotes (a member quoted saying "I told him" speaks of someone else).
// Notes name others too ("the site lead said he'd help"), so it takes two
// uses and none of the other, or a clear majority.
func pronounOf(sig *history.Signals) pronoun {
	if sig == nil {
		return ""
	}
	texts := []string{sig.Asked.String()}
	for _, s := range sig.LastSessions {
		texts = append(texts, s.Notes.String())
	}
	for _, a := range sig.OpenActions {
		texts = append(texts, a.Text.String())
	}
	for _, a := range sig.DoneActions {
		texts = append(texts, a.Text.String())
	}
	for _, r := range sig.LastReflection {
		texts = append(texts, r.Answer.String())
	}
	she, he := 0, 0
	for _, t := range texts {
		for _, w := range thirdPersonWord.FindAllString(quotedSpeech.ReplaceAllString(t, " "), -1) {
			switch strings.ToLower(w) {
			case "she", "her", "hers", "herself":
				she++
			default:
				he++
			}
		}
	}
	switch {
	case she >= 2 && (he == 0 || she >= 3*he):
		return "she"
	case he >= 2 && (she == 0 || he >= 3*she):
		return "he"
	}
	return ""
}

var (
	thirdPersonWord = regexp.MustCompile(`(?i)\b(?:she|her|hers|herself|he|him|his|himself)\b`)
	quotedSpeech    = regexp.MustCompile(`"[^"]*"|“[^”]*”`)
)

// apply says the plan's own words about the member with the pronoun: "they
// asked you to encourage them" becomes "she asked you to encourage her",
// and the verb after it agrees ("they want" → "she wants"). Only the
// format is changed, never the quoted words put into it.
func (p pronoun) apply(format string) string {
	if p == "" {
		return format
	}
	forms := pronounForms[p]
	return theyWord.ReplaceAllStringFunc(format, func(m string) string {
		f := strings.Fields(m)
		w := strings.ToLower(f[0])
		out := forms[w]
		if w == "they" && len(f) > 1 {
			rest := agreeWith(f[1:])
			for i, r := range rest {
				if o, ok := forms[strings.ToLower(r)]; ok && r != "they" {
					rest[i] = o
				}
			}
			out += " " + strings.Join(rest, " ")
		}
		if m[0] >= 'A' && m[0] <= 'Z' {
			out = strings.ToUpper(out[:1]) + out[1:]
		}
		return out
	})
}

var (
	// theyWord is a pronoun for the member, and after "they" up to two
	// words: an adverb may stand before the verb ("they also asked").
	theyWord = regexp.MustCompile(`(?i)\bthey(?:'re|'ve)|\bthey(?:\s+[a-z']+){0,2}|\b(?:them|their|theirs|themselves)\b`)

	pronounForms = map[pronoun]map[string]string{
		"she": {"they": "she", "they're": "she's", "they've": "she's", "them": "her", "their": "her", "theirs": "hers", "themselves": "herself"},
		"he":  {"they": "he", "they're": "he's", "they've": "he's", "them": "him", "their": "his", "theirs": "his", "themselves": "himself"},
	}
	// singular is the verb after "she" or "he" for one after "they" that
	// does not take an -s.
	singular = map[string]string{"are": "is", "were": "was", "have": "has", "do": "does", "don't": "doesn't",
		"aren't": "isn't", "weren't": "wasn't", "haven't": "hasn't", "go": "goes"}
	// unchanged are the words after "they" that stay: modals, verbs in the
	// past that do not end in -ed, and verbs whose past is the same.
	unchanged = wordSet("can cannot can't will won't would wouldn't could couldn't should shouldn't may might must 'd 'll " +
		"came brought had did chose told said made wrote got went took gave saw knew thought felt left ran began found heard " +
		"kept lost met paid sent spent stood understood won became fell held led let put set read cut hit")
	adverbs = wordSet("also only just still already really often usually always never both all each even actually " +
		"probably sometimes rarely finally then now too first")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// thirdSingular is a verb in the present after "she" or "he": wants,
// tries, finishes.
func thirdSingular(v string) string {
	if s, ok := singular[v]; ok {
		return s
	}
	if unchanged[v] || strings.HasSuffix(v, "ed") || strings.Contains(v, "'") {
		return v
	}
	switch {
	case strings.HasSuffix(v, "y") && len(v) > 1 && !strings.ContainsAny(v[len(v)-2:len(v)-1], "aeiou"):
		return v[:len(v)-1] + "ies"
	case strings.HasSuffix(v, "s"), strings.HasSuffix(v, "sh"), strings.HasSuffix(v, "ch"), strings.HasSuffix(v, "x"),
		strings.HasSuffix(v, "z"), strings.HasSuffix(v, "o"):
		return v + "es"
	}
	return v + "s"
}

// agreeWith turns the verb in words (after "they", maybe after an adverb)
// to agree with "she" or "he".
func agreeWith(words []string) []string {
	out := append([]string(nil), words...)
	for i, w := range out {
		if adverbs[strings.ToLower(w)] {
			continue
		}
		out[i] = thirdSingular(strings.ToLower(w))
		break
	}
	return out
}

// ours is the coach's own words about the member (a watch-out curated in a
// guidance document's front matter, not a quoted passage) with the pronoun.
func (w person) ours(lang, s string) string {
	if lang != "en" {
		return s
	}
	return w.pron.apply(s)
}
