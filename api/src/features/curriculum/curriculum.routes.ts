import { createRoute } from '@hono/zod-openapi';
import { problemResponses } from '../../lib/problem';
import { optionalAuth, requireAuth } from '../../middlewares/require-auth';
import {
  courseDetailSchema,
  courseListSchema,
  courseSlugParamsSchema,
  lessonIdParamsSchema,
  lessonProgressSchema,
  progressSummarySchema,
  updateProgressSchema,
} from './curriculum.schemas';

// Mounted at /api/v1 (not /api/v1/users): the progress routes live beside the curriculum they describe. Only
// route-level middleware here, never router.use('*'), which would run for every /api/v1 path.

const security = [{ OAuth2PasswordBearer: [] }];
// The empty requirement makes the token optional: anyone may call, a signed-in caller gets more.
const optionalSecurity: Record<string, string[]>[] = [{}, { OAuth2PasswordBearer: [] }];

export const listCourses = createRoute({
  method: 'get',
  path: '/courses',
  tags: ['Curriculum'],
  security: optionalSecurity,
  summary: 'The course catalogue',
  description:
    'With a valid Bearer token each course also carries the caller’s `progress`. A bad token counts as none.',
  middleware: [optionalAuth()] as const,
  responses: {
    200: { description: 'Courses in order', content: { 'application/json': { schema: courseListSchema } } },
  },
});
export type ListCoursesRoute = typeof listCourses;

export const getCourse = createRoute({
  method: 'get',
  path: '/courses/{slug}',
  tags: ['Curriculum'],
  security: optionalSecurity,
  summary: 'A course with its modules and lessons',
  description: 'Modules and lessons in order. With a valid Bearer token each lesson carries the caller’s `status`.',
  middleware: [optionalAuth()] as const,
  request: { params: courseSlugParamsSchema },
  responses: {
    200: { description: 'The course', content: { 'application/json': { schema: courseDetailSchema } } },
    ...problemResponses(404),
  },
});
export type GetCourseRoute = typeof getCourse;

export const updateProgress = createRoute({
  method: 'put',
  path: '/users/me/progress/{lesson_id}',
  tags: ['Progress'],
  security,
  summary: 'Set the caller’s status for a lesson',
  description:
    'Idempotent: repeating the same status changes nothing, so `completed_at` stays the time of the first ' +
    'completion. `not_started` clears it.',
  middleware: [requireAuth()] as const,
  request: {
    params: lessonIdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: updateProgressSchema } } },
  },
  responses: {
    200: { description: 'The progress row', content: { 'application/json': { schema: lessonProgressSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422),
  },
});
export type UpdateProgressRoute = typeof updateProgress;

export const getProgress = createRoute({
  method: 'get',
  path: '/users/me/progress',
  tags: ['Progress'],
  security,
  summary: 'The caller’s progress in every course',
  description: 'Completed and total lessons per course and per module, and the next lesson to take.',
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: 'Progress per course', content: { 'application/json': { schema: progressSummarySchema } } },
    ...problemResponses(401),
  },
});
export type GetProgressRoute = typeof getProgress;
