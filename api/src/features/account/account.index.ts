import type { Context } from 'hono';
import { hashToken } from '../../auth/tokens';
import { createRouter } from '../../lib/create-router';
import type { AppBindings } from '../../lib/types';
import { rateLimit } from '../../middlewares/rate-limit';
import * as handlers from './account.handlers';
import * as routes from './account.routes';

const resetLimit = (config: { rateLimits: { resetPerMinute: number } }) => config.rateLimits.resetPerMinute;

// Per email as well as per IP: otherwise a botnet could flood one inbox, one request per address each. The key
// is the email's SHA-256, so the counters table holds no addresses.
// Hono caches the parsed body, so the route's validator reads it again after this. A body that is not JSON
// falls back to the IP; the validator then answers it with its 400 or 415.
async function emailKey(c: Context<AppBindings>) {
  if (/^application\/(.+\+)?json/i.test(c.req.header('content-type') ?? '')) {
    const body: unknown = await c.req.json().catch(() => undefined);
    const email = (body as { email?: unknown } | undefined)?.email;
    if (typeof email === 'string' && email.trim()) return `email:${hashToken(email.trim().toLowerCase())}`;
  }
  return `ip:${c.var.clientIp}`;
}

const auth = createRouter();
auth.use('/verify-email/request', rateLimit({ name: 'verify-email', limit: resetLimit }));
auth.use('/password-reset/request', rateLimit({ name: 'reset-ip', limit: resetLimit }));
auth.use('/password-reset/request', rateLimit({ name: 'reset-email', limit: resetLimit, key: emailKey }));

// Mounted at /api/v1/auth beside the sign-in routes.
export const accountAuthRouter = auth
  .openapi(routes.requestEmailVerification, handlers.requestEmailVerification)
  .openapi(routes.verifyEmail, handlers.verifyEmail)
  .openapi(routes.requestPasswordReset, handlers.requestPasswordReset)
  .openapi(routes.confirmPasswordReset, handlers.confirmPasswordReset);

const users = createRouter();
users.use('/me/password', rateLimit({ name: 'password-change', limit: (config) => config.rateLimits.loginPerMinute }));

// Mounted at /api/v1/users beside GET /me.
export const accountUsersRouter = users
  .openapi(routes.updateMe, handlers.updateMe)
  .openapi(routes.changePassword, handlers.changePassword)
  .openapi(routes.listSessions, handlers.listSessions)
  .openapi(routes.revokeSession, handlers.revokeSession)
  .openapi(routes.revokeOtherSessions, handlers.revokeOtherSessions);
