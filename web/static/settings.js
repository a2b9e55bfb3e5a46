// settings.js: the organization's settings, for admins: extra terms to
// mask in every note, and the contacts the coach shows instead of advice on
// harassment, crises and legal matters.
import { api } from './api.js';
import { h, clear, field, formatDate } from './dom.js';
import { t, addMessages, getLang } from './i18n.js';
import './coachui.js'; // the contact kinds' names
import { orgNotificationsSection } from './notify.js';

addMessages({
  ja: {
    'org.title': '組織の設定',
    'org.terms': '伏せ字にする語',
    'org.terms.label': '1行に1語（顧客名、プロジェクトのコード名など）',
    'org.terms.hint': 'メモや相談の文章に含まれていると、保存やコーチへの送信の前に [用語1] のように伏せられます。',
    'org.terms.save': '語を保存',
    'org.contacts': '相談先',
    'org.contacts.hint': 'ハラスメント、心身の危機、法的な問題など、コーチが助言しない内容のときにマネージャーへ案内する窓口です。',
    'org.contact.kind': '種類',
    'org.contact.name': '名前',
    'org.contact.detail': '連絡方法・受付時間',
    'org.contact.add': '相談先を追加',
    'org.contact.remove': '削除',
    'org.contacts.save': '相談先を保存',
    'org.phrases': 'コーチが助言しない内容の言い回し',
    'org.phrases.hint': '社内の言い方や隠語を追加できます（1行に「種類: 言い回し」）。辞書形で書けば活用やかな書きにも一致します。製品に含まれる語彙に追加され、減らすことはできません。',
    'org.phrases.label': '例）harassment: 追い出し会議に呼ぶ',
    'org.phrases.save': '言い回しを保存',
    'org.referrals': '窓口案内の件数',
    'org.referrals.hint': 'コーチが助言せずに窓口を案内した回数です（月・種類ごとの件数のみ。本文・マネージャー・メンバーは記録しません）。',
    'org.referrals.none': 'この期間の案内はありません。',
    'org.referrals.month': '月', 'org.referrals.matter': '種類', 'org.referrals.count': '件数', 'org.referrals.immediate': 'うち緊急',
    'audit.title': '監査ログ',
    'audit.hint': 'サインイン、トークンやユーザーの変更、書き出し、消去、ガイダンスの公開、設定の変更の記録です（誰が・いつ・何を・結果・接続元。メモなどの本文は記録しません）。追記のみで、変更や削除はできません。',
    'audit.at': '日時', 'audit.actor': '誰が', 'audit.action': '操作', 'audit.target': '対象', 'audit.outcome': '結果', 'audit.client': '接続元',
    'audit.outcome.ok': '成功', 'audit.outcome.denied': '拒否', 'audit.outcome.failed': '失敗',
    'audit.reason.token_revoked': '（失効したトークン）', 'audit.reason.token_expired': '（期限切れのトークン）', 'audit.reason.user_disabled': '（無効なユーザー）',
    'audit.group.auth': 'サインイン・サインアウト', 'audit.group.user': 'ユーザー', 'audit.group.token': 'トークン', 'audit.group.guidance': 'ガイダンス',
    'audit.group.member': 'メンバーのデータ', 'audit.group.settings': '設定', 'audit.group.referral': '窓口案内', 'audit.group.audit': '監査ログの閲覧',
    'audit.filter': '操作で絞り込む', 'audit.filter.all': 'すべて', 'audit.more': 'さらに表示', 'audit.none': '記録はありません。',
    'audit.action.team.create': 'チームの追加',
    'audit.action.team.update': 'チームの変更',
    'audit.action.team.delete': 'チームの削除',
    'audit.action.team.import': 'チームの取り込み',
    'audit.action.team.assign': 'マネージャーの所属変更',
    'audit.action.insights.read': '1on1の状況の閲覧',
    'audit.action.checks.add': '検索テストの質問の追加',
    'audit.action.insights.access': '1on1の状況のキュレーターへの公開設定',
    'audit.action.checks.delete': '検索テストの質問の削除',
    'audit.group.team': 'チーム', 'audit.group.insights': '1on1の状況の閲覧',
    'audit.action.auth.sign_in': 'サインイン',
    'audit.action.auth.sign_out': 'サインアウト',
    'audit.action.user.create': 'ユーザーの追加',
    'audit.action.user.update': 'ユーザーの変更',
    'audit.action.token.create': 'トークンの発行',
    'audit.action.token.revoke': 'トークンの失効',
    'audit.action.guidance.create': 'ガイダンスの作成',
    'audit.action.guidance.update': 'ガイダンスの編集',
    'audit.action.guidance.delete': 'ガイダンスの削除',
    'audit.action.guidance.publish': 'ガイダンスの公開',
    'audit.action.guidance.unpublish': 'ガイダンスの公開停止',
    'audit.action.guidance.archive': 'ガイダンスのアーカイブ',
    'audit.action.guidance.hide': 'ガイダンスを非表示',
    'audit.action.thesaurus.add': '類義語ルールの追加',
    'audit.action.thesaurus.update': '類義語ルールの編集',
    'audit.action.thesaurus.delete': '類義語ルールの削除',
    'audit.action.thesaurus.import': '類義語ルールの取り込み',
    'audit.action.thesaurus.hide': 'スターターの類義語ルールを不使用に',
    'audit.action.thesaurus.unhide': 'スターターの類義語ルールを使用',
    'audit.action.guidance.unhide': 'ガイダンスを再表示',
    'audit.action.guidance.copy': 'ガイダンスの複製',
    'audit.action.guidance.restore': 'ガイダンスの版を復元',
    'audit.action.guidance.export': 'ガイダンスの書き出し',
    'audit.action.guidance.import': 'ガイダンスの取り込み',
    'audit.action.member.erase': 'メンバーの消去',
    'audit.action.member.names': 'メンバーの呼び名の登録',
    'audit.action.member.export': 'メンバーのデータ書き出し',
    'audit.action.meeting.delete': '1on1の削除',
    'audit.action.member_link.create': 'メンバー用リンクの発行',
    'audit.action.referral.dismiss': '窓口案内を該当なしに',
    'audit.action.settings.contacts': '相談先の変更',
    'audit.action.settings.notifications': 'リマインドと連携の設定の変更',
    'audit.action.calendar.create': 'カレンダーURLの作成',
    'audit.action.calendar.revoke': 'カレンダーURLの無効化',
    'audit.group.calendar': 'カレンダー',
    'audit.action.settings.safety_phrases': '言い回しの変更',
    'audit.action.settings.terms': '伏せ字にする語の変更',
    'audit.action.audit.read': '監査ログの閲覧',
    'matter.crisis': '心身の危機', 'matter.harassment': 'ハラスメント', 'matter.discrimination': '差別', 'matter.legal': '法的な問題',
  },
  en: {
    'org.title': 'Organization settings',
    'org.terms': 'Terms to mask',
    'org.terms.label': 'One per line (customer names, project code names...)',
    'org.terms.hint': 'Wherever they appear in notes or questions, they are masked, as [TERM1], before anything is saved or sent to the coach.',
    'org.terms.save': 'Save terms',
    'org.contacts': 'Contacts',
    'org.contacts.hint': 'Who the coach points managers to instead of advising on harassment, crises or legal matters.',
    'org.contact.kind': 'Kind',
    'org.contact.name': 'Name',
    'org.contact.detail': 'How to reach them, hours',
    'org.contact.add': 'Add a contact',
    'org.contact.remove': 'Remove',
    'org.contacts.save': 'Save contacts',
    'org.phrases': 'Phrases for matters the coach does not advise on',
    'org.phrases.hint': "Add your organization's own wording or jargon, one per line as 'matter: phrase'. Dictionary forms also match their conjugations and kana spellings. They add to the shipped vocabulary; they cannot remove from it.",
    'org.phrases.label': 'e.g. harassment: sent to the exit meeting',
    'org.phrases.save': 'Save phrases',
    'org.referrals': 'Referrals',
    'org.referrals.hint': 'How often the coach pointed managers to the right people instead of advising (counts per month and matter only; no text, manager or member is recorded).',
    'org.referrals.none': 'No referrals in this period.',
    'org.referrals.month': 'Month', 'org.referrals.matter': 'Matter', 'org.referrals.count': 'Count', 'org.referrals.immediate': 'Immediate',
    'audit.title': 'Audit log',
    'audit.hint': 'Sign-ins, token and user changes, exports, erasures, guidance publishing and settings changes: who, when, what, how it ended and from where (never the text of notes). Append-only: entries cannot be changed or deleted.',
    'audit.at': 'When', 'audit.actor': 'Who', 'audit.action': 'Action', 'audit.target': 'Target', 'audit.outcome': 'Outcome', 'audit.client': 'From',
    'audit.outcome.ok': 'Done', 'audit.outcome.denied': 'Denied', 'audit.outcome.failed': 'Failed',
    'audit.reason.token_revoked': ' (revoked token)', 'audit.reason.token_expired': ' (expired token)', 'audit.reason.user_disabled': ' (disabled user)',
    'audit.group.auth': 'Sign-in and sign-out', 'audit.group.user': 'Users', 'audit.group.token': 'Tokens', 'audit.group.guidance': 'Guidance',
    'audit.group.member': "Members' data", 'audit.group.settings': 'Settings', 'audit.group.referral': 'Referrals', 'audit.group.audit': 'Audit log reads',
    'audit.filter': 'Filter by action', 'audit.filter.all': 'All', 'audit.more': 'Show older', 'audit.none': 'Nothing recorded.',
    'audit.action.team.create': 'Team added',
    'audit.action.team.update': 'Team changed',
    'audit.action.team.delete': 'Team deleted',
    'audit.action.team.import': 'Teams imported',
    'audit.action.team.assign': "Manager's team changed",
    'audit.action.insights.read': '1on1 insights read',
    'audit.action.checks.add': 'Retrieval test question added',
    'audit.action.insights.access': 'Curators\' access to 1on1 insights changed',
    'audit.action.checks.delete': 'Retrieval test question removed',
    'audit.group.team': 'Teams', 'audit.group.insights': 'Insights reads',
    'audit.action.auth.sign_in': 'Sign-in',
    'audit.action.auth.sign_out': 'Sign-out',
    'audit.action.user.create': 'User added',
    'audit.action.user.update': 'User changed',
    'audit.action.token.create': 'Token issued',
    'audit.action.token.revoke': 'Token revoked',
    'audit.action.guidance.create': 'Guidance created',
    'audit.action.guidance.update': 'Guidance edited',
    'audit.action.guidance.delete': 'Guidance deleted',
    'audit.action.guidance.publish': 'Guidance published',
    'audit.action.guidance.unpublish': 'Guidance unpublished',
    'audit.action.guidance.archive': 'Guidance archived',
    'audit.action.guidance.hide': 'Guidance hidden',
    'audit.action.thesaurus.add': 'Thesaurus rule added',
    'audit.action.thesaurus.update': 'Thesaurus rule edited',
    'audit.action.thesaurus.delete': 'Thesaurus rule deleted',
    'audit.action.thesaurus.import': 'Thesaurus imported',
    'audit.action.thesaurus.hide': 'Starter thesaurus rule turned off',
    'audit.action.thesaurus.unhide': 'Starter thesaurus rule turned on',
    'audit.action.guidance.unhide': 'Guidance shown again',
    'audit.action.guidance.copy': 'Guidance copied',
    'audit.action.guidance.restore': 'Guidance version restored',
    'audit.action.guidance.export': 'Guidance exported',
    'audit.action.guidance.import': 'Guidance imported',
    'audit.action.member.erase': 'Member erased',
    'audit.action.member.names': 'Member name forms set',
    'audit.action.member.export': 'Member data exported',
    'audit.action.meeting.delete': '1on1 deleted',
    'audit.action.member_link.create': 'Member link issued',
    'audit.action.referral.dismiss': 'Referral dismissed',
    'audit.action.settings.contacts': 'Contacts changed',
    'audit.action.settings.notifications': 'Reminders and integrations changed',
    'audit.action.calendar.create': 'Calendar URL made',
    'audit.action.calendar.revoke': 'Calendar URL turned off',
    'audit.group.calendar': 'Calendar',
    'audit.action.settings.safety_phrases': 'Phrases changed',
    'audit.action.settings.terms': 'Masked terms changed',
    'audit.action.audit.read': 'Audit log read',
    'matter.crisis': 'Crisis', 'matter.harassment': 'Harassment', 'matter.discrimination': 'Discrimination', 'matter.legal': 'Legal matter',
  },
});

const KINDS = ['hr', 'health', 'hotline', 'legal', 'other'];

export async function orgView(main, params, ctx) {
  const [{ terms }, { contacts }, { phrases }, { counts }] = await Promise.all([api('GET', '/api/org/terms'), api('GET', '/api/org/contacts'),
    api('GET', '/api/org/safety-phrases'), api('GET', '/api/org/referrals')]);
  main.append(h('h1', {}, t('org.title')));

  // Terms.
  const termsBox = h('textarea', { id: 'org-terms' }, terms.join('\n'));
  const termsErr = h('div');
  const termsStatus = h('p', { class: 'small muted', role: 'status', id: 'org-terms-status' });
  const termsForm = h('form', { class: 'card stack', 'aria-labelledby': 'terms-h' },
    h('h2', { id: 'terms-h' }, t('org.terms')),
    field(t('org.terms.label'), termsBox, t('org.terms.hint')),
    termsErr,
    h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'org-terms-save' }, t('org.terms.save')), termsStatus));
  termsForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(termsErr);
    termsStatus.textContent = '';
    try {
      const r = await api('PUT', '/api/org/terms', { terms: termsBox.value.split('\n').map((s) => s.trim()).filter(Boolean) });
      termsBox.value = r.terms.join('\n');
      termsStatus.textContent = t('common.saved');
    } catch (ex) {
      termsErr.append(ctx.errorBox(ex));
    }
  });
  main.append(termsForm);

  // Contacts.
  const rows = h('div', { class: 'stack', id: 'org-contacts' });
  const addRow = (c = { kind: 'hr', name: '', detail: '' }) => {
    const kind = h('select', {}, KINDS.map((k) => h('option', { value: k, selected: k === c.kind }, t('contact.' + k))));
    const name = h('input', { type: 'text', maxlength: 200, value: c.name });
    const detail = h('input', { type: 'text', maxlength: 500, value: c.detail });
    const row = h('fieldset', { class: 'contact' },
      h('legend', {}, t('org.contacts')),
      h('div', { class: 'row' }, field(t('org.contact.kind'), kind), h('div', { class: 'spacer' }, field(t('org.contact.name'), name))),
      field(t('org.contact.detail'), detail),
      h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: () => row.remove() }, t('org.contact.remove')));
    row.read = () => ({ kind: kind.value, name: name.value.trim(), detail: detail.value.trim() });
    rows.append(row);
    return name;
  };
  contacts.forEach((c) => addRow(c));
  const contactsErr = h('div');
  const contactsStatus = h('p', { class: 'small muted', role: 'status', id: 'org-contacts-status' });
  const contactsForm = h('form', { class: 'card stack', 'aria-labelledby': 'contacts-h' },
    h('h2', { id: 'contacts-h' }, t('org.contacts')),
    h('p', { class: 'hint' }, t('org.contacts.hint')),
    rows,
    h('button', { class: 'btn', type: 'button', onclick: () => addRow().focus() }, t('org.contact.add')),
    contactsErr,
    h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'org-contacts-save' }, t('org.contacts.save')), contactsStatus));
  contactsForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(contactsErr);
    contactsStatus.textContent = '';
    try {
      const list = [...rows.querySelectorAll('fieldset.contact')].map((r) => r.read()).filter((c) => c.name);
      await api('PUT', '/api/org/contacts', { contacts: list });
      contactsStatus.textContent = t('common.saved');
    } catch (ex) {
      contactsErr.append(ctx.errorBox(ex));
    }
  });
  main.append(contactsForm);

  // The organization's own phrases for the safety screen.
  const phrasesBox = h('textarea', { id: 'org-phrases' }, phrases.map((p) => `${p.matter}: ${p.phrase}`).join('\n'));
  const phrasesErr = h('div');
  const phrasesStatus = h('p', { class: 'small muted', role: 'status', id: 'org-phrases-status' });
  const phrasesForm = h('form', { class: 'card stack', 'aria-labelledby': 'phrases-h' },
    h('h2', { id: 'phrases-h' }, t('org.phrases')),
    field(t('org.phrases.label'), phrasesBox, t('org.phrases.hint')),
    phrasesErr,
    h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'org-phrases-save' }, t('org.phrases.save')), phrasesStatus));
  phrasesForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(phrasesErr);
    phrasesStatus.textContent = '';
    try {
      const list = phrasesBox.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
        const i = l.search(/[:：]/);
        return i < 0 ? { matter: '', phrase: l } : { matter: l.slice(0, i).trim().toLowerCase(), phrase: l.slice(i + 1).trim() };
      });
      const r = await api('PUT', '/api/org/safety-phrases', { phrases: list });
      phrasesBox.value = r.phrases.map((p) => `${p.matter}: ${p.phrase}`).join('\n');
      phrasesStatus.textContent = t('common.saved');
    } catch (ex) {
      phrasesErr.append(ctx.errorBox(ex));
    }
  });
  main.append(phrasesForm);
  main.append(await orgNotificationsSection(ctx));

  // Referral counts: kinds and counts only.
  main.append(h('section', { class: 'card stack', 'aria-labelledby': 'referrals-h', id: 'org-referrals' },
    h('h2', { id: 'referrals-h' }, t('org.referrals')),
    h('p', { class: 'hint' }, t('org.referrals.hint')),
    counts.length
      ? h('div', { class: 'scroll-x' }, h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ['month', 'matter', 'count', 'immediate'].map((k) => h('th', { scope: 'col' }, t('org.referrals.' + k))))),
        h('tbody', {}, counts.map((c) => h('tr', {}, h('td', {}, c.month), h('td', {}, t('matter.' + c.matter)), h('td', {}, String(c.count)), h('td', {}, String(c.immediate)))))))
      : h('p', { class: 'muted' }, t('org.referrals.none'))));

  main.append(auditSection());
}

// The audit trail, newest first, a page at a time.
function auditSection() {
  const body = h('tbody');
  const status = h('p', { class: 'muted', role: 'status' });
  const more = h('button', { type: 'button', class: 'btn btn-small', id: 'audit-more', hidden: true }, t('audit.more'));
  const filter = h('select', { id: 'audit-filter' },
    h('option', { value: '' }, t('audit.filter.all')),
    ['auth.', 'user.', 'token.', 'guidance.', 'member', 'team.', 'settings.', 'calendar.', 'referral.', 'insights.', 'audit.'].map((p) =>
      h('option', { value: p }, t('audit.group.' + p.replace(/\.$/, '')))));
  let next = '';
  const load = async (reset) => {
    if (reset) { clear(body); next = ''; }
    const q = new URLSearchParams({ limit: '50' });
    if (filter.value) q.set('action', filter.value);
    if (next) q.set('before', next);
    const page = await api('GET', '/api/org/audit?' + q);
    for (const e of page.events) {
      body.append(h('tr', {},
        h('td', {}, formatDate(e.at, getLang(), true)),
        h('td', {}, e.actor_name || (e.actor_id ? e.actor_id.slice(0, 8) : '—')),
        h('td', {}, t('audit.action.' + e.action)),
        h('td', { class: 'small muted' }, e.target ? e.target.slice(0, 8) : ''),
        h('td', {}, t('audit.outcome.' + e.outcome) + (e.reason ? t('audit.reason.' + e.reason) : '')),
        h('td', { class: 'small muted' }, e.client || '')));
    }
    next = page.next || '';
    more.hidden = !next;
    status.textContent = body.children.length ? '' : t('audit.none');
  };
  more.addEventListener('click', () => load(false));
  filter.addEventListener('change', () => load(true));
  load(true);
  return h('section', { class: 'card stack', 'aria-labelledby': 'audit-h', id: 'org-audit' },
    h('h2', { id: 'audit-h' }, t('audit.title')),
    h('p', { class: 'hint' }, t('audit.hint')),
    h('label', { for: 'audit-filter' }, t('audit.filter')), filter,
    h('div', { class: 'scroll-x' }, h('table', { class: 'table', id: 'audit-table' },
      h('thead', {}, h('tr', {}, ['at', 'actor', 'action', 'target', 'outcome', 'client'].map((k) => h('th', { scope: 'col' }, t('audit.' + k))))),
      body)),
    status, more);
}
