// A passkey as the second factor in the built site, with Chromium's virtual authenticator standing in for Touch ID:
// an account with an authenticator app and a passkey signs in with its password, then "Use a passkey" on the
// two-factor step; signed in, it confirms a step-up ("Confirm it's you", new recovery codes) with the passkey. The
// account is set up through the API (password step-up, passkey made by the page's own authenticator, TOTP confirmed
// with otplib), so the browser only does what the tests are about. And an account with an authenticator app but no
// passkey adds its first one in Settings, confirming with a code in the shared step-up dialog (a password alone is
// no step-up once MFA is on), then signs in with it. Screenshots for review with SHOTS_DIR=/some/dir.
import { generate } from 'otplib';
import type { CDPSession, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Authenticator } from './authenticator';
import { newWatchedPage, shot, uniqueEmail, useBrowserSuite, waitForHydration } from './harness';

const suite = useBrowserSuite();
const PASSWORD = 'Difference#Engine2';
const NAME = 'Ada Lovelace';

type Account = { email: string; recoveryCodes: string[] };

async function call(path: string, init: { token?: string; json?: unknown; method?: string } = {}) {
  const response = await fetch(`${suite.server.url}${path}`, {
    method: init.method ?? 'POST',
    headers: {
      ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A browser page on the site with one virtual platform authenticator (resident keys, user verification). */
async function pageWithAuthenticator(width = 1440) {
  const { page, errors } = await newWatchedPage(suite, { width, height: 900 });
  page.setDefaultTimeout(15_000);
  // The sign-in form offers passkeys in the email field's autofill too, and the virtual authenticator answers such a
  // conditional request on its own: that would sign in without a password (a passkey alone counts as two factors),
  // so the page is told autofill is unavailable and the password step goes first, as these tests need.
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { page, errors, cdp, authenticatorId };
}

/** A new account, signed in through the API and stepped up with its password: what adding a factor asks for. */
async function steppedUpAccount(name: string) {
  const email = uniqueEmail(name);
  const signup = await call('/api/v1/auth/signup', { json: { email, full_name: NAME, password: PASSWORD } });
  expect(signup.status).toBe(201);
  const login = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  const token: string = login.body.access_token;
  expect((await call('/api/v1/auth/reauthenticate', { token, json: { password: PASSWORD } })).status).toBe(204);
  return { email, token };
}

/**
 * An account with a password, a passkey in this page's authenticator and a confirmed authenticator app (so MFA is
 * on), made as the Settings page would make them: a password step-up first, then each factor.
 */
async function accountWithPasskeyAndTotp(page: Page): Promise<Account> {
  const { email, token } = await steppedUpAccount('ada');

  const options = await call('/api/v1/users/me/passkeys/options', { token });
  expect(options.status).toBe(200);
  await page.goto('/');
  const response = await page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(json as PublicKeyCredentialCreationOptionsJSON);
    const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential;
    return credential.toJSON();
  }, options.body);
  expect((await call('/api/v1/users/me/passkeys', { token, json: { name: 'MacBook', response } })).status).toBe(201);

  const totp = await call('/api/v1/users/me/mfa/totp', { token });
  expect(totp.status).toBe(200);
  const confirmed = await call('/api/v1/users/me/mfa/totp/confirm', {
    token,
    json: { code: await generate({ secret: totp.body.secret }) },
  });
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.recovery_codes).toHaveLength(10);
  return { email, recoveryCodes: confirmed.body.recovery_codes };
}

/** An account with a password and a confirmed authenticator app (MFA on), no passkey; `phone` makes its codes. */
async function accountWithTotpOnly() {
  const { email, token } = await steppedUpAccount('mary');
  const totp = await call('/api/v1/users/me/mfa/totp', { token });
  expect(totp.status).toBe(200);
  const phone = new Authenticator(totp.body.secret);
  const confirmed = await call('/api/v1/users/me/mfa/totp/confirm', { token, json: { code: await phone.code() } });
  expect(confirmed.status).toBe(200);
  // With MFA on, the password alone no longer steps up: that is why Settings must offer the code.
  const again = await call('/api/v1/auth/login', { json: { email, password: PASSWORD } });
  expect(again.status).toBe(403);
  return { email, phone };
}

/** The password step; the modal then shows the second step, which offers the passkey. */
async function passwordStep(page: Page, email: string) {
  await page.goto('/signin/');
  await waitForHydration(page);
  const dialog = page.getByRole('dialog', { name: 'Welcome back' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
  await dialog.getByText('Enter the 6-digit code from your authenticator app.').waitFor();
  return dialog;
}

/** Shots at 375 and 1440 px; with `around`, that part of the page is scrolled to the middle first (under a dialog too). */
async function bothWidths(page: Page, name: string, around?: Locator) {
  for (const width of [375, 1440]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await around?.evaluate((element) => element.scrollIntoView({ block: 'center', behavior: 'instant' }));
    await shot(page, `${name}-${width}`);
  }
}

/** Takes the authenticator's passkey out (as if it were on another device); returns a way to put it back. */
async function hidePasskey(cdp: CDPSession, authenticatorId: string) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  const [credential] = credentials;
  if (!credential) throw new Error('the authenticator holds no passkey');
  await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential.credentialId });
  return () => cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
}

describe('a passkey as the second factor in the browser', () => {
  it('signs in with the password, then "Use a passkey" on the two-factor step, and lands on the dashboard', async () => {
    const { page, errors, cdp, authenticatorId } = await pageWithAuthenticator();
    const { email } = await accountWithPasskeyAndTotp(page);
    const dialog = await passwordStep(page, email);
    const usePasskey = dialog.getByRole('button', { name: 'Use a passkey' });
    await bothWidths(page, 'mfa-step-passkey');

    // No passkey at hand (the browser finds none for this account): the step says so and stays.
    const restore = await hidePasskey(cdp, authenticatorId);
    await usePasskey.click();
    await dialog.getByRole('alert').filter({ hasText: 'No passkey was used.' }).waitFor();
    await shot(page, 'mfa-step-passkey-cancelled-1440');
    expect(new URL(page.url()).pathname).not.toBe('/dashboard');
    await restore();

    await usePasskey.click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('heading', { level: 1, name: `Welcome, ${NAME}` }).waitFor();
    // The password's 403 mfa_required is the only failed answer.
    expect(errors.failures).toEqual(['403 POST /api/v1/auth/login']);
    expect(errors.console).toEqual([]);
  }, 45_000);

  it('confirms a step-up with the passkey: new recovery codes replace the old ones', async () => {
    const { page, errors } = await pageWithAuthenticator();
    const { email, recoveryCodes } = await accountWithPasskeyAndTotp(page);
    const dialog = await passwordStep(page, email);
    await dialog.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL('**/dashboard');

    await page.goto('/settings/');
    await waitForHydration(page);
    const security = page.getByRole('region', { name: 'Two-factor authentication' });
    await security.getByText('Recovery codes left: 10').waitFor();
    await security.getByRole('button', { name: 'New recovery codes' }).click();
    const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
    const switcher = stepUp.getByRole('group', { name: 'Confirm with' });
    await switcher.waitFor();
    const choices = switcher.getByRole('button');
    expect(await choices.allTextContents()).toEqual(['Authenticator app', 'Passkey', 'Recovery code']);
    await stepUp.getByRole('button', { name: 'Passkey', exact: true }).click();
    const confirm = stepUp.getByRole('button', { name: 'Use a passkey' });
    // The view puts focus on its one button.
    await expect.poll(() => confirm.evaluate((button) => button === document.activeElement)).toBe(true);
    await bothWidths(page, 'step-up-passkey');

    await confirm.click();
    await stepUp.waitFor({ state: 'hidden' });
    const codesList = security.getByRole('region', { name: 'Your recovery codes' });
    await codesList.waitFor();
    const codes = await codesList.getByRole('listitem').allTextContents();
    expect(codes).toHaveLength(10);
    expect(codes.filter((code) => recoveryCodes.includes(code))).toEqual([]);
    await security.getByText('New recovery codes: the old ones no longer work.').waitFor();
    expect(errors.failures).toEqual(['403 POST /api/v1/auth/login', '401 POST /api/v1/users/me/mfa/recovery-codes']);
    expect(errors.console).toEqual([]);
  }, 45_000);
  it('an account with an authenticator app and no passkey adds one in Settings, confirming with a code, then signs in with it', async () => {
    const { page, errors, cdp, authenticatorId } = await pageWithAuthenticator();
    const { email, phone } = await accountWithTotpOnly();
    const signIn = await passwordStep(page, email);
    await signIn.getByLabel('Authentication code').fill(await phone.code());
    await signIn.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/dashboard');

    await page.goto('/settings/');
    await waitForHydration(page);
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByText('You have no passkeys yet.').waitFor();
    await section.getByLabel('Name for the new passkey').fill('Pixel 9');
    await section.getByRole('button', { name: 'Add a passkey' }).click();

    // The shared dialog, with the ways this account has: no password (MFA is on), no passkey yet.
    const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
    const choices = stepUp.getByRole('group', { name: 'Confirm with' }).getByRole('button');
    await choices.first().waitFor();
    expect(await choices.allTextContents()).toEqual(['Authenticator app', 'Recovery code']);
    const code = stepUp.getByLabel('Code from your authenticator app');
    await code.fill(await phone.code());
    await bothWidths(page, 'settings-passkeys-step-up-totp', section);
    // Nothing was made before the step-up.
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toEqual([]);
    await stepUp.getByRole('button', { name: 'Confirm', exact: true }).click();
    await stepUp.waitFor({ state: 'hidden' });

    // The add went on by itself: the browser's prompt (the virtual authenticator), then the passkey in the list.
    await section.getByText('Passkey "Pixel 9" added. Your other devices were signed out.').waitFor();
    await section.getByRole('button', { name: 'Remove Pixel 9' }).waitFor();
    expect(await section.getByText('You have no passkeys yet.').count()).toBe(0);
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
    await bothWidths(page, 'settings-passkeys-added', section);

    // Signed out, the passkey alone signs in (it counts as both factors): no password, no code.
    const logout = await page.request.post('/api/v1/auth/logout', { data: {} });
    expect(logout.ok()).toBe(true);
    await page.evaluate(() => localStorage.clear());
    await page.goto('/signin/');
    await waitForHydration(page);
    await page
      .getByRole('dialog', { name: 'Welcome back' })
      .getByRole('button', { name: 'Sign in with a passkey' })
      .click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('heading', { level: 1, name: `Welcome, ${NAME}` }).waitFor();
    // The password's 403 mfa_required and the step-up challenge are the only failed answers.
    expect(errors.failures).toEqual(['403 POST /api/v1/auth/login', '401 POST /api/v1/users/me/passkeys/options']);
    expect(errors.console).toEqual([]);
  }, 60_000);
});
