// End-to-end in headless Chromium: the signature flow as people do it.
// A student logs in, uploads a phone photo through the page (progress bar); its status goes live
// from processing to waiting to published; the teacher approves it on the review page (original
// and processed side by side, pending count in the navigation); the class yearbook, open in
// another browser context, shows it without a reload.
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

  // Nothing below may reload a page that is watched live: a reload would drop this mark.
  const mark = (page) => page.evaluate(() => { window.__sameDocument = true; });
  const stillSame = async (page, what) => {
    if (!(await page.evaluate(() => window.__sameDocument === true))) fail(what + ' was reloaded');
  };

  // Student uploads through the page: a progress bar, then the status goes live.
  const s = await login(setup.student.username, setup.student.password);
  await s.page.getByRole('link', { name: 'My photo' }).first().click();
  await mark(s.page);
  await s.page.getByLabel(/^Photo/).setInputFiles(photo);
  await s.page.getByLabel(/Yearbook quote/).fill('Per aspera ad astra');
  await s.page.getByRole('button', { name: 'Upload' }).click();
  await s.page.waitForSelector('[data-live-photo] [data-state="processing"]');
  await s.page.waitForSelector('[data-live-photo] [data-state="pending"]', { timeout: 60000 });
  const progress = await s.page.$eval('#upload-progress', (el) => el.value);
  if (progress !== 100) fail('upload progress ended at ' + progress);
  await stillSame(s.page, 'the photo page');
  await s.page.screenshot({ path: `${shots}/1-student-uploaded.png`, fullPage: true });

  // A student cannot open the review page.
  const other = await s.ctx.newPage();
  const denied = await other.goto(base + '/moderation');
  if (denied.status() !== 403) fail('student reached /moderation: ' + denied.status());
  await other.close();

  // The class yearbook, open in its own context before the approval: no photo yet.
  const y = await login(setup.student.username, setup.student.password);
  await y.page.goto(`${base}/yearbook/${setup.class_id}`);
  await mark(y.page);
  if (await y.page.$(`img[alt*="${setup.student.full_name}"]`)) fail('photo shown before approval');

  // Teacher approves, in another context: original and processed side by side.
  const t = await login(setup.teacher.username, setup.teacher.password);
  const badge = await t.page.textContent('nav a[href="/moderation"]');
  if (!/Photo review\s*1/.test(badge)) fail('no pending count in the navigation: ' + badge);
  await t.page.goto(base + '/moderation');
  await t.page.waitForSelector(`text=${setup.student.full_name}`);
  for (const sel of ['article picture img', 'article img[src$="/original"]']) {
    const ok = await t.page.$eval(sel, (img) => img.complete && img.naturalWidth > 0);
    if (!ok) fail('review image did not load: ' + sel);
  }
  await t.page.screenshot({ path: `${shots}/2-teacher-review.png`, fullPage: true });
  await t.page.getByRole('button', { name: 'Approve', exact: true }).first().click();
  await t.page.waitForSelector('text=Approved.');

  // The open yearbook shows the photo without a reload; the student's status says published.
  const img = await y.page.waitForSelector(`img[alt*="${setup.student.full_name}"]`, { timeout: 15000 });
  await stillSame(y.page, 'the yearbook page');
  await y.page.waitForFunction((el) => el.complete && el.naturalWidth > 0, img);
  if (!(await y.page.$('picture source[type="image/webp"]'))) fail('no WebP source in the yearbook');
  await s.page.waitForSelector('[data-live-photo] [data-state="published"]', { timeout: 15000 });
  await stillSame(s.page, 'the photo page');

  // The yearbook shows it, for the teacher too.
  await t.page.goto(`${base}/yearbook/${setup.class_id}`);
  const timg = await t.page.waitForSelector(`img[alt*="${setup.student.full_name}"]`, { timeout: 10000 });
  // The yearbook's images are loading="lazy", so the page's load event does not wait for them:
  // wait for this one rather than test it once (a busy CI machine lost that race).
  await t.page
    .waitForFunction((el) => el.complete && el.naturalWidth > 0, timg, { timeout: 15000 })
    .catch(() => fail('yearbook image did not load'));
  await y.page.screenshot({ path: `${shots}/3-yearbook.png`, fullPage: true });
  console.log('e2e yearbook flow: passed');
} finally {
  await browser.close();
}
