package safety

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

func TestZZDiag(t *testing.T) {
	d := newTestDetector(t)
	for _, f := range []string{"planchecks13", "judgment23"} {
		fh, err := os.Open("../../api/testdata/judgment/" + f + ".jsonl")
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var s struct {
				ID       string
				Question string
				Sessions []struct {
					Status   string
					Request  string
					Notes    string
					Feedback *struct{ Comment string }
					Intake   *struct{ Text string }
				}
			}
			json.Unmarshal(sc.Bytes(), &s)
			var texts []Text
			texts = append(texts, Text{Place: PlaceQuestion, Text: s.Question, Fresh: true})
			last := -1
			for i, x := range s.Sessions {
				if x.Status == "held" {
					last = i
				}
				if x.Intake != nil {
					texts = append(texts, Text{Place: PlaceIntake, Text: x.Intake.Text, Fresh: true})
				}
			}
			if last >= 0 {
				x := s.Sessions[last]
				texts = append(texts, Text{Place: PlaceIntake, Text: x.Request, Fresh: true}, Text{Place: PlaceNote, Text: x.Notes, Fresh: true})
				if x.Feedback != nil {
					texts = append(texts, Text{Place: PlaceComment, Text: x.Feedback.Comment, Fresh: true})
				}
			}
			for _, tx := range texts {
				fd := d.Scan([]Text{tx}, nil)
				if fd.Flagged() {
					t.Logf("%s %s vague=%v %v lex=%v %q", s.ID, tx.Place, fd.Vague, fd.Matters, d.Hits(tx.Text), tx.Text)
				}
			}
		}
	}
}
