// insights.js: the team tree (admins), the organization's figures per team
// and month (admins) and a manager's own figures beside the organization's.
// Every figure comes from the server already k-anonymous; a cell the
// server did not publish shows as a dash. Charts are SVG drawn here, each
// with the table it comes from and a CSV download of that table.
import { api } from './api.js';
import { h, clear, field } from './dom.js';
import { t, addMessages, getLang } from './i18n.js';
import { topicNames } from './curator.js';

addMessages({
  ja: {
    'nav.insights': '1on1の状況',
    'nav.teams': 'チーム',
    'nav.mine': '自分の振り返り',
    'ins.title': '1on1の状況',
    'ins.hint': '締まった月ごとの集計です。メンバー5人・回答5件・マネージャー3人に満たない集計や、他の集計との差から個人が分かってしまう集計は「—」で伏せています。メモや相談の本文は含みません。',
    'ins.months': '期間',
    'ins.months.n': '直近{0}か月',
    'ins.team': '対象',
    'ins.org': '組織全体',
    'ins.csv.all': 'すべての集計をCSVで書き出す',
    'ins.csv': 'この表をCSVで書き出す',
    'ins.month': '月',
    'ins.none': 'この期間に公開できる集計はまだありません（人数が少ない場合は伏せられます）。',
    'ins.sessions': '1on1の実施',
    'ins.planned': '予定', 'ins.held': '実施', 'ins.rate': '実施率', 'ins.per_member': '1人あたり実施', 'ins.reflection': '振り返り記入率', 'ins.members': 'メンバー数',
    'ins.condition': 'コンディション（1〜5の平均）', 'ins.condition.mean': '平均',
    'ins.styles': 'メンバーが希望した関わり方（希望が示された1on1に占める割合）',
    'ins.feedback': '関わり方ごとの満足度と「希望どおりだった」の割合（表示できた月の平均）',
    'ins.months.shown': '表示できた月',
    'ins.answers': '回答数', 'ins.satisfaction': '満足度（1〜5）', 'ins.matched': '希望どおり', 'ins.partly': '一部そのとおり',
    'ins.topics': '話題（話題が選ばれた1on1に占める割合）', 'ins.topic': '話題',
    'ins.actions': 'アクション（未完了は月末時点）', 'ins.open': '未完了', 'ins.age': '未完了の平均経過日数', 'ins.over30': '30日超の割合',
    'ins.closed': 'その月に完了', 'ins.to_close': '完了までの平均日数',
    'ins.referrals': '窓口案内（件数のみ）', 'ins.matter': '種類',
    'ins.style': '希望した関わり方',
    'ins.style.listen': 'ただ聴いてほしい', 'ins.style.advise': 'アドバイスがほしい', 'ins.style.think-together': '一緒に考えてほしい',
    'ins.style.encourage': '励ましてほしい', 'ins.style.decide': '決めてほしい', 'ins.style.report': '報告したい', 'ins.style.none': '希望なし',
    'ins.matter.crisis': '心身の危機', 'ins.matter.harassment': 'ハラスメント', 'ins.matter.discrimination': '差別', 'ins.matter.legal': '法的な問題',
    'ins.suppressed': '—：伏せた集計',
    'ins.archived': '（削除済み）',
    'ins.curators': 'キュレーター（人材開発担当など）にもこの画面を見せる',
    'ins.curators.closed': '組織の1on1の状況は、管理者が許可するとここに表示されます。',
    'mine.title': '自分の1on1の振り返り',
    'mine.hint': 'あなたの1on1の月ごとの集計と、組織全体の値です。組織の値は、あなたの分を除いても十分な人数が残る場合だけ表示します。同僚個人との比較はしません。',
    'mine.own': 'あなた', 'mine.org': '組織全体',
    'teams.title': 'チーム',
    'teams.hint': 'マネージャーをチームや部署にまとめると、チームごとの集計が見られます（階層にできます）。「1on1の状況」を初めて開くまでは、チームの構成は過去の1on1にも当てはまります（先に組織図を取り込んでください）。その後の異動やチームの変更は、変更した時点から反映され、過去の月の集計は変わりません。',
    'teams.none': 'まだチームがありません。',
    'teams.add': 'チームを追加', 'teams.name': 'チーム名', 'teams.parent': '上位のチーム', 'teams.top': '（最上位）',
    'teams.save': '保存', 'teams.delete': '削除', 'teams.edit': '名前・上位を変更',
    'teams.managers': 'マネージャーの所属', 'teams.manager': 'マネージャー', 'teams.team': 'チーム', 'teams.noteam': '（所属なし）',
    'teams.import': 'CSVから取り込む',
    'teams.import.hint': '1行に「チーム,マネージャーのメールアドレス」。チームは「営業部 / 東日本」のように / で階層を書きます。メールアドレスを空にするとチームだけ作ります。1行でも誤りがあれば何も取り込みません。',
    'teams.import.file': 'CSVファイル', 'teams.import.run': '取り込む',
    'teams.import.done': 'チームを{0}件作成し、マネージャー{1}人を所属させました。',
    'teams.saved': '保存しました。', 'teams.deleted': '削除しました。',
    'nav.usage': '利用状況',
    'usage.title': 'ガイダンスの利用状況',
    'usage.hint': 'コーチの回答がどのガイダンスを参照し、引用したか、その回答へのマネージャーの評価とコメントです（マネージャー・メンバー・メモは含みません）。一度も参照されていないガイダンスは最後に並びます。',
    'usage.days': '期間', 'usage.days.n': '直近{0}日',
    'usage.document': 'ガイダンス', 'usage.language': '言語', 'usage.topics': 'トピック', 'usage.source': '出所',
    'usage.starter': 'スターター', 'usage.own': '自組織',
    'usage.retrieved': '参照した回答', 'usage.cited': '引用した回答', 'usage.helpful': '役立った', 'usage.unhelpful': '役立たなかった',
    'usage.never': '参照されていないガイダンス：{0}件',
    'usage.details': '箇所とコメント', 'usage.passage': '箇所', 'usage.comments': 'コメント',
    'usage.up': '役立った', 'usage.down': '役立たなかった', 'usage.gaps': '答えられなかった質問を見る',
    'usage.lang.all': 'すべて',
  },
  en: {
    'nav.insights': '1on1 insights',
    'nav.teams': 'Teams',
    'nav.mine': 'My 1on1s',
    'ins.title': '1on1 insights',
    'ins.hint': 'Figures per closed month. A figure over fewer than 5 members, 5 answers or 3 managers, or one that another figure would let someone work out for a person, shows as "—". No note or request text is included.',
    'ins.months': 'Period',
    'ins.months.n': 'Last {0} months',
    'ins.team': 'Team',
    'ins.org': 'Whole organization',
    'ins.csv.all': 'Download every figure (CSV)',
    'ins.csv': 'Download this table (CSV)',
    'ins.month': 'Month',
    'ins.none': 'No figures can be shown for this period yet (small groups are hidden).',
    'ins.sessions': '1on1s held',
    'ins.planned': 'Planned', 'ins.held': 'Held', 'ins.rate': 'Held / planned', 'ins.per_member': 'Held per member', 'ins.reflection': 'Reflection written', 'ins.members': 'Members',
    'ins.condition': 'Condition (mean of 1–5)', 'ins.condition.mean': 'Mean',
    'ins.styles': 'How members asked to be met (share of 1on1s with a request)',
    'ins.feedback': 'Satisfaction and "it was what I asked for" by requested response (mean of the months shown)',
    'ins.months.shown': 'Months shown',
    'ins.answers': 'Answers', 'ins.satisfaction': 'Satisfaction (1–5)', 'ins.matched': 'As asked', 'ins.partly': 'Partly',
    'ins.topics': 'Topics (share of 1on1s with a topic)', 'ins.topic': 'Topic',
    'ins.actions': 'Actions (open: at month end)', 'ins.open': 'Open', 'ins.age': 'Mean age of open (days)', 'ins.over30': 'Open over 30 days',
    'ins.closed': 'Done that month', 'ins.to_close': 'Mean days to done',
    'ins.referrals': 'Referrals (counts only)', 'ins.matter': 'Matter',
    'ins.style': 'Requested response',
    'ins.style.listen': 'Just listen', 'ins.style.advise': 'Advise', 'ins.style.think-together': 'Think together',
    'ins.style.encourage': 'Encourage', 'ins.style.decide': 'Decide', 'ins.style.report': 'Report', 'ins.style.none': 'No request',
    'ins.matter.crisis': 'Crisis', 'ins.matter.harassment': 'Harassment', 'ins.matter.discrimination': 'Discrimination', 'ins.matter.legal': 'Legal',
    'ins.suppressed': '—: hidden figure',
    'ins.archived': ' (removed)',
    'ins.curators': 'Let curators (L&D) see this page too',
    'ins.curators.closed': "The organization's 1on1 figures appear here once an admin allows curators to see them.",
    'mine.title': 'My 1on1s over time',
    'mine.hint': 'Your 1on1s month by month, beside the whole organization. The organization is shown only where enough people remain without you. You are never compared with a colleague.',
    'mine.own': 'You', 'mine.org': 'Organization',
    'teams.title': 'Teams',
    'teams.hint': 'Group managers into teams or departments (they can nest) to see figures per team. Until the insights are first opened, the teams also hold for past 1on1s (so import your structure first); after that, moves and team changes count from the day they are made, and past months\' figures stay as they were.',
    'teams.none': 'No teams yet.',
    'teams.add': 'Add a team', 'teams.name': 'Team name', 'teams.parent': 'Parent team', 'teams.top': '(top level)',
    'teams.save': 'Save', 'teams.delete': 'Delete', 'teams.edit': 'Rename or move',
    'teams.managers': "Managers' teams", 'teams.manager': 'Manager', 'teams.team': 'Team', 'teams.noteam': '(no team)',
    'teams.import': 'Import from CSV',
    'teams.import.hint': 'One line per "team,manager email". Write nested teams as a path: "Sales / East". Leave the email empty to create only the team. Nothing is imported if any line is wrong.',
    'teams.import.file': 'CSV file', 'teams.import.run': 'Import',
    'teams.import.done': 'Created {0} teams and placed {1} managers.',
    'teams.saved': 'Saved.', 'teams.deleted': 'Deleted.',
    'nav.usage': 'Usage',
    'usage.title': 'What the guidance does',
    'usage.hint': "Which guidance the coach's answers drew on and cited, and managers' thumbs and comments on those answers (no manager, member or note). Guidance never drawn on comes last.",
    'usage.days': 'Period', 'usage.days.n': 'Last {0} days',
    'usage.document': 'Guidance', 'usage.language': 'Language', 'usage.topics': 'Topics', 'usage.source': 'Source',
    'usage.starter': 'Starter', 'usage.own': 'Own',
    'usage.retrieved': 'Answers given it', 'usage.cited': 'Answers citing it', 'usage.helpful': 'Helpful', 'usage.unhelpful': 'Not helpful',
    'usage.never': 'Guidance never drawn on: {0}',
    'usage.details': 'Passages and comments', 'usage.passage': 'Passage', 'usage.comments': 'Comments',
    'usage.up': 'Helpful', 'usage.down': 'Not helpful', 'usage.gaps': 'See the questions it could not answer',
    'usage.lang.all': 'All',
  },
});

const STYLES = ['listen', 'advise', 'think-together', 'encourage', 'decide', 'report'];
const MATTERS = ['crisis', 'harassment', 'discrimination', 'legal'];
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function monthLabel(m) {
  const [y, mo] = m.split('-');
  return getLang() === 'ja' ? `${y}/${Number(mo)}` : `${mo}/${y.slice(2)}`;
}

function fmt(v, kind) {
  if (v === null || v === undefined) return '—';
  if (kind === 'pct') return `${Math.round(v * 100)}%`;
  if (kind === 'int') return String(Math.round(v));
  return (Math.round(v * 100) / 100).toFixed(kind === 'num1' ? 1 : 2);
}

// lineChart draws series of values per month (null: hidden) as lines that
// break at a hidden month, with a legend and a text alternative.
export function lineChart(title, months, series, { min = 0, max = 1, kind = 'pct', label = monthLabel } = {}) {
  const w = 640, ht = 200, left = 44, right = 32, top = 12, bottom = 28;
  const x = (i) => left + (months.length > 1 ? (i * (w - left - right)) / (months.length - 1) : (w - left - right) / 2);
  const y = (v) => top + (1 - (v - min) / (max - min || 1)) * (ht - top - bottom);
  const chart = svg('svg', { viewBox: `0 0 ${w} ${ht}`, class: 'chart', role: 'img', 'aria-label': title });
  for (let k = 0; k <= 4; k++) {
    const v = min + ((max - min) * k) / 4;
    chart.append(svg('line', { x1: left, x2: w - right, y1: y(v), y2: y(v), class: 'grid' }));
    chart.append(svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(v, kind === 'num' ? 'num1' : kind)));
  }
  const every = Math.ceil(months.length / 12);
  months.forEach((m, i) => {
    if (i % every === 0) chart.append(svg('text', { x: x(i), y: ht - 8, 'text-anchor': 'middle', class: 'axis' }, label(m)));
  });
  series.forEach((s, n) => {
    let run = [];
    const flush = () => {
      if (run.length > 1) chart.append(svg('polyline', { points: run.join(' '), class: `line s${n}` }));
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) { flush(); return; }
      run.push(`${x(i)},${y(v)}`);
      chart.append(svg('circle', { cx: x(i), cy: y(v), r: 3, class: `dot s${n}` },
        svg('title', {}, `${s.label} ${label(months[i])}: ${fmt(v, kind)}`)));
    });
    flush();
  });
  return h('figure', { class: 'chart-box' }, chart, legend(series.map((s) => s.label)));
}

// barChart stacks counts per month.
function barChart(title, months, stacks, kind = 'int') {
  const w = 640, ht = 200, left = 44, right = 32, top = 12, bottom = 28;
  const totals = months.map((_, i) => stacks.reduce((a, s) => a + (s.values[i] || 0), 0));
  const max = kind === 'pct' ? 1 : Math.max(1, ...totals);
  const slot = (w - left - right) / Math.max(1, months.length);
  const chart = svg('svg', { viewBox: `0 0 ${w} ${ht}`, class: 'chart', role: 'img', 'aria-label': title });
  const y = (v) => top + (1 - v / max) * (ht - top - bottom);
  chart.append(svg('line', { x1: left, x2: w - right, y1: y(0), y2: y(0), class: 'grid' }));
  chart.append(svg('text', { x: left - 6, y: y(max) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(max, kind)));
  const every = Math.ceil(months.length / 12);
  months.forEach((m, i) => {
    let base = 0;
    stacks.forEach((s, n) => {
      const v = s.values[i] || 0;
      if (v > 0) {
        chart.append(svg('rect', { x: left + i * slot + slot * 0.15, width: slot * 0.7, y: y(base + v), height: y(base) - y(base + v), class: `bar s${n}` },
          svg('title', {}, `${s.label} ${monthLabel(m)}: ${fmt(v, kind)}`)));
      }
      base += v;
    });
    if (i % every === 0) chart.append(svg('text', { x: left + (i + 0.5) * slot, y: ht - 8, 'text-anchor': 'middle', class: 'axis' }, monthLabel(m)));
  });
  return h('figure', { class: 'chart-box' }, chart, legend(stacks.map((s) => s.label)));
}

function legend(labels) {
  return h('figcaption', { class: 'legend' }, labels.map((l, n) => h('span', {}, h('span', { class: `swatch s${n}`, 'aria-hidden': 'true' }), l)));
}

// table renders rows with a CSV download of exactly what it shows.
export function table(name, head, rows) {
  const download = () => {
    const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const text = '\ufeff' + [head, ...rows].map((r) => r.map((c) => q(String(c))).join(',')).join('\n') + '\n';
    const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: `taiwa-${name}.csv` });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  };
  return h('div', { class: 'stack' },
    h('div', { class: 'table-wrap' }, h('table', { class: 'figures', dataset: { table: name } },
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))))),
    h('button', { type: 'button', class: 'btn btn-small', onclick: download }, t('ins.csv')));
}

// index makes a lookup of cells: family/slice/month -> cell.
function index(cells) {
  const m = new Map();
  for (const c of cells) m.set(`${c.family}/${c.slice}/${c.month}`, c);
  return (family, slice, month) => m.get(`${family}/${slice}/${month}`);
}

function styleName(s) { return t('ins.style.' + s); }

// sections draws every family of figures for one set of cells; topic
// names a topic's slug.
function sections(cells, months, withReferrals, topic) {
  const get = index(cells);
  const fig = (family, slice, name) => months.map((m) => { const c = get(family, slice, m); return c ? c.figures[name] : null; });
  const out = [];
  const sec = (title, ...body) => out.push(h('section', { class: 'card stack' }, h('h2', {}, title), ...body));

  const rate = fig('sessions', '', 'implementation_rate');
  const refl = fig('sessions', '', 'reflection_share');
  sec(t('ins.sessions'),
    lineChart(t('ins.sessions'), months, [{ label: t('ins.rate'), values: rate }, { label: t('ins.reflection'), values: refl }]),
    table('sessions', [t('ins.month'), t('ins.planned'), t('ins.held'), t('ins.rate'), t('ins.per_member'), t('ins.reflection'), t('ins.members')],
      months.map((m) => {
        const c = get('sessions', '', m);
        return [monthLabel(m), fmt(c?.figures.planned, 'int'), fmt(c?.figures.held, 'int'), fmt(c?.figures.implementation_rate, 'pct'),
          fmt(c?.figures.held_per_member, 'num1'), fmt(c?.figures.reflection_share, 'pct'), fmt(c?.members, 'int')];
      })));

  const cond = fig('condition', '', 'condition_mean');
  sec(t('ins.condition'),
    lineChart(t('ins.condition'), months, [{ label: t('ins.condition.mean'), values: cond }], { min: 1, max: 5, kind: 'num' }),
    table('condition', [t('ins.month'), t('ins.condition.mean')],
      months.map((m) => { const c = get('condition', '', m); return [monthLabel(m), fmt(c?.figures.condition_mean)]; })));

  const stacks = STYLES.map((s) => ({ label: styleName(s), values: fig('style', s, 'share') }));
  sec(t('ins.styles'), barChart(t('ins.styles'), months, stacks, 'pct'),
    table('styles', [t('ins.month'), ...STYLES.map(styleName)], months.map((m, i) => [monthLabel(m), ...stacks.map((s) => fmt(s.values[i], 'pct'))])));

  sec(t('ins.feedback'), table('feedback', [t('ins.style'), t('ins.months.shown'), t('ins.satisfaction'), t('ins.matched'), t('ins.partly')],
    [...STYLES, 'none'].map((s) => {
      const cs = months.map((m) => get('feedback', s, m)).filter(Boolean);
      const avg = (name) => cs.reduce((a, c) => a + c.figures[name], 0) / cs.length;
      return [styleName(s), String(cs.length), cs.length ? fmt(avg('satisfaction_mean')) : '—',
        cs.length ? fmt(avg('matched_yes'), 'pct') : '—', cs.length ? fmt(avg('matched_partly'), 'pct') : '—'];
    })));

  const topics = [...new Set(cells.filter((c) => c.family === 'topic').map((c) => c.slice))].sort();
  if (topics.length) {
    sec(t('ins.topics'), table('topics', [t('ins.topic'), ...months.map(monthLabel)], topics.map((tp) => [topic(tp), ...fig('topic', tp, 'share').map((v) => fmt(v, 'pct'))])));
  }

  sec(t('ins.actions'),
    table('actions', [t('ins.month'), t('ins.open'), t('ins.age'), t('ins.over30'), t('ins.closed'), t('ins.to_close')],
      months.map((m) => {
        const c = get('actions', '', m), d = get('actions_closed', '', m);
        return [monthLabel(m), fmt(c?.figures.open, 'int'), fmt(c?.figures.mean_age_days, 'num1'), fmt(c?.figures.over_30_days_share, 'pct'),
          fmt(d?.figures.closed, 'int'), fmt(d?.figures.mean_days_to_close, 'num1')];
      })));

  if (withReferrals) {
    sec(t('ins.referrals'), table('referrals', [t('ins.month'), ...MATTERS.map((x) => t('ins.matter.' + x))],
      months.map((m) => [monthLabel(m), ...MATTERS.map((x) => fmt(get('referrals', x, m)?.figures.referrals, 'int'))])));
  }
  return out;
}

function monthsSelect(value, onchange) {
  const sel = h('select', { id: 'ins-months', onchange }, [6, 12, 24, 36].map((n) => h('option', { value: n, selected: n === value }, t('ins.months.n', n))));
  return sel;
}

// insightsView is the organization view for admins.
export async function insightsView(main, params, ctx) {
  let months = 12, team = '';
  let report = null;
  const topic = await topicNames(getLang());
  const body = h('div', { class: 'stack' });
  const teamSel = h('select', { id: 'ins-team' });
  const draw = () => {
    clear(body);
    const cells = report.cells.filter((c) => (team ? c.team_id === team : c.team_id === null));
    if (!cells.length) body.append(h('p', { class: 'muted' }, t('ins.none')));
    else body.append(...sections(cells, fromFirst(report.months, cells), !team, topic));
  };
  const load = async () => {
    try {
      report = await api('GET', `/api/org/insights?months=${months}`);
    } catch (err) {
      if (err.status !== 403) throw err;
      clear(body);
      body.append(h('p', { class: 'muted', id: 'ins-closed' }, t('ins.curators.closed')));
      return;
    }
    clear(teamSel);
    teamSel.append(h('option', { value: '' }, t('ins.org')));
    const depth = new Map();
    for (const tm of report.teams) {
      const d = tm.parent_id ? (depth.get(tm.parent_id) || 0) + 1 : 0;
      depth.set(tm.id, d);
      teamSel.append(h('option', { value: tm.id, selected: tm.id === team }, '\u3000'.repeat(d) + tm.name + (tm.archived_at ? t('ins.archived') : '')));
    }
    draw();
  };
  teamSel.addEventListener('change', () => { team = teamSel.value; draw(); });
  const csvAll = h('a', { class: 'btn btn-small', href: `/api/org/insights?months=${months}&format=csv`, download: 'taiwa-insights.csv' }, t('ins.csv.all'));
  const monthsSel = monthsSelect(months, async () => {
    months = Number(monthsSel.value);
    csvAll.setAttribute('href', `/api/org/insights?months=${months}&format=csv`);
    await load();
  });
  // Admins decide whether curators see this page too.
  let access = null;
  if (ctx.me.user.role === 'admin') {
    const box = h('input', { type: 'checkbox', id: 'ins-curators' });
    box.checked = (await api('GET', '/api/org/insights/access')).curators;
    box.addEventListener('change', async () => {
      try {
        await api('PUT', '/api/org/insights/access', { curators: box.checked });
        ctx.notify(t('teams.saved'));
      } catch (err) { access.append(ctx.errorBox(err)); }
    });
    access = h('label', { class: 'row' }, box, t('ins.curators'));
  }
  main.append(h('h1', {}, t('ins.title')), h('p', { class: 'muted' }, t('ins.hint')),
    h('div', { class: 'row' }, field(t('ins.months'), monthsSel), field(t('ins.team'), teamSel), csvAll), access,
    h('p', { class: 'small muted' }, t('ins.suppressed')), body);
  await load();
}

// myInsightsView is a manager's own view beside the organization's.
export async function myInsightsView(main, params, ctx) {
  let months = 12;
  const body = h('div', { class: 'stack' });
  const load = async () => {
    const r = await api('GET', `/api/me/insights?months=${months}`);
    r.months = fromFirst(r.months, [...r.own, ...r.organization]);
    clear(body);
    const own = index(r.own), org = index(r.organization);
    const fig = (get, family, slice, name) => r.months.map((m) => { const c = get(family, slice, m); return c ? c.figures[name] : null; });
    const pair = (title, family, slice, name, opts, kind) => {
      const a = fig(own, family, slice, name), b = fig(org, family, slice, name);
      return h('section', { class: 'card stack' }, h('h2', {}, title),
        lineChart(title, r.months, [{ label: t('mine.own'), values: a }, { label: t('mine.org'), values: b }], opts),
        table(`${family}-${name}`, [t('ins.month'), t('mine.own'), t('mine.org')], r.months.map((m, i) => [monthLabel(m), fmt(a[i], kind), fmt(b[i], kind)])));
    };
    const own1 = (title, family, name, kind) => h('section', { class: 'card stack' }, h('h2', {}, title),
      table(`${family}-${name}`, [t('ins.month'), t('mine.own')], r.months.map((m) => [monthLabel(m), fmt(own(family, '', m)?.figures[name], kind)])));
    body.append(
      pair(t('ins.rate'), 'sessions', '', 'implementation_rate', {}, 'pct'),
      pair(t('ins.per_member'), 'sessions', '', 'held_per_member', { min: 0, max: 4, kind: 'num' }, 'num1'),
      own1(t('ins.closed'), 'actions_closed', 'closed', 'int'),
      pair(t('ins.to_close'), 'actions_closed', '', 'mean_days_to_close', { min: 0, max: 60, kind: 'int' }, 'num1'),
      pair(t('ins.reflection'), 'sessions', '', 'reflection_share', {}, 'pct'),
      pair(t('ins.condition'), 'condition', '', 'condition_mean', { min: 1, max: 5, kind: 'num' }, 'num'),
      pair(`${t('ins.actions')}: ${t('ins.age')}`, 'actions', '', 'mean_age_days', { min: 0, max: 20 * Math.ceil(Math.max(20, ...[...r.own, ...r.organization].filter((c) => c.family === 'actions').map((c) => c.figures.mean_age_days)) / 20), kind: 'int' }, 'num1'));
    const rows = [...STYLES, 'none'].map((s) => {
      const sum = (get) => {
        const cs = r.months.map((m) => get('feedback', s, m)).filter(Boolean);
        const avg = (name) => cs.reduce((a, c) => a + c.figures[name], 0) / cs.length;
        return cs.length ? [fmt(avg('satisfaction_mean')), fmt(avg('matched_yes'), 'pct')] : ['—', '—'];
      };
      return [styleName(s), ...sum(own), ...sum(org)];
    });
    body.append(h('section', { class: 'card stack' }, h('h2', {}, t('ins.feedback')),
      table('feedback', [t('ins.style'), `${t('mine.own')} ${t('ins.satisfaction')}`, `${t('mine.own')} ${t('ins.matched')}`, `${t('mine.org')} ${t('ins.satisfaction')}`, `${t('mine.org')} ${t('ins.matched')}`], rows)));
  };
  const monthsSel = monthsSelect(months, async () => { months = Number(monthsSel.value); await load(); });
  main.append(h('h1', {}, t('mine.title')), h('p', { class: 'muted' }, t('mine.hint')),
    h('div', { class: 'row' }, field(t('ins.months'), monthsSel)), body);
  await load();
}

// teamsView lets admins build the team tree, place managers and import a CSV.
export async function teamsView(main, params, ctx) {
  const tree = h('div', { class: 'stack' });
  const managers = h('div');
  const addForm = h('form', { class: 'card stack', id: 'team-add' });
  const load = async () => {
    const [{ teams }, { users }] = await Promise.all([api('GET', '/api/org/teams'), api('GET', '/api/users')]);
    const parentOptions = (sel, except) => [h('option', { value: '' }, t('teams.top')),
      ...teams.filter((tm) => tm.id !== except).map((tm) => h('option', { value: tm.id, selected: tm.id === sel }, path(teams, tm)))];
    clear(tree);
    if (!teams.length) tree.append(h('p', { class: 'muted' }, t('teams.none')));
    const list = h('ul', { class: 'teams' });
    for (const tm of teams) {
      const name = h('input', { value: tm.name, required: true, maxlength: 200, 'aria-label': t('teams.name') });
      const parent = h('select', { 'aria-label': t('teams.parent') }, parentOptions(tm.parent_id, tm.id));
      const edit = h('form', { class: 'row', hidden: true },
        name, parent, h('button', { class: 'btn btn-small', type: 'submit' }, t('teams.save')));
      edit.addEventListener('submit', async (e) => {
        e.preventDefault();
        try {
          await api('PUT', `/api/org/teams/${tm.id}`, { name: name.value, parent_id: parent.value || null });
          ctx.notify(t('teams.saved'));
          await load();
        } catch (err) { edit.append(ctx.errorBox(err)); }
      });
      const del = async () => {
        try {
          await api('DELETE', `/api/org/teams/${tm.id}`);
          ctx.notify(t('teams.deleted'));
          await load();
        } catch (err) { row.append(ctx.errorBox(err)); }
      };
      const row = h('li', { class: `depth${Math.min(depthOf(teams, tm), 5)}`, dataset: { team: tm.name } },
        h('strong', {}, tm.name), ' ',
        h('span', { class: 'small muted' }, tm.managers.map((m) => m.display_name).join('、')), ' ',
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => { edit.hidden = !edit.hidden; } }, t('teams.edit')), ' ',
        h('button', { type: 'button', class: 'btn btn-small', onclick: del }, t('teams.delete')), edit);
      list.append(row);
    }
    tree.append(list);

    clear(addForm);
    const name = h('input', { name: 'name', required: true, maxlength: 200 });
    const parent = h('select', { name: 'parent' }, parentOptions(''));
    addForm.append(h('h2', {}, t('teams.add')), field(t('teams.name'), name), field(t('teams.parent'), parent),
      h('button', { class: 'btn btn-primary', type: 'submit' }, t('teams.add')));

    clear(managers);
    const current = new Map();
    for (const tm of teams) for (const m of tm.managers) current.set(m.id, tm.id);
    const rows = users.filter((u) => u.role === 'manager' && !u.disabled_at).map((u) => {
      const sel = h('select', { 'aria-label': `${t('teams.team')}: ${u.display_name}`, dataset: { user: u.display_name } },
        h('option', { value: '' }, t('teams.noteam')),
        teams.map((tm) => h('option', { value: tm.id, selected: current.get(u.id) === tm.id }, path(teams, tm))));
      sel.addEventListener('change', async () => {
        try {
          await api('PUT', `/api/users/${u.id}/team`, { team_id: sel.value || null });
          ctx.notify(t('teams.saved'));
          await load();
        } catch (err) { managers.append(ctx.errorBox(err)); }
      });
      return h('tr', {}, h('th', { scope: 'row' }, u.display_name), h('td', {}, sel));
    });
    managers.append(h('table', { class: 'figures' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('teams.manager')), h('th', { scope: 'col' }, t('teams.team')))), h('tbody', {}, rows)));
  };
  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(addForm);
    try {
      await api('POST', '/api/org/teams', { name: f.get('name'), parent_id: f.get('parent') || null });
      ctx.notify(t('teams.saved'));
      await load();
    } catch (err) { addForm.append(ctx.errorBox(err)); }
  });

  const file = h('input', { type: 'file', accept: '.csv,text/csv' });
  const text = h('textarea', { rows: 5, id: 'teams-csv', placeholder: 'team,manager_email\n営業部 / 東日本,sato@example.com' });
  file.addEventListener('change', async () => { if (file.files[0]) text.value = await file.files[0].text(); });
  const result = h('div', { role: 'status' });
  const importForm = h('form', { class: 'card stack' }, h('h2', {}, t('teams.import')), h('p', { class: 'hint' }, t('teams.import.hint')),
    field(t('teams.import.file'), file), text, h('button', { class: 'btn', type: 'submit' }, t('teams.import.run')), result);
  importForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(result);
    try {
      const r = await api('POST', '/api/org/teams/import', { text: text.value });
      result.append(h('p', {}, t('teams.import.done', r.teams_created, r.managers_assigned)));
      await load();
    } catch (err) { result.append(ctx.errorBox(err)); }
  });

  main.append(h('h1', {}, t('teams.title')), h('p', { class: 'muted' }, t('teams.hint')),
    h('section', { class: 'card stack' }, tree), addForm,
    h('section', { class: 'card stack' }, h('h2', {}, t('teams.managers')), managers), importForm);
  await load();
}

// fromFirst drops the months before the first one with any figure (an
// organization that started using Taiwa recently).
function fromFirst(months, cells) {
  const first = months.findIndex((m) => cells.some((c) => c.month === m));
  return first < 0 ? months : months.slice(first);
}

// usageView shows curators what each document does for the coach.
export async function usageView(main, params, ctx) {
  let days = 90, lang = getLang();
  const body = h('div', { class: 'stack' });
  const load = async () => {
    const [r, topic] = await Promise.all([api('GET', `/api/kb/usage?days=${days}`), topicNames(getLang())]);
    r.documents = r.documents.filter((d) => !lang || d.language === lang);
    clear(body);
    const never = r.documents.filter((d) => d.retrieved === 0).length;
    const head = [t('usage.document'), t('usage.language'), t('usage.topics'), t('usage.source'), t('usage.retrieved'), t('usage.cited'), t('usage.helpful'), t('usage.unhelpful')];
    const rows = r.documents.map((d) => [d.title, d.language, d.topics.map(topic).join('、'), t(d.starter ? 'usage.starter' : 'usage.own'),
      String(d.retrieved), String(d.cited), String(d.helpful), String(d.unhelpful)]);
    body.append(h('p', {}, t('usage.never', never), ' ', h('a', { href: '#/gaps' }, t('usage.gaps'))),
      table('usage', head, rows));
    const used = r.documents.filter((d) => d.retrieved > 0);
    if (used.length) {
      body.append(h('section', { class: 'card stack' }, h('h2', {}, t('usage.details')),
        used.map((d) => h('details', { class: 'usage' }, h('summary', {}, `${d.title}（${d.retrieved} / ${d.cited}）`),
          h('ul', {}, d.passages.map((p) => h('li', {}, (p.heading_path.join(' › ') || d.title) + ` — ${t('usage.retrieved')} ${p.retrieved}, ${t('usage.cited')} ${p.cited}`))),
          d.comments.length ? h('div', {}, h('h3', {}, t('usage.comments')),
            h('ul', {}, d.comments.map((c) => h('li', {}, `${monthLabel(c.month)} ${t(c.helpful ? 'usage.up' : 'usage.down')}: `, c.comment)))) : null))));
    }
  };
  const sel = h('select', { id: 'usage-days', onchange: async () => { days = Number(sel.value); await load(); } },
    [30, 90, 365].map((n) => h('option', { value: n, selected: n === days }, t('usage.days.n', n))));
  const langSel = h('select', { id: 'usage-lang', onchange: async () => { lang = langSel.value; await load(); } },
    [['', t('usage.lang.all')], ['ja', '日本語'], ['en', 'English']].map(([v, label]) => h('option', { value: v, selected: v === lang }, label)));
  main.append(h('h1', {}, t('usage.title')), h('p', { class: 'muted' }, t('usage.hint')),
    h('div', { class: 'row' }, field(t('usage.days'), sel), field(t('usage.language'), langSel)), body);
  await load();
}

function depthOf(teams, tm) {
  let d = 0;
  for (let p = tm.parent_id; p; p = teams.find((x) => x.id === p)?.parent_id) d++;
  return d;
}

function path(teams, tm) {
  const names = [tm.name];
  for (let p = tm.parent_id; p;) {
    const up = teams.find((x) => x.id === p);
    if (!up) break;
    names.unshift(up.name);
    p = up.parent_id;
  }
  return names.join(' / ');
}
