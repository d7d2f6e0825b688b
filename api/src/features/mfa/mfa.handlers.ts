import { mfaInvalidProblem } from '../../auth/mfa-problem';
import { mfaStatus } from '../../auth/mfa-status';
import { getAuth } from '../../middlewares/require-auth';
import { problem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppRouteHandler } from '../../platform/types';
import type {
  ConfirmTotpRoute,
  DeleteTotpRoute,
  GetStatusRoute,
  RegenerateRecoveryCodesRoute,
  StartTotpRoute,
} from './mfa.routes';
import * as mfa from './mfa.service';

export const getStatus: AppRouteHandler<GetStatusRoute> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await mfaStatus(c.var.deps, getAuth(c).user.id), 200);
};

export const startTotp: AppRouteHandler<StartTotpRoute> = async (c) => {
  const result = await mfa.startTotpEnrollment(c.var.deps, getAuth(c), requestMeta(c));
  if (!result.ok) {
    return problem(c, 409, 'An authenticator app is already set up. Turn it off first to set up another.');
  }
  c.header('Cache-Control', 'no-store');
  return c.json({ secret: result.secret, otpauth_url: result.otpauthUrl }, 200);
};

export const confirmTotp: AppRouteHandler<ConfirmTotpRoute> = async (c) => {
  const result = await mfa.confirmTotpEnrollment(c.var.deps, getAuth(c), c.req.valid('json').code, requestMeta(c));
  if (!result.ok) {
    if (result.reason === 'no_pending_enrollment') {
      return problem(c, 409, 'There is no authenticator app setup to confirm. Start the setup again.');
    }
    return mfaInvalidProblem(c);
  }
  c.header('Cache-Control', 'no-store');
  return c.json(result.recoveryCodes ? { recovery_codes: result.recoveryCodes } : {}, 200);
};

export const deleteTotp: AppRouteHandler<DeleteTotpRoute> = async (c) => {
  const deleted = await mfa.turnOffTotp(c.var.deps, getAuth(c), requestMeta(c));
  if (!deleted) return problem(c, 404, 'No authenticator app is set up.');
  return c.body(null, 204);
};

export const regenerateRecoveryCodes: AppRouteHandler<RegenerateRecoveryCodesRoute> = async (c) => {
  const codes = await mfa.regenerateRecoveryCodes(c.var.deps, getAuth(c), requestMeta(c));
  if (!codes)
    return problem(c, 409, 'Recovery codes need two-factor authentication: set up an authenticator app first.');
  c.header('Cache-Control', 'no-store');
  return c.json({ recovery_codes: codes }, 200);
};
