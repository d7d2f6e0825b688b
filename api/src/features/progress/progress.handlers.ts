import { getAuth } from '../../middlewares/require-auth';
import { problem } from '../../platform/problem';
import type { AppRouteHandler } from '../../platform/types';
import { percentOf } from '../../shared/percent';
import * as queries from './progress.queries';
import type { GetProgressRoute, UpdateProgressRoute } from './progress.routes';
import type { CourseProgressSummary } from './progress.schemas';

export const updateProgress: AppRouteHandler<UpdateProgressRoute> = async (c) => {
  const { lesson_id } = c.req.valid('param');
  const { status } = c.req.valid('json');
  const { sql, clock } = c.var.deps;
  const row = await queries.upsertLessonProgress(sql, {
    userId: getAuth(c).user.id,
    lessonId: lesson_id,
    status,
    now: clock.now(),
  });
  if (!row) return problem(c, 404, `No lesson with id ${lesson_id}.`);
  return c.json(
    {
      lesson_id: row.lesson_id,
      status: row.status,
      updated_at: row.updated_at.toISOString(),
      completed_at: row.completed_at ? row.completed_at.toISOString() : null,
    },
    200,
  );
};

export const getProgress: AppRouteHandler<GetProgressRoute> = async (c) => {
  const rows = await queries.summarizeProgress(c.var.deps.sql, getAuth(c).user.id);
  const courses = rows.map((row): CourseProgressSummary => ({ ...row, percent: percentOf(row.completed, row.total) }));
  return c.json({ courses }, 200);
};
