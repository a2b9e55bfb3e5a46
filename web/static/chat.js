// chat.js: conversations with the coach. Answers stream in; the stop
// button cancels the answer and the model call behind it.
import { api, stream } from './api.js';
import { h, clear, field, formatDate } from './dom.js';
import { t, addMessages } from './i18n.js';
import { citedText, citationList, modeLine, referralBox, thumbs } from './coachui.js';

addMessages({
  ja: {
    'chat.title': 'コーチと話す',
    'chat.threads': '会話',
    'chat.new': '新しい会話',
    'chat.about': '対象のメンバー（任意）',
    'chat.nobody': '特定のメンバーなし',
    'chat.input': 'メッセージ',
    'chat.input.hint': 'Ctrl+Enter で送信。名前などは送信前に伏せ字になります。',
    'chat.send': '送信',
    'chat.stop': '止める',
    'chat.stopped': '回答を止めました。',
    'chat.empty': '1on1について気になっていることを、何でも聞いてください。',
    'chat.pick': '左の一覧から会話を選ぶか、新しい会話を始めてください。',
    'chat.delete': 'この会話を削除',
    'chat.untitled': '（無題）',
  },
  en: {
    'chat.title': 'Talk with the coach',
    'chat.threads': 'Conversations',
    'chat.new': 'New conversation',
    'chat.about': 'About a member (optional)',
    'chat.nobody': 'No particular member',
    'chat.input': 'Message',
    'chat.input.hint': 'Ctrl+Enter sends. Names and the like are masked before sending.',
    'chat.send': 'Send',
    'chat.stop': 'Stop',
    'chat.stopped': 'Answer stopped.',
    'chat.empty': 'Ask anything about your 1on1s.',
    'chat.pick': 'Pick a conversation, or start a new one.',
    'chat.delete': 'Delete this conversation',
    'chat.untitled': '(untitled)',
  },
});

// answerView renders an answer; again, when given, asks the same once more.
function answerView(a, again) {
  return h('div', { class: 'msg assistant', dataset: { answer: a.id } },
    modeLine(a),
    referralBox(a.referral, null, again),
    a.referral ? null : citedText(a.text, a.citations, 'div'),
    citationList(a.citations),
    thumbs(a.id));
}

export async function chatView(main, params, ctx) {
  const [{ threads }, { members }] = await Promise.all([api('GET', '/api/chat/threads?limit=100'), api('GET', '/api/members?limit=100')]);
  const aliases = Object.fromEntries(members.map((m) => [m.id, m.alias]));
  const about = h('select', { id: 'chat-member' }, h('option', { value: '' }, t('chat.nobody')), members.map((m) => h('option', { value: m.id }, m.alias)));
  const err = h('div');
  const newForm = h('form', { class: 'stack' }, field(t('chat.about'), about), h('button', { class: 'btn btn-primary', type: 'submit', id: 'chat-new' }, t('chat.new')));
  newForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const th = await api('POST', '/api/chat/threads', { member_id: about.value || undefined });
      ctx.navigate(`/chat/${th.id}`);
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  });
  const side = h('nav', { class: 'card', 'aria-label': t('chat.threads') },
    h('h2', {}, t('chat.threads')), newForm,
    h('ul', { class: 'threads', id: 'threads' }, threads.map((th) => h('li', {},
      h('a', { href: `#/chat/${th.id}`, 'aria-current': th.id === params.id ? 'true' : false },
        th.title || t('chat.untitled'),
        h('div', { class: 'small muted' }, th.member_id ? `${aliases[th.member_id] || ''} ・ ` : '', formatDate(th.updated_at, ctx.lang, true)))))));
  const pane = h('section', { class: 'stack', 'aria-labelledby': 'chat-h' });
  main.append(h('h1', { id: 'chat-h' }, t('chat.title')), err, h('div', { class: 'sidebar-layout' }, side, pane));
  if (!params.id) {
    pane.append(h('p', { class: 'muted' }, t('chat.pick')));
    return;
  }

  const { thread, messages } = await api('GET', `/api/chat/threads/${params.id}`);
  const log = h('div', { class: 'chat-log', id: 'chat-log', 'aria-live': 'polite' });
  if (messages.length === 0) log.append(h('p', { class: 'muted' }, t('chat.empty')));
  for (const m of messages) {
    log.append(m.role === 'user' ? h('div', { class: 'msg user' }, m.content) : m.answer ? answerView(m.answer) : h('div', { class: 'msg assistant' }, m.content));
  }
  const input = h('textarea', { id: 'chat-input', maxlength: 4000, required: true });
  const send = h('button', { class: 'btn btn-primary', type: 'submit', id: 'chat-send' }, t('chat.send'));
  const stop = h('button', { class: 'btn', type: 'button', id: 'chat-cancel', hidden: true }, t('chat.stop'));
  const paneErr = h('div');
  let controller = null;
  stop.addEventListener('click', () => {
    if (controller) controller.abort();
    ctx.notify(t('chat.stopped'));
  });
  const form = h('form', { class: 'card stack' }, field(t('chat.input'), input, t('chat.input.hint')), h('div', { class: 'row' }, send, stop), paneErr);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    clear(paneErr);
    log.querySelector('p.muted')?.remove();
    log.append(h('div', { class: 'msg user' }, text));
    const pending = h('div', { class: 'msg assistant streaming', id: 'chat-streaming' });
    log.append(pending);
    input.value = '';
    send.disabled = true;
    stop.hidden = false;
    controller = new AbortController();
    let out = '';
    try {
      await stream(`/api/chat/threads/${thread.id}/messages`, { text }, (type, data) => {
        if (type === 'delta') {
          out += data.text;
          pending.textContent = out;
        } else if (type === 'reset') {
          out = '';
          pending.textContent = '';
        } else if (type === 'done') {
          pending.replaceWith(answerView(data, () => {
            input.value = text;
            form.requestSubmit();
          }));
          if (!thread.title) {
            // The server titles a thread with its first message (masked).
            api('GET', `/api/chat/threads/${thread.id}`).then((r) => {
              thread.title = r.thread.title;
              title.textContent = thread.title;
              const link = side.querySelector(`a[href="#/chat/${thread.id}"]`);
              if (link && link.firstChild) link.firstChild.textContent = thread.title;
            }).catch(() => {});
          }
        }
      }, controller.signal);
      if (controller.signal.aborted) pending.classList.remove('streaming');
    } catch (ex) {
      pending.remove();
      paneErr.append(ctx.errorBox(ex));
    } finally {
      send.disabled = false;
      stop.hidden = true;
      input.focus();
    }
  });
  const del = h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: async () => {
    try {
      await api('DELETE', `/api/chat/threads/${thread.id}`);
      ctx.navigate('/chat');
    } catch (ex) {
      paneErr.append(ctx.errorBox(ex));
    }
  } }, t('chat.delete'));
  const title = h('h2', {}, thread.title || t('chat.untitled'));
  pane.append(
    h('div', { class: 'row' }, title, thread.member_id ? h('span', { class: 'badge accent' }, aliases[thread.member_id] || '') : null, h('span', { class: 'spacer' }), del),
    log, form);
  input.focus();
}
