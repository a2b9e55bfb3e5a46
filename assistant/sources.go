package assistant

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/knowledge"
)

// Section kinds of a guidance document, from its headings. The starter
// pack and the curation guide use these headings; other documents' parts
// are "other" and still retrievable and citable.
const (
	sectionSituation     = "situation"
	sectionMisconception = "misconception"
	sectionPractice      = "practice"
	sectionQuestions     = "questions"
	sectionAvoid         = "avoid"
	sectionNext          = "next"
	sectionOther         = "other"
)

var sectionHeadings = map[string]string{
	"よくある状況": sectionSituation, "the situation": sectionSituation,
	"よくある誤解": sectionMisconception, "common misconceptions": sectionMisconception,
	"実践のポイント": sectionPractice, "what to do": sectionPractice,
	"使える問いかけ": sectionQuestions, "questions you can ask": sectionQuestions,
	"避けたい言動": sectionAvoid, "what to avoid": sectionAvoid,
	"次の1on1までに": sectionNext, "before the next 1on1": sectionNext,
}

func sectionOf(headingPath []string) string {
	for i := len(headingPath) - 1; i >= 0; i-- {
		if s, ok := sectionHeadings[strings.ToLower(strings.TrimSpace(headingPath[i]))]; ok {
			return s
		}
	}
	return sectionOther
}

// Source is one piece of guidance given to the composer or the model,
// numbered as it is cited: [N].
type Source struct {
	N       int
	Hit     knowledge.Hit
	Section string
	// Found says the source matched a query itself, rather than being a
	// section of a document that did.
	Found bool
}

// Citation is a source an answer cites, with the passage it quotes.
type Citation struct {
	N           int       `json:"n"`
	ChunkID     uuid.UUID `json:"chunk_id"`
	DocumentID  uuid.UUID `json:"document_id"`
	Title       string    `json:"title"`
	HeadingPath []string  `json:"heading_path"`
	Quote       string    `json:"quote"`
}

// bestDocuments sorts found by score, best first, and returns the best
// documents among them: first the best of each query in turn, then the
// rest by score. Every query asks for what a line of the answer will cite
// (the requested style, a fall in condition, the 1on1s that did not take
// place): by score alone, three hits of one query's documents crowded the
// others out and those lines went uncited.
func bestDocuments(found []knowledge.Hit, perQuery [][]knowledge.Hit) []uuid.UUID {
	byScore := func(a, b knowledge.Hit) int { return cmp.Compare(b.Score, a.Score) }
	slices.SortStableFunc(found, byScore)
	var docs []uuid.UUID
	take := func(h knowledge.Hit) {
		if !slices.Contains(docs, h.DocumentID) && len(docs) < maxDocuments {
			docs = append(docs, h.DocumentID)
		}
	}
	for _, hits := range perQuery {
		if len(hits) > 0 {
			take(slices.MinFunc(hits, byScore))
		}
	}
	for _, h := range found {
		take(h)
	}
	return docs
}

// query is one retrieval the coach makes, and why.
type query struct {
	Text   string
	Topics []string
}

const (
	hitsPerQuery = 4
	maxDocuments = 5
	maxSources   = 14
	// sectionRoom is how many sources are kept for the questions and what
	// to avoid of the documents found.
	sectionRoom = 6
)

// retrieve runs the queries and gathers what they found, then adds the
// questions and what-to-avoid sections of the best documents (found
// documents are relevant as a whole; those sections are what a manager
// can use directly). Sources are numbered from 1 in order of relevance.
func (c *Coach) retrieve(ctx context.Context, db DB, lang string, queries []query, vecs *queryVectors) ([]Source, error) {
	sources, _, _, err := c.retrieveDocs(ctx, db, lang, queries, vecs, nil)
	return sources, err
}

// queryVectors are the embeddings of one answer's query texts, made in one
// model call: a prep has up to a dozen queries, and the question is also
// what past sessions are matched against.
type queryVectors struct {
	model string
	of    map[string][]float32
	// failed: the model was asked and could not answer, so search is
	// lexical-only rather than asking again per query.
	failed bool
}

// embedQueries embeds texts with the knowledge base's model; nil in
// offline mode.
func (c *Coach) embedQueries(ctx context.Context, texts []string) *queryVectors {
	model, ok := c.kb.Embedding()
	if !ok {
		return nil
	}
	texts = slices.Compact(slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(texts), func(t string) bool {
		return strings.TrimSpace(t) == ""
	}))))
	v := &queryVectors{model: model, of: map[string][]float32{}}
	vs, err := c.kb.QueryVectors(ctx, texts)
	if err != nil {
		v.failed = true
		return v
	}
	for i, t := range texts {
		v.of[t] = vs[i]
	}
	return v
}

// search is a knowledge query with the answer's vector: never one left
// to embed, since the queries run in one transaction.
func (v *queryVectors) search(q knowledge.Query) knowledge.Query {
	q.LexicalOnly = true
	if v != nil {
		q.Vector = v.of[q.Text]
		q.LexicalOnly = v.failed || q.Vector == nil
	}
	return q
}

// vector is text's embedding by model, nil if not made.
func (v *queryVectors) vector(model, text string) []float32 {
	if v == nil || v.model != model {
		return nil
	}
	return v.of[text]
}

// retrieveDocs is retrieve that also returns the best documents, best
// first, and all their sections, for a caller that wants other parts of
// them. The documents of the checks a stated plan ran into are always
// among them, and their sections a check cites, or else their what to
// avoid, are sources whatever the queries found.
func (c *Coach) retrieveDocs(ctx context.Context, db DB, lang string, queries []query, vecs *queryVectors, checks []knowledge.DocumentCheck) ([]Source, []knowledge.Hit, []uuid.UUID, error) {
	if vecs == nil {
		texts := make([]string, len(queries))
		for i, q := range queries {
			texts[i] = q.Text
		}
		vecs = c.embedQueries(ctx, texts)
	}
	var found []knowledge.Hit
	seen := map[uuid.UUID]bool{}
	best := map[uuid.UUID]float64{} // document: best score
	var sections []knowledge.Hit
	var docs []uuid.UUID
	// One transaction for every query and the sections: the vectors are
	// made, so nothing inside waits for a model.
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var qs []knowledge.Query
		for _, q := range queries {
			if strings.TrimSpace(q.Text) != "" {
				qs = append(qs, vecs.search(knowledge.Query{Text: q.Text, Topics: q.Topics, Language: lang, K: hitsPerQuery}))
			}
		}
		results, err := c.kb.SearchIn(ctx, tx, qs...)
		if err != nil {
			return err
		}
		perQuery := make([][]knowledge.Hit, len(results))
		for i, res := range results {
			perQuery[i] = res.Hits
			for _, h := range res.Hits {
				if !seen[h.ChunkID] {
					seen[h.ChunkID] = true
					found = append(found, h)
				}
				best[h.DocumentID] = max(best[h.DocumentID], h.Score)
			}
		}
		docs = bestDocuments(found, perQuery)
		for _, ch := range slices.Backward(checks) {
			if !slices.Contains(docs, ch.DocumentID) {
				docs = slices.Insert(docs, 0, ch.DocumentID)
			}
		}
		if len(docs) == 0 {
			return nil
		}
		sections, err = c.kb.Sections(ctx, tx, docs)
		return err
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("retrieve: %w", err)
	}

	var out []Source
	added := map[uuid.UUID]bool{}
	add := func(h knowledge.Hit, found bool, limit int) {
		if len(out) < limit && !added[h.ChunkID] {
			added[h.ChunkID] = true
			out = append(out, Source{N: len(out) + 1, Hit: h, Section: sectionOf(h.HeadingPath), Found: found})
		}
	}
	for _, h := range sections {
		if checked(checks, h) {
			add(h, false, maxSources)
		}
	}
	// The passages found come first, but leave room for the questions and
	// what to avoid of the documents they come from: a plan asks and warns
	// from those, and many hits of one query used to crowd them out.
	for _, h := range found {
		if slices.Contains(docs, h.DocumentID) {
			add(h, true, maxSources-sectionRoom)
		}
	}
	for _, h := range sections {
		if s := sectionOf(h.HeadingPath); s == sectionQuestions || s == sectionAvoid {
			add(h, seen[h.ChunkID], maxSources) // seen: found by a query
		}
	}
	for _, h := range found {
		if slices.Contains(docs, h.DocumentID) {
			add(h, true, maxSources)
		}
	}
	return out, sections, docs, nil
}

// checked reports whether section h is one a check quotes: the one
// holding its cite, or what to avoid in a document whose check cites
// nothing.
func checked(checks []knowledge.DocumentCheck, h knowledge.Hit) bool {
	return slices.ContainsFunc(checks, func(ch knowledge.DocumentCheck) bool {
		if ch.DocumentID != h.DocumentID {
			return false
		}
		if ch.Cite != "" {
			return knowledge.Cites(h.Text, ch.Cite)
		}
		return sectionOf(h.HeadingPath) == sectionAvoid
	})
}

var (
	bulletRE   = regexp.MustCompile(`(?m)^\s*(?:[-*+]|\d+[.)])\s+(.+)$`)
	emphasisRE = regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`)
)

// leads returns the lead phrase of each list item of a chunk's text: its
// bold opening ("**Meet more often.** Fifteen minutes…"), or its first
// sentence when it has none.
func leads(text string) []string {
	var out []string
	for _, m := range bulletRE.FindAllStringSubmatch(text, -1) {
		if b := boldLead.FindStringSubmatch(m[1]); b != nil {
			out = append(out, strings.TrimSpace(b[1]))
		} else {
			out = append(out, lead(plain(m[1])))
		}
	}
	return out
}

var boldLead = regexp.MustCompile(`^\*\*([^*]+)\*\*`)

// bullets returns the list items of a chunk's text, without Markdown
// emphasis; a chunk with no list gives its sentences.
func bullets(text string) []string {
	var out []string
	for _, m := range bulletRE.FindAllStringSubmatch(text, -1) {
		out = append(out, plain(m[1]))
	}
	if len(out) > 0 {
		return out
	}
	// A sentence end inside quoted words ("…here is what I found. How
	// did the draft go?") is none: quoted alone, the rest is a fragment.
	return wholeSentences(knowledge.Sentences(plain(text)))
}

func plain(s string) string {
	s = emphasisRE.ReplaceAllString(s, "$1$2")
	return strings.TrimSpace(s)
}

// lead is the first sentence of a list item (the bold phrase, in the
// starter pack's style), without a one-word label before it ("Plan:",
// "Do.") that reads as a raw heading once quoted.
func lead(item string) string {
	if m := labelRE.FindStringSubmatch(item); m != nil {
		item = m[1]
	}
	ss := knowledge.Sentences(item)
	if len(ss) == 0 {
		return item
	}
	if len(ss) > 1 && utf8.RuneCountInString(strings.Trim(ss[0], ".。 ")) <= 6 {
		return ss[1]
	}
	return ss[0]
}

// tip is a list item as a line of the agenda: its first sentence with
// the reason that follows it, while they are short. A bold phrase alone
// ("意識すること：はっきり言葉にする。") read as a fragment once lifted out
// of its document; the reason is what makes it advice.
func tip(item string) string {
	if m := labelRE.FindStringSubmatch(item); m != nil {
		item = m[1]
	}
	// A sentence that points back into its document ("四つを見せて",
	// "these three") means nothing on its own.
	//
	// A tip is its lead and one sentence of why: the document's worked
	// example after it ("Getting one hesitant stakeholder to agree is real
	// progress", 「見積もりの根拠…」) is about someone else's situation.
	ss := knowledge.Sentences(item)
	for i := 1; i < len(ss); i++ {
		if !closed(joinSentences(ss[:i])) || continues(ss[i-1], ss[i]) {
			continue // a sentence end inside a quote: 「忙しい？」ではなく…
		}
		// A bare lead ("Acknowledge the request at the start.") keeps the
		// words it gives to say, when they follow it: alone it reads as a
		// pasted heading.
		if i == 1 && script.MatchString(ss[1]) && runesOfText(ss[0]) < 45 {
			return strings.TrimRight(ss[0], ".。 ") + scriptJoin(ss[0]) + strings.TrimSpace(ss[1])
		}
		if pointsInto.MatchString(ss[i]) || i >= 2 || example.MatchString(ss[i]) {
			ss = ss[:i]
			break
		}
	}
	// Cut to length inside a quote, the example would be left open
	// (「今月はすぐには減らせません。 with no end): the sentences before it.
	out := sentences(joinSentences(ss), 90, 200)
	for i := len(ss) - 1; i > 0 && !closed(out); i-- {
		out = sentences(joinSentences(ss[:i]), 90, 200)
	}
	return out
}

// agendaTip is a tip as an agenda line. A Japanese agenda says what to
// do in plain form without a full stop (「…を聞く」): of a tip, the
// sentences saying what to do, not the polite one saying why
// (「ここに2〜3分使うだけで…上がります。」), unless those alone say too
// little to act on (「やめることもはっきり決める」).
func agendaTip(lang, t string) string {
	if lang != "ja" {
		return t
	}
	ss := wholeSentences(knowledge.Sentences(t))
	n := 0
	for n < len(ss) && !politeEnd.MatchString(ss[n]) {
		n++
	}
	if n > 0 && n < len(ss) && runesOfText(joinSentences(ss[:n])) >= 16 {
		t = joinSentences(ss[:n])
	}
	return strings.TrimSuffix(t, "。")
}

// politeEnd is a Japanese sentence in the polite form: in a tip, the
// reason or the worked detail after what to do.
var politeEnd = regexp.MustCompile(`(?:ます|ません|です|でしょう)。$`)

// continues reports whether next goes on with the sentence prev ends in
// a quote: 「忙しい？」 + ではなく….
func continues(prev, next string) bool {
	r, _ := utf8.DecodeRuneInString(next)
	return (strings.HasSuffix(prev, "」") || strings.HasSuffix(prev, "』") || strings.HasSuffix(prev, "”")) && (unicode.Is(unicode.Hiragana, r) || r == '、' || r == ',' || r == '「')
}

// closed reports whether every quotation opened in s is closed.
func closed(s string) bool {
	return strings.Count(s, "「") == strings.Count(s, "」") && strings.Count(s, "『") == strings.Count(s, "』") &&
		strings.Count(s, "“") == strings.Count(s, "”") && strings.Count(s, `"`)%2 == 0
}

// example is a sentence that gives an instance, not the reason: one that
// opens on words said ("\"Are you busy?\" gets \"a bit\".").
var example = regexp.MustCompile(`(?i)例えば|たとえば|など、|「[^」]*」のように|\be\.g\.|\bfor example\b|\bfor instance\b|\bsay something like\b|^\s*["“]`)

// script is a sentence that is only words to say: "You asked me to just
// listen today, so that is what I will do." or 「今日は聴くことに徹しますね」.
var script = regexp.MustCompile(`^\s*(?:"[^"]{8,120}"|“[^”]{8,120}”|「[^」]{6,80}」)[。.]?\s*$`)

// scriptJoin joins a lead to the words it gives to say.
func scriptJoin(lead string) string {
	if strings.ContainsFunc(lead, japanese) {
		return "。例："
	}
	return ": "
}

// pointsInto is wording that refers to what a document said before.
var pointsInto = regexp.MustCompile(`(?i)(?:この|その|これらの|それらの|上の|前述の)?(?:二つ|三つ|四つ|五つ|2つ|3つ|4つ|5つ)(?:を|の|から|に)|上記|前述|\b(?:these|those|the) (?:two|three|four|five)\b|\bthe (?:following|above)\b`)

// closeLead ends a list item's bold lead with a full stop when it has none
// ("**「今のままがいい」も尊重する**　いまの仕事を…"), so that the lead reads as
// a sentence of its own once the emphasis is gone.
func closeLead(lang, lead, item string) string {
	rest, ok := strings.CutPrefix(item, lead)
	if last, _ := utf8.DecodeLastRuneInString(lead); !ok || rest == "" || strings.ContainsRune(".。!！?？", last) {
		return item
	}
	// The colon some writers put after the lead ("**…に聞く**:全体の場で…")
	// goes with the emphasis: "。:" is a fragment.
	rest = strings.TrimLeft(rest, ":：　 ")
	if lang == "ja" {
		return lead + "。" + rest
	}
	return lead + ". " + rest
}

// labelRE is a list item that starts with a short label and a colon.
var labelRE = regexp.MustCompile(`^(?:[A-Za-z]{1,12}|[\p{Han}\p{Hiragana}\p{Katakana}]{1,8})[:：]\s*(.{8,})$`)

// unquote strips the quotation marks around a question: 「…」 or "…".
func unquote(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range [][2]string{{"「", "」"}, {"\"", "\""}, {"“", "”"}} {
		if strings.HasPrefix(s, p[0]) && strings.HasSuffix(s, p[1]) && len(s) > len(p[0])+len(p[1]) {
			return strings.TrimSpace(s[len(p[0]) : len(s)-len(p[1])])
		}
	}
	return s
}

// excerpt is what a citation quotes when no single passage was chosen:
// the start of the chunk, its list items kept apart.
func excerpt(text string) string {
	return truncate(strings.Join(bullets(text), " ／ "), 160)
}
