// api.js: talking to the Taiwa API from the browser. The session cookie is
// HttpOnly; unsafe requests carry the CSRF token the sign-in returned.
import { t, has } from './i18n.js';

let csrf = '';

export function setCSRF(token) {
  csrf = token || '';
}

// ApiError carries the API's error code and a sentence fit to show, in
// the user's language: key and args make it again in the other one.
export class ApiError extends Error {
  constructor(status, code, key, args, requestID) {
    super(t(key, ...args));
    this.status = status;
    this.code = code;
    this.key = key;
    this.args = args;
    this.requestID = requestID;
  }
}

// The API's refusals that say more than their code, known by the API's
// words (written in English for developers by the package that refuses:
// api/errors.go). The first that matches names the sentence; what the
// pattern captures fills its {0}.
const KNOWN = [
  ['error.link.used', /this link was already used|feedback on this session was already given/],
  ['error.link.expired', /this link has expired/],
  ['error.link.answered', /the member already gave feedback/],
  ['error.link.phase', /an intake link is for a scheduled|a feedback link is for a held/],
  ['error.member.exists', /you already have a member called "(.*)"/],
  ['error.member.alias', /alias must be 1 to 50/],
  ['error.names.many', /at most 10 name forms/],
  ['error.names.form', /a name form needs/],
  ['error.session.future', /cannot be held on a future date/],
  ['error.session.long', /notes are limited to/],
  ['error.action.text', /an action needs text/],
  ['error.reflection.held', /reflection is for a held session/],
  ['error.comment.long', /comment is limited to/],
  ['error.question.long', /question is limited to/],
  ['error.chat.message', /a message needs 1 to/],
  ['error.chat.title', /the title is limited to/],
  ['error.topic.unknown', /topic "([^"]*)" is not in the taxonomy/],
  ['error.language', /language "([^"]*)" is not ja or en/],
  ['error.query.empty', /the query is empty/],
  ['error.doc.title', /title is empty|title is longer than/],
  ['error.doc.body', /body is empty|body is longer than/],
  ['error.doc.topic', /at least one topic is needed/],
  ['error.doc.tags', /more than 30 tags|tag "[^"]*" is longer than/],
  ['error.doc.version', /the document is at version/],
  ['error.doc.hide', /only starter documents can be hidden/],
  ['error.checks.breaks', /(\d+) questions that found their guidance in the top 3 would not: (.*)$/],
  ['error.import.utf8', /not UTF-8 text/],
  ['error.nul', /NUL character/],
  ['error.import.front', /no front matter/],
  ['error.import.unclosed', /front matter is not closed/],
  ['error.import.yaml', /front matter:/],
  ['error.import.status', /status "([^"]*)" is not draft/],
  ['error.import.size', /empty or larger than 1 MB/],
  ['error.import.type', /not a Markdown file/],
  ['error.import.zip', /not a zip archive/],
  ['error.import.many', /files in the archive|MB of Markdown/],
  ['error.import.none', /no files: send them/],
  ['error.user.exists', /a user with this email already exists/],
  ['error.user.email', /is not an address/],
  ['error.user.self', /an admin cannot disable themselves/],
  ['error.user.name', /display name is empty|display name is longer than/],
  ['error.token.name', /token name is longer than/],
  ['error.terms', /term "[^"]*" is longer than|at most [\d,]+ terms/],
  ['error.contacts', /at most \d+ contacts|a contact needs a name/],
  ['error.phrases', /at most \d+ phrases|a phrase needs/],
  ['error.csrf', /X-CSRF-Token/],
];

// known finds the sentence for the API's words: [key, args], or null.
export function known(message) {
  for (const [key, re] of KNOWN) {
    const m = re.exec(message || '');
    if (m) return [key, m.slice(1)];
  }
  return null;
}

// codeOf is the code of a response without one of its own (a proxy's
// page, or no response at all).
function codeOf(status) {
  const codes = { 0: 'network', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 410: 'gone', 413: 'too_large', 503: 'unavailable' };
  return codes[status] || (status >= 500 ? 'internal' : 'http_error');
}

// readable turns an error (the body's "error": code, message, request_id)
// into a sentence for people: the known case's, else its code's. The
// API's own words never reach the page.
function readable(status, e) {
  const { code = codeOf(status), message, request_id: requestID } = e || {};
  const byCode = has('error.' + code) ? 'error.' + code : status >= 500 ? 'error.internal' : 'error.http_error';
  const [key, args] = known(message) || [byCode, []];
  return new ApiError(status, code, key, args, requestID);
}

function headers(method, body) {
  const hs = { Accept: 'application/json' };
  if (body !== undefined && !(body instanceof FormData)) hs['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) hs['X-CSRF-Token'] = csrf;
  return hs;
}

export async function api(method, path, body) {
  let resp;
  try {
    resp = await fetch(path, {
      method,
      headers: headers(method, body),
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (err) {
    throw readable(0);
  }
  if (resp.status === 204) return null;
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const err = readable(resp.status, data && data.error);
    if (resp.status === 401) window.dispatchEvent(new CustomEvent('taiwa:signed-out'));
    throw err;
  }
  return data;
}

// stream posts body and calls onEvent(type, data) for each server-sent
// event as it arrives. It resolves when the stream ends; abort the signal
// to cancel (the server stops the model call).
export async function stream(path, body, onEvent, signal) {
  let resp;
  try {
    resp = await fetch(path, {
      method: 'POST',
      headers: { ...headers('POST', body), Accept: 'text/event-stream' },
      body: JSON.stringify(body || {}),
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (signal && signal.aborted) return;
    throw readable(0);
  }
  if (!resp.ok) {
    let data = null;
    try {
      data = await resp.json();
    } catch {}
    throw readable(resp.status, data && data.error);
  }
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let type = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) type = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        let parsed = null;
        try {
          parsed = data ? JSON.parse(data) : null;
        } catch {}
        if (type === 'error') throw readable(0, { code: 'internal', ...parsed });
        onEvent(type, parsed);
      }
    }
  } catch (err) {
    if (signal && signal.aborted) return;
    throw err;
  }
}
