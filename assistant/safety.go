package assistant

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/width"

	"github.com/taiwa-coach/taiwa/assistant/history"
)

// Sensitive matters the coach does not coach on: it tells the manager to
// involve the right people instead.
const (
	SensitiveHarassment     = "harassment"
	SensitiveDiscrimination = "discrimination"
	SensitiveCrisis         = "crisis" // self-harm, suicide, a mental-health crisis
	SensitiveLegal          = "legal"
)

// sensitivePatterns are matched on text folded to half-width lower case.
// They aim at recall: a false alarm costs the manager a referral note,
// a miss costs far more.
var sensitivePatterns = []struct {
	kind string
	re   *regexp.Regexp
}{
	{SensitiveHarassment, regexp.MustCompile(`ハラスメント|パワハラ|セクハラ|モラハラ|マタハラ|パタハラ|カスハラ|いじめ|嫌がらせ|怒鳴ら|暴言|暴力を|殴ら|` +
		`harass|bully|bullied|bullying|sexual (?:advance|comment|misconduct)|groped|hostile work`)},
	{SensitiveDiscrimination, regexp.MustCompile(`差別|性別を理由|国籍を理由|年齢を理由|障害を理由|妊娠を理由|人種|` +
		`discriminat|racis[mt]|sexis[mt]|because (?:she|he|they) (?:is|are) (?:pregnant|gay|disabled|foreign|old)`)},
	{SensitiveCrisis, regexp.MustCompile(`死にたい|消えたい|自殺|自死|自傷|希死念慮|リストカット|生きていたくない|生きるのがつらい|命を絶|` +
		`うつ病|鬱病|パニック発作|精神的に限界|心が壊れ|休職を考|` +
		`suicid|kill (?:myself|himself|herself|themselves)|self[- ]harm|hurt (?:myself|himself|herself|themselves)|` +
		`end (?:my|his|her|their) life|want(?:s|ed)? to die|panic attack|breakdown|severe(?:ly)? depress|clinical depression`)},
	{SensitiveLegal, regexp.MustCompile(`訴訟|訴え(?:る|たい|られ)|弁護士|労基署|労働基準監督署|不当解雇|裁判|内部通報|公益通報|労働審判|残業代の未払|` +
		`lawsuit|\bsue\b|\bsuing\b|attorney|lawyer|legal action|unfair dismissal|wrongful (?:termination|dismissal)|whistleblow|tribunal`)},
}

// sensitiveIn returns the sensitive matters texts touch, in a fixed order.
func sensitiveIn(texts ...string) []string {
	var joined strings.Builder
	for _, t := range texts {
		joined.WriteString(strings.ToLower(width.Fold.String(t)))
		joined.WriteByte('\n')
	}
	s := joined.String()
	var out []string
	for _, p := range sensitivePatterns {
		if p.re.MatchString(s) {
			out = append(out, p.kind)
		}
	}
	return out
}

// Contact is someone a manager should involve: set by the organization's
// admins.
type Contact struct {
	Kind   string `json:"kind"` // hr, health, hotline, legal, other
	Name   string `json:"name"`
	Detail string `json:"detail"` // phone, mail address, intranet page, hours
}

var contactKinds = []string{"hr", "health", "hotline", "legal", "other"}

// Referral is what an answer says instead of coaching on a sensitive
// matter.
type Referral struct {
	Topics   []string  `json:"topics"`
	Message  string    `json:"message"`
	Contacts []Contact `json:"contacts"`
}

func referral(lang string, topics []string, contacts []Contact) *Referral {
	var names []string
	for _, t := range topics {
		names = append(names, msg(lang, "sensitive."+t))
	}
	m := msg(lang, "referral", strings.Join(names, msg(lang, "list.sep")))
	if len(contacts) == 0 {
		m += " " + msg(lang, "referral.nocontacts")
	}
	return &Referral{Topics: topics, Message: m, Contacts: nonNil(contacts)}
}

// Contacts returns the organization's contacts.
func Contacts(ctx context.Context, tx pgx.Tx) ([]Contact, error) {
	rows, _ := tx.Query(ctx, `SELECT kind, name, detail FROM org_contacts ORDER BY position`)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Contact])
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	return nonNil(cs), nil
}

// SetContacts replaces the organization's contacts.
func SetContacts(ctx context.Context, tx pgx.Tx, c Caller, cs []Contact) ([]Contact, error) {
	if len(cs) > 20 {
		return nil, fmt.Errorf("%w: at most 20 contacts", ErrInvalid)
	}
	for _, ct := range cs {
		if !slices.Contains(contactKinds, ct.Kind) {
			return nil, fmt.Errorf("%w: contact kind %q is not one of %s", ErrInvalid, ct.Kind, strings.Join(contactKinds, ", "))
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(ct.Name)); n == 0 || n > 200 || utf8.RuneCountInString(ct.Detail) > 500 {
			return nil, fmt.Errorf("%w: a contact needs a name (up to 200 characters) and at most 500 characters of detail", ErrInvalid)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM org_contacts WHERE org_id = $1`, c.OrgID); err != nil {
		return nil, fmt.Errorf("set contacts: %w", err)
	}
	for i, ct := range cs {
		_, err := tx.Exec(ctx, `INSERT INTO org_contacts (org_id, position, kind, name, detail) VALUES ($1, $2, $3, $4, $5)`,
			c.OrgID, i, ct.Kind, strings.TrimSpace(ct.Name), strings.TrimSpace(ct.Detail))
		if err != nil {
			return nil, fmt.Errorf("set contacts: %w", err)
		}
	}
	return Contacts(ctx, tx)
}

// planRule is a plan a manager may state that guidance warns against in a
// member's situation: when the manager's words match plan and the member's
// situation matches, the coach looks for guidance on topic (its
// what-to-avoid section first) and cites it in a watch-out.
type planRule struct {
	name      string
	plan      *regexp.Regexp
	situation func(s *history.Signals) bool
	topic     string
	query     map[string]string
}

// statesPlan finds a manager talking about what they will do.
var statesPlan = regexp.MustCompile(`つもり|予定|しようと思|させよう|させる|させたい|する(?:こと)?にし|言うつもり|伝えよう|` +
	`i'?ll\b|i will\b|i'?m going to|i am going to|i plan to|i intend to|i want to|going to (?:push|tell|make)`)

func requested(s *history.Signals, topic string) bool {
	if s == nil {
		return false
	}
	if s.Next != nil && slices.Contains(s.Next.Topics, topic) {
		return true
	}
	for _, t := range s.RecurringTopics {
		if t.Topic == topic {
			return true
		}
	}
	return false
}

func wantsStyle(s *history.Signals, style string) bool {
	return s != nil && s.Next != nil && s.Next.Style != nil && *s.Next.Style == style
}

var planRules = []planRule{{
	name: "pressure on a member who avoids challenges",
	plan: regexp.MustCompile(`もっと厳しく|厳しく言|追い込|発破|プレッシャー|ハッパ|背中を押|ストレッチ|高い目標|もっと頑張|手を挙げさせ|` +
		`push (?:\w+ )?(?:harder|more)|put (?:more )?pressure|pressure (?:him|her|them)|stretch goal|be tougher|tough love|step up|raise the bar`),
	situation: func(s *history.Signals) bool { return requested(s, "challenge") || notesMention(s, challengeWords) },
	topic:     "challenge",
	query:     map[string]string{"ja": "挑戦を避ける メンバー 避けたい言動", "en": "member avoids challenges what to avoid"},
}, {
	name: "advice for a member who asked to be listened to",
	plan: regexp.MustCompile(`アドバイス|助言|指摘|教えて(?:あげ|や)|解決策を|答えを|正解を|指導|` +
		`advice|advise|tell (?:him|her|them) (?:what|how)|give (?:him|her|them) (?:the )?(?:answer|solution)|fix it for|correct (?:him|her|them)`),
	situation: func(s *history.Signals) bool { return wantsStyle(s, "listen") },
	topic:     "listening",
	query:     map[string]string{"ja": "話を聴いてほしい 助言を控える 避けたい言動", "en": "just listen hold back advice what to avoid"},
}, {
	name: "more load on a member whose condition is falling",
	plan: regexp.MustCompile(`任せ(?:る|よう|たい)|増やす|追加で|もっと(?:仕事|案件)|締め切りを前倒|残業|` +
		`more work|more on (?:his|her|their) plate|another project|extra work|overtime|tighter deadline|take on more`),
	situation: func(s *history.Signals) bool {
		return s != nil && (s.Condition.Change == "down" || (s.Condition.Latest != nil && *s.Condition.Latest <= 2))
	},
	topic: "wellbeing",
	query: map[string]string{"ja": "コンディション 低下 疲れ 負荷 避けたい言動", "en": "condition falling tired workload what to avoid"},
}, {
	name: "evaluation in the 1on1",
	plan: regexp.MustCompile(`評価を伝え|査定|評定|ボーナス|昇給|人事評価|` +
		`performance rating|appraisal|bonus|pay raise|salary|rating (?:him|her|them)`),
	situation: func(s *history.Signals) bool { return s != nil },
	topic:     "evaluation",
	query:     map[string]string{"ja": "1on1 評価 切り分け 避けたい言動", "en": "separate evaluation from 1on1 what to avoid"},
}}

var challengeWords = regexp.MustCompile(`挑戦|チャレンジ|新しい(?:仕事|役割|案件)|手を挙げ|尻込み|避け|challenge|stretch|new role|hesitat|avoid`)

func notesMention(s *history.Signals, re *regexp.Regexp) bool {
	if s == nil {
		return false
	}
	texts := []string{}
	if s.Next != nil {
		texts = append(texts, s.Next.Request, s.Next.Notes)
	}
	for _, b := range s.LastSessions {
		texts = append(texts, b.Request, b.Notes)
	}
	return re.MatchString(strings.ToLower(strings.Join(texts, "\n")))
}

// planConflicts returns the rules the manager's stated plan runs into for
// this member.
func planConflicts(question string, s *history.Signals) []planRule {
	q := strings.ToLower(width.Fold.String(question))
	if !statesPlan.MatchString(q) {
		return nil
	}
	var out []planRule
	for _, r := range planRules {
		if r.plan.MatchString(q) && r.situation(s) {
			out = append(out, r)
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
