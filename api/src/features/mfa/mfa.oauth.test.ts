import { describe, expect, it } from 'vitest';
import { refreshCookieName } from '../../auth/refresh-cookie';
import { client, withStatus } from '../../test/fixtures';
import { insertConfirmedTotp, nextStep, totpCode } from '../../test/mfa';
import {
  accessTokenFrom,
  accountFlow,
  cookieValue,
  googleAccount,
  PUBLIC_APP_URL,
  signInWith,
  useOAuthTestApp,
} from '../../test/oauth';

// MFA after a provider sign-in (API.md): the provider is one factor; the second step runs as after a password.

const suite = useOAuthTestApp();

async function googleUserWithTotp() {
  const account = googleAccount();
  suite.google.signInAs(account);
  const first = await signInWith(suite.app, 'google');
  expect(first.refreshToken).toBeTruthy();
  const [user] = await suite.app.sql`select id from users where email = ${account.email}`;
  const secret = await insertConfirmedTotp(suite.app, user?.id);
  return { account, secret, userId: user?.id as string, firstRefresh: first.refreshToken as string };
}

function verifyWithCookie(mfaCookie: string, json: { totp: string }) {
  return client(suite.app).api.v1.auth.mfa.verify.$post({ json }, { headers: { cookie: `aibc_mfa=${mfaCookie}` } });
}

describe('MFA after a provider sign-in', () => {
  it('Google sign-in for a user with MFA lands on /?auth=mfa with the HttpOnly mfa cookie and no session', async () => {
    const { account, secret, userId } = await googleUserWithTotp();
    const [before] = await suite.app.sql`select count(*)::int as n from sessions where user_id = ${userId}`;
    suite.google.signInAs(account);
    const res = await signInWith(suite.app, 'google');
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${PUBLIC_APP_URL}/?auth=mfa`);
    expect(res.refreshToken).toBeUndefined();
    expect(res.cookies.get(refreshCookieName('test'))).toBeUndefined();
    const line = res.cookies.get('aibc_mfa') ?? '';
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/Path=\/api\/v1\/auth\/mfa/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Max-Age=300/);
    const [after] = await suite.app.sql`select count(*)::int as n from sessions where user_id = ${userId}`;
    expect(after?.n).toBe(before?.n);

    // The cookie stands in for mfa_token; a wrong code changes nothing, the right one signs in and clears it.
    const mfaCookie = cookieValue(line) as string;
    nextStep(suite.app);
    const right = await totpCode(secret, suite.app.clock.now());
    const wrong = await verifyWithCookie(mfaCookie, { totp: right === '000000' ? '111111' : '000000' });
    expect(await withStatus(wrong, 401).json()).toMatchObject({ code: 'mfa_invalid' });
    const ok = await verifyWithCookie(mfaCookie, { totp: right });
    const pair = await withStatus(ok, 200).json();
    expect(ok.headers.getSetCookie().some((cookie) => cookie.startsWith('aibc_mfa=;'))).toBe(true);
    expect((await client(suite.app, pair.access_token).api.v1.users.me.$get()).status).toBe(200);
    expect(await accessTokenFrom(suite.app, pair.refresh_token)).toBeTruthy();
    const [audit] = await suite.app.sql`
      select metadata from audit_logs where user_id = ${userId} and event = 'oauth_login'
      order by created_at desc, id desc limit 1
    `;
    expect(audit?.metadata).toMatchObject({ method: 'google', second_factor: 'totp' });
  });

  it('a provider round trip is not a step-up for a user with MFA', async () => {
    const { account, secret, firstRefresh } = await googleUserWithTotp();
    const access = await accessTokenFrom(suite.app, firstRefresh);
    suite.google.signInAs(account);
    // The TOTP steps moved the app's clock ahead of the local Google's (real) one; a step-up's login must not be
    // older than the flow by the app's clock, so the login time is stated by the app's clock, as in production
    // where both follow real time.
    suite.google.tamperNextIdToken(({ claims, sign }) =>
      sign({ ...claims, auth_time: Math.ceil(suite.app.clock.now().getTime() / 1000) }),
    );
    const flow = await accountFlow(suite.app, 'google', access, { purpose: 'reauth' });
    expect(flow.callback?.location).toBe(`${PUBLIC_APP_URL}/?auth_error=mfa_required`);
    const signedIn = client(suite.app, access);
    const gated = await signedIn.api.v1.users.me.mfa['recovery-codes'].$post();
    expect(await withStatus(gated, 401).json()).toMatchObject({ code: 'reauthentication_required', methods: ['totp'] });
    nextStep(suite.app);
    const stepped = await signedIn.api.v1.auth.reauthenticate.$post({
      json: { totp: await totpCode(secret, suite.app.clock.now()) },
    });
    expect(stepped.status).toBe(204);
  });
});
