import { readRefreshCookie } from '../../auth/refresh-cookie';
import { emailKey, rateLimit, refreshTokenSessionKey } from '../../middlewares/rate-limit';
import { createRouter } from '../../platform/create-router';
import * as handlers from './auth.handlers';
import * as routes from './auth.routes';
import * as passkeyHandlers from './passkey-sign-in.handlers';
import * as passkeyRoutes from './passkey-sign-in.routes';
import * as recoveryHandlers from './recovery.handlers';
import * as recoveryRoutes from './recovery.routes';

// Everything under /api/v1/auth: sign-up, sign-in (password or passkey), refresh, sign-out, step-up, and the routes a
// mailed link leads to. (Sign-in with a provider is the oauth feature's, at /api/v1/auth/oauth.)

const HOUR_MS = 3_600_000;
const loginBudget = (config: { rateLimits: { loginPerMinute: number } }) => config.rateLimits.loginPerMinute;
const resetLimit = (config: { rateLimits: { resetPerMinute: number } }) => config.rateLimits.resetPerMinute;

const router = createRouter();
router.use('/signup', rateLimit({ name: 'signup', limit: (config) => config.rateLimits.signupPerMinute }));
router.use('/login', rateLimit({ name: 'login', limit: (config) => config.rateLimits.loginPerMinute }));
// Per account as well as per client: a botnet gets no more sign-ins (and bcrypt work) on one account than one
// client does. The form login names the email `username`.
router.use(
  '/login',
  rateLimit({
    name: 'login-email',
    limit: (config) => config.rateLimits.loginPerEmailPerMinute,
    key: emailKey('email', 'username'),
  }),
);
router.use('/mfa/verify', rateLimit({ name: 'mfa-verify', limit: (config) => config.rateLimits.loginPerMinute }));
router.use(
  '/reauthenticate',
  rateLimit({ name: 'reauthenticate', limit: (config) => config.rateLimits.loginPerMinute }),
);
// Per session: each refresh writes rows, and a stolen refresh token must not loop on them hundreds of times a second.
router.use(
  '/refresh',
  rateLimit({
    name: 'refresh-session',
    limit: (config) => config.rateLimits.sessionWritesPerMinute,
    key: refreshTokenSessionKey((c) => {
      const cookie = readRefreshCookie(c);
      return cookie.ok ? cookie.token : undefined;
    }),
  }),
);
// The per-user budget of verification mail sits on the route, after its sign-in check.
router.use('/verify-email/request', rateLimit({ name: 'verify-email', limit: resetLimit }));
router.use('/password-reset/request', rateLimit({ name: 'reset-ip', limit: resetLimit }));
// Per email address as well as per client: otherwise a botnet could flood one inbox, one request per address each.
router.use(
  '/password-reset/request',
  rateLimit({
    name: 'reset-email',
    windowMs: HOUR_MS,
    limit: (config) => config.rateLimits.mailPerHour,
    key: emailKey('email'),
  }),
);

// Anyone can ask for a passkey sign-in challenge (a row each), so options and verify are limited per client with the
// login's budget.
router.use('/passkey/options', rateLimit({ name: 'passkey-options', limit: loginBudget }));
router.use('/passkey/verify', rateLimit({ name: 'passkey-verify', limit: loginBudget }));
router.use('/reauthenticate/webauthn/options', rateLimit({ name: 'passkey-reauth-options', limit: loginBudget }));
router.use('/mfa/webauthn/options', rateLimit({ name: 'passkey-mfa-options', limit: loginBudget }));

export const authRouter = router
  .openapi(routes.signup, handlers.signup)
  .openapi(routes.login, handlers.login)
  .openapi(routes.refresh, handlers.refresh)
  .openapi(routes.logout, handlers.logout)
  .openapi(routes.reauthenticate, handlers.reauthenticate)
  .openapi(routes.verifyMfa, handlers.verifyMfa)
  .openapi(recoveryRoutes.requestEmailVerification, recoveryHandlers.requestEmailVerification)
  .openapi(recoveryRoutes.verifyEmail, recoveryHandlers.verifyEmail)
  .openapi(recoveryRoutes.requestPasswordReset, recoveryHandlers.requestPasswordReset)
  .openapi(recoveryRoutes.confirmPasswordReset, recoveryHandlers.confirmPasswordReset)
  .openapi(passkeyRoutes.signInOptions, passkeyHandlers.signInOptions)
  .openapi(passkeyRoutes.signInVerify, passkeyHandlers.signInVerify)
  .openapi(passkeyRoutes.reauthenticationOptions, passkeyHandlers.reauthenticationOptions)
  .openapi(passkeyRoutes.secondFactorOptions, passkeyHandlers.secondFactorOptions);
