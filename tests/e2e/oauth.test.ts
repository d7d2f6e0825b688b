// Sign in with Google and GitHub in a real browser, without the internet: the built server on http://localhost and
// the local providers of api/src/test (oidc-provider for Google, a GitHub stand-in) on 127.0.0.1 — two sites, as in
// production, so the flow cookie's SameSite=Lax is really tested. The providers' pages never redirect on their own:
// the test clicks their "Continue" button as a person would. Also the step-up dialog, connected accounts, and the
// `auth_error` messages a failed round trip lands with.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { type LocalGitHub, startLocalGitHub } from '../../api/src/test/local-github';
import { type LocalGoogle, startLocalGoogle } from '../../api/src/test/local-google';
import { githubAccount, googleAccount, oauthEnv } from '../../api/src/test/oauth';
import { freePort, newWatchedPage, shot, uniqueEmail, useBrowserSuite, waitForHydration } from './harness';

const PASSWORD = 'Analytical#Engine1';
// Several page loads and two origins per flow: more than the default 30 s on a busy machine.
const FLOW_TIMEOUT = 120_000;

const providers = {} as { google: LocalGoogle; github: LocalGitHub };

const suite = useBrowserSuite(async () => {
  const port = await freePort();
  const site = `http://localhost:${port}`;
  [providers.google, providers.github] = await Promise.all([
    startLocalGoogle({ redirectUris: [`${site}/api/v1/auth/oauth/google/callback`] }),
    startLocalGitHub(),
  ]);
  return { port, env: { ...oauthEnv(providers.google, providers.github), PUBLIC_APP_URL: site } };
});

const newPage = (viewport?: { width: number; height: number }) => newWatchedPage(suite, viewport);

async function createAccount(email: string, fullName = 'Ada Lovelace') {
  const response = await fetch(`${suite.server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, full_name: fullName, password: PASSWORD }),
  });
  expect(response.status).toBe(201);
}

async function signInWithPassword(page: Page, email: string) {
  await page.goto('/signin/');
  await waitForHydration(page);
  const dialog = page.getByRole('dialog', { name: 'Welcome back' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/dashboard');
}

/** On the provider's own page (another origin): press its button, as a person would. */
async function pressAtProvider(page: Page, origin: string, button: 'Continue' | 'Cancel' = 'Continue') {
  await page.waitForURL((url) => url.origin === origin);
  await page.getByRole('button', { name: button }).click();
}

const connectedAccounts = (page: Page) => page.getByRole('region', { name: 'Connected accounts' });

describe('OAuth in Chromium', () => {
  test(
    '"Continue with Google" on the sign-in modal, "Continue" at Google: signed in on the dashboard',
    async () => {
      const { page, errors } = await newPage();
      const account = googleAccount({ name: 'Grace Hopper' });
      providers.google.signInAs(account);

      await page.goto('/signin/');
      await waitForHydration(page);
      const dialog = page.getByRole('dialog', { name: 'Welcome back' });
      const google = dialog.getByRole('link', { name: 'Continue with Google' });
      await google.waitFor();
      expect(await dialog.getByRole('link', { name: 'Continue with GitHub' }).count()).toBe(1);
      await shot(page, 'signin-modal-1440');
      await google.click();

      await pressAtProvider(page, providers.google.issuer);
      await page.waitForURL('**/dashboard');
      await page.getByRole('heading', { level: 1, name: 'Welcome, Grace Hopper' }).waitFor();
      await page.goto('/settings');
      const section = connectedAccounts(page);
      await section.getByText(`Connected as ${account.email}`).waitFor();
      expect(await section.getByRole('button', { name: 'Connect GitHub' }).count()).toBe(1);
      // A reload keeps the session: the refresh cookie the callback set is the only credential.
      await page.reload();
      await section.getByText(`Connected as ${account.email}`).waitFor();
      expect(errors.console).toEqual([]);
      expect(errors.failures).toEqual([]);

      // The last way in cannot be removed. An account without a password steps up at its provider: the dialog offers
      // "Continue with Google", the round trip comes back here, and the second try gets the 409 explained.
      await page.setViewportSize({ width: 375, height: 800 });
      await section.getByRole('button', { name: 'Disconnect Google' }).click();
      const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
      await stepUp.getByRole('button', { name: 'Continue with Google' }).waitFor();
      await shot(page, 'step-up-provider-375');
      await stepUp.getByRole('button', { name: 'Continue with Google' }).click();
      // A step-up through Google asks for a fresh login (prompt=login, max_age=0): even with its session from the
      // sign-in above, the local Google shows its page again, and the step-up rests on that new login.
      await pressAtProvider(page, providers.google.issuer);
      await page.waitForURL('**/settings');
      await page.getByRole('status').filter({ hasText: "that's confirmed" }).waitFor();
      expect(page.url()).not.toContain('stepped_up');
      await connectedAccounts(page).getByRole('button', { name: 'Disconnect Google' }).click();
      await connectedAccounts(page).getByRole('alert').filter({ hasText: 'only way into your account' }).waitFor();
      await shot(page, 'connected-accounts-375');
      expect(errors.console).toEqual([]);
      // RFC 9470's challenge (the step-up asked for), then the last way in refused.
      expect(errors.failures).toEqual([
        '401 DELETE /api/v1/users/me/oauth/google',
        '409 DELETE /api/v1/users/me/oauth/google',
      ]);
    },
    FLOW_TIMEOUT,
  );

  test(
    'connecting GitHub from the settings asks "Confirm it\'s you" first, then "Continue" at GitHub',
    async () => {
      const { page, errors } = await newPage();
      const email = uniqueEmail('ada');
      await createAccount(email);
      await signInWithPassword(page, email);
      await page.goto('/settings');
      const gitHubAccount = githubAccount({ email: `octo.${email}` });
      providers.github.signInAs(gitHubAccount);

      const section = connectedAccounts(page);
      const connect = section.getByRole('button', { name: 'Connect GitHub' });
      await connect.click();
      const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
      await stepUp.getByLabel('Password', { exact: true }).waitFor();
      await page.waitForFunction(() => document.activeElement?.getAttribute('autocomplete') === 'current-password');
      await shot(page, 'step-up-1440');

      // Escape cancels: the dialog closes, focus is back on the button, nothing was sent to the provider.
      await page.keyboard.press('Escape');
      await stepUp.waitFor({ state: 'hidden' });
      expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Connect');
      expect(page.url()).toContain('/settings');

      await connect.click();
      await stepUp.getByLabel('Password', { exact: true }).fill('Wrong#Password1');
      await stepUp.getByRole('button', { name: 'Confirm' }).click();
      await stepUp.getByText('That password is not right.').waitFor();
      await stepUp.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await stepUp.getByRole('button', { name: 'Confirm' }).click();

      await pressAtProvider(page, `${new URL(providers.github.oauthBaseUrl).origin}`);
      await page.waitForURL('**/settings');
      await section.getByText('GitHub is connected.').waitFor();
      await section.getByText(`Connected as ${gitHubAccount.emails[1]?.email}`).waitFor();
      expect(page.url()).not.toContain('connected=');
      await page.setViewportSize({ width: 1440, height: 900 });
      await section.scrollIntoViewIfNeeded();
      await shot(page, 'connected-accounts-1440');

      // Within the step-up's few minutes, disconnecting asks nothing more; the password remains a way in.
      await section.getByRole('button', { name: 'Disconnect GitHub' }).click();
      await section.getByText('GitHub is disconnected.').waitFor();
      expect(await section.getByRole('button', { name: 'Connect GitHub' }).count()).toBe(1);
      // The challenge twice (cancelled, then answered), the wrong password once; nothing else failed.
      expect(errors.console).toEqual([]);
      expect(errors.failures).toEqual([
        '401 POST /api/v1/users/me/oauth/github/start',
        '401 POST /api/v1/users/me/oauth/github/start',
        '401 POST /api/v1/auth/reauthenticate',
      ]);
    },
    FLOW_TIMEOUT,
  );

  test(
    'a failed round trip lands with a plain sentence: GitHub never links by itself, Cancel at Google',
    async () => {
      const { page } = await newPage({ width: 375, height: 800 });
      const email = uniqueEmail('grace');
      await createAccount(email);
      providers.github.signInAs(githubAccount({ email }));

      await page.goto('/signin/');
      await waitForHydration(page);
      const dialog = page.getByRole('dialog', { name: 'Welcome back' });
      await dialog.getByRole('link', { name: 'Continue with GitHub' }).waitFor();
      await shot(page, 'signin-modal-375');
      await dialog.getByRole('link', { name: 'Continue with GitHub' }).click();
      await pressAtProvider(page, new URL(providers.github.oauthBaseUrl).origin);

      await page.waitForURL((url) => url.pathname === '/' && !url.search.includes('auth_error'));
      const alert = page.getByRole('dialog', { name: 'Welcome back' }).getByRole('alert');
      await alert.getByText('Sign in with your password, then connect the provider').waitFor();
      await shot(page, 'auth-error-375');

      providers.google.signInAs(googleAccount());
      await page
        .getByRole('dialog', { name: 'Welcome back' })
        .getByRole('link', { name: 'Continue with Google' })
        .click();
      await pressAtProvider(page, providers.google.issuer, 'Cancel');
      await page
        .getByRole('dialog', { name: 'Welcome back' })
        .getByRole('alert')
        .getByText('The sign-in was cancelled at the provider')
        .waitFor();
    },
    FLOW_TIMEOUT,
  );
});
