import { lessonJson } from '../../db/lesson-json';
import type { Fragment, Sql, TransactionSql } from '../../db/sql';
import type { CourseModule } from './curriculum.schemas';

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
                    ${lessonJson(sql, { status: Boolean(params.userId) })}
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

// ---- The sync of content/curriculum.json into the tables (curriculum.sync.ts), inside one transaction ----

// Column lists as const tuples: spread into sql(rows, ...columns) they type-check, whereas postgres.js 3.4 typings
// reject literal column arguments (the rest type is inferred as a readonly union, not a tuple).
const COURSE_COLUMNS = ['slug', 'title', 'summary', 'position'] as const;
const MODULE_COLUMNS = ['course_id', 'slug', 'title', 'summary', 'position'] as const;
const LESSON_COLUMNS = ['module_id', 'course_id', 'slug', 'title', 'summary', 'duration_minutes', 'position'] as const;

export type CourseIdRow = { id: string; slug: string };
export type ModuleIdRow = { id: string; course_id: string; slug: string };

type CourseInsert = Record<(typeof COURSE_COLUMNS)[number], string | number>;
type ModuleInsert = Record<(typeof MODULE_COLUMNS)[number], string | number>;
type LessonInsert = Record<(typeof LESSON_COLUMNS)[number], string | number>;

// The hash of the last synced content, with the meta row locked until the transaction ends: instances that start
// together sync one after the other.
export async function lockCurriculumSyncHash(sql: TransactionSql): Promise<string | null | undefined> {
  const [meta]: [{ content_sha256: string | null }?] = await sql`
    select content_sha256
    from curriculum_meta
    for update
  `;
  return meta?.content_sha256;
}

export async function recordCurriculumSyncHash(sql: TransactionSql, contentSha256: string) {
  await sql`
    insert into curriculum_meta (id, content_sha256, synced_at)
    values (true, ${contentSha256}, now())
    on conflict (id) do update
    set
      content_sha256 = excluded.content_sha256,
      synced_at = now()
  `;
}

// Positions may collide mid-statement (two modules swapping places); their unique constraints are deferred to
// commit. updated_at moves only for rows whose content really changed: one rule for the three tables.
function updateChanged(sql: TransactionSql, table: string, columns: readonly string[]): Fragment {
  const list = (prefix: string) =>
    columns.reduce<Fragment>(
      (fragment, column, index) => sql`${fragment}${index ? sql`, ` : sql``}${sql(prefix)}.${sql(column)}`,
      sql``,
    );
  const assignments = columns.reduce<Fragment>(
    (fragment, column) => sql`${fragment}${sql(column)} = excluded.${sql(column)},`,
    sql``,
  );
  return sql`
    set
      ${assignments}
      updated_at = case
        when (${list(table)}) is distinct from (${list('excluded')})
        then now()
        else ${sql(table)}.updated_at
      end
  `;
}

export async function upsertCourses(sql: TransactionSql, rows: CourseInsert[]) {
  return sql<CourseIdRow[]>`
    insert into courses ${sql(rows, ...COURSE_COLUMNS)}
    on conflict (slug) do update
    ${updateChanged(sql, 'courses', ['title', 'summary', 'position'])}
    returning id, slug
  `;
}

export async function upsertModules(sql: TransactionSql, rows: ModuleInsert[]) {
  return sql<ModuleIdRow[]>`
    insert into course_modules ${sql(rows, ...MODULE_COLUMNS)}
    on conflict (course_id, slug) do update
    ${updateChanged(sql, 'course_modules', ['title', 'summary', 'position'])}
    returning id, course_id, slug
  `;
}

export async function upsertLessons(sql: TransactionSql, rows: LessonInsert[]) {
  return sql<{ id: string }[]>`
    insert into lessons ${sql(rows, ...LESSON_COLUMNS)}
    on conflict (course_id, slug) do update
    ${updateChanged(sql, 'lessons', ['module_id', 'title', 'summary', 'duration_minutes', 'position'])}
    returning id
  `;
}

// Whatever the content no longer lists goes, children first (any order works: every kept row hangs off kept
// parents), and learners' progress on deleted lessons with it.
export async function deleteCurriculumRowsExcept(
  sql: TransactionSql,
  keep: { courseIds: string[]; moduleIds: string[]; lessonIds: string[] },
) {
  await sql`
    delete from lessons
    where id not in ${sql(keep.lessonIds)}
  `;
  await sql`
    delete from course_modules
    where id not in ${sql(keep.moduleIds)}
  `;
  await sql`
    delete from courses
    where id not in ${sql(keep.courseIds)}
  `;
}
