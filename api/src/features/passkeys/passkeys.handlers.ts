import { readMfaCookie } from '../../auth/mfa-cookie';
import { setRefreshCookie } from '../../auth/refresh-cookie';
import { assertionOptions } from '../../auth/webauthn';
import { getAuth } from '../../middlewares/require-auth';
import { problem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppRouteHandler } from '../../platform/types';
import { mfaInvalidProblem } from '../auth/auth.handlers';
import { listPasskeys as listPasskeyRows, renamePasskey as renamePasskeyRow } from './passkeys.queries';
import type {
  DeletePasskeyRoute,
  ListPasskeysRoute,
  ReauthenticationOptionsRoute,
  RegisterPasskeyRoute,
  RegistrationOptionsRoute,
  RenamePasskeyRoute,
  SecondFactorOptionsRoute,
  SignInOptionsRoute,
  SignInVerifyRoute,
} from './passkeys.routes';
import * as passkeys from './passkeys.service';

const NOT_FOUND = 'No passkey of yours has this id.';

export const listPasskeys: AppRouteHandler<ListPasskeysRoute> = async (c) => {
  c.header('Cache-Control', 'no-store');
  const rows = await listPasskeyRows(c.var.deps.sql, getAuth(c).user.id);
  return c.json(rows.map(passkeys.toPasskeyResponse), 200);
};

export const registrationOptions: AppRouteHandler<RegistrationOptionsRoute> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await passkeys.registrationOptions(c.var.deps, getAuth(c)), 200);
};

export const registerPasskey: AppRouteHandler<RegisterPasskeyRoute> = async (c) => {
  const result = await passkeys.registerPasskey(c.var.deps, getAuth(c), c.req.valid('json'), requestMeta(c));
  if (!result.ok) {
    return problem(
      c,
      400,
      result.reason === 'already_registered'
        ? 'This passkey is already registered.'
        : 'The passkey could not be verified. Start again from "Add a passkey".',
    );
  }
  return c.json(result.passkey, 201);
};

export const renamePasskey: AppRouteHandler<RenamePasskeyRoute> = async (c) => {
  const row = await renamePasskeyRow(c.var.deps.sql, {
    userId: getAuth(c).user.id,
    passkeyId: c.req.valid('param').id,
    name: c.req.valid('json').name,
    meta: requestMeta(c),
  });
  if (!row) return problem(c, 404, NOT_FOUND);
  return c.json(passkeys.toPasskeyResponse(row), 200);
};

export const deletePasskey: AppRouteHandler<DeletePasskeyRoute> = async (c) => {
  const result = await passkeys.removePasskey(c.var.deps, getAuth(c), c.req.valid('param').id, requestMeta(c));
  if (!result.ok) {
    if (result.reason === 'not_found') return problem(c, 404, NOT_FOUND);
    return problem(c, 409, 'This passkey is the only way into your account: set a password or add another first.', {
      code: 'last_sign_in_method',
    });
  }
  return c.body(null, 204);
};

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
  setRefreshCookie(c, result.pair.refresh_token, result.refreshExpiresAt);
  c.header('Cache-Control', 'no-store');
  return c.json(result.pair, 200);
};

export const reauthenticationOptions: AppRouteHandler<ReauthenticationOptionsRoute> = async (c) => {
  const auth = getAuth(c);
  const rows = await listPasskeyRows(c.var.deps.sql, auth.user.id);
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
