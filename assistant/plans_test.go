package assistant

import (
	"slices"
	"strings"
	"testing"

	"github.com/taiwa-coach/taiwa/assistant/history"
)

func TestOwnTopic(t *testing.T) {
	tests := []struct{ lang, q, want string }{
		{"ja", "Wさん、ここ3回ずっと進捗報告だけで終わっていて。若手の育成のことも本当は話したいんですが、どう切り出せばいいでしょう？", "若手の育成"},
		{"ja", "報告の流れを壊さずに、キャリアの話をどう切り出せばいいでしょう?", "キャリア"},
		{"ja", "本人はそれで満足していそうなんですが、竣工も近いので来期のことも少し話したいです。どう切り出せばいいでしょうか。", "来期"},
		{"ja", "Iさん、調子が戻ってきてよかったんですが、12月からの繁忙期の働き方の話、どう切り出せばいいですか？", "12月からの繁忙期の働き方"},
		// A pronoun is no topic to quote.
		{"ja", "戸惑っているようなんですが、次の1on1でその話、どう切り出したらいいですか?", ""},
		{"ja", "ここ何回か工程の報告だけで終わっちゃってるんですが、それ以外の話をどう切り出したらいいですかね？", ""},
		// Not a question of how to raise it.
		{"ja", "キャリアの話を聞いてみようと思います。", ""},
		{"en", "How do I bring up the technician hours thing with T? I still haven't asked.", "the technician hours thing"},
		{"en", "What's the best way to raise her promotion case without promising anything?", "her promotion case"},
		{"en", "How do I open the conversation about it without making her feel worse?", ""},
		{"en", "I'll raise the rota with him on Friday.", ""},
	}
	for _, tc := range tests {
		if got, said := ownTopic(tc.lang, tc.q); got != tc.want || said {
			t.Errorf("ownTopic(%q) = %q, %v; want %q", tc.q, got, said, tc.want)
		}
	}
	// "that" points back to the sentence before.
	for q, want := range map[string]string{
		"Head office is extending Sunday opening to 6pm from June, which hits her team. How do I bring that up without hijacking the session?":                         "Head office is extending Sunday opening to 6pm from June, which hits her team",
		"He's been giving me straight updates for months now. There's an assistant head of year post coming up in January — how do I bring it up without pushing him?": "There's an assistant head of year post coming up in January",
		"来月から日曜の営業が18時までになります。その話、どう切り出せばいいでしょう？":                                                                                                                      "来月から日曜の営業が18時までになります",
	} {
		lang := "en"
		if strings.ContainsRune(q, '。') {
			lang = "ja"
		}
		if got, said := ownTopic(lang, q); got != want || !said {
			t.Errorf("ownTopic(%q) = %q, %v; want %q, true", q, got, said, want)
		}
	}
}

func TestPlanQuote(t *testing.T) {
	tests := []struct{ q, want string }{
		{"Dさんから締め時刻の件を決めてほしいと言われてるんですが、リーダーとして伸びてほしいので、今回はあえて『Dさんならどっちにする？』と返して本人に決めてもらおうかなと思ってます。どうでしょう。",
			"今回はあえて『Dさんならどっちにする？』と返して本人に決めてもらおうかなと思ってます。"},
		{"L wants to talk about the trainee role. Reviews are due Friday, so I figured I'd cover both in the same slot: go through the rating first.",
			"Reviews are due Friday, so I figured I'd cover both in the same slot: go through the rating first."},
		// The plan named after its reasons; a 1on1's date is no plan.
		{"F wants me to pick the project for her. I'd rather not, to be honest. She's up for the senior role next year, so my plan is to keep asking questions until she gets there herself.",
			"keep asking questions until she gets there herself."},
		{"来週Uさんと1on1です。自己評価シートも出てきたので、評価の中間フィードバックも一緒に済ませます。",
			"評価の中間フィードバックも一緒に済ませます。"},
	}
	for _, tc := range tests {
		if got := planQuote(tc.q); got != tc.want {
			t.Errorf("planQuote(%q) =\n%q\nwant\n%q", tc.q, got, tc.want)
		}
	}
}

func TestPlanPhrase(t *testing.T) {
	for q, want := range map[string]string{
		"今回はあえて『Dさんならどっちにする？』と返して本人に決めてもらおうかなと思ってます。":  "今回はあえて『Dさんならどっちにする？』と返して本人に決めてもらおう",
		"そのうえで、来週の朝礼で事例として取り上げて、本人にも一言説明してもらうつもりです。":   "来週の朝礼で事例として取り上げて、本人にも一言説明してもらう",
		"新人2名の教育担当もお願いしたいんですが、今回の1on1で頼んでも大丈夫ですかね？":    "新人2名の教育担当もお願いしたい",
		"乗り切り方を話してあげようかなと。ついでにクレーム対応研修も勧めてみようかと思ってます。": "乗り切り方を話してあげよう。ついでにクレーム対応研修も勧めてみよう",
		// What comes before the leave asked is the occasion; the plan is in the request.
		"来週が期末の評価面談なんですけど、二度手間なので今回の1on1で評価（B）も一緒に伝えちゃっていいですかね？": "二度手間なので今回の1on1で評価（B）も一緒に伝えちゃっていいか",
		// Too little would be left to name the plan by.
		"聞こうと思います。":                                "聞こうと思います。",
		"I'll push her to take the whole project.": "I'll push her to take the whole project.",
	} {
		if got := planPhrase(q); got != want {
			t.Errorf("planPhrase(%q) = %q, want %q", q, got, want)
		}
	}
}

// The apology replaces the "if it was on your side" of every missed-1on1
// message: a message reworded without its replacer would hedge again.
func TestOwnMissed(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		for _, key := range []string{"agenda.missed", "agenda.missed.one", "agenda.missed.first", "agenda.missed.one.first"} {
			var args []any
			if !strings.Contains(key, ".one") {
				args = []any{2}
			}
			text := msg(lang, key, args...)
			if got := ownMissed(lang).Replace(text); got == text {
				t.Errorf("%s %s: no apology in %q", lang, key, got)
			}
		}
	}
	for q, want := range map[string]bool{
		"先週は私の立ち会いが入って流してしまいました。":                                  true,
		"Previous 1on1 was cancelled on my side (district visit).": true,
		"I cancelled twice in a row, both my fault.":               true,
		"She cancelled the last one because of a site visit.":      false,
		"本人の都合で前回は中止になった。":                                         false,
	} {
		if got := ownCancel.MatchString(q); got != want {
			t.Errorf("ownCancel(%q) = %v, want %v", q, got, want)
		}
	}
}

// A plan is quoted without the venting before it, and a thought an
// ellipsis only pauses stays whole.
func TestPlanQuoteLoose(t *testing.T) {
	tests := []struct{ q, want string }{
		{"正直今月インフルで処方せん多すぎて、こっちも余裕ないんだよね…Mさんの1on1、今回は15分だけにして、あとはチャットで様子聞く感じでいいかな？",
			"Mさんの1on1、今回は15分だけにして、あとはチャットで様子聞く感じでいいかな"},
		{"来季の新銘柄、仕込みから出荷まで丸ごと任せてみるのもありかなと思っていて……次の1on1で打診してみようかな、と。",
			"来季の新銘柄、仕込みから出荷まで丸ごと任せてみるのもありかなと思っていて……次の1on1で打診してみようかな、と"},
		{"ops director already signed off on route 12 w/o her tbh. gonna just tell P in the 1on1 thats the direction",
			"gonna just tell P in the 1on1 thats the direction"},
		{"I'll go through the framework line by line, with examples, e.g. the two audits she led last spring.",
			"I'll go through the framework line by line, with examples, e.g. the two audits she led last spring"},
	}
	for _, tc := range tests {
		if got := strings.TrimRight(planQuote(tc.q), "。.？?"); got != tc.want {
			t.Errorf("planQuote(%q)\n got %q\nwant %q", tc.q, got, tc.want)
		}
	}
}

func TestPlanSteps(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"For Thursday: 1) thank him for the filler fix, 2) go through the December PM schedule, 3) ask him to pick up the compressor room PMs, and 4) confirm his course dates. He didn't fill in the form so I'll just run it like that.",
			[]string{"thank him for the filler fix", "go through the December PM schedule", "ask him to pick up the compressor room PMs", "confirm his course dates."}},
		{"次の1on1は①先月の数字の確認、②新人の教育係をお願いする、③休暇の予定を聞く、の3つで。",
			[]string{"先月の数字の確認", "新人の教育係をお願いする", "休暇の予定を聞く、の3つで。"}},
		{"Plan:\n- open with the audit result\n- hand her the vendor review\n- ask about leave",
			[]string{"open with the audit result", "hand her the vendor review", "ask about leave"}},
		// Numbers that count nothing, and a single item, are no list.
		{"Claims went from 14 to 6. She wants to cut it to 2. I'll praise her.", nil},
		{"1) praise her for the launch.", nil},
		// Options and reasons listed are what the manager will say.
		{"I'll give her three options: (1) a change log email, (2) point to the fee letter, (3) a simple line for extra asks.", nil},
		{"早番固定で決めます。理由は、①朝のピークにリーダーがいる、②他のリーダーも了承済み、の2つ。", nil},
	}
	for _, tc := range tests {
		if got := planSteps(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("planSteps(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestReferToMember(t *testing.T) {
	tests := []struct{ alias, q, want string }{
		{"Member L", "I'll tell L we're rolling out the new rota and give Member L's options up.", "I'll tell them we're rolling out the new rota and give their options up."},
		{"バイヤーQさん", "Qさんの希望で、リーダーに入ってもらいます。", "本人の希望で、リーダーに入ってもらいます。"},
		{"開発Dさん", "開発Dさんは経験あるし、Bさんと組んでもらう。", "本人は経験あるし、Bさんと組んでもらう。"},
	}
	for _, tc := range tests {
		if got := referToMember(tc.q, &history.Signals{Alias: tc.alias}); got != tc.want {
			t.Errorf("referToMember(%q, %q) = %q, want %q", tc.q, tc.alias, got, tc.want)
		}
	}
}

// A reflection read back asks something of this 1on1 that fits what it
// says.
func TestLessonTail(t *testing.T) {
	for _, tc := range []struct{ answer, prompt, want string }{
		{"途中で助言してしまった。次は最初の10分は質問だけにする", "", "watch.reflection.resolved"},
		{"優先順位の判断を先送りにした形になった。次回は結論を持っていく", "", "watch.reflection.resolved"},
		{"She asked for a decision and I deferred it. I should have come with a pick.", "", "watch.reflection.resolved"},
		{"謝罪はしたが、稟議の新しい期限を言えなかった", "", "watch.reflection.unsaid"},
		{"Yes, but I dodged the linen question.", "", "watch.reflection.unsaid"},
		{"本人の迷いに寄り添えたが、総務への確認がまだなのが申し訳ない", "", "watch.reflection.owed"},
		{"I talked too much and she barely got a word in.", "", "watch.reflection.lesson"},
		{"Kept it to recognition as she asked.", "What would you change next time?", "watch.reflection.noted"},
		{"廃棄率の数字で伝えられた", "", ""},
		{"No. Third update-only session in a row.", "", ""},
		// A yes with no "but" is what worked, whatever words it shares
		// with a lesson.
		{"Yes, I kept my preference to myself and let him lead the options.", "Did I hold back my own view?", ""},
		{"I think so; I gave her one clear first project instead of a reading list.", "Was my advice concrete enough?", ""},
		{"Yes, three concrete focuses. I could have asked more about what worries her.", "", "watch.reflection.lesson"},
		{"Yes. I didn't mention I'd started sketching cuts; it felt too early.", "", "watch.reflection.unsaid"},
	} {
		if got := lessonTail(tc.answer, tc.prompt); got != tc.want {
			t.Errorf("lessonTail(%q) = %q, want %q", tc.answer, got, tc.want)
		}
	}
}

// TestConflictQuote: a warning quotes the sentence that states the plan,
// not context before it that shares the check's kind or words.
func TestConflictQuote(t *testing.T) {
	reader := newIntent(t)
	checks, _ := starterChecks(t, "en")
	listen := &history.Signals{Held: 3, Next: &history.SessionBrief{Style: ptr("listen"), Topics: []string{"career"}}}
	think := &history.Signals{Held: 3, Next: &history.SessionBrief{Style: ptr("think-together")}}
	for _, tc := range []struct {
		question, want string
		sig            *history.Signals
	}{
		{"Mid-year ratings are due Friday and she's landing at 'meets'. Is it OK if I use the first half of our 1on1 to go over her rating, then get to her ICU question?",
			"Is it OK if I use the first half of our 1on1 to go over her rating, then get to her ICU question?", listen},
		{"FYI I already told the director we're going with a fast-track lane for small claims from the 1st. So in the 1on1 I'll just let her know that's the plan and get her to sort out the rota.",
			"FYI I already told the director we're going with a fast-track lane for small claims from the 1st. So in the 1on1 I'll just let her know that's the plan and get her to sort out the rota.", think},
	} {
		kinds, steps := readSteps(tc.question, reader.Kinds)
		against, _ := planConflicts(checks, tc.question, kinds, steps, tc.sig)
		if len(against) == 0 {
			t.Errorf("%q: no conflict found", tc.question)
			continue
		}
		said := readSentences(tc.question, reader.Kinds)
		if got := conflictQuote(tc.question, planQuote(tc.question), steps, said, against[0], tc.sig); got != tc.want {
			t.Errorf("conflictQuote(%q) = %q, want %q", tc.question, got, tc.want)
		}
	}
}
