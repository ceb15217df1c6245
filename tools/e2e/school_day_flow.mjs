// End-to-end in headless Chromium on a phone (issue #10): the school day as people do it.
// The admin sets the school up through the pages, following the setup checklist on the home page
// until it is empty (each item must disappear when its fix is done, and only then); the students
// and guardians come from a CSV import whose dry run is read first. The teacher taps one absence
// into the register; the guardian's email arrives at the SMTP sink and the absence shows on the
// child's page; a notice to one class reaches that class's students and not the other's.
// Every page visited must fit the phone's width (no horizontal scroll).
// Usage: node school_day_flow.mjs BASE_URL SETUP_JSON SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [base, setupFile, shots] = process.argv.slice(2);
const setup = JSON.parse(fs.readFileSync(setupFile, 'utf8'));
// A failed check throws: the catch below screenshots every open page, then the process fails.
class Failure extends Error {}
const fail = (m) => { throw new Failure(m); };
const ok = (m) => console.log('ok: ' + m);

const PHONE = { width: 390, height: 844 };
const iso = (d) => d.toISOString().slice(0, 10);
const now = new Date();
const today = iso(now);
const plusDays = (n) => iso(new Date(now.getTime() + n * 86400000));
const yearStart = plusDays(-90), yearEnd = plusDays(270);
const calYear = yearStart.slice(0, 4);
const weekday = now.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });

// Two classes; a non-Latin name on the absent student (the email's subject is encoded).
const STUDENTS = [
  { username: 'anna.p', adm: 'A001', name: 'Анна Петрова', cls: '7A',
    guardian: { username: 'olga.p', name: 'Ольга Петрова', email: 'olga@family.test' } },
  { username: 'tom.w', adm: 'A002', name: 'Tom Walker', cls: '7A',
    guardian: { username: 'sue.w', name: 'Sue Walker', email: 'sue@family.test' } },
  { username: 'li.n', adm: 'B001', name: 'Li Na', cls: '7B',
    guardian: { username: 'wei.n', name: 'Wei Na', email: 'wei@family.test' } },
];
const absent = STUDENTS[0];
const TEACHER = { username: 'ms.okafor', name: 'Ms Okafor' };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Every main-frame navigation is recorded; each must have been checked by fits() by the end.
const visited = new Map(), checked = new Set();
const sessions = [];  // for screenshots when something fails
let shotNo = 0;
const where = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };

async function phone(who) {
  const ctx = await browser.newContext({ viewport: PHONE, screen: PHONE, deviceScaleFactor: 2,
                                         isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10000);
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(`console (${who}):`, m.text()); });
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) visited.set(`${who} ${where(page)}`, true);
  });
  const s = { ctx, page, who };
  sessions.push(s);
  return s;
}

// The page fits a phone: nothing wider than the viewport (a wider page would scroll sideways, or
// Chromium's mobile layout would zoom out and widen the layout viewport).
async function fits(s, what) {
  await s.page.waitForLoadState('load');
  const r = await s.page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: window.innerWidth,
                                           vp: !!document.querySelector('meta[name=viewport]') }));
  if (!r.vp) fail(`${what} (${where(s.page)}): no viewport meta`);
  if (r.iw > PHONE.width || r.sw > r.iw) {
    await s.page.screenshot({ path: `${shots}/overflow-${++shotNo}.png`, fullPage: true });
    fail(`${what} (${where(s.page)}) scrolls sideways on a phone: scrollWidth ${r.sw}, innerWidth ${r.iw}`);
  }
  checked.add(`${s.who} ${where(s.page)}`);
}

async function expectStatus(resp, what) {
  if (!resp) return;
  if (resp.status() >= 400) fail(`${what}: HTTP ${resp.status()} at ${resp.url()}`);
}

// Taps a link or button and waits for the page it leads to.
async function tapTo(s, locator, what) {
  const [resp] = await Promise.all([s.page.waitForNavigation(), locator.tap()]);
  await expectStatus(resp, what);
  await fits(s, what);
}

async function login(who, username, password) {
  const s = await phone(who);
  await expectStatus(await s.page.goto(base + '/login'), 'login page');
  await fits(s, 'login page');
  await s.page.getByLabel('Username').fill(username);
  await s.page.getByLabel('Password').fill(password);
  await tapTo(s, s.page.getByRole('button', { name: 'Log in' }), `${who} logs in`);
  if (where(s.page) !== '/') fail(`${who} did not reach the home page after login: ${where(s.page)}`);
  return s;
}

async function home(s) {
  await expectStatus(await s.page.goto(base + '/'), 'home');
  await fits(s, 'home');
}

// The setup checklist on the admin's home page: [{text, href}], [] when the section is gone.
async function checklist(s) {
  await home(s);
  if (!(await s.page.$('#setup-h'))) return [];
  return s.page.$$eval('#setup-h ~ ul.checklist li a',
                       (as) => as.map((a) => ({ text: a.textContent.trim(), href: a.getAttribute('href') })));
}
const has = (items, re) => items.some((i) => re.test(i.text));
function expectItems(items, present, gone, step) {
  for (const re of present) if (!has(items, re)) fail(`${step}: checklist lacks ${re} (has ${JSON.stringify(items)})`);
  for (const re of gone) if (has(items, re)) fail(`${step}: checklist still shows ${re} (has ${JSON.stringify(items)})`);
}
async function tapChecklistItem(s, re, what) {
  const link = s.page.locator('ul.checklist li a').filter({ hasText: re }).first();
  await tapTo(s, link, what);
}

// The SMTP sink's messages: {to, subject, body} with the quoted-printable body and the encoded-word
// subject decoded.
function qp(text) {
  const bytes = [];
  const t = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < t.length; ++i) {
    if (t[i] === '=' && /^[0-9A-F]{2}$/i.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(t[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
function mails() {
  if (!fs.existsSync(setup.mail_dir)) return [];
  return fs.readdirSync(setup.mail_dir).filter((f) => f.endsWith('.eml')).sort().map((f) => {
    const meta = JSON.parse(fs.readFileSync(path.join(setup.mail_dir, f.replace(/\.eml$/, '.json')), 'utf8'));
    const raw = fs.readFileSync(path.join(setup.mail_dir, f), 'latin1');
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
    const subj = (head.match(/^Subject: (.*)$/m) || [, ''])[1]
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
    return { to: meta.to, subject: subj, body: qp(Buffer.from(raw.slice(split + 4), 'latin1').toString('utf8')) };
  });
}

try {
  // ---- The admin, on a phone, from an empty school.
  const a = await login('admin', setup.admin.username, setup.admin.password);
  let items = await checklist(a);
  expectItems(items, [/no current academic year/], [], 'empty school');
  ok('an empty school: the checklist asks for a current year');

  // Year: through the checklist's own link.
  await tapChecklistItem(a, /no current academic year/, 'checklist → years');
  if (!where(a.page).startsWith('/years')) fail('the year item links to ' + where(a.page));
  await a.page.getByLabel('Starts in (calendar year)').fill(calYear);
  await a.page.getByLabel('Name', { exact: true }).fill(`${calYear}/${Number(calYear.slice(2)) + 1}`);
  await a.page.getByLabel('First day').fill(yearStart);
  await a.page.getByLabel('Last day').fill(yearEnd);
  await tapTo(a, a.page.getByRole('button', { name: 'Create year' }), 'create year');
  items = await checklist(a);
  expectItems(items, [/No term of .* covers today/], [/no current academic year/], 'after the year');
  ok('year created: its item is gone, the term item appears');

  // Term covering today: the item links to the year's page.
  await tapChecklistItem(a, /No term of/, 'checklist → year page');
  if (!/^\/years\/\d+/.test(where(a.page))) fail('the term item links to ' + where(a.page));
  await a.page.getByLabel('New term').fill('Autumn');
  const termForm = a.page.locator('form[action$="/terms"]');
  await termForm.getByLabel('From').fill(plusDays(-30));
  await termForm.getByLabel('To').fill(plusDays(40));
  await tapTo(a, a.page.getByRole('button', { name: 'Add term' }), 'add term');
  items = await checklist(a);
  expectItems(items, [/has no classes yet/], [/No term of/], 'after the term');
  ok('term created: its item is gone, the classes item appears');

  // Subjects.
  await tapTo(a, a.page.getByRole('link', { name: /^Subjects/ }).last(), 'home → subjects');
  for (const [name, code] of [['Mathematics', 'MATH'], ['History', 'HIST']]) {
    await a.page.getByLabel('Name', { exact: true }).fill(name);
    await a.page.getByLabel('Code (optional)').fill(code);
    await tapTo(a, a.page.getByRole('button', { name: 'Create subject' }), 'create subject ' + name);
  }

  // Two classes, through the checklist's link.
  await home(a);
  await tapChecklistItem(a, /has no classes yet/, 'checklist → classes');
  for (const cls of ['7A', '7B']) {
    const details = a.page.locator('details', { hasText: 'Create a class' });
    if (!(await details.evaluate((d) => d.open))) await details.locator('summary').tap();
    await a.page.getByLabel('Name', { exact: true }).fill(cls);
    await a.page.getByLabel('Year', { exact: true }).fill(calYear);
    await tapTo(a, a.page.getByRole('button', { name: 'Create', exact: true }), 'create class ' + cls);
    if (where(a.page) !== '/classes') await tapTo(a, a.page.getByRole('link', { name: 'Classes' }).first(), 'to classes');
  }
  items = await checklist(a);
  expectItems(items,
              [/No teacher is assigned to class 7A/, /No teacher is assigned to class 7B/,
               /No students are enrolled in class 7A/, /No students are enrolled in class 7B/,
               /Nobody teaches subject Mathematics/, /Nobody teaches subject History/, /No timetable yet/],
              [/has no classes yet/], 'after the classes');
  ok('classes created: teacher, student, subject and timetable items appear');

  // A teacher account (its password is shown once, on the page).
  await tapTo(a, a.page.getByRole('link', { name: /^Users/ }).last(), 'home → users');
  const newUser = a.page.locator('details', { hasText: 'Create a user' });
  if (!(await newUser.evaluate((d) => d.open))) await newUser.locator('summary').tap();
  await a.page.getByLabel('Username').fill(TEACHER.username);
  await a.page.getByLabel('Full name').fill(TEACHER.name);
  await a.page.getByLabel('Role').selectOption('teacher');
  await tapTo(a, a.page.getByRole('button', { name: 'Create', exact: true }), 'create teacher');
  TEACHER.password = (await a.page.textContent('[role=status] code.secret')).trim();
  if (TEACHER.password.length < 8) fail('no teacher password shown: ' + TEACHER.password);

  // The teacher teaches Mathematics in 7A and History in 7B: each from its checklist item.
  for (const [cls, subject] of [['7A', 'Mathematics'], ['7B', 'History']]) {
    await home(a);
    await tapChecklistItem(a, new RegExp(`No teacher is assigned to class ${cls}$`), 'checklist → class ' + cls);
    await a.page.getByLabel('Teacher (username)').fill(TEACHER.username);
    await a.page.getByLabel('Subject').selectOption({ label: subject });
    await tapTo(a, a.page.getByRole('button', { name: 'Assign teacher' }), `assign teacher to ${cls}`);
  }
  items = await checklist(a);
  expectItems(items, [/No students are enrolled in class 7A/, /No timetable yet/],
              [/No teacher is assigned/, /Nobody teaches subject/], 'after the teachers');
  ok('teacher assigned: class-teacher and subject items are gone');

  // Students with guardians: CSV import, dry run first.
  await tapTo(a, a.page.getByRole('link', { name: /^Import/ }).last(), 'home → import');
  const studentsTab = a.page.getByRole('link', { name: /^Students/ });
  if (await studentsTab.count()) await tapTo(a, studentsTab.first(), 'import → students');
  const csv = ['username,admission_no,full_name,class_name,year,guardian_username,guardian_full_name,guardian_email']
    .concat(STUDENTS.map((s) => [s.username, s.adm, s.name, s.cls, calYear, s.guardian.username, s.guardian.name,
                                 s.guardian.email].join(','))).join('\n') + '\n';
  await a.page.getByLabel('or paste the CSV').fill(csv);
  await tapTo(a, a.page.getByRole('button', { name: 'Check (dry run)' }), 'import dry run');
  const dry = a.page.locator('section[aria-live]');
  const dryHead = (await dry.locator('h2').textContent()).trim();
  if (dryHead !== 'Dry run: nothing was written') fail('dry-run heading: ' + dryHead);
  const totals = (await dry.locator('p').first().textContent()).replace(/\s+/g, ' ').trim();
  if (!new RegExp(`^${STUDENTS.length} created · 0 updated · 0 unchanged · 0 with errors$`).test(totals))
    fail('dry-run totals: ' + totals);
  const rows = await dry.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  if (rows.length !== STUDENTS.length) fail('dry-run rows: ' + JSON.stringify(rows));
  for (const [i, s] of STUDENTS.entries()) {
    const r = rows[i];
    if (r[0] !== String(i + 2) || r[1] !== s.username || r[2] !== 'created' ||
        !r[3].includes(`enrolled in ${s.cls}`) || !r[3].includes(`guardian ${s.guardian.username} created`))
      fail(`dry-run row for ${s.username}: ${JSON.stringify(r)}`);
  }
  if (await dry.locator('code.secret').count()) fail('the dry run showed passwords');
  // Nothing was written: in another tab, the checklist still misses the students.
  const a2 = { ctx: a.ctx, page: await a.ctx.newPage(), who: 'admin' };
  a2.page.on('framenavigated', (f) => { if (f === a2.page.mainFrame()) visited.set(`admin ${where(a2.page)}`, true); });
  items = await checklist(a2);
  expectItems(items, [/No students are enrolled in class 7A/, /No students are enrolled in class 7B/], [],
              'after the dry run');
  await a2.page.close();
  ok(`dry run read: ${totals}; nothing written`);

  await tapTo(a, a.page.getByRole('button', { name: 'Import for real' }), 'import commit');
  const done = a.page.locator('section[aria-live]');
  if ((await done.locator('h2').textContent()).trim() !== 'Imported') fail('the import did not commit');
  const accounts = await done.locator('[role=status] li').evaluateAll((lis) => lis.map((li) => li.textContent.trim()));
  const password = {};
  for (const line of accounts) {
    const m = line.match(/^(\S+) \((\w+)\): (\S+)$/);
    if (m) password[m[1]] = m[3];
  }
  for (const s of STUDENTS)
    for (const u of [s.username, s.guardian.username])
      if (!password[u]) fail(`no password shown for ${u}: ${JSON.stringify(accounts)}`);
  ok(`imported ${STUDENTS.length} students and their guardians`);

  // A timetable: one period and today's lesson for 7A (7B has none today).
  items = await checklist(a);
  expectItems(items, [/No timetable yet/], [/No students are enrolled/], 'after the import');
  await tapChecklistItem(a, /No timetable yet/, 'checklist → timetable');
  await a.page.locator('#pn').fill('Period 1');
  await a.page.locator('#ps').fill('08:30');
  await a.page.locator('#pe').fill('09:15');
  await tapTo(a, a.page.getByRole('button', { name: 'Add period' }), 'add period');
  await a.page.getByLabel('Class').selectOption({ label: `7A (${calYear})` });
  await a.page.getByLabel('Day').selectOption({ label: weekday });
  await a.page.getByLabel('Period').selectOption({ index: 0 });
  await a.page.getByLabel('Subject').selectOption({ label: 'Mathematics' });
  await a.page.getByLabel('Teacher (username)').fill(TEACHER.username);
  await tapTo(a, a.page.getByRole('button', { name: 'Add lesson' }), 'add lesson');
  items = await checklist(a);
  if (items.length) fail('the checklist is not empty: ' + JSON.stringify(items));
  await a.page.screenshot({ path: `${shots}/1-admin-home-ready.png`, fullPage: true });
  ok('the checklist is empty');

  // ---- The teacher takes today's registers: 7A's lesson, with one absence tapped in.
  const t = await login('teacher', TEACHER.username, TEACHER.password);
  await tapTo(t, t.page.getByRole('link', { name: 'Registers', exact: true }), 'teacher → registers today');
  const lesson = t.page.locator('ul.todo li').filter({ hasText: '7A' });
  if ((await lesson.count()) !== 1) fail('registers today for 7A: ' + (await t.page.locator('ul.todo').textContent()));
  if (!/Mathematics|Period 1/.test(await lesson.textContent())) fail('the 7A lesson is not named: ' + (await lesson.textContent()));
  await tapTo(t, lesson.getByRole('link', { name: /7A/ }), 'teacher opens the 7A register');
  const row = (s) => t.page.locator('ul.reg li').filter({ hasText: s.name });
  for (const s of STUDENTS.filter((x) => x.cls === '7A'))
    if (!(await row(s).getByRole('radio', { name: 'Present' }).isChecked())) fail(`${s.name} is not present by default`);
  await row(absent).getByText('Absent', { exact: true }).tap();
  if (!(await row(absent).getByRole('radio', { name: 'Absent' }).isChecked())) fail('the tap did not mark the absence');
  await t.page.screenshot({ path: `${shots}/2-register.png`, fullPage: true });
  await tapTo(t, t.page.getByRole('button', { name: 'Save register' }), 'save register');
  if (!/Register saved/.test(await t.page.textContent('main'))) fail('no "Register saved." after saving');
  const after = t.page.locator('ul.todo li').filter({ hasText: '7A' });
  if (!/\btaken\b/.test(await after.locator('.tag').textContent()) || (await after.locator('.tag-due').count()))
    fail('the 7A lesson is still "not taken" after its register was saved: ' + (await after.textContent()));
  ok(`register saved with ${absent.name} absent; the lesson is ticked off`);

  // ---- The guardian's email at the SMTP sink: one, to the absent student's guardian only.
  let got = [];
  for (let i = 0; i < 200 && got.length === 0; ++i) {
    got = mails();
    if (!got.length) await new Promise((r) => setTimeout(r, 100));
  }
  if (!got.length) fail('no absence email arrived within 20 s');
  await new Promise((r) => setTimeout(r, 1500));  // time for a duplicate or a stray email to show
  got = mails();
  if (got.length !== 1) fail('expected one email, got ' + JSON.stringify(got.map((m) => [m.to, m.subject])));
  const mail = got[0];
  if (JSON.stringify(mail.to) !== JSON.stringify([absent.guardian.email])) fail('the email went to ' + mail.to);
  if (mail.subject !== `${absent.name} was absent on ${today}`) fail('email subject: ' + mail.subject);
  if (!mail.body.includes(`Hello ${absent.guardian.name}`) || !mail.body.includes(`in 7A on ${today}`))
    fail('email body: ' + mail.body);
  ok(`email to ${mail.to[0]}: "${mail.subject}"`);

  // ---- The guardian sees it on the child's page.
  const g = await login('guardian', absent.guardian.username, password[absent.guardian.username]);
  await tapTo(g, g.page.getByRole('link', { name: 'Attendance' }).first(), 'guardian → attendance');
  await tapTo(g, g.page.getByRole('link', { name: absent.name }), 'guardian → child page');
  const marks = await g.page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  if (!marks.some((r) => r[0] === today && r[1] === 'Absent')) fail('the child page lacks the absence: ' + JSON.stringify(marks));
  await g.page.screenshot({ path: `${shots}/3-guardian-child.png`, fullPage: true });
  ok('the guardian sees the absence on the child page');

  // ---- A notice to 7A: its students see it, 7B's do not.
  await tapTo(t, t.page.getByRole('link', { name: /^Notices/ }).first(), 'teacher → notices');
  await tapTo(t, t.page.getByRole('link', { name: /Write a notice|New notice/ }).first(), 'teacher → new notice');
  const title = 'Museum trip on Friday';
  await t.page.getByLabel('Title').fill(title);
  await t.page.getByLabel('Text').fill('Bring a packed lunch.');
  await t.page.getByText(`7A (${calYear})`, { exact: true }).tap();  // the label: a finger-sized target
  if (!(await t.page.getByRole('checkbox', { name: `7A (${calYear})` }).isChecked())) fail('7A is not ticked');
  if (await t.page.getByRole('checkbox', { name: `7B (${calYear})` }).isChecked()) fail('7B is ticked');
  await tapTo(t, t.page.getByRole('button', { name: 'Publish' }), 'publish notice');
  for (const s of STUDENTS.filter((x) => x.username !== 'tom.w')) {
    const st = await login('student ' + s.username, s.username, password[s.username]);
    const text = await st.page.textContent('section.notices');
    const sees = text.includes(title);
    if (s.cls === '7A' && !sees) fail(`${s.name} (7A) does not see the notice: ${text}`);
    if (s.cls !== '7A' && sees) fail(`${s.name} (${s.cls}) sees 7A's notice`);
    if (s.cls === '7A') {
      await tapTo(st, st.page.getByRole('link', { name: title }), 'student opens the notice');
      await st.page.screenshot({ path: `${shots}/4-student-notice.png`, fullPage: true });
    }
    await st.ctx.close();
  }
  ok("the notice reaches 7A's students and not 7B's");

  const unchecked = [...visited.keys()].filter((k) => !checked.has(k));
  if (unchecked.length) fail('pages visited but not checked for width: ' + unchecked.join(', '));
  ok(`${checked.size} pages fit a ${PHONE.width}px phone`);
  console.log('e2e school day flow: passed');
} catch (e) {
  for (const [i, s] of sessions.entries())
    if (!s.page.isClosed()) await s.page.screenshot({ path: `${shots}/failed-${i}-${s.who}.png`, fullPage: true }).catch(() => {});
  console.error('FAIL: ' + (e instanceof Failure ? e.message : e.stack));
  process.exitCode = 1;
} finally {
  await browser.close();
}
