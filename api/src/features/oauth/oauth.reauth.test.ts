import { describe, expect, it } from 'vitest';
import { client, withStatus } from '../../test/fixtures';
import {
  accessTokenFrom,
  accountFlow,
  githubAccount,
  googleAccount,
  PUBLIC_APP_URL,
  signInWith,
  useOAuthTestApp,
} from '../../test/oauth';

// A step-up through a provider must prove a login made for it (API.md "Step-up"): with a provider session still live
// the provider would otherwise send the browser straight back, and "recent authentication" would prove nothing.
// Google (OIDC): the request carries prompt=login and max_age=0, and the ID token's auth_time must be at or after the
// flow's creation. GitHub has no such thing: prompt=select_account only (see oauth.providers.ts).

const suite = useOAuthTestApp();

// An account made through Google (no password), signed in; `jar` keeps the browser's session at Google.
async function googleOnlyUser() {
  const account = googleAccount();
  const jar = new Map<string, string>();
  suite.google.signInAs(account);
  const res = await signInWith(suite.app, 'google', undefined, { jar });
  const token = await accessTokenFrom(suite.app, res.refreshToken ?? '');
  const me = await withStatus(await client(suite.app, token).api.v1.users.me.$get(), 200).json();
  return { id: me.id, token, account, jar };
}

async function stampedSessions(userId: string) {
  const [row] = await suite.app.sql`
    select count(*) filter (where reauthenticated_at is not null)::int as stamped from sessions where user_id = ${userId}
  `;
  return row?.stamped as number;
}

async function lastFailure(userId: string) {
  const [row] = await suite.app.sql`
    select metadata from audit_logs where user_id = ${userId} and event = 'oauth_failed' order by id desc limit 1
  `;
  return row?.metadata as Record<string, unknown> | undefined;
}

describe('Google step-up forces a fresh login', () => {
  it('with a live Google session a sign-in returns at once, but a step-up shows the login page again and stamps the session', async () => {
    const user = await googleOnlyUser();
    // The baseline: the browser's Google session is live, so a plain sign-in needs no page at Google at all.
    const silent: string[] = [];
    const again = await signInWith(suite.app, 'google', undefined, { jar: user.jar, pagesShown: silent });
    expect(again.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    expect(silent).toEqual([]);

    const pagesShown: string[] = [];
    const { start, callback, authorizationUrl } = await accountFlow(
      suite.app,
      'google',
      user.token,
      { purpose: 'reauth', return_to: '/dashboard?confirmed=1' },
      { jar: user.jar, pagesShown },
    );
    expect(start.status).toBe(200);
    const sent = new URL(authorizationUrl ?? '').searchParams;
    expect(sent.get('prompt')).toBe('login');
    expect(sent.get('max_age')).toBe('0');
    // Google asked again despite its session.
    expect(pagesShown).toHaveLength(1);
    expect(pagesShown[0]).toMatch(/\/interaction\//);
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/dashboard?confirmed=1`);
    expect(await stampedSessions(user.id)).toBe(1);
    const authTime = (
      JSON.parse(Buffer.from(suite.google.issuedIdTokens.at(-1)?.split('.')[1] ?? '', 'base64url').toString()) as {
        auth_time?: number;
      }
    ).auth_time;
    expect(authTime).toBeGreaterThanOrEqual(Math.floor(suite.app.clock.now().getTime() / 1000));
  });

  it('an ID token whose auth_time is an hour old is refused by the library check and stamps nothing', async () => {
    const user = await googleOnlyUser();
    suite.google.signInAs(user.account);
    suite.google.tamperNextIdToken(({ claims, sign }) =>
      sign({ ...claims, auth_time: Math.floor(Date.now() / 1000) - 3600 }),
    );
    const { callback } = await accountFlow(suite.app, 'google', user.token, { purpose: 'reauth' }, { jar: user.jar });
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/?auth_error=oauth_failed`);
    expect(await stampedSessions(user.id)).toBe(0);
    const failure = await lastFailure(user.id);
    expect(failure).toMatchObject({ provider: 'google', code: 'oauth_failed' });
    expect(failure?.reason).toMatch(/too much time has elapsed/);
  });

  it('an ID token whose auth_time is a few seconds before the flow was created is refused and stamps nothing', async () => {
    const user = await googleOnlyUser();
    suite.google.signInAs(user.account);
    // Within openid-client's clock tolerance, so the exact bound against the flow's creation is what refuses it.
    const flowCreated = Math.floor(suite.app.clock.now().getTime() / 1000);
    suite.google.tamperNextIdToken(({ claims, sign }) => sign({ ...claims, auth_time: flowCreated - 5 }));
    const { callback } = await accountFlow(suite.app, 'google', user.token, { purpose: 'reauth' }, { jar: user.jar });
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/?auth_error=oauth_failed`);
    expect(await stampedSessions(user.id)).toBe(0);
    expect(await lastFailure(user.id)).toMatchObject({ code: 'oauth_failed', reason: 'auth_time_before_flow' });
  });

  it('an ID token without auth_time is refused and stamps nothing', async () => {
    const user = await googleOnlyUser();
    suite.google.signInAs(user.account);
    suite.google.tamperNextIdToken(({ claims, sign }) => {
      const { auth_time: _, ...rest } = claims;
      return sign(rest);
    });
    const { callback } = await accountFlow(suite.app, 'google', user.token, { purpose: 'reauth' }, { jar: user.jar });
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/?auth_error=oauth_failed`);
    expect(await stampedSessions(user.id)).toBe(0);
    expect((await lastFailure(user.id))?.reason).toMatch(/auth_time/);
  });

  it('sign-in and link requests carry neither prompt nor max_age', async () => {
    const start = await fetch(`${suite.app.url}/api/v1/auth/oauth/google/start`, { redirect: 'manual' });
    const sent = new URL(start.headers.get('location') ?? '').searchParams;
    expect(sent.get('prompt')).toBeNull();
    expect(sent.get('max_age')).toBeNull();
  });
});

describe('GitHub step-up', () => {
  it('asks GitHub for its account picker (prompt=select_account), the only prompt GitHub offers', async () => {
    const account = githubAccount();
    suite.github.signInAs(account);
    const res = await signInWith(suite.app, 'github');
    const token = await accessTokenFrom(suite.app, res.refreshToken ?? '');
    const me = await withStatus(await client(suite.app, token).api.v1.users.me.$get(), 200).json();
    const { callback, authorizationUrl } = await accountFlow(suite.app, 'github', token, { purpose: 'reauth' });
    expect(new URL(authorizationUrl ?? '').searchParams.get('prompt')).toBe('select_account');
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    expect(await stampedSessions(me.id)).toBe(1);
  });
});
