package assistant

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Model output is shown as plain text or a safe Markdown subset: no raw
// HTML, no images, no links that load or jump, no reasoning the model
// thought aloud. sanitize cleans a whole answer; streamSanitizer cleans it
// as it streams, holding back only what could still become one of those.
var (
	thinkRE = regexp.MustCompile(`(?is)<(think|thinking|reasoning)>.*?(?:</(?:think|thinking|reasoning)>|\z)`)
	htmlRE  = regexp.MustCompile(`</?[a-zA-Z!?][^<>]*>`)
	// tagStartRE is a '<' that a browser could still read as the start of
	// a tag once the tags around it are gone (<<b>script>).
	tagStartRE = regexp.MustCompile(`<([a-zA-Z/!?])`)
	imageRE    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	// Any link target: a list of bad schemes always misses one (vbscript:).
	linkRE    = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	bareURLRE = regexp.MustCompile(`(?i)\b(?:[a-z][a-z0-9+.-]*://|(?:javascript|vbscript|data|file|blob|mailto|tel):|www\.)[\x21-\x28\x2a-\x7e]*`)
)

// sanitize makes a model's answer safe to show.
func sanitize(s string) string {
	s = thinkRE.ReplaceAllString(s, "")
	return clean(s)
}

// clean removes markup from text that holds no reasoning block.
func clean(s string) string {
	s = imageRE.ReplaceAllString(s, "$1")
	s = linkRE.ReplaceAllString(s, "$1")
	// Removing a tag can join two halves into a new one: repeat until
	// none is left, then defuse any '<' that could still open one.
	for {
		t := htmlRE.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	s = tagStartRE.ReplaceAllString(s, "＜$1")
	return bareURLRE.ReplaceAllString(s, "")
}

// streamSanitizer cleans a streamed answer piece by piece. Whole lines are
// cleaned as they end; of a line still arriving it passes on what no later
// piece can turn into markup: up to an unclosed '<' or '[' (a tag, a link
// or an image may be arriving) and up to the last word of ASCII letters (a
// URL may be). A reasoning block is dropped as it streams.
type streamSanitizer struct {
	pending string
	inThink bool
}

// write takes the next piece of the answer and returns what can be shown.
func (z *streamSanitizer) write(piece string) string {
	z.pending += piece
	var out strings.Builder
	for {
		if z.inThink {
			end := thinkEnd(z.pending)
			if end < 0 {
				return out.String()
			}
			z.pending, z.inThink = z.pending[end:], false
		}
		if start := thinkStart(z.pending); start >= 0 {
			// The tag ends what came before it.
			out.WriteString(clean(z.pending[:start]))
			z.pending, z.inThink = z.pending[start:], true
			continue
		}
		break
	}
	out.WriteString(z.cleanReady())
	return out.String()
}

// cleanReady cleans and takes from z.pending, which holds no reasoning
// block, what can be shown.
func (z *streamSanitizer) cleanReady() string {
	s := z.pending
	n := strings.LastIndexByte(s, '\n') + 1 // whole lines
	n += safeCut(s[n:])
	z.pending = s[n:]
	return clean(s[:n])
}

// flush returns the rest at the end of the answer.
func (z *streamSanitizer) flush() string {
	if z.inThink {
		z.pending = ""
		return ""
	}
	out := sanitize(z.pending)
	z.pending = ""
	return out
}

// thinkStart is where a reasoning block's opening tag begins in s, or
// where one may be arriving at its end; -1 if neither.
func thinkStart(s string) int {
	lower := strings.ToLower(s)
	for _, tag := range []string{"<think>", "<thinking>", "<reasoning>"} {
		if i := strings.Index(lower, tag); i >= 0 {
			return i
		}
	}
	return -1
}

// thinkEnd is the end of the closing tag of a reasoning block in s, -1
// until it has arrived.
func thinkEnd(s string) int {
	lower := strings.ToLower(s)
	for _, tag := range []string{"</think>", "</thinking>", "</reasoning>"} {
		if i := strings.Index(lower, tag); i >= 0 {
			return i + len(tag)
		}
	}
	return -1
}

// safeCut is how much of part, a line still arriving, can be cleaned and
// shown now.
func safeCut(part string) int {
	cut := len(part)
	// A trailing run of ASCII letters and punctuation may be a URL or a
	// scheme half-arrived ("java" + "script:").
	for cut > 0 {
		r, size := utf8.DecodeLastRuneInString(part[:cut])
		if r > unicode.MaxASCII || unicode.IsSpace(r) {
			break
		}
		cut -= size
	}
	if i := unclosed(part[:cut]); i >= 0 {
		cut = i
	}
	return cut
}

// unclosed is the index of the first construct in s that is not closed
// yet: a '<' with no '>' after it, a '[' with no ']' after it, a "](" with
// no ')' after it, or a ']' at the very end (a "(" may follow). An image's
// '!' goes with its '['. It is -1 when everything is closed.
func unclosed(s string) int {
	first := -1
	mark := func(i int) {
		if i > 0 && s[i-1] == '!' {
			i--
		}
		if first < 0 || i < first {
			first = i
		}
	}
	if i := strings.LastIndexByte(s, '<'); i >= 0 && !strings.Contains(s[i:], ">") {
		mark(strings.IndexByte(s, '<'))
	}
	open := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			if open < 0 {
				open = i
			}
		case ']':
			if open >= 0 {
				switch {
				case i+1 == len(s):
					mark(open)
				case s[i+1] == '(' && !strings.Contains(s[i+1:], ")"):
					mark(open)
				}
				open = -1
			}
		}
	}
	if open >= 0 {
		mark(open)
	}
	return first
}
