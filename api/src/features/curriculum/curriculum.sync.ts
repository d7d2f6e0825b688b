import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import type { CurriculumContent } from './curriculum.content';

// Bump when the way content maps to rows changes, so the next start re-syncs even though the file did not.
const SYNC_FORMAT = 'curriculum-sync/1';

// Column lists as const tuples: spread into sql(rows, ...columns) they type-check, whereas postgres.js 3.4 typings
// reject literal column arguments (the rest type is inferred as a readonly union, not a tuple).
const COURSE_COLUMNS = ['slug', 'title', 'summary', 'position'] as const;
const MODULE_COLUMNS = ['course_id', 'slug', 'title', 'summary', 'position'] as const;
const LESSON_COLUMNS = ['module_id', 'course_id', 'slug', 'title', 'summary', 'duration_minutes', 'position'] as const;

type IdRow = { id: string };
type CourseRow = IdRow & { slug: string };
type ModuleRow = IdRow & { course_id: string; slug: string };

/**
 * Copies the curriculum content into courses / course_modules / lessons, in one transaction.
 *
 * Rows are matched by slug (courses globally, modules and lessons within their course), so ids never change and
 * learners' progress survives edits: titles, summaries, durations and positions (the array order, 1-based) are
 * updated in place, a lesson moved to another module of its course keeps its id, and whatever the content no longer
 * lists is deleted (its progress with it). Unchanged content (same SHA-256 as the last sync) writes nothing, and the
 * locked curriculum_meta row makes API instances that start together sync one after the other.
 */
export async function syncCurriculum(sql: postgres.Sql, content: CurriculumContent): Promise<void> {
  const contentSha256 = createHash('sha256')
    .update(SYNC_FORMAT)
    .update('\n')
    .update(JSON.stringify(content))
    .digest('hex');

  await sql.begin(async (sql) => {
    const [meta] = await sql<{ content_sha256: string | null }[]>`
      select content_sha256
      from curriculum_meta
      for update
    `;
    if (meta?.content_sha256 === contentSha256) return;

    const courses = await upsertCourses(sql, content);
    const modules = await upsertModules(sql, content, courses);
    const lessonIds = await upsertLessons(sql, content, courses, modules);

    // Children first, although any order works: every kept row now hangs off kept parents.
    await sql`
      delete from lessons
      where id not in ${sql(lessonIds)}
    `;
    await sql`
      delete from course_modules
      where id not in ${sql(modules.map((module) => module.id))}
    `;
    await sql`
      delete from courses
      where id not in ${sql(courses.map((course) => course.id))}
    `;

    await sql`
      insert into curriculum_meta (id, content_sha256, synced_at)
      values (true, ${contentSha256}, now())
      on conflict (id) do update
      set
        content_sha256 = excluded.content_sha256,
        synced_at = now()
    `;
  });
}

// Positions may collide mid-statement (two modules swapping places); their unique constraints are deferred to
// commit. updated_at moves only for rows whose content really changed.

async function upsertCourses(sql: postgres.TransactionSql, content: CurriculumContent): Promise<CourseRow[]> {
  const rows = content.courses.map((course, index) => ({
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    position: index + 1,
  }));
  return sql<CourseRow[]>`
    insert into courses ${sql(rows, ...COURSE_COLUMNS)}
    on conflict (slug) do update
    set
      title = excluded.title,
      summary = excluded.summary,
      position = excluded.position,
      updated_at = case
        when (courses.title, courses.summary, courses.position)
          is distinct from (excluded.title, excluded.summary, excluded.position)
        then now()
        else courses.updated_at
      end
    returning id, slug
  `;
}

async function upsertModules(
  sql: postgres.TransactionSql,
  content: CurriculumContent,
  courses: CourseRow[],
): Promise<ModuleRow[]> {
  const courseIds = new Map(courses.map((course) => [course.slug, course.id]));
  const rows = content.courses.flatMap((course) =>
    course.modules.map((module, index) => ({
      course_id: mustGet(courseIds, course.slug),
      slug: module.slug,
      title: module.title,
      summary: module.summary,
      position: index + 1,
    })),
  );
  return sql<ModuleRow[]>`
    insert into course_modules ${sql(rows, ...MODULE_COLUMNS)}
    on conflict (course_id, slug) do update
    set
      title = excluded.title,
      summary = excluded.summary,
      position = excluded.position,
      updated_at = case
        when (course_modules.title, course_modules.summary, course_modules.position)
          is distinct from (excluded.title, excluded.summary, excluded.position)
        then now()
        else course_modules.updated_at
      end
    returning id, course_id, slug
  `;
}

async function upsertLessons(
  sql: postgres.TransactionSql,
  content: CurriculumContent,
  courses: CourseRow[],
  modules: ModuleRow[],
): Promise<string[]> {
  const courseIds = new Map(courses.map((course) => [course.slug, course.id]));
  const moduleIds = new Map(modules.map((module) => [`${module.course_id}/${module.slug}`, module.id]));
  const rows = content.courses.flatMap((course) => {
    const courseId = mustGet(courseIds, course.slug);
    return course.modules.flatMap((module) => {
      const moduleId = mustGet(moduleIds, `${courseId}/${module.slug}`);
      return module.lessons.map((lesson, index) => ({
        module_id: moduleId,
        course_id: courseId,
        slug: lesson.slug,
        title: lesson.title,
        summary: lesson.summary,
        duration_minutes: lesson.duration_minutes,
        position: index + 1,
      }));
    });
  });
  const lessons = await sql<IdRow[]>`
    insert into lessons ${sql(rows, ...LESSON_COLUMNS)}
    on conflict (course_id, slug) do update
    set
      module_id = excluded.module_id,
      title = excluded.title,
      summary = excluded.summary,
      duration_minutes = excluded.duration_minutes,
      position = excluded.position,
      updated_at = case
        when (lessons.module_id, lessons.title, lessons.summary, lessons.duration_minutes, lessons.position)
          is distinct from (excluded.module_id, excluded.title, excluded.summary, excluded.duration_minutes, excluded.position)
        then now()
        else lessons.updated_at
      end
    returning id
  `;
  return lessons.map((lesson) => lesson.id);
}

function mustGet<K, V>(map: Map<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`curriculum sync: no row for ${String(key)}`);
  return value;
}
