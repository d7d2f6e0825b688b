import { createRouter } from '../../lib/create-router';
import * as handlers from './curriculum.handlers';
import * as routes from './curriculum.routes';

// Mounted at /api/v1: /courses, /courses/{slug}, /users/me/progress and /users/me/progress/{lesson_id}.
export const curriculumRouter = createRouter()
  .openapi(routes.listCourses, handlers.listCourses)
  .openapi(routes.getCourse, handlers.getCourse)
  .openapi(routes.updateProgress, handlers.updateProgress)
  .openapi(routes.getProgress, handlers.getProgress);
