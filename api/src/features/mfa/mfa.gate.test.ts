import { describe, expect, it } from 'vitest';
import { hashToken } from '../../auth/tokens';
import { api, client, createUser, refreshCookieOf, withStatus } from '../../test/fixtures';
import { insertConfirmedTotp, nextStep, totpCode } from '../../test/mfa';
import { useTestApp } from '../../test/setup';

// The MFA step of the sign-in gate (API.md "Multi-factor authentication"): a correct password for a user with MFA
// gives a challenge, never a session, until a second factor passes.

const { app } = useTestApp();

async function userWithTotp() {
  const user = await createUser(app);
  const secret = await insertConfirmedTotp(app, user.id);
  return { user, secret };
}

function login(user: { email: string; password: string }) {
  return client(app).api.v1.auth.login.$post({ json: { email: user.email, password: user.password } });
}

async function challenge(user: { email: string; password: string }) {
  return (await withStatus(await login(user), 403).json()).mfa_token;
}

async function sessionCount(userId: string) {
  const [row] = await app.sql`select count(*)::int as n from sessions where user_id = ${userId}`;
  return row?.n as number;
}

describe('the MFA step of sign-in', () => {
  it('POST /auth/login with the right password for a user with MFA returns 403 mfa_required, no tokens, no cookie', async () => {
    const { user } = await userWithTotp();
    const res = await login(user);
    const body = await withStatus(res, 403).json();
    expect(body).toMatchObject({ status: 403, code: 'mfa_required', methods: ['totp'] });
    expect(body.mfa_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(body).not.toHaveProperty('access_token');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await sessionCount(user.id)).toBe(0);
    // Only the token's hash is stored.
    const [row] = await app.sql`select token_hash from mfa_challenges where user_id = ${user.id}`;
    expect(row?.token_hash).toBe(hashToken(body.mfa_token ?? ''));
  });

  it('POST /auth/login with a wrong password for a user with MFA looks like any wrong password', async () => {
    const { user } = await userWithTotp();
    const res = await login({ email: user.email, password: 'Wrong-Pa55word!' });
    expect(await withStatus(res, 401).json()).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'Incorrect email or password.',
      attempts_remaining: 4,
    });
  });

  it('POST /auth/mfa/verify with the current code returns a token pair and the refresh cookie', async () => {
    const { user, secret } = await userWithTotp();
    const res = await client(app).api.v1.auth.mfa.verify.$post({
      json: { mfa_token: await challenge(user), totp: await totpCode(secret, app.clock.now()) },
    });
    const pair = await withStatus(res, 200).json();
    expect(pair).toMatchObject({ token_type: 'bearer' });
    expect(refreshCookieOf(res.headers)?.value).toBe(pair.refresh_token);
    const me = await client(app, pair.access_token).api.v1.users.me.$get();
    expect(me.status).toBe(200);
    const [audit] = await app.sql`
      select metadata from audit_logs where user_id = ${user.id} and event = 'login_success'
    `;
    expect(audit?.metadata).toMatchObject({ method: 'password', second_factor: 'totp' });
  });

  it('POST /auth/login form with `totp` signs a user with MFA in at once; a wrong one is 401 mfa_invalid', async () => {
    const { user, secret } = await userWithTotp();
    nextStep(app);
    // The OAuth2 form as Swagger UI posts it, urlencoded: the typed client sends `form` as multipart.
    const wrong = await api(app, '/api/v1/auth/login', {
      form: {
        username: user.email,
        password: user.password,
        totp: '000000' === (await totpCode(secret, app.clock.now())) ? '111111' : '000000',
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'mfa_invalid' });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const right = await api(app, '/api/v1/auth/login', {
      form: { username: user.email, password: user.password, totp: await totpCode(secret, app.clock.now()) },
    });
    expect(right.status).toBe(200);
    expect(right.body.access_token).toBeTruthy();
  });

  it('a refresh without a completed second step has nothing to refresh', async () => {
    const { user } = await userWithTotp();
    const res = await client(app).api.v1.auth.refresh.$post({ json: { refresh_token: await challenge(user) } });
    expect(res.status).toBe(401);
    expect(await sessionCount(user.id)).toBe(0);
  });
});
