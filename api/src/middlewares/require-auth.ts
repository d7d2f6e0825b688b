import type { Context, MiddlewareHandler } from 'hono';
import { type AuthContext, validateAccessToken } from '../auth/sessions';
import { problem } from '../platform/problem';
import type { AppBindings } from '../platform/types';

export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header?.match(/^Bearer\s+([A-Za-z0-9\-_.]+)$/i);
  return match?.[1];
}

export async function authenticate(c: Context<AppBindings>): Promise<AuthContext | undefined> {
  const token = bearerToken(c);
  return token ? validateAccessToken(c.var.deps, token) : undefined;
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
