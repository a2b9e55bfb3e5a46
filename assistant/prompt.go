package assistant

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/llm"
)

//go:embed prompts/*.tmpl
var promptFiles embed.FS

// prompts are parsed once; they are read-only after.
var prompts = template.Must(template.ParseFS(promptFiles, "prompts/*.tmpl"))

func promptLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "ja"
}

func render(name, lang string, data any) string {
	var b bytes.Buffer
	if err := prompts.ExecuteTemplate(&b, name+"."+promptLang(lang)+".tmpl", data); err != nil {
		panic(fmt.Sprintf("prompt %s: %v", name, err)) // templates are embedded and tested
	}
	return b.String()
}

// messagesFor is the system prompt and one user message with the task and
// its data sections.
func messagesFor(task, lang, data string) []llm.Message {
	return []llm.Message{
		{Role: "system", Content: render("system", lang, nil)},
		{Role: "user", Content: render(task, lang, struct{ Data string }{data})},
	}
}

// fence makes text safe to put inside a data section. Anyone whose text
// reaches a prompt (a curator, a member, a manager) could write a closing
// tag in any variant (</history foo=1>, a zero-width space inside, full-
// width brackets) or a chat-template token (<|im_start|>): rather than
// list variants, data holds no angle bracket at all, so no tag can be
// formed from it.
var fencer = strings.NewReplacer("<", "‹", ">", "›", "＜", "‹", "＞", "›", "〈", "‹", "〉", "›")

func fence(s string) string { return fencer.Replace(s) }

// fenceMasked is fence for what people wrote about people: history,
// questions, chat turns. It takes only redacted text, so a raw string
// cannot reach a prompt section by mistake.
func fenceMasked(t anonymize.Text) string { return fence(t.String()) }

func guidanceSection(sources []Source) string {
	var b strings.Builder
	b.WriteString("<guidance>\n")
	for _, s := range sources {
		path := strings.Join(s.Hit.HeadingPath, " › ")
		fmt.Fprintf(&b, "[%d] %s", s.N, fence(s.Hit.Title))
		if path != "" {
			fmt.Fprintf(&b, " › %s", fence(path))
		}
		fmt.Fprintf(&b, "\n%s\n\n", fence(strings.TrimSpace(s.Hit.Text)))
	}
	b.WriteString("</guidance>\n")
	return b.String()
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// historySection renders the signals for a model: what the member asked
// for, the trend, open actions, recent sessions and feedback figures (never
// a single rating: Signals holds none).
func historySection(lang string, sig *history.Signals, similar []history.SessionMatch) string {
	if sig == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("<history>\n")
	// The alias is the manager's label and often a real name: the model
	// gets the member as a role, never the alias.
	b.WriteString("member: the member this history is about (本人)\n")
	writeNext(&b, lang, sig.Next)
	if v := sig.Condition.Values; len(v) > 0 {
		fmt.Fprintf(&b, "condition (1-5, oldest first): %s %s\n", conditionPath(v), sig.Condition.Change)
	}
	writeActions(&b, sig.OpenActions)
	writeSessions(&b, sig.LastSessions, similar)
	writeFigures(&b, lang, sig)
	if c := sig.LastComment; c != nil && !c.Comment.Empty() {
		fmt.Fprintf(&b, "the member's comment after a 1on1, shared with the manager (%s): %s\n", day(c.CreatedAt), fenceMasked(c.Comment))
	}
	if c := sig.SameStyleComment; c != nil && !c.Comment.Empty() {
		fmt.Fprintf(&b, "the member's comment after a 1on1 %d days ago in which they also asked for %q: %s\n", c.DaysAgo, c.Style, fenceMasked(c.Comment))
	}
	if len(sig.LastReflection) > 0 {
		b.WriteString("the manager's last reflection:\n")
		for _, a := range sig.LastReflection {
			fmt.Fprintf(&b, "  - Q: %s A: %s\n", fenceMasked(a.Prompt), fenceMasked(a.Answer))
		}
	}
	b.WriteString("</history>\n")
	return b.String()
}

// writeNext writes what the member asked for the next 1on1.
func writeNext(b *strings.Builder, lang string, n *history.SessionBrief) {
	if n == nil {
		return
	}
	fmt.Fprintf(b, "next 1on1: %s\n", day(n.At))
	if n.Style != nil {
		fmt.Fprintf(b, "  requested response style: %s (%s)\n", *n.Style, styleLabel(lang, *n.Style))
	}
	if len(n.Topics) > 0 {
		fmt.Fprintf(b, "  topics: %s\n", topicLabels(lang, n.Topics))
	}
	if !n.Request.Empty() {
		fmt.Fprintf(b, "  request (%s wrote it): %s\n", n.RequestFrom, fenceMasked(n.Request))
	}
}

// writeActions writes the open actions.
func writeActions(b *strings.Builder, actions []history.OpenAction) {
	if len(actions) == 0 {
		return
	}
	b.WriteString("open actions:\n")
	for _, a := range actions {
		due := ""
		if a.DueDate != nil {
			due = ", due " + *a.DueDate
		}
		if a.Overdue {
			due += ", overdue"
		}
		fmt.Fprintf(b, "  - %s (owner %s, %d days old%s)\n", fenceMasked(a.Text), a.Owner, a.AgeDays, due)
	}
}

// writeSessions writes the recent sessions' notes, then the related older
// ones not among them.
func writeSessions(b *strings.Builder, last []history.SessionBrief, similar []history.SessionMatch) {
	if len(last) > 0 {
		b.WriteString("recent sessions:\n")
		for _, s := range last {
			style := ""
			if s.Style != nil {
				style = ", asked: " + *s.Style
			}
			fmt.Fprintf(b, "  - %s%s: %s\n", day(s.At), style, fenceMasked(s.Notes))
		}
	}
	for _, m := range similar {
		if !slices.ContainsFunc(last, func(s history.SessionBrief) bool { return s.ID == m.ID }) {
			fmt.Fprintf(b, "  - (related, %s): %s\n", day(m.At), fenceMasked(m.Notes))
		}
	}
}

// writeFigures writes the recurring topics, the cadence and the feedback
// figures (averages only).
func writeFigures(b *strings.Builder, lang string, sig *history.Signals) {
	if len(sig.RecurringTopics) > 0 {
		var ts []string
		for _, t := range sig.RecurringTopics {
			ts = append(ts, fmt.Sprintf("%s ×%d", topicLabel(lang, t.Topic), t.Sessions))
		}
		fmt.Fprintf(b, "recurring topics: %s\n", strings.Join(ts, ", "))
	}
	if d := sig.DaysSinceLast; d != nil {
		fmt.Fprintf(b, "days since the last 1on1: %d\n", *d)
	}
	if c := sig.CadenceDays; c != nil {
		fmt.Fprintf(b, "usual interval: %.0f days\n", *c)
	}
	if r := sig.Implementation; r != nil {
		fmt.Fprintf(b, "implementation rate (180 days): %.0f%% (%d of %d held)\n", *r*100, sig.Held, sig.Planned)
	}
	if f := sig.Feedback; f.Satisfaction != nil {
		fmt.Fprintf(b, "member feedback (average of %d ratings): satisfaction %.1f/5, response matched the request %.0f%%\n",
			f.Ratings, *f.Satisfaction, *f.Matched*100)
	}
	for _, st := range sig.Styles {
		if st.Match.Matched != nil {
			fmt.Fprintf(b, "  when they asked for %s: matched %.0f%% (average of %d)\n", st.Style, *st.Match.Matched*100, st.Match.Ratings)
		}
	}
}

func questionSection(q anonymize.Text) string {
	if q.Empty() {
		return ""
	}
	return "<question>\n" + fenceMasked(q) + "\n</question>\n"
}

var (
	citeRE     = regexp.MustCompile(`\[(\d{1,3}(?:\s*[,、]\s*\d{1,3})*)\]`)
	sectionRE  = regexp.MustCompile(`(?m)^\s*\[(summary|agenda|questions|watch_outs|follow_ups)\]\s*$`)
	listItemRE = regexp.MustCompile(`^\s*(?:[-*・]|\d+[.)])\s*`)
)

// citeNumbers reads the numbers of one [n] or [n, m] marker (citeRE's
// first group).
func citeNumbers(inner string) []int {
	var ns []int
	for _, f := range strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == '、' || r == ' ' }) {
		n, _ := strconv.Atoi(f) // citeRE admits digits only
		ns = append(ns, n)
	}
	return ns
}

// checkCitations keeps the [n] markers that name one of the sources
// (1..sources) and drops the others, counting them.
func checkCitations(text string, sources int) (string, []int, int) {
	out, cites, dropped := keepCitations(text, sources)
	return strings.TrimSpace(strings.ReplaceAll(out, " \n", "\n")), cites, dropped
}

// keepCitations is checkCitations without tidying the text around a
// dropped marker: a streamed piece keeps its spaces.
func keepCitations(text string, sources int) (string, []int, int) {
	var cites []int
	dropped := 0
	out := citeRE.ReplaceAllStringFunc(text, func(m string) string {
		var keep []string
		for _, n := range citeNumbers(m[1 : len(m)-1]) {
			if n < 1 || n > sources {
				dropped++
				continue
			}
			keep = append(keep, strconv.Itoa(n))
			if !slices.Contains(cites, n) {
				cites = append(cites, n)
			}
		}
		if len(keep) == 0 {
			return ""
		}
		return "[" + strings.Join(keep, ", ") + "]"
	})
	return out, nonNil(cites), dropped
}

// parsed is a model's answer split into the sections it was asked for.
type parsed struct {
	summary  string
	sections map[string][]Item
	dropped  int // citation markers to no source
	// unsupported counts the sentences dropped because every source they
	// cited was invented: what stands on nothing is not shown as if cited.
	unsupported int
	cited       []int
}

// sentenceRE is a sentence or a line of an answer.
var sentenceRE = regexp.MustCompile(`[^。．.!?！？\n]+(?:[。．.!?！？]+|\n|$)(?:\s*\[\d{1,3}(?:\s*[,、]\s*\d{1,3})*\])*`)

// dropUnsupported removes the sentences of text whose citations all name
// no source, and counts them and the markers they held. A sentence with no
// citation stays.
func dropUnsupported(text string, sources int) (out string, sentences, markers int) {
	out = sentenceRE.ReplaceAllStringFunc(text, func(s string) string {
		ms := citeRE.FindAllStringSubmatch(s, -1)
		if len(ms) == 0 {
			return s
		}
		for _, m := range ms {
			for _, c := range citeNumbers(m[1]) {
				if c >= 1 && c <= sources {
					return s
				}
			}
		}
		sentences++
		for _, m := range ms {
			markers += len(citeNumbers(m[1]))
		}
		if strings.HasSuffix(s, "\n") {
			return "\n"
		}
		return ""
	})
	return out, sentences, markers
}

// parseAnswer splits text at [section] lines into list items, with
// citations checked. Text before any section (or all of it, when the model
// ignored the format) is the summary.
func parseAnswer(text string, sources int) parsed {
	p := parsed{sections: map[string][]Item{}}
	text = sanitize(text)
	idx := sectionRE.FindAllStringSubmatchIndex(text, -1)
	cur, start := "summary", 0
	var summary []string
	flush := func(body string) {
		body, unsupported, markers := dropUnsupported(body, sources)
		p.unsupported += unsupported
		p.dropped += markers
		body, cites, dropped := checkCitations(body, sources)
		p.dropped += dropped
		for _, n := range cites {
			if !slices.Contains(p.cited, n) {
				p.cited = append(p.cited, n)
			}
		}
		if cur == "summary" {
			if body != "" {
				summary = append(summary, body)
			}
			return
		}
		for _, line := range strings.Split(body, "\n") {
			line = strings.TrimSpace(listItemRE.ReplaceAllString(line, ""))
			if line == "" {
				continue
			}
			_, cs, _ := checkCitations(line, sources)
			p.sections[cur] = append(p.sections[cur], Item{Text: line, Cites: cs})
		}
	}
	for _, m := range idx {
		flush(text[start:m[0]])
		cur, start = text[m[2]:m[3]], m[1]
	}
	flush(text[start:])
	p.summary = strings.Join(summary, "\n")
	return p
}
