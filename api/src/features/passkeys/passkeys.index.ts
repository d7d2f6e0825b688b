import { rateLimit } from '../../middlewares/rate-limit';
import { createRouter } from '../../platform/create-router';
import * as handlers from './passkeys.handlers';
import * as routes from './passkeys.routes';

const loginBudget = (config: { rateLimits: { loginPerMinute: number } }) => config.rateLimits.loginPerMinute;

// The signed-in user's passkeys, at /api/v1/users/me/passkeys. Each options call stores a challenge row: limited.
const router = createRouter();
router.use('/options', rateLimit({ name: 'passkey-register-options', limit: loginBudget }));

export const passkeysRouter = router
  .openapi(routes.listPasskeys, handlers.listPasskeys)
  .openapi(routes.registrationOptions, handlers.registrationOptions)
  .openapi(routes.registerPasskey, handlers.registerPasskey)
  .openapi(routes.renamePasskey, handlers.renamePasskey)
  .openapi(routes.deletePasskey, handlers.deletePasskey);
