// The sign-up, sign-in and dashboard flows in a real browser, against the built server (`node api/dist/index.js`)
// on a fresh database. Every flow also asserts the console stayed clean: no errors, no uncaught exceptions, and no
// failed requests other than the ones the flow provokes on purpose.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactPath, uniqueEmail, useBrowserSuite, waitForHydration, watchConsole } from './harness';

const PASSWORD = 'Analytical#Engine1';
const failed = (status: string) => `Failed to load resource: the server responded with a status of ${status}`;

const suite = useBrowserSuite();

async function newPage(viewport = { width: 1440, height: 900 }) {
  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url });
  suite.contexts.push(context);
  const page = await context.newPage();
  const errors = watchConsole(page);
  return { context, page, errors };
}

async function openLanding(page: Page, path = '/') {
  await page.goto(path);
  await waitForHydration(page);
}

/** Creates an account through the API itself, for the flows that start signed out. */
async function createAccount(email: string, fullName = 'Grace Hopper') {
  const response = await fetch(`${suite.server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, full_name: fullName, password: PASSWORD }),
  });
  expect(response.status).toBe(201);
}

const activeElementId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
/** The form is its own chunk: focus reaches its first field once it has mounted, a moment after the dialog opens. */
const focusReaches = (page: Page, id: string) =>
  page.waitForFunction((expected) => document.activeElement?.id === expected, id, { timeout: 5_000 });
const activeElementText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

describe('auth flow in Chromium', () => {
  test('sign up → dashboard with the name → reload keeps the session → sign out → /dashboard asks to sign in', async () => {
    const { context, page, errors } = await newPage();
    await openLanding(page);

    await page.getByRole('link', { name: 'Get started' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create your account' });
    await dialog.waitFor();
    await focusReaches(page, 'signup-name');

    // The checklist lists every rule the server enforces: the API's passwordRules, ticked off as the visitor types,
    // and its passwordContextRules; "not a common password" waits for the server (its list stays there).
    const rules = dialog.getByRole('list', { name: 'Password requirements' });
    const met = () =>
      rules.locator('li').evaluateAll((items) => items.map((li) => `${li.dataset.rule}:${li.dataset.met}`));
    expect(
      await rules
        .locator('li')
        .evaluateAll((items) => items.map((li) => li.querySelector(':scope > span')?.firstChild?.textContent?.trim())),
    ).toEqual([
      '8–128 characters',
      'An upper-case letter',
      'A lower-case letter',
      'A digit',
      'A special character',
      'Not built from your email name',
      "Not the site's name (AI Bootcamp)",
      'Not a common password',
    ]);
    await dialog.getByLabel('Password', { exact: true }).fill('abc');
    expect(await met()).toEqual([
      'length:false',
      'upper:false',
      'lower:true',
      'digit:false',
      'special:false',
      'email-name:unknown',
      'site-name:true',
      'common:unknown',
    ]);
    // Live: the site's name, and (once the email is typed) the email's name.
    await dialog.getByLabel('Password', { exact: true }).fill('My-AIBootcamp-1');
    expect(await rules.locator('li[data-rule="site-name"]').getAttribute('data-state')).toBe('failed');
    const email = uniqueEmail('ada');
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Password', { exact: true }).fill(`${email.split('@')[0]}-X1`);
    expect(await rules.locator('li[data-rule="email-name"]').getAttribute('data-state')).toBe('failed');
    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
    expect(await met()).toEqual([
      'length:true',
      'upper:true',
      'lower:true',
      'digit:true',
      'special:true',
      'email-name:true',
      'site-name:true',
      'common:unknown',
    ]);
    expect(await rules.locator('li[data-rule="common"]').textContent()).toBe(
      'Not a common password (checked on submit): checked when you submit',
    );
    await page.screenshot({ path: artifactPath('signup-checklist-1440.png') });

    await dialog.getByLabel('Full name').fill('Ada Lovelace');
    // A double click submits once: the form is busy until the page leaves.
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(new URL(request.url()).pathname);
    });
    await dialog.getByRole('button', { name: 'Create account' }).dblclick();

    await page.waitForURL('**/dashboard');
    expect(posts.slice(0, 2)).toEqual(['/api/v1/auth/signup', '/api/v1/auth/login']);
    // A first visit (no lesson opened yet) says "Welcome"; the course comes first, the account is in Settings.
    const greeting = page.getByRole('heading', { level: 1, name: 'Welcome, Ada Lovelace' });
    await greeting.waitFor();
    await page.getByRole('region', { name: 'Course progress' }).getByRole('progressbar').first().waitFor();
    expect(await page.getByRole('region', { name: 'Profile' }).count()).toBe(0);
    await page.screenshot({ path: artifactPath('dashboard-1440.png'), fullPage: true });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL('**/settings');
    const profile = page.getByRole('region', { name: 'Profile' });
    await profile.waitFor();
    expect(await profile.textContent()).toContain(email);
    expect(await profile.textContent()).toContain('Student');
    expect(await profile.textContent()).toContain('Not verified yet');
    await page.goBack();
    // The dashboard is a new page: it starts its own session (one refresh). Wait for it, so that refresh is not
    // counted below as the reload's.
    await greeting.waitFor();
    await waitForHydration(page);

    // The refresh token is only in the HttpOnly cookie; the access token is in memory only.
    const cookies = await context.cookies();
    const refreshCookie = cookies.find((cookie) => cookie.name === '__Host-aibc_refresh');
    expect(refreshCookie).toMatchObject({ httpOnly: true, secure: true, path: '/', sameSite: 'Strict' });
    expect(cookies.filter((cookie) => cookie.name.includes('aibc_refresh'))).toHaveLength(1);
    expect(await page.evaluate(() => document.cookie)).not.toContain('aibc_refresh');
    const stored = await page.evaluate(() => Object.entries(localStorage).concat(Object.entries(sessionStorage)));
    expect(stored).toEqual([['aibc.session', '1']]);

    // Reload: the silent refresh brings the session back, and the two islands asking at once share one request.
    const refreshes: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/auth/refresh')) refreshes.push(request.method());
    });
    await page.reload();
    await greeting.waitFor();
    await waitForHydration(page);
    expect(refreshes).toEqual(['POST']);

    // The header's account menu signs out.
    await page.getByRole('banner').getByText('Account', { exact: true }).click();
    await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${suite.server.url}/`);
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
    expect((await context.cookies()).some((cookie) => cookie.name.includes('aibc_refresh'))).toBe(false);

    // Signed out, the dashboard sends the visitor to the landing page with the sign-in modal open (and `?auth=`
    // already taken out of the address).
    await page.goto('/dashboard');
    await page.getByRole('dialog', { name: 'Welcome back' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).search).toBe('');
    await focusReaches(page, 'signin-email');

    expect(errors).toEqual([]);
  });

  test('a wrong password says "Incorrect email or password"; the right one signs in', async () => {
    const email = uniqueEmail('grace');
    await createAccount(email);
    const { page, errors } = await newPage();
    await openLanding(page, '/?auth=signin');

    const dialog = page.getByRole('dialog', { name: 'Welcome back' });
    await dialog.waitFor();
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Password', { exact: true }).fill('Not-the-password-1');
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();

    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Incorrect email or password.');
    // The password is cleared and focused for the next try; the email stays.
    expect(await activeElementId(page)).toBe('signin-password');
    expect(await dialog.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    expect(await dialog.getByLabel('Email').inputValue()).toBe(email);

    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Welcome, Grace Hopper' }).waitFor();

    expect(errors).toEqual([failed('401 (Unauthorized)')]);
  });

  test('the modal traps focus, closes on Esc and on the backdrop, and gives focus back to its opener', async () => {
    const { page, errors } = await newPage();
    await openLanding(page);

    // Keyboard: focus the header's "Sign in" link and press Enter.
    const opener = page.getByRole('banner').getByRole('link', { name: 'Sign in' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Welcome back' });
    await dialog.waitFor();
    await focusReaches(page, 'signin-email');

    // Tab through every control and round again: the native modal <dialog> makes the page behind it inert, so focus
    // moves only among the dialog's controls (and, past the last, through the browser's own UI back to the first).
    const focusables = await dialog.evaluate(
      (element) =>
        [...element.querySelectorAll<HTMLElement>('a[href], button, input')].filter((el) => el.getClientRects().length)
          .length,
    );
    const seen: string[] = [];
    for (let index = 0; index < focusables + 2; index += 1) {
      await page.keyboard.press('Tab');
      seen.push(
        await page.evaluate(() => {
          const active = document.activeElement as HTMLElement | null;
          if (!active || active === document.body) return 'browser';
          const inside = Boolean(active.closest('dialog'));
          return `${inside ? 'in' : 'OUT'}:${active.id || active.getAttribute('aria-label') || active.textContent?.trim()}`;
        }),
      );
    }
    expect(seen.filter((entry) => entry.startsWith('OUT'))).toEqual([]);
    const last = 'in:Create an account';
    const first = 'in:Close';
    expect(seen).toContain(last);
    const afterLast = seen.slice(seen.indexOf(last) + 1).find((entry) => entry !== 'browser');
    expect(afterLast).toBe(first);
    // And Shift+Tab from the first never reaches the page behind.
    await dialog.getByRole('button', { name: 'Close' }).focus();
    await page.keyboard.press('Shift+Tab');
    expect(
      await page.evaluate(
        () =>
          !document.activeElement ||
          document.activeElement === document.body ||
          Boolean(document.activeElement.closest('dialog')),
      ),
    ).toBe(true);

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-open-modal'))).toBe('signin');
    expect(await activeElementText(page)).toBe('Sign in');

    // Mouse: the hero's call to action opens sign-up; a click on the backdrop closes it; focus goes back.
    await page.getByRole('link', { name: 'Start the bootcamp' }).click();
    const signup = page.getByRole('dialog', { name: 'Create your account' });
    await signup.waitFor();
    // Switching to sign-in and back keeps one dialog and carries the email over.
    await signup.getByLabel('Email').fill('someone@example.com');
    await signup.getByRole('link', { name: 'Sign in' }).click();
    await dialog.waitFor();
    expect(await dialog.getByLabel('Email').inputValue()).toBe('someone@example.com');
    await dialog.getByRole('link', { name: 'Create an account' }).click();
    await signup.waitFor();
    await page.mouse.click(8, 450);
    await signup.waitFor({ state: 'hidden' });
    expect(await activeElementText(page)).toBe('Start the bootcamp');

    expect(errors).toEqual([]);
  });

  test('the API’s answers in plain words: 409 offers sign-in, 422 lands on the field, 423 and 429 give the wait', async () => {
    const email = uniqueEmail('taken');
    await createAccount(email);
    const { page, errors } = await newPage();
    await openLanding(page, '/?auth=signup');
    const signup = page.getByRole('dialog', { name: 'Create your account' });
    await signup.waitFor();

    // 422 from the server only (the common-password list is too large for the browser): shown on the field.
    await signup.getByLabel('Full name').fill('Katherine Johnson');
    await signup.getByLabel('Email').fill(uniqueEmail('katherine'));
    await signup.getByLabel('Password', { exact: true }).fill('Password1!');
    await signup.getByRole('button', { name: 'Create account' }).click();
    const passwordError = signup.locator('#signup-password-error');
    await passwordError.waitFor();
    expect(await passwordError.textContent()).toContain('too common');
    expect(await signup.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // The checklist's server-side line turns red with it; every browser-checked line was met.
    const commonRule = signup.locator('li[data-rule="common"]');
    expect(await commonRule.getAttribute('data-state')).toBe('failed');
    expect(await commonRule.textContent()).toBe('Not a common password: not met');
    expect(await signup.locator('li[data-rule]').evaluateAll((items) => items.map((li) => li.dataset.state))).toEqual([
      'met',
      'met',
      'met',
      'met',
      'met',
      'met',
      'met',
      'failed',
    ]);
    for (const width of [375, 1440]) {
      await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
      await signup.getByLabel('Password', { exact: true }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath(`signup-checklist-common-${width}.png`) });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    // 409: the email has an account; the link switches to sign-in with the email filled in.
    await signup.getByLabel('Email').fill(email);
    await signup.getByLabel('Password', { exact: true }).fill(PASSWORD);
    // Another password: the server's verdict is old news, the line waits for the next submit again.
    expect(await commonRule.getAttribute('data-state')).toBe('pending');
    await signup.getByRole('button', { name: 'Create account' }).click();
    const alert = signup.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('That email already has an account — sign in?');
    await alert.getByRole('link', { name: 'sign in?' }).click();
    const signin = page.getByRole('dialog', { name: 'Welcome back' });
    await signin.waitFor();
    expect(await signin.getByLabel('Email').inputValue()).toBe(email);
    await focusReaches(page, 'signin-password');

    // 423: the fifth wrong password locks the email; the next answer names the minutes left.
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      await signin.getByLabel('Password', { exact: true }).fill(`Wrong-password-${attempt}`);
      await Promise.all([
        page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/login')),
        signin.getByRole('button', { name: 'Sign in', exact: true }).click(),
      ]);
      await signin.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    }
    expect(await signin.getByRole('alert').textContent()).toBe(
      'Too many failed sign-ins: this account is locked for now. Try again in 30 minutes. ' +
        'Reset your password to unlock it now',
    );

    // 429 (faked here: the test server's limits are high) and a network failure.
    await page.route('**/api/v1/auth/login', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '42' },
        body: JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Slow down.' }),
      }),
    );
    await signin.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signin.getByText('Too many attempts from your network. Wait 42 seconds and try again.').waitFor();
    await page.unroute('**/api/v1/auth/login');
    await page.route('**/api/v1/auth/login', (route) => route.abort('internetdisconnected'));
    await signin.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signin.getByText("Can't reach the server — check your connection and try again.").waitFor();

    expect(errors).toEqual([
      failed('422 (Unprocessable Entity)'),
      failed('409 (Conflict)'),
      ...Array.from({ length: 5 }, () => failed('401 (Unauthorized)')),
      failed('423 (Locked)'),
      failed('429 (Too Many Requests)'),
      'Failed to load resource: net::ERR_INTERNET_DISCONNECTED',
    ]);
  });

  test('the sign-in modal warns from 2 attempts left, and once locked offers the reset that unlocks it', async () => {
    for (const viewport of [
      { width: 375, height: 812 },
      { width: 1440, height: 900 },
    ]) {
      const email = uniqueEmail('lockout');
      await createAccount(email);
      const { page, errors } = await newPage(viewport);
      await openLanding(page, '/?auth=signin');
      const signin = page.getByRole('dialog', { name: 'Welcome back' });
      await signin.waitFor();
      await signin.getByLabel('Email').fill(email);
      const alert = signin.getByRole('alert');
      const lock = 'sign-in is now locked for 30 minutes.';
      const expected = [
        'Incorrect email or password.',
        'Incorrect email or password.',
        'Incorrect email or password. 2 attempts left before sign-in is locked for 30 minutes.',
        'Incorrect email or password. 1 attempt left before sign-in is locked for 30 minutes.',
        `Incorrect email or password. Too many failed attempts: ${lock} Reset your password to unlock it now`,
        'Too many failed sign-ins: this account is locked for now. Try again in 30 minutes. ' +
          'Reset your password to unlock it now',
      ];
      for (const [index, text] of expected.entries()) {
        await signin.getByLabel('Password', { exact: true }).fill(`Wrong-password-${index}`);
        await Promise.all([
          page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/login')),
          signin.getByRole('button', { name: 'Sign in', exact: true }).click(),
        ]);
        await signin.getByRole('alert').filter({ hasText: text }).waitFor();
        expect(await alert.textContent()).toBe(text);
        if (index === 2) await page.screenshot({ path: artifactPath(`lockout-warning-${viewport.width}.png`) });
      }
      await page.screenshot({ path: artifactPath(`lockout-locked-${viewport.width}.png`) });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);

      // The link is a real one (/reset-password in a new tab) that swaps the modal, carrying the email over.
      const reset = alert.getByRole('link', { name: 'Reset your password to unlock it now' });
      expect(await reset.getAttribute('href')).toBe('/reset-password');
      await reset.click();
      const forgot = page.getByRole('dialog', { name: 'Reset your password' });
      await forgot.waitFor();
      expect(await forgot.getByLabel('Email').inputValue()).toBe(email);

      expect(errors).toEqual([
        ...Array.from({ length: 5 }, () => failed('401 (Unauthorized)')),
        failed('423 (Locked)'),
      ]);
    }
  });

  test('without JavaScript, "Get started" and "Sign in" lead to pages that say what works: the lessons', async () => {
    for (const viewport of [
      { width: 375, height: 812 },
      { width: 1440, height: 900 },
    ]) {
      const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url, javaScriptEnabled: false });
      suite.contexts.push(context);
      const page = await context.newPage();
      const errors = watchConsole(page);
      await page.goto('/');

      await page.getByRole('banner').getByRole('link', { name: 'Get started' }).click();
      await page.waitForURL('**/signup/');
      await page.getByRole('heading', { level: 1, name: 'Create your free account' }).waitFor();
      await page.getByRole('heading', { name: 'Signing in needs JavaScript' }).waitFor();
      // No button that would do nothing: the modal's triggers are hidden, the lessons are offered instead.
      expect(await page.getByRole('link', { name: 'Create your account' }).isVisible()).toBe(false);
      await page.screenshot({ path: artifactPath(`nojs-signup-${viewport.width}.png`), fullPage: true });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      const lessons = page.getByRole('main').getByRole('link', { name: 'the curriculum' });
      expect(await lessons.isVisible()).toBe(true);

      // "Sign in": in the header on a wide screen, in the landing page's closing call on a phone.
      await page.goto('/');
      const signIn =
        viewport.width < 640
          ? page.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }).last()
          : page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true });
      await signIn.click();
      await page.waitForURL('**/signin/');
      await page.getByRole('heading', { level: 1, name: 'Sign in to AI Bootcamp' }).waitFor();
      await page.getByRole('heading', { name: 'Signing in needs JavaScript' }).waitFor();
      expect(await page.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }).isVisible()).toBe(false);
      const curriculum = page.getByRole('main').getByRole('link', { name: 'the curriculum' });
      const href = await curriculum.getAttribute('href');
      await curriculum.click();
      await page.waitForURL(`**${href}`);
      expect((await page.request.get(href ?? '/')).status()).toBe(200);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      expect(errors).toEqual([]);
    }
  });

  test('a 401 on a call triggers one refresh and one retry', async () => {
    const email = uniqueEmail('retry');
    await createAccount(email, 'Mary Jackson');
    const { page, errors } = await newPage();
    await openLanding(page, '/?auth=signin');
    const dialog = page.getByRole('dialog', { name: 'Welcome back' });
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);

    // The first progress call is answered as if the access token had expired.
    let progressCalls = 0;
    await page.route('**/api/v1/users/me/progress', async (route) => {
      progressCalls += 1;
      if (progressCalls === 1) {
        await route.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401}' });
      } else {
        await route.continue();
      }
    });
    const refreshes: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/auth/refresh')) refreshes.push(request.url());
    });

    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('region', { name: 'Course progress' }).getByRole('progressbar').first().waitFor();
    // One refresh on arrival (the token from the sign-in stayed with the landing page) and one for the 401.
    expect(refreshes).toHaveLength(2);
    expect(progressCalls).toBe(2);
    expect(errors).toEqual([failed('401 (Unauthorized)')]);
  });

  test('the dashboard on a phone', async () => {
    const email = uniqueEmail('mobile');
    await createAccount(email, 'Dorothy Vaughan');
    const { page, errors } = await newPage({ width: 375, height: 812 });
    await openLanding(page, '/?auth=signin');
    const dialog = page.getByRole('dialog', { name: 'Welcome back' });
    await dialog.waitFor();
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.screenshot({ path: artifactPath('signin-modal-375.png') });
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('region', { name: 'Course progress' }).getByRole('progressbar').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: artifactPath('dashboard-375.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
