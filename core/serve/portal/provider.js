// provider.js: the specialist's pages: offers (terms and the template's target method,
// accept or decline) and the scorecard per arrangement. Episodes: episodes.js.
import {api, errorBox, qs} from './api.js';
import {chart} from './charts.js';
import {badge, facts, h, heading, section, table} from './dom.js';
import {bps, chartDollars, count, divRound, money, text} from './format.js';
import {go} from './router.js';

/** How the template sets a target, as facts (GET /v1/templates/:id). */
export function targetMethod(t) {
  const p = t.pricing || {}, a = t.arrangement || {}, q = t.quality || {}, at = t.attribution || {};
  const list = (v) => (Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? (x.min_age !== undefined ? x.min_age + '+: ' + x.factor : JSON.stringify(x)) : String(x))).join(', ') : text(v));
  return facts([
    ['Template', (t.name || t.id || '') + (t.version ? ' (version ' + t.version + ')' : '')],
    ['What it covers', t.description],
    ['Target', 'the base cost of ' + text(p.base_year) + ', trended by ' + (p.trend_bps === undefined ? '\u2014' : bps(p.trend_bps)) + ' a year, times the age, HCC and dual-status factors, less the discount'],
    ['Age factors (basis points)', list(p.age_factors)],
    ['HCC factors (basis points, by HCC count)', list(p.hcc_factors)],
    ['Dual / non-dual factor', text(p.dual_factor) + ' / ' + text(p.non_dual_factor)],
    ['Actual costs winsorized at', p.winsorize_percentile_bps === undefined ? '\u2014' : bps(p.winsorize_percentile_bps) + ' percentile'],
    ['Attribution', text(at.method)],
    ['Quality measure', q.description || q.measure],
    ['Default terms', 'discount ' + bps(a.discount_bps) + ', savings share ' + bps(a.savings_share_bps) + ', loss share ' + bps(a.loss_share_bps) +
      ', stop-gain ' + bps(a.stop_gain_bps) + ', stop-loss ' + bps(a.stop_loss_bps)],
    ['Minimum episodes for a payment', a.min_episodes],
  ]);
}

const orDefault = (v) => (v === null || v === undefined ? 'the template\u2019s default' : bps(v));

function terms(e) {
  return facts([['Arrangement', e.arrangement_id], ['ACO', e.aco_id], ['Your NPI / TIN', e.npi + ' / ' + e.tin],
    ['Template', e.template_id], ['From', e.start_date], ['To', e.end_date || 'open-ended'],
    ['Discount', orDefault(e.discount_bps)], ['Your share of savings', orDefault(e.savings_share_bps)], ['Your share of losses', orDefault(e.loss_share_bps)],
    ['Stop-gain', orDefault(e.stop_gain_bps)], ['Stop-loss', orDefault(e.stop_loss_bps)], ['Status', badge(e.status)]]);
}

async function offerCard(list, e) {
  const card = h('article', {class: 'card', 'aria-labelledby': 'offer-' + e.arrangement_id},
    h('h2', {id: 'offer-' + e.arrangement_id}, 'Offer ' + e.arrangement_id + ' from ' + e.aco_id));
  list.append(card);
  card.append(h('h3', {}, 'Terms'), terms(e));
  const method = h('div', {}, h('p', {class: 'loading'}, 'Loading the target method\u2026'));
  card.append(h('h3', {}, 'How the target is set'), method);
  const live = h('div', {'aria-live': 'polite'});
  const accept = h('button', {type: 'button', disabled: true}, 'Accept offer ' + e.arrangement_id);
  const decline = h('button', {type: 'button', class: 'secondary'}, 'Decline offer ' + e.arrangement_id);
  card.append(h('div', {class: 'actions'}, accept, decline), live);
  try {
    const t = await api('GET', '/v1/templates/' + encodeURIComponent(e.template_id));
    method.replaceChildren(targetMethod(t));
    accept.disabled = false;
  } catch (err) {
    method.replaceChildren(errorBox(err, 'The target method'));
    accept.disabled = false;
  }
  const act = async (what, path) => {
    accept.disabled = decline.disabled = true;
    live.replaceChildren(h('p', {class: 'note'}, what + '\u2026'));
    try {
      const r = await api('POST', path);
      live.replaceChildren(h('p', {class: 'okmsg', role: 'status'}, 'Offer ' + e.arrangement_id + ' is now ' + r.status + '.'));
    } catch (err) {
      live.replaceChildren(errorBox(err, what));
      accept.disabled = decline.disabled = false;
    }
  };
  accept.addEventListener('click', () => act('Accepting', '/v1/ebras/' + encodeURIComponent(e.arrangement_id) + '/accept'));
  decline.addEventListener('click', () => act('Declining', '/v1/ebras/' + encodeURIComponent(e.arrangement_id) + '/decline'));
}

/** #/offers */
async function renderOffers(box) {
  heading(box, 'Offers');
  box.append(h('p', {}, 'Arrangements (EBRAs) ACOs have offered you. Read the terms and how the target is set before you accept.'));
  const list = h('div', {class: 'cards'});
  const out = h('div', {'aria-live': 'polite'});
  box.append(out, list);
  let r;
  try { r = await api('GET', '/v1/ebras' + qs({status: 'offered'})); } catch (e) { out.append(errorBox(e, 'Offers')); return; }
  const rows = r.ebras || r.rows || [];
  if (!rows.length) out.append(h('p', {class: 'note'}, 'No offers are waiting for you.'));
  await Promise.all(rows.map((e) => offerCard(list, e)));
  let all;
  try { all = await api('GET', '/v1/ebras'); } catch (e) { return; }
  const s = section(box, 'All my arrangements');
  s.append(table('Arrangements', [{key: 'arrangement_id', label: 'Arrangement'}, {key: 'aco_id', label: 'ACO'},
    {key: 'template_id', label: 'Template'}, {key: 'start_date', label: 'From'}, {key: 'end_date', label: 'To'},
    {key: 'status', label: 'Status', fmt: badge}], all.ebras || all.rows || []));
}

/** #/scorecard: one card per arrangement from the arrangement report. */
async function renderScorecard(box) {
  heading(box, 'Scorecard');
  const out = h('div', {'aria-live': 'polite'}, h('p', {class: 'loading'}, 'Loading\u2026'));
  box.append(out);
  let r;
  try { r = await api('GET', '/v1/reports/arrangement'); } catch (e) { out.replaceChildren(errorBox(e, 'The scorecard')); return; }
  out.replaceChildren(h('p', {}, 'Run ' + r.run_id + '. Average cost is the winsorized actual per episode; a positive payment is paid to you, a negative one you owe. Leakage is what your patients\u2019 episodes spent with providers outside the ACO\u2019s network.'));
  if (r.note) out.append(h('p', {class: 'note'}, r.note));
  const rows = (r.rows || []).map((a) => Object.assign({}, a, {
    avg_target: divRound(a.target_cents, a.episodes), avg_actual: divRound(a.actual_winsorized_cents, a.episodes)}));
  for (const a of rows) {
    const s = section(out, 'Arrangement ' + a.arrangement_id + ' (' + a.template_id + ', ' + a.period + ')');
    if (a.status === 'insufficient_volume') {
      s.append(h('p', {class: 'warn'}, 'Small numbers: ' + count(a.episodes) + ' episodes is below the template\u2019s minimum volume, so no savings or losses are shared for this period (payment $0.00). Averages over so few episodes are not reliable.'));
    } else if (a.status === 'no_episodes') {
      s.append(h('p', {class: 'note'}, 'No episodes were attributed to this arrangement in the run.'));
    }
    s.append(facts([['Episodes', count(a.episodes)], ['Average cost', money(a.avg_actual)], ['Average target', money(a.avg_target)],
      ['Quality', a.quality_bps === null || a.quality_bps === undefined ? '\u2014' : bps(a.quality_bps)],
      ['Projected payment', money(a.payment_cents)], ['Cap applied', a.cap_applied],
      ['Leakage of my patients', a.leakage_paid_cents === undefined ? '\u2014'
        : money(a.leakage_paid_cents) + ' (' + count(a.leakage_lines) + ' claim lines outside the ACO\u2019s network)'],
      ['Status', badge(a.status)]]));
  }
  if (rows.length) {
    const s = section(out, 'All arrangements');
    chart(s, 'bar', 'Average cost versus target per episode, dollars', rows.map((a) => a.arrangement_id),
      [{label: 'Average target', data: rows.map((a) => chartDollars(a.avg_target))}, {label: 'Average cost', data: rows.map((a) => chartDollars(a.avg_actual))}], 'dollars');
    s.append(table('Scorecard by arrangement', [{key: 'arrangement_id', label: 'Arrangement'}, {key: 'aco_id', label: 'ACO'},
      {key: 'episodes', label: 'Episodes', num: true, fmt: count}, {key: 'avg_target', label: 'Average target', num: true, fmt: money},
      {key: 'avg_actual', label: 'Average cost', num: true, fmt: money}, {key: 'quality_bps', label: 'Quality', num: true, fmt: bps},
      {key: 'payment_cents', label: 'Projected payment', num: true, fmt: money},
      {key: 'leakage_paid_cents', label: 'Leakage', num: true, fmt: money}, {key: 'status', label: 'Status', fmt: badge}], rows));
  }
}

/** Register the provider's pages; returns the menu. */
export function register(router, ctx) {
  router.route('/offers', renderOffers);
  router.route('/scorecard', renderScorecard);
  return [['/offers', 'Offers'], ['/episodes', 'My episodes'], ['/scorecard', 'Scorecard']];
}

