import { createRoute } from '@hono/zod-openapi';
import { rateLimit, sessionKey } from '../../middlewares/rate-limit';
import { requireAuth } from '../../middlewares/require-auth';
import { problemResponses } from '../../platform/problem';
import { jsonBody, rateLimitHeaders, bearerSecurity as security } from '../../platform/route-docs';
import { changePasswordSchema, updateProfileSchema } from '../../shared/fields';
import { userSchema } from '../../shared/user';
import { sessionIdParamSchema, sessionListSchema } from './users.schemas';

// The signed-in user's account, under /api/v1/users.

const tags = ['Users'];

export const getMe = createRoute({
  method: 'get',
  path: '/me',
  tags,
  security,
  summary: 'The signed-in user',
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: 'The user', content: { 'application/json': { schema: userSchema } } },
    ...problemResponses(401),
  },
});
export type GetMeRoute = typeof getMe;

export const updateMe = createRoute({
  method: 'patch',
  path: '/me',
  tags,
  security,
  summary: 'Update the profile',
  description: 'Rate-limited per session (`RATE_LIMIT_SESSION_WRITES_PER_MINUTE`, default 60).',
  middleware: [
    requireAuth(),
    rateLimit({
      name: 'profile-session',
      limit: (config) => config.rateLimits.sessionWritesPerMinute,
      key: sessionKey,
    }),
  ] as const,
  request: { body: jsonBody(updateProfileSchema) },
  responses: {
    200: {
      description: 'The updated user',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: userSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429),
  },
});
export type UpdateMeRoute = typeof updateMe;

export const changePassword = createRoute({
  method: 'post',
  path: '/me/password',
  tags,
  security,
  summary: 'Change the password',
  description:
    'Ends every other session; the one making the request stays signed in. Mails a notice. A wrong ' +
    '`current_password` is a 401 without `WWW-Authenticate`: the access token is fine and the session goes on. ' +
    'Wrong passwords count toward the sign-in lockout of the account (`LOCKOUT_MAX_ATTEMPTS`, default 5): the ' +
    'one that spends it also ends this session (401 with `WWW-Authenticate: Bearer`; the access and refresh ' +
    'tokens stop working) and mails the owner, and while the lock lasts every try is a 423 with `Retry-After` and ' +
    'no password is checked. A right password resets the count. A `new_password` equal to `current_password` is a ' +
    '422 on `new_password` before any password is checked. Rate-limited per client.',
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(changePasswordSchema) },
  responses: {
    204: { description: 'Password changed' },
    ...problemResponses(400, 401, 403, 413, 415, 422, 423, 429, 503),
  },
});
export type ChangePasswordRoute = typeof changePassword;

export const listSessions = createRoute({
  method: 'get',
  path: '/me/sessions',
  tags,
  security,
  summary: 'The live sessions of the signed-in user, newest first',
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: 'Active sessions', content: { 'application/json': { schema: sessionListSchema } } },
    ...problemResponses(401),
  },
});
export type ListSessionsRoute = typeof listSessions;

export const revokeSession = createRoute({
  method: 'delete',
  path: '/me/sessions/{id}',
  tags,
  security,
  summary: 'End one session',
  description:
    'Its access and refresh tokens stop working at once. 404 for a session that is not yours, unknown or ended.',
  middleware: [requireAuth()] as const,
  request: { params: sessionIdParamSchema },
  responses: {
    204: { description: 'Session ended' },
    ...problemResponses(401, 403, 404, 422),
  },
});
export type RevokeSessionRoute = typeof revokeSession;

export const revokeOtherSessions = createRoute({
  method: 'delete',
  path: '/me/sessions',
  tags,
  security,
  summary: 'Sign out everywhere else',
  description: 'Ends every session of the user except the one making the request. Idempotent.',
  middleware: [requireAuth()] as const,
  responses: {
    204: { description: 'Every other session ended' },
    ...problemResponses(401, 403),
  },
});
export type RevokeOtherSessionsRoute = typeof revokeOtherSessions;
