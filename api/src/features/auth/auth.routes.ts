import { createRoute, type z } from '@hono/zod-openapi';
import { requireAuth } from '../../middlewares/require-auth';
import { problemResponses } from '../../platform/problem';
import { bearerSecurity, jsonBody, rateLimitHeaders } from '../../platform/route-docs';
import { signupSchema } from '../../shared/fields';
import { tokenPairSchema, userSchema } from '../../shared/user';
import {
  type LoginCredentials,
  loginFormSchema,
  loginJsonSchema,
  logoutRequestSchema,
  mfaVerifySchema,
  reauthenticateSchema,
  refreshRequestSchema,
} from './auth.schemas';

const tags = ['Auth'];

export const signup = createRoute({
  method: 'post',
  path: '/signup',
  tags,
  summary: 'Create an account',
  description:
    'Rate-limited per client (an IPv4 address or an IPv6 /64). The password policy is the one the sign-up form ' +
    'shows; the name may not hold control characters or invisible formatting characters (bidi overrides, ' +
    'zero-width characters, line separators). The new account is mailed its first email-verification link at ' +
    'once (valid 24 hours, one of the 3 an hour of `POST /auth/verify-email/request`); the mail leaves in the ' +
    'background, so a slow or failing mail server neither delays nor fails the answer.',
  request: { body: jsonBody(signupSchema) },
  responses: {
    201: {
      description: 'The new user',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: userSchema } },
    },
    ...problemResponses(400, 403, 409, 413, 415, 422, 429, 503),
  },
});
export type SignupRoute = typeof signup;

export const login = createRoute({
  method: 'post',
  path: '/login',
  tags,
  summary: 'Sign in (OAuth2 password flow)',
  description:
    'Form `username=<email>&password=...` as in the OAuth2 password flow, or JSON `{email, password}`. ' +
    'Sets the HttpOnly refresh cookie (`__Host-aibc_refresh`, `Path=/`, Secure, SameSite=Strict; in development ' +
    '`aibc_refresh` on `Path=/api/v1/auth` without Secure). Five consecutive failures lock the email for 30 ' +
    'minutes; each 401 for a wrong password or an unknown email (one answer for both) carries ' +
    '`attempts_remaining`, the failures left before that lock (0: this one locked it), and its `detail` warns ' +
    'in words once 2 or fewer are left. For an account with MFA a correct password answers 403 `mfa_required` with a single-use `mfa_token` ' +
    '(5 minutes) and the `methods` it can finish with, through POST /auth/mfa/verify; or send the current ' +
    'authenticator code as `totp` in the same request and sign in in one step (in Swagger UI: "Try it out" here ' +
    'with `totp`, then paste the `access_token` under "BearerToken" in Authorize). Rate-limited per client (an IPv4 address or an IPv6 /64) and per email, whatever the address ' +
    '(`RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE`).',
  request: {
    body: {
      required: false,
      content: {
        'application/x-www-form-urlencoded': { schema: loginFormSchema },
        'application/json': { schema: loginJsonSchema },
      },
    },
  },
  responses: {
    200: {
      description: 'Token pair; the refresh token is also set as an HttpOnly cookie',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: tokenPairSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 423, 429, 503),
  },
});
export type LoginRoute = typeof login;
// A login sends the OAuth2 form or JSON, never both. @hono/zod-openapi's default input for a body with two content
// types asks for both at once, so the route is registered with this one: the typed client (the browser's) sends
// one of them, and the handler reads the same credentials from whichever validator ran.
export type LoginInput = {
  in: { json?: z.input<typeof loginJsonSchema>; form?: z.input<typeof loginFormSchema> };
  out: { json: LoginCredentials; form: LoginCredentials };
};

export const refresh = createRoute({
  method: 'post',
  path: '/refresh',
  tags,
  summary: 'Rotate the refresh token',
  description:
    'Each refresh token works once; reuse outside the grace window (`REFRESH_REUSE_GRACE_SECONDS`) ends the session. ' +
    'A reuse inside the window (a lost response, two tabs racing) gets a fresh access token and the same refresh ' +
    'token the first answer carried: a session has at most one live refresh token at any time. A request that ' +
    'carries the refresh cookie more than once (one was planted) is refused with 401 and the cookie is cleared. ' +
    'Rate-limited per session (`RATE_LIMIT_SESSION_WRITES_PER_MINUTE`, default 60), whatever the token.',
  request: { body: { required: false, content: { 'application/json': { schema: refreshRequestSchema } } } },
  responses: {
    200: {
      description: 'A new token pair',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: tokenPairSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429),
  },
});
export type RefreshRoute = typeof refresh;
// The body of a refresh or a logout is optional (the refresh cookie or the Bearer token may say it all), but
// @hono/zod-openapi's default input asks for one, so the typed client could not send a request without it. Registered
// with this input instead; with no body the validator yields `{}`.
export type OptionalRefreshBodyInput = {
  in: { json?: z.input<typeof refreshRequestSchema> };
  out: { json: z.output<typeof refreshRequestSchema> };
};

export const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags,
  summary: 'End the session',
  description: 'Takes the refresh token (body or cookie) or a Bearer access token. Always 204; clears the cookie.',
  request: { body: { required: false, content: { 'application/json': { schema: logoutRequestSchema } } } },
  responses: {
    204: { description: 'Signed out (idempotent)' },
    ...problemResponses(400, 403, 413, 415, 422),
  },
});
export type LogoutRoute = typeof logout;

export const reauthenticate = createRoute({
  method: 'post',
  path: '/reauthenticate',
  tags,
  security: bearerSecurity,
  summary: 'Step up: confirm it is you',
  description:
    'Stamps this session (only) as recently authenticated, for the routes that answer 401 `reauthentication_required` ' +
    '(RFC 9470) until then: they accept it for `REAUTH_MAX_AGE_SECONDS` (default 600). A fresh sign-in does not ' +
    'count. Body: `{password}`, or `{totp}`, `{recovery_code}`, or `{webauthn}`: an assertion for ' +
    'POST /auth/reauthenticate/webauthn/options. An account with MFA must use a second factor (the password alone ' +
    'answers 401 `mfa_required`); a wrong code or a passkey that fails to verify answers 401 `mfa_invalid`. A wrong password is ' +
    'a 401 without `WWW-Authenticate` (the access token is fine) and counts toward the same lockout as a login: ' +
    'after 5, every attempt answers 423 with `Retry-After` until the lock ends. An account without a password ' +
    '(made through a provider) steps up with `POST /users/me/oauth/{provider}/start` and `purpose: "reauth"`. ' +
    'Rate-limited per IP like the login.',
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(reauthenticateSchema) },
  responses: {
    204: { description: 'This session is stamped as recently authenticated' },
    ...problemResponses(400, 401, 403, 413, 415, 422, 423, 429, 503),
  },
});
export type ReauthenticateRoute = typeof reauthenticate;

export const verifyMfa = createRoute({
  method: 'post',
  path: '/mfa/verify',
  tags,
  summary: 'Finish a sign-in with a second factor',
  description:
    'The second step after a 403 `mfa_required`: the `mfa_token` (or, after a provider sign-in, the HttpOnly mfa ' +
    'cookie) and one factor. The token works once, for 5 minutes and at most 5 codes; a TOTP code of the previous, ' +
    'current or next 30-second step is accepted, once. Ten consecutive failures on an account lock its second step ' +
    'for 15 minutes and mail the owner. Every failure answers the same 401 `mfa_invalid`. Sets the refresh cookie.',
  request: { body: jsonBody(mfaVerifySchema) },
  responses: {
    200: {
      description: 'Token pair; the refresh token is also set as an HttpOnly cookie',
      content: { 'application/json': { schema: tokenPairSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429),
  },
});
export type VerifyMfaRoute = typeof verifyMfa;
