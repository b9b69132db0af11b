// episodes.js: the episode list (paginated, filtered, with its CSV download) and the
// episode drill-down, shared by every role (the service scopes what each may see).
import {api, errorBox, qs} from './api.js';
import {chart} from './charts.js';
import {badge, facts, field, formValues, h, heading, section, table} from './dom.js';
import {chartDollars, count, money, sumCents, text} from './format.js';
import {go, href} from './router.js';

const PAGE = 25;
const SETTINGS = ['inpatient', 'snf', 'home_health', 'outpatient', 'professional', 'dme', 'hospice', 'other'];
const SETTING_NAMES = {inpatient: 'Inpatient', snf: 'Skilled nursing (SNF)', home_health: 'Home health', outpatient: 'Outpatient',
  professional: 'Professional', dme: 'DME', hospice: 'Hospice', other: 'Other'};

/** The filters each role may set on the list (a provider is pinned to its NPI by the service). */
function filterFields(kind) {
  const f = [['status', 'Status'], ['template', 'Template'], ['period', 'Performance year']];
  if (kind !== 'provider') f.push(['npi', 'Provider NPI'], ['tin', 'TIN'], ['arrangement', 'Arrangement']);
  if (kind === 'cms') f.push(['aco', 'ACO']);
  return f;
}

function episodeLink(id) {
  return h('a', {href: href('/episode/' + encodeURIComponent(id))}, id);
}

/** #/episodes?status=&template=&...&offset=: the list. */
async function renderList(box, params, query, ctx) {
  heading(box, ctx.role.kind === 'provider' ? 'My episodes' : 'Episodes');
  const q = {};
  for (const [k] of filterFields(ctx.role.kind)) if (query.get(k)) q[k] = query.get(k);
  const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
  const form = h('form', {role: 'search', 'aria-label': 'Filter episodes'});
  const row = h('div', {class: 'row'});
  for (const [k, label] of filterFields(ctx.role.kind)) {
    if (k === 'status') {
      row.append(field({label, name: k, value: q[k] || '', options: [['', 'Any'], ['final', 'Closed (final)'], ['interim', 'Open (interim)'], ['excluded', 'Excluded']]}));
    } else {
      row.append(field({label, name: k, value: q[k] || ''}));
    }
  }
  form.append(row, h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show'),
    h('a', {class: 'button secondary', href: href('/episodes')}, 'Clear filters')));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); go('/episodes', formValues(form)); });
  box.append(form);
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading episodes\u2026'));
  box.append(out);
  let r;
  try {
    r = await api('GET', '/v1/episodes' + qs(Object.assign({}, q, {limit: PAGE, offset})));
  } catch (e) { out.replaceChildren(errorBox(e, 'Episodes')); return; }
  const csv = '/v1/reports/episode' + qs(Object.assign({format: 'csv'}, q));
  const first = r.total === 0 ? 0 : r.offset + 1, last = r.offset + r.episodes.length;
  const pager = h('nav', {class: 'pager', 'aria-label': 'Pages of episodes'},
    r.offset > 0 ? h('a', {href: href('/episodes', Object.assign({}, q, {offset: Math.max(0, r.offset - PAGE)}))}, 'Previous page') : null,
    h('span', {}, 'Episodes ' + count(first) + '\u2013' + count(last) + ' of ' + count(r.total) + ' (run ' + r.run_id + ')'),
    last < r.total ? h('a', {href: href('/episodes', Object.assign({}, q, {offset: r.offset + PAGE}))}, 'Next page') : null);
  const cols = [
    {key: 'episode_id', label: 'Episode', fmt: (v) => episodeLink(v)},
    {key: 'template_id', label: 'Template'},
    {key: 'trigger_date', label: 'Start'},
    {key: 'end_date', label: 'End'},
    {key: 'status', label: 'Status', fmt: (v) => badge(v)},
    {key: 'exclusion_reason', label: 'Excluded because'},
  ];
  if (ctx.role.kind !== 'provider') cols.push({key: 'npi', label: 'NPI'});
  cols.push({key: 'target_cents', label: 'Target', num: true, fmt: money},
    {key: 'actual_winsorized_cents', label: 'Actual (winsorized)', num: true, fmt: money});
  out.replaceChildren(pager,
    table('Episodes, in report order', cols, r.episodes, {empty: 'No episodes match these filters.'}),
    h('p', {}, h('a', {href: csv, download: 'episodes.csv'}, 'Download these episodes as CSV'),
      ' (every episode that matches the filters, not only this page).'));
}

function costBySetting(parent, ep) {
  const s = section(parent, 'Cost by setting');
  const cbs = ep.cost_by_setting;
  if (!cbs) {
    s.append(h('p', {class: 'note'}, 'Cost by setting: not available in this version of the service.'));
    return;
  }
  const rows = SETTINGS.map((k) => ({setting: SETTING_NAMES[k], cents: cbs[k + '_cents'] ?? 0}));
  const total = sumCents(rows.map((r) => r.cents));
  chart(s, 'bar', 'Paid by setting, dollars', rows.map((r) => r.setting), [{label: 'Paid', data: rows.map((r) => chartDollars(r.cents))}], 'dollars');
  s.append(table('Paid by setting (total ' + money(total) + ')', [
    {key: 'setting', label: 'Setting'}, {key: 'cents', label: 'Paid', num: true, fmt: money}], rows));
}

function timeline(parent, ep) {
  const s = section(parent, 'Claims timeline');
  const lines = [];
  for (const c of ep.claims || []) {
    for (const l of c.lines || []) {
      lines.push({date: l.service_date || l.claim_line_start_date || c.claim_start_date, claim: c.claim_id, type: c.claim_type,
        setting: c.setting ? (SETTING_NAMES[c.setting] || c.setting) : null, code: l.hcpcs_code || l.revenue_center_code,
        npi: l.rendering_npi || c.facility_npi, paid: l.paid_cents});
    }
  }
  lines.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  s.append(table('Claim lines in the episode window, by service date (' + count(lines.length) + ' lines, ' + money(sumCents(lines.map((l) => l.paid))) + ' paid)', [
    {key: 'date', label: 'Service date'}, {key: 'claim', label: 'Claim'}, {key: 'type', label: 'Claim type'},
    {key: 'setting', label: 'Setting'}, {key: 'code', label: 'Code'}, {key: 'npi', label: 'Rendering NPI'},
    {key: 'paid', label: 'Paid', num: true, fmt: money}], lines, {empty: 'No claim lines in the window.'}));
}

/** #/episode/:id: the drill-down. */
async function renderEpisode(box, params, query, ctx) {
  heading(box, 'Episode ' + params.id);
  box.append(h('p', {}, h('a', {href: href('/episodes')}, 'Back to the episode list')));
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading the episode\u2026'));
  box.append(out);
  let ep;
  try {
    ep = await api('GET', '/v1/episodes/' + encodeURIComponent(params.id) + qs({run: query.get('run')}));
  } catch (e) { out.replaceChildren(errorBox(e, 'This episode')); return; }
  out.replaceChildren();
  out.append(facts([['Beneficiary', ep.person_id], ['Template', ep.template_id + ' ' + text(ep.template_version)],
    ['Window', ep.trigger_date + ' to ' + ep.end_date], ['Trigger', ep.trigger_type], ['Status', badge(ep.status)],
    ['Excluded because', ep.exclusion_reason], ['Run', ep.run_id]]));
  const why = section(out, ctx.role.kind === 'provider' ? 'Why it is attributed to you' : 'Why it is attributed');
  why.append(facts([['Attribution method', ep.attribution_method], ['NPI', ep.npi], ['TIN', ep.tin],
    ['Arrangement (EBRA)', ep.arrangement_id], ['ACO', ep.aco_id], ['HCC count', ep.hcc_count], ['Risk score', ep.risk_score]]));
  const tv = section(out, 'Target versus actual');
  const rows = [{what: 'Target', cents: ep.target_cents}, {what: 'Actual', cents: ep.actual_cents},
    {what: 'Actual (winsorized)', cents: ep.actual_winsorized_cents}];
  chart(tv, 'bar', 'Target and actual, dollars', rows.map((r) => r.what), [{label: 'Dollars', data: rows.map((r) => chartDollars(r.cents))}], 'dollars');
  tv.append(table('Target and actual', [{key: 'what', label: 'Measure'}, {key: 'cents', label: 'Amount', num: true, fmt: money}], rows));
  tv.append(facts([['Base', money(ep.base_cents)], ['Trend factor', ep.trend_factor], ['Age factor', ep.age_factor],
    ['HCC factor', ep.hcc_factor], ['Dual factor', ep.dual_factor], ['Discount', ep.discount_bps === null || ep.discount_bps === undefined ? null : ep.discount_bps + ' bps'],
    ['Quality met', text(ep.quality_met)]]));
  costBySetting(out, ep);
  timeline(out, ep);
  const lk = section(out, 'Leakage (spending outside the ACO)');
  lk.append(table('Leakage by provider', [{key: 'npi', label: 'NPI'}, {key: 'tin', label: 'TIN'}, {key: 'name', label: 'Name'},
    {key: 'lines', label: 'Lines', num: true}, {key: 'paid_cents', label: 'Paid', num: true, fmt: money}], ep.leakage || [], {empty: 'No leakage in this episode.'}));
}

/** Add the episode routes for ctx's role. */
export function register(router, ctx) {
  router.route('/episodes', (b, p, q) => renderList(b, p, q, ctx));
  router.route('/episode/:id', (b, p, q) => renderEpisode(b, p, q, ctx));
}
