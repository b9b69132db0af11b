// app.js: start-up. Asks for the session; without one shows the log-in page; with one
// builds the menu of the user's role and registers that role's pages.
import {api, ApiError, setCsrf} from './api.js';
import {clearMessages, h, heading, say} from './dom.js';
import {logout, renderLogin} from './login.js';
import * as router from './router.js';
import * as provider from './provider.js';
import * as aco from './aco.js';
import * as cms from './cms.js';
import * as episodes from './episodes.js';
import * as tasks from './tasks.js';
import * as provisional from './provisional.js';
import * as exportsPage from './exports.js';
import * as riskPage from './risk.js';

/** The role string of a session ("cms", "aco:A0001", "provider:NPI") as {kind, id}. */
export function parseRole(role) {
  const s = String(role || '');
  const i = s.indexOf(':');
  return i < 0 ? {kind: s, id: ''} : {kind: s.slice(0, i), id: s.slice(i + 1)};
}

function menu(items) {
  const nav = document.getElementById('nav');
  const ul = h('ul', {}, items.map(([path, label]) => h('li', {}, h('a', {href: '#' + path, 'data-path': path}, label))));
  nav.replaceChildren(ul);
  router.navigated((path) => {
    for (const a of nav.querySelectorAll('a')) {
      const p = a.getAttribute('data-path');
      if (path === p || (p !== '/' && path.startsWith(p + '/'))) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  });
}

function who(session) {
  const box = document.getElementById('who');
  const out = h('button', {type: 'button', class: 'secondary', id: 'logout'}, 'Log out');
  out.addEventListener('click', async () => {
    await logout();
    showLogin('You are logged out.');
  });
  box.replaceChildren(h('span', {}, session.user + ' (' + session.role + ')'), out);
}

function showLogin(notice) {
  router.reset();
  document.getElementById('nav').replaceChildren();
  document.getElementById('who').replaceChildren();
  clearMessages();
  if (location.hash && location.hash !== '#/') history.replaceState(null, '', '#/');
  renderLogin(document.getElementById('main'), enter, notice);
}

function enter(session) {
  const role = parseRole(session.role);
  router.reset();
  clearMessages();
  who(session);
  const ctx = {session, role};
  let items, home;
  if (role.kind === 'provider') { items = provider.register(router, ctx); home = '/offers'; }
  else if (role.kind === 'aco') { items = aco.register(router, ctx); home = '/network'; }
  else if (role.kind === 'cms') { items = cms.register(router, ctx); home = '/runs'; }
  else { showLogin('This account\u2019s role (' + session.role + ') has no pages.'); return; }
  episodes.register(router, ctx);
  items = items.concat(tasks.register(router, ctx), provisional.register(router, ctx), exportsPage.register(router, ctx), riskPage.register(router, ctx));
  router.route('/', (box) => { router.go(home); heading(box, 'Home'); });
  router.fallback((box) => {
    heading(box, 'No such page');
    box.append(h('p', {}, 'This address is not a page of the portal. ', h('a', {href: '#' + home}, 'Go to the start page.')));
  });
  menu(items);
  if (!location.hash || location.hash === '#/' || location.hash === '#') history.replaceState(null, '', '#' + home);
  router.start();
}

window.addEventListener('cara:logged-out', () => {
  setCsrf(null);
  showLogin('Your session has ended: log in again.');
});

async function boot() {
  try {
    const s = await api('GET', '/v1/session');
    setCsrf(s.csrf_token);
    enter(s);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404)) showLogin(e.status === 404 ? 'This service has no log-in yet (no /v1/session).' : null);
    else { showLogin(); say('The service did not answer: ' + e.message, 'error'); }
  }
}

boot();
