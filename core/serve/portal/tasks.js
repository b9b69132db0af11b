// tasks.js: the care-coordination tasks the hospital ADT feed opens (docs/portal.md
// "Tasks"), for every role; the service scopes them (a provider sees the tasks assigned
// to its NPI, an ACO those of its beneficiaries, care-team ones included, CMS all).
//
// #/tasks?status=&person=&template=&wait=: the list (open and missed by default, missed
// first, each by due date), "Mark done" on open and missed tasks (POST
// /v1/tasks/:id/done, then the row is redrawn from the answer; a refusal is shown in the
// row with the service's words), and live updates: while the page is shown a long poll
// on GET /v1/tasks/feed runs (after = the largest task_id seen; it asks again as soon as
// each answer is in), and a new task that fits the filters goes to the top of the table,
// highlighted for a few seconds. Leaving the page (router.onLeave) aborts the poll.
//
// wait: how long the service may hold each poll, in seconds (1-60; 25 when absent, the
// service's default). The service answers at once for tasks its own MLLP listener
// commits; tasks committed by another process (`cara adt take`) are seen when a wait
// ends, so the browser test opens #/tasks?wait=2.
//
// Each poll counts as use of the session, so a page left open would keep it alive: the
// poll pauses when nobody has pressed a key or the pointer on the page for the session's
// idle timeout (less one wait), and a button resumes it. #/tasks?idle=N shortens that to
// N seconds (never lengthens it; the browser test's way to see the pause).
import {api, ApiError, errorBox, qs} from './api.js';
import {badge, field, formValues, h, heading, liveBox} from './dom.js';
import {count, text} from './format.js';
import {go, href, onLeave} from './router.js';

const PAGE = 1000;      // rows per list call (the service's maximum)
const MAX_ROWS = 5000;  // rows per status shown at most; beyond, the page asks for filters
const FRESH_MS = 6000;  // how long a new task stays highlighted
const RETRY_MS = 5000;  // before polling again after a failed poll
const WAIT_DEFAULT = 25;

const VIEWS = [['', 'Open and missed'], ['open', 'Open'], ['missed', 'Missed'], ['done', 'Done'],
  ['cancelled', 'Cancelled'], ['all', 'All']];

/** The statuses a view lists, in the order they are shown (null: every status). */
function statusesOf(view) {
  if (view === '') return ['missed', 'open'];
  if (view === 'all') return [null];
  return [view];
}

/** The poll's wait in seconds from the page's query: 1-60, else the default. */
export function feedWait(query) {
  const w = parseInt(query.get('wait') || '', 10);
  return Number.isInteger(w) && w >= 1 && w <= 60 ? w : WAIT_DEFAULT;
}

/**
 * How long the poll may run with nobody using the page, in ms (0: no limit): the
 * session's idle timeout less one wait and 5 s; the query's idle (seconds) when shorter.
 */
export function idleMs(session, wait, query) {
  const s = Number(session && session.idle_timeout_seconds) || 0;
  let ms = s > 0 ? Math.max(s - wait - 5, 1) * 1000 : 0;
  const q = parseInt(query.get('idle') || '', 10);
  if (Number.isInteger(q) && q >= 1 && (ms === 0 || q * 1000 < ms)) ms = q * 1000;
  return ms;
}

const PATIENT_CLASS = {E: 'emergency', I: 'inpatient', O: 'outpatient', B: 'obstetrics', R: 'recurring', P: 'pre-admit'};
const EVENT = {A01: 'admission (A01)', A03: 'discharge (A03)', A04: 'registration (A04)', A08: 'visit update (A08)'};

/** The patient class code with its meaning: "E (emergency)". */
export function patientClass(c) {
  if (!c) return '\u2014';
  return PATIENT_CLASS[c] ? c + ' (' + PATIENT_CLASS[c] + ')' : c;
}

function assignee(t) {
  if (t.assignee === 'specialist') return 'Specialist, NPI ' + text(t.npi) + (t.tin ? ' (TIN ' + t.tin + ')' : '');
  return 'ACO care team (' + text(t.aco_id) + ')';
}

function statusCell(t) {
  const cell = [badge(t.status)];
  if (t.status === 'done') cell.push(h('span', {class: 'hint'}, ' ' + text(t.done_at) + (t.done_by ? ', by ' + t.done_by : '')));
  return cell;
}

/** Sort key within a view: missed before open (the default view), then due date, then id. */
function compare(view) {
  const rank = (t) => (view === '' ? (t.status === 'missed' ? 0 : t.status === 'open' ? 1 : 2) : 0);
  return (a, b) => rank(a) - rank(b) || (a.due_date < b.due_date ? -1 : a.due_date > b.due_date ? 1 : 0) || a.task_id - b.task_id;
}

/** Every task of one status (null: all) matching filt, in pages of PAGE, at most MAX_ROWS. */
async function loadStatus(status, filt, signal) {
  const rows = [];
  let after = 0;
  for (;;) {
    const r = await api('GET', '/v1/tasks' + qs(Object.assign({}, filt, {status, after, limit: PAGE})), undefined, {signal});
    rows.push(...r.tasks);
    if (r.tasks.length < PAGE) return {rows, capped: false};
    if (rows.length >= MAX_ROWS) return {rows, capped: true};
    after = r.next_after;
  }
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, {once: true});
});

/** #/tasks */
async function renderTasks(box, params, query, ctx) {
  heading(box, ctx.role.kind === 'provider' ? 'My tasks' : 'Tasks');
  const view = query.get('status') || '';
  const filt = {};
  for (const k of ['person', 'template']) if (query.get(k)) filt[k] = query.get(k);
  const wait = feedWait(query);
  const who = ctx.role.kind === 'provider' ? 'assigned to you (your NPI)'
    : ctx.role.kind === 'aco' ? 'of your ACO\u2019s beneficiaries (yours as the care team, and those assigned to a specialist)'
      : 'of every ACO';
  box.append(h('p', {}, 'Care-coordination tasks opened by hospital admission, discharge and transfer (ADT) events, ' + who +
    '. A task is missed when its due date has passed without it being done; a claim with one of the task\u2019s codes closes it too.'));

  const form = h('form', {role: 'search', 'aria-label': 'Filter tasks'});
  form.append(h('div', {class: 'row'},
    field({label: 'Status', name: 'status', value: view, options: VIEWS}),
    field({label: 'Beneficiary', name: 'person', value: filt.person || ''}),
    field({label: 'Template', name: 'template', value: filt.template || ''})),
  h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show'), h('a', {class: 'button secondary', href: href('/tasks')}, 'Clear filters')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const keep = {};
    for (const k of ['wait', 'idle']) if (query.get(k)) keep[k] = query.get(k);
    go('/tasks', Object.assign(formValues(form), keep));
  });
  box.append(form);

  const feedStatus = h('p', {class: 'feed-status', id: 'tasks-feed-status'}, 'Live updates: starting\u2026');
  const announce = liveBox();
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading tasks\u2026'));
  box.append(feedStatus, announce, out);

  const ctl = new AbortController();
  const activity = {at: Date.now()};
  const touch = () => { activity.at = Date.now(); };
  for (const ev of ['keydown', 'pointerdown']) document.addEventListener(ev, touch, {signal: ctl.signal});
  onLeave(box, () => ctl.abort());

  const statuses = statusesOf(view);
  let lists;
  try {
    lists = await Promise.all(statuses.map((s) => loadStatus(s, filt, ctl.signal)));
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'aborted')) out.replaceChildren(errorBox(e, 'Tasks'));
    feedStatus.textContent = 'Live updates: off.';
    return;
  }
  const capped = lists.some((l) => l.capped);
  const rows = lists.flatMap((l) => l.rows).sort(compare(view));

  const trs = new Map();   // task_id -> its <tr>
  const pinned = [];       // ids of the tasks that came by the feed, newest first
  let cursor = 0;
  for (const t of rows) if (t.task_id > cursor) cursor = t.task_id;

  const caption = h('caption', {});
  const tbody = h('tbody', {});
  const emptyNote = h('p', {class: 'note', id: 'tasks-empty'}, 'No tasks match these filters.');
  const setCaption = () => {
    caption.textContent = 'Care tasks, ' + (view === '' ? 'missed first, then open, ' : '') + 'by due date (' + count(trs.size) + ' shown' +
      (pinned.length ? '; the ' + count(pinned.length) + ' newest at the top' : '') + ')';
    emptyNote.hidden = trs.size > 0;
  };

  const row = (t) => {
    const action = h('td', {class: 'task-action'});
    const tr = h('tr', {'data-task-id': t.task_id, 'data-status': t.status, class: t.status === 'missed' ? 'missed' : null},
      h('th', {scope: 'row'}, text(t.due_date)),
      h('td', {}, statusCell(t)),
      h('td', {}, h('span', {}, text(t.description)), h('br', {}), h('span', {class: 'hint'}, text(t.kind))),
      h('td', {}, text(t.person_id)),
      h('td', {}, text(t.template_id) + (t.trigger_type ? ' (trigger ' + t.trigger_type + ')' : '')),
      h('td', {}, (EVENT[t.event] || text(t.event)) + ' on ' + text(t.event_date)),
      h('td', {}, assignee(t)),
      action);
    if (t.status === 'open' || t.status === 'missed') {
      const btn = h('button', {type: 'button', class: 'secondary'}, 'Mark done', h('span', {class: 'visually-hidden'}, ': task ' + t.task_id));
      btn.addEventListener('click', () => markDone(t, btn, action));
      action.append(btn);
    } else {
      action.append('\u2014');
    }
    return tr;
  };

  const replaceRow = (t) => {
    const old = trs.get(t.task_id);
    const tr = row(t);
    if (old && old.classList.contains('fresh')) tr.classList.add('fresh');
    trs.set(t.task_id, tr);
    if (old && old.parentNode) old.replaceWith(tr);
    return tr;
  };

  const markDone = async (t, btn, cell) => {
    btn.disabled = true;
    for (const p of cell.querySelectorAll('p')) p.remove();
    try {
      const r = await api('POST', '/v1/tasks/' + encodeURIComponent(t.task_id) + '/done');
      const done = r && r.task_id ? r : Object.assign({}, t, {status: 'done'});
      const tr = replaceRow(done);
      announce.replaceChildren(h('p', {class: 'okmsg', role: 'status'}, 'Task ' + t.task_id + ' (' + text(t.description) + ', ' + text(t.person_id) + ') is now ' + done.status + '.'));
      const th = tr.querySelector('th');
      th.setAttribute('tabindex', '-1');
      th.focus(); // the button is gone: keep the keyboard user on the row
    } catch (e) {
      // 409: no longer open (done by someone else, by a claim, or cancelled): say so, keep it disabled
      btn.disabled = e instanceof ApiError && e.status === 409;
      cell.append(errorBox(e, 'Mark done'));
    }
  };

  for (const t of rows) { const tr = row(t); trs.set(t.task_id, tr); tbody.append(tr); }
  const cols = ['Due', 'Status', 'Task', 'Beneficiary', 'Template', 'Event', 'Assigned to', 'Action'];
  const tableBox = h('div', {class: 'table-wrap'}, h('table', {id: 'tasks-table'}, caption,
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', {scope: 'col'}, c)))), tbody));
  setCaption();
  out.replaceChildren(emptyNote, tableBox);
  out.removeAttribute('aria-live'); // from now on the announce box says what changed, not the whole table
  if (capped) out.prepend(h('p', {class: 'warn'}, 'More than ' + count(MAX_ROWS) + ' tasks of one status: only the first ' + count(MAX_ROWS) + ' (by task number) are shown. Filter by beneficiary or template to see the others.'));

  /** Tasks the feed brought: those the view shows go on top, highlighted. */
  const arrived = (tasks) => {
    const fits = tasks.filter((t) => !trs.has(t.task_id) && (statuses[0] === null || statuses.includes(t.status)));
    for (const t of fits.sort((a, b) => a.task_id - b.task_id)) {
      const tr = row(t);
      tr.classList.add('fresh');
      trs.set(t.task_id, tr);
      pinned.unshift(t.task_id);
      tbody.prepend(tr);
      setTimeout(() => tr.classList.remove('fresh'), FRESH_MS);
    }
    if (fits.length) {
      setCaption();
      const t = fits[fits.length - 1];
      announce.replaceChildren(h('p', {class: 'note', role: 'status'}, fits.length === 1
        ? 'New task: ' + text(t.description) + ' for beneficiary ' + text(t.person_id) + ', due ' + text(t.due_date) + '.'
        : count(fits.length) + ' new tasks, at the top of the table.'));
    }
  };

  // the cursor when the lists were cut short: skip what they did not show without listing it
  if (capped) {
    try {
      for (;;) {
        const r = await api('GET', '/v1/tasks/feed' + qs(Object.assign({}, filt, {after: cursor, wait: 0, limit: PAGE})), undefined, {signal: ctl.signal});
        if (r.next_after > cursor) cursor = r.next_after;
        if (r.tasks.length < PAGE) break;
      }
    } catch (e) { /* the poll below reports the service's trouble */ }
  }

  poll({box, signal: ctl.signal, filt, wait, getCursor: () => cursor, setCursor: (c) => { cursor = c; }, arrived, feedStatus,
    activity, idleMs: idleMs(ctx.session, wait, query)});
}

/**
 * The long poll: GET /v1/tasks/feed?after=cursor&wait= again as soon as each answer is
 * in, handing its tasks to o.arrived, until o.signal aborts or o.box leaves the page. A
 * failure is shown in o.feedStatus and retried after RETRY_MS; a 401 ends it (the
 * session ended). With o.idleMs, it pauses once o.activity.at is that long ago, with a
 * button that resumes it.
 */
async function poll(o) {
  const {box, signal, filt, wait, getCursor, setCursor, arrived, feedStatus} = o;
  const on = 'Live updates: on (new tasks appear at the top; each poll waits up to ' + wait + ' s).';
  feedStatus.textContent = on;
  while (!signal.aborted && box.isConnected) {
    if (o.idleMs && Date.now() - o.activity.at > o.idleMs) {
      const resume = h('button', {type: 'button', class: 'secondary', id: 'tasks-resume'}, 'Resume live updates');
      resume.addEventListener('click', () => { o.activity.at = Date.now(); poll(o); });
      feedStatus.replaceChildren('Live updates paused: nothing was pressed on this page for a while, and the updates alone would keep your session open. ', resume);
      return;
    }
    try {
      const r = await api('GET', '/v1/tasks/feed' + qs(Object.assign({}, filt, {after: getCursor(), wait})), undefined, {signal});
      if (signal.aborted) break;
      if (feedStatus.textContent !== on) feedStatus.textContent = on;
      const tasks = r.tasks || [];
      arrived(tasks);
      let c = getCursor();
      for (const t of tasks) if (t.task_id > c) c = t.task_id;
      if (r.next_after > c) c = r.next_after;
      setCursor(c);
    } catch (e) {
      if (signal.aborted || (e instanceof ApiError && (e.code === 'aborted' || e.status === 401))) break;
      feedStatus.textContent = 'Live updates paused: ' + e.message + ' Trying again in ' + RETRY_MS / 1000 + ' s.';
      await sleep(RETRY_MS, signal);
    }
  }
  if (box.isConnected && !signal.aborted) feedStatus.textContent = 'Live updates: off.';
}

/** Add the tasks route; returns its menu item. */
export function register(router, ctx) {
  router.route('/tasks', (b, p, q) => renderTasks(b, p, q, ctx));
  return [['/tasks', ctx.role.kind === 'provider' ? 'My tasks' : 'Tasks']];
}
