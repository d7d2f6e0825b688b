import type { Context } from 'hono';
import { checkPasswordPolicy } from '../../auth/password-policy';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from '../../lib/cookies';
import { problem, validationProblem } from '../../lib/problem';
import type { AppBindings, AppRouteHandler } from '../../lib/types';
import { authenticate, bearerToken } from '../../middlewares/require-auth';
import type { LoginRoute, LogoutRoute, RefreshRoute, SignupRoute } from './auth.routes';
import { toUserResponse } from './auth.schemas';
import { endSession, loginWithPassword, type RequestMeta, registerUser, rotateRefreshToken } from './auth.service';

export function requestMeta(c: Context<AppBindings>): RequestMeta {
  return { ip: c.var.clientIp, userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null };
}

export const signup: AppRouteHandler<SignupRoute> = async (c) => {
  const body = c.req.valid('json');
  const weakness = checkPasswordPolicy(body.password, body.email);
  if (weakness) return validationProblem(c, [{ field: 'password', message: weakness }]);
  const result = await registerUser(c.var.deps, body, requestMeta(c));
  if (!result.ok) return problem(c, 409, 'An account with this email already exists.');
  return c.json(toUserResponse(result.user), 201);
};

const INVALID_CREDENTIALS = 'Incorrect email or password.';

export const login: AppRouteHandler<LoginRoute> = async (c) => {
  // The route's media-type gate lets multipart/form-data through as form data too (curl -F), so read it as such.
  const isForm = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(c.req.header('content-type') ?? '');
  // Both validators ran (only the one matching the content type saw the body); read the one that did.
  const form = c.req.valid('form') as { username?: string; password?: string };
  const json = c.req.valid('json') as { email?: string; password?: string };
  const credentials = isForm
    ? { email: form.username ?? '', password: form.password ?? '' }
    : { email: json.email ?? '', password: json.password ?? '' };
  if (!credentials.email || !credentials.password) {
    return problem(c, 422, 'Email and password are required.', {
      errors: [
        ...(credentials.email ? [] : [{ field: isForm ? 'username' : 'email', message: 'Email is required' }]),
        ...(credentials.password ? [] : [{ field: 'password', message: 'Password is required' }]),
      ],
    });
  }
  const result = await loginWithPassword(c.var.deps, credentials, requestMeta(c));
  if (!result.ok) {
    switch (result.reason) {
      case 'locked': {
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        return problem(c, 423, `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
          headers: { 'Retry-After': String(result.retryAfterSeconds) },
        });
      }
      case 'disabled':
        return problem(c, 403, 'This account has been disabled.');
      default:
        return problem(c, 401, INVALID_CREDENTIALS, { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
  }
  setRefreshCookie(c, result.pair.refresh_token, result.refreshExpiresAt);
  c.header('Cache-Control', 'no-store');
  return c.json(result.pair, 200);
};

export const refresh: AppRouteHandler<RefreshRoute> = async (c) => {
  const token = c.req.valid('json').refresh_token ?? readRefreshCookie(c);
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
  setRefreshCookie(c, result.pair.refresh_token, result.refreshExpiresAt);
  c.header('Cache-Control', 'no-store');
  return c.json(result.pair, 200);
};

export const logout: AppRouteHandler<LogoutRoute> = async (c) => {
  const refreshToken = c.req.valid('json').refresh_token ?? readRefreshCookie(c);
  let sessionId: string | undefined;
  if (!refreshToken && bearerToken(c)) sessionId = (await authenticate(c))?.sessionId;
  await endSession(c.var.deps, { refreshToken, sessionId }, requestMeta(c));
  clearRefreshCookie(c);
  return c.body(null, 204);
};
