package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/insights"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// demoMember is a member of the demo manager with a few months of 1on1s.
type demoMember struct {
	alias    string
	sessions []demoSession
	next     *history.Intake // the member's request for the next 1on1
	nextDays int
}

type demoSession struct {
	daysAgo   int
	status    string
	condition int
	style     string
	topics    []string
	notes     string
	actions   []history.ActionInput
	feedback  *history.Feedback
}

func due(daysFromNow int) *string {
	d := time.Now().AddDate(0, 0, daysFromNow).Format(time.DateOnly)
	return &d
}

// demoMembers tell three common stories: a member who avoids challenges,
// one who is wearing down and asks to be listened to, and a newcomer with
// nothing to say yet.
var demoMembers = []demoMember{{
	alias: "Aさん",
	sessions: []demoSession{
		{daysAgo: 42, status: "held", condition: 3, style: "think-together", topics: []string{"challenge", "career"},
			notes:    "新しい案件のリーダーを打診したが「自信がない」と保留。失敗したときの影響を気にしている様子。",
			actions:  []history.ActionInput{{Text: "リーダー業務のうち、できそうな部分を書き出してくる", Owner: "member", DueDate: due(-30)}},
			feedback: &history.Feedback{Satisfaction: 3, Matched: "partly"}},
		{daysAgo: 28, status: "held", condition: 3, style: "think-together", topics: []string{"challenge"},
			notes:    "書き出しは途中。進行役なら試せそうとのこと。まだ不安は大きい。",
			feedback: &history.Feedback{Satisfaction: 4, Matched: "yes"}},
		{daysAgo: 14, status: "cancelled"},
	},
	next:     &history.Intake{Topics: []string{"challenge", "career"}, Style: "think-together", Text: "新しい案件のこと、まだ迷っています。どこから始めればいいか一緒に考えてほしいです。"},
	nextDays: 2,
}, {
	alias: "Bさん",
	sessions: []demoSession{
		{daysAgo: 45, status: "held", condition: 4, style: "report", topics: []string{"goals"},
			notes:    "四半期目標の進捗は順調。リリース準備で来月は忙しくなりそう。",
			feedback: &history.Feedback{Satisfaction: 4, Matched: "yes"}},
		{daysAgo: 31, status: "held", condition: 3, style: "listen", topics: []string{"wellbeing"},
			notes:    "リリース対応で残業が続いている。話すうちに少し表情が和らいだ。",
			feedback: &history.Feedback{Satisfaction: 3, Matched: "partly"}},
		{daysAgo: 17, status: "held", condition: 2, style: "listen", topics: []string{"wellbeing", "goals"},
			notes:    "疲れが抜けないとのこと。途中でつい進め方を助言してしまった。",
			actions:  []history.ActionInput{{Text: "担当案件を1件引き取り、業務量を調整する", Owner: "manager", DueDate: due(-7)}},
			feedback: &history.Feedback{Satisfaction: 2, Matched: "no", Comment: "もう少し話を聞いてもらえるとうれしいです。", Share: true}},
	},
	next:     &history.Intake{Topics: []string{"wellbeing"}, Style: "listen", Text: "最近まだ忙しくて疲れ気味です。アドバイスよりも、まず話を聞いてほしいです。"},
	nextDays: 1,
}, {
	alias: "Cさん",
	sessions: []demoSession{
		{daysAgo: 10, status: "held", condition: 4, topics: []string{"onboarding"},
			notes: "入社3週目。チームの雰囲気には慣れてきた。質問のしかたに迷うことがあるとのこと。"},
	},
	nextDays: 4,
}}

// demoColleagues are the demo manager's colleagues, each with three
// members and half a year of 1on1s: the organization's figures never show
// fewer than 3 managers and 5 members, so without them an admin's first
// look at the insights would be empty.
const demoColleagues = 5

// colleagueMembers makes colleague c's members: a 1on1 every two weeks,
// requested styles, conditions and feedback that vary from one to the next.
func colleagueMembers(c int) []demoMember {
	styles := []string{"report", "listen", "advise", "think-together", "encourage"}
	topics := [][]string{{"goals"}, {"career"}, {"wellbeing"}, {"feedback"}, {"challenge"}}
	matched := []string{"yes", "yes", "partly", "no"}
	var out []demoMember
	for i := range 3 {
		dm := demoMember{alias: fmt.Sprintf("メンバー%d-%d", c+1, i+1), nextDays: 2 + (c+i)%5}
		for k := range 13 {
			n := c + i + k
			ds := demoSession{daysAgo: 180 - 14*k + (c+i)%3, status: "held", condition: 2 + n%3, style: styles[n%len(styles)],
				topics: topics[n%len(topics)], notes: "定例の1on1。進捗と気になっていることを話した。"}
			if n%7 == 6 {
				ds = demoSession{daysAgo: ds.daysAgo, status: "cancelled"}
			} else if k%2 == 0 {
				ds.feedback = &history.Feedback{Satisfaction: 3 + n%3, Matched: matched[n%len(matched)]}
			}
			dm.sessions = append(dm.sessions, ds)
		}
		out = append(out, dm)
	}
	return out
}

// seedColleagues adds the demo manager's colleagues with their history,
// and a team tree: the demo manager and two colleagues in one team, three
// in another, under one department.
func seedColleagues(ctx context.Context, db *tenant.DB, h *history.Store, org tenant.Org, demoManager uuid.UUID) error {
	var mgrs []tenant.Principal
	err := db.OrgScope(org.ID).InTx(ctx, func(tx pgx.Tx) error {
		for c := range demoColleagues {
			u, err := tenant.CreateUser(ctx, tx, org.ID, tenant.NewUser{DisplayName: fmt.Sprintf("デモ 同僚マネージャー%d", c+1), Role: tenant.RoleManager})
			if err != nil {
				return err
			}
			mgrs = append(mgrs, tenant.Principal{OrgID: org.ID, UserID: u.ID, Role: tenant.RoleManager, Language: "ja"})
		}
		dept, err := insights.CreateTeam(ctx, tx, org.ID, "開発部", nil)
		if err != nil {
			return err
		}
		for i, name := range []string{"Aチーム", "Bチーム"} {
			team, err := insights.CreateTeam(ctx, tx, org.ID, name, &dept.ID)
			if err != nil {
				return err
			}
			members := []uuid.UUID{demoManager, mgrs[0].UserID, mgrs[1].UserID}
			if i == 1 {
				members = []uuid.UUID{mgrs[2].UserID, mgrs[3].UserID, mgrs[4].UserID}
			}
			for _, m := range members {
				if err := insights.SetTeam(ctx, tx, org.ID, m, &team.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo colleagues: %w", err)
	}
	for c, p := range mgrs {
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			for _, dm := range colleagueMembers(c) {
				if _, err := seedDemoMember(ctx, tx, h, p, dm); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo colleagues: %w", err)
		}
	}
	return nil
}

var demoContacts = []assistant.Contact{
	{Kind: "hr", Name: "人事部 相談窓口（デモ）", Detail: "社内チャット #hr-help／平日 9:00-18:00"},
	{Kind: "health", Name: "産業医・保健師（デモ）", Detail: "健康管理室で予約"},
	{Kind: "hotline", Name: "社外ハラスメント相談窓口（デモ）", Detail: "24時間受付"},
}

// seedDemo creates the demo organization on the first start of an embedded
// database that has no users yet, with members and history to try the
// coach on, and prints the tokens: they are shown only once.
func seedDemo(ctx context.Context, db *tenant.DB, h *history.Store, addr string, stdout io.Writer) error {
	var n int
	err := db.Operator().InTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n)
	})
	if err != nil || n > 0 {
		return err
	}
	org, users, tokens, err := db.Bootstrap(ctx, "デモ組織", "ja",
		tenant.NewUser{DisplayName: "デモ マネージャー", Role: tenant.RoleManager},
		tenant.NewUser{DisplayName: "デモ 人材開発担当", Role: tenant.RoleCurator},
		tenant.NewUser{DisplayName: "デモ 管理者", Role: tenant.RoleAdmin},
	)
	if err != nil {
		return err
	}
	mgr := tenant.Principal{OrgID: org.ID, UserID: users[0].ID, Role: tenant.RoleManager, Language: "ja"}
	var first history.Member
	err = db.Scope(mgr).InTx(ctx, func(tx pgx.Tx) error {
		for i, dm := range demoMembers {
			m, err := seedDemoMember(ctx, tx, h, mgr, dm)
			if err != nil {
				return err
			}
			if i == 1 {
				first = m
			}
		}
		_, err := assistant.SetContacts(ctx, tx, assistant.Caller{OrgID: org.ID, UserID: users[2].ID}, demoContacts)
		return err
	})
	if err != nil {
		return err
	}
	if err := seedColleagues(ctx, db, h, org, users[0].ID); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nCreated the demo organization %q (%s): a manager with 3 members and their history, and %d colleagues in two teams.\n"+
		"API tokens (shown only this once; 'taiwa admin tokens create' makes more):\n", org.Name, org.ID, demoColleagues)
	for i, u := range users {
		fmt.Fprintf(stdout, "  %-8s %s\n", u.Role, tokens[i])
	}
	fmt.Fprintf(stdout, "Try the coach on %s's next 1on1:\n  curl -X POST -H 'Authorization: Bearer %s' http://%s/api/members/%s/prep\n\n",
		first.Alias, tokens[0], addr, first.ID)
	return nil
}

func seedDemoMember(ctx context.Context, tx pgx.Tx, h *history.Store, mgr tenant.Principal, dm demoMember) (history.Member, error) {
	m, _, err := h.CreateMember(ctx, tx, mgr.OrgID, mgr.UserID, dm.alias)
	if err != nil {
		return history.Member{}, err
	}
	for _, ds := range dm.sessions {
		at := time.Now().AddDate(0, 0, -ds.daysAgo)
		in := history.SessionInput{Status: ds.status, ScheduledAt: &at, Notes: ds.notes, RequestTopics: ds.topics, Actions: ds.actions}
		if ds.status == "held" {
			d := 30
			in.HeldAt, in.DurationMin, in.Condition = &at, &d, &ds.condition
		}
		if ds.style != "" {
			in.RequestStyle = &ds.style
		}
		s, _, err := h.CreateSession(ctx, tx, mgr.OrgID, mgr.UserID, m.ID, "ja", in, knowledge.ValidTopic)
		if err != nil {
			return history.Member{}, err
		}
		if ds.feedback != nil {
			l, _, err := h.CreateLink(ctx, tx, mgr.OrgID, mgr.UserID, s.ID, history.PhaseFeedback, 0)
			if err != nil {
				return history.Member{}, err
			}
			if _, err := h.SubmitFeedback(ctx, tx, l, "ja", *ds.feedback); err != nil {
				return history.Member{}, err
			}
		}
	}
	next := time.Now().AddDate(0, 0, dm.nextDays).Truncate(time.Hour)
	s, _, err := h.CreateSession(ctx, tx, mgr.OrgID, mgr.UserID, m.ID, "ja", history.SessionInput{Status: "scheduled", ScheduledAt: &next}, knowledge.ValidTopic)
	if err != nil {
		return history.Member{}, err
	}
	if dm.next != nil {
		l, _, err := h.CreateLink(ctx, tx, mgr.OrgID, mgr.UserID, s.ID, history.PhaseIntake, 0)
		if err != nil {
			return history.Member{}, err
		}
		if _, err := h.SubmitIntake(ctx, tx, l, "ja", *dm.next, knowledge.ValidTopic); err != nil {
			return history.Member{}, err
		}
	}
	return m, nil
}
