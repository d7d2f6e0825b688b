import { createRoute } from '@hono/zod-openapi';
import { requireAuth } from '../../middlewares/require-auth';
import { problemResponses } from '../../platform/problem';
import { jsonBody, rateLimitHeaders, bearerSecurity as security } from '../../platform/route-docs';
import { tokenPairSchema } from '../../shared/user';
import {
  passkeySignInOptionsSchema,
  passkeySignInSchema,
  requestOptionsSchema,
  secondFactorOptionsSchema,
} from './passkey-sign-in.schemas';

// The OpenAPI tag stays the passkeys' one: these are the passkey routes a client signs in with.
const tags = ['Passkeys'];

// ─── /api/v1/auth: passwordless sign-in and the step-up with a passkey ─────────────────────────────────────────

export const signInOptions = createRoute({
  method: 'post',
  path: '/passkey/options',
  tags,
  summary: 'Start a passwordless sign-in with a passkey',
  description:
    'Request options for any discoverable passkey of this site (no `allowCredentials`), user verification ' +
    'required. The challenge is kept on the server, works once and expires in 5 minutes; send `challenge_id` back ' +
    'with the assertion. Rate-limited per client like the login.',
  responses: {
    200: {
      description: 'Pass `options` to navigator.credentials.get()',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: passkeySignInOptionsSchema } },
    },
    ...problemResponses(403, 429),
  },
});
export type SignInOptionsRoute = typeof signInOptions;

export const signInVerify = createRoute({
  method: 'post',
  path: '/passkey/verify',
  tags,
  summary: 'Finish a passwordless sign-in with a passkey',
  description:
    'A user-verified passkey counts as two factors: no MFA step follows. Sets the refresh cookie like the login. ' +
    '401 for anything that does not verify (unknown passkey, spent or expired challenge, no user verification, a ' +
    'bad signature, a device-bound passkey whose counter went backwards); 403 `account_disabled`.',
  request: { body: jsonBody(passkeySignInSchema) },
  responses: {
    200: {
      description: 'Token pair; the refresh token is also set as an HttpOnly cookie',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: tokenPairSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429),
  },
});
export type SignInVerifyRoute = typeof signInVerify;

export const reauthenticationOptions = createRoute({
  method: 'post',
  path: '/reauthenticate/webauthn/options',
  tags,
  security,
  summary: 'Step up with a passkey: request options',
  description:
    'Request options for your passkeys (user verification required); the challenge belongs to this session, works ' +
    'once and expires in 5 minutes. Send the assertion as `{webauthn}` to POST /auth/reauthenticate.',
  middleware: [requireAuth()] as const,
  responses: {
    200: {
      description: 'Pass to navigator.credentials.get()',
      content: { 'application/json': { schema: requestOptionsSchema } },
    },
    ...problemResponses(401, 403, 404, 429),
  },
});
export type ReauthenticationOptionsRoute = typeof reauthenticationOptions;

export const secondFactorOptions = createRoute({
  method: 'post',
  path: '/mfa/webauthn/options',
  tags,
  summary: 'Finish a sign-in with a passkey: request options',
  description:
    "For a 403 `mfa_required` whose `methods` include `webauthn`: request options for that user's passkeys (user " +
    'verification required). The challenge works once and expires in 5 minutes; send the assertion as ' +
    '`{mfa_token, webauthn}` to POST /auth/mfa/verify. Asking does not spend the `mfa_token` nor count as a try. An ' +
    'unknown, expired, spent or exhausted `mfa_token` answers 401 `mfa_invalid`, as the verify does; 404 when the ' +
    'account has no passkey. Rate-limited per client like the login.',
  request: { body: jsonBody(secondFactorOptionsSchema) },
  responses: {
    200: {
      description: 'Pass to navigator.credentials.get()',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: requestOptionsSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 429),
  },
});
export type SecondFactorOptionsRoute = typeof secondFactorOptions;
