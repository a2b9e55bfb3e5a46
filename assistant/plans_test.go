package assistant

import "testing"

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
		if got := ownTopic(tc.lang, tc.q); got != tc.want {
			t.Errorf("ownTopic(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}
