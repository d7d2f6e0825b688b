import { createRouter } from '../../platform/create-router';
import * as handlers from './progress.handlers';
import * as routes from './progress.routes';

// /api/v1/users/me/progress: the signed-in learner's status per lesson and summary per course.
export const progressRouter = createRouter()
  .openapi(routes.getProgress, handlers.getProgress)
  .openapi(routes.updateProgress, handlers.updateProgress);
