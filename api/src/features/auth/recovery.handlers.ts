import { toUserResponse } from '../../auth/user';
import { getAuth } from '../../middlewares/require-auth';
import { problem, validationProblem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppRouteHandler } from '../../platform/types';
import type {
  ConfirmPasswordResetRoute,
  RequestEmailVerificationRoute,
  RequestPasswordResetRoute,
  VerifyEmailRoute,
} from './recovery.routes';
import * as recovery from './recovery.service';

const INVALID_TOKEN = 'This link is invalid, has expired or was already used. Ask for a new one.';

// The same words for a known and an unknown email: the answer must not reveal which addresses have accounts.
const RESET_REQUESTED = 'If an account exists for this email, a link to reset its password is on its way.';

export const requestEmailVerification: AppRouteHandler<RequestEmailVerificationRoute> = async (c) => {
  const { sent } = await recovery.requestEmailVerification(c.var.deps, getAuth(c).user, requestMeta(c));
  const detail = sent ? 'A verification link is on its way to your inbox.' : 'Your email address is already verified.';
  return c.json({ detail }, 202);
};

export const verifyEmail: AppRouteHandler<VerifyEmailRoute> = async (c) => {
  const user = await recovery.verifyEmail(c.var.deps, c.req.valid('json').token, requestMeta(c));
  if (!user) return problem(c, 400, INVALID_TOKEN);
  return c.json(toUserResponse(user), 200);
};

export const requestPasswordReset: AppRouteHandler<RequestPasswordResetRoute> = async (c) => {
  await recovery.requestPasswordReset(c.var.deps, c.req.valid('json').email, requestMeta(c));
  return c.json({ detail: RESET_REQUESTED }, 202);
};

export const confirmPasswordReset: AppRouteHandler<ConfirmPasswordResetRoute> = async (c) => {
  const body = c.req.valid('json');
  const result = await recovery.resetPassword(
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
