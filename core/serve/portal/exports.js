// exports.js: the Exports page (docs/portal.md "Exports"), for every role: download a
// run's results in the formats partners read (docs/exports.md): the contracting workbook,
// the Da Vinci ATR attribution list, the VBPR MeasureReports and the episode file. The
// service scopes each file (an ACO its own, a specialist its own arrangements) and
// records it; the list below the form shows the exports made in the caller's scope.
//
// #/exports: the form builds a link to GET /v1/exports/:format (the session cookie goes
// along, the browser saves the file under the name the service gives); one link per EBRA
// for its workbook; the exports list from GET /v1/exports.
import {api, errorBox, qs} from './api.js';
import {field, h, heading, section, table} from './dom.js';
import {count} from './format.js';

const FORMATS = [['xlsx', 'Contracting workbook (xlsx)'], ['atr', 'Attribution list: Da Vinci ATR Group (FHIR JSON)'],
  ['vbpr', 'Performance: Da Vinci VBPR MeasureReports (FHIR JSON)'], ['episodes', 'Episode file (CSV, one row per episode)']];

/** The address of one export. */
function exportHref(format, params) {
  return '/v1/exports/' + encodeURIComponent(format) + qs(params);
}

async function renderExports(box, params, query, ctx) {
  heading(box, 'Exports');
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading\u2026'));
  box.append(out);
  const [tr, er, xr] = await Promise.allSettled([api('GET', '/v1/templates'), api('GET', '/v1/ebras'), api('GET', '/v1/exports?limit=50')]);
  const templates = tr.status === 'fulfilled' ? tr.value.templates.filter((t) => t.kind === 'base') : [];
  out.replaceChildren(h('p', {}, 'Download the latest run\u2019s results for your scope. Every figure equals the reports\u2019; each download is recorded (who, when, its SHA-256) and is beneficiary data: keep it as such.'));
  const f = h('form', {'aria-label': 'Download an export'}, h('div', {class: 'row'},
    field({label: 'Format', name: 'format', options: FORMATS}),
    field({label: 'Template', name: 'template', options: [['', 'Every template']].concat(templates.map((t) => [t.id, t.id]))}),
    field({label: 'Performance year (optional)', name: 'period', type: 'number', inputmode: 'numeric', min: 2027, max: 2036}),
    field({label: 'EBRA (optional)', name: 'ebra', hint: 'an arrangement id such as E000001'})));
  const link = h('a', {class: 'button', id: 'export-link', download: ''}, 'Download');
  const update = () => {
    const v = Object.fromEntries(new FormData(f).entries());
    link.href = exportHref(v.format, {template: v.template, period: v.period, ebra: (v.ebra || '').trim()});
    link.textContent = 'Download ' + FORMATS.find((x) => x[0] === v.format)[1];
  };
  f.addEventListener('input', update);
  f.addEventListener('change', update);
  f.addEventListener('submit', (ev) => { ev.preventDefault(); link.click(); });
  f.append(h('div', {class: 'actions'}, link));
  out.append(f);
  update();

  const ebras = section(out, 'Workbooks by EBRA');
  if (er.status === 'fulfilled') {
    const rows = (er.value.ebras || []).filter((e) => e.status !== 'declined');
    ebras.append(table('One contracting workbook per EBRA', [{key: 'arrangement_id', label: 'EBRA'}, {key: 'aco_id', label: 'ACO'},
      {key: 'npi', label: 'NPI'}, {key: 'template_id', label: 'Template'}, {key: 'status', label: 'Status'},
      {key: 'arrangement_id', label: 'Workbook', fmt: (v) => h('a', {href: exportHref('xlsx', {ebra: v}), download: ''}, v + '.xlsx')},
      {key: 'arrangement_id', label: 'VBPR', fmt: (v) => h('a', {href: exportHref('vbpr', {ebra: v}), download: ''}, 'MeasureReports')}],
    rows, {empty: 'No EBRA in your scope.'}));
  } else ebras.append(errorBox(er.reason, 'EBRAs'));

  const made = section(out, 'Exports made');
  if (xr.status === 'fulfilled') {
    made.append(table('The latest exports in your scope', [{key: 'export_id', label: 'Export'}, {key: 'format', label: 'Format'},
      {key: 'run_id', label: 'Run'}, {key: 'scope', label: 'Scope'}, {key: 'created_at', label: 'When'}, {key: 'created_by', label: 'By'},
      {key: 'bytes', label: 'Bytes', num: true, fmt: count}, {key: 'sha256', label: 'SHA-256', fmt: (v) => h('code', {title: v}, String(v).slice(0, 12) + '\u2026')}],
    xr.value.exports, {empty: 'No exports yet.'}));
  } else made.append(errorBox(xr.reason, 'Exports made'));
}

/** Register the page; returns its menu entry. */
export function register(router, ctx) {
  router.route('/exports', (b, p, q) => renderExports(b, p, q, ctx));
  return [['/exports', 'Exports']];
}
