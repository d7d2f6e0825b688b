import { lessonJson } from '../../db/lesson-json';
import type { Sql } from '../../db/sql';
import type { LessonStatus } from '../../shared/fields';
import type { CourseProgressSummary, LessonProgress } from './progress.schemas';

// The API's LessonProgress with real dates.
export type LessonProgressRow = Omit<LessonProgress, 'updated_at' | 'completed_at'> & {
  updated_at: Date;
  completed_at: Date | null;
};

/**
 * Sets a learner's status for a lesson in one statement, idempotently: repeating a PUT changes nothing (the same
 * completed_at and updated_at come back). started_at is kept from the first start, completed_at from the first
 * completion while the lesson stays completed; going back to not_started clears both. Selecting the lesson in the
 * insert makes an unknown lesson id return no row (a 404) instead of a foreign-key error.
 */
export async function upsertLessonProgress(
  sql: Sql,
  params: { userId: string; lessonId: string; status: LessonStatus; now: Date },
) {
  const startedAt = params.status === 'not_started' ? null : params.now;
  const completedAt = params.status === 'completed' ? params.now : null;
  const [row]: [LessonProgressRow?] = await sql`
    insert into lesson_progress as lp (user_id, lesson_id, status, started_at, completed_at, updated_at)
    select ${params.userId}::uuid, l.id, ${params.status}::text, ${startedAt}::timestamptz, ${completedAt}::timestamptz,
      ${params.now}::timestamptz
    from lessons l
    where l.id = ${params.lessonId}::uuid
    on conflict (user_id, lesson_id) do update
    set
      status = excluded.status,
      started_at = case
        when excluded.status = 'not_started' then null
        else coalesce(lp.started_at, excluded.started_at)
      end,
      completed_at = case
        when excluded.status = 'completed' then coalesce(lp.completed_at, excluded.completed_at)
        else null
      end,
      updated_at = case
        when lp.status = excluded.status then lp.updated_at
        else excluded.updated_at
      end
    returning lesson_id, status, updated_at, completed_at
  `;
  return row;
}

// Everything of the summary but the percent, which the handler derives (one rounding rule, shared/percent).
export type CourseProgressRow = Omit<CourseProgressSummary, 'percent'>;

// Per course: completed and total lessons, the same per module (in order) with each lesson and its status, and the
// first lesson in course order (module position, then lesson position) that is not completed.
export async function summarizeProgress(sql: Sql, userId: string) {
  return sql<CourseProgressRow[]>`
    select
      c.id,
      c.slug,
      c.title,
      per_course.completed,
      per_course.total,
      per_course.modules,
      next_up.lesson as next_lesson
    from courses c
    cross join lateral (
      select
        coalesce(sum(per_module.completed), 0)::int as completed,
        coalesce(sum(per_module.total), 0)::int as total,
        coalesce(
          json_agg(
            json_build_object(
              'id', per_module.id,
              'slug', per_module.slug,
              'title', per_module.title,
              'summary', per_module.summary,
              'position', per_module.position,
              'completed', per_module.completed,
              'total', per_module.total,
              'lessons', per_module.lessons
            )
            order by per_module.position
          ),
          '[]'
        ) as modules
      from (
        select
          m.id,
          m.slug,
          m.title,
          m.summary,
          m.position,
          count(l.id)::int as total,
          count(lp.lesson_id) filter (where lp.status = 'completed')::int as completed,
          coalesce(
            json_agg(
              ${lessonJson(sql, { status: true })}
              order by l.position
            ) filter (where l.id is not null),
            '[]'
          ) as lessons
        from course_modules m
        left join lessons l on l.module_id = m.id
        left join lesson_progress lp on lp.lesson_id = l.id and lp.user_id = ${userId}::uuid
        where m.course_id = c.id
        group by m.id
      ) as per_module
    ) as per_course
    left join lateral (
      select json_build_object(
        'id', l.id,
        'slug', l.slug,
        'title', l.title,
        'module_slug', m.slug,
        'module_title', m.title
      ) as lesson
      from lessons l
      join course_modules m on m.id = l.module_id
      left join lesson_progress lp on lp.lesson_id = l.id and lp.user_id = ${userId}::uuid
      where l.course_id = c.id
        and lp.status is distinct from 'completed'
      order by m.position, l.position
      limit 1
    ) as next_up on true
    order by c.position
  `;
}
