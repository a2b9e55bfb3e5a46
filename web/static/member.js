// member.js: the page a member opens from a link their manager sent
// (/m/{token}). Before a 1on1 they say what they want to talk about and
// how they want the manager to respond; after it they say how it went.
// The member has no account: the token in the path is the credential, and
// each link can be sent once.
import { api } from './api.js';
import { h, clear, field, formatDate } from './dom.js';
import { t, addMessages, setLang, getLang } from './i18n.js';

addMessages({
  ja: {
    'm.title': 'Taiwa 対話',
    'm.lang': 'English',
    'm.loading': '読み込み中…',
    'm.yourManager': '上司',
    'm.san': '{0}さん',
    'm.when': '日時：{0}',
    'm.expires': 'このリンクは{0}まで使えます。送信できるのは1回だけです。',
    'm.send': '送信する',
    'm.sending': '送信中…',
    'm.close': 'このページは閉じてかまいません。',

    // Before the 1on1.
    'm.intake.heading': '{0}との1on1の前に',
    'm.intake.safe': 'ここに書いたことは{0}に届き、{0}が1on1の準備をするために使います（準備を手伝うコーチ機能も読みます）。ほかの人には見えません。名前・電話番号・メールアドレスは自動で伏せられます。',
    'm.topics.legend': '話したいこと（いくつでも）',
    'm.topics.hint': '特になければ、選ばなくても大丈夫です。',
    'm.topics.tooMany': '選べるのは{0}個までです。',
    'm.text.label': '具体的に話したいこと（任意）',
    'm.text.hint': '書けるところだけで大丈夫です。箇条書きでもかまいません。',
    'm.style.legend': '{0}に、どんなふうに聞いてほしいですか？（1つ選んでください）',
    'm.style.required': 'どれか1つを選んでください。',
    'm.style.listen': 'まずは話を聞いてほしい',
    'm.style.listen.hint': '答えよりも、まず気持ちや状況を受け止めてほしいとき。',
    'm.style.advise': 'アドバイスがほしい',
    'm.style.advise.hint': '経験や考えをもとに、具体的な助言がほしいとき。',
    'm.style.think-together': '一緒に考えてほしい',
    'm.style.think-together.hint': 'どうするのがよいか、一緒に答えを探したいとき。',
    'm.style.encourage': '励ましてほしい',
    'm.style.encourage.hint': '不安や迷いがあって、背中を押してほしいとき。',
    'm.style.decide': '判断してほしい',
    'm.style.decide.hint': '自分では決められないことを、決めてほしいとき。',
    'm.style.report': '報告を聞いてほしい',
    'm.style.report.hint': '進み具合や結果を伝えたいとき。',
    'm.intake.done.title': 'ありがとうございます',
    'm.intake.done.body': '{0}に届きました。1on1の準備に使われます。',

    // After the 1on1.
    'm.feedback.heading': '1on1をふり返って',
    'm.feedback.with': '{0}との1on1',
    'm.feedback.safe': 'あなたの回答が1回分だけで{0}に見えることはありません。何回かの1on1をまとめた平均だけが伝わります。コメントは、下のチェックを入れたときだけ伝わります。',
    'm.sat.legend': '1on1のあと、気持ちはすっきりしましたか？',
    'm.sat.1': '1（すっきりしなかった）',
    'm.sat.2': '2',
    'm.sat.3': '3',
    'm.sat.4': '4',
    'm.sat.5': '5（とてもすっきりした）',
    'm.sat.required': '1から5のどれかを選んでください。',
    'm.matched.legend': '{0}の関わり方は、あなたの希望に合っていましたか？',
    'm.matched.yes': 'はい',
    'm.matched.partly': '少し',
    'm.matched.no': 'いいえ',
    'm.matched.required': 'どれか1つを選んでください。',
    'm.comment.label': 'ひとこと（任意）',
    'm.comment.hint': 'よかったこと、次に期待することなど、自由にどうぞ。',
    'm.share.label': 'このコメントを上司に伝える',
    'm.share.hint': 'チェックしない場合、コメントは伝わらず、保存もされません。',
    'm.feedback.done.title': 'ふり返りをありがとうございます',
    'm.feedback.done.body': '回答は、何回かの1on1の平均としてだけ{0}に伝わります。',
    'm.feedback.done.shared': 'コメントは{0}に伝わります。',
    'm.feedback.done.notShared': 'コメントは伝えず、保存もしていません。',

    // What was masked.
    'm.masked': 'プライバシーを守るため、{0}の{1}件を伏せて保存しました。',
    'm.masked.one': 'プライバシーを守るため、{0}の1件を伏せて保存しました。',
    'm.kind.member': 'あなたの名前',
    'm.kind.person': '名前',
    'm.kind.email': 'メールアドレス',
    'm.kind.phone': '電話番号',
    'm.kind.other': 'その他の個人情報',

    // When something goes wrong.
    'm.invalid.title': 'このリンクは使えません',
    'm.invalid.body': 'リンクが正しくないか、新しいリンクに置き換えられた可能性があります。お手数ですが、上司に新しいリンクを送ってもらってください。',
    'm.gone.title': 'このリンクはもう使えません',
    'm.gone.body': 'このリンクは、すでに回答済みか、有効期限が切れています。回答済みなら、これ以上することはありません。もう一度回答したいときは、上司に新しいリンクを頼んでください。',
    'm.load.title': 'ページを読み込めませんでした',
    'm.load.network': 'インターネットの接続を確認して、もう一度お試しください。',
    'm.retry': 'もう一度読み込む',
    'm.submit.failed': '送信できませんでした。入力した内容はそのまま残っています。',
    'm.submit.network': '接続を確認して、もう一度「送信する」を押してください。',
  },
  en: {
    'm.title': 'Taiwa',
    'm.lang': '日本語',
    'm.loading': 'Loading…',
    'm.yourManager': 'your manager',
    'm.san': '{0}',
    'm.when': 'When: {0}',
    'm.expires': 'This link works until {0}, and you can send your answers once.',
    'm.send': 'Send',
    'm.sending': 'Sending…',
    'm.close': 'You can close this page now.',

    'm.intake.heading': 'Before your 1on1 with {0}',
    'm.intake.safe': 'What you write goes to {0}, who uses it to prepare for your 1on1 (the coaching tool that helps them prepare reads it too). No one else sees it. Names, phone numbers and email addresses are hidden automatically.',
    'm.topics.legend': 'What would you like to talk about? (choose any)',
    'm.topics.hint': "It's fine to leave these empty.",
    'm.topics.tooMany': 'You can choose up to {0}.',
    'm.text.label': 'Anything specific you want to talk about? (optional)',
    'm.text.hint': 'Write as much or as little as you like. Short notes are fine.',
    'm.style.legend': 'How would you like {0} to respond? (choose one)',
    'm.style.required': 'Please choose one.',
    'm.style.listen': 'Just listen',
    'm.style.listen.hint': 'When you want to be heard first, not given answers.',
    'm.style.advise': 'Give me advice',
    'm.style.advise.hint': 'When you would like concrete suggestions from their experience.',
    'm.style.think-together': 'Think it through with me',
    'm.style.think-together.hint': 'When you want to find an answer together.',
    'm.style.encourage': 'Encourage me',
    'm.style.encourage.hint': 'When you feel unsure and could use some support.',
    'm.style.decide': 'Make a decision',
    'm.style.decide.hint': "When something needs a decision you can't make yourself.",
    'm.style.report': 'Hear my update',
    'm.style.report.hint': 'When you mainly want to share progress or results.',
    'm.intake.done.title': 'Thank you',
    'm.intake.done.body': 'Your answers have reached {0}, who will use them to prepare for your 1on1.',

    'm.feedback.heading': 'Looking back on your 1on1',
    'm.feedback.with': 'Your 1on1 with {0}',
    'm.feedback.safe': '{0} never sees a single answer on its own — only averages over several 1on1s. Your comment is passed on only if you tick the box below.',
    'm.sat.legend': 'Did the 1on1 leave you feeling better?',
    'm.sat.1': '1 (not really)',
    'm.sat.2': '2',
    'm.sat.3': '3',
    'm.sat.4': '4',
    'm.sat.5': '5 (much better)',
    'm.sat.required': 'Please choose a number from 1 to 5.',
    'm.matched.legend': 'Did {0} respond the way you hoped?',
    'm.matched.yes': 'Yes',
    'm.matched.partly': 'Partly',
    'm.matched.no': 'No',
    'm.matched.required': 'Please choose one.',
    'm.comment.label': 'Anything else? (optional)',
    'm.comment.hint': 'What went well, what you hope for next time — anything you like.',
    'm.share.label': 'Pass this comment on to my manager',
    'm.share.hint': 'If you leave this unticked, your comment is not passed on and not kept.',
    'm.feedback.done.title': 'Thank you for looking back',
    'm.feedback.done.body': 'Your answers reach {0} only as averages over several 1on1s.',
    'm.feedback.done.shared': 'Your comment will be passed on to {0}.',
    'm.feedback.done.notShared': 'Your comment was not passed on and not kept.',

    'm.masked': 'To protect privacy, {1} details ({0}) were hidden before saving.',
    'm.masked.one': 'To protect privacy, 1 detail ({0}) was hidden before saving.',
    'm.kind.member': 'your name',
    'm.kind.person': 'names',
    'm.kind.email': 'email addresses',
    'm.kind.phone': 'phone numbers',
    'm.kind.other': 'other personal details',

    'm.invalid.title': "This link doesn't work",
    'm.invalid.body': 'It may be incomplete, or a newer link may have replaced it. Please ask your manager to send you a new one.',
    'm.gone.title': 'This link has already been used or has expired',
    'm.gone.body': "If you have already answered, there is nothing more to do. If you'd like to answer again, please ask your manager for a new link.",
    'm.load.title': "The page couldn't be loaded",
    'm.load.network': 'Please check your internet connection and try again.',
    'm.retry': 'Try again',
    'm.submit.failed': "Your answers couldn't be sent. What you entered is still here.",
    'm.submit.network': 'Please check your connection and press "Send" again.',
  },
});

// The server's limits (api/openapi.yaml), checked here too so the member
// is told kindly instead of getting an error back.
const MAX_TOPICS = 10;
const MAX_TEXT = 5000;
const MAX_COMMENT = 2000;
const MATCHES = ['yes', 'partly', 'no'];
// Masked kinds with a plain word of their own; every other kind is
// "other personal details". The order is the order they are listed in.
const KINDS = ['member', 'person', 'email', 'phone'];

const main = document.getElementById('app');
const token = readToken();

// Everything the page shows, so it can be drawn again (in the other
// language) without losing what the member has entered.
const state = {
  view: 'loading', // loading | form | done | error
  link: null,
  topics: [],
  error: null, // the ApiError that stopped the page (view "error")
  sending: false,
  result: null, // the response to the submit (view "done")
  answers: { topics: new Set(), text: '', style: '', satisfaction: '', matched: '', comment: '', share: false },
};

// readToken takes the token out of /m/{token}; '' if there is none.
function readToken() {
  const m = location.pathname.match(/^\/m\/([^/]+)\/?$/);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}

function linkPath(suffix = '') {
  return `/api/member-links/${encodeURIComponent(token)}${suffix}`;
}

// managerRef is how the manager is named in a sentence: 「山田さん」 or
// 「上司」 when the name is missing.
function managerRef() {
  const name = state.link && state.link.manager_name;
  return name ? t('m.san', name) : t('m.yourManager');
}

async function load() {
  state.view = 'loading';
  render();
  if (!token) {
    showError({ status: 404 });
    return;
  }
  try {
    const r = await api('GET', linkPath());
    const phase = r && r.link && r.link.phase;
    if (phase !== 'intake' && phase !== 'feedback') {
      showError({ status: 404 });
      return;
    }
    state.link = r.link;
    state.topics = r.topics || [];
    setLang(r.link.language, false);
    state.view = 'form';
    render();
  } catch (err) {
    showError(err);
  }
}

function showError(err) {
  state.view = 'error';
  state.error = err;
  render();
  const title = document.getElementById('page-title');
  if (title) title.focus();
}

// render draws the whole page from state.
function render() {
  clear(main);
  main.setAttribute('aria-busy', state.view === 'loading' ? 'true' : 'false');
  main.append(langBar());
  if (state.view === 'loading') {
    main.append(h('p', { class: 'muted' }, t('m.loading')));
    document.title = t('m.title');
  } else if (state.view === 'error') {
    main.append(errorView(state.error));
  } else {
    main.append(header());
    main.append(state.view === 'done' ? doneView() : state.link.phase === 'intake' ? intakeForm() : feedbackForm());
  }
}

// langBar is the small button that switches between Japanese and English.
function langBar() {
  const other = getLang() === 'en' ? 'ja' : 'en';
  const btn = h('button', {
    type: 'button', class: 'btn btn-small', id: 'lang-switch', lang: other,
    onclick: () => {
      setLang(other, false);
      render();
      document.getElementById('lang-switch').focus();
    },
  }, t('m.lang'));
  return h('div', { class: 'row end' }, btn);
}

function errorView(err) {
  const status = err && err.status;
  let title, body, detail = null, retry = false;
  if (status === 404) {
    title = t('m.invalid.title');
    body = t('m.invalid.body');
  } else if (status === 410) {
    title = t('m.gone.title');
    body = t('m.gone.body');
    // Which of the two (used, or expired), when the API said so.
    if (err.key && err.key !== 'error.gone') detail = t(err.key, ...err.args);
  } else {
    // The network, or the server, failed: trying again may work.
    title = t('m.load.title');
    body = status === 0 || !(err && err.key) ? t('m.load.network') : t(err.key, ...err.args);
    retry = true;
  }
  document.title = `${title} – ${t('m.title')}`;
  return h('section', { class: 'card stack', id: 'link-error' },
    h('h1', { id: 'page-title', tabindex: '-1' }, title),
    h('div', { class: 'error', role: 'alert' },
      h('p', {}, body),
      detail ? h('p', { class: 'small' }, detail) : null),
    retry ? h('button', { type: 'button', class: 'btn btn-primary', id: 'retry', onclick: load }, t('m.retry')) : null);
}

// header is the title and date above the form (and the thank-you panel).
function header() {
  const l = state.link;
  let title, sub;
  if (l.phase === 'intake') {
    title = t('m.intake.heading', managerRef());
    sub = l.scheduled_at ? t('m.when', formatDate(l.scheduled_at, getLang(), true)) : null;
  } else {
    title = t('m.feedback.heading');
    const at = l.held_at || l.scheduled_at;
    sub = [t('m.feedback.with', managerRef()), at ? formatDate(at, getLang(), true) : null].filter(Boolean).join(' ・ ');
  }
  document.title = `${title} – ${t('m.title')}`;
  return h('header', {},
    h('h1', { id: 'page-title', tabindex: '-1' }, title),
    sub ? h('p', { class: 'muted' }, sub) : null);
}

// ---- Form building blocks ----

// group is a fieldset with its legend and an optional hint.
function group(id, legend, hint, ...content) {
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  return h('fieldset', { id, 'aria-describedby': hintEl ? hintEl.id : undefined },
    h('legend', {}, legend), hintEl, content);
}

// choice is one radio button or checkbox, its label a large tap target.
function choice(type, name, value, text, checked, onchange, describedBy) {
  const input = h('input', {
    type, name, value, checked, onchange,
    required: type === 'radio',
    'aria-describedby': describedBy,
  });
  return h('label', {}, input, h('span', {}, text));
}

// setGroupError shows msg under the group's legend (or removes the error
// when msg is empty) and ties it to the group for screen readers.
function setGroupError(fs, msg) {
  const id = `${fs.id}-error`;
  const old = document.getElementById(id);
  if (old) old.remove();
  const ids = (fs.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== id);
  if (msg) {
    fs.querySelector('legend').after(h('p', { class: 'error small', id, role: 'alert' }, msg));
    ids.unshift(id);
  }
  if (ids.length) fs.setAttribute('aria-describedby', ids.join(' '));
  else fs.removeAttribute('aria-describedby');
}

function focusGroup(fs) {
  const input = fs.querySelector('input:checked') || fs.querySelector('input');
  if (input) input.focus();
}

// submitArea is the send button with the place for a send error above it.
function submitArea(id) {
  return h('div', { class: 'stack' },
    h('div', { id: 'submit-error-slot' }),
    h('p', { class: 'hint' }, t('m.expires', formatDate(state.link.expires_at, getLang(), true))),
    h('button', { type: 'submit', class: 'btn btn-primary', id, disabled: state.sending },
      t(state.sending ? 'm.sending' : 'm.send')));
}

// ---- Before the 1on1 ----

function intakeForm() {
  const a = state.answers;
  const lang = getLang();

  const topics = group('topics-group', t('m.topics.legend'), t('m.topics.hint'),
    h('div', { class: 'choices' }, state.topics.map((tp) => choice('checkbox', 'topic', tp.slug,
      (lang === 'en' ? tp.en || tp.ja : tp.ja || tp.en) || tp.slug,
      a.topics.has(tp.slug),
      (e) => {
        if (e.target.checked) a.topics.add(tp.slug);
        else a.topics.delete(tp.slug);
        if (a.topics.size <= MAX_TOPICS) setGroupError(topics, '');
      }))));

  const text = h('textarea', {
    id: 'intake-text', name: 'text', rows: 5, maxlength: MAX_TEXT,
    oninput: (e) => { a.text = e.target.value; },
  });
  text.value = a.text;

  const styles = group('style-group', t('m.style.legend', managerRef()), null,
    (state.link.styles || []).map((s) => {
      const known = t(`m.style.${s}`) !== `m.style.${s}`;
      const hintId = `style-${s}-hint`;
      return h('div', {},
        h('div', { class: 'choices' }, choice('radio', 'style', s, known ? t(`m.style.${s}`) : s, a.style === s,
          () => { a.style = s; setGroupError(styles, ''); }, known ? hintId : undefined)),
        known ? h('p', { class: 'hint', id: hintId }, t(`m.style.${s}.hint`)) : null);
    }));
  styles.classList.add('stack');

  const form = h('form', {
    id: 'intake-form', novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      const bad = [];
      setGroupError(topics, a.topics.size > MAX_TOPICS ? t('m.topics.tooMany', MAX_TOPICS) : '');
      if (a.topics.size > MAX_TOPICS) bad.push(topics);
      setGroupError(styles, a.style ? '' : t('m.style.required'));
      if (!a.style) bad.push(styles);
      if (bad.length) {
        focusGroup(bad[0]);
        return;
      }
      // Topics in the order they are listed, not the order they were ticked.
      const chosen = state.topics.map((tp) => tp.slug).filter((s) => a.topics.has(s));
      send(form, '/intake', { topics: chosen, text: a.text.trim(), style: a.style });
    },
  },
  h('p', { class: 'notice' }, t('m.intake.safe', managerRef())),
  topics,
  field(t('m.text.label'), text, t('m.text.hint')),
  styles,
  submitArea('intake-submit'));
  form.classList.add('card');
  return form;
}

// ---- After the 1on1 ----

function feedbackForm() {
  const a = state.answers;

  const sat = group('satisfaction-group', t('m.sat.legend'), null,
    h('div', { class: 'choices' }, [1, 2, 3, 4, 5].map((n) => choice('radio', 'satisfaction', n, t(`m.sat.${n}`),
      a.satisfaction === String(n),
      () => { a.satisfaction = String(n); setGroupError(sat, ''); }))));

  const matched = group('matched-group', t('m.matched.legend', managerRef()), null,
    h('div', { class: 'choices' }, MATCHES.map((m) => choice('radio', 'matched', m, t(`m.matched.${m}`),
      a.matched === m,
      () => { a.matched = m; setGroupError(matched, ''); }))));

  const comment = h('textarea', {
    id: 'feedback-comment', name: 'comment', rows: 4, maxlength: MAX_COMMENT,
    oninput: (e) => { a.comment = e.target.value; },
  });
  comment.value = a.comment;

  const share = h('input', {
    type: 'checkbox', id: 'feedback-share', name: 'share', checked: a.share,
    'aria-describedby': 'feedback-share-hint',
    onchange: (e) => { a.share = e.target.checked; },
  });

  const form = h('form', {
    id: 'feedback-form', novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      const bad = [];
      setGroupError(sat, a.satisfaction ? '' : t('m.sat.required'));
      if (!a.satisfaction) bad.push(sat);
      setGroupError(matched, a.matched ? '' : t('m.matched.required'));
      if (!a.matched) bad.push(matched);
      if (bad.length) {
        focusGroup(bad[0]);
        return;
      }
      const text = a.comment.trim();
      // A comment that is not shared is not even sent.
      send(form, '/feedback', {
        satisfaction: Number(a.satisfaction), matched: a.matched,
        comment: a.share ? text : '', share: a.share && text !== '',
      });
    },
  },
  h('p', { class: 'notice' }, t('m.feedback.safe', managerRef())),
  sat,
  matched,
  field(t('m.comment.label'), comment, t('m.comment.hint')),
  h('div', { class: 'field' },
    h('div', { class: 'choices' }, h('label', { for: 'feedback-share' }, share, h('span', {}, t('m.share.label')))),
    h('p', { class: 'hint', id: 'feedback-share-hint' }, t('m.share.hint'))),
  submitArea('feedback-submit'));
  form.classList.add('card');
  return form;
}

// ---- Sending ----

async function send(form, suffix, body) {
  if (state.sending) return;
  const button = form.querySelector('button[type="submit"]');
  const slot = form.querySelector('#submit-error-slot');
  clear(slot);
  state.sending = true;
  button.disabled = true;
  button.textContent = t('m.sending');
  try {
    state.result = await api('POST', linkPath(suffix), body);
    state.sending = false;
    state.view = 'done';
    render();
    document.getElementById('done').focus();
  } catch (err) {
    state.sending = false;
    if (err.status === 404 || err.status === 410) {
      // The link stopped working meanwhile (answered elsewhere, replaced
      // by a newer link, or expired): nothing here can be sent any more.
      showError(err);
      return;
    }
    // Redraw, in case the language was switched while sending.
    render();
    const box = h('div', { class: 'error', id: 'submit-error', role: 'alert', tabindex: '-1' },
      h('p', {}, t('m.submit.failed')),
      h('p', { class: 'small' }, err.status === 0 || !err.key ? t('m.submit.network') : t(err.key, ...err.args)));
    document.getElementById('submit-error-slot').append(box);
    box.focus();
  }
}

// ---- Thank you ----

function doneView() {
  const l = state.link;
  const r = state.result || {};
  const a = state.answers;
  const parts = [];
  if (l.phase === 'intake') {
    parts.push(h('h2', {}, t('m.intake.done.title')), h('p', {}, t('m.intake.done.body', managerRef())));
  } else {
    parts.push(h('h2', {}, t('m.feedback.done.title')), h('p', {}, t('m.feedback.done.body', managerRef())));
    if (r.comment_shared) parts.push(h('p', {}, t('m.feedback.done.shared', managerRef())));
    else if (a.comment.trim()) parts.push(h('p', {}, t('m.feedback.done.notShared')));
  }
  const masked = maskedSentence(r.redaction);
  if (masked) parts.push(h('p', { id: 'done-masked' }, masked));
  parts.push(h('p', { class: 'muted' }, t('m.close')));
  return h('section', { class: 'card stack', id: 'done', role: 'status', tabindex: '-1' }, parts);
}

// maskedSentence says, in plain words, what was hidden before saving:
// a total and the kinds, or null when nothing was.
function maskedSentence(report) {
  const entries = Object.entries(report || {}).filter(([, n]) => Number(n) > 0);
  const total = entries.reduce((sum, [, n]) => sum + Number(n), 0);
  if (total === 0) return null;
  const keys = [...new Set(entries.map(([k]) => (KINDS.includes(k) ? k : 'other')))];
  keys.sort((x, y) => (KINDS.indexOf(x) + 1 || 99) - (KINDS.indexOf(y) + 1 || 99));
  const words = keys.map((k) => t(`m.kind.${k}`));
  return t(total === 1 ? 'm.masked.one' : 'm.masked', listOf(words), total);
}

function listOf(words) {
  if (getLang() !== 'en') return words.join('・');
  if (typeof Intl !== 'undefined' && Intl.ListFormat) {
    return new Intl.ListFormat('en', { style: 'long', type: 'conjunction' }).format(words);
  }
  return words.join(', ');
}

load();
