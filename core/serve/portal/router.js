// router.js: hash routes (#/episodes, #/episode/ID?run=3). Each navigation renders into a
// fresh container (a slow answer for an old page writes into a detached one), then moves
// focus to the page's <h1>. A page that keeps something running (a long poll) hands its
// stop function to onLeave: it is called when the next page renders or at logout.
const routes = [];
let notFound = null;
let onNavigate = null;
let leaving = [];

/**
 * Call stop() when the page rendered into box is left (the next navigation, or reset at
 * logout). A box already left (the user navigated on while the page was loading) has
 * stop() called at once.
 */
export function onLeave(box, stop) {
  if (!box || !box.isConnected) { stop(); return; }
  leaving.push(stop);
}

function leave() {
  const fns = leaving;
  leaving = [];
  for (const fn of fns) {
    try { fn(); } catch (e) { console.error('router: a page\u2019s stop function failed:', e); }
  }
}

/** Register pattern ('/episode/:id') with render(container, params, query). */
export function route(pattern, render) {
  routes.push({parts: pattern.split('/').filter(Boolean), render});
}

/** The page for a hash no route matches. */
export function fallback(render) { notFound = render; }

/** Called with the path after each navigation (the menu marks the current page). */
export function navigated(fn) { onNavigate = fn; }

/** Forget every route (at logout). */
export function reset() {
  leave();
  routes.length = 0;
  notFound = null;
  window.removeEventListener('hashchange', render);
}

/** '#/path?query' for a path and query object. */
export function href(path, query) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return '#' + path + (s ? '?' + s : '');
}

/** Go to path with query (adds a history entry). */
export function go(path, query) {
  const target = href(path, query);
  if (location.hash === target) render();
  else location.hash = target;
}

function current() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  return {path, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1))};
}

/** Render the current hash into #main. */
export async function render() {
  const main = document.getElementById('main');
  const {path, query} = current();
  const parts = path.split('/').filter(Boolean);
  let hit = null, params = {};
  for (const r of routes) {
    if (r.parts.length !== parts.length) continue;
    const p = {};
    let ok = true;
    r.parts.forEach((seg, i) => {
      if (seg.startsWith(':')) p[seg.slice(1)] = decodeURIComponent(parts[i]);
      else if (seg !== parts[i]) ok = false;
    });
    if (ok) { hit = r; params = p; break; }
  }
  leave();
  const box = document.createElement('div');
  main.replaceChildren(box);
  if (onNavigate) onNavigate(path);
  const fn = hit ? hit.render : notFound;
  if (fn) await fn(box, params, query);
  const h1 = box.querySelector('h1');
  if (h1 && document.activeElement !== h1 && !box.contains(document.activeElement)) {
    h1.setAttribute('tabindex', '-1');
    h1.focus();
  }
}

/** Start listening to hash changes and render the current one. */
export function start() {
  window.removeEventListener('hashchange', render);
  window.addEventListener('hashchange', render);
  return render();
}
