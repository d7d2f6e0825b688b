import { createRoute } from '@hono/zod-openapi';
import { requireAuth } from '../../middlewares/require-auth';
import { requireRecentAuth } from '../../middlewares/require-recent-auth';
import { requirePermission } from '../../middlewares/require-role';
import { problemResponses } from '../../platform/problem';
import { jsonBody, bearerSecurity as security } from '../../platform/route-docs';
import {
  adminUserDetailSchema,
  adminUserListQuerySchema,
  adminUserPageSchema,
  adminUserPatchSchema,
  adminUserSchema,
  auditPageSchema,
  auditQuerySchema,
  courseSlugParamSchema,
  learnerPageSchema,
  learnersQuerySchema,
  userIdParamSchema,
} from './admin.schemas';

// /api/v1/admin. Who may call each route is shared/permissions.ts; the role is read from the database on every
// request. A student gets 403 on every route, an anonymous caller 401. Mutations need a recent step-up.

const tags = ['Administration'];
const noStore = { 'Cache-Control': { schema: { type: 'string' as const }, description: 'no-store' } };

export const listUsers = createRoute({
  method: 'get',
  path: '/users',
  tags,
  security,
  summary: 'Search users (instructor, admin)',
  description:
    'Newest first, keyset-paginated: pass `next_cursor` back as `cursor` for the next page; users added meanwhile ' +
    'neither repeat nor shift a page. `q` is a case-insensitive substring of the email or the name.',
  middleware: [requireAuth(), requirePermission('users:read')] as const,
  request: { query: adminUserListQuerySchema },
  responses: {
    200: {
      description: 'A page of users',
      headers: noStore,
      content: { 'application/json': { schema: adminUserPageSchema } },
    },
    ...problemResponses(401, 403, 422),
  },
});
export type ListUsersRoute = typeof listUsers;

export const getUser = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags,
  security,
  summary: "One user's detail: sessions, connected accounts, second factors, progress (instructor, admin)",
  description: 'Audited as `admin_viewed_user` with the caller as actor.',
  middleware: [requireAuth(), requirePermission('users:read')] as const,
  request: { params: userIdParamSchema },
  responses: {
    200: {
      description: 'The user',
      headers: noStore,
      content: { 'application/json': { schema: adminUserDetailSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});
export type GetUserRoute = typeof getUser;

export const updateUser = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags,
  security,
  summary: 'Change a role, disable or enable an account (admin, step-up)',
  description:
    'Disabling ends every session at once and sign-in by any method then answers `account_disabled`; enabling ' +
    'clears the reason. 409 `last_admin`: an admin cannot demote or disable themself, nor the last active admin.',
  middleware: [requireAuth(), requirePermission('users:manage'), requireRecentAuth()] as const,
  request: { params: userIdParamSchema, body: jsonBody(adminUserPatchSchema) },
  responses: {
    200: { description: 'The user after the change', content: { 'application/json': { schema: adminUserSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});
export type UpdateUserRoute = typeof updateUser;

export const endUserSessions = createRoute({
  method: 'delete',
  path: '/users/{id}/sessions',
  tags,
  security,
  summary: 'End every session of a user (admin, step-up)',
  middleware: [requireAuth(), requirePermission('users:manage'), requireRecentAuth()] as const,
  request: { params: userIdParamSchema },
  responses: {
    204: { description: 'Every session of the user ended' },
    ...problemResponses(401, 403, 404, 422),
  },
});
export type EndUserSessionsRoute = typeof endUserSessions;

export const resetUserMfa = createRoute({
  method: 'delete',
  path: '/users/{id}/mfa',
  tags,
  security,
  summary: "Reset a user's two-factor authentication (admin, step-up)",
  description:
    'For an owner who lost their authenticator app and recovery codes: removes the TOTP factor (confirmed or ' +
    'pending), every recovery code and every MFA sign-in challenge in flight, ends every session of the user and ' +
    'mails the owner; the user then signs in with the first factor alone. Passkeys are kept (each is a way in of ' +
    'its own). 204 also when there was nothing to remove. Audited as `admin_mfa_reset` with the caller as actor.',
  middleware: [requireAuth(), requirePermission('users:manage'), requireRecentAuth()] as const,
  request: { params: userIdParamSchema },
  responses: {
    204: { description: "The user's second factors removed and every session ended" },
    ...problemResponses(401, 403, 404, 422),
  },
});
export type ResetUserMfaRoute = typeof resetUserMfa;

export const listAudit = createRoute({
  method: 'get',
  path: '/audit',
  tags,
  security,
  summary: 'The audit log (admin)',
  description:
    'Newest first, keyset-paginated, filtered by subject user, actor, event and time (`from` inclusive, `to` ' +
    'exclusive). Event names and their words: shared/audit-events.ts.',
  middleware: [requireAuth(), requirePermission('audit:read')] as const,
  request: { query: auditQuerySchema },
  responses: {
    200: {
      description: 'A page of audit entries',
      headers: noStore,
      content: { 'application/json': { schema: auditPageSchema } },
    },
    ...problemResponses(401, 403, 422),
  },
});
export type ListAuditRoute = typeof listAudit;

export const listLearners = createRoute({
  method: 'get',
  path: '/courses/{slug}/learners',
  tags,
  security,
  summary: "A course's learners with their progress (instructor, admin)",
  description:
    'Everyone with progress in the course. `sort=last_activity` (default) or `progress`; keyset-paginated. The ' +
    'numbers are the ones each learner sees in GET /users/me/progress.',
  middleware: [requireAuth(), requirePermission('learners:read')] as const,
  request: { params: courseSlugParamSchema, query: learnersQuerySchema },
  responses: {
    200: {
      description: 'A page of learners',
      headers: noStore,
      content: { 'application/json': { schema: learnerPageSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});
export type ListLearnersRoute = typeof listLearners;
