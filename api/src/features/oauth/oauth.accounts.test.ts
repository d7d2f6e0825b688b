import { describe, expect, it } from 'vitest';
import { refreshCookieName } from '../../auth/refresh-cookie';
import { api, client, createUser, loginAs, uniqueEmail, withStatus } from '../../test/fixtures';
import {
  accessTokenFrom,
  accountFlow,
  approveAtProvider,
  callbackAtApp,
  cookieValue,
  githubAccount,
  googleAccount,
  type Provider,
  PUBLIC_APP_URL,
  signInWith,
  useOAuthTestApp,
} from '../../test/oauth';
import { NOT_VERIFY } from '../../test/smtp';

// The dashboard's connected accounts: list, connect (step-up first), disconnect (step-up, never the last way in),
// and the step-up through a provider for accounts without a password.

const suite = useOAuthTestApp();

async function passwordUser() {
  const user = await createUser(suite.app, { email: uniqueEmail('accounts') });
  const token = (await loginAs(suite.app, user)).access_token;
  return { ...user, token };
}

function stepUp(user: { token: string; password: string }) {
  return client(suite.app, user.token).api.v1.auth.reauthenticate.$post({ json: { password: user.password } });
}

function listLinks(token: string) {
  return client(suite.app, token).api.v1.users.me.oauth.$get();
}

function startFromAccount(token: string, provider: Provider, purpose: 'link' | 'reauth') {
  return client(suite.app, token).api.v1.users.me.oauth[':provider'].start.$post({
    param: { provider },
    json: { purpose },
  });
}

function unlink(token: string, provider: Provider) {
  return client(suite.app, token).api.v1.users.me.oauth[':provider'].$delete({ param: { provider } });
}

// An account made through GitHub (no password), signed in: its access token.
async function githubOnlyUser() {
  const account = githubAccount();
  suite.github.signInAs(account);
  const res = await signInWith(suite.app, 'github');
  const token = await accessTokenFrom(suite.app, res.refreshToken ?? '');
  const me = await withStatus(await client(suite.app, token).api.v1.users.me.$get(), 200).json();
  return { id: me.id, email: me.email, token, account };
}

async function expectReauthenticationRequired(
  res: { status: number; headers: Headers; json(): Promise<unknown> },
  methods: string[],
) {
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({
    type: 'about:blank',
    title: 'Unauthorized',
    status: 401,
    detail: 'Confirm it is you to continue: this action needs a recent sign-in.',
    code: 'reauthentication_required',
    methods,
  });
  expect(res.headers.get('www-authenticate')).toBe(
    'Bearer error="insufficient_user_authentication", error_description="A recent authentication is required", max_age=600',
  );
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

describe('GET /users/me/oauth', () => {
  it('GET /users/me/oauth lists the connected providers with email, linked_at and last_used_at', async () => {
    const user = await githubOnlyUser();
    const res = await listLinks(user.token);
    expect(await withStatus(res, 200).json()).toEqual([
      {
        provider: 'github',
        email: user.email,
        linked_at: expect.any(String),
        last_used_at: suite.app.clock.now().toISOString(),
      },
    ]);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('GET /users/me/oauth without a token returns 401', async () => {
    expect((await client(suite.app).api.v1.users.me.oauth.$get()).status).toBe(401);
  });
});

describe('POST /users/me/oauth/{provider}/start (link)', () => {
  it('POST /users/me/oauth/google/start to link without a recent step-up returns 401 reauthentication_required', async () => {
    const user = await passwordUser();
    const res = await startFromAccount(user.token, 'google', 'link');
    await expectReauthenticationRequired(res, ['password']);
    expect(res.headers.get('set-cookie')).toBeNull();
    const flows = await suite.app.sql`select 1 from oauth_flows where user_id = ${user.id}`;
    expect(flows).toHaveLength(0);
  });

  it('a fresh sign-in is not a step-up; POST /auth/reauthenticate is, for 10 minutes', async () => {
    const user = await passwordUser();
    expect((await stepUp(user)).status).toBe(204);
    suite.app.clock.advance(601);
    const stale = await startFromAccount(user.token, 'google', 'link');
    await expectReauthenticationRequired(stale, ['password']);
    expect((await stepUp(user)).status).toBe(204);
    suite.app.clock.advance(599);
    const fresh = await startFromAccount(user.token, 'google', 'link');
    expect(fresh.status).toBe(200);
  });

  it('link after a step-up: 200 with the authorization URL and the flow cookie, then the provider, then linked', async () => {
    const user = await passwordUser();
    expect((await stepUp(user)).status).toBe(204);
    const account = googleAccount();
    suite.google.signInAs(account);
    const { start, callback } = await accountFlow(suite.app, 'google', user.token, {
      purpose: 'link',
      return_to: '/dashboard#connected',
    });
    expect(start.status).toBe(200);
    expect(JSON.parse(start.body).authorization_url).toMatch(new RegExp(`^${suite.google.issuer}/auth\\?`));
    expect(start.cookies.get('aibc_oauth_flow')).toMatch(/HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/);
    expect(start.headers.get('cache-control')).toBe('no-store');
    expect(callback?.status).toBe(303);
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    // A link does not start a new session: no refresh cookie.
    expect(callback?.cookies.get(refreshCookieName('test'))).toBeUndefined();

    const links = await listLinks(user.token);
    expect(await links.json()).toEqual([
      { provider: 'google', email: account.email, linked_at: expect.any(String), last_used_at: null },
    ]);
    const mail = await suite.smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(mail.subject).toBe('Google was connected to your AI Bootcamp account');
    // The connected accounts are in Settings, not on the dashboard.
    expect(mail.links).toEqual([`${PUBLIC_APP_URL}/settings`]);
    expect(mail.html).toContain(`href="${PUBLIC_APP_URL}/settings"`);
    const [audit] = await suite.app
      .sql`select metadata from audit_logs where user_id = ${user.id} and event = 'oauth_linked'`;
    expect(audit?.metadata).toMatchObject({ provider: 'google', via: 'dashboard' });

    // Google now signs this user in.
    suite.google.signInAs(account);
    const res = await signInWith(suite.app, 'google');
    const me = await client(suite.app, await accessTokenFrom(suite.app, res.refreshToken ?? '')).api.v1.users.me.$get();
    expect((await withStatus(me, 200).json()).id).toBe(user.id);
  });

  it('linking a provider account that belongs to another user links nothing: oauth_linked_elsewhere', async () => {
    const other = await githubOnlyUser();
    const user = await passwordUser();
    expect((await stepUp(user)).status).toBe(204);
    suite.github.signInAs(other.account);
    const { callback } = await accountFlow(suite.app, 'github', user.token, { purpose: 'link' });
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/?auth_error=oauth_linked_elsewhere`);
    expect(await (await listLinks(user.token)).json()).toEqual([]);
    const [owner] = await suite.app
      .sql`select user_id from oauth_accounts where provider_account_id = ${String(other.account.id)}`;
    expect(owner?.user_id).toBe(other.id);
  });

  it('POST /users/me/oauth/github/start to link a provider already connected returns 409', async () => {
    const user = await githubOnlyUser();
    await suite.app.sql`update sessions set reauthenticated_at = ${suite.app.clock.now()} where user_id = ${user.id}`;
    const res = await startFromAccount(user.token, 'github', 'link');
    expect((await withStatus(res, 409).json()).detail).toBe(
      'GitHub is already connected. Disconnect it first to connect another.',
    );
  });

  it('a link flow whose session ended meanwhile links nothing: oauth_state', async () => {
    const user = await passwordUser();
    expect((await stepUp(user)).status).toBe(204);
    const account = githubAccount();
    suite.github.signInAs(account);
    const start = await startFromAccount(user.token, 'github', 'link');
    const { authorization_url } = await withStatus(start, 200).json();
    await client(suite.app, user.token).api.v1.auth.logout.$post({ json: {} });
    const callbackUrl = await approveAtProvider(authorization_url);
    const flowCookie = cookieValue(start.headers.getSetCookie().find((line) => line.startsWith('aibc_oauth_flow=')));
    const res = await callbackAtApp(suite.app, callbackUrl, flowCookie);
    expect(res.location).toBe(`${PUBLIC_APP_URL}/?auth_error=oauth_state`);
    const links = await suite.app.sql`select 1 from oauth_accounts where user_id = ${user.id}`;
    expect(links).toHaveLength(0);
  });

  it('POST /users/me/oauth/{provider}/start with a bad purpose returns 422', async () => {
    const user = await passwordUser();
    // A purpose the typed client would refuse to send.
    const res = await api(suite.app, '/api/v1/users/me/oauth/google/start', {
      token: user.token,
      json: { purpose: 'sign_in' },
    });
    expect(res.status).toBe(422);
  });
});

describe('DELETE /users/me/oauth/{provider}', () => {
  it('DELETE /users/me/oauth/google without a recent step-up returns 401 and keeps the link', async () => {
    const user = await passwordUser();
    expect((await stepUp(user)).status).toBe(204);
    suite.google.signInAs(googleAccount());
    await accountFlow(suite.app, 'google', user.token, { purpose: 'link' });
    suite.app.clock.advance(601);
    const res = await unlink(user.token, 'google');
    await expectReauthenticationRequired(res, ['password', 'google']);
    expect(await (await listLinks(user.token)).json()).toHaveLength(1);
  });

  it('DELETE /users/me/oauth/google after a step-up returns 204, mails the owner and audits it', async () => {
    const user = await passwordUser();
    expect((await stepUp(user)).status).toBe(204);
    suite.google.signInAs(googleAccount());
    await accountFlow(suite.app, 'google', user.token, { purpose: 'link' });
    await suite.smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    const res = await unlink(user.token, 'google');
    expect(res.status).toBe(204);
    expect(await (await listLinks(user.token)).json()).toEqual([]);
    const mail = await suite.smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(mail.subject).toBe('Google was disconnected from your AI Bootcamp account');
    expect(mail.links).toEqual([`${PUBLIC_APP_URL}/settings`]);
    const [audit] = await suite.app
      .sql`select metadata from audit_logs where user_id = ${user.id} and event = 'oauth_unlinked'`;
    expect(audit?.metadata).toEqual({ provider: 'google' });
  });

  it('DELETE /users/me/oauth/github when not connected returns 404', async () => {
    const user = await passwordUser();
    expect((await stepUp(user)).status).toBe(204);
    const res = await unlink(user.token, 'github');
    expect(res.status).toBe(404);
  });

  it('DELETE of the last way in (no password, one provider) returns 409 last_sign_in_method', async () => {
    const user = await githubOnlyUser();
    await suite.app.sql`update sessions set reauthenticated_at = ${suite.app.clock.now()} where user_id = ${user.id}`;
    const res = await unlink(user.token, 'github');
    expect(await withStatus(res, 409).json()).toMatchObject({ status: 409, code: 'last_sign_in_method' });
    expect(await (await listLinks(user.token)).json()).toHaveLength(1);
  });

  it('two parallel unlinks of the last two providers (no password): exactly one succeeds', async () => {
    const user = await githubOnlyUser();
    await suite.app.sql`
      insert into oauth_accounts (user_id, provider, provider_account_id, email)
      values (${user.id}, 'google', ${`g-${user.id}`}, ${user.email})
    `;
    await suite.app.sql`update sessions set reauthenticated_at = ${suite.app.clock.now()} where user_id = ${user.id}`;
    const results = await Promise.all([unlink(user.token, 'google'), unlink(user.token, 'github')]);
    expect(results.map((res) => res.status).sort()).toEqual([204, 409]);
    const refused = results[0].status === 409 ? results[0] : results[1];
    expect((await withStatus(refused, 409).json()).code).toBe('last_sign_in_method');
    const links = await suite.app.sql`select 1 from oauth_accounts where user_id = ${user.id}`;
    expect(links).toHaveLength(1);
  });
});

describe('DELETE /users/me/oauth/{provider} against a removal in flight', () => {
  it('DELETE waits for a concurrent removal of a way in and then sees it: 409 instead of leaving no way in', async () => {
    const user = await githubOnlyUser();
    await suite.app.sql`
      insert into oauth_accounts (user_id, provider, provider_account_id, email)
      values (${user.id}, 'google', ${`g2-${user.id}`}, ${user.email})
    `;
    await suite.app.sql`update sessions set reauthenticated_at = ${suite.app.clock.now()} where user_id = ${user.id}`;
    // Another removal in flight: it holds the user's row (as every removal of a way in does first) and has taken
    // GitHub away, not committed yet.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const other = suite.app.sql.begin(async (tx) => {
      await tx`select id from users where id = ${user.id} for update`;
      await tx`delete from oauth_accounts where user_id = ${user.id} and provider = 'github'`;
      await released;
    });
    const removal = unlink(user.token, 'google');
    let settled = false;
    void removal.then(() => {
      settled = true;
    });
    // Commit the other removal once the request is waiting for the row (or has already answered, without waiting).
    for (let i = 0; i < 100 && !settled; i++) {
      const waiting = await suite.app.sql`
        select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
      `;
      if (waiting.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    release();
    await other;
    const res = await removal;
    expect((await withStatus(res, 409).json()).code).toBe('last_sign_in_method');
    const links = await suite.app.sql`select provider from oauth_accounts where user_id = ${user.id}`;
    expect(links).toEqual([{ provider: 'google' }]);
  });
});

describe('step-up through a provider (purpose: reauth)', () => {
  it('an account without a password steps up by signing in at its provider again, stamping this session only', async () => {
    const user = await githubOnlyUser();
    const denied = await unlink(user.token, 'github');
    await expectReauthenticationRequired(denied, ['github']);
    // The password route cannot help: there is no password.
    expect((await stepUp({ token: user.token, password: 'Anything-1!' })).status).toBe(401);

    suite.github.signInAs(user.account);
    const { start, callback } = await accountFlow(suite.app, 'github', user.token, {
      purpose: 'reauth',
      return_to: '/dashboard?confirmed=1',
    });
    expect(start.status).toBe(200);
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/dashboard?confirmed=1`);
    expect(callback?.cookies.get(refreshCookieName('test'))).toBeUndefined();
    const [stamp] = await suite.app.sql`
      select count(*) filter (where reauthenticated_at is not null)::int as stamped, count(*)::int as total
      from sessions where user_id = ${user.id}
    `;
    expect(stamp).toEqual({ stamped: 1, total: 1 });
    const [audit] = await suite.app
      .sql`select metadata from audit_logs where user_id = ${user.id} and event = 'reauthenticated'`;
    expect(audit?.metadata).toMatchObject({ method: 'github' });

    // Stepped up: now the last-way-in rule is what stops the unlink.
    const last = await unlink(user.token, 'github');
    expect(last.status).toBe(409);
  });

  it('a provider step-up with another provider account stamps nothing: oauth_wrong_account', async () => {
    const user = await githubOnlyUser();
    suite.github.signInAs(githubAccount());
    const { callback } = await accountFlow(suite.app, 'github', user.token, { purpose: 'reauth' });
    expect(callback?.location).toBe(`${PUBLIC_APP_URL}/?auth_error=oauth_wrong_account`);
    const [row] = await suite.app.sql`select reauthenticated_at from sessions where user_id = ${user.id}`;
    expect(row?.reauthenticated_at).toBeNull();
  });

  it('POST /users/me/oauth/google/start to step up through a provider that is not connected returns 404', async () => {
    const user = await githubOnlyUser();
    const res = await startFromAccount(user.token, 'google', 'reauth');
    expect((await withStatus(res, 404).json()).detail).toBe('Google is not connected to your account.');
  });
});
