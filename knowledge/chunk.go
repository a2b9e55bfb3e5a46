package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chunk is a passage of a document, the unit that retrieval returns and
// the coach cites.
type Chunk struct {
	Ordinal int `json:"ordinal"`
	// HeadingPath is the chain of headings above the passage, outermost
	// first; it gives the passage its context ("よくある誤解" of which
	// section).
	HeadingPath []string `json:"heading_path"`
	Text        string   `json:"text"`
}

// ChunkOptions size the chunks, in characters (runes).
type ChunkOptions struct {
	Target  int // aim for chunks about this long
	Max     int // never longer than this
	Overlap int // carry up to this much trailing text into the next chunk of a section
}

// DefaultChunkOptions suit both Japanese and English guidance: a Japanese
// "section" of a starter document is 200-500 characters, and a chunk should
// hold one practical point with its context.
var DefaultChunkOptions = ChunkOptions{Target: 400, Max: 700, Overlap: 120}

// ChunkMarkdown splits a Markdown body into chunks that never cross a
// heading, each carrying its heading path. Paragraphs are split into
// sentences (Japanese 。！？ and line breaks, English . ! ? before a capital),
// list items stay whole when they fit, and sentences are packed up to the
// target size with the last sentence(s) of a chunk repeated at the start of
// the next one, up to Overlap, so a point that straddles the cut is found
// either way. The result depends only on the input.
func ChunkMarkdown(body string, opt ChunkOptions) []Chunk {
	if opt.Target <= 0 || opt.Max < opt.Target {
		opt = DefaultChunkOptions // zero options would never fill a chunk
	}
	var (
		chunks   []Chunk
		headings []string // by level: headings[i] is the level i+1 heading
		units    []unit
		inFence  bool
		fence    []string
		para     []string
	)
	path := func() []string {
		p := []string{} // not nil: the column is NOT NULL, and a body may start without a heading
		for _, h := range headings {
			if h != "" {
				p = append(p, h)
			}
		}
		return p
	}
	flushPara := func() {
		if len(para) > 0 {
			units = appendSentences(units, strings.Join(para, "\n"))
			para = nil
		}
	}
	flushSection := func() {
		flushPara()
		for _, text := range pack(units, opt) {
			chunks = append(chunks, Chunk{Ordinal: len(chunks), HeadingPath: path(), Text: text})
		}
		units = nil
	}
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			if inFence {
				fence = append(fence, line)
				units = append(units, unit{text: strings.Join(fence, "\n"), para: true})
				fence, inFence = nil, false
			} else {
				flushPara()
				fence, inFence = []string{line}, true
			}
			continue
		}
		if inFence {
			fence = append(fence, line)
			continue
		}
		if level, text, ok := heading(trimmed); ok {
			flushSection()
			for len(headings) < level {
				headings = append(headings, "")
			}
			headings = headings[:level]
			headings[level-1] = text
			continue
		}
		switch {
		case trimmed == "":
			flushPara()
		case isListItem(trimmed):
			flushPara()
			para = []string{trimmed}
			flushListItem(&para, &units, opt)
		default:
			para = append(para, trimmed)
		}
	}
	if inFence {
		units = append(units, unit{text: strings.Join(fence, "\n"), para: true})
	}
	flushSection()
	return chunks
}

// unit is a sentence, a list item or a code block: what chunks are packed
// from. para marks the first unit of a paragraph or item, which starts on a
// new line when units are joined.
type unit struct {
	text string
	para bool
}

func appendSentences(units []unit, p string) []unit {
	for i, s := range Sentences(p) {
		units = append(units, unit{text: s, para: i == 0})
	}
	return units
}

// flushListItem makes a list item one unit if it fits in a chunk, or its
// sentences otherwise.
func flushListItem(para *[]string, units *[]unit, opt ChunkOptions) {
	item := (*para)[0]
	if utf8.RuneCountInString(item) <= opt.Target {
		*units = append(*units, unit{text: item, para: true})
	} else {
		*units = appendSentences(*units, item)
	}
	*para = nil
}

func heading(line string) (int, string, bool) {
	level := 0
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || level == len(line) || line[level] != ' ' {
		return 0, "", false
	}
	return level, strings.TrimSpace(strings.TrimRight(line[level:], "# ")), true
}

func isListItem(line string) bool {
	if len(line) > 1 && strings.ContainsRune("-*+", rune(line[0])) && line[1] == ' ' {
		return true
	}
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	return i > 0 && i+1 < len(line) && (line[i] == '.' || line[i] == ')') && line[i+1] == ' '
}

// Sentences splits a paragraph into sentences. A closing bracket or quote
// after the terminator stays with its sentence (「…です。」).
func Sentences(p string) []string {
	var (
		out []string
		cur strings.Builder
	)
	emit := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\n' {
			emit()
			continue
		}
		cur.WriteRune(r)
		switch {
		case r == '。' || r == '！' || r == '？':
			for i+1 < len(rs) && strings.ContainsRune("」』）)】\"'”’！？", rs[i+1]) {
				i++
				cur.WriteRune(rs[i])
			}
			emit()
		case r == '.' || r == '!' || r == '?':
			// English: end of sentence when followed by space and a capital,
			// a digit or an opening quote, and not after an abbreviation.
			j := i + 1
			for j < len(rs) && strings.ContainsRune("\"')”’", rs[j]) {
				cur.WriteRune(rs[j])
				j++
			}
			if j < len(rs) && rs[j] == ' ' && j+1 < len(rs) &&
				(unicode.IsUpper(rs[j+1]) || unicode.IsDigit(rs[j+1]) || strings.ContainsRune("\"“‘'(", rs[j+1])) &&
				!abbreviation(cur.String()) {
				i = j
				emit()
			} else {
				i = j - 1
			}
		}
	}
	emit()
	return out
}

var abbreviations = []string{"mr.", "ms.", "mrs.", "dr.", "e.g.", "i.e.", "vs.", "etc.", "cf.", "no.", "approx."}

func abbreviation(s string) bool {
	s = strings.ToLower(s)
	for _, a := range abbreviations {
		if strings.HasSuffix(s, " "+a) || s == a {
			return true
		}
	}
	return false
}

// pack groups units into chunks of about opt.Target runes.
func pack(units []unit, opt ChunkOptions) []string {
	var (
		out  []string
		cur  []unit
		size int
	)
	for _, u := range splitLong(units, opt.Max) {
		n := utf8.RuneCountInString(u.text)
		if size > 0 && size+n > opt.Target {
			out = append(out, join(cur))
			// Overlap: repeat trailing units that fit in opt.Overlap, never
			// the whole chunk.
			var keep []unit
			kept := 0
			for i := len(cur) - 1; i > 0; i-- {
				m := utf8.RuneCountInString(cur[i].text)
				if kept+m > opt.Overlap || kept+m+n > opt.Max {
					break
				}
				keep = append([]unit{cur[i]}, keep...)
				kept += m
			}
			cur, size = keep, kept
		}
		cur = append(cur, u)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, join(cur))
	}
	return out
}

// join puts units back together: a new paragraph on a new line, sentences
// of one paragraph side by side (with a space after English punctuation).
func join(us []unit) string {
	var b strings.Builder
	for i, u := range us {
		if i > 0 {
			prev := us[i-1].text
			switch last, _ := utf8.DecodeLastRuneInString(prev); {
			case u.para:
				b.WriteByte('\n')
			case last < utf8.RuneSelf:
				b.WriteByte(' ')
			}
		}
		b.WriteString(u.text)
	}
	return b.String()
}

// splitLong cuts units longer than max into max-rune pieces.
func splitLong(units []unit, max int) []unit {
	var out []unit
	for _, u := range units {
		rs := []rune(u.text)
		first := true
		for len(rs) > max {
			out = append(out, unit{text: string(rs[:max]), para: u.para && first})
			rs, first = rs[max:], false
		}
		out = append(out, unit{text: string(rs), para: u.para && first})
	}
	return out
}
