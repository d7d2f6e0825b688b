import { createRouter } from '../../platform/create-router';
import * as handlers from './curriculum.handlers';
import * as routes from './curriculum.routes';

// /api/v1/courses: the catalogue and each course's outline.
export const curriculumRouter = createRouter()
  .openapi(routes.listCourses, handlers.listCourses)
  .openapi(routes.getCourse, handlers.getCourse);
