// i18n.js: Japanese by default, English on request. Modules add their own
// messages with addMessages; t() falls back to Japanese, then to the key.
const messages = { ja: {}, en: {} };
let lang = localStorage.getItem('taiwa.lang') === 'en' ? 'en' : 'ja';

export function addMessages(dict) {
  for (const l of Object.keys(dict)) Object.assign(messages[l] || (messages[l] = {}), dict[l]);
}

export function t(key, ...args) {
  let s = (messages[lang] && messages[lang][key]) ?? messages.ja[key] ?? key;
  args.forEach((a, i) => {
    s = s.replaceAll(`{${i}}`, String(a));
  });
  return s;
}

export function getLang() {
  return lang;
}

// setLang switches the language; persist keeps the choice for the signed-in
// app (a member's page does not touch the manager's setting).
export function setLang(l, persist = true) {
  lang = l === 'en' ? 'en' : 'ja';
  if (persist) localStorage.setItem('taiwa.lang', lang);
  document.documentElement.lang = lang;
}

addMessages({
  ja: {
    'app.name': 'Taiwa 対話',
    'app.tagline': '1on1のためのコーチ',
    'nav.members': 'メンバー',
    'nav.chat': 'コーチと話す',
    'nav.guidance': 'ガイダンス',
    'nav.try': '検索を試す',
    'nav.gaps': '不足しているガイダンス',
    'nav.org': '組織の設定',
    'nav.signout': 'サインアウト',
    'nav.lang': 'English',
    'nav.main': 'メインメニュー',
    'error.network': 'サーバーに接続できませんでした。ネットワークを確認して、もう一度お試しください。',
    'error.unauthenticated': 'サインインが必要です。もう一度サインインしてください。',
    'error.forbidden': 'この操作を行う権限がありません。',
    'error.not_found': '見つかりませんでした。削除されたか、アクセスできない項目です。',
    'error.gone': 'このリンクはもう使えません。',
    'error.unavailable': '一時的に利用できません。少し待ってから、もう一度お試しください。',
    'error.server': '予期しないエラーが発生しました。時間をおいてもう一度お試しください。',
    'signin.title': 'サインイン',
    'signin.token': 'APIトークン',
    'signin.hint': '管理者から受け取った taiwa_ で始まるトークンを貼り付けてください。サインイン後はブラウザのセッションとして12時間有効です。',
    'signin.submit': 'サインイン',
    'common.save': '保存',
    'common.cancel': 'キャンセル',
    'common.delete': '削除',
    'common.loading': '読み込み中…',
    'common.saved': '保存しました。',
    'common.sep': '、',
    'common.copy': 'コピー',
    'common.copied': 'コピーしました。',
    'common.close': '閉じる',
    'common.more': 'さらに表示',
    'common.none': 'まだありません。',
    'common.offline': 'オフラインモード',
    'common.helpful': '役に立った',
    'common.unhelpful': '役に立たなかった',
    'common.thanks': 'フィードバックをありがとうございます。',
  },
  en: {
    'app.name': 'Taiwa',
    'app.tagline': 'A coach for your 1on1s',
    'nav.members': 'Members',
    'nav.chat': 'Talk with the coach',
    'nav.guidance': 'Guidance',
    'nav.try': 'Try a query',
    'nav.gaps': 'Missing guidance',
    'nav.org': 'Organization',
    'nav.signout': 'Sign out',
    'nav.lang': '日本語',
    'nav.main': 'Main menu',
    'error.network': 'Could not reach the server. Check your network and try again.',
    'error.unauthenticated': 'Please sign in again.',
    'error.forbidden': 'You are not allowed to do this.',
    'error.not_found': 'Not found. It was deleted, or it is not yours to see.',
    'error.gone': 'This link can no longer be used.',
    'error.unavailable': 'Temporarily unavailable. Please try again in a moment.',
    'error.server': 'Something went wrong on our side. Please try again later.',
    'signin.title': 'Sign in',
    'signin.token': 'API token',
    'signin.hint': 'Paste the token starting with taiwa_ that your admin gave you. After signing in, the browser session lasts 12 hours.',
    'signin.submit': 'Sign in',
    'common.save': 'Save',
    'common.cancel': 'Cancel',
    'common.delete': 'Delete',
    'common.loading': 'Loading…',
    'common.saved': 'Saved.',
    'common.sep': ', ',
    'common.copy': 'Copy',
    'common.copied': 'Copied.',
    'common.close': 'Close',
    'common.more': 'Show more',
    'common.none': 'Nothing yet.',
    'common.offline': 'Offline mode',
    'common.helpful': 'Helpful',
    'common.unhelpful': 'Not helpful',
    'common.thanks': 'Thank you for the feedback.',
  },
});
