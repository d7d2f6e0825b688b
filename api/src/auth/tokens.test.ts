import { createHmac, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAccessToken, type JwtSettings, verifyAccessToken } from './tokens';

// The node:crypto HMAC check against jose, an independent implementation: what jose signs we accept, what we sign
// jose accepts, and each rule jose applied still refuses what it refused.
const settings: JwtSettings = {
  secret: new Uint8Array(randomBytes(48)),
  algorithm: 'HS256',
  issuer: 'ai-bootcamp',
  audience: 'ai-bootcamp-api',
};
const NOW = 1_800_000_000;
const claims = {
  sub: '6f1c2f4e-5d1a-4b55-9a2e-3b7d0c9e8a11',
  sid: '0b5e9c1d-2f3a-4c5b-8d6e-7f8091a2b3c4',
  role: 'student',
};

// jose signs whatever payload it is given: the claims we issue, with `payload` overriding any of them.
function joseToken(
  options: { header?: Record<string, unknown>; payload?: Record<string, unknown>; alg?: string } = {},
): Promise<string> {
  return new SignJWT({
    ...claims,
    iss: settings.issuer,
    aud: settings.audience,
    iat: NOW,
    exp: NOW + 3600,
    jti: 'jti-1',
    ...options.payload,
  })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT', ...options.header })
    .sign(settings.secret);
}

describe('access tokens on node:crypto', () => {
  it('signs a token jose verifies, with the same claims and header', async () => {
    const token = createAccessToken(claims, settings, NOW, 3600);
    const { payload } = await jwtVerify(token, settings.secret, {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      currentDate: new Date((NOW + 10) * 1000),
    });
    expect(payload).toMatchObject({ ...claims, iat: NOW, exp: NOW + 3600 });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(verifyAccessToken(token, settings, NOW + 10)).toEqual({ ok: true, claims });
  });

  it('accepts what jose signs, also with aud as a list', async () => {
    expect(verifyAccessToken(await joseToken(), settings, NOW)).toEqual({ ok: true, claims });
    const listed = await joseToken({ payload: { aud: ['other', settings.audience] } });
    expect(verifyAccessToken(listed, settings, NOW).ok).toBe(true);
  });

  it('refuses a token from before its nbf, a crit header, a non-JSON or non-object part', async () => {
    expect(verifyAccessToken(await joseToken({ payload: { nbf: NOW + 60 } }), settings, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(verifyAccessToken(await joseToken({ payload: { nbf: NOW - 60 } }), settings, NOW).ok).toBe(true);
    const crit = await joseToken({ header: { crit: ['exp'] } }).catch(() => undefined);
    if (crit) expect(verifyAccessToken(crit, settings, NOW).ok).toBe(false);
    // A crit header signed by hand (jose refuses to sign an unknown one).
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', crit: ['x'], x: 1 })).toString('base64url');
    const [, payload] = createAccessToken(claims, settings, NOW, 3600).split('.');
    const sig = createHmac('sha256', settings.secret).update(`${header}.${payload}`).digest('base64url');
    expect(verifyAccessToken(`${header}.${payload}.${sig}`, settings, NOW).ok).toBe(false);
    const arrayPayload = Buffer.from('[1]').toString('base64url');
    const plainHeader = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const arraySig = createHmac('sha256', settings.secret).update(`${plainHeader}.${arrayPayload}`).digest('base64url');
    const arrayToken = `${plainHeader}.${arrayPayload}.${arraySig}`;
    expect(verifyAccessToken(arrayToken, settings, NOW).ok).toBe(false);
  });

  it('reports expiry only for a genuine token: exp at or before now is expired, a forged one is invalid', async () => {
    const token = createAccessToken(claims, settings, NOW, 60);
    expect(verifyAccessToken(token, settings, NOW + 59).ok).toBe(true);
    expect(verifyAccessToken(token, settings, NOW + 60)).toEqual({ ok: false, reason: 'expired' });
    const forged = createAccessToken(claims, { ...settings, secret: new Uint8Array(randomBytes(48)) }, NOW, 60);
    expect(verifyAccessToken(forged, settings, NOW + 120)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses another algorithm, a wrong issuer or audience, missing claims, and oversized or odd input', async () => {
    expect(verifyAccessToken(await joseToken({ alg: 'HS512' }), settings, NOW).ok).toBe(false);
    expect(verifyAccessToken(await joseToken({ payload: { iss: 'someone' } }), settings, NOW).ok).toBe(false);
    expect(verifyAccessToken(await joseToken({ payload: { aud: 'other' } }), settings, NOW).ok).toBe(false);
    expect(verifyAccessToken(await joseToken({ payload: { sid: 1 } }), settings, NOW).ok).toBe(false);
    expect(verifyAccessToken(await joseToken({ payload: { iat: '1' } }), settings, NOW).ok).toBe(false);
    expect(verifyAccessToken(await joseToken({ payload: { jti: undefined } }), settings, NOW).ok).toBe(false);
    expect(verifyAccessToken(await joseToken({ payload: { exp: undefined } }), settings, NOW).ok).toBe(false);
    const token = createAccessToken(claims, settings, NOW, 3600);
    expect(verifyAccessToken(`${token}.extra`, settings, NOW).ok).toBe(false);
    expect(verifyAccessToken(`${token}=`, settings, NOW).ok).toBe(false);
    expect(verifyAccessToken(`${token}${'A'.repeat(5000)}`, settings, NOW).ok).toBe(false);
    expect(verifyAccessToken('', settings, NOW).ok).toBe(false);
    // Pinned to the configured algorithm: an HS512 app refuses this HS256 token signed with its own key.
    expect(verifyAccessToken(token, { ...settings, algorithm: 'HS512' }, NOW).ok).toBe(false);
    expect(decodeJwt(token).jti).toEqual(expect.any(String));
  });
});
