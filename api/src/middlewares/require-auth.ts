import type { Context, MiddlewareHandler } from 'hono';
import { verifyAccessToken } from '../auth/tokens';
import { findActiveSessionUser } from '../features/auth/auth.queries';
import { addSeconds, toSeconds } from '../lib/clock';
import { problem } from '../lib/problem';
import type { AppBindings, AuthContext } from '../lib/types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header?.match(/^Bearer\s+([A-Za-z0-9\-_.]+)$/i);
  return match?.[1];
}

// A valid signature is not enough: the session named by `sid` must still be live, so logout, rotation reuse,
// a password change or a disabled account end access at once, not when the token expires.
export async function authenticate(c: Context<AppBindings>): Promise<AuthContext | undefined> {
  const token = bearerToken(c);
  if (!token) return undefined;
  const { config, sql, clock } = c.var.deps;
  const now = clock.now();
  const verified = await verifyAccessToken(token, config.jwt, toSeconds(now));
  if (!verified.ok || !UUID.test(verified.claims.sid) || !UUID.test(verified.claims.sub)) return undefined;
  const user = await findActiveSessionUser(sql, {
    sessionId: verified.claims.sid,
    userId: verified.claims.sub,
    now,
    idleSince: addSeconds(now, -config.refreshTokenTtlSeconds),
  });
  return user ? { user, sessionId: verified.claims.sid } : undefined;
}

export function unauthorized(c: Context) {
  return problem(c, 401, 'A valid access token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } });
}

export function requireAuth(): MiddlewareHandler<AppBindings> {
  return async function requireAuthMiddleware(c, next) {
    const auth = await authenticate(c);
    if (!auth) return unauthorized(c);
    c.set('auth', auth);
    await next();
  };
}

// For routes that answer everyone but say more to a signed-in caller. A bad token is treated as none.
export function optionalAuth(): MiddlewareHandler<AppBindings> {
  return async function optionalAuthMiddleware(c, next) {
    c.set('auth', await authenticate(c));
    await next();
  };
}

export function getAuth(c: Context<AppBindings>): AuthContext {
  const auth = c.get('auth');
  if (!auth) throw new Error('getAuth called on a route without requireAuth');
  return auth;
}
