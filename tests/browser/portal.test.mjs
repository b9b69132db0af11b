// tests/browser/portal.test.mjs: the portal in headless Chromium (tests/browser_it.sh sets
// the environment: CARA_URL, CHROME, SHOTS, PASSWORD, PT_NPI, OFFER, OWN_EP,
// OTHER_PROV_EP, OTHER_ACO_EP). Logs in as each role, accepts an offer, drills into an
// episode, uploads a bad overlay and finds the error beside its field, tampers with URLs
// and API calls across providers and ACOs, a wrong password, logout; a screenshot of each
// page into SHOTS. Prints ok/FAIL lines; exits 1 on any failure.
import puppeteer from 'puppeteer-core';
import path from 'node:path';

const env = (k) => {
  const v = process.env[k];
  if (!v) { console.error('portal.test: ' + k + ' is not set (run tests/browser_it.sh)'); process.exit(2); }
  return v;
};
const URL = env('CARA_URL'), SHOTS = env('SHOTS'), PASSWORD = env('PASSWORD');
const NPI = env('PT_NPI'), OFFER = env('OFFER');
const OWN_EP = env('OWN_EP'), OTHER_PROV_EP = env('OTHER_PROV_EP'), OTHER_ACO_EP = env('OTHER_ACO_EP');

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mainText = () => page.$eval('main', (m) => m.innerText);
const h1 = () => page.$eval('main h1', (e) => e.textContent);
async function shot(name) {
  await sleep(150); // charts draw without animation; let layout settle
  await page.screenshot({path: path.join(SHOTS, name), fullPage: true});
  ok('screenshot ' + name);
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
  const otherRep = await call('GET', '/v1/reports/arrangement?aco=A0003');
  check(otherRep.status === 403, 'ACO: another ACO\u2019s report is refused (' + otherRep.status + ')');
  await logout();
  ok('the ACO logs out');

  // ---- CMS: runs (start one and watch it), diff, rules, ACOs, users
  await login('cms-test', PASSWORD);
  await loggedIn('Runs');
  ok('CMS logs in and lands on Runs');
  await page.click('main form button[type=submit]');
  await page.waitForFunction(() => /: done/.test(document.getElementById('job-status').innerText), {timeout: 60000});
  ok('CMS starts a run and watches its job to done');
  await page.waitForFunction(() => document.querySelectorAll('main tbody tr').length >= 2);
  await shot('cms-runs.png');
  await visit('#/diff?a=1&b=2', 'Diff of two runs');
  await shot('cms-diff.png');
  await visit('#/rules', 'Rule editor');
  await shot('cms-rules.png');
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
