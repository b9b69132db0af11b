// provisional.js: the provisional episodes the hospital ADT feed opens (docs/portal.md
// "Provisional episodes"), for every role (scoped by the service like the tasks).
// #/provisional?status=&person=&template=&after=: a page of PAGE episodes by number, with
// the trigger, the status and why (the next run confirms, changes or drops each one), the
// target against the cost to date, the hospital visit and the count of its tasks.
import {api, errorBox, qs} from './api.js';
import {badge, field, formValues, h, heading, table} from './dom.js';
import {count, money, text} from './format.js';
import {go, href} from './router.js';
import {patientClass} from './tasks.js';

const PAGE = 100;
const STATUSES = [['', 'Any'], ['provisional', 'Provisional (waiting for claims)'], ['confirmed', 'Confirmed by a run'],
  ['changed', 'Changed by a run'], ['dropped', 'Dropped by a run'], ['cancelled', 'Cancelled (by the hospital)']];

/** The status badge, with the reason (when the run or the hospital gave one) as its
 * tooltip and, for keyboard and screen reader users, as text under it. */
function statusCell(v, r) {
  const b = badge(v);
  if (!r.status_reason) return b;
  b.setAttribute('title', r.status_reason);
  return h('span', {}, b, h('span', {class: 'hint reason'}, r.status_reason));
}

/** Facility, visit number and patient class; the admit and discharge times as a hint. */
function visitCell(v, r) {
  const times = r.admit_time || r.discharge_time ? 'admitted ' + text(r.admit_time) + (r.discharge_time ? ', discharged ' + r.discharge_time : '') : null;
  return h('span', {title: times}, text(r.facility), h('br', {}), text(r.visit_number), h('br', {}), h('span', {class: 'hint'}, patientClass(r.patient_class)));
}

function attributedCell(v, r) {
  if (!v) return 'ACO care team';
  return 'NPI ' + v + (r.arrangement_id ? ' (' + r.arrangement_id + ')' : '') + (r.attribution_method ? ', ' + r.attribution_method : '');
}

/** #/provisional */
async function renderProvisional(box, params, query, ctx) {
  heading(box, 'Provisional episodes');
  box.append(h('p', {}, 'Episodes opened as a hospital event happens (an ADT message), before any claim: priced as a run would price them, ',
    'with the cost of the beneficiary\u2019s claims so far. The next run decides each one: confirmed (a claims episode with the same trigger and date), ',
    'changed (another trigger or date), dropped (none), or it stays provisional; a cancelled visit cancels it.'));
  const q = {};
  for (const k of ['status', 'person', 'template']) if (query.get(k)) q[k] = query.get(k);
  const after = Math.max(0, parseInt(query.get('after') || '0', 10) || 0);
  const form = h('form', {role: 'search', 'aria-label': 'Filter provisional episodes'});
  form.append(h('div', {class: 'row'},
    field({label: 'Status', name: 'status', value: q.status || '', options: STATUSES}),
    field({label: 'Beneficiary', name: 'person', value: q.person || ''}),
    field({label: 'Template', name: 'template', value: q.template || ''})),
  h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show'), h('a', {class: 'button secondary', href: href('/provisional')}, 'Clear filters')));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); go('/provisional', formValues(form)); });
  box.append(form);
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading provisional episodes\u2026'));
  box.append(out);
  let r;
  try {
    r = await api('GET', '/v1/provisional' + qs(Object.assign({}, q, {after, limit: PAGE})));
  } catch (e) { out.replaceChildren(errorBox(e, 'Provisional episodes')); return; }
  const rows = r.provisional || [];
  const last = rows.length ? rows[rows.length - 1].provisional_id : after;
  const pager = h('nav', {class: 'pager', 'aria-label': 'Pages of provisional episodes'},
    after > 0 ? h('a', {href: href('/provisional', q)}, 'First page') : null,
    h('span', {}, count(rows.length) + ' provisional episodes' + (after > 0 ? ' after number ' + after : '')),
    rows.length === PAGE ? h('a', {href: href('/provisional', Object.assign({}, q, {after: last}))}, 'Next page') : null);
  const cols = [
    {key: 'trigger_date', label: 'Day 0'},
    {key: 'person_id', label: 'Beneficiary'},
    {key: 'template_id', label: 'Template and trigger', fmt: (v, e) => h('span', {}, text(v), h('br', {}),
      h('span', {class: 'hint'}, text(e.trigger_id) + ' (trigger ' + text(e.trigger_type) + ')'))},
    {key: 'status', label: 'Status', fmt: statusCell},
    {key: 'npi', label: 'Attributed to', fmt: attributedCell},
    {key: 'target_cents', label: 'Target', num: true, fmt: money},
    {key: 'cost_to_date_cents', label: 'Cost to date', num: true, fmt: money},
    {key: 'facility', label: 'Visit', fmt: visitCell},
    {key: 'tasks', label: 'Tasks', num: true, fmt: (v, e) => (v ? h('a', {href: href('/tasks', {status: 'all', person: e.person_id, template: e.template_id})}, count(v)) : '0')},
    {key: 'episode_id', label: 'Episode', fmt: (v, e) => (v ? h('a', {href: href('/episode/' + encodeURIComponent(v), {run: e.run_id}), title: v},
      'Open', h('span', {class: 'visually-hidden'}, ' episode ' + v)) : '\u2014')},
  ];
  if (ctx.role.kind === 'cms') cols.splice(2, 0, {key: 'aco_id', label: 'ACO'});
  const t = table('Provisional episodes, oldest first (day 0: the trigger date; visit: facility, visit number, patient class; cost to date: the paid claims from day 0)', cols, rows,
    {empty: 'No provisional episodes match these filters.'});
  const tbl = t.querySelector('table');
  if (tbl) {
    tbl.id = 'provisional-table';
    tbl.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-provisional-id', rows[i].provisional_id));
  }
  out.replaceChildren(pager, t);
}

/** Add the provisional episodes route; returns its menu item. */
export function register(router, ctx) {
  router.route('/provisional', (b, p, q) => renderProvisional(b, p, q, ctx));
  return [['/provisional', 'Provisional episodes']];
}
