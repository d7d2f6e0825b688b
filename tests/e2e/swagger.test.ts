// Swagger UI at /docs, in a real browser: its assets come from our own server (no CDN), and "Authorize" with an
// email and password runs the OAuth2 password flow against /api/v1/auth/login, after which "Try it out" on
// GET /users/me answers 200 with the signed-in user.
import { describe, expect, test } from 'vitest';
import { useBrowserSuite, watchConsole } from './harness';

const suite = useBrowserSuite();

describe('Swagger UI', () => {
  test('GET /docs loads from our origin only, and Authorize with email and password makes GET /users/me work', async () => {
    const email = `swagger.${Date.now()}@example.com`;
    const password = 'Swagger#Tryout9';
    const signup = await fetch(`${suite.server.url}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, full_name: 'Swagger Tester', password }),
    });
    expect(signup.status).toBe(201);

    const context = await suite.browser.newContext();
    const page = await context.newPage();
    const consoleProblems = watchConsole(page);
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(suite.server.url) && !request.url().startsWith('data:'))
        foreign.push(request.url());
    });

    const docs = await page.goto(`${suite.server.url}/docs`);
    // Its own strict policy (decision 0012): the one inline script by hash; a violation would show as a console error.
    const policy = (await docs?.allHeaders())?.['content-security-policy'] ?? '';
    expect(policy).toMatch(/(^|; )script-src 'self' 'sha256-[\w+/]+=*'(;|$)/);
    expect(policy).not.toContain('unsafe-inline');
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('#oauth_username').fill(email);
    await dialog.locator('#oauth_password').fill(password);
    const tokenResponse = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/login'));
    await dialog.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
    expect((await tokenResponse).status()).toBe(200);
    await expect.poll(() => dialog.locator('button', { hasText: 'Logout' }).count()).toBe(1);
    await dialog.locator('.btn-done').first().click();

    const operation = page.locator('#operations-Users-get_api_v1_users_me');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    const meResponse = page.waitForResponse((res) => res.url().endsWith('/api/v1/users/me'));
    await operation.getByRole('button', { name: 'Execute' }).click();
    const me = await meResponse;
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ email, full_name: 'Swagger Tester' });

    expect(foreign).toEqual([]);
    expect(consoleProblems).toEqual([]);
    await context.close();
  });
});
