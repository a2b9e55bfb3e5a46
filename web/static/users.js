// users.js: the organization's users, for admins (what `taiwa admin` does
// on the command line): add a manager, curator or admin with a first API
// token, whose secret is shown this once; see a user's tokens and revoke
// one; disable or enable a user. A disabled user's tokens stop working
// until the user is enabled again.
import { api } from './api.js';
import { h, clear, field, formatDate } from './dom.js';
import { t, addMessages } from './i18n.js';

addMessages({
  ja: {
    'users.title': 'ユーザー管理',
    'users.intro': 'この組織のユーザーと、サインインに使うAPIトークンを管理します。無効にしたユーザーは、どのトークンでもサインインできなくなります。',
    'users.add': 'ユーザーを追加',
    'users.name': '表示名',
    'users.name.hint': '画面や監査ログに出る名前です（200文字まで）。',
    'users.email': 'メールアドレス（任意）',
    'users.role': '役割',
    'users.role.hint': 'マネージャーは1on1の準備と記録、キュレーターはガイダンスの管理、管理者はユーザーと組織の設定を行います。',
    'users.language': '表示言語',
    'users.language.org': '組織の既定',
    'users.language.ja': '日本語',
    'users.language.en': 'English',
    'users.expiry': 'トークンの有効期限',
    'users.expiry.0': '無期限',
    'users.expiry.30': '30日',
    'users.expiry.90': '90日',
    'users.expiry.365': '1年',
    'users.create': '追加してトークンを発行',
    'users.created': '「{0}」を追加しました。トークンは今だけ表示されます。',
    'users.created.notoken': '「{0}」を追加しましたが、トークンを発行できませんでした。一覧の「トークン」から発行してください。',
    'role.manager': 'マネージャー',
    'role.curator': 'キュレーター',
    'role.admin': '管理者',
    'users.list': 'ユーザー一覧',
    'users.col.name': '名前',
    'users.col.email': 'メールアドレス',
    'users.col.role': '役割',
    'users.col.status': '状態',
    'users.col.last': '最終利用',
    'users.col.actions': '操作',
    'users.last.hint': '最終利用は、サインインやトークンでのアクセスがあった最後の日時です。',
    'users.you': '（あなた）',
    'users.active': '有効',
    'users.disabled': '無効',
    'users.never': '未使用',
    'users.tokens': 'トークン',
    'users.tokens.for': 'トークン（{0}）',
    'users.disable': '無効にする',
    'users.disable.for': '無効にする（{0}）',
    'users.enable': '有効にする',
    'users.enable.for': '有効にする（{0}）',
    'users.disable.confirm': '「{0}」を無効にします。このユーザーのトークンとブラウザのセッションは、すべてすぐに使えなくなります。よろしいですか？',
    'users.enable.confirm': '「{0}」を有効に戻します。失効させていないトークンは、また使えるようになります。よろしいですか？',
    'users.disabled.done': '「{0}」を無効にしました。',
    'users.enabled.done': '「{0}」を有効にしました。',
    'users.secret.title': '「{0}」のトークン',
    'users.secret.label': 'APIトークン',
    'users.secret.once': 'このトークンが表示されるのは今だけです。閉じたりページを移動したりすると、二度と表示できません。コピーして、安全な方法で本人に渡してください。',
    'users.secret.copied': 'コピーしました。',
    'users.secret.select': 'トークンを選択しました。コピーしてください（Ctrl+C または ⌘C）。',
    'users.secret.close': '閉じる（もう表示しない）',
    'users.token.first': '最初のトークン',
    'users.token.session': 'ブラウザのセッション',
    'users.tokens.title': '「{0}」のトークン',
    'users.tokens.hint': 'サインインに使うトークンと、サインイン中のブラウザのセッションです。失効させたトークンは元に戻せません。',
    'users.tokens.none': '有効なトークンはありません。',
    'users.tokens.inactive': '失効・期限切れのトークン（{0}件）',
    'users.tokens.new': '新しいトークンを発行',
    'users.tokens.name': 'トークンの名前（任意）',
    'users.tokens.name.hint': '用途がわかる名前にすると、あとで失効させるときに見分けられます。',
    'users.tokens.created': 'トークン「{0}」を発行しました。トークンは今だけ表示されます。',
    'users.tokens.close': 'トークンの一覧を閉じる',
    'users.token.col.name': '名前',
    'users.token.col.created': '発行',
    'users.token.col.expires': '有効期限',
    'users.token.col.last': '最終利用',
    'users.token.col.status': '状態',
    'users.token.col.actions': '操作',
    'users.token.unnamed': '（名前なし）',
    'users.token.active': '有効',
    'users.token.revoked': '失効',
    'users.token.expired': '期限切れ',
    'users.token.noexpiry': '無期限',
    'users.token.revoke': '失効させる',
    'users.token.revoke.for': '失効させる（{0}）',
    'users.token.revoke.confirm': 'トークン「{0}」を失効させます。このトークンではサインインもAPIの利用もできなくなり、元に戻せません。よろしいですか？',
    'users.token.revoked.done': 'トークン「{0}」を失効させました。',
  },
  en: {
    'users.title': 'Users',
    'users.intro': 'The users of this organization and the API tokens they sign in with. A disabled user cannot sign in with any token.',
    'users.add': 'Add a user',
    'users.name': 'Display name',
    'users.name.hint': 'The name shown in the app and in the audit log (up to 200 characters).',
    'users.email': 'Email address (optional)',
    'users.role': 'Role',
    'users.role.hint': 'Managers prepare and log their 1on1s, curators keep the guidance, admins manage users and the organization\'s settings.',
    'users.language': 'Language',
    'users.language.org': 'The organization\'s default',
    'users.language.ja': '日本語',
    'users.language.en': 'English',
    'users.expiry': 'Token expiry',
    'users.expiry.0': 'Never',
    'users.expiry.30': '30 days',
    'users.expiry.90': '90 days',
    'users.expiry.365': '1 year',
    'users.create': 'Add and make a token',
    'users.created': '"{0}" was added. Their token is shown only now.',
    'users.created.notoken': '"{0}" was added, but no token could be made. Make one from "Tokens" in the list.',
    'role.manager': 'Manager',
    'role.curator': 'Curator',
    'role.admin': 'Admin',
    'users.list': 'All users',
    'users.col.name': 'Name',
    'users.col.email': 'Email',
    'users.col.role': 'Role',
    'users.col.status': 'Status',
    'users.col.last': 'Last used',
    'users.col.actions': 'Actions',
    'users.last.hint': 'Last used is the last time the user signed in or a token of theirs was used.',
    'users.you': ' (you)',
    'users.active': 'Active',
    'users.disabled': 'Disabled',
    'users.never': 'Never',
    'users.tokens': 'Tokens',
    'users.tokens.for': 'Tokens ({0})',
    'users.disable': 'Disable',
    'users.disable.for': 'Disable ({0})',
    'users.enable': 'Enable',
    'users.enable.for': 'Enable ({0})',
    'users.disable.confirm': 'Disable "{0}"? All their tokens and browser sessions stop working at once.',
    'users.enable.confirm': 'Enable "{0}" again? Their tokens that were not revoked will work again.',
    'users.disabled.done': '"{0}" was disabled.',
    'users.enabled.done': '"{0}" was enabled.',
    'users.secret.title': 'Token for "{0}"',
    'users.secret.label': 'API token',
    'users.secret.once': 'This token is shown only now. Once you close it or leave the page it cannot be shown again. Copy it and give it to the user in a safe way.',
    'users.secret.copied': 'Copied.',
    'users.secret.select': 'The token is selected. Copy it (Ctrl+C or ⌘C).',
    'users.secret.close': 'Close (never show it again)',
    'users.token.first': 'First token',
    'users.token.session': 'Browser session',
    'users.tokens.title': 'Tokens of "{0}"',
    'users.tokens.hint': 'The tokens they sign in with, and the browser sessions they are signed in with. A revoked token cannot be restored.',
    'users.tokens.none': 'No active tokens.',
    'users.tokens.inactive': 'Revoked and expired tokens ({0})',
    'users.tokens.new': 'Make a new token',
    'users.tokens.name': 'Token name (optional)',
    'users.tokens.name.hint': 'A name that says what it is for tells it apart when you revoke it later.',
    'users.tokens.created': 'Token "{0}" was made. It is shown only now.',
    'users.tokens.close': 'Close the tokens',
    'users.token.col.name': 'Name',
    'users.token.col.created': 'Made',
    'users.token.col.expires': 'Expires',
    'users.token.col.last': 'Last used',
    'users.token.col.status': 'Status',
    'users.token.col.actions': 'Actions',
    'users.token.unnamed': '(no name)',
    'users.token.active': 'Active',
    'users.token.revoked': 'Revoked',
    'users.token.expired': 'Expired',
    'users.token.noexpiry': 'Never',
    'users.token.revoke': 'Revoke',
    'users.token.revoke.for': 'Revoke ({0})',
    'users.token.revoke.confirm': 'Revoke the token "{0}"? It can no longer sign in or call the API, and this cannot be undone.',
    'users.token.revoked.done': 'The token "{0}" was revoked.',
  },
});

const ROLES = ['manager', 'curator', 'admin'];
const EXPIRIES = [0, 30, 90, 365];

// The name the server gives the token a sign-in makes (api/session.go).
const SESSION_TOKEN = 'web session';

function tokenName(tk) {
  if (tk.name === SESSION_TOKEN) return t('users.token.session');
  return tk.name || t('users.token.unnamed');
}

function tokenState(tk, now = Date.now()) {
  if (tk.revoked_at) return 'revoked';
  if (tk.expires_at && new Date(tk.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

function expirySelect(id) {
  return h('select', { id }, EXPIRIES.map((d) => h('option', { value: String(d) }, t('users.expiry.' + d))));
}

// lastUse is the latest use of any of the user's tokens (a sign-in uses
// the token it exchanges, and the session is a token too), or null.
function lastUse(tokens) {
  let last = null;
  for (const tk of tokens) if (tk.last_used_at && (!last || tk.last_used_at > last)) last = tk.last_used_at;
  return last;
}

// eachLimited runs fn over items, n at a time: a page of users must not
// send every request at once.
async function eachLimited(items, n, fn) {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(n, queue.length) }, async () => {
    while (queue.length) await fn(queue.shift());
  }));
}

// secretBox shows a token's secret this once, with a copy button. Closing
// it removes the secret from the page; nothing else keeps it. One secret
// is on the page at a time.
function secretBox(title, secret, onClose) {
  document.getElementById('user-secret-box')?.remove();
  const input = h('input', { type: 'text', readonly: true, value: secret, id: 'user-secret', autocomplete: 'off', spellcheck: 'false' });
  const copied = h('p', { class: 'small', role: 'status', id: 'user-secret-status' });
  const box = h('section', { class: 'notice warn stack', id: 'user-secret-box', 'aria-labelledby': 'user-secret-title' },
    h('h2', { id: 'user-secret-title' }, title),
    h('p', { id: 'user-secret-once' }, h('strong', {}, t('users.secret.once'))),
    field(t('users.secret.label'), input),
    h('div', { class: 'row' },
      h('button', { class: 'btn btn-primary', type: 'button', id: 'user-secret-copy', onclick: async () => {
        input.select();
        try {
          await navigator.clipboard.writeText(secret);
          copied.textContent = t('users.secret.copied');
        } catch {
          copied.textContent = t('users.secret.select');
        }
      } }, t('common.copy')),
      h('button', { class: 'btn', type: 'button', id: 'user-secret-close', onclick: () => {
        box.remove();
        onClose();
      } }, t('users.secret.close'))),
    copied);
  input.setAttribute('aria-describedby', 'user-secret-once');
  return { box, input };
}

export async function usersView(main, params, ctx) {
  const { users: first } = await api('GET', '/api/users');

  const status = h('p', { class: 'small muted', role: 'status', id: 'users-status' });
  const err = h('div', { id: 'users-error' });
  const say = (msg) => {
    clear(err);
    status.textContent = msg;
  };
  const fail = (ex) => {
    status.textContent = '';
    clear(err).append(ctx.errorBox(ex));
  };

  // Adding a user, with their first token.
  const name = h('input', { type: 'text', id: 'user-name', maxlength: 200, required: true, autocomplete: 'off' });
  const email = h('input', { type: 'text', id: 'user-email', inputmode: 'email', autocomplete: 'off', spellcheck: 'false', maxlength: 320 });
  const role = h('select', { id: 'user-role' }, ROLES.map((r) => h('option', { value: r }, t('role.' + r))));
  const language = h('select', { id: 'user-language' },
    ['', 'ja', 'en'].map((l) => h('option', { value: l }, t(l ? 'users.language.' + l : 'users.language.org'))));
  const expiry = expirySelect('user-expiry');
  const createErr = h('div', { id: 'user-create-error' });
  // Not a live region: the status line says a token was made, and focus
  // goes to it; a screen reader should not read the secret out unasked.
  const secretSlot = h('div', { id: 'user-secret-slot' });
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'user-add-h' },
    h('h2', { id: 'user-add-h' }, t('users.add')),
    h('div', { class: 'split' }, field(t('users.name'), name, t('users.name.hint')), field(t('users.email'), email)),
    h('div', { class: 'row' },
      field(t('users.role'), role, t('users.role.hint')),
      field(t('users.language'), language),
      field(t('users.expiry'), expiry)),
    createErr,
    h('button', { class: 'btn btn-primary', type: 'submit', id: 'user-create' }, t('users.create')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(createErr);
    clear(secretSlot);
    const body = { display_name: name.value.trim(), role: role.value };
    if (email.value.trim()) body.email = email.value.trim();
    if (language.value) body.language = language.value;
    let u;
    try {
      u = await api('POST', '/api/users', body);
    } catch (ex) {
      createErr.append(ctx.errorBox(ex));
      name.focus();
      return;
    }
    form.reset();
    try {
      const r = await api('POST', '/api/tokens', { user_id: u.id, name: t('users.token.first'), expires_in_days: Number(expiry.value) });
      const { box, input } = secretBox(t('users.secret.title', u.display_name), r.secret, () => name.focus());
      secretSlot.append(box);
      say(t('users.created', u.display_name));
      input.focus();
      input.select();
    } catch (ex) {
      secretSlot.append(h('p', { class: 'notice warn' }, t('users.created.notoken', u.display_name)), ctx.errorBox(ex));
    }
    await reload();
  });

  // The list.
  const body = h('tbody');
  const table = h('table', { class: 'table', id: 'users-table' },
    h('thead', {}, h('tr', {}, ['name', 'email', 'role', 'status', 'last', 'actions'].map((k) => h('th', { scope: 'col' }, t('users.col.' + k))))),
    body);
  const tokensSlot = h('div', { id: 'user-tokens-slot' });

  const row = (u) => {
    const last = h('td', { class: 'small nowrap', dataset: { last: '' } }, '…');
    const disabled = !!u.disabled_at;
    const tokensBtn = h('button', { class: 'btn btn-small', type: 'button', dataset: { action: 'tokens' },
      'aria-label': t('users.tokens.for', u.display_name), onclick: async () => (await showTokens(u))?.focus() }, t('users.tokens'));
    const toggle = h('button', { class: disabled ? 'btn btn-small' : 'btn btn-small btn-danger', type: 'button',
      dataset: { action: disabled ? 'enable' : 'disable' },
      'aria-label': t(disabled ? 'users.enable.for' : 'users.disable.for', u.display_name),
      onclick: () => setDisabled(u, !disabled) }, t(disabled ? 'users.enable' : 'users.disable'));
    return h('tr', { dataset: { userId: u.id } },
      h('th', { scope: 'row' }, u.display_name, u.id === ctx.me.user.id ? h('span', { class: 'small muted' }, t('users.you')) : null),
      h('td', { class: 'nowrap' }, u.email || '—'),
      h('td', { class: 'nowrap' }, t('role.' + u.role)),
      h('td', { class: 'nowrap' }, disabled
        ? [h('span', { class: 'badge danger' }, t('users.disabled')), h('br'), h('span', { class: 'small muted' }, formatDate(u.disabled_at, ctx.lang))]
        : h('span', { class: 'badge ok' }, t('users.active'))),
      last,
      h('td', { class: 'nowrap' }, h('div', { class: 'row' }, tokensBtn, toggle)));
  };

  const show = (users) => {
    clear(body).append(...users.map(row));
    // Last use comes from each user's tokens, a few requests at a time.
    eachLimited(users, 4, async (u) => {
      const cell = body.querySelector(`tr[data-user-id="${u.id}"] td[data-last]`);
      let text = '—';
      try {
        const { tokens } = await api('GET', `/api/tokens?user_id=${u.id}`);
        const last = lastUse(tokens);
        text = last ? formatDate(last, ctx.lang, true) : t('users.never');
      } catch {}
      if (cell) cell.textContent = text;
    });
  };

  const reload = async () => {
    try {
      const { users } = await api('GET', '/api/users');
      show(users);
    } catch (ex) {
      fail(ex);
    }
  };

  const setDisabled = async (u, disabled) => {
    if (!confirm(t(disabled ? 'users.disable.confirm' : 'users.enable.confirm', u.display_name))) return;
    try {
      await api('PATCH', `/api/users/${u.id}`, { disabled });
      say(t(disabled ? 'users.disabled.done' : 'users.enabled.done', u.display_name));
    } catch (ex) {
      fail(ex);
      return;
    }
    await reload();
    body.querySelector(`tr[data-user-id="${u.id}"] button[data-action="${disabled ? 'enable' : 'disable'}"]`)?.focus();
  };

  // A user's tokens: the active ones, then the revoked and expired ones
  // folded away (a sign-in leaves a session token behind each time). It
  // returns the section's heading, to focus; secret is a token just made.
  const showTokens = async (u, secret) => {
    clear(err);
    let tokens;
    try {
      ({ tokens } = await api('GET', `/api/tokens?user_id=${u.id}`));
    } catch (ex) {
      fail(ex);
      return;
    }
    tokens.reverse(); // newest first
    const now = Date.now();
    const active = tokens.filter((tk) => tokenState(tk, now) === 'active');
    const inactive = tokens.filter((tk) => tokenState(tk, now) !== 'active');
    const tokenTable = (list, id) => h('div', { class: 'scroll-x' }, h('table', { class: 'table', id },
      h('thead', {}, h('tr', {}, ['name', 'created', 'expires', 'last', 'status', 'actions'].map((k) => h('th', { scope: 'col' }, t('users.token.col.' + k))))),
      h('tbody', {}, list.map((tk) => {
        const state = tokenState(tk, now);
        return h('tr', { dataset: { tokenId: tk.id } },
          h('th', { scope: 'row' }, tokenName(tk)),
          h('td', { class: 'nowrap' }, formatDate(tk.created_at, ctx.lang, true)),
          h('td', { class: 'nowrap' }, tk.expires_at ? formatDate(tk.expires_at, ctx.lang, true) : t('users.token.noexpiry')),
          h('td', { class: 'nowrap' }, tk.last_used_at ? formatDate(tk.last_used_at, ctx.lang, true) : t('users.never')),
          h('td', { class: 'nowrap' }, h('span', { class: state === 'active' ? 'badge ok' : 'badge' }, t('users.token.' + state))),
          h('td', { class: 'nowrap' }, state === 'active'
            ? h('button', { class: 'btn btn-small btn-danger', type: 'button', dataset: { action: 'revoke' },
              'aria-label': t('users.token.revoke.for', tokenName(tk)), onclick: () => revoke(u, tk) }, t('users.token.revoke'))
            : ''));
      }))));

    const tokName = h('input', { type: 'text', id: 'token-name', maxlength: 200, autocomplete: 'off' });
    const tokExpiry = expirySelect('token-expiry');
    const tokErr = h('div');
    const newForm = h('form', { class: 'stack', 'aria-labelledby': 'token-new-h' },
      h('h3', { id: 'token-new-h' }, t('users.tokens.new')),
      h('div', { class: 'split' }, field(t('users.tokens.name'), tokName, t('users.tokens.name.hint')), field(t('users.expiry'), tokExpiry)),
      tokErr,
      h('button', { class: 'btn', type: 'submit', id: 'token-create' }, t('users.tokens.new')));
    newForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      clear(tokErr);
      try {
        const r = await api('POST', '/api/tokens', { user_id: u.id, name: tokName.value.trim(), expires_in_days: Number(tokExpiry.value) });
        say(t('users.tokens.created', tokenName(r.token)));
        await showTokens(u, r.secret);
      } catch (ex) {
        tokErr.append(ctx.errorBox(ex));
      }
    });

    const heading = h('h2', { id: 'user-tokens-h', tabindex: '-1' }, t('users.tokens.title', u.display_name));
    const shown = secret ? secretBox(t('users.secret.title', u.display_name), secret, () => tokName.focus()) : null;
    clear(tokensSlot).append(h('section', { class: 'card stack', id: 'user-tokens', 'aria-labelledby': 'user-tokens-h' },
      heading,
      h('p', { class: 'hint' }, t('users.tokens.hint')),
      shown && shown.box,
      active.length ? tokenTable(active, 'user-tokens-active') : h('p', { class: 'muted' }, t('users.tokens.none')),
      inactive.length
        ? h('details', {}, h('summary', {}, t('users.tokens.inactive', inactive.length)), tokenTable(inactive, 'user-tokens-inactive'))
        : null,
      newForm,
      h('button', { class: 'btn btn-small', type: 'button', onclick: () => {
        clear(tokensSlot);
        body.querySelector(`tr[data-user-id="${u.id}"] button[data-action="tokens"]`)?.focus();
      } }, t('users.tokens.close'))));
    if (shown) {
      shown.input.focus();
      shown.input.select();
    }
    return heading;
  };

  const revoke = async (u, tk) => {
    if (!confirm(t('users.token.revoke.confirm', tokenName(tk)))) return;
    try {
      await api('DELETE', `/api/tokens/${tk.id}`);
      say(t('users.token.revoked.done', tokenName(tk)));
    } catch (ex) {
      fail(ex);
      return;
    }
    (await showTokens(u))?.focus();
  };

  main.append(
    h('h1', {}, t('users.title')),
    h('p', { class: 'muted' }, t('users.intro')),
    form,
    secretSlot,
    h('section', { class: 'card stack', 'aria-labelledby': 'users-list-h' },
      h('h2', { id: 'users-list-h' }, t('users.list')),
      h('p', { class: 'hint' }, t('users.last.hint')),
      status,
      err,
      h('div', { class: 'scroll-x' }, table)),
    tokensSlot);
  show(first);
}
