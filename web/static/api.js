// api.js: talking to the Taiwa API from the browser. The session cookie is
// HttpOnly; unsafe requests carry the CSRF token the sign-in returned.
import { t } from './i18n.js';

let csrf = '';

export function setCSRF(token) {
  csrf = token || '';
}

// ApiError carries the API's error code and a message fit to show.
export class ApiError extends Error {
  constructor(status, code, message, requestID) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestID = requestID;
  }
}

// readable turns an error response into a sentence for people: 5xx and
// network failures get a plain explanation, 4xx the API's own message.
function readable(status, body) {
  const e = (body && body.error) || {};
  const code = e.code || 'http_error';
  let msg;
  if (status === 0) msg = t('error.network');
  else if (status === 401) msg = t('error.unauthenticated');
  else if (status === 403) msg = t('error.forbidden');
  else if (status === 404) msg = t('error.not_found');
  else if (status === 410) msg = e.message ? t('error.gone') + ' (' + e.message + ')' : t('error.gone');
  else if (status === 503) msg = t('error.unavailable');
  else if (status >= 500) msg = t('error.server');
  else msg = e.message || t('error.server');
  return new ApiError(status, code, msg, e.request_id);
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
    throw readable(0, null);
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
    const err = readable(resp.status, data);
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
    throw readable(0, null);
  }
  if (!resp.ok) {
    let data = null;
    try {
      data = await resp.json();
    } catch {}
    throw readable(resp.status, data);
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
        if (type === 'error') {
          const e = parsed || {};
          const generic = !e.message || e.code === 'internal' || e.code === 'unavailable';
          throw new ApiError(0, e.code, generic ? t('error.server') : e.message, e.request_id);
        }
        onEvent(type, parsed);
      }
    }
  } catch (err) {
    if (signal && signal.aborted) return;
    throw err;
  }
}
