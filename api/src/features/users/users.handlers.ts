import { toUserResponse } from '../../auth/user';
import { getAuth } from '../../middlewares/require-auth';
import { problem, validationProblem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppRouteHandler } from '../../platform/types';
import type {
  ChangePasswordRoute,
  GetMeRoute,
  ListSessionsRoute,
  RevokeOtherSessionsRoute,
  RevokeSessionRoute,
  UpdateMeRoute,
} from './users.routes';
import * as users from './users.service';

// One round trip: requireAuth already loaded the user with the session check.
export const getMe: AppRouteHandler<GetMeRoute> = (c) => c.json(toUserResponse(getAuth(c).user), 200);

export const updateMe: AppRouteHandler<UpdateMeRoute> = async (c) => {
  const user = await users.updateProfile(
    c.var.deps,
    getAuth(c).user,
    { fullName: c.req.valid('json').full_name },
    requestMeta(c),
  );
  return c.json(toUserResponse(user), 200);
};

export const changePassword: AppRouteHandler<ChangePasswordRoute> = async (c) => {
  const body = c.req.valid('json');
  const result = await users.changePassword(
    c.var.deps,
    getAuth(c),
    { currentPassword: body.current_password, newPassword: body.new_password },
    requestMeta(c),
  );
  if (!result.ok) {
    switch (result.reason) {
      case 'weak_password':
        return validationProblem(c, [{ field: 'new_password', message: result.message }]);
      case 'locked': {
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        return problem(
          c,
          423,
          `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or reset your password.`,
          { headers: { 'Retry-After': String(result.retryAfterSeconds) } },
        );
      }
      default:
        // This guess spent the account's budget and ended the session: the client is signed out now.
        if (result.sessionEnded) {
          return problem(c, 401, 'The current password is incorrect. Too many wrong tries: you have been signed out.', {
            headers: { 'WWW-Authenticate': 'Bearer' },
          });
        }
        // No WWW-Authenticate: the access token is fine, so a client must not take this as "signed out".
        return problem(c, 401, 'The current password is incorrect.');
    }
  }
  return c.body(null, 204);
};

export const listSessions: AppRouteHandler<ListSessionsRoute> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await users.listSessions(c.var.deps, getAuth(c)), 200);
};

export const revokeSession: AppRouteHandler<RevokeSessionRoute> = async (c) => {
  const revoked = await users.revokeSession(c.var.deps, getAuth(c), c.req.valid('param').id, requestMeta(c));
  if (!revoked) return problem(c, 404, 'No such session.');
  return c.body(null, 204);
};

export const revokeOtherSessions: AppRouteHandler<RevokeOtherSessionsRoute> = async (c) => {
  await users.revokeOtherSessions(c.var.deps, getAuth(c), requestMeta(c));
  return c.body(null, 204);
};
