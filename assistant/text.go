package assistant

import (
	"fmt"

	"github.com/taiwa-coach/taiwa/knowledge"
)

// messages are the offline composer's and the referral's words, in the
// manager's language.
var messages = map[string]map[string]string{
	"ja": {
		"list.sep":                       "、",
		"sensitive.harassment":           "ハラスメント",
		"sensitive.discrimination":       "差別",
		"sensitive.crisis":               "心身の危機（自傷・希死念慮を含む）",
		"sensitive.legal":                "法的な問題",
		"referral":                       "%sに関わる可能性がある内容です。これはコーチが助言する範囲ではありません。1on1の中で一人で解決しようとせず、次の窓口につないでください。本人の安全が心配なときは、すぐに連絡してください。",
		"referral.nocontacts":            "（組織の窓口がまだ登録されていません。管理者に人事・産業保健・相談窓口の登録を依頼してください。）",
		"referral.possible":              "%sに関わる内容かもしれません（自動判定のため、違っていることもあります）。該当するなら、1on1で一人で解決しようとせず、次の窓口につないでください。該当しないと確かめられたら「該当しない」を選んでください。コーチがそのまま提案を続けます。",
		"referral.step.emergency":        "命に関わる差し迫った危険があるときは、ためらわず119番（救急）または110番に連絡し、本人を一人にしないでください。",
		"referral.step.crisis":           "今日のうちに本人と落ち着いて話せる場をつくり、否定せず話を聴き、産業医・保健師などの産業保健スタッフにつなぎます。本人の同意を得て家族や緊急連絡先に知らせることも考えてください。",
		"referral.step.harassment":       "事実を確かめたり当事者同士を話し合わせたりせず、本人の話を聴いて、会社のハラスメント相談窓口または人事につなぎます。相談したことで不利益がないと本人に伝えてください。",
		"referral.step.discrimination":   "評価・配置・休業に関わる不利益な扱いは、あなた一人で判断せず、人事（または相談窓口）に相談します。外部では都道府県労働局の総合労働相談コーナーも相談先です。",
		"referral.step.legal":            "事実関係を調べたり約束したりせず、人事・法務・コンプライアンス窓口に相談します。通報した本人が不利益を受けないよう、話した内容は必要な人にだけ伝えてください。",
		"referral.step.record":           "いつ・何を聞いたかを、評価を交えず事実だけ記録しておきます。1on1自体はいつもどおり記録できます。",
		"contact.default.hr":             "人事部（または社内の相談窓口）",
		"contact.default.hr.detail":      "社内の連絡先を管理者に登録してもらってください",
		"contact.default.health":         "産業医・保健師（産業保健スタッフ）",
		"contact.default.health.detail":  "社内の連絡先を管理者に登録してもらってください",
		"contact.default.hotline":        "こころの健康相談統一ダイヤル",
		"contact.default.hotline.detail": "0570-064-556（命の危険が差し迫っているときは119番）",
		"contact.default.legal":          "法務部・コンプライアンス窓口",
		"contact.default.legal.detail":   "社内の連絡先を管理者に登録してもらってください",
		"offline.label":                  "オフラインモード：言語モデルを使わず、ナレッジベースと履歴から組み立てた提案です。",
		"noguidance":                     "ナレッジベースには、この内容を扱うガイダンスが見つかりませんでした。推測で答えることは控えます。キュレーターに伝わるよう記録しました。",
		"summary.next":                   "%sは次の1on1で、「%s」という関わり方を希望しています。",
		"summary.next.topics":            "話したいテーマ：%s。",
		"summary.next.text":              "本人のことば：「%s」",
		"summary.norequest":              "%sからの事前の希望はまだ届いていません。冒頭で、今日話したいことを本人に聞きましょう。",
		"summary.condition.down":         "コンディションは%sと下がってきています。",
		"summary.condition.up":           "コンディションは%sと上向いています。",
		"summary.actions":                "未完了のアクションが%d件あります（うち期限切れ%d件）。",
		"summary.actions.ontime":         "未完了のアクションが%d件あります。",
		"summary.last":                   "前回の1on1から%d日経っています。",
		"summary.last.today":             "前回の1on1は今日でした。",
		"summary.gap":                    "前回の1on1から%d日空いており、いつもの間隔（約%.0f日）より長くなっています。",
		"summary.impl":                   "直近180日の実施率は%.0f%%（予定%d回中%d回実施）です。",
		"agenda.checkin":                 "チェックイン：最近の調子を本人のことばで聞く",
		"agenda.checkin.down":            "チェックイン：コンディションの変化（%s）について、評価せずに様子を聞く",
		"agenda.request":                 "本人が話したいこと：%s",
		"agenda.request.topics":          "本人が選んだテーマ：%s",
		"agenda.followup":                "前回からのアクションの振り返り（%d件）",
		"agenda.recurring":               "繰り返し出ているテーマ「%s」：この%d回で取り上げられています",
		"agenda.question":                "あなたが確認したいこと：%s",
		"agenda.close":                   "次の一歩の合意：誰が・何を・いつまでに、と次回の日程",
		"agenda.practice":                "意識すること：%s",
		"watch.style.listen":             "本人は「聴いてほしい」と希望しています。解決策や助言は控え、要約と確認で返しましょう。",
		"watch.style.advise":             "本人は助言を求めています。まず状況を十分に聞いてから、選択肢と理由を具体的に伝えましょう。",
		"watch.style.think-together":     "本人は「一緒に考えてほしい」と希望しています。答えを渡さず、問いで考えを広げましょう。",
		"watch.style.encourage":          "本人は励ましを求めています。具体的な行動や成長を挙げて認めましょう。",
		"watch.style.decide":             "本人は判断を求めています。判断とその理由をはっきり伝えましょう。",
		"watch.style.report":             "本人は報告を聞いてほしいと考えています。報告の後に、気持ちや困りごとも一言聞きましょう。",
		"watch.match":                    "これまでの「%s」の回について、本人の評価（%d件の平均）では、期待との合致度が%.0f%%にとどまっています。関わり方を意識して変えてみましょう。",
		"watch.plan":                     "あなたの予定「%s」は、このメンバーの状況についてのガイダンスと食い違う可能性があります：%s",
		"watch.reflection":               "前回の振り返りで書いたこと：「%s」",
		"conflict.challenge":             "挑戦を避けているメンバーに圧力をかけると、失敗への不安が強まり、かえって手を挙げにくくなります。小さな一歩と、失敗しても大丈夫だという安心を先に。",
		"conflict.listening":             "本人は「聴いてほしい」と希望しています。助言や指摘を先にすると、話してくれなくなるおそれがあります。",
		"conflict.wellbeing":             "コンディションが下がっているときに負荷を増やすと、不調を深めるおそれがあります。まず状況を聞き、負荷を確認しましょう。",
		"conflict.evaluation":            "1on1で評価の話をすると、本人は評価を気にして本音を話しにくくなります。評価面談とは切り分けましょう。",
		"followup.item":                  "%s（%s担当、%d日前に合意%s）",
		"followup.item.today":            "%s（%s担当、今日合意%s）",
		"followup.due":                   "、期限 %s",
		"followup.overdue":               "、期限切れ",
		"owner.manager":                  "あなた",
		"owner.member":                   "本人",
		"style.listen":                   "話を聴いてほしい",
		"style.advise":                   "助言がほしい",
		"style.think-together":           "一緒に考えてほしい",
		"style.encourage":                "励ましてほしい",
		"style.decide":                   "判断してほしい",
		"style.report":                   "報告を聞いてほしい",
		"chat.intro":                     "ナレッジベースのガイダンスから、関係しそうなポイントをまとめます。",
		"chat.member":                    "%sについて：%s",
		"reflect.style":                  "%sは「%s」を希望していました。実際のあなたの関わり方は、その希望にどのくらい沿っていましたか？",
		"reflect.nostyle":                "今回、%sはどんな関わり方を望んでいたと思いますか？次回は事前に希望を聞いてみませんか？",
		"reflect.actions":                "今回合意したアクション（%d件）は、誰が・何を・いつまでに、が明確になっていますか？",
		"reflect.noactions":              "今回、次に向けて合意したことはありますか？何も決めなかったなら、それは意図したことでしたか？",
		"reflect.condition.down":         "コンディションが前回の%dから%dに下がりました。その背景について、何を聞けましたか？まだ聞けていないことは何ですか？",
		"reflect.condition.up":           "コンディションが前回の%dから%dに上がりました。何が良い変化につながったと思いますか？",
		"reflect.open":                   "前回からの未完了アクション（%d件）について、今回フォローできましたか？",
		"reflect.match":                  "「%s」を希望された回の本人の評価（%d件の平均）では、合致度が%.0f%%です。次回、関わり方で一つ変えるとしたら何ですか？",
		"reflect.comment":                "%sが共有してくれたコメント「%s」を読んで、次回に活かしたいことは何ですか？",
		"reflect.next":                   "次の1on1までに試す小さな一歩：%s　これをどう実践しますか？",
		"reflect.talk":                   "今回の1on1で、話していた時間はあなたと%sのどちらが長かったですか？",
	},
	"en": {
		"list.sep":                       ", ",
		"sensitive.harassment":           "harassment",
		"sensitive.discrimination":       "discrimination",
		"sensitive.crisis":               "a mental-health crisis (including self-harm or suicidal thoughts)",
		"sensitive.legal":                "a legal matter",
		"referral":                       "This may involve %s. The coach does not advise on this. Don't try to resolve it alone within a 1on1: involve the people below. If you are worried about the person's safety, contact them now.",
		"referral.nocontacts":            "(Your organization has not registered its contacts yet. Ask an admin to add HR, occupational health and the hotline.)",
		"referral.possible":              "This may involve %s (an automatic reading, which can be wrong). If it does, don't try to resolve it alone in a 1on1: involve the people below. If you have checked and it doesn't, choose \"Not a sensitive matter\" and the coach will go on.",
		"referral.step.emergency":        "If there is an immediate risk to life, call emergency services now (119 in Japan, 911 in the US, 112 in the EU, 999 in the UK) and do not leave the person alone.",
		"referral.step.crisis":           "Today, find a calm moment to talk, listen without judging, and connect them with occupational health (the company doctor or nurse). With their consent, consider telling family or their emergency contact.",
		"referral.step.harassment":       "Don't investigate or bring the people involved together yourself: listen, then involve the harassment hotline or HR. Tell the person that raising it will not count against them.",
		"referral.step.discrimination":   "Don't judge unfavourable treatment tied to evaluation, assignments or leave on your own: involve HR (or the hotline).",
		"referral.step.legal":            "Don't investigate or make promises: involve HR, legal or the compliance hotline, and share what you heard only with those who need it, so no one is penalised for raising it.",
		"referral.step.record":           "Write down when and what you heard, facts only. You can still log the 1on1 as usual.",
		"contact.default.hr":             "HR (or your internal hotline)",
		"contact.default.hr.detail":      "Ask an admin to register your organization's contacts",
		"contact.default.health":         "Occupational health (company doctor or nurse)",
		"contact.default.health.detail":  "Ask an admin to register your organization's contacts",
		"contact.default.hotline":        "A crisis line where the person lives",
		"contact.default.hotline.detail": "In Japan: 0570-064-556 (こころの健康相談統一ダイヤル); for immediate danger, emergency services",
		"contact.default.legal":          "Legal or compliance",
		"contact.default.legal.detail":   "Ask an admin to register your organization's contacts",
		"offline.label":                  "Offline mode: composed from the knowledge base and the history, without a language model.",
		"noguidance":                     "No guidance in the knowledge base covers this, so the coach will not guess. The question was recorded for the curators.",
		"summary.next":                   "For the next 1on1, %s asked you to respond this way: \"%s\".",
		"summary.next.topics":            "Topics they picked: %s.",
		"summary.next.text":              "In their words: \"%s\"",
		"summary.norequest":              "%s has not sent a request yet. Open by asking what they want to talk about today.",
		"summary.condition.down":         "Their condition has been falling: %s.",
		"summary.condition.up":           "Their condition has been improving: %s.",
		"summary.actions":                "%d action(s) are still open (%d overdue).",
		"summary.actions.ontime":         "%d action(s) are still open.",
		"summary.last":                   "It has been %d days since the last 1on1.",
		"summary.last.today":             "The last 1on1 was today.",
		"summary.gap":                    "It has been %d days since the last 1on1, longer than your usual interval (about %.0f days).",
		"summary.impl":                   "Implementation rate over the last 180 days: %.0f%% (%[3]d of %[2]d planned held).",
		"agenda.checkin":                 "Check-in: ask how they are doing, in their own words",
		"agenda.checkin.down":            "Check-in: ask about the change in their condition (%s) without judging",
		"agenda.request":                 "What they want to talk about: %s",
		"agenda.request.topics":          "Topics they picked: %s",
		"agenda.followup":                "Follow up on open actions (%d)",
		"agenda.recurring":               "Recurring topic \"%s\": raised in %d of the recent sessions",
		"agenda.question":                "What you want to check: %s",
		"agenda.close":                   "Agree on next steps: who does what by when, and the next date",
		"agenda.practice":                "Keep in mind: %s",
		"watch.style.listen":             "They asked you to listen. Hold back solutions and advice; reflect back and check your understanding.",
		"watch.style.advise":             "They asked for advice. Hear the whole situation first, then give concrete options and your reasons.",
		"watch.style.think-together":     "They asked to think it through together. Don't hand over answers; widen their thinking with questions.",
		"watch.style.encourage":          "They asked for encouragement. Name specific actions and growth you have seen.",
		"watch.style.decide":             "They asked you to decide. State the decision and your reasons clearly.",
		"watch.style.report":             "They want to report. After the report, ask one question about how they feel or what is in the way.",
		"watch.match":                    "For sessions where they asked for \"%s\", their ratings (average of %d) put the match at %.0f%%. Try consciously changing how you respond.",
		"watch.plan":                     "Your plan \"%s\" may run against the guidance for this member's situation: %s",
		"watch.reflection":               "What you wrote in your last reflection: \"%s\"",
		"conflict.challenge":             "Pressure on a member who avoids challenges tends to raise their fear of failing and makes them less likely to step forward. Offer a small step and safety to fail first.",
		"conflict.listening":             "They asked you to listen. Leading with advice or correction may stop them talking.",
		"conflict.wellbeing":             "Adding load while their condition is falling may deepen it. Ask about the situation and check their load first.",
		"conflict.evaluation":            "Talking about evaluation in a 1on1 makes members guard what they say. Keep it for the evaluation meeting.",
		"followup.item":                  "%s (owner: %s, agreed %d days ago%s)",
		"followup.item.today":            "%s (owner: %s, agreed today%s)",
		"followup.due":                   ", due %s",
		"followup.overdue":               ", overdue",
		"owner.manager":                  "you",
		"owner.member":                   "them",
		"style.listen":                   "just listen",
		"style.advise":                   "give advice",
		"style.think-together":           "think it through together",
		"style.encourage":                "encourage me",
		"style.decide":                   "make a decision",
		"style.report":                   "hear my report",
		"chat.intro":                     "Here is what the guidance in the knowledge base says that seems relevant.",
		"chat.member":                    "About %s: %s",
		"reflect.style":                  "%s asked you to \"%s\". How closely did the way you responded match that?",
		"reflect.nostyle":                "How do you think %s wanted you to respond this time? Could you ask them beforehand next time?",
		"reflect.actions":                "Are the %d action(s) you agreed clear about who does what by when?",
		"reflect.noactions":              "Did you agree on anything to do next? If not, was that intended?",
		"reflect.condition.down":         "Their condition fell from %d to %d. What did you learn about why? What haven't you asked yet?",
		"reflect.condition.up":           "Their condition rose from %d to %d. What do you think helped?",
		"reflect.open":                   "Did you follow up on the %d action(s) still open from before?",
		"reflect.match":                  "For sessions where they asked you to \"%s\", their ratings (average of %d) put the match at %.0f%%. What one thing would you change next time?",
		"reflect.comment":                "%s shared a comment: \"%s\". What will you take from it into the next 1on1?",
		"reflect.next":                   "A small step to try before the next 1on1: %s How will you put it into practice?",
		"reflect.talk":                   "In this 1on1, who spoke more, you or %s?",
	},
}

func msg(lang, key string, args ...any) string {
	m, ok := messages[lang]
	if !ok {
		m = messages["ja"]
	}
	f, ok := m[key]
	if !ok {
		f = messages["ja"][key]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

func topicLabel(lang, slug string) string {
	for _, t := range knowledge.Topics {
		if t.Slug == slug {
			if lang == "en" {
				return t.EN
			}
			return t.JA
		}
	}
	return slug
}
