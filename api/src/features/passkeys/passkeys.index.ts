import { rateLimit } from '../../middlewares/rate-limit';
import { createRouter } from '../../platform/create-router';
import * as handlers from './passkeys.handlers';
import * as routes from './passkeys.routes';

const loginBudget = (config: { rateLimits: { loginPerMinute: number } }) => config.rateLimits.loginPerMinute;

// The signed-in user's passkeys, at /api/v1/users/me/passkeys. Each options call stores a challenge row: limited.
const accountRouter = createRouter();
accountRouter.use('/options', rateLimit({ name: 'passkey-register-options', limit: loginBudget }));

export const passkeyAccountRouter = accountRouter
  .openapi(routes.listPasskeys, handlers.listPasskeys)
  .openapi(routes.registrationOptions, handlers.registrationOptions)
  .openapi(routes.registerPasskey, handlers.registerPasskey)
  .openapi(routes.renamePasskey, handlers.renamePasskey)
  .openapi(routes.deletePasskey, handlers.deletePasskey);

// Passwordless sign-in and the passkey step-up, under /api/v1/auth beside the password ones. Anyone can ask for a
// sign-in challenge (a row each), so options and verify are limited per client with the login's budget.
const signInRouter = createRouter();
signInRouter.use('/passkey/options', rateLimit({ name: 'passkey-options', limit: loginBudget }));
signInRouter.use('/passkey/verify', rateLimit({ name: 'passkey-verify', limit: loginBudget }));
signInRouter.use('/reauthenticate/webauthn/options', rateLimit({ name: 'passkey-reauth-options', limit: loginBudget }));
signInRouter.use('/mfa/webauthn/options', rateLimit({ name: 'passkey-mfa-options', limit: loginBudget }));

export const passkeyAuthRouter = signInRouter
  .openapi(routes.signInOptions, handlers.signInOptions)
  .openapi(routes.signInVerify, handlers.signInVerify)
  .openapi(routes.reauthenticationOptions, handlers.reauthenticationOptions)
  .openapi(routes.secondFactorOptions, handlers.secondFactorOptions);
