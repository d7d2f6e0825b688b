// "Your data" in a real browser against the built server with real mail: download the export as a file (after the
// step-up dialog), then delete the account behind its confirmation and land on the home page signed out.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../api/src/test/smtp';
import { artifactPath, uniqueEmail, useBrowserSuite, waitForHydration, watchConsole } from './harness';

const PASSWORD = 'Analytical#Engine1';
const SETTINGS = '/settings/';
// The step-up challenge before each protected call shows as a 401 in the console; nothing else may.
const stepUpChallenge = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';

let smtp: TestSmtpServer;
const suite = useBrowserSuite(async () => {
  smtp = await startSmtpServer();
  return { smtpUrl: smtp.url };
});
afterAll(async () => {
  await smtp?.close();
});

async function signedInOnSettings(name: string, viewport = { width: 1440, height: 900 }) {
  const email = uniqueEmail(name.toLowerCase().replace(/\W+/g, '.'));
  const signup = await fetch(`${suite.server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, full_name: name, password: PASSWORD }),
  });
  expect(signup.status).toBe(201);
  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  suite.contexts.push(context);
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto('/?auth=signin');
  await waitForHydration(page);
  const dialog = page.getByRole('dialog', { name: 'Welcome back' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/dashboard');
  await page.goto(SETTINGS);
  const section = page.getByRole('region', { name: 'Your data' });
  await section.waitFor();
  return { page, errors, email, section };
}

async function confirmItsYou(page: Page) {
  const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
  await stepUp.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await stepUp.getByRole('button', { name: 'Confirm', exact: true }).click();
  await stepUp.waitFor({ state: 'hidden' });
}

describe('Your data', () => {
  test('"Download my data" asks to confirm it is you, then downloads the export as a JSON file', async () => {
    const { page, errors, email, section } = await signedInOnSettings('Ada Download');
    const downloading = page.waitForEvent('download');
    await section.getByRole('button', { name: 'Download my data' }).click();
    await confirmItsYou(page);
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^ai-bootcamp-data-\d{4}-\d{2}-\d{2}\.json$/);
    const file = await download.path();
    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(doc.format).toBe('ai-bootcamp-export/1');
    expect(doc.profile).toMatchObject({ email, full_name: 'Ada Download' });
    expect(doc.sessions.length).toBeGreaterThan(0);
    expect(doc.audit_log.map((entry: { event: string }) => entry.event)).toContain('data_exported');
    expect(JSON.stringify(doc)).not.toMatch(/hashed_password|token_hash|\$2[aby]\$/);
    await expect.poll(() => section.getByRole('status').textContent()).toBe('Your data is downloading as a JSON file.');
    await section.screenshot({ path: artifactPath('your-data-section-1440.png') });
    expect(errors).toEqual([stepUpChallenge]);
  }, 60_000);

  test('"Delete my account" names what goes, asks to confirm it is you, and lands signed out on the home page', async () => {
    const { page, errors, email, section } = await signedInOnSettings('Ada Leaving');
    await section.getByRole('button', { name: 'Delete my account…' }).click();
    const confirmation = section.getByRole('region', { name: 'Delete your account for good?' });
    await expect.poll(() => confirmation.textContent()).toContain('your progress through every course');
    expect(await confirmation.textContent()).toContain(email);
    // Changing one's mind keeps everything.
    await confirmation.getByRole('button', { name: 'Keep my account' }).click();
    await confirmation.waitFor({ state: 'hidden' });

    await section.getByRole('button', { name: 'Delete my account…' }).click();
    await page.screenshot({ path: artifactPath('your-data-confirm-1440.png'), fullPage: false });
    await confirmation.getByRole('button', { name: 'Delete my account for good' }).click();
    await confirmItsYou(page);
    await page.waitForURL((url) => url.pathname === '/');
    const notice = page.getByRole('status').filter({ hasText: 'Your account has been deleted' });
    await notice.waitFor();
    // Signed out here: no session hint is left, and the header offers to sign in.
    expect(await page.evaluate(() => localStorage.getItem('aibc.session'))).toBeNull();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.screenshot({ path: artifactPath('your-data-deleted-1440.png'), fullPage: false });
    // The notice is said once: a reload shows the plain home page.
    await page.reload();
    await waitForHydration(page);
    expect(await page.locator('#account-deleted-notice').isHidden()).toBe(true);

    const login = await fetch(`${suite.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(login.status).toBe(401);
    // Earlier mail to the address (the verification link) is passed over.
    let mail = await smtp.waitForMessage(email);
    while (!/was deleted/.test(mail.subject)) mail = await smtp.waitForMessage(email);
    expect(mail.subject).toBe('Your AI Bootcamp account was deleted');
    expect(errors).toEqual([stepUpChallenge]);
  }, 60_000);

  test('on a phone the confirmation and the step-up fit the screen, and deleting lands on the home page', async () => {
    const { page, errors, section } = await signedInOnSettings('Ada Phone', { width: 375, height: 812 });
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: artifactPath('your-data-section-375.png') });
    await section.getByRole('button', { name: 'Delete my account…' }).click();
    const confirmation = section.getByRole('region', { name: 'Delete your account for good?' });
    await confirmation.waitFor();
    await confirmation.screenshot({ path: artifactPath('your-data-confirm-375.png') });
    // Nothing sticks out sideways on a 375 px screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await confirmation.getByRole('button', { name: 'Delete my account for good' }).click();
    await page.getByRole('dialog', { name: "Confirm it's you" }).waitFor();
    await page.screenshot({ path: artifactPath('your-data-step-up-375.png') });
    await confirmItsYou(page);
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('status').filter({ hasText: 'Your account has been deleted' }).waitFor();
    await page.screenshot({ path: artifactPath('your-data-deleted-375.png') });
    expect(errors).toEqual([stepUpChallenge]);
  }, 60_000);
});
