// The /admin page in Chromium on the built server: an admin (made by the built `admin:grant` command, as a deployment
// makes its first one) searches the users, opens one, disables them through the in-page confirmation and the
// "Confirm it's you" step-up, and sees the audit row in the user's trail; the disabled user's next sign-in is refused.
// The audit log filtered by event and user; a course's learners sorted by progress, searched, and their CSV; an
// instructor sees users and learners but no controls; an admin resets a user's MFA from the drawer. A student is
// sent home.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { generate } from 'otplib';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { newWatchedPage, ROOT, shot, uniqueEmail, useBrowserSuite, waitForHydration } from './harness';

const PASSWORD = 'Analytical#Engine1';
const ADMIN_EMAIL = uniqueEmail('admin');
// Several page loads, a step-up and a drawer per flow: more than the default 30 s on a busy machine.
const FLOW_TIMEOUT = 120_000;

const suite = useBrowserSuite();

/** `npm run admin:grant -- <email>` after its build: the built CLI on the server's database. */
async function grantAdmin(email: string) {
  const { stdout } = await promisify(execFile)(process.execPath, ['api/dist/admin-grant-cli.js', email], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ENVIRONMENT: 'test',
      DATABASE_URL: suite.server.databaseUrl,
      JWT_SECRET_KEY: 'e2e-secret-key-that-is-at-least-32-bytes-long!',
    },
  });
  expect(stdout).toContain(`${email}: is now an admin`);
}

const newPage = (viewport?: { width: number; height: number }) => newWatchedPage(suite, viewport);

/** A call to the API as a script would make it; answers the status and the JSON body (if any). */
async function call(path: string, init: { method?: string; token?: string; json?: unknown } = {}) {
  const response = await fetch(`${suite.server.url}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: the answers of several routes, read field by field below
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
}

/** Signs up; answers the new user's id. */
async function createAccount(email: string, fullName: string): Promise<string> {
  const response = await call('/api/v1/auth/signup', { json: { email, full_name: fullName, password: PASSWORD } });
  expect(response.status).toBe(201);
  return response.body.id;
}

/** A password sign-in through the API, stepped up (as /auth/reauthenticate does) when `stepUp` is set. */
async function apiSession(email: string, { stepUp = false } = {}): Promise<string> {
  const login = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  const token: string = login.body.access_token;
  if (stepUp) {
    const confirmed = await call('/api/v1/auth/reauthenticate', { token, json: { password: PASSWORD } });
    expect(confirmed.status).toBe(204);
  }
  return token;
}

/** The first admin of this suite's server, made once by the built CLI. */
let firstAdmin: Promise<void> | undefined;
function ensureAdmin() {
  firstAdmin ??= (async () => {
    await createAccount(ADMIN_EMAIL, 'Ada Admin');
    await grantAdmin(ADMIN_EMAIL);
  })();
  return firstAdmin;
}

/** The in-page confirmation (role=alertdialog) the admin area asks before a change. */
const confirmation = (page: Page, name: string | RegExp) => page.getByRole('alertdialog', { name });

async function expectFocused(locator: Locator) {
  await expect.poll(() => locator.evaluate((element) => element === document.activeElement)).toBe(true);
}

async function signIn(page: Page, email: string) {
  await page.goto('/signin/');
  await waitForHydration(page);
  const dialog = page.getByRole('dialog', { name: 'Welcome back' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/dashboard');
}

describe('/admin in Chromium', () => {
  test(
    'an admin searches, opens a user, disables them with step-up and sees the audit row',
    async () => {
      await ensureAdmin();
      const targetEmail = uniqueEmail('grace_hopper');
      await createAccount(targetEmail, 'Grace Hopper');
      // Someone the search must leave out.
      await createAccount(uniqueEmail('alan'), 'Alan Turing');

      const { page, errors } = await newPage();
      // The confirmations are in the page, never the browser's own confirm() (which a test, and a screen reader
      // user, meets as a blocking native prompt): any native dialog is refused and remembered.
      const nativeDialogs: string[] = [];
      page.on('dialog', (dialog) => {
        nativeDialogs.push(dialog.message());
        dialog.dismiss().catch(() => {});
      });
      await signIn(page, ADMIN_EMAIL);
      await page.goto('/admin/');
      await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      const users = page.getByRole('region', { name: 'Users' });
      await users.getByRole('button', { name: /Alan Turing/ }).waitFor();
      await shot(page, 'admin-users-1440');

      // "grace_hopper" holds a "_", which the search takes literally.
      await users.getByRole('searchbox', { name: 'Search by email or name' }).fill('grace_HOPPER');
      await users.getByRole('button', { name: 'Search', exact: true }).click();
      await users.getByRole('button', { name: /Alan Turing/ }).waitFor({ state: 'detached' });
      const row = users.getByRole('button', { name: /Grace Hopper/ });
      expect(await row.count()).toBe(1);

      await row.click();
      const drawer = page.getByRole('dialog', { name: 'Grace Hopper' });
      await drawer.getByText(targetEmail).first().waitFor();
      await drawer.getByRole('heading', { name: 'Audit trail' }).waitFor();
      await shot(page, 'admin-drawer-1440');

      await drawer.getByLabel('Reason for disabling (shown to admins)').fill('Shared their password');
      const disable = drawer.getByRole('button', { name: 'Disable account' });
      await disable.click();
      // The confirmation: named by its question, described by what follows, focus on the harmless choice. Escape
      // answers no: nothing is sent, the drawer stays open and focus goes back to the button.
      const ask = confirmation(page, `Disable ${targetEmail}?`);
      await ask.waitFor();
      expect(await ask.getAttribute('aria-describedby')).toBeTruthy();
      expect(await ask.getByText('Every session ends now').count()).toBe(1);
      await expectFocused(ask.getByRole('button', { name: 'Cancel' }));
      await shot(page, 'admin-confirm-1440');
      await page.keyboard.press('Escape');
      await ask.waitFor({ state: 'hidden' });
      expect(await drawer.isVisible()).toBe(true);
      await expectFocused(disable);
      expect(errors.failures).toEqual([]);
      // Tab stays inside the open confirmation (the drawer and the page behind are inert).
      await disable.click();
      await ask.waitFor();
      for (let i = 0; i < 4; i += 1) {
        await page.keyboard.press('Tab');
        expect(await ask.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);
      }
      await ask.getByRole('button', { name: 'Disable account' }).click();
      await ask.waitFor({ state: 'hidden' });
      // No step-up yet in this session: the API asks for one and the shared dialog opens above the drawer.
      const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
      await stepUp.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await shot(page, 'admin-step-up-1440');
      await stepUp.getByRole('button', { name: 'Confirm' }).click();
      await stepUp.waitFor({ state: 'hidden' });

      await drawer.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await drawer.getByText('Shared their password').waitFor();
      expect(await drawer.getByRole('button', { name: 'Enable account' }).count()).toBe(1);
      // The audit row, in words, carrying the admin as its actor.
      const auditRow = drawer.locator('li[data-event="admin_user_disabled"]');
      await auditRow.waitFor();
      expect(await auditRow.textContent()).toContain('Account disabled by an admin');
      expect(await auditRow.textContent()).toContain('by an admin');
      await shot(page, 'admin-disabled-1440');

      // The table behind the drawer says so too, once the drawer is closed.
      await drawer.getByRole('button', { name: 'Close' }).click();
      await drawer.waitFor({ state: 'hidden' });
      await users
        .getByRole('row', { name: /Grace Hopper/ })
        .getByText('disabled', { exact: true })
        .last()
        .waitFor();

      // At 375 px the table and the drawer still fit.
      await page.setViewportSize({ width: 375, height: 800 });
      await shot(page, 'admin-users-375');
      await users.getByRole('button', { name: /Grace Hopper/ }).click();
      await drawer.getByRole('heading', { name: 'Audit trail' }).waitFor();
      await drawer.locator('li[data-event="admin_user_disabled"]').waitFor();
      await shot(page, 'admin-drawer-375');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);

      // The disabled user cannot sign in any more.
      const refused = await fetch(`${suite.server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: targetEmail, password: PASSWORD }),
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { code?: string }).code).toBe('account_disabled');

      expect(nativeDialogs).toEqual([]);
      expect(errors.console).toEqual([]);
      // RFC 9470's challenge (the step-up asked for), and nothing else failed.
      expect(errors.failures).toHaveLength(1);
      expect(errors.failures[0]).toMatch(/^401 PATCH \/api\/v1\/admin\/users\/[0-9a-f-]{36}$/);
    },
    FLOW_TIMEOUT,
  );

  test(
    "the audit log filtered by event and user shows exactly that user's sign-ins, in words",
    async () => {
      await ensureAdmin();
      const email = uniqueEmail('katherine');
      const userId = await createAccount(email, 'Katherine Johnson');
      // Two password sign-ins of this user, one of someone else: the filter must keep exactly the first two.
      await apiSession(email);
      await apiSession(email);
      await createAccount(uniqueEmail('other'), 'Other Person').then((otherId) => expect(otherId).toBeTruthy());

      const { page, errors } = await newPage();
      await signIn(page, ADMIN_EMAIL);
      await page.goto('/admin/?tab=audit');
      const audit = page.getByRole('region', { name: 'Audit log' });
      // Unfiltered, the newest events of everyone: sign-ups among them.
      await audit.locator('li[data-event="signup"]').first().waitFor();

      await audit.getByRole('combobox', { name: 'Event' }).selectOption({ label: 'Signed in with a password' });
      await audit.getByRole('textbox', { name: 'User id' }).fill(userId);
      await audit.getByRole('button', { name: 'Filter' }).click();
      await audit.locator('li[data-event="signup"]').first().waitFor({ state: 'detached' });
      const rows = audit.locator('li[data-event]');
      await expect.poll(() => rows.count()).toBe(2);
      expect(await audit.locator('li[data-event="login_success"]').count()).toBe(2);
      for (const text of await rows.allTextContents()) {
        expect(text).toContain('Signed in with a password');
        expect(text).toContain(email);
      }
      await shot(page, 'admin-audit-filtered-1440');
      await page.setViewportSize({ width: 375, height: 800 });
      await shot(page, 'admin-audit-filtered-375');
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        0,
      );

      // A filter no row matches says so; Clear brings everyone back.
      await page.setViewportSize({ width: 1440, height: 900 });
      await audit.getByRole('combobox', { name: 'Event' }).selectOption({ label: 'Account disabled by an admin' });
      await audit.getByRole('button', { name: 'Filter' }).click();
      await audit.getByText('No events.').waitFor();
      await audit.getByRole('button', { name: 'Clear' }).click();
      await audit.locator('li[data-event="signup"]').first().waitFor();

      expect(errors.console).toEqual([]);
      expect(errors.failures).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  test(
    "a course's learners sorted by progress, searched, and their CSV holds what the page shows",
    async () => {
      await ensureAdmin();
      const courses = await call('/api/v1/courses');
      const course = courses.body[0] as { slug: string; title: string };
      const detail = await call(`/api/v1/courses/${course.slug}`);
      const lessons = (detail.body.modules as { lessons: { id: string }[] }[]).flatMap((m) => m.lessons);
      const total = lessons.length;

      // Three learners: 3, 1 and 2 lessons completed; the one with 2 was active last (a lesson in progress), so the
      // default order (last activity) and the order by progress differ.
      const tag = `${Date.now()}`;
      const learners = [
        { name: `Radia Perlman ${tag}`, completed: 3, started: 0 },
        { name: `Barbara Liskov ${tag}`, completed: 1, started: 0 },
        { name: `Frances Allen ${tag}`, completed: 2, started: 1 },
      ];
      const emails: string[] = [];
      for (const learner of learners) {
        const email = uniqueEmail(learner.name.split(' ')[0]?.toLowerCase() ?? 'learner');
        emails.push(email);
        await createAccount(email, learner.name);
        const token = await apiSession(email);
        const statuses = [
          ...Array.from({ length: learner.completed }, () => 'completed'),
          ...Array.from({ length: learner.started }, () => 'in_progress'),
        ];
        for (const [i, status] of statuses.entries()) {
          const put = await call(`/api/v1/users/me/progress/${lessons[i]?.id}`, {
            method: 'PUT',
            token,
            json: { status },
          });
          expect(put.status).toBe(200);
        }
      }
      const percent = (done: number) => Math.floor((done * 100) / total);

      const { page, errors } = await newPage();
      await signIn(page, ADMIN_EMAIL);
      await page.goto('/admin/?tab=learners');
      const panel = page.getByRole('region', { name: 'Learners' });
      const names = () => panel.locator('li p.font-medium').allTextContents();
      await panel.getByText(learners[0]?.name ?? '').waitFor();
      // Last activity first: Frances (a lesson in progress last), then Barbara, then Radia.
      expect(await names()).toEqual([learners[2]?.name, learners[1]?.name, learners[0]?.name]);

      await panel.getByRole('button', { name: 'Progress' }).click();
      await expect.poll(names).toEqual([learners[0]?.name, learners[2]?.name, learners[1]?.name]);
      expect(await panel.getByRole('button', { name: 'Progress' }).getAttribute('aria-pressed')).toBe('true');
      const bars = panel.getByRole('progressbar');
      expect(await bars.evaluateAll((els) => els.map((el) => el.getAttribute('aria-valuenow')))).toEqual(
        [3, 2, 1].map((done) => String(percent(done))),
      );
      await shot(page, 'admin-learners-progress-1440');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        panel.getByRole('button', { name: 'Download CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${course.slug}-learners.csv`);
      const csv = await readFile(await download.path(), 'utf8');
      const lines = csv.trimEnd().split('\r\n');
      expect(lines[0]).toBe('email,name,completed,total,percent,last_activity_at');
      const rows = lines.slice(1).map((line) => line.slice(1, -1).split('","'));
      expect(rows.map((row) => row.slice(0, 5))).toEqual(
        [0, 2, 1].map((i) => [
          emails[i],
          learners[i]?.name,
          String(learners[i]?.completed),
          String(total),
          String(percent(learners[i]?.completed ?? 0)),
        ]),
      );
      for (const row of rows) expect(Number.isNaN(Date.parse(row[5] ?? ''))).toBe(false);

      // A search by name keeps the order and finds just that learner.
      await panel.getByRole('searchbox', { name: 'Search learners' }).fill(`liskov ${tag}`);
      await panel.getByRole('button', { name: 'Search' }).click();
      await expect.poll(names).toEqual([learners[1]?.name]);

      await page.setViewportSize({ width: 375, height: 800 });
      await panel.getByRole('searchbox', { name: 'Search learners' }).fill('');
      await panel.getByRole('button', { name: 'Search' }).click();
      await expect.poll(names).toEqual([learners[0]?.name, learners[2]?.name, learners[1]?.name]);
      await shot(page, 'admin-learners-progress-375');
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        0,
      );
      expect(errors.console).toEqual([]);
      expect(errors.failures).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  test(
    'an instructor sees users and learners, with no role, disable, session or MFA controls and no audit log',
    async () => {
      await ensureAdmin();
      const instructorEmail = uniqueEmail('instructor');
      const instructorId = await createAccount(instructorEmail, 'Ian Instructor');
      const adminToken = await apiSession(ADMIN_EMAIL, { stepUp: true });
      const promoted = await call(`/api/v1/admin/users/${instructorId}`, {
        method: 'PATCH',
        token: adminToken,
        json: { role: 'instructor' },
      });
      expect(promoted.status).toBe(200);
      const studentEmail = uniqueEmail('linus');
      await createAccount(studentEmail, 'Linus Learner');
      // Linus has started the first course, so the instructor finds him among its learners.
      const course = (await call('/api/v1/courses')).body[0] as { slug: string };
      const lesson = (await call(`/api/v1/courses/${course.slug}`)).body.modules[0].lessons[0] as { id: string };
      const put = await call(`/api/v1/users/me/progress/${lesson.id}`, {
        method: 'PUT',
        token: await apiSession(studentEmail),
        json: { status: 'completed' },
      });
      expect(put.status).toBe(200);

      const { page, errors } = await newPage();
      await signIn(page, instructorEmail);
      await page.goto('/admin/');
      await page.getByText('Instructor', { exact: true }).waitFor();
      const tabs = page.getByRole('tablist', { name: 'Administration' }).getByRole('tab');
      expect(await tabs.allTextContents()).toEqual(['Users', 'Learners']);

      const users = page.getByRole('region', { name: 'Users' });
      await users.getByRole('button', { name: /Linus Learner/ }).click();
      const drawer = page.getByRole('dialog', { name: 'Linus Learner' });
      await drawer.getByRole('heading', { name: 'Progress' }).waitFor();
      await drawer.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
      expect(await drawer.getByRole('heading', { name: 'Manage' }).count()).toBe(0);
      expect(await drawer.getByRole('combobox').count()).toBe(0);
      for (const name of ['Disable account', 'Enable account', 'End every session', 'Reset MFA']) {
        expect(await drawer.getByRole('button', { name }).count()).toBe(0);
      }
      expect(await drawer.getByRole('heading', { name: 'Audit trail' }).count()).toBe(0);
      await shot(page, 'admin-instructor-drawer-1440');
      await drawer.getByRole('button', { name: 'Close' }).click();
      await drawer.waitFor({ state: 'hidden' });

      await tabs.filter({ hasText: 'Learners' }).click();
      const learners = page.getByRole('region', { name: 'Learners' });
      await learners.getByRole('progressbar', { name: /^Linus Learner: \d+ % complete$/ }).waitFor();
      expect(await learners.getByRole('button', { name: 'Download CSV' }).isEnabled()).toBe(true);
      await shot(page, 'admin-instructor-learners-1440');
      await page.setViewportSize({ width: 375, height: 800 });
      await shot(page, 'admin-instructor-learners-375');
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        0,
      );

      // The audit log is not theirs, even by address.
      await page.goto('/admin/?tab=audit');
      await page.getByRole('region', { name: 'Users' }).waitFor();
      expect(await page.getByRole('region', { name: 'Audit log' }).count()).toBe(0);
      expect(errors.console).toEqual([]);
      expect(errors.failures).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  test(
    "an admin resets a user's MFA from the drawer: confirmation, step-up, factors gone, password alone signs in",
    async () => {
      await ensureAdmin();
      const email = uniqueEmail('margaret');
      const userId = await createAccount(email, 'Margaret Hamilton');
      // The user turns on an authenticator app through the API, as the Security page does.
      const token = await apiSession(email, { stepUp: true });
      const started = await call('/api/v1/users/me/mfa/totp', { method: 'POST', token });
      expect(started.status).toBe(200);
      const confirmed = await call('/api/v1/users/me/mfa/totp/confirm', {
        token,
        json: { code: await generate({ secret: started.body.secret }) },
      });
      expect(confirmed.status).toBe(200);
      const gated = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
      expect(gated.body.access_token).toBeUndefined();

      const { page, errors } = await newPage();
      const nativeDialogs: string[] = [];
      page.on('dialog', (dialog) => {
        nativeDialogs.push(dialog.message());
        dialog.dismiss().catch(() => {});
      });
      await signIn(page, ADMIN_EMAIL);
      await page.goto('/admin/');
      const users = page.getByRole('region', { name: 'Users' });
      await users.getByRole('searchbox', { name: 'Search by email or name' }).fill(email);
      await users.getByRole('button', { name: 'Search', exact: true }).click();
      await users.getByRole('button', { name: /Margaret Hamilton/ }).click();
      const drawer = page.getByRole('dialog', { name: 'Margaret Hamilton' });
      const mfa = drawer.getByRole('region', { name: 'Two-factor authentication' });
      await mfa.waitFor();
      const state = async () =>
        (await mfa.locator('dd').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
      const before = await state();
      expect(before[0]).toMatch(/^on since /);
      expect(before.slice(1)).toEqual(['10', '0']);
      await mfa.scrollIntoViewIfNeeded();
      await shot(page, 'admin-drawer-mfa-1440');

      const reset = mfa.getByRole('button', { name: 'Reset MFA' });
      await reset.click();
      const ask = confirmation(page, `Reset two-factor authentication for ${email}?`);
      await ask.waitFor();
      await expectFocused(ask.getByRole('button', { name: 'Cancel' }));
      // Cancel: nothing happens, focus back on the button.
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await ask.waitFor({ state: 'hidden' });
      await expectFocused(reset);
      expect(errors.failures).toEqual([]);

      await reset.click();
      await ask.waitFor();
      await page.setViewportSize({ width: 375, height: 800 });
      await shot(page, 'admin-confirm-mfa-375');
      await page.setViewportSize({ width: 1440, height: 900 });
      await ask.getByRole('button', { name: 'Reset MFA' }).click();
      const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
      await stepUp.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await stepUp.getByRole('button', { name: 'Confirm' }).click();
      await stepUp.waitFor({ state: 'hidden' });

      await drawer.getByRole('status').filter({ hasText: 'Two-factor authentication reset.' }).waitFor();
      await expect.poll(state).toEqual(['off', '0', '0']);
      expect(await mfa.getByRole('button', { name: 'Reset MFA' }).count()).toBe(0);
      await drawer.locator('li[data-event="admin_mfa_reset"]').waitFor();
      await page.setViewportSize({ width: 375, height: 800 });
      await mfa.scrollIntoViewIfNeeded();
      await shot(page, 'admin-drawer-mfa-375');

      // The reset is real: the password alone signs the user in now, and their old session is over.
      const after = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
      expect(after.status).toBe(200);
      expect(typeof after.body.access_token).toBe('string');
      expect((await call('/api/v1/users/me', { token })).status).toBe(401);
      const audit = await call(`/api/v1/admin/audit?user_id=${userId}&event=admin_mfa_reset`, {
        token: await apiSession(ADMIN_EMAIL),
      });
      expect(audit.body.items).toHaveLength(1);

      expect(nativeDialogs).toEqual([]);
      expect(errors.console).toEqual([]);
      expect(errors.failures).toHaveLength(1);
      expect(errors.failures[0]).toMatch(/^401 DELETE \/api\/v1\/admin\/users\/[0-9a-f-]{36}\/mfa$/);
    },
    FLOW_TIMEOUT,
  );

  test(
    'a student opening /admin is sent home',
    async () => {
      const email = uniqueEmail('student');
      await createAccount(email, 'Sam Student');
      const { page, errors } = await newPage({ width: 375, height: 800 });
      await signIn(page, email);
      await page.goto('/admin/');
      await page.waitForURL((url) => url.pathname.replace(/\/$/, '') === '/dashboard');
      await page.getByRole('heading', { level: 1, name: 'Welcome, Sam Student' }).waitFor();
      expect(errors.console).toEqual([]);
      expect(errors.failures).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  test(
    'the users table filters by role and pages through the cursors and back; the audit log pages older and back',
    async () => {
      await ensureAdmin();
      // More accounts than a users page (25), and more sign-ups than an audit page (50).
      const names = Array.from({ length: 52 }, (_, i) => `Pager Person ${String(i).padStart(2, '0')}`);
      for (let i = 0; i < names.length; i += 8) {
        await Promise.all(names.slice(i, i + 8).map((name) => createAccount(uniqueEmail('pager'), name)));
      }

      const { page, errors } = await newPage();
      await signIn(page, ADMIN_EMAIL);
      await page.goto('/admin/');
      const users = page.getByRole('region', { name: 'Users' });
      const rows = users.locator('tbody tr');
      const first = users.getByRole('button', { name: 'First page' });
      const previous = users.getByRole('button', { name: 'Previous page' });
      const next = users.getByRole('button', { name: 'Next page' });
      await expect.poll(() => rows.count()).toBe(25);
      const firstPage = await rows.allTextContents();
      expect(await first.isDisabled()).toBe(true);
      expect(await previous.isDisabled()).toBe(true);

      await next.click();
      await expect.poll(() => previous.isDisabled()).toBe(false);
      await expect.poll(async () => (await rows.allTextContents())[0]).not.toBe(firstPage[0]);
      const secondPage = await rows.allTextContents();
      expect(secondPage.filter((row) => firstPage.includes(row))).toEqual([]);
      expect(await first.isDisabled()).toBe(false);

      await previous.click();
      await expect.poll(() => rows.allTextContents()).toEqual(firstPage);
      expect(await previous.isDisabled()).toBe(true);
      await next.click();
      await expect.poll(() => rows.allTextContents()).toEqual(secondPage);
      await first.click();
      await expect.poll(() => rows.allTextContents()).toEqual(firstPage);

      // A filter starts again from the first page: only admins, and none of the new students.
      await next.click();
      await expect.poll(() => first.isDisabled()).toBe(false);
      await users.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'Admins' });
      await expect.poll(() => first.isDisabled()).toBe(true);
      await users.getByRole('button', { name: /Ada Admin/ }).waitFor();
      for (const row of await rows.allTextContents()) expect(row).not.toContain('Pager Person');
      await users.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'Every role' });
      await users.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Active' });
      await expect.poll(() => rows.count()).toBe(25);
      expect(await users.getByRole('combobox', { name: 'Status' }).inputValue()).toBe('active');

      await page.goto('/admin/?tab=audit');
      const audit = page.getByRole('region', { name: 'Audit log' });
      const events = audit.locator('li[data-event]');
      const newest = audit.getByRole('button', { name: 'Newest' });
      const older = audit.getByRole('button', { name: 'Older' });
      await expect.poll(() => events.count()).toBe(50);
      const newestPage = await events.allTextContents();
      expect(await newest.isDisabled()).toBe(true);
      await older.click();
      await expect.poll(() => newest.isDisabled()).toBe(false);
      await expect.poll(async () => (await events.allTextContents())[0]).not.toBe(newestPage[0]);
      await newest.click();
      await expect.poll(() => events.allTextContents()).toEqual(newestPage);
      expect(errors.failures).toEqual([]);
    },
    FLOW_TIMEOUT,
  );
});
