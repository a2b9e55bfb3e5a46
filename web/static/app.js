// app.js: the signed-in app's shell: sign-in, the header, routing
// (#/path), and what every view gets (ctx).
import { api, ApiError, setCSRF } from './api.js';
import { h, clear, field } from './dom.js';
import { t, getLang, setLang } from './i18n.js';
import { membersView, memberView, prepView, sessionView } from './manager.js';
import { chatView } from './chat.js';
import { guidanceListView, guidanceEditView, tryQueryView, gapsView } from './curator.js';
import { orgView } from './settings.js';
import { thesaurusView } from './thesaurus.js';
import { usersView } from './users.js';
import { insightsView, myInsightsView, teamsView, usageView } from './insights.js';
import { checksView } from './checks.js';
import { notificationsView } from './notify.js';

let main = document.getElementById('app'); // replaced at each render (see render)
const top = document.getElementById('top');
let me = null; // { user, org }

// Routes: the first that matches the hash wins; :name captures a segment.
const routes = [
  { path: '/members', view: membersView, roles: ['manager'] },
  { path: '/members/:id', view: memberView, roles: ['manager'] },
  { path: '/members/:id/prep', view: prepView, roles: ['manager'] },
  { path: '/sessions/:id', view: sessionView, roles: ['manager'] },
  { path: '/chat', view: chatView, roles: ['manager'] },
  { path: '/chat/:id', view: chatView, roles: ['manager'] },
  { path: '/guidance', view: guidanceListView, roles: ['curator', 'admin'] },
  { path: '/guidance/new', view: guidanceEditView, roles: ['curator', 'admin'] },
  { path: '/guidance/:id', view: guidanceEditView, roles: ['curator', 'admin'] },
  { path: '/try', view: tryQueryView, roles: ['manager', 'curator', 'admin'] },
  { path: '/gaps', view: gapsView, roles: ['curator', 'admin'] },
  { path: '/usage', view: usageView, roles: ['curator', 'admin'] },
  { path: '/checks', view: checksView, roles: ['curator', 'admin'] },
  { path: '/thesaurus', view: thesaurusView, roles: ['curator', 'admin'] },
  { path: '/org', view: orgView, roles: ['admin'] },
  { path: '/users', view: usersView, roles: ['admin'] },
  { path: '/insights', view: insightsView, roles: ['admin', 'curator'] },
  { path: '/teams', view: teamsView, roles: ['admin'] },
  { path: '/mine', view: myInsightsView, roles: ['manager'] },
  { path: '/notifications', view: notificationsView, roles: ['manager', 'curator', 'admin'] },
];

function match(path) {
  for (const r of routes) {
    const want = r.path.split('/');
    const got = path.split('/');
    if (want.length !== got.length) continue;
    const params = {};
    let ok = true;
    want.forEach((seg, i) => {
      if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(got[i]);
      else if (seg !== got[i]) ok = false;
    });
    if (ok) return { route: r, params };
  }
  return null;
}

function home() {
  return me && me.user.role === 'manager' ? '/members' : '/guidance';
}

export function navigate(path) {
  if (location.hash === '#' + path) render();
  else location.hash = '#' + path;
}

let toastTimer;
function notify(message) {
  const live = document.getElementById('live');
  live.textContent = message;
  let el = document.querySelector('.toast');
  if (!el) {
    el = h('div', { class: 'toast', role: 'status' });
    document.body.append(el);
  }
  el.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.remove(), 4000);
}

// errorBox shows an API error as a sentence, never raw JSON. A script's
// own failure (a bug) gets the general sentence; its words go to the
// console.
export function errorBox(err) {
  const bug = err instanceof Error && !(err instanceof ApiError);
  if (bug) console.error(err);
  const msg = bug ? t('error.internal') : err && err.message ? err.message : String(err);
  const id = err && err.requestID ? ` (${err.requestID})` : '';
  return h('div', { class: 'error', role: 'alert' }, msg, err && err.status >= 500 ? h('span', { class: 'small' }, id) : null);
}

function header() {
  clear(top);
  top.append(h('a', { class: 'brand', href: me ? '#' + home() : '#/' }, t('app.name')));
  const nav = h('nav', { 'aria-label': t('nav.main') });
  if (me) {
    const items = [];
    if (me.user.role === 'manager') items.push(['/members', t('nav.members')], ['/chat', t('nav.chat')], ['/mine', t('nav.mine')]);
    if (me.user.role !== 'manager') items.push(['/guidance', t('nav.guidance')], ['/usage', t('nav.usage')], ['/checks', t('nav.checks')], ['/gaps', t('nav.gaps')], ['/thesaurus', t('nav.thesaurus')]);
    if (me.user.role === 'curator') items.push(['/insights', t('nav.insights')]);
    items.push(['/try', t('nav.try')], ['/notifications', t('nav.notifications')]);
    if (me.user.role === 'admin') items.push(['/insights', t('nav.insights')], ['/teams', t('nav.teams')], ['/users', t('nav.users')], ['/org', t('nav.org')]);
    const current = location.hash.slice(1);
    for (const [path, label] of items) {
      const active = current === path || current.startsWith(path + '/');
      nav.append(h('a', { href: '#' + path, 'aria-current': active ? 'page' : false }, label));
    }
  }
  top.append(nav);
  top.append(
    h('button', {
      class: 'btn btn-small', type: 'button', lang: getLang() === 'ja' ? 'en' : 'ja',
      onclick: () => { setLang(getLang() === 'ja' ? 'en' : 'ja'); render(); },
    }, t('nav.lang')),
  );
  if (me) {
    top.append(h('span', { class: 'who' }, me.user.display_name));
    top.append(h('button', { class: 'btn btn-small', type: 'button', onclick: signOut }, t('nav.signout')));
  }
}

async function signOut() {
  try {
    await api('DELETE', '/api/session');
  } catch {}
  me = null;
  setCSRF('');
  render();
}

function signInView() {
  clear(main);
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const err = h('div');
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, t('signin.title')),
    field(t('signin.token'), token, t('signin.hint')),
    err,
    h('button', { class: 'btn btn-primary', type: 'submit' }, t('signin.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(err);
    try {
      const s = await api('POST', '/api/session', { token: token.value.trim() });
      signedIn(s);
      if (!location.hash || location.hash === '#/') navigate(home());
      else render();
    } catch (ex) {
      // A 401 here is the token's: say so, and keep it to correct.
      err.append(errorBox(ex.status === 401 ? { message: t('signin.invalid') } : ex));
      token.focus();
      token.select();
    }
  });
  main.append(h('p', { class: 'muted' }, t('app.tagline')), form);
  token.focus();
}

function signedIn(s) {
  me = { user: s.user, org: s.org };
  setCSRF(s.csrf_token);
  if (!localStorage.getItem('taiwa.lang')) setLang(s.user.language);
}

async function render() {
  document.documentElement.lang = getLang();
  document.querySelector('.drawer')?.remove(); // a citation belongs to the page it was opened from
  // Each render gets a fresh <main>: a view still loading when the next
  // render starts (a menu link clicked before the page came) writes into
  // the one it was given, which is no longer on the page.
  const page = main.cloneNode(false);
  main.replaceWith(page);
  main = page;
  header();
  if (!me) {
    signInView();
    return;
  }
  const path = location.hash.slice(1) || home();
  const m = match(path);
  if (!m || !m.route.roles.includes(me.user.role)) {
    if (path !== home()) {
      navigate(home());
      return;
    }
    main.append(errorBox({ message: t('error.not_found') }));
    return;
  }
  const ctx = { me, lang: getLang(), navigate, notify, errorBox, params: m.params };
  try {
    await m.route.view(page, m.params, ctx);
  } catch (err) {
    page.append(errorBox(err));
  }
  if (page === main) page.focus({ preventScroll: true });
}

window.addEventListener('hashchange', render);
// A 401 ends a session that expired or was revoked. Signed out already
// (a wrong token at sign-in), the sign-in form stays with its error.
window.addEventListener('taiwa:signed-out', () => {
  if (!me) return;
  me = null;
  render();
});

(async () => {
  try {
    signedIn(await api('GET', '/api/session'));
  } catch {
    me = null;
  }
  render();
})();
