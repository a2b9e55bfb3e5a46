package anonymize

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
)

// Where only a person fits, a word is a name whatever else it could be:
// what the dictionary and the name lists miss (フォンさん, 夫の翔が,
// 担当：関, Markさん) the place it stands in gives away.

var (
	// A Latin name before a Japanese honorific: Markさん, Faith 様.
	latinHonorific = regexp.MustCompile(`(?:^|[^A-Za-z0-9@._/-])(\p{Lu}\p{Ll}+(?:[ -]\p{Lu}\p{Ll}+)?)\s?(?:さん|様|氏|くん|ちゃん|先生|先輩)`)
	// A relation, の, then a name and a particle: 夫の翔が, 子どもの陽菜が,
	// 同期の遥と.
	relationName = regexp.MustCompile(`(?:夫|妻|嫁|旦那|主人|息子|娘|子ども|子供|長男|長女|次男|次女|兄|姉|弟|妹|父|母|彼氏|彼女|同期|後輩|先輩|上司|部下|友人|友達|相方|婚約者|パートナー)の([\p{Han}々]{1,3}|[\p{Katakana}ー]{2,8})(?:が|は|と|に|を|も|の|、|。|\(|（)`)
	// A role at work, の (or ・), then a surname and a particle: 新リーダーの
	// 千葉と, 人事の川口へ, 経理・香川から. Place names stand here as
	// surnames, so a surname list decides, not the dictionary.
	roleName = regexp.MustCompile(`(?:リーダー|マネージャー|マネジャー|上長|同僚|担当者?|人事|経理|総務|法務|労務|財務|広報|営業|開発|情シス|部長|課長|係長|主任|室長|店長|所長|支店長|先方|顧客|取引先)(?:の|・)([\p{Han}々]{2,3})(?:が|は|と|に|へ|を|も|から|さん|、|。|）|\)|$)`)
	// Whose id or contact it is, in parentheses: 従業員ID 00123（岡部）.
	contactOwner = regexp.MustCompile(`(?:\[(?:社員番号|ID|メール|電話|EMAIL|PHONE)\d+\]|\d{3,}|@[\w.-]+\.[a-z]{2,})\s?[（(]([\p{Han}々]{1,4}|[\p{Katakana}ー]{2,8})(?:さん)?[）)]`)
	// A nickname in っち: りさっちが, ゆうっち.
	nicknameJa = regexp.MustCompile(`(?:^|[^\p{Hiragana}])([\p{Hiragana}]{1,2}[^\P{Hiragana}こあそどぼばがぐう]っち)(?:ゃん)?(?:が|は|と|に|の|も|へ|から|、|。|！|!|\s|$)`)
	// Who does a task: 担当：関, （リン担当）, 担当は亮.
	ownerLabel  = regexp.MustCompile(`担当(?:[：:]|は)\s*([\p{Han}々]{1,4}|[\p{Katakana}ー]{2,8})(?:[）)、。,\s]|さん|$)`)
	ownerParens = regexp.MustCompile(`[（(]([\p{Han}々]{1,4}|[\p{Katakana}ー]{2,8})(?:さん)?担当[）)]`)
	// A surname naming a team, a deal or an account: 山口チーム, 佐藤案件,
	// 田中名義.
	surnameOf = regexp.MustCompile(`(?:^|[^\p{Han}々])([\p{Han}々]{2,3})(?:さん)?(?:チーム|班|案件|名義|一家|家族|さんとこ)`)
	// A family named in katakana: クマール一家, グエンさん一家.
	familyOf = regexp.MustCompile(`([\p{Katakana}ー]{2,8})(?:さん)?(?:一家|家族|ファミリー)`)
	// Signing in at the start of a message: ゆいです, はるかです🙏.
	selfIntro = regexp.MustCompile(`^(?:(?:お疲れ様です|お疲れさまです|おつかれさまです|こんにちは|おはようございます|こんばんは|すみません)[、。！!\s]*)?([\p{Hiragana}]{2,4}|[\p{Katakana}ー]{2,8})です(?:[。！!、\s]|\p{So}|$)`)
	// Signing in, in lower case: "hey it's taku", "hi! daisuke here".
	selfIntroLatin = regexp.MustCompile(`\b(?i:it's|it’s|this is)\s+(\p{Ll}{3,12})\b`)
	hereLatin      = regexp.MustCompile(`^(?i:(?:hi|hey|hello|yo)[!,.]?\s+)?(\p{Ll}{3,12})\s+here\b`)
	// A name with its other name in parentheses: アルジュン（[人物1]）.
	nameWithAlias = regexp.MustCompile(`(\p{Lu}\p{Ll}+|[\p{Katakana}ー]{2,}(?:・[\p{Katakana}ー]{2,})*|[\p{Han}々]{1,4})[（(]\[(?:人物|PERSON|Person)\d+\][）)]`)
)

// katakanaRoles stand before さん without being names.
var katakanaRoles = setOf("オーナー", "スタッフ", "ドライバー", "パート", "バイト", "アルバイト", "ママ", "パパ", "リーダー",
	"メンバー", "ゲスト", "ユーザー", "クライアント", "ベンダー", "デザイナー", "エンジニア", "カメラマン", "コンサル",
	"ナース", "ドクター", "シェフ", "オペレーター", "トレーナー", "コーチ", "ベテラン", "インターン", "アシスタント",
	"マネージャー", "マネジャー", "チーフ", "ヘルパー", "ケアマネ", "ケアマネージャー", "ライター", "エディター",
	"プロ", "オペ", "サポート", "パートナー", "キャスト", "クルー", "セラピスト", "ホスト", "ショップ", "メーカー",
	"ディレクター", "プロデューサー", "プランナー", "テスター", "ユーザ", "オペレータ", "ドライバ", "ファン", "モデル",
	"プレイヤー", "プレーヤー", "メンター", "スペシャリスト", "ジェネラリスト", "エキスパート", "サブリーダー", "リーダー候補",
	"ボランティア", "コーディネーター", "ケアワーカー", "カウンセラー", "インストラクター",
	"ヘルプ", "サポーター", "ガイド", "フロント", "コンシェルジュ", "バリスタ", "ソムリエ", "ハウスキーパー", "シッター", "ベビーシッター",
	"リクルーター", "アナリスト", "コンサルタント", "プログラマー", "レジ", "キッチン", "ホール")

// personalHonorifics follow a person, never a job title or a thing.
var personalHonorifics = setOf("さん", "さま", "様", "くん", "ちゃん", "氏", "先生", "先輩")

// contextRule is a place only a person fits (its regexp's first group)
// and what a word standing there must be to be taken for a name.
type contextRule struct {
	re *regexp.Regexp
	ok func(r *Redactor, raw string, a, b int) bool
}

var contextRules = []contextRule{
	{latinHonorific, func(*Redactor, string, int, int) bool { return true }},
	// After a relation a common noun stands as often as a name (夫の実家,
	// 上司の指示): only what the dictionary reads as no ordinary word.
	{relationName, func(r *Redactor, raw string, a, b int) bool {
		w := raw[a:b]
		return !notNames[w] && !katakanaRoles[w] && r.unknownOrName(w)
	}},
	{roleName, func(r *Redactor, raw string, a, b int) bool {
		return r.book.anySurname[raw[a:b]] && !notNames[raw[a:b]]
	}},
	{nicknameJa, func(*Redactor, string, int, int) bool { return true }},
	// After an id the parentheses hold a relation as often (妻, 配偶者分):
	// a surname or what the dictionary reads as a name only.
	{contactOwner, func(r *Redactor, raw string, a, b int) bool {
		w := raw[a:b]
		return !notNames[w] && (r.book.anySurname[w] || r.unknownOrName(w) && utf8.RuneCountInString(w) > 1)
	}},
	{ownerLabel, inContext},
	{ownerParens, inContext},
	{nameWithAlias, inContext},
	{familyOf, func(_ *Redactor, raw string, a, b int) bool { return !katakanaRoles[raw[a:b]] && standsAlone(raw, a) }},
	{surnameOf, func(r *Redactor, raw string, a, b int) bool {
		return r.book.anySurname[raw[a:b]] || r.readAs(raw[a:b]) == readPerson
	}},
	{selfIntroLatin, latinSelfIntro},
	{hereLatin, latinSelfIntro},
}

func inContext(r *Redactor, raw string, a, b int) bool {
	return r.nameInContext(raw[a:b]) && standsAlone(raw, a)
}

// latinSelfIntro: "it's taku", "daisuke here" name themselves when the
// word is a romaji name or an unambiguous given name.
func latinSelfIntro(r *Redactor, raw string, a, b int) bool {
	w := raw[a:b]
	name := strings.ToUpper(w[:1]) + w[1:]
	return r.book.romaji[foldVowels(w)] || givenNames[name] && !ambiguous[name]
}

// contextNames finds names by the place they stand in.
func (r *Redactor) contextNames(raw string) []span {
	var out []span
	for _, rule := range contextRules {
		for _, m := range rule.re.FindAllStringSubmatchIndex(raw, -1) {
			if rule.ok(r, raw, m[2], m[3]) {
				out = append(out, span{m[2], m[3], Person})
			}
		}
	}
	if m := selfIntro.FindStringSubmatchIndex(raw); m != nil {
		if name := raw[m[2]:m[3]]; isKatakana(name) && !katakanaRoles[name] || r.book.all[name] {
			out = append(out, span{m[2], m[3], Person})
		}
	}
	return out
}

// nameInContext reports whether w, standing where a person fits, is taken
// for one: not a role (スタッフ), nor a word of more than one dictionary
// word (営業部), nor a kana word that is no name.
func (r *Redactor) nameInContext(w string) bool {
	switch {
	case notNames[w] || katakanaRoles[w]:
		return false
	case utf8.RuneCountInString(w) == 1:
		return true // 関, 翔: one kanji where a person stands is a name
	case unicode.Is(unicode.Latin, []rune(w)[0]):
		return !neverName[w] && !englishWords[strings.ToLower(w)] || givenName(w) || ambiguous[w]
	}
	// One ordinary word is a name here only if it is a surname too
	// (清水, 宮内; not 営業, 経理).
	return r.readAs(w) != readWord || r.book.anySurname[w] && len(r.tok.Analyze(w, tokenizer.Normal)) == 1
}

// unknownOrName reports whether the dictionary reads w as a name, or as
// no word it knows: a kanji given name of two at most (陽菜), a foreign
// name in katakana (チアゴ); not 面倒見 nor マイナンバー.
func (r *Redactor) unknownOrName(w string) bool {
	switch k := r.readAs(w); {
	case k == readPerson:
		return true
	case isKatakana(w):
		return !slices.ContainsFunc(r.tok.Analyze(w, tokenizer.Normal), func(t tokenizer.Token) bool {
			return t.Class == tokenizer.KNOWN && utf8.RuneCountInString(t.Surface) >= 2
		})
	default:
		return k == readUnknown && utf8.RuneCountInString(w) <= 2
	}
}

// standsAlone reports whether the run starting at raw[a:] is not the tail
// of a longer run of its script (新田中, ハタナカ).
func standsAlone(raw string, a int) bool {
	if a == 0 {
		return true
	}
	first, _ := utf8.DecodeRuneInString(raw[a:])
	prev, _ := utf8.DecodeLastRuneInString(raw[:a])
	for _, t := range []*unicode.RangeTable{unicode.Han, unicode.Katakana, unicode.Latin} {
		if unicode.Is(t, first) && unicode.Is(t, prev) {
			return false
		}
	}
	return true
}

var (
	// A name right before a parenthesis: オブライエン（…, Rose (…, 王（….
	nameBeforeParen = regexp.MustCompile(`(\p{Lu}[\p{L}'’]+|[\p{Katakana}ー]{2,}(?:・[\p{Katakana}ー]+)*|[\p{Han}々]{1,4})\s?[（(]$`)
	// Another name in a parenthesis: （O'Brien）, （王 莉）.
	parenLatin = regexp.MustCompile(`^[（(](\p{Lu}[\p{L}'’]+(?:-\p{Lu}[\p{L}'’]+)?(?:\s\p{Lu}[\p{L}'’]+(?:-\p{Lu}[\p{L}'’]+)?)?)(?:-(?:san|sama|kun|chan|sensei))?[）)]`)
	parenHan   = regexp.MustCompile(`^[（(]([\p{Han}]{1,2}\s?[\p{Han}]{1,2})[）)]`)
)

// aliases are the other names of a name found: one written before it in
// parentheses' place (オブライエン（O'Brien）さん: the katakana and the
// Latin are one person), or in parentheses after it ([人物1]（王 莉）).
func (r *Redactor) aliases(raw string, found []span) []span {
	var out []span
	for _, p := range found {
		if p.kind != Person {
			continue
		}
		// Both names and the parentheses are one span, so one person
		// keeps one placeholder: オブライエン（O'Brien）さん -> [人物1]さん.
		if close := closingParen(raw[p.end:]); close > 0 {
			if m := nameBeforeParen.FindStringSubmatchIndex(raw[:p.start]); m != nil && standsAlone(raw, m[2]) &&
				!katakanaRoles[raw[m[2]:m[3]]] && r.nameInContext(raw[m[2]:m[3]]) {
				out = append(out, span{m[2], p.end + close, Person})
			}
		}
		if honorificAt(raw[p.end:]) > 0 {
			continue // [人物1]さん（営業部）: what follows is about the person
		}
		if m := parenLatin.FindStringSubmatchIndex(raw[p.end:]); m != nil && r.nameInContext(raw[p.end+m[2]:p.end+m[3]]) {
			out = append(out, span{p.start, p.end + m[1], Person})
		} else if m := parenHan.FindStringSubmatchIndex(raw[p.end:]); m != nil {
			// Kanji in parentheses are a department or a trade more often
			// (林（型枠）): a name only when spaced or read as one.
			if w := raw[p.end+m[2] : p.end+m[3]]; strings.Contains(w, " ") && r.readAs(strings.ReplaceAll(w, " ", "")) != readWord ||
				r.readAs(w) == readPerson {
				out = append(out, span{p.start, p.end + m[1], Person})
			}
		}
	}
	return out
}

// closingParen is the length of the closing parenthesis s starts with, 0
// if none.
func closingParen(s string) int {
	for _, c := range []string{"）", ")"} {
		if strings.HasPrefix(s, c) {
			return len(c)
		}
	}
	return 0
}
