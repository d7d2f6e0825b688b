import { createRoute } from '@hono/zod-openapi';
import { optionalAuth } from '../../middlewares/require-auth';
import { problemResponses } from '../../platform/problem';
import { optionalBearerSecurity as optionalSecurity } from '../../platform/route-docs';
import { courseDetailSchema, courseListSchema, courseSlugParamsSchema } from './curriculum.schemas';

// The catalogue, under /api/v1/courses: public, with the caller's progress when a valid token comes along.

export const listCourses = createRoute({
  method: 'get',
  path: '/',
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
  path: '/{slug}',
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
