import { createRoute } from '@hono/zod-openapi';
import { problemResponses } from '../../lib/problem';
import { requireAuth } from '../../middlewares/require-auth';
import { userSchema } from '../auth/auth.schemas';
import {
  acceptedSchema,
  changePasswordSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  sessionIdParamSchema,
  sessionListSchema,
  updateProfileSchema,
  verifyEmailSchema,
} from './account.schemas';

const security = [{ OAuth2PasswordBearer: [] }];

const rateLimitHeaders = {
  'RateLimit-Limit': { schema: { type: 'integer' as const }, description: 'Requests allowed per window' },
  'RateLimit-Remaining': { schema: { type: 'integer' as const }, description: 'Requests left in this window' },
  'RateLimit-Reset': { schema: { type: 'integer' as const }, description: 'Seconds until the window resets' },
};

const jsonBody = <S>(schema: S) => ({ required: true, content: { 'application/json': { schema } } });

// ---- Account recovery and verification, under /api/v1/auth ----

export const requestEmailVerification = createRoute({
  method: 'post',
  path: '/verify-email/request',
  tags: ['Account recovery and verification'],
  security,
  summary: 'Mail a link that verifies the email address',
  description:
    'Mails a single-use link (valid 24 hours) to the signed-in user; a new request makes older links stop working. ' +
    'An already verified address gets 202 too, with no mail. Rate-limited per IP.',
  middleware: [requireAuth()] as const,
  responses: {
    202: {
      description: 'Accepted; the mail leaves in the background',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: acceptedSchema } },
    },
    ...problemResponses(401, 403, 429),
  },
});
export type RequestEmailVerificationRoute = typeof requestEmailVerification;

export const verifyEmail = createRoute({
  method: 'post',
  path: '/verify-email',
  tags: ['Account recovery and verification'],
  summary: 'Verify the email address with the mailed token',
  description: 'No sign-in needed: the link may be opened on another device.',
  request: { body: jsonBody(verifyEmailSchema) },
  responses: {
    200: { description: 'The user, now verified', content: { 'application/json': { schema: userSchema } } },
    ...problemResponses(400, 403, 413, 415, 422),
  },
});
export type VerifyEmailRoute = typeof verifyEmail;

export const requestPasswordReset = createRoute({
  method: 'post',
  path: '/password-reset/request',
  tags: ['Account recovery and verification'],
  summary: 'Mail a password-reset link',
  description:
    'Always 202 with the same body, in about the same time, whether or not the email has an account, so the ' +
    'answer reveals nothing. A known address gets a single-use link valid 1 hour; a new request makes older ' +
    'links stop working. Never locks or changes the account. Rate-limited per IP and per email.',
  request: { body: jsonBody(passwordResetRequestSchema) },
  responses: {
    202: {
      description: 'Accepted',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: acceptedSchema } },
    },
    ...problemResponses(400, 403, 413, 415, 422, 429),
  },
});
export type RequestPasswordResetRoute = typeof requestPasswordReset;

export const confirmPasswordReset = createRoute({
  method: 'post',
  path: '/password-reset/confirm',
  tags: ['Account recovery and verification'],
  summary: 'Set a new password with the mailed token',
  description:
    'Ends every session of the user (their access and refresh tokens stop working at once), clears the sign-in ' +
    'lockout for the email and mails a notice. A weak password (422) leaves the token usable.',
  request: { body: jsonBody(passwordResetConfirmSchema) },
  responses: {
    204: { description: 'Password replaced; sign in with it' },
    ...problemResponses(400, 403, 413, 415, 422),
  },
});
export type ConfirmPasswordResetRoute = typeof confirmPasswordReset;

// ---- The signed-in user's account, under /api/v1/users ----

export const updateMe = createRoute({
  method: 'patch',
  path: '/me',
  tags: ['Users'],
  security,
  summary: 'Update the profile',
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(updateProfileSchema) },
  responses: {
    200: { description: 'The updated user', content: { 'application/json': { schema: userSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});
export type UpdateMeRoute = typeof updateMe;

export const changePassword = createRoute({
  method: 'post',
  path: '/me/password',
  tags: ['Users'],
  security,
  summary: 'Change the password',
  description:
    'Ends every other session; the one making the request stays signed in. A wrong `current_password` is a 401 ' +
    'without `WWW-Authenticate`: the access token is fine and the session goes on. Mails a notice. ' +
    'Rate-limited per IP.',
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(changePasswordSchema) },
  responses: {
    204: { description: 'Password changed' },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429),
  },
});
export type ChangePasswordRoute = typeof changePassword;

export const listSessions = createRoute({
  method: 'get',
  path: '/me/sessions',
  tags: ['Users'],
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
  tags: ['Users'],
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
  tags: ['Users'],
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
