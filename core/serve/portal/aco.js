// aco.js: the ACO's pages: the network on a date (add a TIN), offering an EBRA, templates
// and overlay upload, spending versus target by month, leakage, specialists ranked.
import {api, ApiError, errorBox, qs} from './api.js';
import {chart} from './charts.js';
import {badge, field, formValues, h, heading, newId, section, table} from './dom.js';
import {bps, cents, chartDollars, count, money, savingsBps, sumCents, today} from './format.js';
import {go} from './router.js';

/** #/network?date=YYYY-MM-DD */
async function renderNetwork(box, params, query, ctx) {
  heading(box, 'Network');
  const date = query.get('date') || today();
  const form = h('form', {'aria-label': 'Network on a date'});
  const d = field({label: 'On the date', name: 'date', type: 'date', value: date, required: true});
  form.append(h('div', {class: 'row'}, d), h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show the network')));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); go('/network', formValues(form)); });
  box.append(form);
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading the network\u2026'));
  box.append(out);
  try {
    let n = await api('GET', '/v1/network' + qs({aco: ctx.role.id, date}));
    let moved = null;
    if (!query.get('date') && !n.tins.length && !n.preferred_providers.length) {
      // nothing today (the data's performance years can be ahead): the latest start of an active arrangement
      const starts = ((await api('GET', '/v1/ebras' + qs({status: 'active'}))).ebras || []).map((e) => e.start_date).filter(Boolean).sort();
      if (starts.length) {
        moved = starts[starts.length - 1];
        n = await api('GET', '/v1/network' + qs({aco: ctx.role.id, date: moved}));
        d.input.value = moved;
      }
    }
    out.replaceChildren(h('p', {}, 'ACO ' + n.aco_id + ' on ' + n.date + ': ' + count(n.tins.length) + ' participant TINs, ' + count(n.preferred_providers.length) + ' Preferred Providers.'));
    if (moved) out.prepend(h('p', {class: 'note'}, 'The network is empty today (' + date + '); this is ' + moved + ', the latest start of your active arrangements.'));
    const t = section(out, 'Participant TINs');
    t.append(table('Participant TINs on ' + n.date, [{key: 'tin', label: 'TIN'}, {key: 'start_date', label: 'From'}, {key: 'end_date', label: 'To'}], n.tins, {empty: 'No participant TINs on this date.'}));
    const p = section(out, 'Preferred Providers');
    p.append(table('Preferred Providers on ' + n.date, [{key: 'npi', label: 'NPI'}, {key: 'name', label: 'Name'}, {key: 'tin', label: 'TIN'},
      {key: 'specialty_code', label: 'Specialty'}, {key: 'arrangement_id', label: 'Arrangement'}, {key: 'template_id', label: 'Template'},
      {key: 'start_date', label: 'From'}, {key: 'end_date', label: 'To'}, {key: 'status', label: 'Status', fmt: badge}], n.preferred_providers,
    {empty: 'No Preferred Providers on this date.'}));
  } catch (e) { out.replaceChildren(errorBox(e, 'The network')); }
  const add = section(box, 'Add a participant TIN');
  const live = h('div', {'aria-live': 'polite'});
  const f = h('form', {'aria-label': 'Add a participant TIN'},
    h('div', {class: 'row'}, field({label: 'TIN', name: 'tin', required: true, inputmode: 'numeric', pattern: '[0-9]{9}', hint: 'nine digits'}),
      field({label: 'From', name: 'start_date', type: 'date', required: true, value: date}),
      field({label: 'To (optional)', name: 'end_date', type: 'date'})),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Add the TIN')), live);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(f);
    try {
      const r = await api('POST', '/v1/acos/' + encodeURIComponent(ctx.role.id) + '/tins', v);
      live.replaceChildren(h('p', {class: 'okmsg'}, 'TIN ' + r.tin + ' joins ACO ' + r.aco_id + ' from ' + r.start_date + '.'));
    } catch (e) { live.replaceChildren(errorBox(e, 'Adding the TIN')); }
  });
  add.append(f);
}

/** #/offer: offer an EBRA to a Preferred Provider. */
async function renderOffer(box, params, query, ctx) {
  heading(box, 'Offer an arrangement');
  const live = h('div', {'aria-live': 'polite'});
  let templates = [], providers = [];
  try { templates = (await api('GET', '/v1/templates')).templates.filter((t) => t.kind === 'base' || t.aco_id === ctx.role.id); } catch (e) { live.append(errorBox(e, 'Templates')); }
  try { providers = (await api('GET', '/v1/providers')).providers; } catch (e) { live.append(errorBox(e, 'Providers')); }
  const listId = newId('providers');
  const npi = field({label: 'Provider NPI', name: 'npi', required: true, inputmode: 'numeric', hint: 'ten digits; the list suggests providers known to your ACO'});
  npi.input.setAttribute('list', listId);
  const dl = h('datalist', {id: listId}, providers.map((p) => h('option', {value: p.npi}, (p.name || '') + ' (TIN ' + p.tin + ')')));
  const tin = field({label: 'Provider TIN', name: 'tin', required: true, inputmode: 'numeric'});
  npi.input.addEventListener('change', () => {
    const p = providers.find((x) => x.npi === npi.input.value);
    if (p && !tin.input.value) tin.input.value = p.tin;
  });
  const f = h('form', {'aria-label': 'Offer an arrangement'},
    h('div', {class: 'row'}, field({label: 'Arrangement id', name: 'arrangement_id', required: true, hint: 'e.g. E000123'}),
      field({label: 'Template', name: 'template_id', required: true, options: templates.map((t) => [t.id, t.id + (t.kind === 'overlay' ? ' (your overlay)' : '')])})),
    h('div', {class: 'row'}, npi, tin, dl),
    h('div', {class: 'row'}, field({label: 'From', name: 'start_date', type: 'date', required: true}), field({label: 'To (optional)', name: 'end_date', type: 'date'})),
    h('fieldset', {}, h('legend', {}, 'Terms in basis points (optional: the template\u2019s defaults)'),
      h('div', {class: 'row'}, ...['discount_bps', 'savings_share_bps', 'loss_share_bps', 'stop_gain_bps', 'stop_loss_bps'].map((k) =>
        field({label: k.replace(/_bps$/, '').replace(/_/g, ' '), name: k, type: 'number', inputmode: 'numeric'})))),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Offer')), live);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(f);
    v.aco_id = ctx.role.id;
    for (const k of Object.keys(v)) if (k.endsWith('_bps')) v[k] = parseInt(v[k], 10);
    try {
      const r = await api('POST', '/v1/ebras', v);
      live.replaceChildren(h('p', {class: 'okmsg'}, 'Offered ' + r.arrangement_id + ' to ' + r.npi + ' (status ' + r.status + ').'));
    } catch (e) { live.replaceChildren(errorBox(e, 'The offer')); }
  });
  box.append(f);
}

/** Every JSON path of doc ("pricing.trend_bps", "code_lists.X[0]") with its value. */
function paths(doc, prefix, out) {
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    for (const [k, v] of Object.entries(doc)) paths(v, prefix ? prefix + '.' + k : k, out);
    if (!Object.keys(doc).length && prefix) out.push([prefix, '{}']);
  } else if (Array.isArray(doc)) {
    out.push([prefix, JSON.stringify(doc)]);
  } else {
    out.push([prefix, JSON.stringify(doc)]);
  }
  return out;
}

/** A problem ("path: message" or {path, message}) as {path, message}. */
function problem(p) {
  if (p && typeof p === 'object') return {path: String(p.path || ''), message: String(p.message || '')};
  const s = String(p), i = s.indexOf(': ');
  return i < 0 ? {path: '', message: s} : {path: s.slice(0, i), message: s.slice(i + 2)};
}

/** The overlay's fields, each with the problems whose path is it (or under it). */
function showProblems(out, doc, problems) {
  const ps = problems.map(problem);
  const fields = doc ? paths(doc, '', []) : [];
  const placed = new Set();
  const rows = fields.map(([path, value]) => {
    const mine = ps.filter((p) => p.path === path || p.path.startsWith(path + '.') || p.path.startsWith(path + '['));
    mine.forEach((p) => placed.add(p));
    return {path, value, problems: mine};
  });
  for (const p of ps) {
    if (placed.has(p)) continue;
    const parent = rows.find((r) => p.path && p.path.startsWith(r.path));
    if (parent) { parent.problems.push(p); placed.add(p); }
  }
  const loose = ps.filter((p) => !placed.has(p));
  out.replaceChildren(h('p', {class: 'error', role: 'alert'}, 'The overlay is refused: ' + count(ps.length) + ' problem' + (ps.length === 1 ? '' : 's') + '. Each is shown next to its field.'));
  if (loose.length) {
    out.append(table('Problems with fields the overlay does not have', [{key: 'path', label: 'Field'}, {key: 'message', label: 'Problem'}], loose));
  }
  out.append(table('The overlay\u2019s fields and their problems', [
    {key: 'path', label: 'Field (JSON path)', fmt: (v) => h('code', {}, v)}, {key: 'value', label: 'Value', fmt: (v) => h('code', {}, v)},
    {key: 'problems', label: 'Problem', fmt: (v) => (v.length ? h('span', {class: 'problem-msg', 'data-path': v[0].path}, v.map((p) => (p.path ? p.path + ': ' : '') + p.message).join('; ')) : 'ok')}],
  rows, {rowClass: (r) => (r.problems.length ? 'problem' : null)}));
}

/** A starting overlay of base b for ACO aco (valid, changing nothing yet). */
function skeleton(b, aco) {
  const id = b ? b.id : 'template';
  return JSON.stringify({id: id + '_' + aco.toLowerCase(), version: '1.0.0', description: 'ACO ' + aco + '\u2019s ' + id,
    aco_id: aco, base: {id, version: b ? b.version : '1.0.0'}, approach: 'default', set: {}}, null, 2);
}

/** #/templates: the templates and an overlay upload. */
async function renderTemplates(box, params, query, ctx) {
  heading(box, 'Templates and overlays');
  const out = h('div', {'aria-live': 'polite'});
  box.append(out);
  let templates = [];
  try { templates = (await api('GET', '/v1/templates')).templates; } catch (e) { out.append(errorBox(e, 'Templates')); }
  box.append(table('Templates you can use', [{key: 'id', label: 'Id'}, {key: 'kind', label: 'Kind'},
    {key: 'version', label: 'Version'}, {key: 'episode_type', label: 'Episode type'}, {key: 'aco_id', label: 'ACO'},
    {key: 'description', label: 'Description'}], templates));
  const s = section(box, 'Upload an overlay');
  s.append(h('p', {}, 'An overlay changes what its base template allows (docs/templates.md). Validate it first: each problem is shown next to the field it is about. Nothing is saved until you upload.'));
  const bases = templates.filter((t) => t.kind === 'base');
  const base = field({label: 'Base template', name: 'base', options: bases.map((t) => [t.id, t.id])});
  const file = field({label: 'Overlay file (JSON)', name: 'file', type: 'file', accept: '.json,application/json'});
  const doc = field({label: 'Overlay document (JSON)', name: 'doc', textarea: true, rows: 14,
    value: skeleton(bases[0], ctx.role.id)});
  base.input.addEventListener('change', () => {
    const b = bases.find((t) => t.id === base.input.value);
    if (b) doc.input.value = skeleton(b, ctx.role.id);
  });
  file.input.addEventListener('change', async () => {
    const fl = file.input.files[0];
    if (fl) doc.input.value = await fl.text();
  });
  const result = h('div', {'aria-live': 'polite', id: 'overlay-result'});
  const f = h('form', {'aria-label': 'Upload an overlay'}, h('div', {class: 'row'}, base, file), doc,
    h('div', {class: 'actions'}, h('button', {type: 'submit', value: 'validate', id: 'overlay-validate'}, 'Validate'),
      h('button', {type: 'button', class: 'secondary', id: 'overlay-upload'}, 'Upload')), result);
  const send = async (upload) => {
    let parsed;
    try { parsed = JSON.parse(doc.input.value); } catch (e) {
      result.replaceChildren(h('p', {class: 'error', role: 'alert'}, 'The overlay is not JSON: ' + e.message));
      return;
    }
    const baseId = base.input.value || (parsed.base && parsed.base.id) || '';
    try {
      const path = upload ? '/v1/templates/' + encodeURIComponent(baseId) + '/overlays/' + encodeURIComponent(ctx.role.id)
        : '/v1/templates/' + encodeURIComponent(baseId) + '/validate';
      await api(upload ? 'PUT' : 'POST', path, doc.input.value);
      result.replaceChildren(h('p', {class: 'okmsg', role: 'status'}, upload ? 'The overlay is saved; the service activates it within a few seconds.' : 'The overlay is valid.'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.body && Array.isArray(e.body.problems)) showProblems(result, parsed, e.body.problems);
      else result.replaceChildren(errorBox(e, upload ? 'Uploading' : 'Validating'));
    }
  };
  f.addEventListener('submit', (ev) => { ev.preventDefault(); send(false); });
  f.querySelector('#overlay-upload').addEventListener('click', () => send(true));
  s.append(f);
}

/** #/spending?template= : spending versus target by month. */
async function renderSpending(box, params, query, ctx) {
  heading(box, 'Spending versus target');
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading\u2026'));
  box.append(out);
  let r;
  try { r = await api('GET', '/v1/reports/month' + qs({aco: ctx.role.id, template: query.get('template')})); } catch (e) { out.replaceChildren(errorBox(e, 'Spending by month')); return; }
  out.replaceChildren(h('p', {}, 'Run ' + r.run_id + '. Claims paid through ' + (r.paid_through_date || '\u2014') + ': months after that date are not complete.'));
  const months = [...new Set(r.rows.map((x) => x.month))].sort();
  const by = months.map((m) => {
    const rs = r.rows.filter((x) => x.month === m);
    return {month: m, episodes: rs.reduce((a, x) => a + (x.episodes || 0), 0), target: sumCents(rs.map((x) => x.target_cents)),
      actual: sumCents(rs.map((x) => x.actual_cents)), winsorized: sumCents(rs.map((x) => x.actual_winsorized_cents)),
      interim: rs.reduce((a, x) => a + (x.interim || 0), 0), final: rs.reduce((a, x) => a + (x.final || 0), 0),
      projected: rs.some((x) => x.projected_actual_cents != null) ? sumCents(rs.map((x) => x.projected_actual_cents || 0)) : null};
  });
  // an interim run (cara run --as-of): the projected final cost beside the paid to date
  const interimRun = by.some((x) => x.projected != null);
  if (interimRun) out.append(h('p', {}, 'An interim run: actual is what was paid through ' + r.paid_through_date + '; projected is the final cost projected from the claims\u2019 own payment lags (docs/monthly.md).'));
  const series = [{label: 'Target', data: by.map((x) => chartDollars(x.target))}, {label: interimRun ? 'Actual (paid to date)' : 'Actual', data: by.map((x) => chartDollars(x.actual))}];
  if (interimRun) series.push({label: 'Projected final', data: by.map((x) => (x.projected == null ? null : chartDollars(x.projected)))});
  chart(out, 'line', 'Spending versus target by month, dollars (all templates)', months, series, 'dollars');
  const cols = [{key: 'month', label: 'Month'}, {key: 'episodes', label: 'Episodes', num: true, fmt: count},
    {key: 'final', label: 'Final', num: true, fmt: count}, {key: 'interim', label: 'Interim', num: true, fmt: count},
    {key: 'target', label: 'Target', num: true, fmt: money}, {key: 'actual', label: 'Actual', num: true, fmt: money},
    {key: 'winsorized', label: 'Actual (winsorized)', num: true, fmt: money}];
  if (interimRun) cols.push({key: 'projected', label: 'Projected final', num: true, fmt: (v) => (v == null ? '\u2014' : money(v))});
  for (const x of by)
    x.complete = r.paid_through_date && x.month > r.paid_through_date.slice(0, 7) ? 'not yet paid through'
      : x.interim > 0 ? 'interim (' + x.interim + ' still developing)' : 'yes';
  cols.push({key: 'complete', label: 'Complete?'});
  out.append(table('Spending versus target by month (all templates)', cols, by));
  out.append(table('By template and month', [{key: 'month', label: 'Month'}, {key: 'template_id', label: 'Template'}, {key: 'episodes', label: 'Episodes', num: true},
    {key: 'target_cents', label: 'Target', num: true, fmt: money}, {key: 'actual_cents', label: 'Actual', num: true, fmt: money}], r.rows));
}

/** #/leakage: spending outside the network, by provider and by TIN. */
async function renderLeakage(box, params, query, ctx) {
  heading(box, 'Leakage');
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading\u2026'));
  box.append(out);
  let r;
  try { r = await api('GET', '/v1/reports/leakage' + qs({aco: ctx.role.id})); } catch (e) { out.replaceChildren(errorBox(e, 'Leakage')); return; }
  const rows = r.rows.slice().sort((a, b) => (cents(b.paid_cents) > cents(a.paid_cents) ? 1 : cents(b.paid_cents) < cents(a.paid_cents) ? -1 : 0));
  const total = sumCents(rows.map((x) => x.paid_cents));
  out.replaceChildren(h('p', {}, 'Run ' + r.run_id + ': ' + money(total) + ' paid to providers outside your network during your beneficiaries\u2019 episodes.'));
  const tins = new Map();
  for (const x of rows) {
    const t = tins.get(x.tin) || {tin: x.tin, providers: 0, lines: 0, paid: 0n};
    t.providers += 1; t.lines += x.lines || 0; t.paid += cents(x.paid_cents) || 0n;
    tins.set(x.tin, t);
  }
  const byTin = [...tins.values()].sort((a, b) => (b.paid > a.paid ? 1 : b.paid < a.paid ? -1 : 0));
  const s1 = section(out, 'By TIN');
  const top = byTin.slice(0, 10);
  chart(s1, 'bar', 'The 10 TINs with the most leakage, dollars', top.map((x) => x.tin), [{label: 'Paid outside the network', data: top.map((x) => chartDollars(x.paid))}], 'dollars');
  s1.append(table('Leakage by TIN', [{key: 'tin', label: 'TIN'}, {key: 'providers', label: 'Providers', num: true}, {key: 'lines', label: 'Lines', num: true, fmt: count},
    {key: 'paid', label: 'Paid', num: true, fmt: money}], byTin, {empty: 'No leakage.'}));
  const s2 = section(out, 'By provider');
  s2.append(table('Leakage by provider', [{key: 'npi', label: 'NPI'}, {key: 'name', label: 'Name'}, {key: 'tin', label: 'TIN'},
    {key: 'episodes', label: 'Episodes', num: true, fmt: count}, {key: 'lines', label: 'Lines', num: true, fmt: count},
    {key: 'paid_cents', label: 'Paid', num: true, fmt: money}], rows, {empty: 'No leakage.'}));
}

/** #/specialists: ranked by savings, with the 90% interval when the service gives one. */
async function renderSpecialists(box, params, query, ctx) {
  heading(box, 'Specialists ranked');
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading\u2026'));
  box.append(out);
  let r;
  try { r = await api('GET', '/v1/reports/specialist' + qs({aco: ctx.role.id})); } catch (e) { out.replaceChildren(errorBox(e, 'Specialists')); return; }
  const hasCi = r.rows.some((x) => x.savings_bps_low !== undefined);
  const rows = r.rows.filter((x) => x.episodes > 0).map((x) => Object.assign({}, x, {
    savings: x.savings_bps !== undefined && x.savings_bps !== null ? x.savings_bps : savingsBps(x.target_cents, x.actual_winsorized_cents)}));
  rows.sort((a, b) => Number((cents(b.savings) ?? -1000000n) - (cents(a.savings) ?? -1000000n)));
  rows.forEach((x, i) => { x.rank = i + 1; });
  out.replaceChildren(h('p', {}, 'Run ' + r.run_id + '. Savings is 1 \u2212 actual / target over the specialist\u2019s episodes. ' +
    (hasCi ? 'The interval is a 90% confidence interval: a wide one means few episodes, so the rank is uncertain.' : 'Confidence intervals: not available in this version of the service.')));
  const cols = [{key: 'rank', label: 'Rank', num: true}, {key: 'name', label: 'Specialist'}, {key: 'npi', label: 'NPI'}, {key: 'tin', label: 'TIN'},
    {key: 'specialty_code', label: 'Specialty'}, {key: 'episodes', label: 'Episodes', num: true, fmt: count},
    {key: 'target_cents', label: 'Target', num: true, fmt: money}, {key: 'actual_winsorized_cents', label: 'Actual (winsorized)', num: true, fmt: money},
    {key: 'savings', label: 'Savings', num: true, fmt: bps}];
  if (hasCi) cols.push({key: 'savings_bps_low', label: '90% interval', num: true, fmt: (v, x) => (x.savings_bps_low === null || x.savings_bps_low === undefined) ? 'too few episodes' : bps(x.savings_bps_low) + ' to ' + bps(x.savings_bps_high)});
  cols.push({key: 'payment_cents', label: 'Payment', num: true, fmt: money});
  const top = rows.slice(0, 15);
  chart(out, 'bar', 'Savings of the top ' + top.length + ' specialists, percent', top.map((x) => x.name || x.npi), [{label: 'Savings %', data: top.map((x) => (x.savings === null ? null : Number(x.savings) / 100))}], 'percent');
  out.append(table('Specialists by savings, best first', cols, rows, {empty: 'No specialist had episodes in this run.'}));
  const none = r.rows.filter((x) => !(x.episodes > 0));
  if (none.length) out.append(h('p', {class: 'note'}, count(none.length) + ' specialists with arrangements had no episodes and are not ranked.'));
}

/** Register the ACO's pages; returns the menu. */
export function register(router, ctx) {
  router.route('/network', (b, p, q) => renderNetwork(b, p, q, ctx));
  router.route('/offer', (b, p, q) => renderOffer(b, p, q, ctx));
  router.route('/templates', (b, p, q) => renderTemplates(b, p, q, ctx));
  router.route('/spending', (b, p, q) => renderSpending(b, p, q, ctx));
  router.route('/leakage', (b, p, q) => renderLeakage(b, p, q, ctx));
  router.route('/specialists', (b, p, q) => renderSpecialists(b, p, q, ctx));
  return [['/network', 'Network'], ['/offer', 'Offer an EBRA'], ['/templates', 'Templates'], ['/spending', 'Spending'],
    ['/leakage', 'Leakage'], ['/specialists', 'Specialists'], ['/episodes', 'Episodes']];
}

