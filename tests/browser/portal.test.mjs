// tests/browser/portal.test.mjs: the portal in headless Chromium (tests/browser_it.sh sets
// the environment: CARA_URL, CHROME, SHOTS, PASSWORD, PT_NPI, OFFER, OWN_EP,
// OTHER_PROV_EP, OTHER_ACO_EP; for the ADT feed's tasks CARA, DB, EPISODES, PLUGINS,
// LIVE_FALL, LIVE_PERSON, MISSED_PERSON). Logs in as each role, accepts an offer, drills
// into an episode, uploads a bad overlay and finds the error beside its field, tampers
// with URLs and API calls across providers and ACOs, a wrong password, logout; the care
// tasks (mark one done, a refusal shown in its row, a task the long poll brings while the
// page is open: LIVE_FALL taken by `cara adt take` from here, the poll stopped on leaving
// the page) and the provisional episodes; a screenshot of each page into SHOTS. Prints
// ok/FAIL lines; exits 1 on any failure.
import puppeteer from 'puppeteer-core';
import {execFileSync} from 'node:child_process';
import path from 'node:path';

const env = (k) => {
  const v = process.env[k];
  if (!v) { console.error('portal.test: ' + k + ' is not set (run tests/browser_it.sh)'); process.exit(2); }
  return v;
};
const URL = env('CARA_URL'), SHOTS = env('SHOTS'), PASSWORD = env('PASSWORD');
const NPI = env('PT_NPI'), OFFER = env('OFFER');
const OWN_EP = env('OWN_EP'), OTHER_PROV_EP = env('OTHER_PROV_EP'), OTHER_ACO_EP = env('OTHER_ACO_EP');
const CARA = env('CARA'), DB = env('DB'), EPISODES = env('EPISODES'), PLUGINS = env('PLUGINS');
const LIVE_FALL = env('LIVE_FALL'), LIVE_PERSON = env('LIVE_PERSON'), MISSED_PERSON = env('MISSED_PERSON');

let fails = 0;
const ok = (m) => console.log('ok   ' + m);
const bad = (m) => { console.log('FAIL ' + m); fails += 1; };
const check = (cond, m, detail) => (cond ? ok(m) : bad(m + (detail ? ': ' + detail : '')));

const root = process.getuid && process.getuid() === 0;
// BROWSER=firefox drives Debian's firefox-esr (WebDriver BiDi) instead of Chromium
const firefox = process.env.BROWSER === 'firefox';
const browser = firefox
  ? await puppeteer.launch({browser: 'firefox', executablePath: env('FIREFOX'), headless: true})
  : await puppeteer.launch({executablePath: env('CHROME'), headless: true,
    args: (root ? ['--no-sandbox'] : []).concat(['--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'])});
const page = await browser.newPage();
await page.setViewport({width: 1280, height: 900});
page.setDefaultTimeout(15000);
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
// what the Content-Security-Policy blocked (Chromium: "violates the following Content
// Security Policy directive"; Firefox: "Content-Security-Policy: ... blocked")
const cspErrors = [];
page.on('console', (m) => {
  const t = m.text();
  if (/Content.Security.Policy|violates the following/i.test(t)) cspErrors.push(t);
});

// when each GET /v1/tasks/feed (the Tasks page's long poll) was sent
const feedRequests = [];
page.on('request', (r) => { if (r.url().includes('/v1/tasks/feed')) feedRequests.push(Date.now()); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mainText = () => page.$eval('main', (m) => m.innerText);
const h1 = () => page.$eval('main h1', (e) => e.textContent);
async function shot(name, viewportOnly) {
  await sleep(150); // charts draw without animation; let layout settle
  await page.screenshot({path: path.join(SHOTS, name), fullPage: !viewportOnly});
  ok('screenshot ' + name);
}
/** The Tasks table's rows: {id, status, cls, text, button}. */
const taskRows = () => page.$$eval('#tasks-table tbody tr', (trs) => trs.map((tr) => ({id: Number(tr.getAttribute('data-task-id')),
  status: tr.getAttribute('data-status'), cls: tr.className, text: tr.innerText, button: !!tr.querySelector('button')})));
/** Click task id's "Mark done" and wait for its row to say want (a status) or to show an error. */
async function markDone(id) {
  await page.click('tr[data-task-id="' + id + '"] button');
  await page.waitForFunction((i) => { const tr = document.querySelector('tr[data-task-id="' + i + '"]');
    return tr && (tr.getAttribute('data-status') === 'done' || tr.querySelector('[role=alert]')); }, {}, id);
  return page.$eval('tr[data-task-id="' + id + '"]', (tr) => ({status: tr.getAttribute('data-status'), text: tr.innerText,
    alert: tr.querySelector('[role=alert]') ? tr.querySelector('[role=alert]').innerText : null}));
}
/** A state change from the page with the session's CSRF token, as the portal sends it. */
async function callCsrf(method, p, body) {
  const s = await call('GET', '/v1/session');
  return call(method, p, body, {'X-CSRF-Token': s.body && s.body.csrf_token});
}
/** Navigate to a hash route and wait for the page (its h1, then its loading notes to go). */
async function visit(hash, heading) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((t) => { const e = document.querySelector('main h1'); return e && e.textContent.startsWith(t); }, {}, heading);
  await page.waitForFunction(() => !document.querySelector('main .loading'), {timeout: 15000});
  await sleep(100);
}
/** fetch from the page (the session cookie goes along), as a tampering user would. */
const call = (method, p, body, headers) => page.evaluate(async (m, u, b, hd) => {
  const r = await fetch(u, {method: m, headers: Object.assign({'Content-Type': 'application/json'}, hd || {}), body: b === null ? undefined : JSON.stringify(b)});
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  return {status: r.status, body: j};
}, method, p, body === undefined ? null : body, headers || {});

async function login(name, password) {
  await page.goto(URL + '/', {waitUntil: 'networkidle0'});
  await page.waitForSelector('input[name=name]');
  await page.$eval('input[name=name]', (e) => { e.value = ''; });
  await page.type('input[name=name]', name);
  await page.type('input[name=password]', password);
  await page.click('form button[type=submit]');
}
async function loggedIn(heading) {
  await page.waitForSelector('#logout');
  await page.waitForFunction((t) => { const e = document.querySelector('main h1'); return e && e.textContent.startsWith(t); }, {}, heading);
  await page.waitForFunction(() => !document.querySelector('main .loading'));
}
async function logout() {
  await page.click('#logout');
  await page.waitForSelector('input[name=password]');
  const s = await call('GET', '/v1/session');
  check(s.status === 401, 'after logout GET /v1/session is 401', 'got ' + s.status);
  await page.evaluate(() => { location.hash = '#/episodes'; });
  await sleep(300);
  check(await page.$('input[name=password]') !== null && await page.$('#logout') === null, 'after logout a page address shows the log-in form');
}
/** The episode page for id shows a refusal and none of the episode. */
async function refusedEpisode(id, who) {
  await page.evaluate((h) => { location.hash = h; }, '#/episode/' + encodeURIComponent(id));
  await page.waitForSelector('main [role=alert]');
  const t = await mainText();
  const st = await page.$eval('main [role=alert]', (e) => e.getAttribute('data-status'));
  check(st === '403' || st === '404', who + ': another\u2019s episode by URL is refused (' + st + ')', t.slice(0, 200));
  check(!/Why it is attributed|Claims timeline/.test(t), who + ': none of that episode is shown');
  const a = await call('GET', '/v1/episodes/' + encodeURIComponent(id));
  check(a.status === 403 || a.status === 404, who + ': the API with the cookie refuses it too (' + a.status + ')');
}

try {
  // ---- the log-in page; a wrong password
  await page.goto(URL + '/', {waitUntil: 'networkidle0'});
  await page.waitForSelector('input[name=password]');
  check((await h1()) === 'Log in', 'the portal opens on the log-in page');
  check(await page.$eval('input[name=password]', (e) => !!document.querySelector('label[for="' + e.id + '"]')), 'the password field has a real label');
  await shot('portal-login.png');
  await login('pt-test', 'not-the-password');
  await page.waitForFunction(() => /Wrong user name or password/.test(document.getElementById('login-status').innerText));
  ok('a wrong password shows an error');
  check(await page.$('#logout') === null, 'a wrong password does not log in');
  await shot('portal-login-error.png');

  // ---- the provider: accept the offer, drill into an episode, scorecard, tampering
  await login('pt-test', PASSWORD);
  await loggedIn('Offers');
  ok('the provider logs in and lands on Offers');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.tagName);
  check(focused === 'H1', 'focus moves to the page heading', focused);
  await page.waitForFunction((id) => { const c = [...document.querySelectorAll('article.card')].find((a) => a.innerText.includes('Offer ' + id)); return c && /Target/.test(c.innerText) && !c.querySelector('.loading'); }, {}, OFFER);
  const card = await page.evaluate((id) => [...document.querySelectorAll('article.card')].find((a) => a.innerText.includes('Offer ' + id)).innerText, OFFER);
  check(/How the target is set/.test(card) && /trended by/.test(card), 'the offer shows the template\u2019s target method before accepting');
  await shot('provider-offers.png');
  const [acceptBtn] = await page.$$('xpath/.//button[contains(., "Accept offer ' + OFFER + '")]');
  await acceptBtn.click();
  await page.waitForFunction((id) => document.querySelector('main').innerText.includes('Offer ' + id + ' is now active'), {}, OFFER);
  ok('the provider accepts offer ' + OFFER);
  const eb = await call('GET', '/v1/ebras?npi=' + NPI);
  check(eb.status === 200 && eb.body.ebras.some((e) => e.arrangement_id === OFFER && e.status === 'active'), 'the service has ' + OFFER + ' active');

  await visit('#/episodes', 'My episodes');
  const listed = await page.$$eval('main tbody tr th a', (as) => as.map((a) => a.textContent));
  check(listed.length > 0, 'my episodes lists ' + listed.length + ' episodes');
  const mine = await call('GET', '/v1/episodes?limit=1000');
  check(mine.status === 200 && mine.body.episodes.every((e) => e.npi === NPI), 'every episode the provider can list is its own');
  await shot('provider-episodes.png');
  await page.click('main tbody tr th a');
  await page.waitForFunction(() => /Why it is attributed to you/.test(document.querySelector('main').innerText) && !document.querySelector('main .loading'));
  const ep = await mainText();
  check(/Claims timeline/.test(ep) && /Target versus actual/.test(ep) && /Cost by setting/.test(ep), 'the episode drill-down shows the timeline, target versus actual and cost by setting');
  check(ep.includes(NPI), 'the drill-down says why: the provider\u2019s NPI');
  await shot('provider-episode.png');
  await visit('#/scorecard', 'Scorecard');
  check((await mainText()).includes('Leakage of my patients'), 'the scorecard shows the leakage of the specialist\u2019s patients');
  await shot('provider-scorecard.png');

  // ---- the provider's care tasks: the ED fall with the provider as the attending
  await visit('#/tasks', 'My tasks');
  const ptTasks = await taskRows();
  check(ptTasks.length >= 2, 'provider: the Tasks page lists the provider\u2019s tasks (' + ptTasks.length + ')');
  const ptApi = await call('GET', '/v1/tasks?limit=1000');
  check(ptApi.status === 200 && ptApi.body.tasks.length > 0 && ptApi.body.tasks.every((t) => t.npi === NPI && t.assignee === 'specialist'),
    'provider: every task the API gives it is assigned to its NPI', JSON.stringify(ptApi.body && ptApi.body.tasks.slice(0, 2)));
  check(/Specialist, NPI /.test(ptTasks[0].text), 'provider: the row says the task is the specialist\u2019s', ptTasks[0].text);
  const [ptOne, ptTwo] = ptTasks.filter((r) => r.button);
  const ptDone = await markDone(ptOne.id);
  check(ptDone.status === 'done' && /done/.test(ptDone.text) && /pt-test/.test(ptDone.text), 'provider: Mark done turns task ' + ptOne.id + ' done (by pt-test)', JSON.stringify(ptDone));
  const ptDoneApi = await call('GET', '/v1/tasks?status=done');
  check(ptDoneApi.status === 200 && ptDoneApi.body.tasks.some((t) => t.task_id === ptOne.id && /pt-test/.test(t.done_by || '')), 'provider: the service has task ' + ptOne.id + ' done by pt-test');
  const noCsrf = await call('POST', '/v1/tasks/' + ptTwo.id + '/done');
  check(noCsrf.status === 403, 'provider: marking a task done with the cookie but no CSRF header is refused (' + noCsrf.status + ')');
  const already = await callCsrf('POST', '/v1/tasks/' + ptTwo.id + '/done');
  check(already.status === 200 && already.body.status === 'done', 'provider: task ' + ptTwo.id + ' done by a call from elsewhere (' + already.status + ')');
  const refused = await markDone(ptTwo.id);
  check(refused.alert && /not open/.test(refused.alert) && /409/.test(refused.alert), 'provider: Mark done on a task no longer open shows the service\u2019s refusal in its row', JSON.stringify(refused));
  const notMine = ptApi.body.tasks.some((t) => t.task_id === 1) ? 0 : 1; // the synth's first task: the ACO's care team
  const careTeam = notMine ? await callCsrf('POST', '/v1/tasks/1/done') : {status: 404};
  check(careTeam.status === 404, 'provider: a task of the ACO\u2019s care team is out of its scope (' + careTeam.status + ')');
  await visit('#/provisional', 'Provisional episodes');
  const ptProv = await call('GET', '/v1/provisional?limit=1000');
  check(ptProv.status === 200 && ptProv.body.provisional.length > 0 && ptProv.body.provisional.every((p) => p.npi === NPI),
    'provider: every provisional episode it sees is attributed to its NPI');
  check((await page.$$('main tbody tr')).length === ptProv.body.provisional.length && /attending/.test(await mainText()),
    'provider: the provisional episodes page lists them, attributed as the attending');
  await refusedEpisode(OTHER_PROV_EP, 'provider');
  await refusedEpisode(OTHER_ACO_EP, 'provider');
  const other = await call('GET', '/v1/episodes?npi=0000000000');
  check(other.status === 403 || other.status === 400, 'provider: the episode list of another NPI is refused (' + other.status + ')');
  const csrf = await call('POST', '/v1/ebras/' + OFFER + '/end', {end_date: '2027-12-31'});
  check(csrf.status === 403, 'a state change with the cookie but no CSRF header is refused (' + csrf.status + ')');
  await logout();
  ok('the provider logs out');

  // ---- the ACO: network, bad overlay, spending, leakage, specialists, episodes, tampering
  await login('aco-test', PASSWORD);
  await loggedIn('Network');
  ok('the ACO logs in and lands on Network');
  await visit('#/network?date=2027-07-01', 'Network');
  check(/Preferred Providers on 2027-07-01/.test(await mainText()), 'the network on a date lists its Preferred Providers');
  await shot('aco-network.png');
  await visit('#/offer', 'Offer an arrangement');
  await shot('aco-offer.png');
  await visit('#/templates', 'Templates and overlays');
  const bad1 = {id: 'falls_prevention_a0001', version: '1.0.0', description: 'a bad overlay', aco_id: 'A0001',
    base: {id: 'falls_prevention', version: '1.0.0'}, approach: 'max_flex', set: {'window.post_days': 5, 'arrangement.discount_bps': 200}};
  await page.$eval('textarea[name=doc]', (e, v) => { e.value = v; }, JSON.stringify(bad1, null, 2));
  await page.click('#overlay-validate');
  await page.waitForSelector('#overlay-result tr.problem');
  const rows = await page.$$eval('#overlay-result tbody tr', (trs) => trs.map((tr) => ({path: tr.querySelector('th').innerText, cls: tr.className, text: tr.innerText})));
  const row = rows.find((r) => r.path === 'set.window.post_days');
  check(row && row.cls === 'problem' && /post_days/.test(row.text) && /89|min/.test(row.text), 'the bad overlay\u2019s error is beside its field (set.window.post_days)', JSON.stringify(row));
  const fine = rows.find((r) => r.path === 'set.arrangement.discount_bps');
  check(fine && fine.cls !== 'problem', 'a good field of the same overlay shows no error');
  check(await page.$eval('#overlay-result [role=alert]', (e) => /refused/.test(e.textContent)), 'the refusal is announced (role=alert)');
  await shot('aco-overlay-error.png');
  await visit('#/spending', 'Spending versus target');
  await shot('aco-spending.png');
  await visit('#/leakage', 'Leakage');
  await shot('aco-leakage.png');
  await visit('#/specialists', 'Specialists ranked');
  await shot('aco-specialists.png');
  await visit('#/episodes', 'Episodes');
  const csvHref = await page.$eval('main a[href^="/v1/reports/episode?format=csv"]', (a) => a.getAttribute('href')).catch(() => null);
  check(csvHref !== null, 'the episode list has its CSV download link');
  if (csvHref) {
    const csv = await page.evaluate(async (u) => { const r = await fetch(u); return {status: r.status, type: r.headers.get('Content-Type'), text: await r.text()}; }, csvHref);
    check(csv.status === 200 && /text\/csv/.test(csv.type || '') && /^episode_id,/.test(csv.text), 'the CSV download answers CSV with the session cookie', csv.status + ' ' + csv.type + ' ' + csv.text.slice(0, 80));
  }
  await shot('aco-episodes.png');
  const acoEps = await call('GET', '/v1/episodes?limit=1000');
  check(acoEps.status === 200 && acoEps.body.episodes.every((e) => !e.aco_id || e.aco_id === 'A0001'), 'every episode the ACO can list is its own ACO\u2019s');
  await refusedEpisode(OTHER_ACO_EP, 'ACO');

  // ---- the ACO's care tasks: missed first, the long poll, Mark done, the status filter
  await visit('#/tasks?wait=2', 'Tasks');
  const acoTasks = await taskRows();
  check(acoTasks.length > 10, 'ACO: the Tasks page lists ' + acoTasks.length + ' open and missed tasks');
  const missed = acoTasks.filter((r) => r.status === 'missed');
  check(missed.length > 0 && missed.every((r) => /missed/.test(r.cls)) && missed.some((r) => r.text.includes(MISSED_PERSON)),
    'ACO: the past-due tasks are marked missed (badge and row)', JSON.stringify(missed.slice(0, 2)));
  const firstOpen = acoTasks.findIndex((r) => r.status !== 'missed');
  check(firstOpen === missed.length, 'ACO: missed tasks come first, then the open ones');
  check(acoTasks.every((r) => r.status === 'open' || r.status === 'missed'), 'ACO: the default view shows only open and missed tasks');
  const acoApi = await call('GET', '/v1/tasks?limit=1000');
  check(acoApi.status === 200 && acoApi.body.tasks.every((t) => t.aco_id === 'A0001'), 'ACO: every task the API gives it is its beneficiaries\u2019');
  check(await page.$eval('#tasks-feed-status', (e) => /Live updates: on/.test(e.textContent)), 'ACO: the page says live updates are on');
  const before = feedRequests.length;
  const take = execFileSync(CARA, ['--db', DB, '--episodes', EPISODES, '--plugins', PLUGINS, 'adt', 'take', LIVE_FALL], {encoding: 'utf8'});
  check(/opened provisional falls_prevention/.test(take), 'an ED fall for ' + LIVE_PERSON + ' taken while the page is open', take.trim());
  await page.waitForFunction((who) => { const tr = document.querySelector('#tasks-table tbody tr');
    return tr && tr.classList.contains('fresh') && tr.innerText.includes(who); }, {timeout: 20000}, LIVE_PERSON);
  const fresh = (await taskRows()).filter((r) => r.text.includes(LIVE_PERSON));
  check(fresh.length === 2 && fresh.every((r) => /fresh/.test(r.cls)), 'ACO: the long poll put the new tasks at the top, highlighted', JSON.stringify(fresh));
  check(feedRequests.length > before, 'ACO: the page polled GET /v1/tasks/feed (' + (feedRequests.length - before) + ' calls meanwhile)');
  check(/new task/i.test(await page.$eval('main .live', (m) => m.innerText)), 'ACO: the arrival is announced (a live region)');
  await shot('portal-tasks.png', true);
  const acoDone = await markDone(fresh[0].id);
  check(acoDone.status === 'done' && /aco-test/.test(acoDone.text), 'ACO: Mark done turns the new task ' + fresh[0].id + ' done', JSON.stringify(acoDone));
  await page.select('form[aria-label="Filter tasks"] select[name=status]', 'done');
  await page.click('form[aria-label="Filter tasks"] button[type=submit]');
  await page.waitForFunction(() => { const trs = [...document.querySelectorAll('#tasks-table tbody tr')];
    return /status=done/.test(location.hash) && trs.length > 0 && trs.every((tr) => tr.getAttribute('data-status') === 'done'); });
  const doneRows = await taskRows();
  check(doneRows.length > 0 && doneRows.every((r) => r.status === 'done') && doneRows.some((r) => r.id === fresh[0].id),
    'ACO: filtered by status done, the list has the task just done and only done tasks');
  check(/wait=2/.test(await page.evaluate(() => location.hash)), 'ACO: the filter keeps the poll\u2019s wait setting');
  // nobody touches the page for longer than idle=3: the poll pauses (else it would keep the
  // session alive forever); the button resumes it
  await visit('#/tasks?wait=1&idle=3', 'Tasks');
  await page.waitForSelector('#tasks-resume', {timeout: 10000});
  const paused = Date.now();
  await sleep(2000);
  check(feedRequests.filter((t) => t > paused + 300).length === 0 && /paused/.test(await page.$eval('#tasks-feed-status', (e) => e.textContent)),
    'ACO: with nobody using the page the long poll pauses, saying so');
  await page.click('#tasks-resume');
  await page.waitForFunction(() => /Live updates: on/.test(document.getElementById('tasks-feed-status').textContent));
  await sleep(1500);
  check(feedRequests.some((t) => t > paused + 2000), 'ACO: Resume live updates polls again');
  await visit('#/network', 'Network');
  const left = Date.now();
  await sleep(3500); // longer than the page's 2 s wait: a poll still running would have asked again
  const after = feedRequests.filter((t) => t > left + 300);
  check(after.length === 0, 'ACO: leaving the Tasks page stops its long poll', after.length + ' feed calls after leaving');
  await visit('#/provisional?person=' + encodeURIComponent(LIVE_PERSON), 'Provisional episodes');
  const prov = await mainText();
  check(prov.includes(LIVE_PERSON) && /falls_prevention/.test(prov) && /emergency/.test(prov) && /VBRLIVE1/.test(prov),
    'ACO: the new provisional episode is listed with its visit (facility, visit number, patient class)');
  await visit('#/provisional', 'Provisional episodes');
  const provAll = await page.$$eval('main tbody tr', (trs) => trs.map((tr) => tr.innerText));
  check(provAll.length > 0 && provAll.some((t) => /confirmed/.test(t)) && provAll.some((t) => /dropped|changed/.test(t)),
    'ACO: the provisional episodes show what the run decided (confirmed, changed, dropped)');
  check(/\$[0-9,]+\.[0-9]{2}/.test(provAll.join(' ')), 'ACO: target and cost to date are in dollars');
  check(await page.$$eval('main tbody .badge[title]', (b) => b.length > 0), 'ACO: a decided episode\u2019s reason is its status badge\u2019s tooltip');
  await shot('portal-provisional.png', true);
  await visit('#/exports', 'Exports');
  const exHref = await page.$eval('#export-link', (a) => a.getAttribute('href'));
  check(exHref === '/v1/exports/xlsx', 'ACO: the Exports page links the contracting workbook (' + exHref + ')');
  const wb = await page.evaluate(async (u) => {
    const r = await fetch(u);
    const b = new Uint8Array(await r.arrayBuffer());
    return {status: r.status, pk: b[0] === 0x50 && b[1] === 0x4b, disp: r.headers.get('content-disposition') || ''};
  }, exHref);
  check(wb.status === 200 && wb.pk && /aco-A0001/.test(wb.disp), 'ACO: the workbook downloads as a file (' + wb.status + ', ' + wb.disp + ')');
  await page.select('main form select[name=format]', 'atr');
  const atrHref = await page.$eval('#export-link', (a) => a.getAttribute('href'));
  check(atrHref === '/v1/exports/atr', 'ACO: choosing ATR changes the link (' + atrHref + ')');
  await visit('#/provisional', 'Provisional episodes'); // and back: the list is read when the page opens
  await visit('#/exports', 'Exports');
  const exTables = await page.$$eval('main section', (ss) => ss.map((x) => x.querySelectorAll('tbody tr').length));
  check(exTables.length === 2 && exTables[0] > 0 && exTables[1] > 0, 'ACO: the EBRAs\u2019 workbooks and the exports made are listed (' + exTables.join(', ') + ' rows)');
  await shot('portal-exports.png', true);
  await visit('#/risk?as_of=2027-06-30', 'Risk list');
  const riskRows = await page.$$eval('main tbody tr', (trs) => trs.map((tr) => tr.innerText));
  check(riskRows.length > 0 && riskRows.every((t) => /A0001/.test(t)) && /age:|prior_fall:|hcc:/.test(riskRows.join(' ')),
    'ACO: the Risk list ranks its own beneficiaries with the reasons (' + riskRows.length + ' rows)');
  const otherRisk = await call('GET', '/v1/risk-list?aco=A0003');
  check(otherRisk.status === 403, 'ACO: another ACO\u2019s risk list is refused (' + otherRisk.status + ')');
  const otherRep = await call('GET', '/v1/reports/arrangement?aco=A0003');
  check(otherRep.status === 403, 'ACO: another ACO\u2019s report is refused (' + otherRep.status + ')');
  await logout();
  ok('the ACO logs out');

  // ---- CMS: runs (start one and watch it), diff, rules, ACOs, users
  await login('cms-test', PASSWORD);
  await loggedIn('Runs');
  ok('CMS logs in and lands on Runs');
  // the Runs form appears once the template list has loaded (after the heading)
  await page.waitForSelector('main form button[type=submit]', {timeout: 15000});
  await page.click('main form button[type=submit]');
  await page.waitForFunction(() => /: done/.test(document.getElementById('job-status').innerText), {timeout: 60000});
  ok('CMS starts a run and watches its job to done');
  await page.waitForFunction(() => document.querySelectorAll('main tbody tr').length >= 2);
  await shot('cms-runs.png');
  await visit('#/diff?a=1&b=2', 'Diff of two runs');
  await shot('cms-diff.png');
  await visit('#/rules', 'Rule editor');
  await shot('cms-rules.png');
  await visit('#/tasks', 'Tasks');
  const cmsTasks = await taskRows();
  const acosSeen = new Set(cmsTasks.map((r) => (r.text.match(/care team \((A\d+)\)/) || [])[1]).filter(Boolean));
  check(cmsTasks.length > acoTasks.length && acosSeen.size > 1, 'CMS: the Tasks page lists every ACO\u2019s tasks (' + cmsTasks.length + ', ACOs ' + [...acosSeen].join(' ') + ')');
  await visit('#/acos', 'ACOs');
  check(/A0001/.test(await mainText()) && /A0003/.test(await mainText()), 'CMS sees every ACO\u2019s summary');
  await shot('cms-acos.png');
  await visit('#/users', 'Users');
  await page.type('form[aria-label="Add a user"] input[name=name]', 'pt-extra');
  await page.type('form[aria-label="Add a user"] input[name=role]', 'provider:' + NPI);
  await page.type('form[aria-label="Add a user"] input[name=password]', PASSWORD + '-extra');
  await page.click('form[aria-label="Add a user"] button[type=submit]');
  await page.waitForFunction(() => /Added pt-extra/.test(document.querySelector('main').innerText) && /pt-extra/.test(document.querySelector('main table') ? document.querySelector('main table').innerText : ''));
  ok('CMS adds a user from the portal');
  const [disableBtn] = await page.$$('xpath/.//button[contains(., "Disable pt-extra")]');
  await disableBtn.click();
  await page.waitForFunction(() => /pt-extra is disabled/.test(document.querySelector('main').innerText));
  ok('CMS disables a user from the portal');
  await shot('cms-users.png');
  await visit('#/episode/' + encodeURIComponent(OWN_EP), 'Episode');
  await page.waitForFunction(() => /Why it is attributed/.test(document.querySelector('main').innerText));
  ok('CMS may open any episode');
  await logout();
  ok('CMS logs out');
} catch (e) {
  bad('the test stopped: ' + (e && e.stack || e));
  try { await page.screenshot({path: path.join(SHOTS, '..', '..', 'build', 'browser-failure.png'), fullPage: true}); } catch (e2) { /* no build folder */ }
  try { console.log('--- page: ' + (await mainText()).slice(0, 1500)); } catch (e3) { /* no page */ }
}
check(pageErrors.length === 0, 'no JavaScript errors on any page', pageErrors.join(' | '));
check(cspErrors.length === 0, 'nothing blocked by the Content-Security-Policy on any page', cspErrors.join(' | '));
await browser.close();
console.log(fails ? 'portal.test: ' + fails + ' failed' : 'portal.test: all passed');
process.exit(fails ? 1 : 0);
