import { createRoute } from '@hono/zod-openapi';
import { requireAuth } from '../../middlewares/require-auth';
import { requireRecentAuth } from '../../middlewares/require-recent-auth';
import { problemResponses } from '../../platform/problem';
import { rateLimitHeaders, bearerSecurity as security } from '../../platform/route-docs';
import { userDataExportSchema } from './data.schemas';

// "Your data" (API.md): the export and the deletion of the signed-in user's account, under /api/v1/users.

const tags = ['Users'];

export const exportMyData = createRoute({
  method: 'get',
  path: '/me/export',
  tags,
  security,
  summary: 'Download everything held about you',
  description:
    'One JSON document, sent as an attachment: the profile, every session, the audit entries about you, curriculum ' +
    'progress, connected sign-in providers and sign-in factor metadata. Never a hash, secret, key or token. Needs a ' +
    'recent step-up (401 `reauthentication_required`). Three exports per user in any hour: the fourth answers 429 ' +
    'with `Retry-After`; the RateLimit headers count that budget.',
  middleware: [requireAuth(), requireRecentAuth()] as const,
  responses: {
    200: {
      description: 'The export',
      headers: {
        ...rateLimitHeaders,
        'Content-Disposition': {
          schema: { type: 'string' as const },
          description: 'attachment; filename="ai-bootcamp-data-<date>.json"',
        },
      },
      content: { 'application/json': { schema: userDataExportSchema } },
    },
    ...problemResponses(401, 429),
  },
});
export type ExportMyDataRoute = typeof exportMyData;

export const deleteMe = createRoute({
  method: 'delete',
  path: '/me',
  tags,
  security,
  summary: 'Delete your account',
  description:
    'Deletes the account and everything it owns (sessions, tokens, connected accounts, sign-in factors, progress) ' +
    'in one transaction: every session and token stops working at once, a password login answers like an unknown ' +
    'email, and signing up again with the address starts afresh. The audit log keeps its events without the email ' +
    'or the user reference (an `account_deleted` row is written). A confirmation mail goes to the old address. ' +
    'Needs a recent step-up (401 `reauthentication_required`); the last active admin gets 409 `last_admin`.',
  middleware: [requireAuth(), requireRecentAuth()] as const,
  responses: {
    204: { description: 'The account is deleted; the refresh cookie is cleared' },
    ...problemResponses(401, 403, 409),
  },
});
export type DeleteMeRoute = typeof deleteMe;
