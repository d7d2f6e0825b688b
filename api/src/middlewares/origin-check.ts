import type { MiddlewareHandler } from 'hono';
import { problem } from '../platform/problem';
import type { AppBindings } from '../platform/types';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// CSRF defence for cookie-authenticated requests: every browser sends Origin on a POST, so a state-changing
// request whose Origin is neither ours nor listed in CORS_ORIGINS is refused, JSON and form posts alike.
// Hono's csrf() only inspects form-like content types, which is narrower than the contract; hence this one.
export function originCheck(allowed: string[]): MiddlewareHandler<AppBindings> {
  const allowedSet = new Set(allowed);
  return async function originCheckMiddleware(c, next) {
    const origin = c.req.header('origin');
    if (origin && !SAFE_METHODS.has(c.req.method)) {
      const own = new URL(c.req.url).origin;
      const forwardedProto = c.req.header('x-forwarded-proto');
      const host = c.req.header('host');
      const ownBehindProxy = forwardedProto && host ? `${forwardedProto.split(',')[0]?.trim()}://${host}` : own;
      if (origin !== own && origin !== ownBehindProxy && !allowedSet.has(origin)) {
        return problem(c, 403, 'Cross-origin request refused: this origin is not allowed.');
      }
    }
    await next();
  };
}
