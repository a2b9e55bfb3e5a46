package anonymize

import (
	"fmt"
	"testing"
)

func TestZZProbe(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"防寒具(手袋・ネックウォーマー20名分)の追加予算を所長に申請する",
		"入社して2週間です。前職はコールセンターで、QAは初めてです。",
		"カウンターとゲートそれぞれのメリットを書き出す",
		"説明の順番（お詫び→理由→代替案）を一緒に確認した",
		"校内研究授業(ビブリオバトル)を実施。本人は『まだまだです』と控えめ",
		"残業続きで疲れているとのこと。タスクの優先順位付けの方法とポモドーロを勧めた",
		"Comp's done! 64 climbers, every problem got sent.",
		"Storm survey update: 47 of 63 flagged trees inspected.",
		"工程監査と再発防止策の優先順位を田中課長と相談して決める",
		"Pair S with a buddy (Kenji) for the first month",
	} {
		got, _ := r.Redact(s, NewSession("ja"), nil)
		fmt.Println(got.String())
	}
}
