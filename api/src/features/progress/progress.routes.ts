import { createRoute } from '@hono/zod-openapi';
import { requireAuth } from '../../middlewares/require-auth';
import { problemResponses } from '../../platform/problem';
import { bearerSecurity as security } from '../../platform/route-docs';
import {
  lessonIdParamsSchema,
  lessonProgressSchema,
  progressSummarySchema,
  updateProgressSchema,
} from './progress.schemas';

// The signed-in learner's progress, under /api/v1/users/me/progress.

export const updateProgress = createRoute({
  method: 'put',
  path: '/{lesson_id}',
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
  path: '/',
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
