// manager.js: a manager's members, their history, logging a 1on1 (with the
// masking shown before saving), member links, prep and reflection.
import { api, stream } from './api.js';
import { h, append, clear, field, formatDate, sparkline } from './dom.js';
import { t, addMessages } from './i18n.js';
import { citedText, citationList, modeLine, referralBox, thumbs } from './coachui.js';

addMessages({
  ja: {
    'mem.title': 'メンバー',
    'mem.add': 'メンバーを追加',
    'mem.alias': '呼び名',
    'mem.alias.hint': '実名ではなく「Aさん」「メンバー3」のような呼び名にしてください。',
    'mem.last': '前回の1on1',
    'mem.next': '次回の1on1',
    'mem.actions': '未完了のアクション',
    'mem.condition': 'コンディション',
    'mem.condition.label': 'コンディションの推移: {0}',
    'mem.empty': 'まだメンバーがいません。呼び名を入れて追加してください。',
    'mem.prepare': '次の1on1の準備',
    'mem.schedule': '1on1を予定する',
    'mem.log': '1on1を記録する',
    'mem.chat': 'このメンバーについて相談する',
    'mem.export': 'データを書き出す（JSON）',
    'mem.erase': 'このメンバーを削除',
    'mem.danger': '元に戻せない操作',
    'mem.erase.explain': '{0}のすべての記録（1on1、アクション、フィードバック、相談）を削除します。元に戻せません。残したい記録があれば、先に「データを書き出す」で保存してください。',
    'mem.erase.type': '確認のため、呼び名「{0}」をそのまま入力してください',
    'mem.erased': '削除しました。',
    'mem.scheduled.many': '予定中の1on1が{0}件あります。同じ1on1を二重に登録したものなら、不要な方を開いて削除してください。',
    'mem.alias.name': 'この呼び名は実名のように見えます（{0}）。呼び名はあなたにだけ表示され、AIには送られませんが、「Aさん」のような呼び名をおすすめします。このまま追加するなら、もう一度「追加」を押してください。',
    'mem.names': '本人の呼び方（伏せ字用）',
    'mem.names.label': '名前の書き方（カンマか読点で区切る）',
    'mem.names.hint': '例：田中, たなか, Tanaka。メモや相談の中のこれらの書き方は「本人」に置き換わり、AIには名前が届きません。名前そのものは保存せず、照合用の値だけを残します。保存すると前の登録と置き換わります。',
    'mem.names.count': '{0}通りの書き方を登録済み',
    'mem.names.none': 'まだ登録されていません',
    'mem.names.save': '保存',
    'mem.timeline': '1on1の記録',
    'mem.open': '未完了のアクション',
    'mem.done': '完了',
    'mem.drop': '取り下げ',
    'mem.overdue': '期限切れ',
    'mem.signals': 'いまの状況',
    'mem.request': '本人の希望',
    'mem.norequest': '本人からの希望はまだありません。',
    'mem.cadence': '間隔の目安：約{0}日',
    'mem.since': '前回から{0}日',
    'mem.impl': '実施率 {0}%（予定{1}回中{2}回）',
    'mem.feedback': '本人の評価（{0}件の平均）：すっきり度 {1} / 5、希望との一致 {2}%',
    'mem.feedback.few': '本人の評価：{0}件（3件以上たまり、ほかの数字と比べても1件ずつの回答がわからないときに平均を表示します）',
    'mem.comments': '本人が共有してくれたコメント',
    'status.scheduled': '予定', 'status.held': '実施', 'status.cancelled': 'キャンセル', 'status.skipped': 'スキップ',
    'style.listen': '話を聴いてほしい', 'style.advise': '助言がほしい', 'style.think-together': '一緒に考えてほしい',
    'style.encourage': '励ましてほしい', 'style.decide': '判断してほしい', 'style.report': '報告を聞いてほしい',
    'style.none': '（指定なし）',
    'owner.manager': '自分', 'owner.member': '本人',
    'from.member': '本人から',
    'ses.status': '状態',
    'ses.when': '日時',
    'ses.duration': '時間（分）',
    'ses.condition': 'コンディション（1〜5）',
    'ses.style': '本人が望む関わり方',
    'ses.topics': 'テーマ',
    'ses.request': '本人が話したいこと',
    'ses.notes': 'メモ',
    'ses.notes.hint': '名前・メールアドレス・電話番号などは保存前に自動で伏せ字になります。',
    'ses.action': '合意したアクション（任意）',
    'ses.owner': '担当',
    'ses.due': '期限',
    'ses.check': '伏せ字を確認する',
    'ses.save': 'この内容で保存',
    'ses.masked': '保存される内容（伏せ字済み）',
    'ses.report': '伏せ字にしたもの：{0}',
    'ses.report.none': '伏せ字にするものはありませんでした。',
    'ses.saved': '保存しました。{0}',
    'ses.title': '1on1（{0}）',
    'ses.link.intake': '事前アンケートのリンクを作る',
    'ses.link.feedback': 'ふり返りアンケートのリンクを作る',
    'ses.link.made': 'このリンクをメンバーに送ってください（一度だけ使えます。期限：{0}）',
    'ses.link.used': 'メンバーが回答済み',
    'ses.link.line': '{0}（{1}に作成）',
    'ses.link.phase.intake': '事前アンケートのリンク',
    'ses.link.phase.feedback': 'ふり返りアンケートのリンク',
    'ses.empty': 'この1on1には、まだ何も書かれていません。',
    'ses.empty.scheduled': '1on1の前に「事前アンケートのリンクを作る」でメンバーに話したいことを聞くと、その答えがここに表示されます。1on1が終わったら「この1on1を記録する」で、メモと合意したアクションを残してください。',
    'ses.empty.held': '「記録を直す」で、メモや合意したアクションを書き足せます。',
    'action.status.open': '未完了', 'action.status.done': '完了', 'action.status.dropped': '取り下げ',
    'ses.feedback.given': 'メンバーがふり返りに回答しました（内容は複数回分の平均でのみ表示されます）。',
    'ses.markheld': '実施済みにする',
    'ses.log': 'この1on1を記録する',
    'ses.edit': '記録を直す',
    'ses.delete': 'この記録を削除',
    'ses.delete.confirm': 'この1on1の記録を削除しますか？',
    'ses.dup': 'このメンバーには、予定している1on1がすでにあります（{0}）。同じ1on1を二重に登録していないか確かめてください。',
    'ses.dup.open': '{0}の1on1を開く',
    'ses.dup.anyway': 'それでも予定を追加する',
    'ref.title': 'ふり返り',
    'ref.run': 'ふり返りの問いを出す',
    'ref.answer': 'あなたの答え',
    'ref.save': '答えを保存',
    'ref.saved': 'ふり返りを保存しました。次の準備に活かされます。',
    'prep.title': '{0}との次の1on1の準備',
    'prep.question': '相談したいこと・やろうと思っていること（任意）',
    'prep.question.hint': '例：「挑戦を避けがちなので、もう少し背中を押すつもりです」',
    'prep.session': '対象の1on1',
    'prep.next': '次回の予定',
    'prep.next.hint': '「次回の予定」は、いちばん近い予定です。その予定に本人の希望がなく、後の予定にあるとき（本人の回答か、あなたの記入）は、希望のある予定のうちいちばん近いものを使います。',
    'prep.answered': '{0}（本人の回答あり）',
    'prep.requested': '{0}（希望の記入あり）',
    'prep.run': '準備する',
    'prep.cancel': '中止',
    'prep.writing': '作成中…',
    'prep.retrieving': '履歴とガイダンスを確認しています…',
    'prep.summary': '要約',
    'prep.agenda': '進め方',
    'prep.questions': '使える問いかけ',
    'prep.watch': '気をつけること',
    'prep.followups': 'フォローするアクション',
  },
  en: {
    'mem.title': 'Members',
    'mem.add': 'Add a member',
    'mem.alias': 'Alias',
    'mem.alias.hint': 'Not a real name: an alias such as "A" or "Member 3".',
    'mem.last': 'Last 1on1',
    'mem.next': 'Next 1on1',
    'mem.actions': 'Open actions',
    'mem.condition': 'Condition',
    'mem.condition.label': 'Condition over time: {0}',
    'mem.empty': 'No members yet. Add one with an alias.',
    'mem.prepare': 'Prepare the next 1on1',
    'mem.schedule': 'Schedule a 1on1',
    'mem.log': 'Log a 1on1',
    'mem.chat': 'Talk about this member',
    'mem.export': 'Export data (JSON)',
    'mem.erase': 'Erase this member',
    'mem.danger': 'Cannot be undone',
    'mem.erase.explain': 'This erases everything about {0} (1on1s, actions, feedback, conversations). It cannot be undone. To keep a copy, use "Export data" first.',
    'mem.erase.type': 'To confirm, type the alias "{0}" exactly',
    'mem.erased': 'Erased.',
    'mem.scheduled.many': '{0} 1on1s are scheduled. If one 1on1 was planned twice, open the one you do not need and delete it.',
    'mem.alias.name': 'This alias looks like a real name ({0}). Aliases are shown to you only and never sent to the AI, but an alias such as "A" is safer. To add it anyway, press Add again.',
    'mem.names': "The member's name (for masking)",
    'mem.names.label': 'Ways their name is written (separated by commas)',
    'mem.names.hint': 'E.g. Tanaka, 田中, たなか. In notes and chats these become [MEMBER], so the AI never gets the name. The name itself is not stored, only values to match it. Saving replaces what was there.',
    'mem.names.count': '{0} ways of writing registered',
    'mem.names.none': 'None registered yet',
    'mem.names.save': 'Save',
    'mem.timeline': '1on1 history',
    'mem.open': 'Open actions',
    'mem.done': 'Done',
    'mem.drop': 'Drop',
    'mem.overdue': 'Overdue',
    'mem.signals': 'Where things stand',
    'mem.request': "The member's request",
    'mem.norequest': 'No request from the member yet.',
    'mem.cadence': 'Usual interval: about {0} days',
    'mem.since': '{0} days since the last one',
    'mem.impl': 'Implementation {0}% ({2} of {1} planned held)',
    'mem.feedback': 'Their ratings (average of {0}): satisfaction {1} / 5, matched what they asked {2}%',
    'mem.feedback.few': 'Their ratings: {0} (averages show from 3 on, and only when no single answer can be worked out from them and the other figures)',
    'mem.comments': 'Comments the member chose to share',
    'status.scheduled': 'Scheduled', 'status.held': 'Held', 'status.cancelled': 'Cancelled', 'status.skipped': 'Skipped',
    'style.listen': 'Just listen', 'style.advise': 'Give advice', 'style.think-together': 'Think it through together',
    'style.encourage': 'Encourage', 'style.decide': 'Decide', 'style.report': 'Hear my update',
    'style.none': '(none)',
    'owner.manager': 'Me', 'owner.member': 'Member',
    'from.member': 'from the member',
    'ses.status': 'Status',
    'ses.when': 'Date and time',
    'ses.duration': 'Minutes',
    'ses.condition': 'Condition (1-5)',
    'ses.style': 'How they want you to respond',
    'ses.topics': 'Topics',
    'ses.request': 'What they want to talk about',
    'ses.notes': 'Notes',
    'ses.notes.hint': 'Names, email addresses, phone numbers and the like are masked before anything is saved.',
    'ses.action': 'Agreed action (optional)',
    'ses.owner': 'Owner',
    'ses.due': 'Due',
    'ses.check': 'Check the masking',
    'ses.save': 'Save as shown',
    'ses.masked': 'What will be saved (masked)',
    'ses.report': 'Masked: {0}',
    'ses.report.none': 'Nothing needed masking.',
    'ses.saved': 'Saved. {0}',
    'ses.title': '1on1 ({0})',
    'ses.link.intake': 'Make a before-the-1on1 link',
    'ses.link.feedback': 'Make an after-the-1on1 link',
    'ses.link.made': 'Send this link to the member (it works once; expires {0})',
    'ses.link.used': 'answered',
    'ses.link.line': '{0}, made {1}',
    'ses.link.phase.intake': 'Before-the-1on1 link',
    'ses.link.phase.feedback': 'After-the-1on1 link',
    'ses.empty': 'Nothing has been written for this 1on1 yet.',
    'ses.empty.scheduled': 'Before the 1on1, "Make a before-the-1on1 link" asks the member what they want to talk about; their answer shows here. Afterwards, "Log this 1on1" keeps your notes and the actions you agreed.',
    'ses.empty.held': '"Edit the record" adds notes and the actions you agreed.',
    'action.status.open': 'Open', 'action.status.done': 'Done', 'action.status.dropped': 'Dropped',
    'ses.feedback.given': 'The member answered the feedback (shown only as averages over several 1on1s).',
    'ses.markheld': 'Mark as held',
    'ses.log': 'Log this 1on1',
    'ses.edit': 'Edit the record',
    'ses.delete': 'Delete this record',
    'ses.delete.confirm': 'Delete this 1on1 record?',
    'ses.dup': 'This member already has a 1on1 scheduled ({0}). Check that you are not planning the same 1on1 twice.',
    'ses.dup.open': 'Open the 1on1 of {0}',
    'ses.dup.anyway': 'Schedule it anyway',
    'ref.title': 'Reflection',
    'ref.run': 'Get reflection questions',
    'ref.answer': 'Your answer',
    'ref.save': 'Save answers',
    'ref.saved': 'Reflection saved. The next prep will use it.',
    'prep.title': 'Preparing the next 1on1 with {0}',
    'prep.question': 'Your question, or what you plan to do (optional)',
    'prep.question.hint': 'e.g. "She avoids challenges; I plan to push her a bit harder"',
    'prep.session': '1on1',
    'prep.next': 'The next one',
    'prep.next.hint': '"The next one" is the soonest 1on1. When it holds no request and a later one does (the member\'s answer, or one you wrote), it is the soonest of those that do.',
    'prep.answered': '{0} (the member answered)',
    'prep.requested': '{0} (request noted)',
    'prep.run': 'Prepare',
    'prep.cancel': 'Stop',
    'prep.writing': 'Writing…',
    'prep.retrieving': 'Reading the history and the guidance…',
    'prep.summary': 'Summary',
    'prep.agenda': 'Agenda',
    'prep.questions': 'Questions to ask',
    'prep.watch': 'Watch out for',
    'prep.followups': 'Actions to follow up',
  },
});

const STYLES = ['listen', 'advise', 'think-together', 'encourage', 'decide', 'report'];
const KIND_JA = { person: '名前', email: 'メールアドレス', phone: '電話番号', url: 'URL', address: '住所', postal_code: '郵便番号',
  employee_id: '社員番号', my_number: 'マイナンバー', card: 'カード番号', term: '社内用語', member: '本人の名前' };

function reportText(rep, lang) {
  const parts = Object.entries(rep || {}).filter(([, n]) => n > 0)
    .map(([k, n]) => `${lang === 'en' ? k.replace('_', ' ') : KIND_JA[k] || k} ${n}`);
  return parts.length ? t('ses.report', parts.join(lang === 'en' ? ', ' : '、')) : t('ses.report.none');
}

function statusBadge(s) {
  const cls = s === 'held' ? 'badge ok' : s === 'scheduled' ? 'badge accent' : 'badge warn';
  return h('span', { class: cls }, t('status.' + s));
}

async function topicsList() {
  const r = await api('GET', '/api/kb/topics');
  return r.topics;
}

export async function membersView(main, params, ctx) {
  const list = h('div', {}, h('p', { class: 'muted' }, t('common.loading')));
  const alias = h('input', { type: 'text', maxlength: 50, required: true, id: 'member-alias' });
  const err = h('div');
  const form = h('form', { class: 'card row' },
    h('div', { class: 'spacer' }, field(t('mem.alias'), alias, t('mem.alias.hint'))),
    h('button', { class: 'btn btn-primary', type: 'submit', id: 'member-add' }, t('mem.add')));
  // An alias that looks like a name gets a warning first; a second Add
  // with the same alias goes ahead.
  let warned = '';
  const add = form.querySelector('#member-add');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (add.disabled) return;
    clear(err);
    add.disabled = true;
    try {
      if (warned !== alias.value) {
        const r = await api('POST', '/api/redact', { texts: [alias.value] });
        const kinds = Object.keys(r.redaction || {});
        if (kinds.length) {
          warned = alias.value;
          err.append(h('p', { class: 'notice warn', role: 'alert', id: 'alias-warning' },
            t('mem.alias.name', kinds.map((k) => (ctx.lang === 'en' ? k.replace('_', ' ') : KIND_JA[k] || k)).join(t('common.sep')))));
          return;
        }
      }
      const m = await api('POST', '/api/members', { alias: alias.value });
      ctx.navigate(`/members/${m.data.id}`);
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    } finally {
      add.disabled = false;
    }
  });
  main.append(h('h1', {}, t('mem.title')), form, err, list);

  const { members } = await api('GET', '/api/members?limit=100');
  clear(list);
  if (members.length === 0) {
    list.append(h('p', { class: 'muted' }, t('mem.empty')));
    return;
  }
  list.append(h('div', { class: 'scroll-x' }, h('table', { class: 'table', id: 'members' },
    h('thead', {}, h('tr', {}, [t('mem.alias'), t('mem.last'), t('mem.next'), t('mem.actions'), t('mem.condition')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, members.map((m) => {
      const vals = m.conditions || [];
      return h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/members/${m.id}` }, m.alias)),
        h('td', {}, formatDate(m.last_session_at, ctx.lang) || '—'),
        h('td', {}, formatDate(m.next_session_at, ctx.lang, true) || '—'),
        h('td', {}, m.open_actions ? h('span', { class: 'badge warn' }, String(m.open_actions)) : '0'),
        h('td', {}, vals.length ? sparkline(vals, t('mem.condition.label', vals.join('→'))) : '—'));
    })))));
}

export async function memberView(main, params, ctx) {
  const id = params.id;
  const [m, sig, fb, sessions, actions, safety] = await Promise.all([
    api('GET', `/api/members/${id}`),
    api('GET', `/api/members/${id}/signals`),
    api('GET', `/api/members/${id}/feedback`),
    api('GET', `/api/members/${id}/sessions?limit=50`),
    api('GET', `/api/members/${id}/actions`),
    api('GET', `/api/members/${id}/referral`),
  ]);
  const formSlot = h('div');
  const err = h('div');
  const chat = async () => {
    try {
      const th = await api('POST', '/api/chat/threads', { member_id: id });
      ctx.navigate(`/chat/${th.id}`);
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  };
  append(main, [
    h('h1', {}, m.alias),
    // A sensitive matter in the member's words or the recent notes: what
    // to do comes before everything else on the page.
    referralBox(safety.referral, 'member-referral', () => ctx.navigate(`/members/${id}`)),
    h('div', { class: 'row' },
      h('a', { class: 'btn btn-primary', href: `#/members/${id}/prep`, id: 'prepare' }, t('mem.prepare')),
      h('button', { class: 'btn', type: 'button', id: 'log-session', onclick: async () => showSessionForm(formSlot, id, 'held', ctx, dueScheduled(sessions.sessions)) }, t('mem.log')),
      h('button', { class: 'btn', type: 'button', id: 'schedule-session', onclick: async () => showSessionForm(formSlot, id, 'scheduled', ctx) }, t('mem.schedule')),
      h('button', { class: 'btn', type: 'button', onclick: chat }, t('mem.chat')),
      h('span', { class: 'spacer' }),
      h('a', { class: 'btn btn-small', href: `/api/members/${id}/export`, download: `member-${id}.json` }, t('mem.export'))),
    err, formSlot]);

  // Where things stand.
  const facts = [];
  if (sig.days_since_last !== null) facts.push(t('mem.since', sig.days_since_last));
  if (sig.cadence_days !== null) facts.push(t('mem.cadence', Math.round(sig.cadence_days)));
  if (sig.implementation_rate !== null) facts.push(t('mem.impl', Math.round(sig.implementation_rate * 100), sig.planned, sig.held));
  const next = sig.next;
  const coming = upcoming(sessions.sessions);
  main.append(h('section', { class: 'card stack', 'aria-labelledby': 'signals-h' },
    h('h2', { id: 'signals-h' }, t('mem.signals')),
    h('div', { class: 'row' },
      sig.condition.values.length ? sparkline(sig.condition.values, t('mem.condition.label', sig.condition.values.join('→'))) : null,
      h('span', { class: 'muted' }, facts.join(' ・ '))),
    h('h3', {}, t('mem.request')),
    next && (next.style || next.request || next.topics.length)
      ? h('div', { id: 'member-request' },
        h('p', {}, formatDate(next.at, ctx.lang, true), ' ',
          next.style ? h('span', { class: 'badge accent' }, t('style.' + next.style)) : null, ' ',
          next.request_from === 'member' ? h('span', { class: 'badge' }, t('from.member')) : null),
        next.request ? h('p', { class: 'quote' }, next.request) : null)
      : h('p', { class: 'muted' }, t('mem.norequest')),
    coming.length > 1 ? h('p', { class: 'notice warn', id: 'member-scheduled-many' }, t('mem.scheduled.many', coming.length)) : null,
    fb.satisfaction !== null
      ? h('p', {}, t('mem.feedback', fb.ratings, fb.satisfaction.toFixed(1), Math.round(fb.matched * 100)))
      : h('p', { class: 'muted' }, t('mem.feedback.few', fb.received)),
    fb.shared_comments.length
      ? h('div', {}, h('h3', {}, t('mem.comments')), h('ul', {}, fb.shared_comments.map((c) => h('li', {}, c.comment, ' ', h('span', { class: 'muted small' }, formatDate(c.created_at, ctx.lang))))))
      : null));

  // The member's own name forms: stored as digests, so the field is never
  // filled back in; the count says what is registered.
  const names = h('input', { type: 'text', id: 'member-names', maxlength: 300, autocomplete: 'off' });
  const namesCount = (n) => (n ? t('mem.names.count', n) : t('mem.names.none'));
  const namesStatus = h('span', { class: 'small muted', role: 'status', id: 'member-names-status' }, namesCount(m.name_forms));
  const saveNames = async () => {
    const forms = names.value.split(/[,、，\n]/).map((s) => s.trim()).filter(Boolean);
    try {
      const r = await api('PUT', `/api/members/${id}/names`, { forms });
      names.value = '';
      namesStatus.textContent = namesCount(r.name_forms);
    } catch (ex) {
      namesStatus.textContent = ex.message;
    }
  };
  main.append(h('section', { class: 'card stack', 'aria-labelledby': 'names-h' },
    h('h2', { id: 'names-h' }, t('mem.names')),
    field(t('mem.names.label'), names, t('mem.names.hint')),
    h('div', { class: 'row' }, h('button', { class: 'btn btn-small', type: 'button', id: 'member-names-save', onclick: saveNames }, t('mem.names.save')), namesStatus)));

  // Open actions.
  const open = actions.actions.filter((a) => a.status === 'open');
  const setStatus = async (a, status) => {
    try {
      await api('PATCH', `/api/actions/${a.id}`, { status });
      ctx.navigate(`/members/${id}`);
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  };
  const overdue = Object.fromEntries(sig.open_actions.map((a) => [a.id, a.overdue]));
  main.append(h('section', { class: 'card', 'aria-labelledby': 'actions-h' },
    h('h2', { id: 'actions-h' }, t('mem.open')),
    open.length === 0 ? h('p', { class: 'muted' }, t('common.none')) : h('ul', { id: 'open-actions' }, open.map((a) => h('li', { class: 'row' },
      h('span', {}, a.text), h('span', { class: 'badge' }, t('owner.' + a.owner)),
      a.due_date ? h('span', { class: overdue[a.id] ? 'badge danger' : 'badge' }, a.due_date, overdue[a.id] ? ` ${t('mem.overdue')}` : '') : null,
      h('button', { class: 'btn btn-small', type: 'button', onclick: () => setStatus(a, 'done') }, t('mem.done')),
      h('button', { class: 'btn btn-small', type: 'button', onclick: () => setStatus(a, 'dropped') }, t('mem.drop')))))));

  // Timeline.
  main.append(h('section', { 'aria-labelledby': 'timeline-h' },
    h('h2', { id: 'timeline-h' }, t('mem.timeline')),
    sessions.sessions.length === 0 ? h('p', { class: 'muted' }, t('common.none')) : h('ol', { class: 'timeline', id: 'timeline' }, sessions.sessions.map((s) => h('li', { class: s.status },
      h('div', { class: 'row' },
        h('a', { href: `#/sessions/${s.id}` }, formatDate(s.held_at || s.scheduled_at || s.created_at, ctx.lang, true)),
        statusBadge(s.status),
        s.request_style ? h('span', { class: 'badge accent' }, t('style.' + s.request_style)) : null,
        s.condition ? h('span', { class: 'badge' }, `${t('mem.condition')} ${s.condition}`) : null),
      s.request_text ? h('p', { class: 'quote' }, s.request_text) : null,
      s.notes ? h('p', { class: 'notes' }, s.notes) : null,
      s.actions.length ? h('ul', { class: 'small' }, s.actions.map((a) => h('li', {}, a.text, ` (${t('owner.' + a.owner)})`))) : null)))));

  main.append(dangerSection(m, ctx));
}

// dangerSection holds what cannot be undone, apart from everything else at
// the bottom of the member's page: erasing the member, which waits until
// the alias is typed (a click alone, or a dialog clicked through, is not
// enough for a whole history).
function dangerSection(m, ctx) {
  const err = h('div');
  const typed = h('input', { type: 'text', id: 'member-erase-alias', autocomplete: 'off', spellcheck: 'false' });
  const erase = h('button', { class: 'btn btn-danger', type: 'submit', id: 'member-erase', disabled: true }, t('mem.erase'));
  const form = h('form', { class: 'stack' },
    h('p', { id: 'member-erase-explain' }, t('mem.erase.explain', m.alias)),
    field(t('mem.erase.type', m.alias), typed),
    h('div', { class: 'row' }, erase), err);
  typed.setAttribute('aria-describedby', 'member-erase-explain');
  const matches = () => typed.value.trim() === m.alias;
  typed.addEventListener('input', () => {
    erase.disabled = !matches();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!matches()) return;
    clear(err);
    erase.disabled = true;
    try {
      await api('DELETE', `/api/members/${m.id}`);
      ctx.notify(t('mem.erased'));
      ctx.navigate('/members');
    } catch (ex) {
      erase.disabled = !matches();
      err.append(ctx.errorBox(ex));
    }
  });
  return h('section', { class: 'card danger-zone', id: 'member-danger', 'aria-labelledby': 'danger-h' },
    h('h2', { id: 'danger-h' }, t('mem.danger')), form);
}

// upcoming are the scheduled 1on1s still to come (due at most half a day
// ago, as the API's also_scheduled and the signals' next count them),
// soonest first.
function upcoming(sessions) {
  const since = Date.now() - 12 * 3600e3;
  return sessions.filter((s) => s.status === 'scheduled' && s.scheduled_at && new Date(s.scheduled_at).getTime() >= since)
    .sort((a, b) => new Date(a.scheduled_at) - new Date(b.scheduled_at));
}

// dueScheduled is the scheduled 1on1 that "log a 1on1" most likely means:
// one planned for today or earlier (the latest), so it is logged rather
// than a second record made.
function dueScheduled(sessions) {
  const soon = Date.now() + 12 * 3600e3;
  return sessions.filter((s) => s.status === 'scheduled' && s.scheduled_at && new Date(s.scheduled_at).getTime() <= soon)
    .sort((a, b) => new Date(b.scheduled_at) - new Date(a.scheduled_at))[0];
}

function toLocalInput(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// showSessionForm logs a held 1on1 or schedules one. Before saving it shows
// exactly what will be stored, masked, and what was masked.
// existing, when set, is a session to log (a scheduled 1on1 that took
// place) or correct: the form starts from it and saves over it, so one
// 1on1 is never recorded twice.
async function showSessionForm(slot, memberID, status, ctx, existing) {
  clear(slot);
  const topics = await topicsList();
  const e = existing || {};
  const start = e.held_at || e.scheduled_at;
  const defaultWhen = start ? new Date(start) : status === 'held' ? new Date() : new Date(Date.now() + 7 * 86400e3);
  const when = h('input', { type: 'datetime-local', id: 'session-when', required: true, value: toLocalInput(defaultWhen) });
  const statusSel = h('select', { id: 'session-status' }, ['held', 'scheduled', 'cancelled', 'skipped'].map((s) => h('option', { value: s, selected: s === status }, t('status.' + s))));
  const duration = h('input', { type: 'number', min: 0, max: 600, id: 'session-duration', value: e.duration_min ?? (status === 'held' ? 30 : '') });
  const condition = h('select', { id: 'session-condition' }, h('option', { value: '' }, '—'), [1, 2, 3, 4, 5].map((n) => h('option', { value: n, selected: e.condition === n }, String(n))));
  const style = h('select', { id: 'session-style' }, h('option', { value: '' }, t('style.none')), STYLES.map((s) => h('option', { value: s, selected: e.request_style === s }, t('style.' + s))));
  const topicBoxes = topics.map((tp) => h('label', {}, h('input', { type: 'checkbox', name: 'session-topic', value: tp.slug, checked: (e.request_topics || []).includes(tp.slug) }), h('span', {}, ctx.lang === 'en' ? tp.en : tp.ja)));
  const request = h('textarea', { id: 'session-request', maxlength: 5000 }, e.request_text || '');
  const notes = h('textarea', { id: 'session-notes', maxlength: 20000 }, e.notes || '');
  const actionText = h('input', { type: 'text', id: 'action-text', maxlength: 1000 });
  const owner = h('select', { id: 'action-owner' }, ['manager', 'member'].map((o) => h('option', { value: o }, t('owner.' + o))));
  const due = h('input', { type: 'date', id: 'action-due' });
  const preview = h('div', { id: 'redaction-preview', 'aria-live': 'polite' });
  const err = h('div');
  const save = h('button', { class: 'btn btn-primary', type: 'button', id: 'session-save', disabled: true }, t('ses.save'));
  const check = h('button', { class: 'btn', type: 'submit', id: 'session-check' }, t('ses.check'));
  let checked = null; // the texts the preview was made for
  let dupConfirmed = false; // the manager chose to schedule beside another

  const texts = () => [request.value, notes.value, actionText.value];
  const input = () => {
    const at = new Date(when.value).toISOString();
    const s = statusSel.value;
    const body = {
      status: s,
      scheduled_at: at,
      held_at: s === 'held' ? at : null,
      duration_min: duration.value ? parseInt(duration.value, 10) : null,
      condition: condition.value ? parseInt(condition.value, 10) : null,
      request_style: style.value || null,
      request_topics: topicBoxes.map((l) => l.firstChild).filter((c) => c.checked).map((c) => c.value),
      request_text: request.value,
      notes: notes.value,
      actions: actionText.value.trim() ? [{ text: actionText.value, owner: owner.value, due_date: due.value || null }] : [],
    };
    return body;
  };
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'session-form-h' },
    h('h2', { id: 'session-form-h' }, existing ? t('ses.log') : status === 'held' ? t('mem.log') : t('mem.schedule')),
    h('div', { class: 'split' },
      h('div', {}, field(t('ses.status'), statusSel), field(t('ses.when'), when), field(t('ses.duration'), duration)),
      h('div', {}, field(t('ses.condition'), condition), field(t('ses.style'), style))),
    h('fieldset', {}, h('legend', {}, t('ses.topics')), h('div', { class: 'choices' }, topicBoxes)),
    field(t('ses.request'), request),
    field(t('ses.notes'), notes, t('ses.notes.hint')),
    h('fieldset', {}, h('legend', {}, t('ses.action')),
      h('div', { class: 'split' }, field(t('ses.action'), actionText), h('div', { class: 'row' }, field(t('ses.owner'), owner), field(t('ses.due'), due)))),
    h('div', { class: 'row' }, check, save, h('button', { class: 'btn', type: 'button', onclick: () => clear(slot) }, t('common.cancel'))),
    preview, err);

  // Any edit after a check needs a new check before saving.
  form.addEventListener('input', () => {
    if (checked && JSON.stringify(texts()) !== checked) {
      save.disabled = true;
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(err);
    try {
      const r = await api('POST', '/api/redact', { texts: texts(), member_id: memberID });
      checked = JSON.stringify(texts());
      const labels = [t('ses.request'), t('ses.notes'), t('ses.action')];
      clear(preview).append(h('div', { class: 'notice' },
        h('h3', {}, t('ses.masked')),
        h('p', { id: 'redaction-report' }, reportText(r.redaction, ctx.lang)),
        h('dl', {}, r.data.flatMap((txt, i) => (txt ? [h('dt', {}, labels[i]), h('dd', { class: 'masked' }, txt)] : [])))));
      save.disabled = false;
      save.focus();
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  });
  save.addEventListener('click', async () => {
    clear(err);
    try {
      if (!existing && statusSel.value === 'scheduled' && !dupConfirmed) {
        const { sessions } = await api('GET', `/api/members/${memberID}/sessions?limit=100`);
        const others = upcoming(sessions);
        if (others.length) {
          const dates = others.map((o) => formatDate(o.scheduled_at, ctx.lang, true));
          const anyway = h('button', { class: 'btn', type: 'button', id: 'schedule-anyway', onclick: () => {
            dupConfirmed = true;
            save.click();
          } }, t('ses.dup.anyway'));
          err.append(h('div', { class: 'notice warn stack', role: 'alert', id: 'schedule-warning' },
            h('p', {}, t('ses.dup', dates.join(t('common.sep')))),
            h('ul', {}, others.map((o, i) => h('li', {}, h('a', { href: `#/sessions/${o.id}` }, t('ses.dup.open', dates[i]))))),
            h('div', { class: 'row' }, anyway)));
          anyway.focus();
          return;
        }
      }
      const r = existing
        ? await api('PUT', `/api/sessions/${existing.id}`, input())
        : await api('POST', `/api/members/${memberID}/sessions`, input());
      ctx.notify(t('ses.saved', reportText(r.redaction, ctx.lang)));
      ctx.navigate(existing ? `/sessions/${existing.id}` : `/members/${memberID}`);
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  });
  slot.append(form);
  when.focus();
}

export async function sessionView(main, params, ctx) {
  const s = await api('GET', `/api/sessions/${params.id}`);
  const m = await api('GET', `/api/members/${s.member_id}`);
  const { links } = await api('GET', `/api/sessions/${params.id}/links`);
  const topicNames = s.request_topics.length
    ? Object.fromEntries((await topicsList()).map((tp) => [tp.slug, ctx.lang === 'en' ? tp.en : tp.ja])) : {};
  const err = h('div');
  const formSlot = h('div');
  const linkSlot = h('div', { id: 'link-slot' });
  const makeLink = async (phase) => {
    clear(err);
    try {
      const r = await api('POST', `/api/sessions/${s.id}/links`, { phase });
      const url = location.origin + r.path;
      const input = h('input', { type: 'text', readonly: true, value: url, id: 'link-url' });
      clear(linkSlot).append(h('div', { class: 'notice stack' },
        field(t('ses.link.made', formatDate(r.link.expires_at, ctx.lang, true)), input),
        h('button', { class: 'btn btn-small', type: 'button', onclick: async () => {
          input.select();
          try { await navigator.clipboard.writeText(url); } catch {}
          ctx.notify(t('common.copied'));
        } }, t('common.copy'))));
      input.focus();
      input.select();
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  };
  const markHeld = async () => {
    try {
      const now = new Date().toISOString();
      await api('PUT', `/api/sessions/${s.id}`, { status: 'held', scheduled_at: s.scheduled_at, held_at: now, duration_min: s.duration_min,
        request_topics: s.request_topics, request_text: s.request_text, request_style: s.request_style, condition: s.condition, notes: s.notes });
      ctx.navigate(`/sessions/${s.id}`);
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  };
  const del = async () => {
    if (!confirm(t('ses.delete.confirm'))) return;
    try {
      await api('DELETE', `/api/sessions/${s.id}`);
      ctx.navigate(`/members/${s.member_id}`);
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  };
  const when = formatDate(s.held_at || s.scheduled_at, ctx.lang, true);
  const content = [
    s.request_style ? h('p', {}, h('strong', {}, t('ses.style'), ': '), t('style.' + s.request_style), s.request_from === 'member' ? ` (${t('from.member')})` : '') : null,
    s.request_topics.length ? h('p', { id: 'session-topics' }, h('strong', {}, t('ses.topics'), ': '),
      s.request_topics.map((tp) => topicNames[tp] || tp).join(t('common.sep'))) : null,
    s.request_text ? h('div', {}, h('strong', {}, t('ses.request')), h('p', { class: 'quote', id: 'session-request-text' }, s.request_text)) : null,
    s.condition ? h('p', {}, h('strong', {}, t('ses.condition'), ': '), String(s.condition)) : null,
    s.notes ? h('div', {}, h('strong', {}, t('ses.notes')), h('p', { class: 'notes' }, s.notes)) : null,
    s.actions.length ? h('ul', {}, s.actions.map((a) => h('li', {}, a.text, ' ',
      h('span', { class: 'badge' }, t('owner.' + a.owner)), ' ', h('span', { class: a.status === 'done' ? 'badge ok' : 'badge' }, t('action.status.' + a.status))))) : null,
  ].filter(Boolean);
  // append, not main.append: the DOM's own would write the nulls out.
  append(main, [
    h('p', {}, h('a', { href: `#/members/${s.member_id}` }, '← ', m.alias)),
    h('h1', {}, t('ses.title', when), ' ', statusBadge(s.status)),
    h('div', { class: 'row' },
      s.status === 'scheduled' ? h('button', { class: 'btn', type: 'button', id: 'link-intake', onclick: () => makeLink('intake') }, t('ses.link.intake')) : null,
      s.status === 'scheduled' ? h('button', { class: 'btn', type: 'button', onclick: markHeld }, t('ses.markheld')) : null,
      h('button', { class: 'btn', type: 'button', id: 'session-log', onclick: () => showSessionForm(formSlot, s.member_id, s.status === 'scheduled' ? 'held' : s.status, ctx, s) },
        s.status === 'scheduled' ? t('ses.log') : t('ses.edit')),
      s.status === 'held' && !s.feedback_given ? h('button', { class: 'btn', type: 'button', id: 'link-feedback', onclick: () => makeLink('feedback') }, t('ses.link.feedback')) : null,
      h('span', { class: 'spacer' }),
      h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: del }, t('ses.delete'))),
    err, formSlot, linkSlot,
    links.length ? h('ul', { class: 'small muted', id: 'session-links' }, links.map((l) => h('li', {},
      t('ses.link.line', t('ses.link.phase.' + l.phase), formatDate(l.created_at, ctx.lang, true)), l.used_at ? ` — ${t('ses.link.used')}` : ''))) : null,
    s.feedback_given ? h('p', { class: 'notice' }, t('ses.feedback.given')) : null,
    // Nothing written yet: say so, and what would fill the page.
    content.length ? h('div', { class: 'card stack' }, content) : h('div', { class: 'card stack', id: 'session-empty' },
      h('p', {}, t('ses.empty')),
      h('p', { class: 'muted' }, t(s.status === 'scheduled' ? 'ses.empty.scheduled' : 'ses.empty.held')))]);
  if (s.status === 'held') main.append(reflectionSection(s, ctx));
}

// reflectionSection asks for reflection prompts and saves the answers.
function reflectionSection(s, ctx) {
  const slot = h('div');
  const err = h('div');
  const section = h('section', { class: 'card stack', 'aria-labelledby': 'reflection-h' }, h('h2', { id: 'reflection-h' }, t('ref.title')), slot, err);
  const showForm = (prompts, citations, answers) => {
    const boxes = prompts.map((p, i) => {
      const ta = h('textarea', { id: `reflection-answer-${i}`, maxlength: 5000 }, answers[i] || '');
      return { prompt: p.text, ta, el: h('div', { class: 'field' }, h('label', { for: ta.id }, citedText(p.text, citations)), ta) };
    });
    const save = h('button', { class: 'btn btn-primary', type: 'button', id: 'reflection-save', onclick: async () => {
      clear(err);
      try {
        await api('PUT', `/api/sessions/${s.id}/reflection/answers`, { answers: boxes.map((b) => ({ prompt: b.prompt, answer: b.ta.value })) });
        ctx.notify(t('ref.saved'));
      } catch (ex) {
        err.append(ctx.errorBox(ex));
      }
    } }, t('ref.save'));
    return h('div', { class: 'stack', id: 'reflection' }, boxes.map((b) => b.el), save);
  };
  if (s.reflection && s.reflection.length) {
    slot.append(showForm(s.reflection.map((a) => ({ text: a.prompt })), [], s.reflection.map((a) => a.answer)));
  } else {
    const run = h('button', { class: 'btn btn-primary', type: 'button', id: 'reflection-run' }, t('ref.run'));
    const ask = async () => {
      run.disabled = true;
      clear(err);
      try {
        const r = await api('POST', `/api/sessions/${s.id}/reflection`);
        // A referral carries its own steps: no reflection prompts then.
        append(clear(slot), [modeLine(r), referralBox(r.referral, null, ask),
          r.referral ? null : showForm(r.prompts, r.citations, []), citationList(r.citations), thumbs(r.id)]);
      } catch (ex) {
        run.disabled = false;
        err.append(ctx.errorBox(ex));
      }
    };
    run.addEventListener('click', ask);
    slot.append(run);
  }
  return section;
}

// planView renders a finished plan; again asks for it once more.
function planView(p, again) {
  const list = (id, title, items, ordered) => (items && items.length
    ? h('section', { id }, h('h3', {}, title), h(ordered ? 'ol' : 'ul', {}, items.map((it) => h('li', {}, citedText(it.text, p.citations)))))
    : null);
  if (p.referral && !p.referral.vague && !p.referral.customer) {
    // The referral says everything the plan would: no sections repeating it.
    return h('div', { class: 'plan stack', id: 'plan' }, modeLine(p), referralBox(p.referral, null, again), thumbs(p.id));
  }
  // A vague referral (the screen cannot tell which matter), or one on
  // customer harassment, comes first, above the plan; the plan's first watch-out says the same, for the
  // plan read without it, and is not shown twice.
  const watch = p.referral ? (p.watch_outs || []).slice(1) : p.watch_outs;
  return h('div', { class: 'plan stack', id: 'plan' },
    modeLine(p),
    referralBox(p.referral, null, again),
    p.no_guidance ? h('p', { class: 'notice warn' }, t('coach.noguidance')) : null,
    h('section', { id: 'plan-summary' }, h('h3', {}, t('prep.summary')), citedText(p.summary, p.citations, 'p')),
    list('plan-agenda', t('prep.agenda'), p.agenda, true),
    list('plan-questions', t('prep.questions'), p.questions),
    list('plan-watch', t('prep.watch'), watch),
    list('plan-followups', t('prep.followups'), p.follow_ups),
    citationList(p.citations),
    thumbs(p.id));
}

// readableSections shows the section markers of a streaming plan
// ([agenda] ...) as the headings the finished plan will have.
const SECTION_TITLES = { summary: 'prep.summary', agenda: 'prep.agenda', questions: 'prep.questions', watch_outs: 'prep.watch', follow_ups: 'prep.followups' };
function readableSections(text) {
  return text.replace(/^\[(summary|agenda|questions|watch_outs|follow_ups)\]$/gm, (m, k) => `■ ${t(SECTION_TITLES[k])}`);
}

export async function prepView(main, params, ctx) {
  const m = await api('GET', `/api/members/${params.id}`);
  const { sessions } = await api('GET', `/api/members/${params.id}/sessions?limit=20`);
  const scheduled = sessions.filter((s) => s.status === 'scheduled');
  const question = h('textarea', { id: 'prep-question', maxlength: 2000 });
  // What the server's "next" weighs (history.Signals): a request, the
  // member's or one the manager wrote.
  const requested = (s) => !!s.request_style || s.request_topics.length > 0 || !!s.request_text.trim();
  const session = h('select', { id: 'prep-session' }, h('option', { value: '' }, t('prep.next')),
    scheduled.map((s) => {
      const when = formatDate(s.scheduled_at, ctx.lang, true);
      const label = s.request_from === 'member' ? t('prep.answered', when) : requested(s) ? t('prep.requested', when) : when;
      return h('option', { value: s.id }, label);
    }));
  const out = h('div', { 'aria-live': 'polite', 'aria-busy': 'false', id: 'prep-out' });
  const run = h('button', { class: 'btn btn-primary', type: 'submit', id: 'prep-run' }, t('prep.run'));
  const cancel = h('button', { class: 'btn', type: 'button', id: 'prep-cancel', hidden: true }, t('prep.cancel'));
  let controller = null;
  cancel.addEventListener('click', () => controller && controller.abort());
  const form = h('form', { class: 'card stack' },
    field(t('prep.question'), question, t('prep.question.hint')),
    scheduled.length > 1 ? field(t('prep.session'), session, t('prep.next.hint')) : null,
    h('div', { class: 'row' }, run, cancel));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    controller = new AbortController();
    run.disabled = true;
    cancel.hidden = false;
    out.setAttribute('aria-busy', 'true');
    const live = h('div', { class: 'stream-text', id: 'prep-stream' });
    const sources = h('ul', { class: 'small muted', id: 'prep-stream-sources' });
    const status = h('p', { class: 'muted', role: 'status' }, t('prep.writing'));
    clear(out).append(status, live, sources);
    let text = '';
    try {
      await stream(`/api/members/${params.id}/prep`, { question: question.value, session_id: session.value || undefined }, (type, data) => {
        if (type === 'progress') {
          status.textContent = t('prep.' + data.stage);
        } else if (type === 'meta') {
          status.textContent = t('prep.writing');
        } else if (type === 'delta') {
          text += data.text;
          live.textContent = readableSections(text);
        } else if (type === 'reset') {
          text = '';
          live.textContent = '';
        } else if (type === 'citation') {
          sources.append(h('li', {}, `[${data.n}] ${data.title}`));
        } else if (type === 'done') {
          clear(out).append(planView(data, () => form.requestSubmit()));
        }
      }, controller.signal);
    } catch (ex) {
      out.append(ctx.errorBox(ex));
    } finally {
      run.disabled = false;
      cancel.hidden = true;
      out.setAttribute('aria-busy', 'false');
    }
  });
  main.append(
    h('p', {}, h('a', { href: `#/members/${params.id}` }, '← ', m.alias)),
    h('h1', {}, t('prep.title', m.alias)), form, out);
  question.focus();
}
