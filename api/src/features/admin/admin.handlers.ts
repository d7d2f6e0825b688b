import type { Context } from 'hono';
import { getAuth } from '../../middlewares/require-auth';
import { problem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppBindings, AppRouteHandler } from '../../platform/types';
import { describeAuditEvent } from '../../shared/audit-events';
import { percentOf } from '../../shared/percent';
import { decodeAuditCursor, decodeCountCursor, decodeTimeCursor, encodeCursor } from './admin.cursor';
import * as queries from './admin.queries';
import type {
  EndUserSessionsRoute,
  GetUserRoute,
  ListAuditRoute,
  ListLearnersRoute,
  ListUsersRoute,
  ResetUserMfaRoute,
  UpdateUserRoute,
} from './admin.routes';
import * as admin from './admin.service';

const actorOf = (c: Context<AppBindings>): admin.Actor => ({ id: getAuth(c).user.id, meta: requestMeta(c) });

// A cursor this API did not make: the same 422 a failed validation gets, naming the field.
const badCursor = (c: Context) =>
  problem(c, 422, 'The request did not pass validation.', {
    errors: [{ field: 'cursor', message: 'Not a cursor from this list: start again without one' }],
  });

// The page and the cursor after its last row: rows were read with `limit + 1`, so a row beyond the page says
// another page follows.
function page<T>(rows: T[], limit: number, keyOf: (row: T) => string) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? keyOf(last) : null };
}

export const listUsers: AppRouteHandler<ListUsersRoute> = async (c) => {
  const query = c.req.valid('query');
  const after = query.cursor ? decodeTimeCursor(query.cursor) : undefined;
  if (query.cursor && !after) return badCursor(c);
  const rows = await queries.searchUsers(c.var.deps.sql, {
    q: query.q || undefined,
    role: query.role,
    status: query.status,
    after,
    limit: query.limit,
  });
  const { items, next_cursor } = page(rows, query.limit, (row) => encodeCursor({ at: row.cursor_at, id: row.id }));
  c.header('Cache-Control', 'no-store');
  return c.json({ items: items.map(admin.toAdminUser), next_cursor }, 200);
};

export const getUser: AppRouteHandler<GetUserRoute> = async (c) => {
  const user = await admin.viewUser(c.var.deps, actorOf(c), c.req.valid('param').id);
  if (!user) return problem(c, 404, 'No such user.');
  c.header('Cache-Control', 'no-store');
  return c.json(user, 200);
};

export const updateUser: AppRouteHandler<UpdateUserRoute> = async (c) => {
  const outcome = await admin.changeUser(c.var.deps, actorOf(c), c.req.valid('param').id, c.req.valid('json'));
  if (!outcome.ok) {
    switch (outcome.reason) {
      case 'not_found':
        return problem(c, 404, 'No such user.');
      case 'last_admin_self':
        return problem(c, 409, 'You cannot demote or disable yourself: ask another admin.', { code: 'last_admin' });
      case 'last_admin':
        return problem(c, 409, 'This is the last active admin: make someone else an admin first.', {
          code: 'last_admin',
        });
      default:
        return problem(c, 422, 'The request did not pass validation.', {
          errors: [{ field: 'disabled_reason', message: 'A reason goes with disabling the account' }],
        });
    }
  }
  return c.json(outcome.user, 200);
};

export const endUserSessions: AppRouteHandler<EndUserSessionsRoute> = async (c) => {
  const found = await admin.endSessions(c.var.deps, actorOf(c), c.req.valid('param').id);
  if (!found) return problem(c, 404, 'No such user.');
  return c.body(null, 204);
};

export const resetUserMfa: AppRouteHandler<ResetUserMfaRoute> = async (c) => {
  const found = await admin.resetMfa(c.var.deps, actorOf(c), c.req.valid('param').id);
  if (!found) return problem(c, 404, 'No such user.');
  return c.body(null, 204);
};

export const listAudit: AppRouteHandler<ListAuditRoute> = async (c) => {
  const query = c.req.valid('query');
  const after = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
  if (query.cursor && !after) return badCursor(c);
  const rows = await queries.listAudit(c.var.deps.sql, {
    userId: query.user_id,
    actorId: query.actor_id,
    event: query.event,
    from: query.from,
    to: query.to,
    after,
    limit: query.limit,
  });
  const { items, next_cursor } = page(rows, query.limit, (row) => encodeCursor({ at: row.cursor_at, id: row.id }));
  c.header('Cache-Control', 'no-store');
  return c.json(
    {
      items: items.map((row) => ({
        id: Number(row.id),
        event: row.event,
        description: describeAuditEvent(row.event),
        user_id: row.user_id,
        actor_id: row.actor_id,
        email: row.email,
        ip_address: row.ip_address,
        user_agent: row.user_agent,
        metadata: row.metadata,
        created_at: row.created_at.toISOString(),
      })),
      next_cursor,
    },
    200,
  );
};

export const listLearners: AppRouteHandler<ListLearnersRoute> = async (c) => {
  const query = c.req.valid('query');
  const byProgress = query.sort === 'progress';
  const afterTime = query.cursor && !byProgress ? decodeTimeCursor(query.cursor) : undefined;
  const afterCount = query.cursor && byProgress ? decodeCountCursor(query.cursor) : undefined;
  if (query.cursor && !afterTime && !afterCount) return badCursor(c);
  const course = await queries.findCourse(c.var.deps.sql, c.req.valid('param').slug);
  if (!course) return problem(c, 404, 'No such course.');
  const rows = await queries.listLearners(c.var.deps.sql, {
    courseId: course.id,
    q: query.q || undefined,
    sort: query.sort,
    afterTime,
    afterCount,
    limit: query.limit,
  });
  const { items, next_cursor } = page(rows, query.limit, (row) =>
    byProgress
      ? encodeCursor({ count: row.completed, id: row.user_id })
      : encodeCursor({ at: row.cursor_at, id: row.user_id }),
  );
  c.header('Cache-Control', 'no-store');
  return c.json(
    {
      items: items.map((row) => ({
        user_id: row.user_id,
        email: row.email,
        full_name: row.full_name,
        completed: row.completed,
        total: course.total,
        percent: percentOf(row.completed, course.total),
        last_activity_at: row.last_activity_at.toISOString(),
      })),
      next_cursor,
    },
    200,
  );
};
