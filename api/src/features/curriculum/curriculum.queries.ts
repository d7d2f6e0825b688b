import type { Sql } from '../../db/sql';
import type { CourseModule, LessonStatus } from './curriculum.schemas';

// Every read here is one statement: a page of the dashboard costs one round trip after the session check,
// however many modules and lessons the course has. Nested JSON is built in SQL with ordered aggregates.
// A null user id joins no progress (`user_id = null` matches nothing), so the same SQL serves anonymous callers.

export type CourseListRow = {
  id: string;
  slug: string;
  title: string;
  summary: string;
  module_count: number;
  lesson_count: number;
  total_minutes: number;
  completed: number;
};

export async function listCourses(sql: Sql, userId: string | null) {
  return sql<CourseListRow[]>`
    select
      c.id,
      c.slug,
      c.title,
      c.summary,
      (select count(*)::int from course_modules m where m.course_id = c.id) as module_count,
      count(l.id)::int as lesson_count,
      coalesce(sum(l.duration_minutes), 0)::int as total_minutes,
      count(lp.lesson_id) filter (where lp.status = 'completed')::int as completed
    from courses c
    left join lessons l on l.course_id = c.id
    left join lesson_progress lp on lp.lesson_id = l.id and lp.user_id = ${userId}::uuid
    group by c.id
    order by c.position
  `;
}

export type CourseDetailRow = {
  id: string;
  slug: string;
  title: string;
  summary: string;
  modules: CourseModule[];
};

// The course, its modules in order and each module's lessons in order, as one row. A signed-in caller's lessons
// carry `status` (not_started when there is no progress row); an anonymous caller's carry no such key.
export async function findCourseWithLessons(sql: Sql, params: { slug: string; userId: string | null }) {
  const status = params.userId ? sql`, 'status', coalesce(lp.status, 'not_started')` : sql``;
  const [row]: [CourseDetailRow?] = await sql`
    select
      c.id,
      c.slug,
      c.title,
      c.summary,
      coalesce(
        (
          select json_agg(
            json_build_object(
              'id', m.id,
              'slug', m.slug,
              'title', m.title,
              'summary', m.summary,
              'position', m.position,
              'lessons', coalesce(
                (
                  select json_agg(
                    json_build_object(
                      'id', l.id,
                      'slug', l.slug,
                      'title', l.title,
                      'summary', l.summary,
                      'duration_minutes', l.duration_minutes,
                      'position', l.position
                      ${status}
                    )
                    order by l.position
                  )
                  from lessons l
                  left join lesson_progress lp on lp.lesson_id = l.id and lp.user_id = ${params.userId}::uuid
                  where l.module_id = m.id
                ),
                '[]'
              )
            )
            order by m.position
          )
          from course_modules m
          where m.course_id = c.id
        ),
        '[]'
      ) as modules
    from courses c
    where c.slug = ${params.slug}
  `;
  return row;
}

export type LessonProgressRow = {
  lesson_id: string;
  status: LessonStatus;
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

export type NextLessonRow = { id: string; slug: string; title: string; module_slug: string; module_title: string };
export type ModuleProgressRow = { id: string; slug: string; title: string; completed: number; total: number };

export type CourseProgressRow = {
  id: string;
  slug: string;
  title: string;
  completed: number;
  total: number;
  modules: ModuleProgressRow[];
  next_lesson: NextLessonRow | null;
};

// Per course: completed and total lessons, the same per module (in order), and the first lesson in course order
// (module position, then lesson position) that is not completed.
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
              'completed', per_module.completed,
              'total', per_module.total
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
          m.position,
          count(l.id)::int as total,
          count(lp.lesson_id) filter (where lp.status = 'completed')::int as completed
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
