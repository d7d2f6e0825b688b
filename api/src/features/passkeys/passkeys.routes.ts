import { createRoute } from '@hono/zod-openapi';
import { requireAuth } from '../../middlewares/require-auth';
import { requireRecentAuth } from '../../middlewares/require-recent-auth';
import { problemResponses } from '../../platform/problem';
import { jsonBody, bearerSecurity as security } from '../../platform/route-docs';
import { passkeySchema } from '../../shared/passkeys';
import {
  creationOptionsSchema,
  passkeyIdParamSchema,
  passkeyListSchema,
  registerPasskeySchema,
  renamePasskeySchema,
} from './passkeys.schemas';

const tags = ['Passkeys'];

const stepUpNote =
  'Needs a recent step-up (401 `reauthentication_required` otherwise, RFC 9470: POST /auth/reauthenticate first).';

// ─── /api/v1/users/me/passkeys: the signed-in user's passkeys ──────────────────────────────────────────────────

export const listPasskeys = createRoute({
  method: 'get',
  path: '/',
  tags,
  security,
  summary: 'Your passkeys',
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: 'Oldest first', content: { 'application/json': { schema: passkeyListSchema } } },
    ...problemResponses(401),
  },
});
export type ListPasskeysRoute = typeof listPasskeys;

export const registrationOptions = createRoute({
  method: 'post',
  path: '/options',
  tags,
  security,
  summary: 'Start adding a passkey: creation options',
  description:
    `${stepUpNote} Answers the WebAuthn creation options (JSON form, as @simplewebauthn/server makes them): a ` +
    'discoverable credential (resident key), user verification required, attestation `none`, your existing ' +
    'passkeys excluded. `user.id` is a random handle, never your email or user id. The challenge is kept on the ' +
    'server for this session, works once and expires in 5 minutes.',
  middleware: [requireAuth(), requireRecentAuth()] as const,
  responses: {
    200: {
      description: 'Pass to navigator.credentials.create()',
      content: { 'application/json': { schema: creationOptionsSchema } },
    },
    ...problemResponses(401, 403, 429),
  },
});
export type RegistrationOptionsRoute = typeof registrationOptions;

export const registerPasskey = createRoute({
  method: 'post',
  path: '/',
  tags,
  security,
  summary: 'Finish adding a passkey',
  description:
    `${stepUpNote} Takes a name and the authenticator's answer to the options of this session. 400 when the answer ` +
    'fails verification (wrong or spent challenge, origin, RP ID, no user verification, a passkey registered ' +
    'before). Ends every other session and mails the owner.',
  middleware: [requireAuth(), requireRecentAuth()] as const,
  request: { body: jsonBody(registerPasskeySchema) },
  responses: {
    201: { description: 'The new passkey', content: { 'application/json': { schema: passkeySchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429),
  },
});
export type RegisterPasskeyRoute = typeof registerPasskey;

export const renamePasskey = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  security,
  summary: 'Rename a passkey',
  middleware: [requireAuth()] as const,
  request: { params: passkeyIdParamSchema, body: jsonBody(renamePasskeySchema) },
  responses: {
    200: { description: 'The renamed passkey', content: { 'application/json': { schema: passkeySchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422),
  },
});
export type RenamePasskeyRoute = typeof renamePasskey;

export const deletePasskey = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  security,
  summary: 'Remove a passkey',
  description:
    `${stepUpNote} 404 when it is not one of yours; 409 \`last_sign_in_method\` when it is the only way into the ` +
    'account (no password, no provider, no other passkey). Ends every other session and mails the owner.',
  middleware: [requireAuth(), requireRecentAuth()] as const,
  request: { params: passkeyIdParamSchema },
  responses: {
    204: { description: 'Removed' },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});
export type DeletePasskeyRoute = typeof deletePasskey;
