// thesaurus.js: the thesaurus curators own: rules that expand a manager's
// question with the words the guidance uses (Solr's synonym format), the
// starter pack's rules (hide one, or add your own), import and export.
import { api } from './api.js';
import { h, clear, field, formatDate } from './dom.js';
import { t, addMessages } from './i18n.js';

addMessages({
  ja: {
    'thes.title': '類義語辞書',
    'thes.intro': 'マネージャーが日常の言葉で聞いても、ガイダンスの言葉で書かれた箇所が見つかるように、質問に語を補います。「褒める, 称賛, 承認」は同じ意味の語どうし（どれかがあれば他を補う）、「自分の得意な仕事だけ => 挑戦, 安全圏」は左の語がすべて質問にあれば右を補います。補った語の重みは元の語の「重み」倍まで（最大0.9）なので、質問の語そのものが入った箇所より上に来ることはありません。効果は「検索を試す」で確かめられます。',
    'thes.add.title': 'ルールを追加',
    'thes.rule': 'ルール',
    'thes.rule.hint': '例：無茶振り, 丸投げ => 期待, 役割 ／ wfh, work from home => remote',
    'thes.weight': '重み',
    'thes.weight.hint': '補った語が元の語に比べてどれだけ効くか（0.05〜0.9、標準0.5）',
    'thes.add': '追加',
    'thes.filter': 'ルールを探す',
    'thes.col.rule': 'ルール',
    'thes.col.weight': '重み',
    'thes.col.source': '作成元',
    'thes.col.updated': '更新日',
    'thes.col.actions': '操作',
    'thes.own': 'この組織',
    'thes.starter': 'スターターパック',
    'thes.hidden': '使わない',
    'thes.edit': '編集',
    'thes.save': '保存',
    'thes.cancel': 'やめる',
    'thes.delete': '削除',
    'thes.delete.confirm': 'ルール「{0}」を削除しますか？',
    'thes.hide': '使わない',
    'thes.unhide': '使う',
    'thes.count': 'この組織のルール {0}件、スターターパックのルール {1}件（うち使わない {2}件）',
    'thes.empty': '条件に合うルールはありません。',
    'thes.added': 'ルールを追加しました。',
    'thes.io.title': 'ファイルで取り込む・書き出す',
    'thes.io.hint': '1行に1ルール。「#」で始まる行はコメントです。ルールの前の行に「# weight 0.7」と書くと、そのルールの重みになります。すべての行を確かめてから取り込みます。',
    'thes.io.text': '取り込むルール',
    'thes.io.replace': 'この組織のルールをファイルの内容に置き換える（ファイルにないルールは削除）',
    'thes.io.run': '取り込む',
    'thes.io.summary': '追加 {0}件、重みの更新 {1}件、変更なし {2}件、削除 {3}件。',
    'thes.io.export': 'この組織のルールを書き出す',
    'thes.source.all': 'すべて',
    'thes.pages': 'ルールのページ送り',
    'thes.prev': '前へ',
    'thes.next': '次へ',
    'thes.page': '{2}件中 {0}〜{1}件目',
  },
  en: {
    'thes.title': 'Thesaurus',
    'thes.intro': 'Adds words to a manager\'s question so that guidance written in other words is found. "praise, commend, recognition" are equivalent (any adds the others); "wfh, work from home => remote" adds the right side when the question holds every word of one on the left. An added word weighs at most the rule\'s weight times the words it stands for (0.9 at most), so it never outranks a passage with the question\'s own words. See the effect in "Try a query".',
    'thes.add.title': 'Add a rule',
    'thes.rule': 'Rule',
    'thes.rule.hint': 'e.g. kudos, shout-out => recognition, specific praise',
    'thes.weight': 'Weight',
    'thes.weight.hint': 'How much an added word counts next to the words it stands for (0.05-0.9, default 0.5)',
    'thes.add': 'Add',
    'thes.filter': 'Find a rule',
    'thes.col.rule': 'Rule',
    'thes.col.weight': 'Weight',
    'thes.col.source': 'Source',
    'thes.col.updated': 'Updated',
    'thes.col.actions': 'Actions',
    'thes.own': 'This organization',
    'thes.starter': 'Starter pack',
    'thes.hidden': 'Not used',
    'thes.edit': 'Edit',
    'thes.save': 'Save',
    'thes.cancel': 'Cancel',
    'thes.delete': 'Delete',
    'thes.delete.confirm': 'Delete the rule "{0}"?',
    'thes.hide': 'Don\'t use',
    'thes.unhide': 'Use',
    'thes.count': '{0} rules of this organization, {1} of the starter pack ({2} not used)',
    'thes.empty': 'No rule matches.',
    'thes.added': 'Rule added.',
    'thes.io.title': 'Import or export a file',
    'thes.io.hint': 'One rule per line; lines starting with "#" are comments. "# weight 0.7" on the line before a rule gives it that weight. Every line is checked before anything is imported.',
    'thes.io.text': 'Rules to import',
    'thes.io.replace': 'Replace this organization\'s rules with the file (rules not in it are deleted)',
    'thes.io.run': 'Import',
    'thes.io.summary': '{0} added, {1} weights updated, {2} unchanged, {3} deleted.',
    'thes.io.export': 'Export this organization\'s rules',
    'thes.source.all': 'All',
    'thes.pages': 'Rule pages',
    'thes.prev': 'Previous',
    'thes.next': 'Next',
    'thes.page': '{0}-{1} of {2}',
  },
});

export async function thesaurusView(main, params, ctx) {
  const status = h('div', { id: 'thes-status', 'aria-live': 'polite' });
  const list = h('div', { id: 'thes-list' });
  const filter = h('input', { type: 'search', id: 'thes-filter', autocomplete: 'off', maxlength: 200 });
  const source = h('select', { id: 'thes-source' },
    [['', 'thes.source.all'], ['own', 'thes.own'], ['starter', 'thes.starter'], ['hidden', 'thes.hidden']]
      .map(([v, k]) => h('option', { value: v }, t(k))));
  let rules = [];
  let offset = 0;

  const say = (node) => clear(status).append(node);
  const load = async () => {
    rules = (await api('GET', '/api/kb/thesaurus')).rules || [];
    render();
  };
  const act = async (fn) => {
    try {
      await fn();
      await load();
    } catch (ex) {
      say(ctx.errorBox(ex));
    }
  };
  const bySource = {
    '': () => true, own: (r) => !r.starter, starter: (r) => r.starter, hidden: (r) => r.hidden,
  };
  const render = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = rules.filter((r) => bySource[source.value](r) && (!q || r.rule.toLowerCase().includes(q)));
    if (offset >= shown.length) offset = 0; // the page emptied (a delete, a filter)
    const own = rules.filter((r) => !r.starter).length;
    const hidden = rules.filter((r) => r.hidden).length;
    const page = shown.slice(offset, offset + PAGE);
    const nav = (label, to, disabled) => h('button', {
      class: 'btn btn-small', type: 'button', disabled,
      onclick: () => { offset = to; render(); },
    }, label);
    clear(list).append(
      h('p', { class: 'small muted', id: 'thes-count' }, t('thes.count', own, rules.length - own, hidden)),
      shown.length === 0 ? h('p', { class: 'muted' }, t('thes.empty')) : ruleTable(page, ctx, act),
      shown.length > PAGE ? h('nav', { class: 'row', 'aria-label': t('thes.pages') },
        nav(t('thes.prev'), offset - PAGE, offset === 0),
        h('span', { class: 'small muted' }, t('thes.page', offset + 1, Math.min(offset + PAGE, shown.length), shown.length)),
        nav(t('thes.next'), offset + PAGE, offset + PAGE >= shown.length)) : null);
  };
  const refilter = () => { offset = 0; render(); };
  filter.addEventListener('input', refilter);
  source.addEventListener('change', refilter);

  // Adding a rule.
  const rule = h('input', { type: 'text', id: 'thes-rule', required: true, maxlength: 1000, autocomplete: 'off' });
  const weight = h('input', { type: 'number', id: 'thes-weight', min: 0.05, max: 0.9, step: 0.05, value: 0.5, required: true });
  const addForm = h('form', { class: 'card stack', 'aria-labelledby': 'thes-add-title' },
    h('h2', { id: 'thes-add-title' }, t('thes.add.title')),
    field(t('thes.rule'), rule, t('thes.rule.hint')),
    h('div', { class: 'row' }, field(t('thes.weight'), weight, t('thes.weight.hint'))),
    h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'thes-add' }, t('thes.add'))));
  addForm.addEventListener('submit', (e) => {
    e.preventDefault();
    act(async () => {
      await api('POST', '/api/kb/thesaurus', { rule: rule.value, weight: parseFloat(weight.value) || 0.5 });
      rule.value = '';
      say(h('p', { class: 'notice' }, t('thes.added')));
    });
  });

  main.append(
    h('h1', {}, t('thes.title')),
    h('p', { class: 'muted' }, t('thes.intro')),
    addForm,
    status,
    h('section', { class: 'stack' }, h('div', { class: 'row' },
      h('div', { class: 'spacer' }, field(t('thes.filter'), filter)), field(t('thes.col.source'), source)), list),
    importSection(act, say));
  await load();
}

const PAGE = 30; // rules shown at a time

function ruleTable(rules, ctx, act) {
  const cols = ['thes.col.rule', 'thes.col.weight', 'thes.col.source', 'thes.col.updated', 'thes.col.actions'];
  return h('div', { class: 'scroll-x' }, h('table', { class: 'table', id: 'thes-table' },
    h('caption', { class: 'visually-hidden' }, t('thes.title')),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, t(c))))),
    h('tbody', {}, rules.map((r) => ruleRow(r, ctx, act)))));
}

function ruleRow(r, ctx, act) {
  const btn = (label, onclick) => h('button', { class: 'btn btn-small', type: 'button', onclick }, label);
  const tr = h('tr', { dataset: { rule: r.rule }, class: r.hidden ? 'muted' : null });
  const view = () => clear(tr).append(
    h('td', {}, h('code', {}, r.rule)),
    h('td', {}, Number(r.weight).toFixed(2)),
    h('td', {}, r.starter ? t('thes.starter') : t('thes.own'), r.hidden ? [' ', h('span', { class: 'badge' }, t('thes.hidden'))] : null),
    h('td', {}, formatDate(r.updated_at, ctx.lang)),
    h('td', { class: 'row' }, r.starter
      ? btn(r.hidden ? t('thes.unhide') : t('thes.hide'), () => act(() => api('POST', `/api/kb/thesaurus/${r.id}/${r.hidden ? 'unhide' : 'hide'}`)))
      : [btn(t('thes.edit'), edit),
        btn(t('thes.delete'), () => confirm(t('thes.delete.confirm', r.rule)) && act(() => api('DELETE', `/api/kb/thesaurus/${r.id}`)))]));
  const edit = () => {
    const text = h('input', { type: 'text', value: r.rule, maxlength: 1000, 'aria-label': t('thes.rule') });
    const w = h('input', { type: 'number', min: 0.05, max: 0.9, step: 0.05, value: r.weight, 'aria-label': t('thes.weight') });
    clear(tr).append(
      h('td', {}, text),
      h('td', {}, w),
      h('td', {}, t('thes.own')),
      h('td', {}, formatDate(r.updated_at, ctx.lang)),
      h('td', { class: 'row' },
        btn(t('thes.save'), () => act(() => api('PUT', `/api/kb/thesaurus/${r.id}`, { rule: text.value, weight: parseFloat(w.value) || 0.5 }))),
        btn(t('thes.cancel'), view)));
    text.focus();
  };
  view();
  return tr;
}

function importSection(act, say) {
  const text = h('textarea', { id: 'thes-import-text', rows: 6, required: true });
  const replace = h('input', { type: 'checkbox', id: 'thes-import-replace' });
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'thes-io-title' },
    h('h2', { id: 'thes-io-title' }, t('thes.io.title')),
    h('p', { class: 'small muted' }, t('thes.io.hint')),
    field(t('thes.io.text'), text),
    h('label', { class: 'row' }, replace, t('thes.io.replace')),
    h('div', { class: 'row' },
      h('button', { class: 'btn', type: 'submit', id: 'thes-import' }, t('thes.io.run')),
      h('a', { class: 'btn btn-small', href: '/api/kb/thesaurus/export', download: 'taiwa-thesaurus.txt' }, t('thes.io.export'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(async () => {
      const st = await api('POST', '/api/kb/thesaurus/import', { text: text.value, replace: replace.checked });
      say(h('p', { class: 'notice', id: 'thes-import-summary' }, t('thes.io.summary', st.added, st.updated, st.unchanged, st.removed)));
    });
  });
  return form;
}
