// Two-factor sign-in in a real browser against the built server: set up an authenticator app in Settings (the key
// read from the page as a person would type it into an app), confirm it, see the recovery codes; sign in again with
// the password and a code; step up with the authenticator in the "Confirm it's you" dialog; a recovery code works
// once. The authenticator is otplib computing codes from the real clock, as api/src/test/mfa.ts does for the test clock.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { Authenticator } from './authenticator';
import { startAuthenticatorSetup, uniqueEmail, useBrowserSuite, waitForHydration, watchConsole } from './harness';

const PASSWORD = 'Analytical#Engine1';
// Many page loads in one flow: more than the default 30 s on a busy machine.
const FLOW_TIMEOUT = 240_000;

const suite = useBrowserSuite();

// Screenshots for review (`SHOTS_DIR=/some/dir`); the test asserts nothing about them.
async function shot(target: Page | Locator, name: string) {
  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await target.screenshot({ path: join(dir, `${name}.png`) });
}

async function bothWidths(page: Page, name: string, target: () => Page | Locator) {
  for (const width of [1440, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await shot(target(), `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function signOut(page: Page) {
  await page.getByRole('banner').getByText('Account', { exact: true }).click();
  await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(`${suite.server.url}/`);
}

/** The password step; the modal then shows the second step. */
async function signInWithPassword(page: Page, email: string) {
  await page.goto('/signin/');
  await waitForHydration(page);
  const dialog = page.getByRole('dialog', { name: 'Welcome back' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
  await dialog.getByText('Enter the 6-digit code from your authenticator app.').waitFor();
  return dialog;
}

describe('two-factor authentication in the browser', () => {
  test(
    'set up an authenticator app in Settings, sign in with a code, step up with it, and a recovery code works once',
    async () => {
      const context = await suite.browser.newContext({
        viewport: { width: 1440, height: 900 },
        baseURL: suite.server.url,
      });
      suite.contexts.push(context);
      const page = await context.newPage();
      const consoleErrors = watchConsole(page);
      const serverErrors: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.url()}`);
      });

      // A provider sign-in of an account with MFA lands on /?auth=mfa: the sign-in modal opens at the code (the
      // challenge is in the API's HttpOnly cookie, absent here, so "Start over" is the way on).
      await page.goto('/?auth=mfa');
      await waitForHydration(page);
      const landing = page.getByRole('dialog', { name: 'Welcome back' });
      await landing.getByText('Enter the 6-digit code from your authenticator app.').waitFor();
      expect(new URL(page.url()).search).toBe('');
      await landing.getByRole('button', { name: 'Start over' }).click();
      await landing.getByLabel('Email').waitFor();

      // Sign up.
      const email = uniqueEmail('grace');
      await page.goto('/?auth=signup');
      await waitForHydration(page);
      const signup = page.getByRole('dialog', { name: 'Create your account' });
      await signup.getByLabel('Full name').fill('Grace Hopper');
      await signup.getByLabel('Email').fill(email);
      await signup.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await signup.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL('**/dashboard');

      // Settings → set up: the step-up dialog asks for the password (no MFA yet), then the QR code and the key.
      const security = await startAuthenticatorSetup(page, PASSWORD);
      const secret = (await security.getByTestId('totp-secret').textContent())?.trim() ?? '';
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      await security.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      await bothWidths(page, 'security-enroll', () => security);
      const phone = new Authenticator(secret);

      // A wrong code is refused and changes nothing; the app's code turns it on and shows ten recovery codes once.
      await security.getByLabel('Code from the app').fill('000000');
      await security.getByRole('button', { name: 'Turn on' }).click();
      await security.getByText('That code did not work').waitFor();
      await security.getByLabel('Code from the app').fill(await phone.code());
      await security.getByRole('button', { name: 'Turn on' }).click();
      const codesList = security.getByRole('region', { name: 'Your recovery codes' });
      await codesList.waitFor();
      const firstCodes = await codesList.getByRole('listitem').allTextContents();
      expect(firstCodes).toHaveLength(10);
      expect(new Set(firstCodes).size).toBe(10);
      await bothWidths(page, 'security-codes', () => security);
      await security.getByRole('button', { name: 'I saved them' }).click();
      await security.getByText('Recovery codes left: 10').waitFor();
      await bothWidths(page, 'security-on', () => security);

      // Sign out; the password alone now leads to the second step, and a code to the dashboard.
      await signOut(page);
      let dialog = await signInWithPassword(page, email);
      await bothWidths(page, 'signin-second-step', () => page);
      await dialog.getByLabel('Authentication code').fill(await phone.code());
      await dialog.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL('**/dashboard');
      await page.getByRole('heading', { level: 1 }).waitFor();

      // A new session has not stepped up: new recovery codes ask "Confirm it's you", now with the second factors
      // only (the API answers a password alone with mfa_required), and an authenticator code does it.
      await page.goto('/settings');
      await security.getByRole('button', { name: 'New recovery codes' }).click();
      const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
      await stepUp.waitFor();
      const choices = stepUp.getByRole('group', { name: 'Confirm with' }).getByRole('button');
      expect(await choices.allTextContents()).toEqual(['Authenticator app', 'Recovery code']);
      await bothWidths(page, 'step-up-totp', () => page);
      await stepUp.getByLabel('Code from your authenticator app').fill('000000');
      await stepUp.getByRole('button', { name: 'Confirm', exact: true }).click();
      await stepUp.getByText('That code did not work').waitFor();
      await stepUp.getByLabel('Code from your authenticator app').fill(await phone.code());
      await stepUp.getByRole('button', { name: 'Confirm', exact: true }).click();
      await stepUp.waitFor({ state: 'hidden' });
      await codesList.waitFor();
      const codes = await codesList.getByRole('listitem').allTextContents();
      expect(codes).toHaveLength(10);
      expect(codes.filter((code) => firstCodes.includes(code))).toEqual([]);
      await security.getByRole('button', { name: 'I saved them' }).click();

      // A recovery code signs in once; the same code again is refused, and another one then works.
      await signOut(page);
      dialog = await signInWithPassword(page, email);
      await dialog.getByRole('button', { name: 'Use a recovery code' }).click();
      await dialog.getByLabel('Recovery code').fill(codes[0] ?? '');
      await dialog.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL('**/dashboard');
      await page.getByRole('heading', { level: 1 }).waitFor();

      await signOut(page);
      dialog = await signInWithPassword(page, email);
      await dialog.getByRole('button', { name: 'Use a recovery code' }).click();
      await dialog.getByLabel('Recovery code').fill(codes[0] ?? '');
      await dialog.getByRole('button', { name: 'Verify' }).click();
      await dialog.getByText('That code did not work').waitFor();
      expect(new URL(page.url()).pathname).not.toBe('/dashboard');
      await dialog.getByLabel('Recovery code').fill(codes[1] ?? '');
      await dialog.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL('**/dashboard');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.goto('/settings');
      await security.getByText('Recovery codes left: 8').waitFor();

      expect(serverErrors).toEqual([]);
      expect(consoleErrors.filter((line) => !line.startsWith('Failed to load resource'))).toEqual([]);
    },
    FLOW_TIMEOUT,
  );
});
