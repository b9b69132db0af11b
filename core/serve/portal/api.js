// api.js: the one way pages call the service. JSON in and out, the session cookie sent by
// the browser, the CSRF token on every request that is not GET/HEAD, errors as ApiError.
import {h} from './dom.js';

let csrfToken = null;

/** Remember the session's CSRF token (from POST/GET /v1/session); null after logout. */
export function setCsrf(token) { csrfToken = token || null; }

/** An error answer: status (0 when the service could not be reached), code, message, body. */
export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/**
 * Call the service: api('GET', '/v1/episodes?status=final'), api('POST', path, object).
 * Resolves to the parsed JSON answer; rejects with ApiError. A 401 on any path but
 * /v1/session fires the 'cara:logged-out' event (the session ended). opts.signal (an
 * AbortSignal) cancels the call: it then rejects with an ApiError of code 'aborted'.
 */
export async function api(method, path, body, opts) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let r;
  try {
    r = await fetch(path, {method, headers, credentials: 'same-origin', signal: opts && opts.signal,
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body))});
  } catch (e) {
    if (opts && opts.signal && opts.signal.aborted) throw new ApiError(0, 'aborted', 'The call was cancelled.', null);
    throw new ApiError(0, 'network', 'The service cannot be reached (' + e.message + ').', null);
  }
  let textBody;
  try { textBody = await r.text(); } catch (e) {
    if (opts && opts.signal && opts.signal.aborted) throw new ApiError(0, 'aborted', 'The call was cancelled.', null);
    throw new ApiError(0, 'network', 'The answer was cut off (' + e.message + ').', null);
  }
  let data = null;
  try { data = textBody ? JSON.parse(textBody) : null; } catch (e) { data = null; }
  if (!r.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(r.status, e.code || 'http_' + r.status, e.message || r.statusText || 'error', data);
    if (r.status === 401 && !path.startsWith('/v1/session')) window.dispatchEvent(new CustomEvent('cara:logged-out'));
    throw err;
  }
  return data;
}

/** 1 when err says the endpoint does not exist in this service (an older version). */
export function notAvailable(err) {
  return err instanceof ApiError && ((err.status === 404 && /no such endpoint/.test(err.message)) ||
    (err.status === 400 && /^report "[a-z_]+" is not one of/.test(err.message)));
}

/** An error as a paragraph for the page: a plain sentence, the service's message kept. */
export function errorBox(err, what) {
  let msg;
  if (notAvailable(err)) msg = (what ? what + ': ' : '') + 'not available in this version of the service.';
  else if (err instanceof ApiError && err.status === 403) msg = (what ? what + ': ' : '') + 'you may not see this (' + err.message + ').';
  else if (err instanceof ApiError) msg = (what ? what + ': ' : '') + err.message + (err.status ? ' (' + err.status + ' ' + err.code + ')' : '');
  else msg = (what ? what + ': ' : '') + String(err && err.message || err);
  return h('p', {class: notAvailable(err) ? 'note' : 'error', role: 'alert', 'data-status': err && err.status || ''}, msg);
}

/** A query string from an object, leaving out empty values: {a: 1, b: ''} -> "?a=1". */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? '?' + s : '';
}
