import type { MiddlewareHandler } from 'hono';
import { problem } from '../platform/problem';
import type { AppBindings } from '../platform/types';
import { can, type Permission } from '../shared/permissions';
import { getAuth } from './require-auth';

// After requireAuth(): the caller's role must grant `permission` (shared/permissions.ts). The role is the one
// requireAuth just read from the database with the session check, never the token's claim, so a promotion or a
// demotion counts from the caller's next request. Runs before any step-up check: a student asking for an admin
// mutation learns "forbidden", not "confirm it is you".
export function requirePermission(permission: Permission): MiddlewareHandler<AppBindings> {
  return async function requirePermissionMiddleware(c, next) {
    if (!can(getAuth(c).user.role, permission)) {
      return problem(c, 403, 'Your role does not allow this.');
    }
    await next();
  };
}
