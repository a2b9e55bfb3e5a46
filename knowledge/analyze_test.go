package knowledge

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var sharedAnalyzer = sync.OnceValues(NewAnalyzer)

func analyzer(t testing.TB) *Analyzer {
	t.Helper()
	a, err := sharedAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"傾聴は黙って聞くことではない", []string{"傾聴", "黙る", "聞く"}},
		{"心理的安全性", []string{"心理", "安全"}},
		{"メンバーの話を最後まで聞いてください。", []string{"メンバー", "話", "最後", "聞く"}},
		{"ｶﾀｶﾅとＡＢＣ", []string{"カタカナ", "abc"}},
		{"1on1の頻度", []string{"1on1", "頻度"}},
		{"Active listening is not silent nodding.", []string{"activ", "listen", "silent", "nod"}},
		// Every form of a word meets the others.
		{"praise praised praising praises", []string{"prais", "prais", "prais", "prais"}},
		{"try tried tries trying", []string{"tri", "tri", "tri", "tri"}},
		{"I forgot what I had promised; a forgotten promise", []string{"forget", "promis", "forget", "promis"}},
		{"Members' follow-up actions", []string{"member", "follow", "action"}},
		{"She stopped asking questions", []string{"stop", "ask", "question"}},
		{"", nil},
	}
	a := analyzer(t)
	for _, tt := range tests {
		got := a.Terms(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Terms(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestMemberTopicsAreInTheTaxonomy(t *testing.T) {
	seen := map[string]bool{}
	for _, mt := range MemberTopics {
		if !ValidTopic(mt.Slug) || seen[mt.Slug] || mt.JA == "" || mt.EN == "" {
			t.Errorf("member topic %+v: not in the taxonomy, repeated or unlabelled", mt)
		}
		seen[mt.Slug] = true
	}
}
