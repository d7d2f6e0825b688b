import { rateLimit } from '../../middlewares/rate-limit';
import { createRouter } from '../../platform/create-router';
import * as handlers from './mfa.handlers';
import * as routes from './mfa.routes';

// The signed-in user's second factors, at /api/v1/users/me/mfa. Confirming takes codes, so it shares the login's
// per-IP budget.
const router = createRouter();
router.use('/totp/confirm', rateLimit({ name: 'mfa-confirm', limit: (config) => config.rateLimits.loginPerMinute }));

export const mfaRouter = router
  .openapi(routes.getStatus, handlers.getStatus)
  .openapi(routes.startTotp, handlers.startTotp)
  .openapi(routes.confirmTotp, handlers.confirmTotp)
  .openapi(routes.deleteTotp, handlers.deleteTotp)
  .openapi(routes.regenerateRecoveryCodes, handlers.regenerateRecoveryCodes);
