import { createRouter } from '../../platform/create-router';
import * as handlers from './health.handlers';
import * as routes from './health.routes';

export const healthRouter = createRouter()
  .openapi(routes.health, handlers.health)
  .openapi(routes.healthDb, handlers.healthDb);
