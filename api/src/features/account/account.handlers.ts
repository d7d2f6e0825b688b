import { problem, validationProblem } from '../../lib/problem';
import type { AppRouteHandler } from '../../lib/types';
import { getAuth } from '../../middlewares/require-auth';
import { requestMeta } from '../auth/auth.handlers';
import { toUserResponse } from '../auth/auth.schemas';
import type {
  ChangePasswordRoute,
  ConfirmPasswordResetRoute,
  ListSessionsRoute,
  RequestEmailVerificationRoute,
  RequestPasswordResetRoute,
  RevokeOtherSessionsRoute,
  RevokeSessionRoute,
  UpdateMeRoute,
  VerifyEmailRoute,
} from './account.routes';
import * as account from './account.service';

const INVALID_TOKEN = 'This link is invalid, has expired or was already used. Ask for a new one.';
// The same words for a known and an unknown email: the answer must not reveal which addresses have accounts.
const RESET_REQUESTED = 'If an account exists for this email, a link to reset its password is on its way.';

export const requestEmailVerification: AppRouteHandler<RequestEmailVerificationRoute> = async (c) => {
  const { sent } = await account.requestEmailVerification(c.var.deps, getAuth(c).user, requestMeta(c));
  const detail = sent ? 'A verification link is on its way to your inbox.' : 'Your email address is already verified.';
  return c.json({ detail }, 202);
};

export const verifyEmail: AppRouteHandler<VerifyEmailRoute> = async (c) => {
  const user = await account.verifyEmail(c.var.deps, c.req.valid('json').token, requestMeta(c));
  if (!user) return problem(c, 400, INVALID_TOKEN);
  return c.json(toUserResponse(user), 200);
};

export const requestPasswordReset: AppRouteHandler<RequestPasswordResetRoute> = async (c) => {
  await account.requestPasswordReset(c.var.deps, c.req.valid('json').email, requestMeta(c));
  return c.json({ detail: RESET_REQUESTED }, 202);
};

export const confirmPasswordReset: AppRouteHandler<ConfirmPasswordResetRoute> = async (c) => {
  const body = c.req.valid('json');
  const result = await account.resetPassword(
    c.var.deps,
    { token: body.token, newPassword: body.new_password },
    requestMeta(c),
  );
  if (!result.ok) {
    if (result.reason === 'weak_password')
      return validationProblem(c, [{ field: 'new_password', message: result.message }]);
    return problem(c, 400, INVALID_TOKEN);
  }
  return c.body(null, 204);
};

export const updateMe: AppRouteHandler<UpdateMeRoute> = async (c) => {
  const user = await account.updateProfile(
    c.var.deps,
    getAuth(c).user,
    { fullName: c.req.valid('json').full_name },
    requestMeta(c),
  );
  return c.json(toUserResponse(user), 200);
};

export const changePassword: AppRouteHandler<ChangePasswordRoute> = async (c) => {
  const body = c.req.valid('json');
  const result = await account.changePassword(
    c.var.deps,
    getAuth(c),
    { currentPassword: body.current_password, newPassword: body.new_password },
    requestMeta(c),
  );
  if (!result.ok) {
    if (result.reason === 'weak_password')
      return validationProblem(c, [{ field: 'new_password', message: result.message }]);
    // No WWW-Authenticate: the access token is fine, so a client must not take this as "signed out".
    return problem(c, 401, 'The current password is incorrect.');
  }
  return c.body(null, 204);
};

export const listSessions: AppRouteHandler<ListSessionsRoute> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await account.listSessions(c.var.deps, getAuth(c)), 200);
};

export const revokeSession: AppRouteHandler<RevokeSessionRoute> = async (c) => {
  const revoked = await account.revokeSession(c.var.deps, getAuth(c), c.req.valid('param').id, requestMeta(c));
  if (!revoked) return problem(c, 404, 'No such session.');
  return c.body(null, 204);
};

export const revokeOtherSessions: AppRouteHandler<RevokeOtherSessionsRoute> = async (c) => {
  await account.revokeOtherSessions(c.var.deps, getAuth(c), requestMeta(c));
  return c.body(null, 204);
};
