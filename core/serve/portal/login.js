// login.js: the log-in page (POST /v1/session) and logging out (DELETE /v1/session).
import {api, ApiError, notAvailable, setCsrf} from './api.js';
import {field, h, heading, say} from './dom.js';

/** Show the log-in form in main; onSession(session) is called after a good log-in. */
export function renderLogin(main, onSession, notice) {
  const box = h('div', {class: 'login'});
  main.replaceChildren(box);
  heading(box, 'Log in');
  if (notice) box.append(h('p', {class: 'note'}, notice));
  const status = h('div', {'aria-live': 'assertive', id: 'login-status'});
  const name = field({label: 'User name', name: 'name', autocomplete: 'username', required: true});
  const pw = field({label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const button = h('button', {type: 'submit'}, 'Log in');
  const form = h('form', {novalidate: true, 'aria-describedby': 'login-status'}, name, pw, h('div', {class: 'actions'}, button), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const n = name.input.value.trim(), p = pw.input.value;
    if (!n || !p) {
      status.replaceChildren(h('p', {class: 'error', role: 'alert'}, 'Enter your user name and password.'));
      return;
    }
    button.disabled = true;
    status.replaceChildren(h('p', {class: 'note'}, 'Logging in\u2026'));
    try {
      const s = await api('POST', '/v1/session', {name: n, password: p});
      setCsrf(s.csrf_token);
      pw.input.value = '';
      onSession(s);
    } catch (e) {
      let msg;
      if (e instanceof ApiError && e.status === 401) msg = 'Wrong user name or password.';
      else if (e instanceof ApiError && e.status === 429) msg = 'Too many failed attempts: wait a few minutes and try again.';
      else if (notAvailable(e)) msg = 'Logging in is not available in this version of the service.';
      else msg = 'Logging in failed: ' + e.message;
      status.replaceChildren(h('p', {class: 'error', role: 'alert'}, msg));
      pw.input.focus();
    } finally {
      button.disabled = false;
    }
  });
  box.append(form);
  name.input.focus();
}

/** End the session (the cookie) and forget the CSRF token. */
export async function logout() {
  try { await api('DELETE', '/v1/session'); } catch (e) { if (!(e instanceof ApiError) || e.status !== 401) say('Logging out failed: ' + e.message, 'error'); }
  setCsrf(null);
}
