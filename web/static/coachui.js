// coachui.js: what prep, reflection and chat answers share: text with [n]
// citations that open the guidance they cite, the mode label, referrals
// and thumbs up/down.
import { api } from './api.js';
import { h, clear, field } from './dom.js';
import { t, addMessages } from './i18n.js';
import { renderMarkdown } from './markdown.js';

addMessages({
  ja: {
    'coach.source': '出典',
    'coach.sources': '出典',
    'coach.open': 'ガイダンスを開く',
    'coach.mode.llm': '言語モデル（{0}）',
    'coach.mode.offline': 'オフラインモード',
    'coach.referral': '専門の窓口につないでください',
    'coach.contacts': '連絡先',
    'coach.referral.now': 'いま行うこと',
    'coach.referral.possible': 'デリケートな内容かもしれません',
    'coach.referral.dismiss': '該当しない',
    'coach.referral.dismiss.confirm': '見つかった場所の文章を読み、窓口につなぐべき内容ではないと確認しましたか？確認した記録（文章そのものは残りません）が組織の件数に加わります。',
    'coach.referral.dismiss.yes': 'はい、確認しました。コーチに続けてもらう',
    'coach.referral.dismissed': '確認済みとして記録しました。もう一度依頼すると、コーチが答えます。',
    'coach.referral.where': '見つかった場所：{0}',
    'coach.referral.default': '組織の窓口が未登録のため、一般的な相談先を示しています。',
    'place.question': 'あなたの質問', 'place.chat': 'チャット', 'place.intake': 'メンバーの事前記入', 'place.comment': 'メンバーのコメント',
    'place.note': '1on1のメモ', 'place.action': 'アクション', 'place.reflection': '振り返り',
    'coach.noguidance': 'ナレッジベースに該当するガイダンスが見つかりませんでした。',
    'coach.dropped': '根拠のない出典番号 {0} 件を取り除きました。',
    'coach.rate': 'この回答は役に立ちましたか？',
    'coach.comment': 'コメント（任意）',
    'coach.send': 'コメントを送る',
    'coach.comment.hint': '「役に立った」か「役に立たなかった」を選ぶと送れます。あとから書き足したら、もう一度送ってください。',
    'coach.comment.sent': 'コメントを送りました。ありがとうございます。',
    'coach.doc': 'ガイダンス全文',
    'coach.reason.llm_not_configured': '言語モデルが設定されていません。',
    'coach.reason.llm_unavailable': '言語モデルに接続できなかったため、オフラインで作成しました。',
    'coach.reason.llm_interrupted': '言語モデルの応答が途中で切れたため、オフラインで作成し直しました。',
    'coach.reason.llm_empty_answer': '言語モデルの応答に表示できる内容がなかったため、オフラインで作成しました。',
    'coach.reason.budget_exceeded': '本日の利用上限に達したため、オフラインで作成しました。',
    'coach.reason.sensitive_topic': 'デリケートな内容のため、コーチは助言せず窓口を案内します。',
    'contact.hr': '人事', 'contact.health': '産業保健', 'contact.hotline': '相談窓口', 'contact.legal': '法務', 'contact.other': 'その他',
  },
  en: {
    'coach.source': 'Source',
    'coach.sources': 'Sources',
    'coach.open': 'Open the guidance',
    'coach.mode.llm': 'Language model ({0})',
    'coach.mode.offline': 'Offline mode',
    'coach.referral': 'Involve the right people',
    'coach.contacts': 'Contacts',
    'coach.referral.now': 'What to do now',
    'coach.referral.possible': 'This may be a sensitive matter',
    'coach.referral.dismiss': 'Not a sensitive matter',
    'coach.referral.dismiss.confirm': 'Have you read the texts where this was found and checked that they need no referral? The check is counted for your organization (the texts are not kept).',
    'coach.referral.dismiss.yes': 'Yes, I checked. Let the coach go on',
    'coach.referral.dismissed': 'Recorded as checked. Ask again and the coach will answer.',
    'coach.referral.where': 'Found in: {0}',
    'coach.referral.default': 'Your organization has not registered its contacts: these are the usual ones to look for.',
    'place.question': 'your question', 'place.chat': 'the chat', 'place.intake': "the member's request", 'place.comment': "the member's comment",
    'place.note': 'a 1on1 note', 'place.action': 'an action', 'place.reflection': 'a reflection',
    'coach.noguidance': 'No guidance in the knowledge base covers this.',
    'coach.dropped': 'Removed {0} citation number(s) that named no source.',
    'coach.rate': 'Was this answer helpful?',
    'coach.comment': 'Comment (optional)',
    'coach.send': 'Send comment',
    'coach.comment.hint': 'Choose "Helpful" or "Not helpful" to send it. If you add to it later, send it again.',
    'coach.comment.sent': 'Comment sent. Thank you.',
    'coach.doc': 'The whole guidance',
    'coach.reason.llm_not_configured': 'No language model is configured.',
    'coach.reason.llm_unavailable': 'The language model could not be reached, so this was composed offline.',
    'coach.reason.llm_interrupted': "The language model's answer broke off, so this was composed offline.",
    'coach.reason.llm_empty_answer': 'The language model answered with nothing to show, so this was composed offline.',
    'coach.reason.budget_exceeded': "Today's usage limit was reached, so this was composed offline.",
    'coach.reason.sensitive_topic': 'A sensitive matter: the coach does not advise, it points to the right people.',
    'contact.hr': 'HR', 'contact.health': 'Occupational health', 'contact.hotline': 'Hotline', 'contact.legal': 'Legal', 'contact.other': 'Other',
  },
});

// citedText renders text whose [n] markers become buttons that open the
// cited guidance.
export function citedText(text, citations, tag = 'span') {
  const el = h(tag, {});
  const re = /\[(\d+(?:\s*[,、]\s*\d+)*)\]/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) el.append(text.slice(last, m.index));
    for (const n of m[1].split(/[,、]/).map((s) => parseInt(s.trim(), 10))) {
      const c = (citations || []).find((x) => x.n === n);
      if (c) {
        el.append(h('button', { type: 'button', class: 'cite', 'aria-label': `${t('coach.source')} ${n}: ${c.title}`,
          onclick: () => openCitation(c) }, String(n)));
      } else {
        el.append(`[${n}]`);
      }
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) el.append(text.slice(last));
  return el;
}

// openCitation shows the cited passage and the whole document beside the
// answer, in a drawer that Escape or the close button dismisses.
export async function openCitation(c) {
  document.querySelector('.drawer')?.remove();
  const opener = document.activeElement;
  const close = () => {
    drawer.remove();
    opener?.focus?.();
  };
  const body = h('div', {}, h('p', { class: 'muted' }, '…'));
  const closeBtn = h('button', { type: 'button', class: 'btn btn-small', onclick: close }, t('common.close'));
  const drawer = h('aside', { class: 'drawer', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'drawer-title', id: 'citation-drawer' },
    h('div', { class: 'row' }, h('h2', { id: 'drawer-title' }, `[${c.n}] ${c.title}`), h('span', { class: 'spacer' }), closeBtn),
    c.heading_path && c.heading_path.length ? h('p', { class: 'muted small' }, c.heading_path.join(' › ')) : null,
    h('blockquote', { class: 'quote' }, c.quote),
    h('h3', {}, t('coach.doc')),
    body);
  drawer.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  document.body.append(drawer);
  closeBtn.focus();
  try {
    const doc = await api('GET', `/api/kb/documents/${c.document_id}`);
    clear(body).append(renderMarkdown(doc.body || ''));
  } catch (err) {
    clear(body).append(h('p', { class: 'error', role: 'alert' }, err.message));
  }
}

// citationList lists an answer's sources.
export function citationList(citations) {
  if (!citations || citations.length === 0) return null;
  return h('section', { 'aria-label': t('coach.sources') },
    h('h3', {}, t('coach.sources')),
    h('ol', { class: 'citations' }, citations.map((c) => h('li', { value: c.n },
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => openCitation(c) }, c.title),
      c.heading_path && c.heading_path.length ? h('span', { class: 'muted small' }, ' ', c.heading_path.join(' › ')) : null,
      h('div', { class: 'quote small' }, c.quote)))));
}

// modeLine says who wrote the answer and, when offline, why.
export function modeLine(a) {
  const label = a.mode === 'llm' ? t('coach.mode.llm', a.model) : t('coach.mode.offline');
  return h('p', { class: 'small muted mode' },
    h('span', { class: a.mode === 'llm' ? 'badge accent' : 'badge' }, label), ' ',
    a.fallback_reason ? t('coach.reason.' + a.fallback_reason) : '',
    a.dropped_citations ? ' ' + t('coach.dropped', a.dropped_citations) : '');
}

// referralBox shows what to do instead of coaching. A possible referral
// (the statistical screen's alone) can be dismissed by the manager after
// reading the texts; again, when given, asks once more.
export function referralBox(r, id, again) {
  if (!r) return null;
  const places = (r.places || []).map((p) => t('place.' + p)).join(t('common.sep'));
  let dismiss = null;
  if (r.possible && r.dismiss && r.dismiss.length) {
    // Two steps, in the page: the manager says what they checked.
    const status = h('span', { class: 'small', role: 'status' });
    const yes = h('button', { type: 'button', class: 'btn btn-small', dataset: { dismissConfirm: '' }, onclick: async () => {
      yes.disabled = true;
      try {
        await api('POST', '/api/referrals/dismissals', { dismiss: r.dismiss, topics: r.topics });
        if (again) again();
        else status.textContent = t('coach.referral.dismissed');
      } catch (err) {
        yes.disabled = false;
        status.textContent = err.message;
      }
    } }, t('coach.referral.dismiss.yes'));
    const check = h('div', { class: 'stack', hidden: true }, h('p', { class: 'small' }, t('coach.referral.dismiss.confirm')), h('div', { class: 'row' }, yes, status));
    const btn = h('button', { type: 'button', class: 'btn btn-small', dataset: { dismiss: '' }, onclick: () => {
      btn.hidden = true;
      check.hidden = false;
    } }, t('coach.referral.dismiss'));
    dismiss = h('div', {}, btn, check);
  }
  return h('div', { class: 'notice warn', role: 'alert', id: id || null },
    h('h3', {}, t(r.possible ? 'coach.referral.possible' : 'coach.referral')),
    h('p', {}, r.message),
    places ? h('p', { class: 'small' }, t('coach.referral.where', places)) : null,
    r.steps && r.steps.length
      ? h('div', {}, h('h4', {}, t('coach.referral.now')), h('ol', { class: 'referral-steps' }, r.steps.map((s) => h('li', {}, s))))
      : null,
    r.contacts && r.contacts.length
      ? h('div', {}, h('h4', {}, t('coach.contacts')),
        r.default_contacts ? h('p', { class: 'small muted' }, t('coach.referral.default')) : null,
        h('ul', {}, r.contacts.map((c) => h('li', {}, h('strong', {}, `${t('contact.' + c.kind)}: ${c.name}`), c.detail ? ` — ${c.detail}` : ''))))
      : null,
    dismiss);
}

// thumbs records a manager's judgement of an answer, with a comment. A
// thumb is sent at once, with the comment as it is; the comment's own
// button sends it again with whatever was written after (a second rating
// replaces the first).
export function thumbs(answerID) {
  let helpful = null;
  const comment = h('input', { type: 'text', maxlength: 2000 });
  const status = h('span', { class: 'small muted', role: 'status' });
  const sendComment = h('button', { type: 'submit', class: 'btn btn-small', disabled: true }, t('coach.send'));
  const send = async (done) => {
    try {
      await api('POST', `/api/answers/${answerID}/feedback`, { helpful, comment: comment.value });
      status.textContent = done;
    } catch (err) {
      status.textContent = err.message;
    }
  };
  const thumb = (value, label) => h('button', { type: 'button', class: 'btn btn-small', 'aria-pressed': 'false', onclick: () => {
    helpful = value;
    up.setAttribute('aria-pressed', String(value));
    down.setAttribute('aria-pressed', String(!value));
    sendComment.disabled = false;
    send(t('common.thanks'));
  } }, label);
  const up = thumb(true, t('common.helpful'));
  const down = thumb(false, t('common.unhelpful'));
  const form = h('form', { class: 'row' },
    h('div', { class: 'spacer' }, field(t('coach.comment'), comment, t('coach.comment.hint'))), sendComment);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (helpful !== null) send(t('coach.comment.sent'));
  });
  return h('div', { class: 'card thumbs' }, h('div', { class: 'row' }, h('span', {}, t('coach.rate')), up, down, status), form);
}
