import { rateLimit } from '../../middlewares/rate-limit';
import { createRouter } from '../../platform/create-router';
import * as dataHandlers from './data.handlers';
import * as dataRoutes from './data.routes';
import * as handlers from './users.handlers';
import * as routes from './users.routes';

// /api/v1/users: the signed-in user's profile, password and sessions, and their data (export, deletion).
const router = createRouter();
router.use('/me/password', rateLimit({ name: 'password-change', limit: (config) => config.rateLimits.loginPerMinute }));

export const usersRouter = router
  .openapi(routes.getMe, handlers.getMe)
  .openapi(routes.updateMe, handlers.updateMe)
  .openapi(routes.changePassword, handlers.changePassword)
  .openapi(routes.listSessions, handlers.listSessions)
  .openapi(routes.revokeSession, handlers.revokeSession)
  .openapi(routes.revokeOtherSessions, handlers.revokeOtherSessions)
  .openapi(dataRoutes.exportMyData, dataHandlers.exportMyData)
  .openapi(dataRoutes.deleteMe, dataHandlers.deleteMe);
