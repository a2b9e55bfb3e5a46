// checks.js: the retrieval tests curators own: questions with the guidance
// that should answer them, run on demand and after every change to the
// guidance, with the history of hit@3 and MRR.
import { api } from './api.js';
import { h, clear, field, formatDate } from './dom.js';
import { t, addMessages, getLang } from './i18n.js';
import { lineChart, table } from './insights.js';

addMessages({
  ja: {
    'nav.checks': '検索テスト',
    'checks.title': '検索テスト',
    'checks.hint': '質問と、その答えになるべきガイダンスの組です。正しいガイダンスが検索結果の上位3件に入れば合格です。一度実行すると、ガイダンスの公開・編集のたびに実行され、合格していた質問が不合格になる変更は確認してから反映されます。スターターの質問も含みます。',
    'checks.run': '今すぐ実行',
    'checks.ran': '実行しました：{0}問中{1}問合格',
    'checks.never': 'まだ実行していません。',
    'checks.history': '履歴',
    'checks.at': '日時', 'checks.trigger': 'きっかけ', 'checks.questions': '質問数', 'checks.hit3': '上位3件に入った割合', 'checks.mrr': 'MRR',
    'checks.trigger.manual': '手動', 'checks.trigger.publish': 'ガイダンスの変更',
    'checks.list': '質問（最新の実行）',
    'checks.question': '質問', 'checks.language': '言語', 'checks.expected': '答えになるべきガイダンス', 'checks.rank': '順位', 'checks.result': '結果',
    'checks.pass': '合格', 'checks.fail': '不合格', 'checks.notrun': '未実行', 'checks.source': '出所',
    'checks.starter': 'スターター', 'checks.own': '自組織', 'checks.delete': '削除', 'checks.deleted': '削除しました。',
    'checks.add': '質問を追加', 'checks.add.docs': '答えになるべきガイダンス（複数選択可）', 'checks.added': '追加しました。',
    'checks.lang.all': 'すべて',
  },
  en: {
    'nav.checks': 'Retrieval tests',
    'checks.title': 'Retrieval tests',
    'checks.hint': 'Questions with the guidance that should answer them. A question passes when that guidance is in the top 3 results. Once run, the tests run after every change to the guidance, and a change that makes a passing question fail needs your confirmation. The starter pack\'s questions are included.',
    'checks.run': 'Run now',
    'checks.ran': 'Ran: {1} of {0} questions passed',
    'checks.never': 'Not run yet.',
    'checks.history': 'History',
    'checks.at': 'When', 'checks.trigger': 'Started by', 'checks.questions': 'Questions', 'checks.hit3': 'Found in the top 3', 'checks.mrr': 'MRR',
    'checks.trigger.manual': 'Manual', 'checks.trigger.publish': 'A guidance change',
    'checks.list': 'Questions (latest run)',
    'checks.question': 'Question', 'checks.language': 'Language', 'checks.expected': 'Guidance that should answer it', 'checks.rank': 'Rank', 'checks.result': 'Result',
    'checks.pass': 'Pass', 'checks.fail': 'Fail', 'checks.notrun': 'Not run', 'checks.source': 'Source',
    'checks.starter': 'Starter', 'checks.own': 'Own', 'checks.delete': 'Delete', 'checks.deleted': 'Deleted.',
    'checks.add': 'Add a question', 'checks.add.docs': 'Guidance that should answer it (choose one or more)', 'checks.added': 'Added.',
    'checks.lang.all': 'All',
  },
});

// checksView is the curators' retrieval test page.
export async function checksView(main, params, ctx) {
  let lang = getLang(); // the questions listed; every run has all of them
  const body = h('div', { class: 'stack' });
  const status = h('p', { role: 'status', id: 'checks-status' });
  const load = async () => {
    const [page, docs] = await Promise.all([api('GET', '/api/kb/checks'), api('GET', '/api/kb/documents?status=published&limit=200')]);
    clear(body);
    const titles = new Map(docs.documents.map((d) => [d.id, d.title]));
    const runs = [...page.runs].reverse(); // oldest first
    const latest = page.runs[0];
    const ranks = new Map((latest?.results || []).map((r) => [r.check_id, r.rank]));
    const when = (iso) => formatDate(iso, getLang(), true);
    if (!runs.length) body.append(h('p', { class: 'muted' }, t('checks.never')));
    else {
      const labels = runs.map((r) => r.created_at);
      body.append(h('section', { class: 'card stack' }, h('h2', {}, t('checks.history')),
        lineChart(t('checks.history'), labels, [
          { label: t('checks.hit3'), values: runs.map((r) => r.hit_at_3) },
          { label: t('checks.mrr'), values: runs.map((r) => r.mrr) },
        ], { label: (iso) => formatDate(iso, getLang()) }),
        table('check-runs', [t('checks.at'), t('checks.trigger'), t('checks.questions'), t('checks.hit3'), t('checks.mrr')],
          page.runs.map((r) => [when(r.created_at), t('checks.trigger.' + r.trigger), String(r.checks),
            `${Math.round(r.hit_at_3 * 100)}%`, r.mrr.toFixed(2)]))));
    }
    const result = (c) => {
      if (!ranks.has(c.id)) return t('checks.notrun');
      const r = ranks.get(c.id);
      return r >= 1 && r <= 3 ? t('checks.pass') : t('checks.fail');
    };
    // Failing questions first: those are what a curator acts on.
    const order = (c) => (!ranks.has(c.id) ? 1 : ranks.get(c.id) >= 1 && ranks.get(c.id) <= 3 ? 2 : 0);
    const shown = page.checks.filter((c) => !lang || c.language === lang).sort((a, b) => order(a) - order(b));
    const rows = shown.map((c) => [c.question, c.language, c.documents.map((d) => titles.get(d) || '—').join(' / '),
      ranks.get(c.id) ? String(ranks.get(c.id)) : '—', result(c), t(c.starter ? 'checks.starter' : 'checks.own')]);
    const list = table('checks', [t('checks.question'), t('checks.language'), t('checks.expected'), t('checks.rank'), t('checks.result'), t('checks.source')], rows);
    // Own questions can be deleted: a button in their row.
    shown.forEach((c, i) => {
      if (c.starter) return;
      const tr = list.querySelectorAll('tbody tr')[i];
      tr.dataset.own = 'true';
      tr.append(h('td', {}, h('button', { type: 'button', class: 'btn btn-small', onclick: async () => {
        try {
          await api('DELETE', `/api/kb/checks/${c.id}`);
          ctx.notify(t('checks.deleted'));
          await load();
        } catch (err) { body.append(ctx.errorBox(err)); }
      } }, t('checks.delete'))));
    });
    const langSel = h('select', { id: 'checks-lang', onchange: async () => { lang = langSel.value; await load(); } },
      [['', t('checks.lang.all')], ['ja', '日本語'], ['en', 'English']].map(([v, label]) => h('option', { value: v, selected: v === lang }, label)));
    body.append(h('section', { class: 'card stack' }, h('h2', {}, t('checks.list')), field(t('checks.language'), langSel), list));

    const question = h('textarea', { id: 'check-question', rows: 2, required: true, maxlength: 1000 });
    const language = h('select', { id: 'check-language' }, ['ja', 'en'].map((l) => h('option', { value: l, selected: l === getLang() }, l === 'ja' ? '日本語' : 'English')));
    // The guidance of the question's language.
    const expected = h('select', { id: 'check-documents', multiple: true, size: 8, required: true });
    const options = () => {
      clear(expected);
      expected.append(...docs.documents.filter((d) => d.language === language.value).map((d) => h('option', { value: d.id }, d.title)));
    };
    language.addEventListener('change', options);
    options();
    const form = h('form', { class: 'card stack', id: 'check-add' }, h('h2', {}, t('checks.add')),
      field(t('checks.question'), question), field(t('checks.language'), language), field(t('checks.add.docs'), expected),
      h('button', { class: 'btn btn-primary', type: 'submit' }, t('checks.add')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api('POST', '/api/kb/checks', { question: question.value, language: language.value,
          documents: [...expected.selectedOptions].map((o) => o.value) });
        ctx.notify(t('checks.added'));
        await load();
      } catch (err) { form.append(ctx.errorBox(err)); }
    });
    body.append(form);
  };
  const run = h('button', { class: 'btn btn-primary', type: 'button', id: 'checks-run' }, t('checks.run'));
  run.addEventListener('click', async () => {
    run.disabled = true;
    try {
      const r = await api('POST', '/api/kb/checks/run');
      status.textContent = t('checks.ran', r.checks, r.hits);
      await load();
    } catch (err) {
      status.append(ctx.errorBox(err));
    } finally {
      run.disabled = false;
    }
  });
  main.append(h('h1', {}, t('checks.title')), h('p', { class: 'muted' }, t('checks.hint')), h('div', { class: 'row' }, run), status, body);
  await load();
}
