import { createRouter } from '../../platform/create-router';
import * as handlers from './admin.handlers';
import * as routes from './admin.routes';

// /api/v1/admin: users, their detail and state (sessions, second factors), the audit log, and a course's learners.
export const adminRouter = createRouter()
  .openapi(routes.listUsers, handlers.listUsers)
  .openapi(routes.getUser, handlers.getUser)
  .openapi(routes.updateUser, handlers.updateUser)
  .openapi(routes.endUserSessions, handlers.endUserSessions)
  .openapi(routes.resetUserMfa, handlers.resetUserMfa)
  .openapi(routes.listAudit, handlers.listAudit)
  .openapi(routes.listLearners, handlers.listLearners);
