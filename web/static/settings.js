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
  },
});

const KINDS = ['hr', 'health', 'hotline', 'legal', 'other'];

export async function orgView(main, params, ctx) {
  const [{ terms }, { contacts }] = await Promise.all([api('GET', '/api/org/terms'), api('GET', '/api/org/contacts')]);
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
}
