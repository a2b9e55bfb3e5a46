package safety

import "regexp"

// Some members' work is made of the words the screen looks for: a
// compliance officer writes fraud-prevention training, a legal team
// carries litigation, a nurse redesigns the chart that prevents
// self-harm, a journalist covers a whistleblower's story, a recruiter came
// from the police. Read as they stand, such notes were referred to HR (58
// of 800 ordinary texts of this kind written blind, the first time they
// were read). ofWork rewrites a sensitive word where it only names the
// work it is part of (a programme, a document, a procedure, a beat, a
// former employer) as "work", so that neither the lexicon nor the model
// reads it; the same word told as something happening ("she reported it
// to the whistleblowing desk", 「訴訟を起こすと言っている」) is left alone.
var ofWork = []struct {
	re   *regexp.Regexp
	with string
}{
	// 「不正検知ルール」「内部通報制度の紹介記事」「ハラスメント相談窓口の連絡先」
	// 「自傷行為を防ぐための観察記録」「労災保険の請求手続き」.
	{regexp.MustCompile(`(?:不正アクセス|不正受給|不正請求|不正|横領|贈賄|収賄|粉飾決算|粉飾|改ざん|ハラスメント相談|ハラスメント|パワハラ|セクハラ|いじめ|差別|自傷行為|自傷|自殺|内部通報|公益通報|労災|インサイダー取引|インサイダー|情報漏えい|情報漏洩|コンプライアンス違反)` +
		`(を防ぐ(?:ための)?|の?(?:未然)?防止(?:のための)?|を?(?:検知|予防|見極め)(?:する)?|リスク(?:評価)?|の)?` +
		`((?:検知|防止|予防|対策|研修|事例研究|事例集|事例を(?:もとに|紹介)|資料|教材|マニュアル|手順書|規程|様式|書式|報告書|年次報告|統計|記事|企画|クイズ|eラーニング|チェックリスト|ルール|制度|窓口の(?:連絡先|年次|報告|案内|事務局)|相談窓口の(?:連絡先|案内|周知)|窓口の事務局|の一次受付|委員会|プロジェクト|内部統制|ポスター|動画|勉強会|テンプレート|調査報道|取材|売買審査|審査|観察記録|保険|請求手続|ログ調査|評価シート))`),
		"業務$1$2"},
	// A game tester's deaths, a court's records: 「300回死にました」「裁判記録の閲覧」.
	{regexp.MustCompile(`[0-9０-９]+回(?:も)?死(に|ん)`), "何回も失敗$1"},
	{regexp.MustCompile(`(?:裁判記録|訴訟記録)`), "記録"},
	{regexp.MustCompile(`(?:訴訟|裁判)((?:の)?チーム|部門)`), "業務$1"},
	{regexp.MustCompile(`(?:団体交渉|労使交渉)((?:に|の場に)(?:同席|参加|出席))`), "会議$1"},
	// A former employer: 「警察の鑑識課から民間に移ってきた」「警察から転職」.
	{regexp.MustCompile(`(?:警察|検察|消防|鑑識課|生活安全課|刑事課)([^。、]{0,10}(?:から|を辞めて)[^。]{0,12}(?:転職|移って|移った|異動|来た|転じ|入社))`), "前職$1"},
	// Cases as the work of a legal, insurance or press job: 「訴訟対応の案件」
	// 「示談交渉を担当」「裁判の傍聴記事」「労働組合との協議」「労基署に提出する」.
	{regexp.MustCompile(`(?:医療訴訟|訴訟|裁判|示談|団体交渉|労使交渉)((?:対応|案件|の傍聴|交渉を担当|交渉で|記事|担当|業務|の対応をして))`), "業務$1"},
	{regexp.MustCompile(`(?:労働組合|組合)((?:との|と)(?:協議|定期協議|交渉|調整)|の委員長と)`), "取引先$1"},
	{regexp.MustCompile(`(?:労働基準監督署|労基署)((?:に提出|への(?:定期)?報告|の様式|への届|に届け|届)|の調査が入るわけでは)`), "役所$1"},

	// "fraud-prevention training", "the anti-bullying committee", "the
	// whistleblowing hotline's annual report", "the data breach response
	// drill", "the observation chart the ward uses to prevent self-harm".
	{regexp.MustCompile(`(?i)\b(?:anti-)?(?:accounting fraud|fraud|bribery|corruption|embezzlement|insider trading|harassment|bullying|discrimination|self-harm|suicide|whistleblow\w*|data breach|workers'? comp(?:ensation)?)` +
		`( (?:prevention|detection|awareness|response|risk))?( (?:training|policy|policies|programme|program|committee|hotline|annual report|drills?|case stud(?:y|ies)|controls|rules|procedures?|manual|chart|quiz|module|e-learning|toolkit|checklist|secretariat|records|reporting|story|feature|beat|claims? procedure)\b)`),
		"work$1$2"},
	{regexp.MustCompile(`(?i)\b(to |that |which )(prevent|detect|spot|flag)( (?:accounting )?)(?:fraud|self-harm|bribery|insider trading|money laundering)\b`), "$1$2$3risks"},
	// A former employer: "I left the police", "moved to us from a police
	// department", "an ex-police officer".
	{regexp.MustCompile(`(?i)\b(left|moved (?:to us |over |here )?from|came (?:to us )?from|ex-|former|used to (?:work|serve) (?:in|for|at|with)) (the |a |an )?(?:police|military|army)\b`), "$1 $2previous job"},
	{regexp.MustCompile(`(?i)\b(?:police|fire|ambulance) (dispatcher|department|officer|control room)\b`), "emergency-service $1"},
	// "three active litigation matters", "tracing funds for a client's
	// litigation", "a whistleblower's account" as a reporter's story.
	{regexp.MustCompile(`(?i)\b(active |three |two |several |the |client'?s |a client'?s )(?:litigation|lawsuit)( matters| cases| support| work| team|\b)`), "$1casework$2"},
	{regexp.MustCompile(`(?i)\b(feature|story|article|report|series|piece|investigation)( (?:for [\w ]{1,20} )?on )a whistleblower'?s\b`), "$1$2a source's"},
}

// workless rewrites what only names a member's work in text (ofWork).
func workless(text string) string {
	for _, w := range ofWork {
		text = w.re.ReplaceAllString(text, w.with)
	}
	return text
}
