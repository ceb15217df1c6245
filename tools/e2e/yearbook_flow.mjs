// End-to-end in headless Chromium: the signature flow as people do it.
// A student logs in, uploads a phone photo through the page; it is compressed in the background;
// the teacher approves it on the review page; it appears on the class yearbook.
// Usage: node yearbook_flow.mjs BASE_URL SETUP_JSON PHOTO_FILE SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const [base, setupFile, photo, shots] = process.argv.slice(2);
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

  // Student uploads.
  const s = await login(setup.student.username, setup.student.password);
  await s.page.getByRole('link', { name: 'My photo' }).first().click();
  await s.page.getByLabel(/^Photo/).setInputFiles(photo);
  await s.page.getByLabel(/Yearbook quote/).fill('Per aspera ad astra');
  await s.page.getByRole('button', { name: 'Upload' }).click();
  await s.page.waitForSelector('text=being processed');
  // The page refreshes itself while processing; wait for the review notice.
  await s.page.waitForSelector('text=Waiting for a teacher', { timeout: 60000 });
  await s.page.screenshot({ path: `${shots}/1-student-uploaded.png`, fullPage: true });

  // A student cannot open the review page.
  const denied = await s.page.goto(base + '/moderation');
  if (denied.status() !== 403) fail('student reached /moderation: ' + denied.status());

  // Teacher approves.
  const t = await login(setup.teacher.username, setup.teacher.password);
  await t.page.goto(base + '/moderation');
  await t.page.waitForSelector(`text=${setup.student.full_name}`);
  const thumbOk = await t.page.$eval('article img', (img) => img.complete && img.naturalWidth > 0);
  if (!thumbOk) fail('review thumbnail did not load');
  await t.page.screenshot({ path: `${shots}/2-teacher-review.png`, fullPage: true });
  await t.page.getByRole('button', { name: 'Approve' }).first().click();
  await t.page.waitForSelector('text=Approved.');

  // The yearbook shows it, for the student too.
  for (const who of [t, s]) {
    await who.page.goto(`${base}/yearbook/${setup.class_id}`);
    const img = await who.page.waitForSelector(`img[alt*="${setup.student.full_name}"]`, { timeout: 10000 });
    const ok = await img.evaluate((el) => el.complete && el.naturalWidth > 0);
    if (!ok) fail('yearbook image did not load');
  }
  await s.page.screenshot({ path: `${shots}/3-yearbook.png`, fullPage: true });
  console.log('e2e yearbook flow: passed');
} finally {
  await browser.close();
}
