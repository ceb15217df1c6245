// End-to-end in headless Chromium on a phone (issue #11): marks → finalise → scheduled publication.
// The teacher types the marks into the grid with the keyboard only (typing replaces, Enter moves
// down) and waits for the grid to say it saved; the admin finalises the assessment and schedules
// the publication on /admin/results for the next whole minute; until that instant the student and
// the guardian see nothing (the list is empty, the page is 404), from it both see the report card
// and download its PDF, whose text shows the student's name.
// Usage: node results_flow.mjs BASE_URL SETUP_JSON SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [base, setupFile, shots] = process.argv.slice(2);
const setup = JSON.parse(fs.readFileSync(setupFile, 'utf8'));
class Failure extends Error {}
const fail = (m) => { throw new Failure(m); };
const ok = (m) => console.log('ok: ' + m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PHONE = { width: 390, height: 844 };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const sessions = [];
const where = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };

async function fits(s, what) {
  await s.page.waitForLoadState('load');
  const r = await s.page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: window.innerWidth }));
  if (r.iw > PHONE.width || r.sw > r.iw)
    fail(`${what} (${where(s.page)}) scrolls sideways on a phone: scrollWidth ${r.sw}, innerWidth ${r.iw}`);
}

async function login(who, { username, password }) {
  // UTC: the admin's "local time" in the publish form is then the server's clock.
  const ctx = await browser.newContext({ viewport: PHONE, screen: PHONE, deviceScaleFactor: 2, isMobile: true,
                                         hasTouch: true, timezoneId: 'UTC', acceptDownloads: true });
  ctx.setDefaultTimeout(10000);
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(`console (${who}):`, m.text()); });
  const s = { ctx, page, who };
  sessions.push(s);
  await page.goto(base + '/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL(base + '/'), page.getByRole('button', { name: 'Log in' }).tap()]);
  return s;
}

// The list of results a student or guardian sees right now, and whether the page itself answers.
async function resultsNow(s) {
  const resp = await s.page.goto(base + '/results');
  if (resp.status() !== 200) fail(`${s.who}: /results answered ${resp.status()}`);
  const items = await s.page.locator('#results-list li.result-item').count();
  return items;
}

// Keeps the student's and the guardian's pages closed until the instant, then opens them.
async function seeResult(s, student, pub) {
  const link = s.page.locator('#results-list li.result-item a.result-link').filter({ hasText: student.full_name });
  await Promise.all([s.page.waitForNavigation(), link.tap()]);
  await fits(s, `${s.who}'s result page`);
  if (where(s.page) !== `/results/${pub}/students/${student.id}`) fail(`${s.who} landed on ${where(s.page)}`);
  const name = (await s.page.textContent('#report-card .rc-name')).trim();
  if (name !== student.full_name) fail(`${s.who}: the report card names ${name}`);
  const marks = await s.page.locator('#report-card td.rc-mark').allTextContents();
  if (!marks.some((m) => m.includes(student.mark.replace(/^abs$/, 'absent'))))
    fail(`${s.who}: the report card's marks are ${JSON.stringify(marks)}, expected ${student.mark}`);
  await s.page.screenshot({ path: `${shots}/result-${s.who}.png`, fullPage: true });
  const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.locator('#report-card a.rc-pdf').tap()]);
  const file = path.join(setup.work_dir, `${s.who}-report.pdf`);
  await download.saveAs(file);
  const head = fs.readFileSync(file).subarray(0, 5).toString('latin1');
  if (head !== '%PDF-') fail(`${s.who}: the download is not a PDF (${head})`);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString('utf8');
  if (!text.includes(student.full_name)) fail(`${s.who}: the PDF's text lacks ${student.full_name}: ${text.slice(0, 300)}`);
  ok(`${s.who} sees ${student.full_name}'s report card and PDF`);
}

try {
  const [anna, tom] = setup.students;

  // ---- The teacher types the marks (keyboard only) and the grid saves them.
  const t = await login('teacher', setup.teacher);
  await enterMarks(t);

  // ---- The admin finalises and schedules the publication for the next whole minute ≥ 20 s ahead.
  const a = await login('admin', setup.admin);
  await finalise(a);
  await Promise.all([a.page.waitForNavigation(), a.page.getByRole('link', { name: 'Results', exact: true }).first().tap()]);
  await fits(a, 'admin results page');
  const at = new Date(Math.ceil((Date.now() + 20000) / 60000) * 60000);
  const local = at.toISOString().slice(0, 16);  // UTC is the context's local time
  const form = a.page.locator('#publish-form');
  await form.locator('input[name=title]').fill('Autumn report');
  await form.locator('input[name=term_id]').fill(String(setup.term_id));
  await form.locator('input[name=class_id]').fill(String(setup.class_id));
  await form.locator('#visible-at').fill(local);
  await Promise.all([a.page.waitForNavigation(), form.getByRole('button', { name: 'Publish' }).tap()]);
  await fits(a, 'admin results page after publishing');
  const row = a.page.locator('#publications tr[data-publication]').first();
  const pub = await row.getAttribute('data-publication');
  for (let i = 0; ; ++i) {
    const status = (await a.page.locator(`tr[data-publication="${pub}"] td.pub-status`).textContent()).trim();
    if (/ready \(scheduled\)/.test(status)) break;
    if (/failed|withdrawn|visible/.test(status) || i > 60) fail('publication status: ' + status);
    await sleep(500);
    await a.page.reload();
  }
  ok(`publication ${pub} built, scheduled for ${at.toISOString()}`);

  // ---- Before the instant: nothing for the student or the guardian, and the page is 404.
  const st = await login('student', anna);
  const g = await login('guardian', setup.guardian);
  const pageUrl = `${base}/results/${pub}/students/${anna.id}`;
  if (Date.now() >= at.getTime() - 1000) fail('the build took until the scheduled instant; cannot check "not before"');
  for (const s of [st, g]) {
    if ((await resultsNow(s)) !== 0) fail(`${s.who} sees results before ${at.toISOString()}`);
    const r = await s.page.goto(pageUrl);
    if (r.status() !== 404) fail(`${s.who}: the result page answered ${r.status()} before the instant`);
  }
  ok('before the instant: no result listed, the page is 404');

  // ---- From the instant: both see it, within a couple of seconds of it.
  await sleep(Math.max(0, at.getTime() - Date.now() - 1500));
  for (const s of [st, g]) {
    let n = 0;
    while ((n = await resultsNow(s)) === 0 && Date.now() < at.getTime() + 5000) await sleep(250);
    if (n === 0) fail(`${s.who} still sees no result 5 s after ${at.toISOString()}`);
    const late = (Date.now() - at.getTime()) / 1000;
    if (late < 0) fail(`${s.who} saw the result ${-late} s before the instant`);
    ok(`${s.who} sees the result ${late.toFixed(1)} s after the instant`);
  }
  await seeResult(st, anna, pub);
  await seeResult(g, anna, pub);

  // Tom's result is not Anna's guardian's business.
  const other = await g.page.goto(`${base}/results/${pub}/students/${tom.id}`);
  if (other.status() !== 404) fail(`the guardian opened another child's result: ${other.status()}`);
  console.log('e2e results flow: passed');
} catch (e) {
  for (const [i, s] of sessions.entries())
    if (!s.page.isClosed()) await s.page.screenshot({ path: `${shots}/failed-${i}-${s.who}.png`, fullPage: true }).catch(() => {});
  console.error('FAIL: ' + (e instanceof Failure ? e.message : e.stack));
  process.exitCode = 1;
} finally {
  await browser.close();
}

// The marks grid (the marks helper's page, static/marks.js): keyboard only, then read back through
// the API that the values were stored.
async function enterMarks(t) {
  await Promise.all([t.page.waitForNavigation(), t.page.getByRole('link', { name: 'Marks', exact: true }).first().tap()]);
  await fits(t, 'marks list');
  await Promise.all([t.page.waitForNavigation(), t.page.getByRole('link', { name: setup.assessment_name }).first().tap()]);
  await t.page.waitForSelector('#marks-grid');
  await fits(t, 'marks grid');
  const order = await t.page.locator('#marks-grid tr[data-student]').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.student)));
  const byId = Object.fromEntries(setup.students.map((s) => [s.id, s]));
  if (order.length !== setup.students.length || !order.every((id) => byId[id])) fail('grid rows: ' + JSON.stringify(order));
  await t.page.locator(`input.mark[data-student="${order[0]}"]`).tap();
  for (const [i, id] of order.entries()) {
    if (i) await t.page.keyboard.press('Enter');  // down to the next student
    const focused = await t.page.evaluate(() => document.activeElement.getAttribute('data-student'));
    if (focused !== String(id)) fail(`the cursor is on ${focused}, expected ${id}`);
    await t.page.keyboard.type(byId[id].mark);
  }
  await t.page.waitForSelector('#save-state[data-state="saved"]', { timeout: 15000 });
  const stored = await t.page.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).json(),
                                       '/api/v1/assessments/' + setup.assessment_id);
  for (const st of stored.students) {
    const want = byId[st.student_id].mark === 'abs' ? 'absent' : byId[st.student_id].mark;
    if ((st.code || st.mark) !== want) fail(`stored mark of ${st.student_id}: ${st.code || st.mark}, expected ${want}`);
  }
  await t.page.screenshot({ path: `${shots}/marks-grid.png`, fullPage: true });
  ok('marks typed with the keyboard and saved');
}

// The admin finalises on the assessment's page: the marks lock.
async function finalise(a) {
  await a.page.goto(`${base}/marks/${setup.assessment_id}`);
  await fits(a, 'admin assessment page');
  await Promise.all([a.page.waitForNavigation(), a.page.locator('#finalise').tap()]);
  await a.page.waitForSelector('#reopen');
  if (!(await a.page.locator(`input.mark`).first().evaluate((e) => e.readOnly))) fail('final marks are editable');
  ok('the admin finalised the assessment');
}
