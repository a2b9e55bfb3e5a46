package safety

import "testing"

// TestWorkless: a sensitive word that only names the work is rewritten;
// the same word told as something happening is not.
func TestWorkless(t *testing.T) {
	for _, tc := range []struct {
		text string
		kept bool
	}{
		{"Yさん：不正検知ルールのチューニング案を金曜までにレビューに出す。", false},
		{"社内報で内部通報制度の紹介記事を書くことになりました。", false},
		{"警察の鑑識課から民間の調査会社に移ってきたメンバーがいます。", false},
		{"Member S to send the draft annual report for the whistleblowing hotline to legal review.", false},
		{"Member U runs the secretariat for the anti-bullying committee.", false},
		{"I left the police a year ago to work in security consulting.", false},
		{"She's juggling three active litigation matters and looks worn out.", false},
		{"ゲームQAのメンバーが「今日は300回死にました」と毎日報告してくれます。", false},
		// Told as happening: left alone.
		{"経費不正の仕組みを本人が説明してくれた。", true},
		{"内部通報窓口に相談したら、課長に知られてしまった。", true},
		{"経費の不正を見てしまったと本人から相談があった。", true},
		{"He says he will sue the company over the dismissal.", true},
		{"She reported the bullying to HR last week.", true},
		{"The police came to the store after he was threatened.", true},
	} {
		if got := workless(tc.text); (got == tc.text) != tc.kept {
			t.Errorf("workless(%q) = %q; kept %v, want %v", tc.text, got, got == tc.text, tc.kept)
		}
	}
}
