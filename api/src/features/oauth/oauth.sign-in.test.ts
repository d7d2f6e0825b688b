import { describe, expect, it } from 'vitest';
import { refreshCookieName } from '../../auth/refresh-cookie';
import { hashToken } from '../../auth/tokens';
import { api, client, createUser, DEFAULT_PASSWORD, loginAs, uniqueEmail, withStatus } from '../../test/fixtures';
import {
  accessTokenFrom,
  accountFlow,
  approveAtProvider,
  callbackAtApp,
  cookieValue,
  githubAccount,
  googleAccount,
  PUBLIC_APP_URL,
  signInWith,
  startSignIn,
  useOAuthTestApp,
} from '../../test/oauth';
import { startTestApp } from '../../test/setup';

const suite = useOAuthTestApp();

const counts = async () => {
  const [row] = await suite.app.sql`
    select
      (select count(*)::int from users) as users,
      (select count(*)::int from oauth_accounts) as links,
      (select count(*)::int from sessions) as sessions
  `;
  return row as { users: number; links: number; sessions: number };
};

// The user a provider sign-in signed in, as the site sees it after its silent refresh.
async function userOf(refreshToken: string | undefined) {
  const token = await accessTokenFrom(suite.app, refreshToken ?? '');
  return withStatus(await client(suite.app, token).api.v1.users.me.$get(), 200).json();
}

function expectFailure(res: { status: number; location: string | null; cookies: Map<string, string> }, code: string) {
  expect(res.status).toBe(303);
  expect(res.location).toBe(`${PUBLIC_APP_URL}/?auth_error=${code}`);
  expect(res.cookies.get(refreshCookieName('test'))).toBeUndefined();
  // The flow cookie is cleared whatever happened.
  expect(res.cookies.get('aibc_oauth_flow')).toMatch(/^aibc_oauth_flow=; Max-Age=0; Path=\/api\/v1\/auth\/oauth/);
}

describe('GET /auth/oauth/providers', () => {
  it('GET /auth/oauth/providers lists the configured providers', async () => {
    const res = await client(suite.app).api.v1.auth.oauth.providers.$get();
    expect(await withStatus(res, 200).json()).toEqual([
      { id: 'google', name: 'Google' },
      { id: 'github', name: 'GitHub' },
    ]);
  });

  it('GET /auth/oauth/providers is empty without provider configuration, and start answers 404', async () => {
    const bare = await startTestApp(suite.db.url, { migrate: false });
    try {
      const list = await client(bare).api.v1.auth.oauth.providers.$get();
      expect(await withStatus(list, 200).json()).toEqual([]);
      const start = await client(bare).api.v1.auth.oauth[':provider'].start.$get({
        param: { provider: 'google' },
        query: {},
      });
      expect((await withStatus(start, 404).json()).detail).toBe(
        'Sign-in with Google is not configured on this server.',
      );
      expect(start.headers.get('set-cookie')).toBeNull();
    } finally {
      await bare.close();
    }
  });
});

describe('GET /auth/oauth/{provider}/start', () => {
  it('GET /auth/oauth/google/start redirects with PKCE S256, state and nonce, and sets only a flow id cookie', async () => {
    const { response, authorizationUrl, flowCookie } = await startSignIn(suite.app, 'google');
    expect(response.status).toBe(302);
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(suite.google.issuer);
    const params = url.searchParams;
    expect(params.get('client_id')).toBe(suite.google.clientId);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('redirect_uri')).toBe(`${PUBLIC_APP_URL}/api/v1/auth/oauth/google/callback`);
    expect(params.get('scope')).toBe('openid email profile');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')?.length).toBeGreaterThanOrEqual(43);
    expect(params.get('nonce')?.length).toBeGreaterThanOrEqual(43);
    expect(response.headers.get('cache-control')).toBe('no-store');

    const cookie = response.cookies.get('aibc_oauth_flow') ?? '';
    expect(cookie.split('; ').slice(1).sort()).toEqual(
      ['HttpOnly', 'Max-Age=600', 'Path=/api/v1/auth/oauth', 'SameSite=Lax', 'Secure'].sort(),
    );
    // The database keeps hashes of the flow id and the state, never the values the browser and URL carry.
    const [flow] = await suite.app.sql`
      select * from oauth_flows where id_hash = ${hashToken(flowCookie)}
    `;
    expect(flow).toMatchObject({
      provider: 'google',
      purpose: 'sign_in',
      user_id: null,
      state_hash: hashToken(params.get('state') ?? ''),
      nonce: params.get('nonce'),
      return_to: '/dashboard',
    });
    expect(JSON.stringify(flow)).not.toContain(flowCookie);
    expect(JSON.stringify(flow)).not.toContain(params.get('state'));
  });

  it('GET /auth/oauth/github/start asks for the profile and email scopes, with PKCE and no nonce', async () => {
    const { authorizationUrl } = await startSignIn(suite.app, 'github');
    const url = new URL(authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${suite.github.oauthBaseUrl}/login/oauth/authorize`);
    expect(url.searchParams.get('scope')).toBe('read:user user:email');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('nonce')).toBeNull();
  });

  it('GET /auth/oauth/{provider}/start with an unknown provider returns 422', async () => {
    // A provider the typed client would refuse to name.
    const res = await api(suite.app, '/api/v1/auth/oauth/facebook/start');
    expect(res.status).toBe(422);
  });
});

describe('GET /auth/oauth/{provider}/callback sign-in', () => {
  it('Google sign-in for a new email creates a verified account without a password and lands signed in', async () => {
    const account = googleAccount({ name: 'Ada Lovelace' });
    suite.google.signInAs(account);
    const res = await signInWith(suite.app, 'google');
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const refresh = res.cookies.get(refreshCookieName('test')) ?? '';
    expect(refresh).toMatch(/; Path=\/; /);
    expect(refresh).toMatch(/HttpOnly/);
    expect(refresh).toMatch(/SameSite=Strict/);

    // The site's silent refresh picks the session up.
    const token = await accessTokenFrom(suite.app, res.refreshToken ?? '');
    const me = await withStatus(await client(suite.app, token).api.v1.users.me.$get(), 200).json();
    expect(me).toMatchObject({
      email: account.email,
      full_name: 'Ada Lovelace',
      is_verified: true,
      role: 'student',
    });

    const [user] = await suite.app.sql`select hashed_password from users where id = ${me.id}`;
    expect(user?.hashed_password).toBeNull();
    const links = await suite.app.sql`
      select provider, provider_account_id, email, last_used_at from oauth_accounts where user_id = ${me.id}
    `;
    expect(links).toEqual([
      { provider: 'google', provider_account_id: account.sub, email: account.email, last_used_at: expect.any(Date) },
    ]);
    const audit = await suite.app.sql`select event, metadata from audit_logs where user_id = ${me.id} order by id`;
    expect(audit.map((row) => row.event)).toEqual(['signup', 'oauth_login', 'refresh']);
    expect(audit[0]?.metadata).toEqual({ method: 'google' });
    expect(audit[1]?.metadata).toMatchObject({ method: 'google' });
  });

  it('Google sign-in with an unverified email makes an unverified account', async () => {
    const account = googleAccount({ email_verified: false });
    suite.google.signInAs(account);
    const res = await signInWith(suite.app, 'google');
    expect(res.status).toBe(303);
    const [user] = await suite.app.sql`select is_verified from users where email = ${account.email}`;
    expect(user?.is_verified).toBe(false);
  });

  it('Google sign-in again with the same subject signs the same user in and marks the link used', async () => {
    const account = googleAccount();
    suite.google.signInAs(account);
    const first = await signInWith(suite.app, 'google');
    const firstUser = await userOf(first.refreshToken);
    suite.app.clock.advance(60);
    // Same subject, new address and name at Google: still the same account.
    suite.google.signInAs({ ...account, email: uniqueEmail('renamed'), name: 'Someone Else' });
    const second = await signInWith(suite.app, 'google');
    const secondUser = await userOf(second.refreshToken);
    expect(secondUser.id).toBe(firstUser.id);
    expect(secondUser.email).toBe(account.email);
    const [link] = await suite.app.sql`select last_used_at from oauth_accounts where user_id = ${firstUser.id}`;
    expect(link?.last_used_at).toEqual(suite.app.clock.now());
  });

  it('GitHub sign-in keys the account by the numeric id and takes the primary verified email', async () => {
    const account = githubAccount({ name: null, login: 'first-login' });
    suite.github.signInAs(account);
    const res = await signInWith(suite.app, 'github');
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    const me = await userOf(res.refreshToken);
    const primary = account.emails.find((entry) => entry.primary)?.email;
    expect(me).toMatchObject({ email: primary, full_name: 'first-login', is_verified: true });
    const [link] = await suite.app.sql`select provider_account_id from oauth_accounts where user_id = ${me.id}`;
    expect(link?.provider_account_id).toBe(String(account.id));

    // The login renamed at GitHub (and the old one taken by someone else): the id still finds the same account.
    suite.github.signInAs({ ...account, login: 'renamed-login' });
    const again = await signInWith(suite.app, 'github');
    const meAgain = await userOf(again.refreshToken);
    expect(meAgain.id).toBe(me.id);
    const before = await counts();
    suite.github.signInAs(githubAccount({ login: 'first-login' }));
    const impostor = await signInWith(suite.app, 'github');
    const impostorMe = await userOf(impostor.refreshToken);
    expect(impostorMe.id).not.toBe(me.id);
    expect((await counts()).users).toBe(before.users + 1);
  });

  it('GitHub sign-in without a verified primary email creates nothing: oauth_email_unverified', async () => {
    const account = githubAccount({ verified: false });
    suite.github.signInAs(account);
    const before = await counts();
    const res = await signInWith(suite.app, 'github');
    expectFailure(res, 'oauth_email_unverified');
    expect(await counts()).toEqual(before);
  });

  it('GitHub sign-in lands on a same-origin return_to with its query string', async () => {
    suite.github.signInAs(githubAccount());
    const res = await signInWith(suite.app, 'github', '/dashboard?tab=progress&x=1');
    expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard?tab=progress&x=1`);
  });

  it('return_to that is not a same-origin path becomes /dashboard', async () => {
    const attempts = [
      'https://evil.example/steal',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      'dashboard',
      `/${'a'.repeat(1100)}`,
      '/%0d%0aSet-Cookie:x=1',
    ];
    for (const returnTo of attempts) {
      const { response, flowCookie } = await startSignIn(suite.app, 'github', returnTo);
      const [flow] = await suite.app.sql`select return_to from oauth_flows where id_hash = ${hashToken(flowCookie)}`;
      expect(response.status, returnTo).toBe(302);
      if (returnTo.startsWith('/%0d')) {
        // An encoded CR LF stays encoded: a path, never a header.
        expect(flow?.return_to).toBe('/%0d%0aSet-Cookie:x=1');
      } else {
        expect(flow?.return_to, returnTo).toBe('/dashboard');
      }
    }
    suite.github.signInAs(githubAccount());
    const res = await signInWith(suite.app, 'github', '//evil.example/path');
    expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
  });

  it('a password login for an account made through a provider gets the ordinary 401', async () => {
    const account = githubAccount();
    suite.github.signInAs(account);
    await signInWith(suite.app, 'github');
    const email = account.emails.find((entry) => entry.primary)?.email;
    const res = await client(suite.app).api.v1.auth.login.$post({
      json: { email: email ?? '', password: DEFAULT_PASSWORD },
    });
    expect((await withStatus(res, 401).json()).detail).toBe('Incorrect email or password.');
  });

  it('a provider sign-in neither counts toward nor resets the password lockout', async () => {
    const user = await createUser(suite.app, { email: uniqueEmail('lockout') });
    const token = (await loginAs(suite.app, user)).access_token;
    // Link Google to the password account through the dashboard route (step-up first).
    await client(suite.app, token).api.v1.auth.reauthenticate.$post({ json: { password: user.password } });
    const account = googleAccount({ email: user.email });
    suite.google.signInAs(account);
    const linked = await accountFlow(suite.app, 'google', token, { purpose: 'link' });
    expect(linked.callback?.location).toBe(`${PUBLIC_APP_URL}/dashboard`);

    for (let i = 0; i < 4; i++) {
      await client(suite.app).api.v1.auth.login.$post({ json: { email: user.email, password: 'Wrong-Pa55word!' } });
    }
    const [before] = await suite.app.sql`select failed_count from login_attempts where email = ${user.email}`;
    expect(before?.failed_count).toBe(4);
    expect((await signInWith(suite.app, 'google')).status).toBe(303);
    const [after] = await suite.app.sql`select failed_count from login_attempts where email = ${user.email}`;
    expect(after?.failed_count).toBe(4);
  });
});

describe('GET /auth/oauth/{provider}/callback refuses a bad flow', () => {
  it('a callback without the flow cookie creates nothing: oauth_state', async () => {
    suite.github.signInAs(githubAccount());
    const flow = await startSignIn(suite.app, 'github');
    const callbackUrl = await approveAtProvider(flow.authorizationUrl);
    const before = await counts();
    const res = await callbackAtApp(suite.app, callbackUrl, undefined);
    expectFailure(res, 'oauth_state');
    expect(await counts()).toEqual(before);
    // The flow was not spent: the real browser (with its cookie) still finishes it.
    const real = await callbackAtApp(suite.app, callbackUrl, flow.flowCookie);
    expect(real.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
  });

  it("a callback with another browser's flow cookie creates nothing: oauth_state", async () => {
    suite.github.signInAs(githubAccount());
    const victim = await startSignIn(suite.app, 'github');
    const attacker = await startSignIn(suite.app, 'github');
    const attackerCallback = await approveAtProvider(attacker.authorizationUrl);
    const before = await counts();
    // Login CSRF: the attacker's callback URL opened in the victim's browser.
    const res = await callbackAtApp(suite.app, attackerCallback, victim.flowCookie);
    expectFailure(res, 'oauth_state');
    expect(await counts()).toEqual(before);
  });

  it('a tampered state creates nothing: oauth_state', async () => {
    suite.github.signInAs(githubAccount());
    const flow = await startSignIn(suite.app, 'github');
    const callbackUrl = new URL(await approveAtProvider(flow.authorizationUrl));
    callbackUrl.searchParams.set('state', `${callbackUrl.searchParams.get('state')}x`);
    const before = await counts();
    expectFailure(await callbackAtApp(suite.app, callbackUrl.href, flow.flowCookie), 'oauth_state');
    callbackUrl.searchParams.delete('state');
    expectFailure(await callbackAtApp(suite.app, callbackUrl.href, flow.flowCookie), 'oauth_state');
    expect(await counts()).toEqual(before);
  });

  it('a tampered code spends the flow and creates nothing: oauth_failed (GitHub answers its error as 200)', async () => {
    suite.github.signInAs(githubAccount());
    const flow = await startSignIn(suite.app, 'github');
    const callbackUrl = new URL(await approveAtProvider(flow.authorizationUrl));
    callbackUrl.searchParams.set('code', 'not-the-code');
    const requests = suite.github.tokenRequests.length;
    const before = await counts();
    expectFailure(await callbackAtApp(suite.app, callbackUrl.href, flow.flowCookie), 'oauth_failed');
    expect(suite.github.tokenRequests.length).toBe(requests + 1);
    expect(suite.github.tokenRequests.at(-1)).toMatchObject({ code: 'not-the-code', grant_type: 'authorization_code' });
    expect(await counts()).toEqual(before);
    const [audit] = await suite.app.sql`
      select metadata from audit_logs where event = 'oauth_failed' order by id desc limit 1
    `;
    expect(audit?.metadata).toMatchObject({ provider: 'github', code: 'oauth_failed' });
  });

  it('a replayed callback finds the flow spent: one session, then oauth_state', async () => {
    suite.google.signInAs(googleAccount());
    const flow = await startSignIn(suite.app, 'google');
    const callbackUrl = await approveAtProvider(flow.authorizationUrl);
    const first = await callbackAtApp(suite.app, callbackUrl, flow.flowCookie);
    expect(first.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    const before = await counts();
    expectFailure(await callbackAtApp(suite.app, callbackUrl, flow.flowCookie), 'oauth_state');
    expect(await counts()).toEqual(before);
  });

  it('parallel callbacks of one flow give exactly one session', async () => {
    const account = githubAccount();
    suite.github.signInAs(account);
    const flow = await startSignIn(suite.app, 'github');
    const callbackUrl = await approveAtProvider(flow.authorizationUrl);
    const before = await counts();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => callbackAtApp(suite.app, callbackUrl, flow.flowCookie)),
    );
    const signedIn = results.filter((res) => res.location === `${PUBLIC_APP_URL}/dashboard`);
    expect(signedIn).toHaveLength(1);
    for (const res of results.filter((r) => r !== signedIn[0])) expectFailure(res, 'oauth_state');
    expect(await counts()).toEqual({ users: before.users + 1, links: before.links + 1, sessions: before.sessions + 1 });
  });

  it('parallel first sign-ins of one new provider account (several flows) make one account', async () => {
    // Six flows, so the callbacks interleave every way: one makes the account and its link, and each other one finds
    // them whichever of its lookups (by link, by email) ran before that commit and whichever after.
    const account = githubAccount();
    suite.github.signInAs(account);
    const flows = await Promise.all(Array.from({ length: 6 }, () => startSignIn(suite.app, 'github')));
    const callbacks = await Promise.all(flows.map((flow) => approveAtProvider(flow.authorizationUrl)));
    const before = await counts();
    const results = await Promise.all(
      flows.map((flow, i) => callbackAtApp(suite.app, callbacks[i] ?? '', flow.flowCookie)),
    );
    for (const res of results) expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    expect(await counts()).toEqual({ users: before.users + 1, links: before.links + 1, sessions: before.sessions + 6 });
  });

  it('a flow older than 10 minutes creates nothing: oauth_state', async () => {
    suite.github.signInAs(githubAccount());
    const flow = await startSignIn(suite.app, 'github');
    const callbackUrl = await approveAtProvider(flow.authorizationUrl);
    suite.app.clock.advance(601);
    const before = await counts();
    expectFailure(await callbackAtApp(suite.app, callbackUrl, flow.flowCookie), 'oauth_state');
    expect(await counts()).toEqual(before);
  });

  it('a flow of another provider does not finish here: oauth_state', async () => {
    suite.github.signInAs(githubAccount());
    const flow = await startSignIn(suite.app, 'github');
    const callbackUrl = (await approveAtProvider(flow.authorizationUrl)).replace(
      '/github/callback',
      '/google/callback',
    );
    expectFailure(await callbackAtApp(suite.app, callbackUrl, flow.flowCookie), 'oauth_state');
  });

  it('Cancel at the provider (error=access_denied) spends the flow and creates nothing: oauth_denied', async () => {
    for (const provider of ['google', 'github'] as const) {
      suite.google.signInAs(googleAccount());
      suite.github.signInAs(githubAccount());
      const flow = await startSignIn(suite.app, provider);
      const callbackUrl = await approveAtProvider(flow.authorizationUrl, { decision: 'cancel' });
      expect(new URL(callbackUrl).searchParams.get('error')).toBe('access_denied');
      const before = await counts();
      expectFailure(await callbackAtApp(suite.app, callbackUrl, flow.flowCookie), 'oauth_denied');
      expect(await counts()).toEqual(before);
      expectFailure(await callbackAtApp(suite.app, callbackUrl, flow.flowCookie), 'oauth_state');
    }
  });

  it('a disabled account gets account_disabled and no session', async () => {
    const account = githubAccount();
    suite.github.signInAs(account);
    const first = await signInWith(suite.app, 'github');
    expect(first.status).toBe(303);
    const email = account.emails.find((entry) => entry.primary)?.email ?? '';
    await suite.app.sql`update users set is_active = false where email = ${email}`;
    const before = await counts();
    const res = await signInWith(suite.app, 'github');
    expectFailure(res, 'account_disabled');
    expect(await counts()).toEqual(before);
    const [audit] = await suite.app.sql`
      select event, metadata from audit_logs where email = ${email} order by id desc limit 1
    `;
    expect(audit).toEqual({ event: 'login_disabled', metadata: { method: 'github' } });
  });

  it('the flow cookie value alone is useless: a start cookie with a forged state param finds nothing', async () => {
    const flow = await startSignIn(suite.app, 'google');
    const forged = `${PUBLIC_APP_URL}/api/v1/auth/oauth/google/callback?code=x&state=${encodeURIComponent('guess')}`;
    expectFailure(await callbackAtApp(suite.app, forged, flow.flowCookie), 'oauth_state');
    expect(cookieValue(flow.response.cookies.get('aibc_oauth_flow'))).toBe(flow.flowCookie);
  });

  it('a callback with hostile query values or cookie answers a 303, never a 500', async () => {
    const values = ['a%00b', '%ED%A0%80', 'x'.repeat(5000), '%0d%0aLocation:%20https://evil.example', '{"$ne":null}'];
    for (const value of values) {
      for (const query of [
        `state=${value}&code=${value}`,
        `error=${value}&state=${value}`,
        `state=s&state=t&code=${value}`,
      ]) {
        const res = await callbackAtApp(
          suite.app,
          `${PUBLIC_APP_URL}/api/v1/auth/oauth/github/callback?${query}`,
          value.slice(0, 200),
        );
        expect(res.status, query.slice(0, 60)).toBe(303);
        expect(res.location).toBe(`${PUBLIC_APP_URL}/?auth_error=oauth_state`);
      }
    }
    const { flowCookie } = await startSignIn(suite.app, 'github', '\u0000'.repeat(10));
    const [flow] = await suite.app.sql`select return_to from oauth_flows where id_hash = ${hashToken(flowCookie)}`;
    expect(flow?.return_to).toBe('/dashboard');
  });
});
