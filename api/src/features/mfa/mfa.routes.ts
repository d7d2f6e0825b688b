import { createRoute } from '@hono/zod-openapi';
import { requireAuth } from '../../middlewares/require-auth';
import { requireRecentAuth } from '../../middlewares/require-recent-auth';
import { problemResponses } from '../../platform/problem';
import { jsonBody, bearerSecurity as security } from '../../platform/route-docs';
import { mfaStatusSchema } from '../../shared/mfa';
import { recoveryCodesSchema, totpConfirmedSchema, totpConfirmSchema, totpEnrollmentSchema } from './mfa.schemas';

const tags = ['MFA'];
const stepUpNote =
  ' Needs a recent step-up (POST /auth/reauthenticate): otherwise 401 `reauthentication_required` (RFC 9470).';

export const getStatus = createRoute({
  method: 'get',
  path: '/',
  tags,
  security,
  summary: 'Your second factors',
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: 'MFA state', content: { 'application/json': { schema: mfaStatusSchema } } },
    ...problemResponses(401),
  },
});
export type GetStatusRoute = typeof getStatus;

export const startTotp = createRoute({
  method: 'post',
  path: '/totp',
  tags,
  security,
  summary: 'Start setting up an authenticator app',
  description:
    'A new pending enrollment (replacing an earlier pending one): the secret and the otpauth URL to show as a QR ' +
    'code. It gates nothing until POST /totp/confirm accepts a code; the secret is stored encrypted and never ' +
    `returned again.${stepUpNote}`,
  middleware: [requireAuth(), requireRecentAuth()] as const,
  responses: {
    200: { description: 'The pending enrollment', content: { 'application/json': { schema: totpEnrollmentSchema } } },
    ...problemResponses(401, 403, 409),
  },
});
export type StartTotpRoute = typeof startTotp;

export const confirmTotp = createRoute({
  method: 'post',
  path: '/totp/confirm',
  tags,
  security,
  summary: 'Confirm the authenticator app with a code',
  description:
    'Turns MFA on: every other session ends, the owner is mailed, and the first batch of ten recovery codes is ' +
    'answered (shown this once). The confirming code is spent: it never works again, not even for the next sign-in.',
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(totpConfirmSchema) },
  responses: {
    200: { description: 'MFA is on', content: { 'application/json': { schema: totpConfirmedSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});
export type ConfirmTotpRoute = typeof confirmTotp;

export const deleteTotp = createRoute({
  method: 'delete',
  path: '/totp',
  tags,
  security,
  summary: 'Turn the authenticator app off',
  description: `Deletes the factor and the recovery codes; every other session ends and the owner is mailed.${stepUpNote}`,
  middleware: [requireAuth(), requireRecentAuth()] as const,
  responses: {
    204: { description: 'The authenticator app no longer signs you in' },
    ...problemResponses(401, 403, 404),
  },
});
export type DeleteTotpRoute = typeof deleteTotp;

export const regenerateRecoveryCodes = createRoute({
  method: 'post',
  path: '/recovery-codes',
  tags,
  security,
  summary: 'Replace your recovery codes',
  description: `A new batch of ten; every code of the old batch stops working at once. The owner is mailed.${stepUpNote}`,
  middleware: [requireAuth(), requireRecentAuth()] as const,
  responses: {
    200: { description: 'The new codes, shown once', content: { 'application/json': { schema: recoveryCodesSchema } } },
    ...problemResponses(401, 403, 409),
  },
});
export type RegenerateRecoveryCodesRoute = typeof regenerateRecoveryCodes;
