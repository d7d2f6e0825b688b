import { createRouter } from '../../lib/create-router';
import { rateLimit } from '../../middlewares/rate-limit';
import * as handlers from './auth.handlers';
import * as routes from './auth.routes';

const router = createRouter();

router.use('/signup', rateLimit({ name: 'signup', limit: (config) => config.rateLimits.signupPerMinute }));
router.use('/login', rateLimit({ name: 'login', limit: (config) => config.rateLimits.loginPerMinute }));

export const authRouter = router
  .openapi(routes.signup, handlers.signup)
  .openapi(routes.login, handlers.login)
  .openapi(routes.refresh, handlers.refresh)
  .openapi(routes.logout, handlers.logout);
