import { readMfaCookie } from '../../auth/mfa-cookie';
import { mfaInvalidProblem } from '../../auth/mfa-problem';
import { respondWithTokens } from '../../auth/refresh-cookie';
import { assertionOptions } from '../../auth/webauthn';
import { listCredentialDescriptors } from '../../auth/webauthn.queries';
import { getAuth } from '../../middlewares/require-auth';
import { problem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppRouteHandler } from '../../platform/types';
import type {
  ReauthenticationOptionsRoute,
  SecondFactorOptionsRoute,
  SignInOptionsRoute,
  SignInVerifyRoute,
} from './passkey-sign-in.routes';
import * as passkeys from './passkey-sign-in.service';

export const signInOptions: AppRouteHandler<SignInOptionsRoute> = async (c) => {
  const { challengeId, options } = await assertionOptions(c.var.deps, {
    purpose: 'sign_in',
    userId: null,
    sessionId: null,
  });
  c.header('Cache-Control', 'no-store');
  return c.json({ challenge_id: challengeId, options }, 200);
};

export const signInVerify: AppRouteHandler<SignInVerifyRoute> = async (c) => {
  const result = await passkeys.signInWithPasskey(c.var.deps, c.req.valid('json'), requestMeta(c));
  if (!result.ok) {
    if (result.reason === 'disabled') {
      return problem(c, 403, 'This account has been disabled.', { code: 'account_disabled' });
    }
    return problem(c, 401, 'The passkey could not be verified. Try again.', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  return respondWithTokens(c, result);
};

export const reauthenticationOptions: AppRouteHandler<ReauthenticationOptionsRoute> = async (c) => {
  const auth = getAuth(c);
  const rows = await listCredentialDescriptors(c.var.deps.sql, auth.user.id);
  if (rows.length === 0) return problem(c, 404, 'Your account has no passkey.');
  const { options } = await assertionOptions(c.var.deps, {
    purpose: 'step_up',
    userId: auth.user.id,
    sessionId: auth.sessionId,
  });
  c.header('Cache-Control', 'no-store');
  return c.json(options, 200);
};

export const secondFactorOptions: AppRouteHandler<SecondFactorOptionsRoute> = async (c) => {
  const mfaToken = c.req.valid('json').mfa_token ?? readMfaCookie(c);
  // No token, or one that is not live: the verify's own answer, so the two routes tell a guesser the same nothing.
  if (!mfaToken) return mfaInvalidProblem(c);
  const result = await passkeys.secondFactorOptions(c.var.deps, mfaToken);
  if (!result.ok) {
    if (result.reason === 'no_passkeys') return problem(c, 404, 'This account has no passkey.');
    return mfaInvalidProblem(c);
  }
  c.header('Cache-Control', 'no-store');
  return c.json(result.options, 200);
};
