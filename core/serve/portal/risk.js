// risk.js: the Risk list page (docs/portal.md "Risk list"), for ACO and provider roles:
// the prospective risk list of GET /v1/risk-list (docs/monthly.md "The risk score"):
// the beneficiaries in the caller's scope who are not in an open episode, ranked by the
// template's risk score, with the reasons for each score, for outreach. The service
// scopes the list (an ACO its own beneficiaries, a specialist those it would be reached
// through) and records every read.
//
// #/risk?template=&as_of=: the form reloads the page with its values; a CSV link gets the
// same list as a file.
import {api, errorBox, qs} from './api.js';
import {field, h, heading, table} from './dom.js';

async function renderRisk(box, params, query) {
  heading(box, 'Risk list');
  const q = {template: query.get('template') || '', as_of: query.get('as_of') || '', limit: 100};
  const f = h('form', {'aria-label': 'Risk list filters'}, h('div', {class: 'row'},
    field({label: 'Template (optional)', name: 'template', value: q.template, hint: 'e.g. falls_prevention'}),
    field({label: 'As of (optional)', name: 'as_of', type: 'date', value: q.as_of})),
  h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show'),
    h('a', {class: 'button', id: 'risk-csv', download: '', href: '/v1/risk-list' + qs(Object.assign({}, q, {format: 'csv', limit: 1000}))}, 'Download CSV')));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = Object.fromEntries(new FormData(f).entries());
    location.hash = '#/risk' + qs({template: v.template.trim(), as_of: v.as_of});
  });
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading\u2026'));
  box.append(f, out);
  try {
    const r = await api('GET', '/v1/risk-list' + qs(q));
    const runs = (r.templates || []).map((t) => t.template_id + ': ' + (t.run_id ? 'open episodes from run ' + t.run_id : 'no finished run')).join('; ');
    out.replaceChildren(h('p', {id: 'risk-note'}, 'As of ' + r.as_of + ' (' + runs + '). ' + r.rows.length + ' of ' + r.total +
      ' beneficiaries not in an open episode, highest score first. This is beneficiary data: every view is recorded.'),
    table('Risk list', [{key: 'rank', label: 'Rank', num: true}, {key: 'person_id', label: 'Person'},
      {key: 'aco_id', label: 'ACO'}, {key: 'template_id', label: 'Template'}, {key: 'score', label: 'Score', num: true},
      {key: 'reasons', label: 'Reasons'}, {key: 'npi', label: 'Specialist NPI', fmt: (v) => v || 'care team'},
      {key: 'last_claim_date', label: 'Last claim'}], r.rows, {empty: 'Nobody in your scope to list.'}));
  } catch (e) {
    out.replaceChildren(errorBox(e, 'Risk list'));
  }
}

/** Register the page for ACO and provider roles; returns its menu entry. */
export function register(router, ctx) {
  if (ctx.role.kind !== 'aco' && ctx.role.kind !== 'provider') return [];
  router.route('/risk', (b, p, q) => renderRisk(b, p, q));
  return [['/risk', 'Risk list']];
}
