import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { nanoid } from 'nanoid';

export type AccessTokenClaims = { sub: string; sid: string; role: string };

export type JwtSettings = {
  secret: Uint8Array;
  algorithm: 'HS256' | 'HS384' | 'HS512';
  issuer: string;
  audience: string;
};

// Access tokens are HS* JWTs signed and checked here with a synchronous node:crypto HMAC (a few microseconds on the
// event loop), not through jose's WebCrypto: WebCrypto's HMAC runs on libuv's thread pool, where it queued behind
// every bcrypt job of a login flood and stalled each signed-in request for seconds (docs/decisions/0011). The rules
// jose applied are kept: the algorithm is pinned (`alg: none`, another HS* or an asymmetric alg is refused), `crit`
// is refused, the signature is compared in constant time, iss and aud must match, sub/sid/jti/iat/exp must be
// present, and exp and nbf are checked against the injected clock. jose stays in the tests as an independent
// implementation that signs forged tokens and decodes ours.
const HMAC_HASHES = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

// Far above any token we issue (~350 bytes); bounds the work a hostile header does before it is refused.
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const encodeJson = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function signature(settings: JwtSettings, signingInput: string): string {
  return createHmac(HMAC_HASHES[settings.algorithm], settings.secret).update(signingInput).digest('base64url');
}

export function createAccessToken(
  claims: AccessTokenClaims,
  settings: JwtSettings,
  nowSeconds: number,
  ttlSeconds: number,
): string {
  const header = encodeJson({ alg: settings.algorithm, typ: 'JWT' });
  const payload = encodeJson({
    sid: claims.sid,
    role: claims.role,
    sub: claims.sub,
    iss: settings.issuer,
    aud: settings.audience,
    iat: nowSeconds,
    exp: nowSeconds + ttlSeconds,
    jti: nanoid(),
  });
  const signingInput = `${header}.${payload}`;
  return `${signingInput}.${signature(settings, signingInput)}`;
}

export type VerifiedAccessToken =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: 'invalid' | 'expired' };

const INVALID: VerifiedAccessToken = { ok: false, reason: 'invalid' };

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

// Algorithm, issuer and audience are pinned: `alg: none`, another algorithm, key, issuer or audience is refused.
// Nothing in the payload is read before the signature is known to be ours.
export function verifyAccessToken(token: string, settings: JwtSettings, nowSeconds: number): VerifiedAccessToken {
  if (token.length > MAX_TOKEN_LENGTH) return INVALID;
  const parts = token.split('.');
  if (parts.length !== 3) return INVALID;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;

  const header = decodeJsonObject(headerPart);
  if (!header || header.alg !== settings.algorithm || 'crit' in header || 'b64' in header) return INVALID;

  // Compared as canonical base64url text: a re-encoding of the same bytes (spare bits set) is refused too.
  const expected = Buffer.from(signature(settings, `${headerPart}.${payloadPart}`), 'ascii');
  const given = Buffer.from(signaturePart, 'ascii');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return INVALID;

  const payload = decodeJsonObject(payloadPart);
  if (!payload) return INVALID;
  const { sub, sid, role, jti, iss, aud, iat, exp, nbf } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof role !== 'string' || typeof jti !== 'string') {
    return INVALID;
  }
  if (iss !== settings.issuer) return INVALID;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(settings.audience)) return INVALID;
  if (!isNumericDate(iat) || !isNumericDate(exp)) return INVALID;
  if (nbf !== undefined && (!isNumericDate(nbf) || nbf > nowSeconds)) return INVALID;
  if (exp <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { sub, sid, role } };
}

// Opaque secrets (refresh, verification and reset tokens): 43 nanoid characters = 258 bits of randomness.
export function generateOpaqueToken(): string {
  return nanoid(43);
}

// Only this digest is stored, so a database leak does not hand out live tokens.
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
