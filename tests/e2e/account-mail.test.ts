// The account pages in a real browser, against the built server with real mail: the API sends through SMTP to an
// in-process server (api/src/test/smtp.ts), the test reads the message and follows its link in Chromium, as a person
// would. Also the settings page's account sections: the password change and the sessions list.
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import {
  NOT_VERIFY,
  type ReceivedMail,
  startSmtpServer,
  type TestSmtpServer,
  VERIFY_SUBJECT,
} from '../../api/src/test/smtp';
import { artifactPath, uniqueEmail, useBrowserSuite, waitForHydration, watchConsole } from './harness';

const PASSWORD = 'Analytical#Engine1';
const NEW_PASSWORD = 'Difference&Engine2';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const failed = (status: string) => `Failed to load resource: the server responded with a status of ${status}`;

let smtp: TestSmtpServer;
// PUBLIC_APP_URL defaults to the server's own origin, so the mailed links open in this browser.
const suite = useBrowserSuite(async () => {
  smtp = await startSmtpServer();
  return { smtpUrl: smtp.url };
});
afterAll(async () => {
  await smtp?.close();
});

async function newPage(viewport = { width: 1440, height: 900 }) {
  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url });
  // Shorter than the test's own timeout, so a failure names the step that waited in vain.
  context.setDefaultTimeout(10_000);
  suite.contexts.push(context);
  const page = await context.newPage();
  const errors = watchConsole(page);
  return { context, page, errors };
}

async function createAccount(email: string, fullName = 'Grace Hopper') {
  const response = await fetch(`${suite.server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, full_name: fullName, password: PASSWORD }),
  });
  expect(response.status).toBe(201);
}

/** A second device: a session created through the API, as a phone would. Returns its access token. */
async function signInElsewhere(email: string, password = PASSWORD) {
  const response = await fetch(`${suite.server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': IPHONE },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function meStatus(accessToken: string) {
  const response = await fetch(`${suite.server.url}/api/v1/users/me`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  return response.status;
}

/** The link of a mail that goes to `path`, which must point at this server. */
function linkTo(mail: ReceivedMail, path: string) {
  const link = mail.links.find((candidate) => new URL(candidate).pathname === path);
  expect(link, `a ${path} link in "${mail.subject}"`).toBeDefined();
  expect(new URL(link as string).origin).toBe(suite.server.url);
  return link as string;
}

async function signInThroughModal(page: Page, email: string, password = PASSWORD) {
  await page.goto('/?auth=signin');
  const dialog = page.getByRole('dialog', { name: 'Welcome back' });
  await dialog.waitFor();
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password', { exact: true }).fill(password);
  await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/dashboard');
}

describe('account mail and settings in Chromium', () => {
  test('reset by mail: Forgot password? → the link → a new password → it signs in and the old one does not', async () => {
    const email = uniqueEmail('reset');
    await createAccount(email, 'Hedy Lamarr');
    const { page, errors } = await newPage({ width: 375, height: 812 });
    await page.goto('/?auth=signin');
    await waitForHydration(page);

    // "Forgot password?" swaps the sign-in form for the request form, carrying the email over.
    const signin = page.getByRole('dialog', { name: 'Welcome back' });
    await signin.waitFor();
    await signin.getByLabel('Email').fill(email);
    await signin.getByRole('link', { name: 'Forgot password?' }).click();
    const forgot = page.getByRole('dialog', { name: 'Reset your password' });
    await forgot.waitFor();
    expect(await forgot.getByLabel('Email').inputValue()).toBe(email);

    // 429 in plain words (faked: the test server's limits are high).
    await page.route('**/api/v1/auth/password-reset/request', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '90' },
        body: JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429 }),
      }),
    );
    await forgot.getByRole('button', { name: 'Send reset link' }).click();
    await forgot.getByText('Too many reset requests. Wait 2 minutes and try again.').waitFor();
    await page.unroute('**/api/v1/auth/password-reset/request');

    await forgot.getByRole('button', { name: 'Send reset link' }).click();
    const neutral = "If an account exists for that address, we've sent a link. It expires in 1 hour.";
    await forgot.getByRole('status').filter({ hasText: neutral }).waitFor();

    const mail = await smtp.waitForMessage(email, { subject: NOT_VERIFY });
    expect(mail.subject).toBe('Reset your AI Bootcamp password');
    const link = linkTo(mail, '/reset-password');

    // The link opens the page; the token leaves the address bar at once.
    await page.goto(link);
    const choose = page.getByRole('form', { name: 'Choose a new password' });
    await choose.waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => window.location.href)).not.toContain('token');

    // The live checklist, then a 422 from the server only (a common password) on the field; the link stays usable.
    const field = choose.getByLabel('New password', { exact: true });
    await field.fill('password');
    const met = () =>
      choose
        .getByRole('list', { name: 'Password requirements' })
        .locator('li')
        .evaluateAll((items) => items.map((li) => `${li.dataset.rule}:${li.dataset.met}`));
    // This page does not know the email: the server checks that rule, like the common-password one.
    expect(await met()).toEqual([
      'length:true',
      'upper:false',
      'lower:true',
      'digit:false',
      'special:false',
      'email-name:unknown',
      'site-name:true',
      'common:unknown',
    ]);
    await field.fill('Password1!');
    await choose.getByRole('button', { name: 'Set new password' }).click();
    const fieldError = page.locator('#reset-new-password-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('too common');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await choose.locator('li[data-rule="common"]').getAttribute('data-state')).toBe('failed');
    await page.screenshot({ path: artifactPath('reset-password-375.png'), fullPage: true });

    await field.fill(NEW_PASSWORD);
    await choose.getByRole('button', { name: 'Set new password' }).click();
    const done = page.getByRole('status').filter({ hasText: 'Password changed' });
    await done.getByText('Every device was signed out — sign in with your new password.').waitFor();
    await page.screenshot({ path: artifactPath('reset-password-done-375.png'), fullPage: true });

    // The same link a second time: refused on submit (only the API knows), with the way to ask for a new one.
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill(`${NEW_PASSWORD}!`);
    expect(new URL(page.url()).search).toBe('');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('This link is invalid, expired or already used.').waitFor();
    await page.getByRole('button', { name: 'Send a new link' }).waitFor();
    await page.screenshot({ path: artifactPath('reset-password-invalid-375.png'), fullPage: true });

    // Back to the success state to use its "Sign in" button: set a password with a fresh link.
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send a new link' }).click();
    await page.getByRole('status').filter({ hasText: neutral }).waitFor();
    // The first reset also mailed a notice ("your password was reset"): skip to the next reset link.
    let resetMail = await smtp.waitForMessage(email, { subject: NOT_VERIFY });
    while (resetMail.subject !== mail.subject) resetMail = await smtp.waitForMessage(email, { subject: NOT_VERIFY });
    await page.goto(linkTo(resetMail, '/reset-password'));
    await page.getByLabel('New password', { exact: true }).fill(`${NEW_PASSWORD}x`);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    // The old password fails; the new one signs in.
    const dialog = page.getByRole('dialog', { name: 'Welcome back' });
    await dialog.waitFor();
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await dialog.getByText('Incorrect email or password.').waitFor();
    await dialog.getByLabel('Password', { exact: true }).fill(`${NEW_PASSWORD}x`);
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Welcome, Hedy Lamarr' }).waitFor();
    // Completing a reset proves the address: no verification banner.
    expect(await page.getByRole('region', { name: 'Verify your email address' }).count()).toBe(0);
    await page.goto('/settings');
    await page.getByRole('region', { name: 'Profile' }).getByText('Verified').waitFor();

    expect(errors).toEqual([
      failed('429 (Too Many Requests)'),
      failed('422 (Unprocessable Entity)'),
      failed('400 (Bad Request)'),
      failed('401 (Unauthorized)'),
    ]);
  });

  test('verify by mail: sign-up mailed a link, the dashboard banner says so and resends it; opening it verifies', async () => {
    const email = uniqueEmail('verify');
    await createAccount(email, 'Radia Perlman');
    // Sign-up itself mails the first link, as the landing page promises.
    const first = await smtp.waitForMessage(email, { subject: VERIFY_SUBJECT });
    linkTo(first, '/verify-email');
    const { page, errors } = await newPage();
    await signInThroughModal(page, email);

    const banner = page.getByRole('region', { name: 'Verify your email address' });
    await banner.waitFor();
    await banner.getByText(`We sent a link to ${email} when you signed up.`).waitFor();
    await banner.getByRole('button', { name: 'Resend verification email' }).click();
    await banner.getByRole('status').filter({ hasText: 'Sent — check your inbox.' }).waitFor();

    const mail = await smtp.waitForMessage(email, { subject: VERIFY_SUBJECT });
    expect(mail.subject).toBe('Verify your email for AI Bootcamp');
    expect(linkTo(mail, '/verify-email')).not.toBe(linkTo(first, '/verify-email'));
    await page.goto(linkTo(mail, '/verify-email'));
    await page.getByRole('heading', { name: 'Your email is verified' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.screenshot({ path: artifactPath('verify-email-done-1440.png') });

    await page.getByRole('link', { name: 'Go to your dashboard' }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Welcome, Radia Perlman' }).waitFor();
    expect(await banner.count()).toBe(0);
    await page.goto('/settings');
    await page.getByRole('region', { name: 'Profile' }).getByText('Verified').waitFor();

    // The link again: used up, but this account is verified, so it says so instead of "invalid".
    await page.goto(linkTo(mail, '/verify-email'));
    await page.getByRole('heading', { name: 'Your email is verified' }).waitFor();

    expect(errors).toEqual([failed('400 (Bad Request)')]);
  });

  test('a broken verification link while signed out offers sign-in to get a new one', async () => {
    const { page, errors } = await newPage({ width: 375, height: 812 });
    await page.goto('/verify-email?token=not-a-real-token');
    await page.getByText('This link is invalid, expired or already used.').waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.screenshot({ path: artifactPath('verify-email-invalid-375.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign in to send a new link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Welcome back' });
    await dialog.waitFor();
    await dialog.getByText('Sign in, then choose “Resend verification email” on your dashboard.').waitFor();
    expect(errors).toEqual([failed('400 (Bad Request)')]);
  });

  test('settings: rename, change the password (a wrong one keeps the session), end other sessions', async () => {
    const email = uniqueEmail('settings');
    await createAccount(email, 'Barbara Liskov');
    const phone = await signInElsewhere(email);
    const { page, errors } = await newPage({ width: 375, height: 812 });
    await signInThroughModal(page, email);

    // Settings, through the phone's menu.
    await page.getByRole('banner').locator('summary[aria-label="Menu"]').click();
    await page.getByRole('navigation', { name: 'Mobile' }).getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL('**/settings');
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();

    // The profile: the header's account name follows the new name; the API keeps it.
    const accountName = page.getByRole('banner').locator('[data-account-name]');
    await expect.poll(() => accountName.textContent()).toBe('Barbara Liskov');
    const profile = page.getByRole('region', { name: 'Profile' });
    await profile.getByLabel('Full name').fill('Barbara H. Liskov');
    await profile.getByRole('button', { name: 'Save name' }).click();
    await profile.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await expect.poll(() => accountName.textContent()).toBe('Barbara H. Liskov');

    // Sessions: this browser, marked, and the phone.
    const sessions = page.getByRole('region', { name: "Where you're signed in" });
    const rows = sessions.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const here = rows.filter({ hasText: 'This device' });
    expect(await here.count()).toBe(1);
    expect(await here.textContent()).toContain('Chrome');
    const phoneRow = rows.filter({ hasText: 'Mobile Safari 17 on iOS' });
    expect(await phoneRow.textContent()).toMatch(/IP address(127\.0\.0\.1|::1)/);
    await page.screenshot({ path: artifactPath('settings-375.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // Sign the phone out: its row goes, and its access token stops working at once.
    expect(await meStatus(phone)).toBe(200);
    await phoneRow.getByRole('button', { name: /^Sign out Mobile Safari 17 on iOS/ }).click();
    await sessions.getByRole('status').filter({ hasText: 'Signed out Mobile Safari 17 on iOS.' }).waitFor();
    expect(await rows.count()).toBe(1);
    expect(await meStatus(phone)).toBe(401);

    // A wrong current password: said on the field; no refresh, no sign-out.
    const refreshes: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/auth/refresh')) refreshes.push(request.url());
    });
    const password = page.getByRole('region', { name: 'Change password' });
    await password.getByLabel('Current password').fill('Not-the-password-1');
    await password.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await password.getByRole('button', { name: 'Change password' }).click();
    const currentError = page.locator('#change-current-password-error');
    await currentError.waitFor();
    expect(await currentError.textContent()).toBe('Current password is incorrect');
    expect(refreshes).toEqual([]);
    expect(new URL(page.url()).pathname).toBe('/settings');
    expect(await page.evaluate(() => document.documentElement.dataset.session)).toBe('signed-in');

    // The right one: this device stays, every other session ends.
    const tablet = await signInElsewhere(email);
    const listReads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'GET' && request.url().endsWith('/api/v1/users/me/sessions'))
        listReads.push(request.url());
    });
    await password.getByLabel('Current password').fill(PASSWORD);
    await password.getByRole('button', { name: 'Change password' }).click();
    await password.getByText('Password changed; other devices were signed out.').waitFor();
    // The sessions list asks again (the others have ended) without a reload of the page.
    await expect.poll(() => listReads.length).toBeGreaterThan(0);
    expect(await meStatus(tablet)).toBe(401);
    expect(await page.getByRole('heading', { level: 1, name: 'Your account' }).count()).toBe(1);

    // "Sign out everywhere else" ends the sessions opened since, not this one.
    const laptop = await signInElsewhere(email, NEW_PASSWORD);
    await page.reload();
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    await sessions.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await sessions.getByRole('status').filter({ hasText: 'Every other device was signed out.' }).waitFor();
    expect(await rows.count()).toBe(1);
    expect(await meStatus(laptop)).toBe(401);
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await page.screenshot({ path: artifactPath('settings-after-375.png'), fullPage: true });

    expect(errors).toEqual([failed('401 (Unauthorized)')]);
  });
});
