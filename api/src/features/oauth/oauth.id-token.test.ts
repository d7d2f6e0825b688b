import { describe, expect, it } from 'vitest';
import type { IdTokenTamper } from '../../test/local-google';
import { googleAccount, PUBLIC_APP_URL, signInWith, useOAuthTestApp } from '../../test/oauth';

// Google's ID token is verified in full (API.md): signature against the issuer's JWKS, alg, iss, aud, exp, nonce.
// The local Google issues a real token; the test rewrites it in one way before it reaches the API. Each bad token
// must create no user, no link and no session.

const suite = useOAuthTestApp();

async function signInWithTamperedToken(tamper: IdTokenTamper) {
  const account = googleAccount();
  suite.google.signInAs(account);
  suite.google.tamperNextIdToken(tamper);
  const [before] = await suite.app.sql`
    select (select count(*)::int from users) as users, (select count(*)::int from oauth_accounts) as links,
      (select count(*)::int from sessions) as sessions
  `;
  const res = await signInWith(suite.app, 'google');
  const [after] = await suite.app.sql`
    select (select count(*)::int from users) as users, (select count(*)::int from oauth_accounts) as links,
      (select count(*)::int from sessions) as sessions
  `;
  const users = await suite.app.sql`select 1 from users where email = ${account.email}`;
  return { res, before, after, createdUser: users.length > 0 };
}

async function expectRefused(tamper: IdTokenTamper) {
  const { res, before, after, createdUser } = await signInWithTamperedToken(tamper);
  expect(res.status).toBe(303);
  expect(res.location).toBe(`${PUBLIC_APP_URL}/?auth_error=oauth_failed`);
  expect(res.refreshToken).toBeUndefined();
  expect(after).toEqual(before);
  expect(createdUser).toBe(false);
  const [audit] = await suite.app
    .sql`select metadata from audit_logs where event = 'oauth_failed' order by id desc limit 1`;
  expect(audit?.metadata).toMatchObject({ provider: 'google', code: 'oauth_failed' });
  return audit?.metadata.reason as string;
}

const now = () => Math.floor(Date.now() / 1000);

describe('Google ID token checks', () => {
  it('a token re-signed by the provider with its own claims is accepted (the harness changes nothing else)', async () => {
    const { res, createdUser } = await signInWithTamperedToken(({ claims, sign }) => sign(claims));
    expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    expect(createdUser).toBe(true);
  });

  it('an ID token with another nonce is refused', async () => {
    const reason = await expectRefused(({ claims, sign }) => sign({ ...claims, nonce: 'a-nonce-from-another-flow' }));
    expect(reason).toMatch(/nonce/);
  });

  it('an ID token without a nonce is refused', async () => {
    await expectRefused(({ claims, sign }) => {
      const { nonce: _, ...rest } = claims;
      return sign(rest);
    });
  });

  it('an ID token for another audience is refused', async () => {
    const reason = await expectRefused(({ claims, sign }) => sign({ ...claims, aud: 'another-client-id' }));
    expect(reason).toMatch(/aud/);
  });

  it('an ID token from another issuer is refused', async () => {
    const reason = await expectRefused(({ claims, sign }) => sign({ ...claims, iss: 'https://accounts.evil.example' }));
    expect(reason).toMatch(/iss/);
  });

  it("an ID token signed by a foreign key under the provider's key id is refused", async () => {
    const reason = await expectRefused(({ claims, sign }) => sign(claims, { key: 'foreign' }));
    expect(reason).toMatch(/signature/i);
  });

  it('an ID token signed with HS256 and the client secret (alg confusion) is refused', async () => {
    const reason = await expectRefused(({ claims, sign }) => sign(claims, { key: 'client-secret' }));
    expect(reason).toMatch(/alg/);
  });

  it('an unsigned ID token (alg none) is refused', async () => {
    await expectRefused(({ claims, sign }) => sign(claims, { key: 'none' }));
  });

  it('an expired ID token is refused', async () => {
    const reason = await expectRefused(({ claims, sign }) => sign({ ...claims, iat: now() - 7200, exp: now() - 3600 }));
    expect(reason).toMatch(/exp/);
  });

  it('an ID token whose claims were changed after signing is refused', async () => {
    await expectRefused(async ({ claims, sign }) => {
      const genuine = await sign(claims);
      const [header, , signature] = genuine.split('.');
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
      return `${header}.${forged}.${signature}`;
    });
  });
});
