package history

import (
	"encoding/json"
	"flag"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
)

var update = flag.Bool("update", false, "rewrite golden files")

var now = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// id makes readable fixed ids: id(3) = 00000000-0000-0000-0000-000000000003.
func id(n byte) uuid.UUID { return uuid.UUID{15: n} }

// sess is a fixture session daysAgo days before now (negative: ahead).
func sess(n byte, status string, daysAgo int, opts ...func(*Session)) Session {
	t := now.Add(-time.Duration(daysAgo) * 24 * time.Hour)
	s := Session{ID: id(n), Status: status, ScheduledAt: &t, RequestFrom: "manager", CreatedAt: t}
	if status == "held" {
		s.HeldAt = &t
	}
	for _, o := range opts {
		o(&s)
	}
	return s
}

func condition(c int) func(*Session) { return func(s *Session) { s.Condition = &c } }
func request(style string, topics ...string) func(*Session) {
	return func(s *Session) { s.RequestStyle, s.RequestTopics = &style, topics }
}

func rate(style string, sat int, matched string) rating {
	return rating{Style: &style, Satisfaction: sat, Matched: matched}
}

func TestSignals(t *testing.T) {
	tests := []struct {
		name  string
		in    signalInput
		check func(t *testing.T, s Signals)
	}{{
		name: "no history",
		in:   signalInput{Member: Member{ID: id(1), Alias: "Aさん"}},
		check: func(t *testing.T, s Signals) {
			if s.Next != nil || s.DaysSinceLast != nil || s.CadenceDays != nil || s.Implementation != nil || s.Feedback.Satisfaction != nil {
				t.Errorf("empty history gave figures: %+v", s)
			}
			if s.LastSessions == nil || s.OpenActions == nil || s.Styles == nil || s.Condition.Values == nil {
				t.Error("lists should be empty, not nil (they encode as [])")
			}
		},
	}, {
		name: "cadence, implementation and days since last",
		in: signalInput{Sessions: []Session{
			sess(1, "held", 44), sess(2, "held", 30), sess(3, "cancelled", 23), sess(4, "held", 16),
			sess(5, "skipped", 9), sess(6, "held", 2), sess(7, "scheduled", -5),
			// Due three days ago and never logged: planned, not held.
			sess(8, "scheduled", 3),
			// Outside the 180-day window: not counted.
			sess(9, "cancelled", 200),
		}},
		check: func(t *testing.T, s Signals) {
			if s.Held != 4 || s.Planned != 7 || *s.Implementation != 0.57 {
				t.Errorf("held %d planned %d rate %v, want 4, 7, 0.57", s.Held, s.Planned, *s.Implementation)
			}
			if s.Cancelled != 1 || s.Skipped != 1 {
				t.Errorf("cancelled %d skipped %d, want 1 and 1 (the one never logged is neither)", s.Cancelled, s.Skipped)
			}
			if *s.DaysSinceLast != 2 {
				t.Errorf("days since last = %d, want 2", *s.DaysSinceLast)
			}
			// Gaps between held: 14, 14, 14 days.
			if *s.CadenceDays != 14 {
				t.Errorf("cadence = %v, want 14", *s.CadenceDays)
			}
			if s.Next == nil || s.Next.ID != id(7) {
				t.Errorf("next = %+v, want session 7", s.Next)
			}
			if len(s.LastSessions) != 3 || s.LastSessions[0].ID != id(6) || s.LastSessions[2].ID != id(2) {
				t.Errorf("last sessions = %v, want 6, 4, 2", s.LastSessions)
			}
		},
	}, {
		name: "the soonest upcoming session is next",
		in:   signalInput{Sessions: []Session{sess(1, "scheduled", -14), sess(2, "scheduled", -1), sess(3, "scheduled", -7)}},
		check: func(t *testing.T, s Signals) {
			if s.Next == nil || s.Next.ID != id(2) {
				t.Errorf("next = %+v, want session 2", s.Next)
			}
			if s.Planned != 0 || s.Implementation != nil {
				t.Errorf("future sessions counted as planned: %d", s.Planned)
			}
		},
	}, {
		// Two 1on1s scheduled, the member answered the later one's intake:
		// the answer is what they want to talk about next, not lost.
		name: "a later scheduled session holding the only request is next",
		in: signalInput{Sessions: []Session{
			sess(1, "scheduled", -14, request("listen", "wellbeing"), func(s *Session) {
				s.RequestText, s.RequestFrom = stored("疲れていて、話を聞いてほしいです。"), "member"
			}),
			sess(2, "scheduled", -1),
		}},
		check: func(t *testing.T, s Signals) {
			if s.Next == nil || s.Next.ID != id(1) || s.Next.Request.String() != "疲れていて、話を聞いてほしいです。" {
				t.Errorf("next = %+v, want session 1 with the member's request", s.Next)
			}
		},
	}, {
		name: "of two scheduled sessions holding requests, the soonest is next",
		in: signalInput{Sessions: []Session{
			sess(1, "scheduled", -14, request("advise")),
			sess(2, "scheduled", -7, request("listen")),
			sess(3, "scheduled", -1),
		}},
		check: func(t *testing.T, s Signals) {
			if s.Next == nil || s.Next.ID != id(2) {
				t.Errorf("next = %+v, want session 2", s.Next)
			}
		},
	}, {
		name: "a past scheduled session's request does not make it next",
		in: signalInput{Sessions: []Session{
			sess(1, "scheduled", 3, request("listen")),
			sess(2, "scheduled", -2),
		}},
		check: func(t *testing.T, s Signals) {
			if s.Next == nil || s.Next.ID != id(2) {
				t.Errorf("next = %+v, want session 2", s.Next)
			}
		},
	}, {
		name: "condition falling",
		in: signalInput{Sessions: []Session{
			sess(1, "held", 40, condition(4)), sess(2, "held", 30, condition(4)), sess(3, "held", 20),
			sess(4, "held", 10, condition(4)), sess(5, "held", 1, condition(2)),
		}},
		check: func(t *testing.T, s Signals) {
			if diff := cmp.Diff([]int{4, 4, 4, 2}, s.Condition.Values); diff != "" || *s.Condition.Latest != 2 || s.Condition.Change != "down" {
				t.Errorf("condition = %+v (values diff %s), want 4 4 4 2, down", s.Condition, diff)
			}
		},
	}, {
		name: "condition: small moves are steady",
		in:   signalInput{Sessions: []Session{sess(1, "held", 20, condition(3)), sess(2, "held", 10, condition(4)), sess(3, "held", 1, condition(3))}},
		check: func(t *testing.T, s Signals) {
			if s.Condition.Change != "steady" {
				t.Errorf("change = %q, want steady", s.Condition.Change)
			}
		},
	}, {
		name: "condition: a drift that never turns back",
		in: signalInput{Sessions: []Session{sess(1, "held", 30, condition(4)), sess(2, "held", 20, condition(4)),
			sess(3, "held", 10, condition(3)), sess(4, "held", 1, condition(3))}},
		check: func(t *testing.T, s Signals) {
			if s.Condition.Change != "down" {
				t.Errorf("4 4 3 3: change = %q, want down", s.Condition.Change)
			}
		},
	}, {
		name: "1on1s missed since the last one held",
		in: signalInput{Sessions: []Session{sess(1, "cancelled", 40), sess(2, "held", 30), sess(3, "skipped", 20),
			sess(4, "cancelled", 10), sess(5, "scheduled", -3)}},
		check: func(t *testing.T, s Signals) {
			if s.MissedSinceLast != 2 {
				t.Errorf("missed since last = %d, want 2 (the one before the held one does not count)", s.MissedSinceLast)
			}
		},
	}, {
		name: "recurring topics and requested styles",
		in: signalInput{Sessions: []Session{
			sess(1, "held", 60, request("advise", "career")),
			sess(2, "held", 45, request("listen", "career", "wellbeing")),
			sess(3, "held", 30, request("listen", "wellbeing")),
			sess(4, "held", 15, request("listen", "career")),
			sess(5, "scheduled", -3, request("think-together", "challenge")),
		}},
		check: func(t *testing.T, s Signals) {
			want := []TopicCount{{"career", 3}, {"wellbeing", 2}}
			if diff := cmp.Diff(want, s.RecurringTopics); diff != "" {
				t.Errorf("recurring topics (-want +got):\n%s", diff)
			}
			if len(s.Styles) != 3 || s.Styles[0].Style != "listen" || s.Styles[0].Requested != 3 {
				t.Errorf("styles = %+v, want listen first with 3", s.Styles)
			}
		},
	}, {
		name: "fewer than three ratings show nothing",
		in:   signalInput{Ratings: []rating{rate("listen", 1, "no"), rate("listen", 2, "no")}},
		check: func(t *testing.T, s Signals) {
			if s.Feedback.Satisfaction != nil || s.Feedback.Ratings != 0 {
				t.Errorf("feedback = %+v, want no figures", s.Feedback)
			}
			for _, st := range s.Styles {
				if st.Match.Satisfaction != nil {
					t.Errorf("style %s shows figures over 2 ratings", st.Style)
				}
			}
		},
	}, {
		name: "figures move in steps of three",
		in: signalInput{Ratings: []rating{
			rate("listen", 5, "yes"), rate("advise", 3, "partly"), rate("listen", 4, "yes"),
			rate("listen", 2, "no"), rate("listen", 1, "no"),
		}},
		check: func(t *testing.T, s Signals) {
			// Five ratings: the figures cover the first three only.
			if s.Feedback.Ratings != 3 || *s.Feedback.Satisfaction != 4 || *s.Feedback.Matched != 0.83 {
				t.Errorf("feedback = ratings %d sat %v matched %v, want 3, 4, 0.83",
					s.Feedback.Ratings, *s.Feedback.Satisfaction, *s.Feedback.Matched)
			}
			// listen has four, so its figure would cover the first three
			// of them; with the overall figure it would leave the advise
			// rating minus the third listen one: not shown.
			for _, st := range s.Styles {
				if st.Match.Satisfaction != nil {
					t.Errorf("%s shows %+v, which with the overall figure gives ratings away", st.Style, st.Match)
				}
			}
		},
	}, {
		name: "style figures that give nothing away are shown",
		in: signalInput{Ratings: []rating{
			rate("listen", 5, "yes"), rate("listen", 4, "yes"), rate("listen", 3, "partly"),
			rate("advise", 2, "no"), rate("advise", 2, "no"), rate("advise", 3, "partly"),
		}},
		check: func(t *testing.T, s Signals) {
			if s.Feedback.Ratings != 6 {
				t.Errorf("feedback over %d ratings, want 6", s.Feedback.Ratings)
			}
			for _, st := range s.Styles {
				if st.Match.Ratings != 3 {
					t.Errorf("%s match over %d ratings, want 3", st.Style, st.Match.Ratings)
				}
				if st.Style == "listen" && *st.Match.Satisfaction != 4 {
					t.Errorf("listen satisfaction %v, want 4", *st.Match.Satisfaction)
				}
			}
		},
	}, {
		name: "status-only streak, advice after a request to listen, a done action",
		in: signalInput{Sessions: []Session{
			sess(1, "held", 7, request("listen"), func(s *Session) {
				s.Notes = stored("進捗の報告。予定通り。助言として、先に仕様を固めるよう伝えた。")
			}),
			sess(2, "held", 14, func(s *Session) { s.Notes = stored("Status: migration 70%, on track.") }),
			sess(3, "held", 21, func(s *Session) { s.Notes = stored("進捗のみ。タスクは順調。") }),
			sess(4, "held", 28, func(s *Session) { s.Notes = stored("キャリアの不安について話した。") }),
		}, Actions: []Action{{ID: id(5), Text: stored("runbookを書く"), Owner: "member", Status: "done", CreatedAt: now.Add(-20 * 24 * time.Hour), ClosedAt: ptr(now.Add(-3 * 24 * time.Hour))}}},
		check: func(t *testing.T, s Signals) {
			if s.StatusStreak != 3 || !s.AdvisedDespiteListen || len(s.DoneActions) != 1 || s.DoneActions[0].DaysAgo != 3 || len(s.OpenActions) != 0 {
				t.Errorf("streak %d, advised %v, done %+v, open %d; want 3, true, one 3 days ago, none open", s.StatusStreak, s.AdvisedDespiteListen, s.DoneActions, len(s.OpenActions))
			}
		},
	}, {
		// Ticked off today, but agreed before the last 1on1 and due before
		// it: that 1on1 heard of it. One agreed at the last 1on1, or due
		// after it, is news.
		name: "a done action due before the last 1on1 was reported",
		in: signalInput{Sessions: []Session{sess(1, "held", 7), sess(2, "held", 30)}, Actions: []Action{
			{ID: id(5), SessionID: ptr(id(2)), Text: stored("send the list"), Owner: "manager", Status: "done", DueDate: ptr("2026-11-01"), CreatedAt: now.Add(-30 * 24 * time.Hour), ClosedAt: ptr(now)},
			{ID: id(6), SessionID: ptr(id(2)), Text: stored("book the course"), Owner: "manager", Status: "done", DueDate: ptr("2026-11-18"), CreatedAt: now.Add(-30 * 24 * time.Hour), ClosedAt: ptr(now)},
			{ID: id(7), SessionID: ptr(id(1)), Text: stored("draft the rota"), Owner: "member", Status: "done", DueDate: ptr("2026-11-10"), CreatedAt: now.Add(-7 * 24 * time.Hour), ClosedAt: ptr(now)},
		}},
		check: func(t *testing.T, s Signals) {
			var news []string
			for _, a := range s.DoneActions {
				if !a.Reported {
					news = append(news, a.Text.String())
				}
			}
			if len(s.DoneActions) != 3 || !slices.Equal(news, []string{"draft the rota", "book the course"}) {
				t.Errorf("done actions %+v; want three, the rota (agreed last time) and the course (due since) not yet reported", s.DoneActions)
			}
		},
	}, {
		name: "a 1on1 the member asked to consult in ends a status streak",
		in: signalInput{Sessions: []Session{
			sess(1, "held", 12, request("report"), func(s *Session) { s.Notes = stored("引き渡しは予定日どおり。") }),
			sess(2, "held", 27, request("report"), func(s *Session) { s.Notes = stored("遅れは4日から1日まで縮まった。") }),
			sess(3, "held", 48, request("advise"), func(s *Session) {
				s.RequestText = stored("内装工程の遅れをどう取り戻すか相談したいです。")
				s.Notes = stored("クロス工事が4日遅れている。工程表を毎日更新して共有する方法を提案した。")
			}),
		}},
		check: func(t *testing.T, s Signals) {
			if s.StatusStreak != 2 {
				t.Errorf("streak %d; want 2 (the third asked for advice)", s.StatusStreak)
			}
		},
	}, {
		name: "a reflection on an earlier 1on1 says when",
		in: signalInput{Sessions: []Session{sess(1, "held", 10), sess(2, "held", 30)},
			Reflection: []ReflectionAnswer{{Answer: stored("最後まで聞く")}}, ReflectionAt: now.Add(-30 * 24 * time.Hour)},
		check: func(t *testing.T, s Signals) {
			if s.ReflectionDaysAgo == nil || *s.ReflectionDaysAgo != 30 {
				t.Errorf("reflection days ago %v; want 30", s.ReflectionDaysAgo)
			}
		},
	}, {
		name: "a held 1on1 dated in the future is not the last one",
		in:   signalInput{Sessions: []Session{sess(1, "held", -1460), sess(2, "held", 10)}},
		check: func(t *testing.T, s Signals) {
			if s.DaysSinceLast == nil || *s.DaysSinceLast != 10 || len(s.LastSessions) != 1 {
				t.Errorf("days since last %v, %d last sessions; want 10 and 1", s.DaysSinceLast, len(s.LastSessions))
			}
		},
	}, {
		name: "open actions age and overdue",
		in: signalInput{Actions: []Action{
			{ID: id(1), Text: stored("a"), Owner: "member", DueDate: ptr("2026-11-10"), CreatedAt: now.Add(-20 * 24 * time.Hour)},
			{ID: id(2), Text: stored("b"), Owner: "manager", DueDate: ptr("2026-11-20"), CreatedAt: now.Add(-3 * 24 * time.Hour)},
			{ID: id(3), Text: stored("c"), Owner: "manager", CreatedAt: now.Add(-40 * 24 * time.Hour)},
		}},
		check: func(t *testing.T, s Signals) {
			want := []OpenAction{
				{ID: id(1), Text: stored("a"), Owner: "member", DueDate: ptr("2026-11-10"), AgeDays: 20, Overdue: true},
				{ID: id(2), Text: stored("b"), Owner: "manager", DueDate: ptr("2026-11-20"), AgeDays: 3},
				{ID: id(3), Text: stored("c"), Owner: "manager", AgeDays: 40},
			}
			if diff := cmp.Diff(want, s.OpenActions); diff != "" {
				t.Errorf("open actions (-want +got):\n%s", diff)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, computeSignals(now, tt.in)) })
	}
}

func TestFiguresWindow(t *testing.T) {
	var rs []rating
	for _, sat := range []int{1, 1, 1, 5, 5, 5, 3, 3, 3} {
		rs = append(rs, rate("listen", sat, "yes"))
	}
	for _, tt := range []struct {
		n       int
		ratings int
		sat     float64
	}{{3, 3, 1}, {4, 3, 1}, {6, 6, 3}, {8, 6, 3}, {9, 6, 4}} {
		f := figures(rs[:tt.n], feedbackWindow)
		if f.Ratings != tt.ratings || *f.Satisfaction != tt.sat {
			t.Errorf("after %d ratings: %d ratings, satisfaction %v; want %d, %v", tt.n, f.Ratings, *f.Satisfaction, tt.ratings, tt.sat)
		}
	}
}

// TestSignalsGolden pins the whole digest of a realistic history, the
// shape the coach and the UI read.
func TestSignalsGolden(t *testing.T) {
	in := signalInput{
		Member: Member{ID: id(9), Alias: "Bさん"},
		Sessions: []Session{
			sess(1, "held", 35, condition(4), request("advise", "career"), func(s *Session) { s.Notes = stored("キャリアの方向性について相談。") }),
			sess(2, "held", 21, condition(3), request("listen", "wellbeing", "goals"), func(s *Session) { s.Notes = stored("残業が続き疲れ気味。") }),
			sess(3, "cancelled", 14),
			sess(4, "held", 7, condition(2), request("listen", "goals"), func(s *Session) { s.Notes = stored("業務量の調整を約束した。") }),
			sess(5, "scheduled", -2, request("listen", "goals"), func(s *Session) {
				s.RequestText, s.RequestFrom = stored("まだ忙しさが続いていて、話を聞いてほしいです。"), "member"
			}),
		},
		Actions:    []Action{{ID: id(20), Text: stored("担当案件を1件引き取る"), Owner: "manager", DueDate: ptr("2026-11-15"), CreatedAt: now.Add(-7 * 24 * time.Hour)}},
		Ratings:    []rating{rate("advise", 4, "yes"), rate("listen", 3, "partly"), rate("listen", 2, "no")},
		Reflection: []ReflectionAnswer{{Prompt: stored("聴くことに徹せましたか？"), Answer: stored("途中で助言してしまった。"), CreatedAt: now.Add(-7 * 24 * time.Hour)}},
	}
	got, err := json.MarshalIndent(computeSignals(now, in), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	const path = "testdata/signals/typical.golden.json"
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
		t.Errorf("signals (-want +got):\n%s\n(go test -run TestSignalsGolden -update to accept)", diff)
	}
}

// stored is text as read back from a history column.
func stored(s string) anonymize.Text {
	var t anonymize.Text
	t.Scan(s)
	return t
}
