// cms.js: CMS staff's pages: runs (start one, watch its job), the diff of two runs, the
// rule editor (load, edit, try on a sample), every ACO's summary, users.
import {api, errorBox, qs} from './api.js';
import {chart} from './charts.js';
import {badge, field, formValues, h, heading, section, table} from './dom.js';
import {cents, chartDollars, count, money, sumCents, text} from './format.js';
import {go, href} from './router.js';

let watching = null;

/** Poll job id every second into live until it finishes. */
function watchJob(live, id, onDone) {
  if (watching) clearInterval(watching);
  const tick = async () => {
    if (!live.isConnected) { clearInterval(watching); return; }
    try {
      const j = await api('GET', '/v1/jobs/' + id);
      const p = j.progress || {};
      live.replaceChildren(h('p', {class: j.state === 'failed' || j.state === 'cancelled' ? 'error' : j.state === 'done' ? 'okmsg' : 'note'},
        'Job ' + j.job_id + ': ' + j.state + ' \u2014 ' + count(p.beneficiaries_done || 0) + ' of ' + count(p.beneficiaries_total || 0) +
        ' beneficiaries' + (j.run_id ? ', run ' + j.run_id : '') + (j.message ? '. ' + j.message : '')),
      h('progress', {max: 100, value: Math.round(p.percent || 0), 'aria-label': 'Progress of job ' + j.job_id}));
      if (j.state !== 'queued' && j.state !== 'running') { clearInterval(watching); watching = null; if (onDone) onDone(j); }
    } catch (e) { live.replaceChildren(errorBox(e, 'Job ' + id)); clearInterval(watching); }
  };
  watching = setInterval(tick, 1000);
  tick();
}

/** #/runs */
async function renderRuns(box) {
  heading(box, 'Runs');
  const live = h('div', {'aria-live': 'polite', id: 'job-status'});
  let templates = [];
  try { templates = (await api('GET', '/v1/templates')).templates.filter((t) => t.kind === 'base'); } catch (e) { /* the form still works */ }
  const f = h('form', {'aria-label': 'Start a run'}, h('div', {class: 'row'},
    field({label: 'Template', name: 'template', options: [['', 'Every template']].concat(templates.map((t) => [t.id, t.id]))}),
    field({label: 'Performance year (optional)', name: 'period', type: 'number', inputmode: 'numeric'})),
  h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Start a run')), live);
  const list = h('div', {'aria-live': 'polite'});
  const load = async () => {
    try {
      const r = await api('GET', '/v1/runs');
      list.replaceChildren(table('Runs, newest first', [
        {key: 'run_id', label: 'Run', fmt: (v) => h('span', {}, String(v))}, {key: 'status', label: 'Status', fmt: badge},
        {key: 'started_at', label: 'Started'}, {key: 'finished_at', label: 'Finished'}, {key: 'period', label: 'Year'},
        {key: 'template_id', label: 'Template', fmt: (v) => text(v || 'every template')}, {key: 'episodes_dir', label: 'Episodes folder'},
        {key: 'message', label: 'Message'},
        {key: 'run_id', label: 'Compare', fmt: (v, row) => {
          const prev = r.runs.find((x) => x.run_id < v && x.status === 'done');
          return row.status === 'done' && prev ? h('a', {href: href('/diff', {a: prev.run_id, b: v})}, 'Diff with run ' + prev.run_id) : '\u2014';
        }}], r.runs, {empty: 'No runs yet.'}));
    } catch (e) { list.replaceChildren(errorBox(e, 'Runs')); }
  };
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(f);
    const body = {};
    if (v.template) body.template = v.template;
    if (v.period) body.period = parseInt(v.period, 10);
    try {
      const j = await api('POST', '/v1/runs', body);
      watchJob(live, j.job_id, load);
    } catch (e) { live.replaceChildren(errorBox(e, 'Starting the run')); }
  });
  box.append(f);
  section(box, 'Runs').append(list);
  await load();
  try {
    const jobs = (await api('GET', '/v1/jobs')).jobs;
    const running = jobs.find((j) => j.state === 'running' || j.state === 'queued');
    if (running) watchJob(live, running.job_id, load);
  } catch (e) { /* no jobs list: nothing to watch */ }
}

const DIFF_COLUMNS = {
  template: ['template_id'], arrangement: ['arrangement_id', 'period'], attribution: ['episode_id'],
  leakage: ['aco_id'], leakage_provider: ['aco_id', 'tin', 'npi'],
};

/** #/diff?a=&b= */
async function renderDiff(box, params, query) {
  heading(box, 'Diff of two runs');
  let runs = [];
  try { runs = (await api('GET', '/v1/runs')).runs.filter((r) => r.status === 'done'); } catch (e) { box.append(errorBox(e, 'Runs')); }
  const opts = runs.map((r) => [r.run_id, 'Run ' + r.run_id + ' (' + (r.finished_at || r.started_at || '') + ')']);
  const a = query.get('a') || (runs[1] ? runs[1].run_id : ''), b = query.get('b') || (runs[0] ? runs[0].run_id : '');
  const f = h('form', {'aria-label': 'Choose two runs'}, h('div', {class: 'row'},
    field({label: 'Run A (before)', name: 'a', options: opts, value: a}), field({label: 'Run B (after)', name: 'b', options: opts, value: b})),
  h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Compare')));
  f.addEventListener('submit', (ev) => { ev.preventDefault(); go('/diff', formValues(f)); });
  box.append(f);
  const out = h('div', {'aria-live': 'polite'});
  box.append(out);
  if (!query.get('a') || !query.get('b')) { out.append(h('p', {class: 'note'}, 'Choose two completed runs.')); return; }
  let r;
  try { r = await api('GET', '/v1/runs/' + encodeURIComponent(query.get('a')) + '/diff/' + encodeURIComponent(query.get('b'))); } catch (e) { out.append(errorBox(e, 'The diff')); return; }
  out.append(h('p', {}, 'From run ' + r.run_a + ' to run ' + r.run_b + ': ' + count(r.rows.length) + ' rows.'));
  const comps = r.rows.filter((x) => x.kind === 'component');
  const cs = section(out, 'What changed in the rules and templates');
  cs.append(table('Components', [{key: 'name', label: 'Component'}, {key: 'component_kind', label: 'Kind'}, {key: 'change', label: 'Change'},
    {key: 'version_a', label: 'Version A'}, {key: 'version_b', label: 'Version B'},
    {key: 'members', label: 'Detail', fmt: (v, x) => {
      const m = (x.members || []).map((y) => y.path + ': ' + JSON.stringify(y.a) + ' \u2192 ' + JSON.stringify(y.b));
      const l = (x.lines || []).map((y) => y.file + ':' + y.line + ': ' + y.op + ' ' + y.text);
      return h('code', {}, m.concat(l).join('\n') || '\u2014');
    }}], comps, {empty: 'No component changed.'}));
  const moved = (x) => x.kind === 'attribution' || x.kind === 'leakage_provider' ||
    Object.keys(x).some((k) => k.endsWith('_change') && x[k] !== null && x[k] !== 0 && x[k] !== '0' && x[k] !== '' && x[k] !== false);
  for (const kind of Object.keys(DIFF_COLUMNS)) {
    const all = r.rows.filter((x) => x.kind === kind);
    if (!all.length) continue;
    const rows = all.filter(moved);
    const keys = DIFF_COLUMNS[kind];
    const measured = [...new Set(rows.flatMap((x) => Object.keys(x).filter((k) => k.endsWith('_change')).map((k) => k.slice(0, -7))))];
    const cols = keys.map((k) => ({key: k, label: k}));
    for (const m of measured) {
      const isMoney = m.endsWith('_cents');
      const f2 = isMoney ? money : text;
      cols.push({key: m + '_a', label: m.replace(/_cents$/, '') + ' A', num: true, fmt: f2}, {key: m + '_b', label: m.replace(/_cents$/, '') + ' B', num: true, fmt: f2},
        {key: m + '_change', label: m.replace(/_cents$/, '') + ' change', num: true, fmt: f2});
    }
    const s = section(out, 'By ' + kind.replace('_', ' '));
    s.append(table('What moved, by ' + kind.replace('_', ' '), cols, rows, {empty: 'Nothing moved.'}));
    if (rows.length < all.length) s.append(h('p', {class: 'note'}, count(all.length - rows.length) + ' rows without a change are not shown.'));
  }
}

/** #/rules?template= : the rule editor. */
async function renderRules(box, params, query) {
  heading(box, 'Rule editor');
  box.append(h('p', {}, 'Load a template\u2019s rules, edit them and try them on a sample of episodes of the latest run. Nothing is saved: to change the rules for real, edit the episodes folder.'));
  let templates = [];
  try { templates = (await api('GET', '/v1/templates')).templates.filter((t) => t.kind === 'base'); } catch (e) { box.append(errorBox(e, 'Templates')); return; }
  const tid = query.get('template') || (templates[0] && templates[0].id) || '';
  const pick = h('form', {'aria-label': 'Choose a template'}, h('div', {class: 'row'}, field({label: 'Template', name: 'template', value: tid, options: templates.map((t) => [t.id, t.id])})),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Load its rules')));
  pick.addEventListener('submit', (ev) => { ev.preventDefault(); go('/rules', formValues(pick)); });
  box.append(pick);
  const out = h('div', {'aria-live': 'polite'});
  box.append(out);
  if (!tid) return;
  let rules = null;
  try { rules = await api('GET', '/v1/templates/' + encodeURIComponent(tid) + '/rules'); } catch (e) { out.append(errorBox(e, 'Loading the rules')); }
  const files = (rules && rules.files) || {};
  const attr = field({label: 'attribution.lua', name: 'attribution', textarea: true, rows: 16, value: files['attribution.lua'] || '',
    hint: files['attribution.lua'] ? 'the active rule' : 'leave empty to keep the active rule'});
  const sav = field({label: 'savings.lua', name: 'savings', textarea: true, rows: 16, value: files['savings.lua'] || '',
    hint: files['savings.lua'] ? 'the active rule' : 'leave empty to keep the active rule'});
  const n = field({label: 'Sample size (episodes)', name: 'n', type: 'number', value: '10', min: 1, max: 50});
  const result = h('div', {'aria-live': 'polite', id: 'try-result'});
  const f = h('form', {'aria-label': 'Edit and try rules'}, attr, sav, h('div', {class: 'row'}, n), h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Try on the sample')), result);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.replaceChildren(h('p', {class: 'note'}, 'Trying\u2026'));
    const size = Math.min(50, Math.max(1, parseInt(n.input.value, 10) || 10));
    let sample;
    // attributed episodes first: their targets are the ones payments are made from
    try {
      const eps = (await api('GET', '/v1/episodes' + qs({template: tid, status: 'final', limit: 500}))).episodes;
      sample = eps.filter((e) => e.arrangement_id).concat(eps.filter((e) => !e.arrangement_id)).slice(0, size).map((e) => e.episode_id);
    } catch (e) { result.replaceChildren(errorBox(e, 'The sample')); return; }
    if (!sample.length) { result.replaceChildren(h('p', {class: 'note'}, 'The latest run has no final episodes of ' + tid + ' to try.')); return; }
    const body = {template: tid, episodes: sample};
    if (attr.input.value.trim() && attr.input.value !== files['attribution.lua']) body.attribution = attr.input.value;
    if (sav.input.value.trim() && sav.input.value !== files['savings.lua']) body.savings = sav.input.value;
    let r;
    try { r = await api('POST', '/v1/rules/try', body); } catch (e) {
      const re = e.body && e.body.error && e.body.error.rule_error;
      result.replaceChildren(errorBox(e, 'The try'));
      if (re) result.append(h('p', {class: 'error'}, re.kind + ' error in ' + re.file + (re.line ? ' line ' + re.line : '') + ': ' + re.message));
      return;
    }
    const rows = r.results.map((x) => ({episode_id: x.episode_id, skipped: x.skipped,
      stored_arr: x.stored && x.stored.arrangement_id, tried_arr: x.tried && x.tried.arrangement_id,
      stored: x.stored && x.stored.target_cents, tried: x.tried && x.tried.target_cents,
      change: x.stored && x.tried && x.stored.target_cents !== undefined && x.tried.target_cents !== undefined ? cents(x.tried.target_cents) - cents(x.stored.target_cents) : null,
      changes: (x.changes || []).join(', ') || (x.skipped ? 'skipped: ' + x.skipped : 'none')}));
    const moved = rows.filter((x) => x.change !== null && x.change !== 0n);
    result.replaceChildren(h('p', {class: 'okmsg'}, 'Tried ' + ((r.posted || []).length ? 'the edited ' + r.posted.join(' and ') : 'the active rules (nothing edited)') + ' on ' + count(rows.length) + ' episodes of run ' + r.run_id + ': ' +
      count(moved.length) + ' targets moved, by ' + money(sumCents(rows.map((x) => x.change))) + ' in total. Payments move with the targets once a run reconciles them (' + (r.not_evaluated || []).join(', ') + ' are not evaluated in a try).'));
    chart(result, 'bar', 'Stored and tried target per episode, dollars', rows.map((x) => x.episode_id.split(':')[1] || x.episode_id),
      [{label: 'Stored target', data: rows.map((x) => chartDollars(x.stored))}, {label: 'Tried target', data: rows.map((x) => chartDollars(x.tried))}], 'dollars');
    result.append(table('Stored versus tried, per episode', [{key: 'episode_id', label: 'Episode', fmt: (v) => h('a', {href: href('/episode/' + encodeURIComponent(v))}, v)},
      {key: 'stored_arr', label: 'Stored arrangement'}, {key: 'tried_arr', label: 'Tried arrangement'},
      {key: 'stored', label: 'Stored target', num: true, fmt: money}, {key: 'tried', label: 'Tried target', num: true, fmt: money},
      {key: 'change', label: 'Change', num: true, fmt: money}, {key: 'changes', label: 'What changed'}], rows));
  });
  out.append(f);
}

/** #/acos: every ACO's summary. */
async function renderAcos(box) {
  heading(box, 'ACOs');
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading\u2026'));
  box.append(out);
  let r;
  try { r = await api('GET', '/v1/reports/aco'); } catch (e) { out.replaceChildren(errorBox(e, 'The ACO summary')); return; }
  out.replaceChildren(h('p', {}, 'Run ' + r.run_id + '. Totals: ' + money(sumCents(r.rows.map((x) => x.target_cents))) + ' target, ' +
    money(sumCents(r.rows.map((x) => x.actual_cents))) + ' actual, ' + money(sumCents(r.rows.map((x) => x.payment_cents))) + ' payments.'));
  chart(out, 'bar', 'Target and actual by ACO, dollars', r.rows.map((x) => x.aco_id),
    [{label: 'Target', data: r.rows.map((x) => chartDollars(x.target_cents))}, {label: 'Actual', data: r.rows.map((x) => chartDollars(x.actual_cents))}], 'dollars');
  out.append(table('Every ACO', [{key: 'aco_id', label: 'ACO'}, {key: 'name', label: 'Name'}, {key: 'track', label: 'Track'},
    {key: 'episodes', label: 'Episodes', num: true, fmt: count}, {key: 'excluded', label: 'Excluded', num: true, fmt: count},
    {key: 'attributed', label: 'Attributed', num: true, fmt: count}, {key: 'target_cents', label: 'Target', num: true, fmt: money},
    {key: 'actual_cents', label: 'Actual', num: true, fmt: money}, {key: 'payment_cents', label: 'Payments', num: true, fmt: money},
    {key: 'leakage_paid_cents', label: 'Leakage', num: true, fmt: money}], r.rows));
}

/** #/users */
async function renderUsers(box) {
  heading(box, 'Users');
  const out = h('div', {'aria-live': 'polite'});
  box.append(out);
  const list = h('div');
  const load = async () => {
    try {
      const r = await api('GET', '/v1/users');
      const users = r.users || r.rows || [];
      list.replaceChildren(table('Users', [{key: 'name', label: 'Name'}, {key: 'role', label: 'Role'},
        {key: 'disabled', label: 'Status', fmt: (v, u) => badge(v || u.status === 'disabled' ? 'disabled' : 'active')},
        {key: 'created_at', label: 'Created'}, {key: 'last_login_at', label: 'Last log-in'},
        {key: 'name', label: 'Action', fmt: (v, u) => (u.disabled || u.status === 'disabled' ? '\u2014'
          : h('button', {type: 'button', class: 'danger', onclick: async () => {
            try { await api('POST', '/v1/users/' + encodeURIComponent(v) + '/disable'); out.replaceChildren(h('p', {class: 'okmsg'}, v + ' is disabled.')); load(); } catch (e) { out.replaceChildren(errorBox(e, 'Disabling ' + v)); }
          }}, 'Disable ' + v))}], users));
    } catch (e) { list.replaceChildren(errorBox(e, 'Users')); }
  };
  const f = h('form', {'aria-label': 'Add a user'}, h('div', {class: 'row'},
    field({label: 'Name', name: 'name', required: true, autocomplete: 'off'}),
    field({label: 'Role', name: 'role', required: true, hint: 'cms, aco:A0001 or provider:NPI'}),
    field({label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'new-password', hint: 'give it to the person over a separate channel'})),
  h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Add the user')));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const v = formValues(f);
      await api('POST', '/v1/users', {name: v.name, role: v.role, password: f.elements.password.value});
      out.replaceChildren(h('p', {class: 'okmsg'}, 'Added ' + v.name + '.'));
      f.reset();
      load();
    } catch (e) { out.replaceChildren(errorBox(e, 'Adding the user')); }
  });
  section(box, 'Add a user').append(f);
  section(box, 'Everyone').append(list);
  await load();
}

/** Register CMS's pages; returns the menu. */
export function register(router) {
  router.route('/runs', renderRuns);
  router.route('/diff', renderDiff);
  router.route('/rules', renderRules);
  router.route('/acos', renderAcos);
  router.route('/users', renderUsers);
  return [['/runs', 'Runs'], ['/diff', 'Diff'], ['/rules', 'Rule editor'], ['/acos', 'ACOs'], ['/episodes', 'Episodes'], ['/users', 'Users']];
}
