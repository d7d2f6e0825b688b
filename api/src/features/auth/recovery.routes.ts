import { createRoute } from '@hono/zod-openapi';
import { rateLimit, userKey } from '../../middlewares/rate-limit';
import { requireAuth } from '../../middlewares/require-auth';
import { problemResponses } from '../../platform/problem';
import { jsonBody, rateLimitHeaders, bearerSecurity as security } from '../../platform/route-docs';
import { passwordResetConfirmSchema, passwordResetRequestSchema } from '../../shared/fields';
import { userSchema } from '../../shared/user';
import { acceptedSchema, verifyEmailSchema } from './recovery.schemas';

// Account recovery and verification, under /api/v1/auth: the routes a mailed link leads to.

// The per-account budget of verification mail. Sign-up spends one of it too (the first link goes out with the
// account), so the counter it bumps must be this limit's own: `${name}:` + userKey.
export const VERIFY_EMAIL_USER_LIMIT = { name: 'verify-email-user', windowMs: 3_600_000 } as const;

export const requestEmailVerification = createRoute({
  method: 'post',
  path: '/verify-email/request',
  tags: ['Account recovery and verification'],
  security,
  summary: 'Mail a link that verifies the email address',
  description:
    'Mails a single-use link (valid 24 hours) to the signed-in user; a new request makes older links stop working. ' +
    'An already verified address gets 202 too, with no mail. Rate-limited per client and per user ' +
    '(`RATE_LIMIT_MAIL_PER_HOUR`, default 3 an hour, the link sign-up mails included), so nobody can flood an ' +
    'inbox with it.',
  middleware: [
    requireAuth(),
    rateLimit({
      ...VERIFY_EMAIL_USER_LIMIT,
      limit: (config) => config.rateLimits.mailPerHour,
      key: userKey,
    }),
  ] as const,
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
    'links stop working. Never locks or changes the account. Rate-limited per client and per email address ' +
    '(`RATE_LIMIT_MAIL_PER_HOUR`, default 3 an hour, counted for known and unknown addresses alike).',
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
    'lockout for the email and mails a notice. A weak password, or the one the account already has (422 on ' +
    '`new_password`), leaves the token usable.',
  request: { body: jsonBody(passwordResetConfirmSchema) },
  responses: {
    204: { description: 'Password replaced; sign in with it' },
    ...problemResponses(400, 403, 413, 415, 422, 503),
  },
});
export type ConfirmPasswordResetRoute = typeof confirmPasswordReset;
