import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppBindings } from '../platform/types';

// CORS for the origins in CORS_ORIGINS (the API's own origin needs none). Only a browser's cross-origin call carries
// Origin; the rest skip CORS and its per-response headers.
export function corsForOrigins(origins: string[]): MiddlewareHandler<AppBindings> {
  const corsMiddleware = cors({
    origin: origins,
    credentials: true,
    allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    exposeHeaders: [
      'X-Request-Id',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
      // Cross-origin clients tell a refused access token (401 with the challenge) from a route's own 401 by it.
      'WWW-Authenticate',
    ],
    maxAge: 600,
  });
  return async function corsWhenOrigin(c, next) {
    if (!c.req.header('origin')) return next();
    return corsMiddleware(c, next);
  };
}
