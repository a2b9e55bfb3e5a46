// settings.js: the organization's settings, for admins: extra terms to
// mask in every note, and the contacts the coach shows instead of advice on
// harassment, crises and legal matters.
import { api } from './api.js';
import { h, clear, field } from './dom.js';
import { t, addMessages } from './i18n.js';
import './coachui.js'; // the contact kinds' names

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

  // Referral counts: kinds and counts only.
  main.append(h('section', { class: 'card stack', 'aria-labelledby': 'referrals-h', id: 'org-referrals' },
    h('h2', { id: 'referrals-h' }, t('org.referrals')),
    h('p', { class: 'hint' }, t('org.referrals.hint')),
    counts.length
      ? h('table', {},
        h('thead', {}, h('tr', {}, ['month', 'matter', 'count', 'immediate'].map((k) => h('th', { scope: 'col' }, t('org.referrals.' + k))))),
        h('tbody', {}, counts.map((c) => h('tr', {}, h('td', {}, c.month), h('td', {}, t('matter.' + c.matter)), h('td', {}, String(c.count)), h('td', {}, String(c.immediate))))))
      : h('p', { class: 'muted' }, t('org.referrals.none'))));
}
