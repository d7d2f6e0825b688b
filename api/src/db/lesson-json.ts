import type { Fragment, Sql } from './sql';

// A lesson as the API answers it (the lesson entries of a course outline and of a course's progress), built in SQL
// from `lessons l` and, with `status`, the caller's `lesson_progress lp` (not_started when there is no row). One
// definition, so the outline and the progress page cannot drift apart.
export function lessonJson(sql: Sql, options: { status: boolean }): Fragment {
  const status = options.status ? sql`, 'status', coalesce(lp.status, 'not_started')` : sql``;
  return sql`
    json_build_object(
      'id', l.id,
      'slug', l.slug,
      'title', l.title,
      'summary', l.summary,
      'duration_minutes', l.duration_minutes,
      'position', l.position
      ${status}
    )
  `;
}
