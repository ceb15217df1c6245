// The marks grid in headless Chromium on a phone-sized viewport: the teacher types marks with the
// keyboard (Enter moves down, a = absent, x = exempt), a wrong value is flagged and not saved, a
// column pasted from a spreadsheet fills the cells downwards, a failed save keeps what was typed
// and retries, and the admin's Finalise locks the cells. Every saved value is read back through
// the API, not from the page.
// Usage: node marks_grid.mjs BASE_URL SETUP_JSON SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const [base, setupFile, shots] = process.argv.slice(2);
const setup = JSON.parse(fs.readFileSync(setupFile, 'utf8'));
const fail = (m) => { console.error('FAIL: ' + m); process.exit(1); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  async function login(username, password) {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });  // a phone
    const page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()); });
    await page.goto(base + '/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(base + '/');
    return { ctx, page };
  }
  // The stored marks, by student id, as the API reports them ("15.5", "absent", "exempt", null).
  async function stored(page) {
    const j = await page.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).json(),
      '/api/v1/assessments/' + setup.assessment_id);
    const out = {};
    for (const s of j.students) out[s.student_id] = s.code || s.mark;
    return out;
  }
  const saved = (page) => page.waitForSelector('#save-state[data-state="saved"]', { timeout: 15000 });
  const expectStored = async (page, want, what) => {
    const got = await stored(page);
    for (const [sid, v] of Object.entries(want))
      if (got[sid] !== v) fail(`${what}: student ${sid} has ${got[sid]}, expected ${v}`);
  };
  const [a, b, c] = setup.students;  // in the grid's order (by full name)
  const cell = (sid) => `input.mark[data-student="${sid}"]`;

  const t = await login(setup.teacher.username, setup.teacher.password);
  await t.page.getByRole('link', { name: 'Marks' }).first().click();
  await t.page.getByRole('link', { name: setup.assessment_name }).click();
  await t.page.waitForSelector('#marks-grid');

  // Keyboard: type, Enter to the next student; codes a and x.
  await t.page.click(cell(a));
  await t.page.keyboard.type('15.5');
  await t.page.keyboard.press('Enter');
  await t.page.keyboard.type('a');
  await t.page.keyboard.press('Enter');
  await t.page.keyboard.type('x');
  if (await t.page.evaluate(() => document.activeElement.getAttribute('data-student')) !== String(c))
    fail('Enter did not move down the column');
  await saved(t.page);
  await expectStored(t.page, { [a]: '15.5', [b]: 'absent', [c]: 'exempt' }, 'typed marks');
  // The server's figures come back into the row.
  const grade = await t.page.$eval(`tr[data-student="${a}"] .grade`, (e) => e.textContent);
  if (grade !== 'B') fail('grade after save: ' + grade);

  // Arrow up and typing replaces; above the maximum is flagged and not sent.
  await t.page.keyboard.press('ArrowUp');
  await t.page.keyboard.press('ArrowUp');
  await t.page.keyboard.type('25');
  await t.page.waitForSelector(`${cell(a)}[aria-invalid="true"]`);
  await t.page.waitForSelector('#save-state[data-state="error"]');
  await t.page.waitForTimeout(1200);
  await expectStored(t.page, { [a]: '15.5' }, 'an invalid mark must not be saved');
  await t.page.fill(cell(a), '19');
  await saved(t.page);
  await expectStored(t.page, { [a]: '19' }, 'corrected mark');

  // A column pasted from a spreadsheet, from the focused cell down (decimal comma too).
  await t.page.click(cell(a));
  await t.page.evaluate((sel) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', '12\r\n13,5\r\n14\r\n');
    document.querySelector(sel).dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, cell(a));
  await saved(t.page);
  await expectStored(t.page, { [a]: '12', [b]: '13.5', [c]: '14' }, 'pasted column');

  // A failed save: the typed value stays, the state says so, and it is sent again.
  let failures = 0;
  await t.page.route('**/api/v1/assessments/*/marks', (route) => {
    failures++;
    return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"database away"}}' });
  });
  await t.page.fill(cell(b), '9.25');
  await t.page.waitForSelector('#save-state[data-state="error"]', { timeout: 10000 });
  if (failures < 1) fail('no save was attempted');
  if (await t.page.inputValue(cell(b)) !== '9.25') fail('the typed value was lost on failure');
  await t.page.unroute('**/api/v1/assessments/*/marks');
  await saved(t.page);  // the retry, about 5 s later
  await expectStored(t.page, { [b]: '9.25' }, 'value saved after the retry');

  // A phone: the page itself does not scroll sideways.
  const wide = await t.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (wide > 0) fail(`the page is ${wide}px wider than the phone`);
  await t.page.screenshot({ path: `${shots}/marks-grid-teacher.png`, fullPage: true });

  // The admin finalises; the teacher's cells are then read-only and the API refuses changes.
  const adm = await login(setup.admin.username, setup.admin.password);
  await adm.page.goto(base + '/marks/' + setup.assessment_id);
  await adm.page.click('#finalise');
  await adm.page.waitForSelector('#reopen');
  await t.page.reload();
  if (!(await t.page.$eval(cell(a), (e) => e.readOnly))) fail('a final assessment is still editable');
  const put = await t.page.evaluate(async ([u, csrf, sid]) => (await fetch(u, {
    method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify({ marks: [{ student_id: sid, mark: '1' }] }) })).status,
    ['/api/v1/assessments/' + setup.assessment_id + '/marks', await t.page.$eval('#marks-grid', (e) => e.dataset.csrf), a]);
  if (put !== 409) fail('PUT on a final assessment answered ' + put);
  await t.page.screenshot({ path: `${shots}/marks-grid-final.png`, fullPage: true });
  console.log('ok');
} finally {
  await browser.close();
}
