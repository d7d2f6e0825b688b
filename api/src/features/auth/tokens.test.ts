import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { client, createUser, loginAs, type Session, withStatus } from '../../test/fixtures';
import { startTestApp, useTestApp } from '../../test/setup';

const { app, db } = useTestApp();

// `headers` sends an Authorization header of the test's own making (no `Bearer `, say). Never `{ headers: undefined }`:
// hc would send that in place of the client's own headers, the Bearer token with them.
function me(token?: string, headers?: Record<string, string>) {
  return client(app, token).api.v1.users.me.$get({}, { headers: headers ?? {} });
}

async function expectUnauthorized(res: Awaited<ReturnType<typeof me>>) {
  expect(await withStatus(res, 401).json()).toEqual({
    type: 'about:blank',
    title: 'Unauthorized',
    status: 401,
    detail: expect.any(String),
  });
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

async function signedInSession(): Promise<{ session: Session; claims: JWTPayload; userId: string }> {
  const user = await createUser(app);
  const session = await loginAs(app, user);
  return { session, claims: decodeJwt(session.access_token), userId: user.id };
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

// Signs a token the way a forger with some of the right pieces would: the app's claims by default,
// with any of secret, algorithm, issuer, audience or lifetime swapped out.
async function forge(
  claims: JWTPayload,
  options: {
    secret?: Uint8Array;
    alg?: string;
    issuer?: string;
    audience?: string;
    iat?: number;
    exp?: number;
    omit?: string[];
  } = {},
) {
  const { sub, sid, role, jti, iat, exp } = claims;
  const payload: JWTPayload = { sid, role };
  for (const key of options.omit ?? []) delete payload[key];
  let jwt = new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' });
  if (!options.omit?.includes('sub')) jwt = jwt.setSubject(String(sub));
  if (!options.omit?.includes('jti')) jwt = jwt.setJti(String(jti));
  return jwt
    .setIssuer(options.issuer ?? app.config.jwt.issuer)
    .setAudience(options.audience ?? app.config.jwt.audience)
    .setIssuedAt(options.iat ?? Number(iat))
    .setExpirationTime(options.exp ?? Number(exp))
    .sign(options.secret ?? app.config.jwt.secret);
}

describe('access token claims', () => {
  it('POST /auth/login issues an HS256 JWT with sub, sid, role, iat, exp, iss, aud and jti', async () => {
    const { session, claims, userId } = await signedInSession();
    expect(decodeProtectedHeader(session.access_token)).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'role', 'sid', 'sub']);
    expect(claims.sub).toBe(userId);
    expect(claims.role).toBe('student');
    expect(claims.iss).toBe('ai-bootcamp');
    expect(claims.aud).toBe('ai-bootcamp-api');
    expect(typeof claims.jti).toBe('string');
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(Math.abs(Number(claims.iat) - Math.floor(app.clock.now().getTime() / 1000))).toBeLessThanOrEqual(1);
    const [row] = await app.sql`select user_id from sessions where id = ${String(claims.sid)}`;
    expect(row?.user_id).toBe(userId);
  });

  it('POST /auth/login gives each token its own jti', async () => {
    const user = await createUser(app);
    const first = decodeJwt((await loginAs(app, user)).access_token);
    const second = decodeJwt((await loginAs(app, user)).access_token);
    expect(first.jti).not.toBe(second.jti);
    expect(first.sid).not.toBe(second.sid);
  });
});

describe('GET /users/me with a bearer token', () => {
  it('GET /users/me returns 200 and the user with a valid token', async () => {
    const { session, userId } = await signedInSession();
    const body = await withStatus(await me(session.access_token), 200).json();
    expect(body).toMatchObject({ id: userId, role: 'student', is_active: true });
    expect(body).not.toHaveProperty('hashed_password');
  });

  it('GET /users/me returns 200 for a token forged with every right piece (control for the cases below)', async () => {
    const { claims } = await signedInSession();
    const res = await me(await forge(claims));
    expect(res.status).toBe(200);
  });

  it('GET /users/me returns 401 with no token', async () => {
    await expectUnauthorized(await me());
  });

  it('GET /users/me returns 401 for a malformed Authorization header', async () => {
    const { session } = await signedInSession();
    await expectUnauthorized(await me(undefined, { authorization: session.access_token }));
    await expectUnauthorized(await me(undefined, { authorization: `Basic ${session.access_token}` }));
    await expectUnauthorized(await me(undefined, { authorization: 'Bearer ' }));
    await expectUnauthorized(await me('not-a-jwt'));
  });

  it('GET /users/me returns 401 for a token with a tampered payload', async () => {
    const { session, claims } = await signedInSession();
    const [header, , signature] = session.access_token.split('.');
    const payload = base64url(JSON.stringify({ ...claims, role: 'admin' }));
    await expectUnauthorized(await me(`${header}.${payload}.${signature}`));
  });

  it('GET /users/me returns 401 for a token with one character of the signature flipped', async () => {
    const { session } = await signedInSession();
    const [header, payload, signature = ''] = session.access_token.split('.');
    // Flip a character in the middle: the last one of a base64url signature may carry unused bits.
    const middle = Math.floor(signature.length / 2);
    const flipped = signature[middle] === 'A' ? 'B' : 'A';
    const tampered = `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`;
    await expectUnauthorized(await me(tampered));
  });

  it('GET /users/me returns 401 for a token with one character of the payload flipped', async () => {
    const { session } = await signedInSession();
    const [header, payload = '', signature] = session.access_token.split('.');
    const flipped = payload[5] === 'a' ? 'b' : 'a';
    await expectUnauthorized(await me(`${header}.${payload.slice(0, 5)}${flipped}${payload.slice(6)}.${signature}`));
  });

  it('GET /users/me returns 401 for an alg none token', async () => {
    const { session } = await signedInSession();
    const [, payload] = session.access_token.split('.');
    const header = base64url(JSON.stringify({ alg: 'none' }));
    await expectUnauthorized(await me(`${header}.${payload}.`));
    const typed = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    await expectUnauthorized(await me(`${typed}.${payload}.`));
    const upper = base64url(JSON.stringify({ alg: 'NONE', typ: 'JWT' }));
    await expectUnauthorized(await me(`${upper}.${payload}.`));
  });

  it('GET /users/me returns 401 for a token signed with another key', async () => {
    const { claims } = await signedInSession();
    await expectUnauthorized(await me(await forge(claims, { secret: randomBytes(48) })));
  });

  it('GET /users/me returns 401 for a token from another issuer', async () => {
    const { claims } = await signedInSession();
    await expectUnauthorized(await me(await forge(claims, { issuer: 'someone-else' })));
  });

  it('GET /users/me returns 401 for a token for another audience', async () => {
    const { claims } = await signedInSession();
    await expectUnauthorized(await me(await forge(claims, { audience: 'another-api' })));
  });

  it('GET /users/me returns 401 for an HS512 token when the app expects HS256', async () => {
    const { claims } = await signedInSession();
    await expectUnauthorized(await me(await forge(claims, { alg: 'HS512' })));
    await expectUnauthorized(await me(await forge(claims, { alg: 'HS384' })));
  });

  it('GET /users/me returns 401 for a token missing sid or jti', async () => {
    const { claims } = await signedInSession();
    await expectUnauthorized(await me(await forge(claims, { omit: ['sid'] })));
    await expectUnauthorized(await me(await forge(claims, { omit: ['jti'] })));
    await expectUnauthorized(await me(await forge(claims, { omit: ['sub'] })));
  });

  it("GET /users/me returns 401 for a validly signed token naming another user's session", async () => {
    const alice = await signedInSession();
    const bob = await signedInSession();
    await expectUnauthorized(await me(await forge({ ...alice.claims, sid: bob.claims.sid })));
  });

  it('GET /users/me returns 401 once the access token has expired', async () => {
    const { session } = await signedInSession();
    app.clock.advance(59 * 60);
    expect((await me(session.access_token)).status).toBe(200);
    app.clock.advance(60 + 1);
    await expectUnauthorized(await me(session.access_token));
  });

  it('GET /users/me returns 401 for a token issued with an exp already past', async () => {
    const { claims } = await signedInSession();
    const now = Math.floor(app.clock.now().getTime() / 1000);
    await expectUnauthorized(await me(await forge(claims, { iat: now - 7200, exp: now - 3600 })));
  });

  it('GET /users/me returns 401 when the account is disabled, at once', async () => {
    const { session, userId } = await signedInSession();
    expect((await me(session.access_token)).status).toBe(200);
    await app.sql`update users set is_active = false where id = ${userId}`;
    await expectUnauthorized(await me(session.access_token));
  });

  it('GET /users/me returns 401 when the session is revoked, at once', async () => {
    const { session, claims } = await signedInSession();
    await app.sql`update sessions set revoked_at = now() where id = ${String(claims.sid)}`;
    await expectUnauthorized(await me(session.access_token));
  });
});

describe('JWT_ALGORITHM', () => {
  it('GET /users/me accepts HS512 tokens and refuses HS256 ones when JWT_ALGORITHM=HS512', async () => {
    const hs512 = await startTestApp(db.url, { migrate: false, env: { JWT_ALGORITHM: 'HS512' } });
    try {
      const user = await createUser(hs512);
      const session = await loginAs(hs512, user);
      expect(decodeProtectedHeader(session.access_token).alg).toBe('HS512');
      expect((await client(hs512, session.access_token).api.v1.users.me.$get()).status).toBe(200);
      const claims = decodeJwt(session.access_token);
      const hs256 = await new SignJWT({ sid: claims.sid, role: claims.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(String(claims.sub))
        .setJti('x')
        .setIssuer(String(claims.iss))
        .setAudience(String(claims.aud))
        .setIssuedAt(Number(claims.iat))
        .setExpirationTime(Number(claims.exp))
        .sign(hs512.config.jwt.secret);
      expect((await client(hs512, hs256).api.v1.users.me.$get()).status).toBe(401);
    } finally {
      await hs512.close();
    }
  });
});
