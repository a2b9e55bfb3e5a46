package knowledge

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Guidance reaches the model as data, fenced so it cannot close its
// section; a document can still be written to steer the model ("ignore
// the instructions above") or to win retrieval by repeating search terms.
// Such text is flagged when a document is saved or imported, and a
// flagged document is published only when a curator confirms it.

// Warning is something in a document a curator should look at before it
// is published.
type Warning struct {
	// Code: "instructions" (text addressed to the model), "template" (chat
	// template tokens), "hidden" (invisible characters), "stuffing" (a
	// term repeated far beyond normal writing).
	Code string `json:"code"`
	// Excerpt is where it was found.
	Excerpt string `json:"excerpt"`
}

var (
	instructionRE = regexp.MustCompile(`(?i)` +
		`\b(?:ignore|disregard|forget|override)\b[^.\n。]{0,40}\b(?:instructions?|prompts?|rules?|guidelines|above|previous|prior|system)\b` +
		`|\b(?:you are now|act as|pretend to be|from now on,? you|new instructions|system prompt|developer mode|jailbreak)\b` +
		`|(?:以前|前|上記|これまで|既存)の(?:指示|命令|ルール|プロンプト)を(?:無視|忘れ)` +
		`|指示を無視|システムプロンプト|あなたは(?:今から|これから)|(?:必ず|常に)(?:この文書|この資料|このガイダンス)を(?:引用|出典)`)
	templateRE = regexp.MustCompile(`<\|[a-z_]+\|>|\[/?INST\]|<</?SYS>>|(?m)^#{2,}\s*(?:system|assistant|user)\s*:?\s*$`)
	hiddenRE   = regexp.MustCompile("[\u200b\u200c\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
)

// Screen returns what in a document's title and body reads as written for
// the model rather than for a manager.
func (b *Base) Screen(title, body string) []Warning {
	text := title + "\n" + body
	var out []Warning
	for _, c := range []struct {
		code string
		re   *regexp.Regexp
	}{{"instructions", instructionRE}, {"template", templateRE}, {"hidden", hiddenRE}} {
		if loc := c.re.FindStringIndex(text); loc != nil {
			out = append(out, Warning{Code: c.code, Excerpt: around(text, loc[0], loc[1])})
		}
	}
	if term, n := b.stuffed(body); term != "" {
		out = append(out, Warning{Code: "stuffing", Excerpt: term + " ×" + strconv.Itoa(n)})
	}
	return out
}

// stuffed finds a search term repeated far more than writing needs: more
// than 12 times and more than a twelfth of the terms of a passage of at
// least 40.
func (b *Base) stuffed(body string) (string, int) {
	for _, c := range ChunkMarkdown(body, DefaultChunkOptions) {
		terms := b.analyzer.Terms(c.Text)
		if len(terms) < 40 {
			continue
		}
		count := map[string]int{}
		best := ""
		for _, t := range terms {
			count[t]++
			if utf8.RuneCountInString(t) > 1 && count[t] > count[best] {
				best = t
			}
		}
		if n := count[best]; n > 12 && n*12 > len(terms) {
			return best, n
		}
	}
	return "", 0
}

// around is the text around text[a:b], on one line.
func around(text string, a, b int) string {
	start := max(0, a-30)
	end := min(len(text), b+30)
	for start > 0 && !utf8.RuneStart(text[start]) {
		start--
	}
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	return strings.Join(strings.Fields(text[start:end]), " ")
}
