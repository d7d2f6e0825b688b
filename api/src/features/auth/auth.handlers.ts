import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { clearMfaCookie, readMfaCookie } from '../../auth/mfa-cookie';
import { mfaInvalidProblem } from '../../auth/mfa-problem';
import { checkPasswordPolicy } from '../../auth/password-policy';
import { clearRefreshCookie, readRefreshCookie, respondWithTokens } from '../../auth/refresh-cookie';
import { completeMfaChallenge } from '../../auth/sign-in';
import { toUserResponse } from '../../auth/user';
import { authenticate, bearerToken, getAuth, unauthorized } from '../../middlewares/require-auth';
import { problem, validationProblem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppBindings, AppRouteHandler } from '../../platform/types';
import type {
  LoginInput,
  LoginRoute,
  LogoutRoute,
  OptionalRefreshBodyInput,
  ReauthenticateRoute,
  RefreshRoute,
  SignupRoute,
  VerifyMfaRoute,
} from './auth.routes';
import { secondFactorProofOf } from './auth.schemas';
import { endSession, loginWithPassword, registerUser, rotateRefreshToken, stepUp } from './auth.service';

export const signup: AppRouteHandler<SignupRoute> = async (c) => {
  const body = c.req.valid('json');
  const weakness = checkPasswordPolicy(body.password, body.email);
  if (weakness) return validationProblem(c, [{ field: 'password', message: weakness }]);
  const result = await registerUser(c.var.deps, body, requestMeta(c));
  if (!result.ok) return problem(c, 409, 'An account with this email already exists.');
  return c.json(toUserResponse(result.user), 201);
};

const INVALID_CREDENTIALS = 'Incorrect email or password.';

export const login: RouteHandler<LoginRoute, AppBindings, LoginInput> = async (c) => {
  // The route validates whichever body matches the content type (each schema yields the same credentials), the
  // same test @hono/zod-openapi applies: multipart/form-data counts as a form too (curl -F).
  const contentType = c.req.header('content-type') ?? '';
  const credentials = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType)
    ? c.req.valid('form')
    : /^application\/([a-z-.]+\+)?json/i.test(contentType)
      ? c.req.valid('json')
      : undefined;
  if (!credentials) {
    return problem(c, 422, 'Email and password are required.', {
      errors: [
        { field: 'email', message: 'Email is required' },
        { field: 'password', message: 'Password is required' },
      ],
    });
  }
  const result = await loginWithPassword(c.var.deps, credentials, requestMeta(c));
  if (!result.ok) {
    switch (result.reason) {
      case 'locked':
        return lockedProblem(c, result.retryAfterSeconds);
      case 'disabled':
        return problem(c, 403, 'This account has been disabled.', { code: 'account_disabled' });
      case 'mfa_required':
        // No tokens, no cookie: the client finishes with POST /auth/mfa/verify (or sends `totp` with the form).
        c.header('Cache-Control', 'no-store');
        return problem(c, 403, 'Enter a code from your authenticator app (or a recovery code) to finish signing in.', {
          code: 'mfa_required',
          mfa_token: result.mfaToken,
          methods: result.methods,
        });
      case 'mfa_invalid':
        return mfaInvalidProblem(c);
      default:
        return problem(c, 401, invalidCredentialsDetail(result.attemptsRemaining, result.lockMinutes), {
          attempts_remaining: result.attemptsRemaining,
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
    }
  }
  return respondWithTokens(c, result);
};

// The warning comes while it can still help: with 2 tries or fewer left, and when this failure locked the email.
// The words hold only what the caller sent and the count, the same for an email with or without an account.
function invalidCredentialsDetail(attemptsRemaining: number, lockMinutes: number) {
  const lock = `locked for ${lockMinutes} minute${lockMinutes === 1 ? '' : 's'}`;
  if (attemptsRemaining === 0) return `${INVALID_CREDENTIALS} Too many failed attempts: sign-in is now ${lock}.`;
  if (attemptsRemaining <= 2) {
    const tries = attemptsRemaining === 1 ? '1 attempt' : `${attemptsRemaining} attempts`;
    return `${INVALID_CREDENTIALS} ${tries} left before sign-in is ${lock}.`;
  }
  return INVALID_CREDENTIALS;
}

function lockedProblem(c: Context, retryAfterSeconds: number) {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return problem(c, 423, `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

export const reauthenticate: AppRouteHandler<ReauthenticateRoute> = async (c) => {
  const body = c.req.valid('json');
  const result = await stepUp(c.var.deps, getAuth(c), body, requestMeta(c));
  if (!result.ok) {
    switch (result.reason) {
      case 'locked':
        return lockedProblem(c, result.retryAfterSeconds);
      case 'session_ended':
        return unauthorized(c);
      case 'mfa_required':
        return problem(c, 401, 'Your account has two-factor authentication: confirm with a second factor.', {
          code: 'mfa_required',
          methods: result.methods,
        });
      case 'mfa_invalid':
        if ('webauthn' in body) {
          return problem(c, 401, 'The passkey could not be verified. Try again.', { code: 'mfa_invalid' });
        }
        return mfaInvalidProblem(c);
      default:
        // No WWW-Authenticate: the access token is fine, so a client must not take this as "signed out".
        return problem(c, 401, 'The password is incorrect.');
    }
  }
  return c.body(null, 204);
};

export const refresh: RouteHandler<RefreshRoute, AppBindings, OptionalRefreshBodyInput> = async (c) => {
  const cookie = readRefreshCookie(c);
  if (!cookie.ok) {
    clearRefreshCookie(c);
    return problem(c, 401, 'The request carries the refresh cookie more than once.', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  const token = c.req.valid('json').refresh_token ?? cookie.token;
  if (!token) {
    return problem(c, 401, 'A refresh token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  const result = await rotateRefreshToken(c.var.deps, token, requestMeta(c));
  if (!result.ok) {
    clearRefreshCookie(c);
    return problem(c, 401, 'The refresh token is invalid, expired or already used.', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  return respondWithTokens(c, result);
};

export const logout: RouteHandler<LogoutRoute, AppBindings, OptionalRefreshBodyInput> = async (c) => {
  // A duplicated cookie names no session we can trust: it is ignored (and cleared), the Bearer token still counts.
  const cookie = readRefreshCookie(c);
  const refreshToken = c.req.valid('json').refresh_token ?? (cookie.ok ? cookie.token : undefined);
  let sessionId: string | undefined;
  if (!refreshToken && bearerToken(c)) sessionId = (await authenticate(c))?.sessionId;
  await endSession(c.var.deps, { refreshToken, sessionId }, requestMeta(c));
  clearRefreshCookie(c);
  return c.body(null, 204);
};

export const verifyMfa: AppRouteHandler<VerifyMfaRoute> = async (c) => {
  const body = c.req.valid('json');
  const mfaToken = body.mfa_token ?? readMfaCookie(c);
  const proof = secondFactorProofOf(body);
  if (!mfaToken || !proof) return mfaInvalidProblem(c);
  const result = await completeMfaChallenge(c.var.deps, mfaToken, proof, requestMeta(c));
  if (!result.ok) {
    if (result.reason === 'disabled') {
      clearMfaCookie(c);
      return problem(c, 403, 'This account has been disabled.', { code: 'account_disabled' });
    }
    return mfaInvalidProblem(c);
  }
  clearMfaCookie(c);
  return respondWithTokens(c, result);
};
