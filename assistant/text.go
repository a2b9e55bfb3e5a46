package assistant

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/taiwa-coach/taiwa/knowledge"
)

// messages are the offline composer's and the referral's words, in the
// manager's language.
var messages = map[string]map[string]string{
	"ja": {
		"list.sep":                                   "、",
		"list.and":                                   "と",
		"sentence.sep":                               "",
		"sensitive.harassment":                       "ハラスメント",
		"sensitive.discrimination":                   "差別",
		"sensitive.crisis":                           "心身の危機（自傷・希死念慮を含む）",
		"sensitive.legal":                            "法的な問題",
		"referral":                                   "%sに関わる可能性がある内容です。これはコーチが助言する範囲ではありません。1on1の中で一人で解決しようとせず、次の窓口につないでください。本人の安全が心配なときは、すぐに連絡してください。",
		"referral.nocontacts":                        "（組織の窓口がまだ登録されていません。管理者に人事・産業保健・相談窓口の登録を依頼してください。）",
		"referral.possible":                          "%sに関わる内容かもしれません（自動判定のため、違っていることもあります）。該当するなら、1on1で一人で解決しようとせず、次の窓口につないでください。該当しないと確かめられたら「該当しない」を選んでください。コーチがそのまま提案を続けます。",
		"referral.step.emergency":                    "命に関わる差し迫った危険があるときは、ためらわず119番（救急）または110番に連絡し、本人を一人にしないでください。",
		"referral.step.crisis":                       "今日のうちに本人と落ち着いて話せる場をつくり、否定せず話を聴き、産業医・保健師などの産業保健スタッフにつなぎます。本人の同意を得て家族や緊急連絡先に知らせることも考えてください。",
		"referral.step.harassment":                   "事実を確かめたり当事者同士を話し合わせたりせず、本人の話を聴いて、会社のハラスメント相談窓口または人事につなぎます。相談したことで不利益がないと本人に伝えてください。",
		"referral.customer":                          "お客様・取引先・利用者などからの威圧的な言動（カスタマーハラスメント）に関わる内容があります。上司は本人の最初の支えです。本人を一人で対応させず、会社の対応方針と次の窓口につないだうえで、以下の提案を使ってください。",
		"referral.step.customer":                     "本人の話を聴き、一人で対応させない体制（交代・同席・上長への引き継ぎ）を確かめます。悪質な場合や繰り返される場合は、会社のカスタマーハラスメント対応方針に沿って人事や窓口と対応します。",
		"watch.customer":                             "%sに、お客様・取引先などからの威圧的な言動（カスタマーハラスメント）に触れている箇所があります。まず本人の受けた負担を聴き、一人で対応させない手立てと、会社の対応方針・窓口につなぐことを今回の1on1で確かめましょう。",
		"referral.step.discrimination":               "評価・配置・休業に関わる不利益な扱いは、あなた一人で判断せず、人事（または相談窓口）に相談します。外部では都道府県労働局の総合労働相談コーナーも相談先です。",
		"referral.step.legal":                        "事実関係を調べたり約束したりせず、人事・法務・コンプライアンス窓口に相談します。通報した本人が不利益を受けないよう、話した内容は必要な人にだけ伝えてください。",
		"referral.step.record":                       "いつ・何を聞いたかを、評価を交えず事実だけ記録しておきます。1on1自体はいつもどおり記録できます。",
		"referral.vague":                             "デリケートな内容（ハラスメント、差別、心の不調、法的な問題）に触れているかもしれない文章があります（自動判定のため、違っていることもあります）。該当するなら、1on1で一人で抱えず、次の窓口につないでください。該当しなければ、以下の提案をそのまま使えます。",
		"referral.step.vague":                        "該当する内容なら、自分で調べたり当事者を集めたりせず、話を聞いたうえで人事・産業保健・相談窓口につなぎます。",
		"watch.vague":                                "%sに、デリケートな内容（ハラスメント、差別、心の不調、法的な問題）に触れているかもしれない箇所があります（自動判定のため、違っていることもあります）。該当するなら1on1で一人で抱えず、人事や産業保健につないでください。該当しなければ、この提案をそのまま使えます。",
		"place.question":                             "あなたの質問",
		"place.chat":                                 "チャット",
		"place.intake":                               "本人の事前記入",
		"place.comment":                              "本人のコメント",
		"place.note":                                 "1on1のメモ",
		"place.action":                               "アクション",
		"place.reflection":                           "振り返り",
		"contact.default.hr":                         "人事部（または社内の相談窓口）",
		"contact.default.hr.detail":                  "社内の連絡先を管理者に登録してもらってください",
		"contact.default.health":                     "産業医・保健師（産業保健スタッフ）",
		"contact.default.health.detail":              "社内の連絡先を管理者に登録してもらってください",
		"contact.default.hotline":                    "こころの健康相談統一ダイヤル",
		"contact.default.hotline.detail":             "0570-064-556（命の危険が差し迫っているときは119番）",
		"contact.default.legal":                      "法務部・コンプライアンス窓口",
		"contact.default.legal.detail":               "社内の連絡先を管理者に登録してもらってください",
		"offline.label":                              "オフラインモード：言語モデルを使わず、ナレッジベースと履歴から組み立てた提案です。",
		"answer.cut":                                 "回答が長さの上限に達したため、途中までを表示しています。",
		"noguidance":                                 "ナレッジベースには、この内容を扱うガイダンスが見つかりませんでした。推測で答えることは控えます。キュレーターに伝わるよう記録しました。",
		"summary.next":                               "%sは次の1on1で、「%s」という関わり方を希望しています。",
		"summary.next.style":                         "関わり方は%sを希望しています。",
		"summary.next.topics":                        "%sは次の1on1のテーマに%sを選んでいます。",
		"summary.next.text":                          "%sは次の1on1に向けて、こう書いてくれています：「%s」",
		"summary.norequest":                          "%sからの事前の希望はまだ届いていません。冒頭で、今日話したいことを本人に聞きましょう。",
		"summary.condition.down":                     "コンディションは%sと下がってきています。",
		"summary.condition.down.step":                "コンディションは%sと、一段下がったままです。",
		"summary.condition.down.last":                "コンディションは前回の1on1で下がりました（%s）。",
		"summary.condition.up":                       "コンディションは%sと上向いています。",
		"summary.condition.up.step":                  "コンディションは%sと、一段上がって保たれています。",
		"summary.condition.up.last":                  "コンディションは前回の1on1で上がりました（%s）。",
		"summary.calm":                               "コンディションは%sで落ち着いていて、期限切れのアクションもありません。",
		"summary.calm.up":                            "期限切れのアクションもありません。",
		"summary.calm.noactions":                     "コンディションは%sで落ち着いていて、未完了のアクションもありません。",
		"summary.actions":                            "未完了のアクションが%d件あります（うち期限切れ%d件）。",
		"summary.actions.ontime":                     "未完了のアクションが%d件あります。",
		"summary.actions.overdue.one":                "未完了のアクションが%d件あります（うち期限切れ1件）。",
		"summary.actions.one":                        "未完了のアクションが1件あります。",
		"summary.actions.one.overdue":                "未完了のアクションが1件あり、期限を過ぎています。",
		"summary.last":                               "前回の1on1から%d日経っています。",
		"summary.last.today":                         "前回の1on1は今日でした。",
		"summary.gap":                                "前回の1on1から%d日空いており、いつもの間隔（約%.0f日）より長くなっています。",
		"summary.lastnotes":                          "前回の1on1のメモには「%s」とあります。",
		"summary.comment":                            "以前の1on1の後、本人は「%s」とコメントを共有してくれています。",
		"summary.comment.last":                       "前回の1on1の後、本人は「%s」とコメントを共有してくれています。",
		"summary.samestyle":                          "%d日前、同じく%sと希望した1on1のあと、{m}は「%s」とコメントしています。",
		"summary.new":                                "%sとの1on1はまだ1回だけで、履歴から言えることは限られます。",
		"summary.new.none":                           "%sとの1on1はまだ一度も記録されていません。今回が最初の1on1として、本人のことを知るところから始めましょう。",
		"summary.noactions":                          "未完了のアクションはありません。",
		"summary.unknown":                            "記録からわかるのは起きたことまでで、その理由や本人の受け止めまでは分かりません。推測で埋めず、本人に聞きましょう。",
		"agenda.first":                               "初回として、1on1が本人のための時間（評価の場ではない）であること、困ったときに誰に聞けばよいか、最初の1〜3か月で順調と言える状態を一緒に確かめる",
		"agenda.missed":                              "前回までに予定していた1on1が%d回、実施できていません。早いうちにそのことに触れ（こちらの都合なら詫びて）、今日の時間は本人のためのものだと伝える",
		"agenda.missed.one":                          "前回予定していた1on1が実施できていません。早いうちにそのことに触れ（こちらの都合なら詫びて）、今日の時間は本人のためのものだと伝える",
		"agenda.missed.first":                        "これまでに予定していた1on1が%d回、実施できていません。早いうちにそのことに触れる（こちらの都合なら詫びる）",
		"agenda.missed.one.first":                    "予定していた1on1が一度、実施できていません。早いうちにそのことに触れる（こちらの都合なら詫びる）",
		"summary.missed":                             "直近180日に予定していた%d回の1on1のうち、%d回は実施されていません（%s）。",
		"summary.missed.cancelled":                   "中止%d回",
		"summary.missed.skipped":                     "スキップ%d回",
		"summary.missed.unlogged":                    "実施の記録がないもの%d回",
		"agenda.promise":                             "チェックインのすぐ後に、あなたが約束した「%s」（%d日前に合意）の進み具合を自分から伝える",
		"agenda.promise.overdue":                     "チェックインのすぐ後に、あなたが約束した「%s」（%d日前に合意）が期限を過ぎていることを詫び、今の状況と新しい期日を伝える",
		"agenda.promise.overdue.open":                "冒頭で、あなたが約束した「%s」（%d日前に合意）が期限を過ぎていることを自分から詫び、今の状況と新しい期日を伝える",
		"agenda.done":                                "本人が完了した「%s」を具体的にねぎらい、やってみてどうだったかを聞く",
		"agenda.done.many":                           "本人が完了した%sを一つずつ具体的にねぎらい、やってみてどうだったかを聞く",
		"agenda.done.doing":                          "本人が完了した「%s」を具体的にねぎらい、やってみてどうだったかを聞く",
		"agenda.done.many.doing":                     "本人が完了した%sを一つずつ具体的にねぎらい、やってみてどうだったかを聞く",
		"quoted":                                     "「%s」",
		"agenda.done.manager":                        "あなたが約束していた「%s」は済んでいます。自分から一言伝える",
		"agenda.done.manager.before":                 "あなたが約束していた「%s」は済んでいます（期日は前回の1on1より前）。まだ話題にしていなければ、一言触れる",
		"agenda.done.manager.before.done":            "あなたが約束していた「%s」は済んでいます（期日は前回の1on1より前）。まだ話題にしていなければ、一言触れる",
		"agenda.done.before":                         "本人が完了した「%s」を、改めて具体的にねぎらう",
		"agenda.done.many.before":                    "本人が完了した%sを、改めて一つずつ具体的にねぎらう",
		"agenda.done.doing.before":                   "本人が完了した「%s」を、改めて具体的にねぎらう",
		"agenda.done.many.doing.before":              "本人が完了した%sを、改めて一つずつ具体的にねぎらう",
		"agenda.done.manager.done":                   "あなたが約束していた「%s」は済んでいます。自分から一言伝える",
		"agenda.request.own":                         "本人が事前に書いてくれた話題から始め、まず本人に話してもらう",
		"agenda.request.own.decide":                  "本人が事前に書いてくれた点から始め、何を決めればよいかと、判断に要る事実を短く確かめる",
		"agenda.style.advise.about":                  "助言の準備：「%s」について、本人の話を聞いたうえで示せるよう、選択肢を2〜3つと、それぞれの理由とリスクを用意しておく",
		"agenda.style.think-together.about":          "一緒に考える準備：「%s」について、答えではなく、選択肢を広げる問いと判断の軸を用意しておく",
		"agenda.style.decide.about":                  "判断の準備：「%s」について、結論と理由を事前に決めておく（決めきれない点は、いつまでに決めるかを約束する）",
		"agenda.style.advise.theirs":                 "助言の準備：本人が書いてくれた相談について、本人の話を聞いたうえで示せるよう、選択肢を2〜3つと、それぞれの理由とリスクを用意しておく",
		"agenda.style.think-together.theirs":         "一緒に考える準備：本人が書いてくれたテーマについて、答えではなく、選択肢を広げる問いと判断の軸を用意しておく",
		"agenda.style.decide.theirs":                 "判断の準備：本人が書いてくれた点について、結論と理由を事前に決めておく（決めきれない点は、いつまでに決めるかを約束する）",
		"agenda.style.advise.wrote":                  "助言の準備：本人が書いた「%s」を受けて、本人の話を聞いたうえで示せるよう、選択肢を2〜3つと、それぞれの理由とリスクを用意しておく",
		"agenda.style.think-together.wrote":          "一緒に考える準備：本人が書いた「%s」を受けて、答えではなく、選択肢を広げる問いと判断の軸を用意しておく",
		"agenda.style.decide.wrote":                  "判断の準備：本人が書いた「%s」を受けて、結論と理由を事前に決めておく（決めきれない点は、いつまでに決めるかを約束する）",
		"agenda.style.advise.assess.about":           "助言の準備：「%s」について、良い点と直すべき点を、優先順位と具体的な根拠をつけて率直に伝えられるよう、事前に目を通しておく",
		"agenda.style.advise.assess":                 "助言の準備：本人が求めている率直な見立てを、良い点と直すべき点に分け、優先順位と具体的な根拠をつけて伝えられるよう用意しておく",
		"agenda.style.advise":                        "助言の準備：本人の話を聞いたうえで示せるよう、選択肢を2〜3つと、それぞれの理由とリスクを用意しておく",
		"agenda.style.advise.about.direct":           "助言の準備：「%s」について、具体的な選択肢を2〜3つと、それぞれの理由とリスクを用意し、事実を短く確かめたら早めに伝える",
		"agenda.style.advise.theirs.direct":          "助言の準備：本人が書いてくれた相談について、具体的な選択肢を2〜3つと、それぞれの理由とリスクを用意し、事実を短く確かめたら早めに伝える",
		"agenda.style.advise.wrote.direct":           "助言の準備：本人が書いた「%s」を受けて、具体的な選択肢を2〜3つと、それぞれの理由とリスクを用意し、事実を短く確かめたら早めに伝える",
		"agenda.style.advise.direct":                 "助言の準備：具体的な選択肢を2〜3つと、それぞれの理由とリスクを用意し、事実を短く確かめたら早めに伝える",
		"agenda.style.think-together":                "一緒に考える準備：答えではなく、選択肢を広げる問いと判断の軸を用意しておく",
		"agenda.style.encourage":                     "励ましの準備：最近の具体的な行動や成果を一つ挙げ、何が良かったかを言葉にしておく",
		"agenda.style.encourage.done":                "励ましの準備：完了した「%s」のように、具体的な行動を挙げて何が良かったかを伝える",
		"agenda.style.encourage.result":              "励ましの準備：メモにある「%s」を具体的に挙げ、そこに至る本人の工夫や粘りのどこが良かったかを言葉にしておく",
		"agenda.request.news":                        "本人が書いてくれた「%s」を、本題の前に一言で認める",
		"agenda.style.encourage.result.request":      "励ましの準備：本人が書いてくれた「%s」を具体的に挙げ、そこに至る本人の工夫や粘りのどこが良かったかを言葉にしておく",
		"agenda.style.encourage.result.question":     "励ましの準備：「%s」を具体的に挙げ、そこに至る本人の工夫や粘りのどこが良かったかを言葉にしておく",
		"agenda.facts.decide":                        "判断には、これまでの1on1で分かっていることも使う：%s",
		"agenda.facts.advise":                        "助言は、これまでの1on1で分かっていることを踏まえて：%s",
		"agenda.facts.think-together":                "これまでの1on1で分かっていることも、考える材料として一緒に見る：%s",
		"agenda.facts.one":                           "「%s」（%d日前）",
		"agenda.facts.sep":                           "、",
		"agenda.style.decide":                        "判断の準備：本人が判断を求めている点について、結論と理由を事前に決めておく（決めきれない点は、いつまでに決めるかを約束する）",
		"agenda.style.advise.made":                   "助言を伝える：用意している助言（今回のご相談の内容）を、本人の話を聞いたうえで、理由とともに選択肢として伝える",
		"agenda.style.advise.assess.made":            "率直な見立てを伝える：用意している指摘（今回のご相談の内容）を、一つずつ具体例とともにはっきり伝え、どこから手をつけるかを本人と決める",
		"agenda.style.decide.made":                   "判断を伝える：決めた結論を最初にはっきり伝え、理由と、見直すとしたらどんなときかを添える",
		"agenda.style.report":                        "報告を聞いた後、困っていることや気持ちを一言だけ聞く",
		"agenda.close.listen":                        "最後に、聞く以外に必要なことがあるかを尋ねて締めくくる（結論や宿題は無理に決めない）",
		"agenda.close.encourage":                     "最後に、今日いちばん伝えたかった承認を一言で繰り返し、次回の日程を決める（宿題は増やさない）",
		"agenda.checkin.low":                         "チェックイン：コンディションが%dと低めです。理由を評価せずに聞く",
		"watch.status":                               "直近%d回の1on1は、メモを見る限り進捗の報告が中心でした。進捗は事前に共有してもらい、本人の考えや困りごとに時間を使いましょう。",
		"watch.status.report":                        "直近%d回の1on1は、メモを見る限り進捗の報告が中心で、今回も本人は報告を希望しています。報告は本人に任せて最後まで聞き、そのあとで調子や困りごとを一つだけ聞きましょう。",
		"watch.advised":                              "前回、本人は「聴いてほしい」と希望していましたが、メモには助言した記録があります。今回は最後まで聴くことから始めましょう。",
		"agenda.checkin":                             "チェックイン：最近の調子を聞く",
		"agenda.checkin.down":                        "チェックイン：コンディションの変化（%s）について、評価せずに様子を聞く",
		"agenda.request.topics":                      "本人が選んだテーマ：%s",
		"question.request.listen":                    "事前に「%s」と書いてくれていましたね。いまの状況を、話しやすいところから聞かせてください。",
		"question.request.advise":                    "「%s」と書いてくれましたね。助言の前に、いまの状況と、すでに試したことを聞かせてください。",
		"question.request.think-together":            "「%s」について、いま考えている選択肢と、それぞれで気になっている点は何ですか？",
		"question.request.advise.subject":            "「%s」について、助言の前に、いまの状況と、すでに試したことを聞かせてください。",
		"question.request.advise.assess":             "「%s」と書いてくれましたね。率直にお伝えします。その前に、自分ではどこがいちばん気になっていますか？",
		"question.request.advise.assess.subject":     "「%s」について、率直にお伝えします。その前に、自分ではどこがいちばん気になっていますか？",
		"question.request.advise.tried":              "「%s」と書いてくれましたね。試したことを踏まえて、どんな状態になれば一番いいと思いますか？",
		"question.request.advise.direct":             "「%s」と書いてくれましたね。私の考えははっきりお伝えします。その前に、私がまだ知らないことで、考えに入れておくべきことは何ですか？",
		"question.request.advise.direct.subject":     "「%s」について、私の考えははっきりお伝えします。その前に、私がまだ知らないことで、考えに入れておくべきことは何ですか？",
		"question.request.advise.tried.subject":      "「%s」について、試したことを踏まえて、どんな状態になれば一番いいと思いますか？",
		"question.request.think-together.subject":    "「%s」について、いま考えている選択肢と、それぞれで気になっている点は何ですか？",
		"question.request.think-together.open":       "「%s」と書いてくれましたね。いま頭にあることを、まとまっていなくていいので聞かせてください。一緒に整理しましょう。",
		"question.request.encourage":                 "「%s」と書いてくれましたね。そこまでで、いちばん工夫したのはどんなところでしたか？",
		"question.request.encourage.quoted":          "書いてくれた結果について、そこに至るまでで、いちばん工夫したのはどんなところでしたか？",
		"question.request.encourage.setback":         "「%s」と書いてくれましたね。その中でも、ここ最近で自分なりに踏ん張れたこと、うまくいったことは何ですか？小さなことで構いません。",
		"question.request.encourage.subject":         "「%s」について、いちばん工夫したのはどんなところでしたか？",
		"question.request.encourage.setback.subject": "「%s」について、ここ最近で自分なりに踏ん張れたこと、うまくいったことは何ですか？小さなことで構いません。",
		"question.request.decide":                    "私の判断と理由を聞いてみて、この結論で進めるとしたら、気になる点はどこですか？",
		"question.decide.next":                       "進めるにあたって、何があると動きやすいですか？",
		"question.request.report":                    "報告をひと通り聞いたあとで：その中で、手を借りたいところや、気になっているところはどこですか？",
		"question.request.none":                      "事前に「%s」と書いてくれていましたね。今日はそのどのあたりから話したいですか？",
		"question.topics":                            "「%s」について話したいとのことでしたね。いま、どんなことが気になっていますか？",
		"question.norequest":                         "今日は、どんな話から始めたいですか？",
		"question.norequest.since":                   "前回の1on1から今日までで、いちばん気になっていることは何ですか？",
		"question.more.listen":                       "ほかにも、今日ここで聞いてほしいことはありますか？",
		"question.more.advise":                       "この件で、結果としていちばん大事にしたいことは何ですか？",
		"question.more.think-together":               "どうなっていたら、うまくいったと言えそうですか？",
		"question.more.encourage":                    "振り返ってみて、自分でいちばん手応えを感じているのはどこですか？",
		"question.more.report":                       "報告の中で、自分でうまくいったと感じているのはどこですか？",
		"question.open":                              "「%s」は、いまどんな状況ですか？",
		"question.open.overdue":                      "「%s」で、進めにくくなっているところはどこですか？何があれば進めやすくなりますか？",
		"question.open.topic":                        "%sは、いまどんな状況ですか？",
		"question.open.overdue.topic":                "%sで、進めにくくなっているところはどこですか？何があれば進めやすくなりますか？",
		"agenda.followup.member":                     "本人が引き受けた「%s」の進み具合を、責めずに聞く",
		"summary.recurring":                          "「%s」は最近の1on1で%d回話題になりましたが、今回の希望にはありません。まだ気がかりなら、最後に少し触れてもよいでしょう。",
		"agenda.close":                               "次の一歩の合意：誰が・何を・いつまでに、と次回の日程",
		"agenda.owntopic":                            "あなたから話したい「%s」は、本人の話が終わってから「%sのことも少し話していいですか」と断って切り出す。今日が難しそうなら、次回に回すと伝える",
		"agenda.leftopen":                            "前回本人が口にして、時間が足りず話しきれなかった「%s」について、今回続きを話したいか本人に聞く",
		"agenda.leftopen.said":                       "前回の終わりに本人が少し触れた「%s」について、今回もう少し話したいか本人に聞く",
		"agenda.unasked":                             "前回聞けなかった「%s」について、今回はこちらから聞く",
		"agenda.owntopic.said":                       "あなたから切り出したいこと（「%s」）は、本人の話が終わってから「私からも一つお話ししたいことがあるのですが、いいですか」と断って切り出す。今日が難しそうなら、次回に回すと伝える",
		"watch.style.listen":                         "本人は「聴いてほしい」と希望しています。解決策や助言は控え、要約と確認で返しましょう。",
		"watch.style.advise":                         "本人は助言を求めています。まず状況を十分に聞いてから、選択肢と理由を具体的に伝えましょう。",
		"watch.style.think-together":                 "本人は「一緒に考えてほしい」と希望しています。答えを渡さず、問いで考えを広げましょう。",
		"watch.style.encourage":                      "本人は励ましを求めています。具体的な行動や成長を挙げて認めましょう。",
		"watch.style.decide":                         "本人は判断を求めています。判断とその理由をはっきり伝えましょう。",
		"watch.style.report":                         "本人は報告を聞いてほしいと考えています。報告の後に、気持ちや困りごとも一言聞きましょう。",
		"watch.match":                                "これまで「%s」を希望された回について、本人の%d回の評価では、期待に沿えたのは一部にとどまっています（一致度%.0f%%）。関わり方を意識して変えてみましょう。",
		"watch.match.low":                            "これまで「%s」を希望された回について、本人の%d回の評価では、期待にほとんど沿えていません（一致度%.0f%%）。関わり方を意識して変えてみましょう。",
		"watch.match.since":                          "これまで「%s」を希望された回について、本人の%d回の評価では一致度%.0f%%ですが、同じ希望だった前回のあとには「%s」とコメントがあります。前回のやり方を続けましょう。",
		"watch.plan":                                 "「%s」というお考えは、ガイダンスに照らすとこの方には勧められません。%s",
		"watch.plan.why":                             "「%s」というお考えは、ガイダンスに照らすとこの方には勧められません（%s）。%s",
		"watch.plan.also":                            "同じお考えについて、もう一点。%s",
		"watch.plan.also.why":                        "同じお考えについて、もう一点。%s。%s",
		"watch.plan.fits":                            "「%s」：%s",
		"watch.plan.fits.also":                       "%s",
		"watch.plan.fits.why":                        "「%s」：%s。%s",
		"watch.plan.fits.also.why":                   "%s。%s",
		"watch.plan.ok":                              "「%s」というお考えに、ガイダンスに照らして気になる点は見つかりませんでした。本人の希望（%s）に沿う形で進めましょう。",
		"watch.plan.requested":                       "「%s」というお考えは、本人からの依頼に沿っていて、ガイダンスに照らしても気になる点はありません。このまま進めましょう。",
		"watch.plan.asked":                           "「%s」というお考えは、本人が希望した関わり方（%s）に沿っていて、ガイダンスに照らしても気になる点はありません。このまま進めましょう。",
		"watch.plan.answers":                         "「%s」というお考えは、本人が事前に書いてくれた「%s」に応えるもので、ガイダンスに照らしても気になる点はありません。このまま進めましょう。",
		"watch.plan.unread":                          "「%s」というお考えは、始める前に、本人の希望（%s）に沿っているかを本人と確かめましょう。",
		"watch.plan.ok.nostyle":                      "「%s」というお考えに、ガイダンスに照らして気になる点は見つかりませんでした。進める前に、本人の受け止め方を聞きましょう。",
		"situation.asked":                            "本人は今回%sと希望しています",
		"situation.condition-falling":                "コンディションが%sと推移しています",
		"situation.avoids-challenges":                "本人の希望やメモに、挑戦をためらう様子が見られます",
		"situation.avoids-challenges.notes":          "%[2]d日前の1on1のメモに「%[1]s」とあります",
		"situation.avoids-challenges.wrote":          "%[2]d日前の1on1に向けて、本人は「%[1]s」と書いています",
		"situation.new-member":                       "1on1の記録がまだ少ないメンバーです",
		"situation.request":                          "本人は今回「%[1]s」と書いています",
		"situation.manager-promise-open":             "あなたの約束「%s」が未完了です",
		"situation.missed-since-last":                "前回の1on1のあと、すでに%d回流れています",
		"situation.missed-since-last.one":            "前回の1on1のあと、すでに1回流れています",
		"situation.miss":                             "%d日前の1on1のあと、本人は「%s」とコメントしています",
		"watch.reflection":                           "前回の1on1のあと、あなたは振り返りに「%s」と書いています。",
		"watch.reflection.earlier":                   "%d日前の1on1のあと、あなたは振り返りに「%s」と書いています。",
		"watch.reflection.resolved":                  "今回がそれを実行する回です。",
		"watch.reflection.owed":                      "その件は、今回の冒頭でこちらから状況を伝えましょう。",
		"watch.reflection.noted":                     "今回もそれを念頭に置いておきましょう。",
		"watch.reflection.unsaid":                    "そのとき言えなかったこと・聞けなかったことは、今回は早めに取り上げましょう。",
		"watch.reflection.lesson":                    "今回はどこを変えるかを一つ決めてから臨みましょう。",
		"watch.reflection.worked":                    "うまくいったやり方なので、今回も続けましょう。",
		"followup.item":                              "%s（%s担当、%d日前に合意%s）",
		"followup.item.today":                        "%s（%s担当、今日合意%s）",
		"followup.due":                               "、期限 %s",
		"followup.overdue":                           "、期限切れ",
		"owner.manager":                              "あなた",
		"owner.member":                               "本人",
		"member":                                     "本人",
		"style.listen":                               "話を聴いてほしい",
		"style.advise":                               "助言がほしい",
		"style.think-together":                       "一緒に考えてほしい",
		"style.encourage":                            "励ましてほしい",
		"style.decide":                               "判断してほしい",
		"style.report":                               "報告を聞いてほしい",
		"style.prose.listen":                         "話を聴いてほしい",
		"style.prose.advise":                         "助言がほしい",
		"style.prose.think-together":                 "一緒に考えてほしい",
		"style.prose.encourage":                      "励ましてほしい",
		"style.prose.decide":                         "判断してほしい",
		"style.prose.report":                         "報告を聞いてほしい",
		"style.asked.listen":                         "「話を聴いてほしい」",
		"style.asked.advise":                         "「助言がほしい」",
		"style.asked.think-together":                 "「一緒に考えてほしい」",
		"style.asked.encourage":                      "「励ましてほしい」",
		"style.asked.decide":                         "「判断してほしい」",
		"style.asked.report":                         "「報告を聞いてほしい」",
		"chat.intro":                                 "ナレッジベースのガイダンスから、関係しそうなポイントをまとめます。",
		"chat.member":                                "%sについて：%s",
		"reflect.style":                              "%sは「%s」を希望していました。実際のあなたの関わり方は、その希望にどのくらい沿っていましたか？",
		"reflect.nostyle":                            "今回、%sはどんな関わり方を望んでいたと思いますか？次回は事前に希望を聞いてみませんか？",
		"reflect.actions":                            "今回合意したアクション（%d件）は、誰が・何を・いつまでに、が明確になっていますか？",
		"reflect.noactions":                          "今回、次に向けて合意したことはありますか？何も決めなかったなら、それは意図したことでしたか？",
		"reflect.condition.down":                     "コンディションが前回の%dから%dに下がりました。その背景について、何を聞けましたか？まだ聞けていないことは何ですか？",
		"reflect.condition.up":                       "コンディションが前回の%dから%dに上がりました。何が良い変化につながったと思いますか？",
		"reflect.open":                               "前回からの未完了アクション（%d件）について、今回フォローできましたか？",
		"reflect.match":                              "「%s」を希望された回について、本人の%d回の評価では、期待に沿えたのは一部でした（一致度%.0f%%）。次回、関わり方で一つ変えるとしたら何ですか？",
		"reflect.match.low":                          "「%s」を希望された回について、本人の%d回の評価では、期待にほとんど沿えていません（一致度%.0f%%）。次回、関わり方で一つ変えるとしたら何ですか？",
		"reflect.comment":                            "%sが共有してくれたコメント「%s」を読んで、次回に活かしたいことは何ですか？",
		"reflect.next":                               "次の1on1までに試す小さな一歩：%s　これをどう実践しますか？",
		"reflect.talk":                               "今回の1on1で、話していた時間はあなたと%sのどちらが長かったですか？",
		"reflect.advised":                            "本人は「聴いてほしい」と希望していましたが、メモには助言した記録があります。どこで助言に切り替わりましたか？そのとき本人はどう受け取っていたと思いますか？",
		"reflect.status":                             "今回のメモは進捗の報告が中心です。本人自身のこと（気持ち、困りごと、これからのこと）は聞けましたか？次回、どんな問いで聞いてみますか？",
	},
	"en": {
		"list.sep":                                   ", ",
		"list.and":                                   " and ",
		"sentence.sep":                               " ",
		"sensitive.harassment":                       "harassment",
		"sensitive.discrimination":                   "discrimination",
		"sensitive.crisis":                           "a mental-health crisis (including self-harm or suicidal thoughts)",
		"sensitive.legal":                            "a legal matter",
		"referral":                                   "This may involve %s. The coach does not advise on this. Don't try to resolve it alone within a 1on1: involve the people below. If you are worried about the person's safety, contact them now.",
		"referral.nocontacts":                        "(Your organization has not registered its contacts yet. Ask an admin to add HR, occupational health and the hotline.)",
		"referral.possible":                          "This may involve %s (an automatic reading, which can be wrong). If it does, don't try to resolve it alone in a 1on1: involve the people below. If you have checked and it doesn't, choose \"Not a sensitive matter\" and the coach will go on.",
		"referral.step.emergency":                    "If there is an immediate risk to life, call emergency services now (119 in Japan, 911 in the US, 112 in the EU, 999 in the UK) and do not leave the person alone.",
		"referral.step.crisis":                       "Today, find a calm moment to talk, listen without judging, and connect them with occupational health (the company doctor or nurse). With their consent, consider telling family or their emergency contact.",
		"referral.step.harassment":                   "Don't investigate or bring the people involved together yourself: listen, then involve the harassment hotline or HR. Tell the person that raising it will not count against them.",
		"referral.customer":                          "Something here is about abuse from customers, clients or the public (customer harassment). You are the member's first support here: make sure they do not face it alone, involve the people below under your organization's policy, and use the plan below.",
		"referral.step.customer":                     "Listen to what they went through and make sure they are not left to handle it alone (swap, back-up, escalation to a lead). If it is serious or repeated, follow the organization's customer-harassment policy with HR or the hotline.",
		"watch.customer":                             "Something in %s is about abuse from customers, clients or the public (customer harassment). Start by hearing what it cost them, then agree in this 1on1 how they will not face it alone and who in the organization handles it.",
		"referral.step.discrimination":               "Don't judge unfavourable treatment tied to evaluation, assignments or leave on your own: involve HR (or the hotline).",
		"referral.step.legal":                        "Don't investigate or make promises: involve HR, legal or the compliance hotline, and share what you heard only with those who need it, so no one is penalised for raising it.",
		"referral.step.record":                       "Write down when and what you heard, facts only. You can still log the 1on1 as usual.",
		"referral.vague":                             "Something written here may touch a sensitive matter (harassment, discrimination, a mental-health crisis or a legal matter); this is an automatic reading and can be wrong. If it does, don't handle it alone in the 1on1: involve the people below. If it doesn't, the plan below stands.",
		"referral.step.vague":                        "If it is one of these, don't investigate or bring the people involved together yourself: listen, then involve HR, occupational health or the hotline.",
		"watch.vague":                                "Something in %s may touch a sensitive matter (harassment, discrimination, a mental-health crisis or a legal matter); this is an automatic reading and can be wrong. If it does, don't handle it alone in the 1on1: involve HR or occupational health. If it doesn't, this plan stands.",
		"place.question":                             "your question",
		"place.chat":                                 "the chat",
		"place.intake":                               "what {m} wrote beforehand",
		"place.comment":                              "{m}'s comment",
		"place.note":                                 "the 1on1 notes",
		"place.action":                               "an action",
		"place.reflection":                           "a reflection",
		"contact.default.hr":                         "HR (or your internal hotline)",
		"contact.default.hr.detail":                  "Ask an admin to register your organization's contacts",
		"contact.default.health":                     "Occupational health (company doctor or nurse)",
		"contact.default.health.detail":              "Ask an admin to register your organization's contacts",
		"contact.default.hotline":                    "A crisis line where the person lives",
		"contact.default.hotline.detail":             "In Japan: 0570-064-556 (こころの健康相談統一ダイヤル); for immediate danger, emergency services",
		"contact.default.legal":                      "Legal or compliance",
		"contact.default.legal.detail":               "Ask an admin to register your organization's contacts",
		"offline.label":                              "Offline mode: composed from the knowledge base and the history, without a language model.",
		"answer.cut":                                 "The answer reached its length limit and is shown up to that point.",
		"noguidance":                                 "No guidance in the knowledge base covers this, so the coach will not guess. The question was recorded for the curators.",
		"summary.next":                               "For the next 1on1, %s asked you to respond this way: \"%s\".",
		"summary.next.style":                         "They asked you to %s.",
		"summary.next.topics":                        "For the next 1on1, %s picked %s to talk about.",
		"summary.next.text":                          "For the next 1on1, %s wrote: \"%s\"",
		"summary.norequest":                          "%s has not sent a request yet. Open by asking what they want to talk about today.",
		"summary.condition.down":                     "{m}'s condition has been falling: %s.",
		"summary.condition.down.step":                "{m}'s condition dropped a step and has stayed there: %s.",
		"summary.condition.down.last":                "{m}'s condition dropped at the last 1on1: %s.",
		"summary.condition.up":                       "{m}'s condition has been improving: %s.",
		"summary.condition.up.step":                  "{m}'s condition rose a step and has held there: %s.",
		"summary.condition.up.last":                  "{m}'s condition rose at the last 1on1: %s.",
		"summary.calm":                               "{m}'s condition holds (%s) and nothing is overdue.",
		"summary.calm.up":                            "Nothing is overdue.",
		"summary.calm.noactions":                     "{m}'s condition holds (%s) and there are no open actions.",
		"summary.actions":                            "%d actions are still open, and %d are overdue.",
		"summary.actions.ontime":                     "%d actions are still open, none overdue.",
		"summary.actions.overdue.one":                "%d actions are still open, and one is overdue.",
		"summary.actions.one":                        "One action is still open.",
		"summary.actions.one.overdue":                "One action is still open, and it is overdue.",
		"summary.last":                               "It has been %d days since the last 1on1.",
		"summary.last.today":                         "The last 1on1 was today.",
		"summary.gap":                                "It has been %d days since the last 1on1, longer than your usual interval (about %.0f days).",
		"summary.lastnotes":                          "Your notes from the last 1on1 say: \"%s\"",
		"summary.comment":                            "After an earlier 1on1, {m} told you: \"%s\"",
		"summary.comment.last":                       "After the last 1on1, {m} told you: \"%s\"",
		"summary.samestyle":                          "%d days ago, after a 1on1 in which they also asked you to %s, {m} wrote: \"%s\"",
		"summary.new":                                "You have held only one 1on1 with %s so far, so the history says little yet.",
		"summary.new.none":                           "No 1on1 with %s has been logged yet: treat this as the first, and start by getting to know them.",
		"summary.noactions":                          "There are no open actions.",
		"summary.unknown":                            "The history shows what happened; it does not tell you why, or how {m} sees it. Ask rather than guess.",
		"agenda.first":                               "As a first 1on1: say that this time is theirs (not an evaluation), who to ask about what, and agree what a good first one to three months looks like",
		"agenda.missed":                              "The last %d planned 1on1s did not take place: say so early on (apologise if it was on your side), and that today's time is theirs",
		"agenda.missed.one":                          "The last planned 1on1 did not take place: say so early on (apologise if it was on your side), and that today's time is theirs",
		"agenda.missed.first":                        "The %d 1on1s planned before did not take place: say so early on (apologise if it was on your side)",
		"agenda.missed.one.first":                    "The 1on1 planned before did not take place: say so early on (apologise if it was on your side)",
		"summary.missed":                             "Of the %d 1on1s planned over the last 180 days, %d did not take place (%s).",
		"summary.missed.cancelled":                   "%d cancelled",
		"summary.missed.skipped":                     "%d skipped",
		"summary.missed.unlogged":                    "%d never logged as held",
		"agenda.promise":                             "Right after the check-in, report on your own promise, \"%s\" (agreed %d days ago): say where it stands",
		"agenda.promise.overdue":                     "Right after the check-in, own your overdue promise, \"%s\" (agreed %d days ago): apologise, say where it stands and give a new date",
		"agenda.promise.overdue.open":                "Open by owning your overdue promise, \"%s\" (agreed %d days ago): apologise, say where it stands and give a new date",
		"agenda.done":                                "Acknowledge specifically that {m} got \"%s\" done, and ask how it went",
		"agenda.done.doing":                          "Thank {m} specifically for %s, and ask how it went",
		"agenda.done.many.doing":                     "Thank {m} one by one for %s, and ask how each went",
		"agenda.done.manager.done":                   "Let {m} know you have %s, as you promised",
		"agenda.done.many":                           "Acknowledge one by one what {m} completed (%s) and ask how each went",
		"quoted":                                     "\"%s\"",
		"agenda.done.manager":                        "Let {m} know that your promise, \"%s\", is done",
		"agenda.done.manager.before":                 "Your promise, \"%s\", is done (it was due before the last 1on1): if it has not come up since, mention it briefly",
		"agenda.done.manager.before.done":            "You have %s, as you promised (it was due before the last 1on1): if it has not come up since, mention it briefly",
		"agenda.done.before":                         "Acknowledge again, specifically, that {m} got \"%s\" done",
		"agenda.done.doing.before":                   "Thank {m} again, specifically, for %s",
		"agenda.done.many.doing.before":              "Thank {m} again, one by one, for %s",
		"agenda.done.many.before":                    "Acknowledge again, one by one, what {m} completed (%s)",
		"agenda.request.own":                         "Start from what {m} wrote beforehand, and let them lead",
		"agenda.request.own.decide":                  "Start from what {m} wrote beforehand: confirm briefly what is to be decided and the facts the call rests on",
		"agenda.style.advise.about":                  "Prepare your advice on \"%s\": two or three options with the reason and the risk of each, to offer once you have heard them out",
		"agenda.style.think-together.about":          "Prepare to think it through together (\"%s\"): questions that widen the options and the criteria for choosing, not an answer",
		"agenda.style.decide.about":                  "Prepare your decision on \"%s\": the call and your reason (if something cannot be decided yet, say by when)",
		"agenda.style.advise.theirs":                 "Prepare your advice on what they wrote: two or three options with the reason and the risk of each, to offer once you have heard them out",
		"agenda.style.think-together.theirs":         "Prepare to think through what they wrote: questions that widen the options and the criteria for choosing, not an answer",
		"agenda.style.decide.theirs":                 "Prepare your decision on what they wrote: the call and your reason (if something cannot be decided yet, say by when)",
		"agenda.style.advise.wrote":                  "Prepare your advice on what they wrote (\"%s\"): two or three options with the reason and the risk of each, to offer once you have heard them out",
		"agenda.style.think-together.wrote":          "Prepare to think through what they wrote (\"%s\"): questions that widen the options and the criteria for choosing, not an answer",
		"agenda.style.decide.wrote":                  "Prepare your decision on what they wrote (\"%s\"): the call and your reason (if something cannot be decided yet, say by when)",
		"agenda.style.advise.assess.about":           "Prepare your honest view on \"%s\": what is working, what to change first and why, with examples from their work, so you can say it plainly",
		"agenda.style.advise.assess":                 "Prepare the honest view {m} asked for: what is working, what to change first and why, with examples from their work, so you can say it plainly",
		"agenda.style.advise":                        "Prepare your advice: two or three options with the reason and the risk of each, to offer once you have heard them out",
		"agenda.style.advise.about.direct":           "Prepare your advice on \"%s\": two or three concrete options with the reason and the risk of each, to give early, once you have checked the facts",
		"agenda.style.advise.theirs.direct":          "Prepare your advice on what they wrote: two or three concrete options with the reason and the risk of each, to give early, once you have checked the facts",
		"agenda.style.advise.wrote.direct":           "Prepare your advice on what they wrote (\"%s\"): two or three concrete options with the reason and the risk of each, to give early, once you have checked the facts",
		"agenda.style.advise.direct":                 "Prepare your advice: two or three concrete options with the reason and the risk of each, to give early, once you have checked the facts",
		"agenda.style.think-together":                "Prepare to think together: questions that widen the options and the criteria for choosing, not an answer",
		"agenda.style.encourage":                     "Prepare your encouragement: one specific recent action or result, and what was good about it",
		"agenda.style.encourage.done":                "Prepare your encouragement: name a specific thing they finished (\"%s\") and what was good about it",
		"agenda.style.encourage.result":              "Prepare your encouragement: name the result your notes record (\"%s\") and what was good in how they got there",
		"agenda.request.news":                        "Before the topic itself, recognise in a sentence the news {m} wrote about (\"%s\")",
		"agenda.style.encourage.result.request":      "Prepare your encouragement: name the result {m} wrote about (\"%s\") and what was good in how they got there",
		"agenda.style.encourage.result.question":     "Prepare your encouragement: name the result (\"%s\") and what was good in how they got there",
		"agenda.facts.decide":                        "Bring what earlier 1on1s already established into the decision: %s",
		"agenda.facts.advise":                        "Build your advice on what earlier 1on1s already established: %s",
		"agenda.facts.think-together":                "Put what earlier 1on1s already established on the table, to think with: %s",
		"agenda.facts.one":                           "\"%s\" (%d days ago)",
		"agenda.facts.sep":                           "; ",
		"agenda.style.decide":                        "Prepare your decision: the call they asked for and your reason (if something cannot be decided yet, say by when)",
		"agenda.style.advise.made":                   "Give the advice you have ready (the plan in your message) once you have heard {m} out, with your reasons, as options they can weigh",
		"agenda.style.advise.assess.made":            "Give the honest view you have ready (the points in your message): one at a time, plainly, with examples from their work, then agree with {m} where to start",
		"agenda.style.decide.made":                   "Give the decision you have made first and plainly, with your reason and what would make you revisit it",
		"agenda.style.report":                        "After the report, ask one question about what is hard or how they feel",
		"agenda.close.listen":                        "Near the end, sum up what you heard and ask whether they would like anything from you, or whether talking it through was enough (no forced conclusions or homework)",
		"agenda.close.encourage":                     "Close by saying once more, in a sentence, what you value most in what {m} did, and set the next date (no new homework)",
		"agenda.checkin.low":                         "Check-in: {m}'s condition is low (%d); ask about it without judging",
		"watch.status":                               "The last %d 1on1s were, going by the notes, mostly progress reports. Ask for the status in writing beforehand and use the time for their thoughts and concerns.",
		"watch.status.report":                        "The last %d 1on1s were, going by the notes, mostly progress reports, and {m} asks to report again. Let them lead the report to the end; then ask one question about how they are or what is in the way.",
		"watch.advised":                              "Last time {m} asked you to listen, and the notes record advice given. Start by listening to the end this time.",
		"agenda.checkin":                             "Check-in: ask how {m} is doing",
		"agenda.checkin.down":                        "Check-in: ask about the change in {m}'s condition (%s) without judging",
		"agenda.request.topics":                      "Topics they picked: %s",
		"question.request.listen":                    "You wrote: \"%s\". Tell me how things are, starting wherever is easiest.",
		"question.request.advise":                    "You wrote: \"%s\". Before I suggest anything: what have you tried so far, and what got in the way?",
		"question.request.think-together":            "You wrote: \"%s\". Which options are you weighing so far, and what gives you pause about each?",
		"question.request.advise.subject":            "On %s: before I suggest anything, what have you tried so far, and what got in the way?",
		"question.request.advise.assess":             "You wrote: \"%s\". I'll give you my honest read. Before I do, which part are you least sure about yourself?",
		"question.request.advise.assess.subject":     "On %s: I'll give you my honest read. Before I do, which part are you least sure about yourself?",
		"question.request.advise.tried":              "You wrote: \"%s\". Given what you've tried, what would a good result look like for you?",
		"question.request.advise.direct":             "You wrote: \"%s\". I'll tell you plainly what I think. Before I do, what should my answer take into account that I might not know yet?",
		"question.request.advise.direct.subject":     "On %s: I'll tell you plainly what I think. Before I do, what should my answer take into account that I might not know yet?",
		"question.request.advise.tried.subject":      "On %s: given what you've tried, what would a good result look like for you?",
		"question.request.think-together.subject":    "On %s: which options are you weighing so far, and what gives you pause about each?",
		"question.request.think-together.open":       "You wrote: \"%s\". Tell me what's on your mind about it, unsorted is fine, and we'll sort it out together.",
		"question.request.encourage":                 "You wrote: \"%s\". Which part of it took the most effort or thought?",
		"question.request.encourage.quoted":          "On what you wrote about: which part of getting there took the most effort or thought?",
		"question.request.encourage.setback":         "You wrote: \"%s\". Even so, what have you held together or got right lately, however small?",
		"question.request.encourage.subject":         "On %s: which part took the most effort or thought?",
		"question.request.encourage.setback.subject": "On %s: what have you held together or got right lately, however small?",
		"question.request.decide":                    "Now that you have my decision and the reason, what, if anything, concerns you about going ahead with it?",
		"question.decide.next":                       "What would make it easiest for you to move ahead with it?",
		"question.request.report":                    "Once you have walked me through your update: where would a hand help, or what is on your mind about it?",
		"question.request.none":                      "You wrote: \"%s\". Where would you like to start?",
		"question.topics":                            "You picked %s. What is on your mind there?",
		"question.norequest":                         "What would you like to start with today?",
		"question.norequest.since":                   "Since our last 1on1, what has been on your mind most?",
		"question.more.listen":                       "Is there anything else you'd like me to hear today?",
		"question.more.advise":                       "What matters most to you in how this turns out?",
		"question.more.think-together":               "What would a good outcome look like for you?",
		"question.more.encourage":                    "Looking back on it, which part are you proudest of?",
		"question.more.report":                       "Which part of this are you most pleased with?",
		"question.open":                              "Where are you with \"%s\"?",
		"question.open.overdue":                      "What has made \"%s\" hard to move forward, and what would help?",
		"question.open.topic":                        "How far have you got with %s?",
		"question.open.overdue.topic":                "What has made %s hard to move forward, and what would help?",
		"agenda.followup.member":                     "Ask {m}, without blame, how \"%s\" is going",
		"summary.recurring":                          "%s came up in %d recent 1on1s but is not on this one's list; if it still seems open, ask about it briefly at the end.",
		"agenda.close":                               "Agree on next steps: who does what by when, and the next date",
		"agenda.owntopic":                            "Your own topic, %s: once {m} has finished, ask before you raise it (\"Could we also talk a little about %s?\"); if today is not the day, say you will come back to it",
		"agenda.leftopen":                            "Ask whether {m} wants to come back to what they raised last time and there was no time for: \"%s\"",
		"agenda.leftopen.said":                       "Ask whether {m} wants to say more about what they only touched on last time: \"%s\"",
		"agenda.unasked":                             "Ask about what you did not get to last time: %s",
		"agenda.owntopic.said":                       "What you want to raise (\"%s\"): once {m} has finished, ask before you raise it (\"There's one thing from my side too; is now a good time?\"); if today is not the day, say you will come back to it",
		"watch.style.listen":                         "{m} asked you to listen. Hold back solutions and advice; reflect back and check your understanding.",
		"watch.style.advise":                         "{m} asked for advice. Hear the whole situation first, then give concrete options and your reasons.",
		"watch.style.think-together":                 "{m} asked to think it through together. Don't hand over answers; widen their thinking with questions.",
		"watch.style.encourage":                      "{m} asked for encouragement. Name specific actions and growth you have seen.",
		"watch.style.decide":                         "{m} asked you to decide. State the decision and your reasons clearly.",
		"watch.style.report":                         "{m} wants to report. After the report, ask one question about how they feel or what is in the way.",
		"watch.match":                                "In the 1on1s where {m} asked for \"%s\", their %d ratings say you only partly gave them that (a match of %.0f%%). Try consciously changing how you respond.",
		"watch.match.low":                            "In the 1on1s where {m} asked for \"%s\", their %d ratings say you mostly missed it (a match of %.0f%%). Try consciously changing how you respond.",
		"watch.match.since":                          "In the 1on1s where {m} asked for \"%s\", their %d ratings give a match of %.0f%%, but after the last one, where they asked for the same, they wrote \"%s\": keep to what you did then.",
		"watch.plan":                                 "This part of your plan goes against the guidance for {m}: \"%s\" %s",
		"watch.plan.why":                             "This part of your plan, \"%[1]s\", goes against the guidance for {m}, as %[2]s. %[3]s",
		"watch.plan.also":                            "Another concern with this plan: %s",
		"watch.plan.also.why":                        "Another concern with this plan, as %s. %s",
		"watch.plan.fits":                            "Your plan fits the guidance: \"%s\" %s",
		"watch.plan.fits.also":                       "Your plan fits on another count too. %s",
		"watch.plan.fits.why":                        "Your plan, \"%[1]s\", fits the guidance for {m}, as %[2]s. %[3]s",
		"watch.plan.fits.also.why":                   "It fits on another count too (%s). %s",
		"watch.plan.ok":                              "About your plan, \"%s\": nothing in the guidance speaks against it. Go ahead, keeping to what {m} asked for: %s.",
		"watch.plan.requested":                       "About your plan, \"%s\": it does what {m} asked of you, and nothing in the guidance speaks against it. Go ahead with it.",
		"watch.plan.asked":                           "About your plan, \"%s\": it gives {m} what they asked for (%s), and nothing in the guidance speaks against it. Go ahead with it.",
		"watch.plan.answers":                         "About your plan, \"%s\": it takes up what {m} wrote for this 1on1 (\"%s\"), and nothing in the guidance speaks against it. Go ahead with it.",
		"watch.plan.unread":                          "About your plan, \"%s\": check with {m} early that it fits what they asked for: %s.",
		"watch.plan.ok.nostyle":                      "About your plan, \"%s\": nothing in the guidance speaks against it. Ask how they see it before you go ahead.",
		"situation.asked":                            "this time they asked you to %s",
		"situation.condition-falling":                "their condition went %s",
		"situation.avoids-challenges":                "their requests or notes show them holding back from challenges",
		"situation.avoids-challenges.notes":          "your notes from %[2]d days ago say: \"%[1]s\"",
		"situation.avoids-challenges.wrote":          "before a 1on1 %[2]d days ago they wrote: \"%[1]s\"",
		"situation.new-member":                       "there is little history with them yet",
		"situation.request":                          "they wrote for this 1on1: \"%[1]s\"",
		"situation.manager-promise-open":             "your promise \"%s\" is still open",
		"situation.missed-since-last":                "%d 1on1s have already been missed since the last one",
		"situation.missed-since-last.one":            "a 1on1 has already been missed since the last one",
		"situation.miss":                             "they wrote after a 1on1 %d days ago: \"%s\"",
		"watch.reflection":                           "After the last 1on1 you wrote in your own reflection: \"%s\".",
		"watch.reflection.earlier":                   "After the 1on1 %d days ago you wrote in your own reflection: \"%s\".",
		"watch.reflection.resolved":                  " This 1on1 is the chance to do it.",
		"watch.reflection.owed":                      " Give them an update on it yourself, at the start.",
		"watch.reflection.noted":                     " Keep it in mind this time.",
		"watch.reflection.unsaid":                    " Bring up what was left unsaid early this time.",
		"watch.reflection.lesson":                    " Decide beforehand the one thing you will do differently this time.",
		"watch.reflection.worked":                    " It worked: keep to it this time.",
		"followup.item":                              "%s (owner: %s, agreed %d days ago%s)",
		"followup.item.today":                        "%s (owner: %s, agreed today%s)",
		"followup.due":                               ", due %s",
		"followup.overdue":                           ", overdue",
		"owner.manager":                              "you",
		"owner.member":                               "{m}",
		"member":                                     "the member",
		"style.listen":                               "just listen",
		"style.advise":                               "give advice",
		"style.think-together":                       "think it through together",
		"style.encourage":                            "encourage me",
		"style.decide":                               "make a decision",
		"style.report":                               "hear my report",
		"style.prose.listen":                         "to be listened to",
		"style.prose.advise":                         "advice",
		"style.prose.think-together":                 "to think it through together",
		"style.prose.encourage":                      "encouragement",
		"style.prose.decide":                         "a decision from you",
		"style.prose.report":                         "to report to you",
		"style.asked.listen":                         "just listen",
		"style.asked.advise":                         "give them your advice",
		"style.asked.think-together":                 "think it through together with them",
		"style.asked.encourage":                      "encourage them",
		"style.asked.decide":                         "make the call",
		"style.asked.report":                         "hear their report",
		"chat.intro":                                 "Here is what the guidance in the knowledge base says that seems relevant.",
		"chat.member":                                "About %s: %s",
		"reflect.style":                              "%s asked you to \"%s\". How closely did the way you responded match that?",
		"reflect.nostyle":                            "How do you think %s wanted you to respond this time? Could you ask them beforehand next time?",
		"reflect.actions":                            "For the actions you agreed (%d), is it clear who does what by when?",
		"reflect.noactions":                          "Did you agree on anything to do next? If not, was that intended?",
		"reflect.condition.down":                     "{m}'s condition fell from %d to %d. What did you learn about why? What haven't you asked yet?",
		"reflect.condition.up":                       "{m}'s condition rose from %d to %d. What do you think helped?",
		"reflect.open":                               "Did you follow up on the actions still open from before (%d)?",
		"reflect.match":                              "In the 1on1s where {m} asked you to \"%s\", their %d ratings say you only partly gave them that (a match of %.0f%%). What one thing would you change next time?",
		"reflect.match.low":                          "In the 1on1s where {m} asked you to \"%s\", their %d ratings say you mostly missed it (a match of %.0f%%). What one thing would you change next time?",
		"reflect.comment":                            "%s shared a comment: \"%s\". What will you take from it into the next 1on1?",
		"reflect.next":                               "A small step to try before the next 1on1: %s How will you put it into practice?",
		"reflect.talk":                               "In this 1on1, who spoke more, you or %s?",
		"reflect.advised":                            "{m} asked you to listen, and your notes record advice. Where did you switch to advising, and how do you think they took it?",
		"reflect.status":                             "Your notes for this 1on1 are mostly a progress report. Did you hear about them (how they feel, what is hard, what is next)? What will you ask next time?",
	},
}

// countOf1on1s is a small count before "1on1s": "3 1on1s" reads as one
// number, so it is spelled out.
var countOf1on1s = regexp.MustCompile(`\b([2-9]|10) (1on1s)\b`)

var smallNumbers = [...]string{2: "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

func spellCount(s string) string {
	return countOf1on1s.ReplaceAllStringFunc(s, func(m string) string {
		n, rest, _ := strings.Cut(m, " ")
		k, _ := strconv.Atoi(n)
		return smallNumbers[k] + " " + rest
	})
}

func msg(lang, key string, args ...any) string { return about(lang, person{}, key, args...) }

// about is msg for a line about the member: "{m}" in it is the manager's
// alias for them ("Check-in: ask how Member K is doing"), since a plan that
// only says "they" reads as a form. Without an alias it is "the member".
func about(lang string, who person, key string, args ...any) string {
	m, ok := messages[lang]
	if !ok {
		m = messages["ja"]
	}
	f, ok := m[key]
	if !ok {
		f = messages["ja"][key]
	}
	if lang == "en" {
		f = who.pron.apply(f)
	}
	if len(args) > 0 {
		f = closeQuotes.Replace(fmt.Sprintf(f, nestQuotes(f, args)...))
	}
	if lang == "en" {
		f = spellCount(f)
	}
	if !strings.Contains(f, "{m}") {
		return f
	}
	alias := who.alias
	if alias == "" {
		alias = m["member"]
	}
	return strings.ReplaceAll(f, "{m}", alias)
}

// nestQuotes turns the quotation marks inside an argument the format
// quotes into the inner kind: notes that say `He said: "I keep going back"`
// quoted whole read as two quotes spliced ("…said: "I keep…"…"), so the
// inner ones become 'I keep going back' and 『…』 inside 「…」.
func nestQuotes(format string, args []any) []any {
	out, cloned := args, false
	i := 0
	for j := 0; j < len(format); j++ {
		if format[j] != '%' {
			continue
		}
		j++
		if j >= len(format) || format[j] == '%' {
			continue
		}
		if i >= len(args) {
			break
		}
		s, ok := args[i].(string)
		before := format[:j-1]
		if ok && format[j] == 's' {
			var r *strings.Replacer
			switch {
			case strings.HasSuffix(before, `"`):
				r = innerEnglish
			case strings.HasSuffix(before, "「"):
				r = innerJapanese
			}
			if r != nil {
				if n := r.Replace(s); n != s {
					if !cloned {
						out, cloned = slices.Clone(args), true
					}
					out[i] = n
				}
			}
		}
		i++
	}
	return out
}

var (
	innerEnglish  = strings.NewReplacer(`"`, "'", "“", "‘", "”", "’")
	innerJapanese = strings.NewReplacer("「", "『", "」", "』")
)

// closeQuotes drops the full stop after a quote that already ends a
// sentence: "…the course.". reads as a slip; so does 「…した。」と.
var closeQuotes = strings.NewReplacer(`.".`, `."`, `?".`, `?"`, `!".`, `!"`, "。」。", "」。", "。」と", "」と")

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

// spokenTo is a manager's words about the member said to them: "the GIS
// e-learning he hasn't done" in a line the manager says to him is "the
// GIS e-learning you haven't done". "They" and "them" may be others and
// stay; a verb the pronoun does not agree with once turned ("he talks")
// leaves the words as written. Japanese rarely names the member by a
// pronoun and is left as written.
func spokenTo(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range thirdPerson.FindAllStringSubmatchIndex(s, -1) {
		f := strings.Fields(strings.ToLower(s[loc[0]:loc[1]]))
		rest := s[loc[0]+len(f[0]) : loc[1]] // the word after, as written
		var you string
		switch {
		case f[0] == "his" || f[0] == "her" && len(f) > 1 && !objectVerb.MatchString(s[:loc[0]]):
			you = "your" + rest
		case f[0] == "him" || f[0] == "her":
			you = "you" + rest
		case len(f) > 1:
			v, ok := agree[f[1]]
			if !ok && strings.HasSuffix(f[1], "s") {
				return s // "he talks": not said to them without rewording
			}
			if ok {
				rest = " " + v
			}
			you = "you" + rest
		default:
			you = "you"
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(you)
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

var (
	// thirdPerson is a pronoun for the member with the word after it,
	// which tells the verb to agree with and the possessive "her plan"
	// from the object "ask her".
	thirdPerson = regexp.MustCompile(`(?i)\b(?:he|she|his|him|her)\b(?:\s+([a-z][\w'-]*))?`)
	// objectVerb ends the words before an object "her" ("giving her
	// feedback").
	objectVerb = regexp.MustCompile(`(?i)\b(?:give|giving|gave|tell|telling|told|ask|asking|asked|help|helping|let|show|showing|send|sending|offer|offering|pay|owe|get|getting|want|make|making|thank|thanking|remind|reminding)\s+$`)
	agree      = map[string]string{"hasn't": "haven't", "has": "have", "doesn't": "don't", "does": "do", "isn't": "aren't", "is": "are",
		"wasn't": "weren't", "was": "were"}
)

// addressed says a member's own words back to them: "what my first three
// months should look like" asked of them is "what your first three months
// should look like". "I" agrees with its verb as "you" does, but for "I am"
// and "I was".
func addressed(s string) string {
	if strings.ContainsFunc(s, japanese) {
		return s
	}
	return firstPerson.ReplaceAllStringFunc(s, func(w string) string {
		out, ok := toYou[strings.ToLower(w)]
		if !ok {
			return w
		}
		return out
	})
}

var (
	firstPerson = regexp.MustCompile(`(?i)\b(?:i'm|i am|i was|i've|i'd|i'll|i|my|me|myself|mine)\b`)
	toYou       = map[string]string{"i'm": "you're", "i am": "you are", "i was": "you were", "i've": "you've", "i'd": "you'd", "i'll": "you'll",
		"i": "you", "my": "your", "me": "you", "myself": "yourself", "mine": "yours"}
)

// avoidance says a line the guidance lists to avoid as a watch-out: quoted
// bare it reads as an instruction, and behind a label ("Avoid: Letting…",
// 「避けたい言動：…」) as a pasted heading. "Letting the follow-up swallow
// the meeting" is "Avoid letting the follow-up swallow the meeting";
// 「気持ちを打ち消す。」 is 「気持ちを打ち消すのは避けましょう。」, with any
// explanation after the first sentence kept as written.
func avoidance(lang, line string) string {
	line = strings.TrimSpace(line)
	if lang != "ja" || !strings.ContainsFunc(line, japanese) {
		if first, _, _ := strings.Cut(line, " "); avoidsAlready.MatchString(first) {
			return line
		}
		return "Avoid " + lowerFirst(line)
	}
	ss := wholeSentences(knowledge.Sentences(line))
	if len(ss) == 0 {
		return line
	}
	head, rest := strings.TrimRight(ss[0], "、。 "), joinSentences(ss[1:])
	paren := ""
	if m := trailingParen.FindStringIndex(head); m != nil && m[0] > 0 {
		head, paren = strings.TrimRight(head[:m[0]], "、 "), head[m[0]:]
	}
	out := head + avoidSuffix(head, "は") + paren + "。"
	// 「結論だけ伝える。あるいは、結果をメンバーのせいにする。」 lists a
	// second thing to avoid: said as such, not left as a bare instruction.
	if len(ss) > 1 {
		if or := orLead.FindString(ss[1]); or != "" {
			second := strings.TrimRight(strings.TrimPrefix(ss[1], or), "、。 ")
			return out + second + avoidSuffix(second, "も") + "。" + joinSentences(ss[2:])
		}
	}
	return out + rest
}

// avoidSuffix says to avoid what head does: 「…伝えるのは避けましょう」,
// 「…の発言は避けましょう」; particle is は, or も for a second one.
func avoidSuffix(head, particle string) string {
	last, _ := utf8.DecodeLastRuneInString(head)
	if strings.ContainsRune("うくぐすつぬぶむるい", last) && !strings.HasSuffix(head, "こと") {
		return "の" + particle + "避けましょう"
	}
	return particle + "避けましょう"
}

// orLead opens a sentence that goes on listing what to avoid.
var orLead = regexp.MustCompile(`^(?:あるいは|または|もしくは|それか)、?`)

var (
	// avoidsAlready starts a line that already says what not to do.
	avoidsAlready = regexp.MustCompile(`^(?i:avoid|don't|do|never|stop|steer)$`)
	// trailingParen is an aside that closes a sentence: 「伝える（人事への相談は別です）」.
	trailingParen = regexp.MustCompile(`(?:（[^（）]*）|\([^()]*\))$`)
)

// lowerFirst lowercases the first letter of a line going on after a word
// ("Letting…" after "Avoid"), unless its first word is "I" or an acronym.
func lowerFirst(s string) string {
	first, _, _ := strings.Cut(s, " ")
	r, n := utf8.DecodeRuneInString(first)
	next, _ := utf8.DecodeRuneInString(first[n:])
	if first == "I" || strings.HasPrefix(first, "I'") || unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
