package assistant

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/taiwa-coach/taiwa/assistant/history"
)

// TestMessages checks both languages have every message, and every key the
// code asks for exists: a missing one would print Go's %!(EXTRA ...) to a
// manager.
func TestMessages(t *testing.T) {
	for k := range messages["ja"] {
		if _, ok := messages["en"][k]; !ok {
			t.Errorf("%q has no English text", k)
		}
	}
	for k := range messages["en"] {
		if _, ok := messages["ja"][k]; !ok {
			t.Errorf("%q has no Japanese text", k)
		}
	}
	files, _ := filepath.Glob("*.go")
	literal := regexp.MustCompile(`msg\((?:lang|in\.Lang), "([\w.-]+)"[,)]`)
	used := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			used++
			if _, ok := messages["ja"][m[1]]; !ok {
				t.Errorf("%s: msg key %q does not exist", f, m[1])
			}
		}
	}
	if used < 40 {
		t.Errorf("found %d msg calls; the scan is broken", used)
	}
	// Keys made at run time.
	var dynamic []string
	for _, s := range history.Styles {
		dynamic = append(dynamic, "style."+s, "watch.style."+s)
		if s != "listen" {
			dynamic = append(dynamic, "agenda.style."+s)
		}
		if s != "decide" { // a decision's questions are its own (prepQuestions)
			dynamic = append(dynamic, "question.more."+s)
		}
	}
	for _, k := range []string{SensitiveHarassment, SensitiveDiscrimination, SensitiveCrisis, SensitiveLegal} {
		dynamic = append(dynamic, "sensitive."+k)
	}
	dynamic = append(dynamic, "owner.manager", "owner.member")
	for _, k := range dynamic {
		if _, ok := messages["ja"][k]; !ok {
			t.Errorf("key %q does not exist", k)
		}
	}
}

func TestSpellCount(t *testing.T) {
	for in, want := range map[string]string{
		"The last 3 1on1s were reports.":             "The last three 1on1s were reports.",
		"Of the 10 1on1s planned, 2 did not happen.": "Of the ten 1on1s planned, 2 did not happen.",
		"Of the 12 1on1s planned":                    "Of the 12 1on1s planned",
		"agreed 3 days ago, 1on1 on 2026-12-01":      "agreed 3 days ago, 1on1 on 2026-12-01",
	} {
		if got := spellCount(in); got != want {
			t.Errorf("spellCount(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNestedQuotes(t *testing.T) {
	for _, c := range []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "quoted", []any{`He said: "I keep going back"`}, `"He said: 'I keep going back'"`},
		{"en", "quoted", []any{"She said “fine”"}, `"She said ‘fine’"`},
		{"ja", "quoted", []any{"本人は「大丈夫」と話していた"}, "「本人は『大丈夫』と話していた」"},
		// Quotes the format does not open are the argument's own.
		{"ja", "summary.next.topics", []any{"Aさん", "「目標」"}, "Aさんは次の1on1のテーマに「目標」を選んでいます。"},
	} {
		if got := msg(c.lang, c.key, c.args...); got != c.want {
			t.Errorf("msg(%s, %s, %q) = %q, want %q", c.lang, c.key, c.args, got, c.want)
		}
	}
}

func TestSpokenTo(t *testing.T) {
	for in, want := range map[string]string{
		"the GIS e-learning he hasn't done": "the GIS e-learning you haven't done",
		"what she is planning for her team": "what you are planning for your team",
		"giving her feedback":               "giving you feedback",
		"him being late":                    "you being late",
		"the course he signed up for":       "the course you signed up for",
		"the way he talks to them":          "the way he talks to them", // no agreeing verb: as written
		"their rota":                        "their rota",               // they may be others
		"チームへの共有の仕方":                        "チームへの共有の仕方",
	} {
		if got := spokenTo(in); got != want {
			t.Errorf("spokenTo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLeftOpen(t *testing.T) {
	for _, c := range []struct {
		notes, remark string
		cut           bool
	}{
		{"Barley trial yields +7% on 5 plots. At the very end he said the regional agronomy conference 'might be interesting' - we ran out of time.",
			"the regional agronomy conference 'might be interesting'", true},
		{"内装工程表の初版ができた。最後に「内装業者の現場代理人とやり取りが噛み合わないことがある」と一言だけ。時間切れで深掘りしなかった。",
			"内装業者の現場代理人とやり取りが噛み合わないことがある", true},
		{"The freeze has held, but she says volunteers are still confused by the old sign-up sheet. We ran out of time before getting to it.",
			"volunteers are still confused by the old sign-up sheet", true},
		{"Promo week went through at 99.2% accuracy. He mentioned in passing that forklift recertification is due next month.",
			"forklift recertification is due next month", false},
		// A request for how to be answered is no topic left open.
		{`I gave her the pros and cons of each but didn't pick; near the end she said "I just need someone to decide."`, "", false},
		// The manager asking at the end is no remark of the member's.
		{"12月の計画が確定した。最後に「最近どう?」と聞いたが「特に変わりないです」で終わった。", "", false},
		{"Ran out of time before we got to ideas.", "", false},
		{"Went through her 8-week data. Ran out of time before getting to options; she asked to continue next time.",
			"options", true},
		// The words quoted, not what happened after them.
		{"Q3 quota at 94%. At the end he said 'the travel's catching up with me a bit,' then had to take a customer call.",
			"the travel's catching up with me a bit", false},
	} {
		remark, at, cut := leftOpen(c.notes)
		if remark != c.remark || cut != c.cut || (remark != "") != (len(at) > 0) {
			t.Errorf("leftOpen(%q) = %q, %v, %v; want %q, %v", c.notes, remark, at, cut, c.remark, c.cut)
		}
	}
}

func TestAsInfinitive(t *testing.T) {
	for in, want := range map[string]string{
		"which project I take":          "which project to take",
		"whether I should go in March":  "whether to go in March",
		"how I split the budget":        "how to split the budget",
		"which shift pattern we use":    "which shift pattern we use",
		"the rota for the summer weeks": "the rota for the summer weeks",
	} {
		if got := asInfinitive(in); got != want {
			t.Errorf("asInfinitive(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddressed(t *testing.T) {
	for in, want := range map[string]string{
		"what my first three months should look like": "what your first three months should look like",
		"whether I'm ready to lead the audit":         "whether you're ready to lead the audit",
		"how I was handling the pushback":             "how you were handling the pushback",
		"シフトの組み方":                                     "シフトの組み方",
	} {
		if got := addressed(in); got != want {
			t.Errorf("addressed(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNotAsked(t *testing.T) {
	for notes, want := range map[string]string{
		"来月の外部監査の準備状況。夜勤帯の件はこちらから聞きそびれた。":                                       "夜勤帯の件",
		"実績の話が中心で、端末の困りごとを深く聞けなかった。":                                            "端末の困りごと",
		"本人がどう感じているかは聞けなかった。":                                                   "本人がどう感じているか",
		"I noticed the queue number but didn't ask how she was coping.":         "how she was coping",
		"Four updates in a row; I never asked how he is or what he wants next.": "how he is or what he wants next",
		// Not a thing to ask about, or not the manager's miss.
		"報告が中心で深くは聞けなかった。":                        "",
		"本人の話を最後まで聞けなかった。":                        "",
		"He did not ask about his review or pay.": "",
		"She looked tired and I didn't ask.":      "",
	} {
		if got := notAsked(notes); got != want {
			t.Errorf("notAsked(%q) = %q, want %q", notes, got, want)
		}
	}
}

func TestAvoidance(t *testing.T) {
	tests := []struct {
		lang, line, want string
	}{
		{"en", "Letting the follow-up swallow the whole meeting.", "Avoid letting the follow-up swallow the whole meeting."},
		{"en", `"Have you tried…?", "Why don't you just…?"`, `Avoid "Have you tried…?", "Why don't you just…?"`},
		{"en", "HR forms filled in during the 1on1.", "Avoid HR forms filled in during the 1on1."},
		{"en", "Don't promise what you cannot give.", "Don't promise what you cannot give."},
		{"ja", "「でも」「それは考えすぎでは」と、気持ちを打ち消す。", "「でも」「それは考えすぎでは」と、気持ちを打ち消すのは避けましょう。"},
		{"ja", "話を聞かないまま助言する。本人は話しきれません。", "話を聞かないまま助言するのは避けましょう。本人は話しきれません。"},
		{"ja", "相談内容を周囲に伝える（人事への相談は別です）。", "相談内容を周囲に伝えるのは避けましょう（人事への相談は別です）。"},
		{"ja", "中身のないほめ言葉の繰り返し", "中身のないほめ言葉の繰り返しは避けましょう。"},
		{"ja", "日程を流してしまうこと", "日程を流してしまうことは避けましょう。"},
		{"ja", "理由を言わずに結論だけ伝える。あるいは、決めた後で結果をメンバーのせいにする。", "理由を言わずに結論だけ伝えるのは避けましょう。決めた後で結果をメンバーのせいにするのも避けましょう。"},
	}
	for _, tt := range tests {
		if got := avoidance(tt.lang, tt.line); got != tt.want {
			t.Errorf("avoidance(%q, %q) = %q, want %q", tt.lang, tt.line, got, tt.want)
		}
	}
}
