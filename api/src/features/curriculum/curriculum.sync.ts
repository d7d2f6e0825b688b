import { createHash } from 'node:crypto';
import type { Sql } from '../../db/sql';
import type { CurriculumContent } from './curriculum.content';
import {
  type CourseIdRow,
  deleteCurriculumRowsExcept,
  lockCurriculumSyncHash,
  type ModuleIdRow,
  recordCurriculumSyncHash,
  upsertCourses,
  upsertLessons,
  upsertModules,
} from './curriculum.queries';

// Bump when the way content maps to rows changes, so the next start re-syncs even though the file did not.
const SYNC_FORMAT = 'curriculum-sync/1';

/**
 * Copies the curriculum content into courses / course_modules / lessons, in one transaction.
 *
 * Rows are matched by slug (courses globally, modules and lessons within their course), so ids never change and
 * learners' progress survives edits: titles, summaries, durations and positions (the array order, 1-based) are
 * updated in place, a lesson moved to another module of its course keeps its id, and whatever the content no longer
 * lists is deleted (its progress with it). Unchanged content (same SHA-256 as the last sync) writes nothing, and the
 * locked curriculum_meta row makes API instances that start together sync one after the other.
 */
export async function syncCurriculum(sql: Sql, content: CurriculumContent): Promise<void> {
  const contentSha256 = createHash('sha256')
    .update(SYNC_FORMAT)
    .update('\n')
    .update(JSON.stringify(content))
    .digest('hex');

  await sql.begin(async (sql) => {
    if ((await lockCurriculumSyncHash(sql)) === contentSha256) return;
    const courses = await upsertCourses(sql, courseRows(content));
    const modules = await upsertModules(sql, moduleRows(content, courses));
    const lessons = await upsertLessons(sql, lessonRows(content, courses, modules));
    await deleteCurriculumRowsExcept(sql, {
      courseIds: courses.map((course) => course.id),
      moduleIds: modules.map((module) => module.id),
      lessonIds: lessons.map((lesson) => lesson.id),
    });
    await recordCurriculumSyncHash(sql, contentSha256);
  });
}

// Content → rows. Positions are the array order, 1-based.

function courseRows(content: CurriculumContent) {
  return content.courses.map((course, index) => ({
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    position: index + 1,
  }));
}

function moduleRows(content: CurriculumContent, courses: CourseIdRow[]) {
  const courseIds = new Map(courses.map((course) => [course.slug, course.id]));
  return content.courses.flatMap((course) =>
    course.modules.map((module, index) => ({
      course_id: mustGet(courseIds, course.slug),
      slug: module.slug,
      title: module.title,
      summary: module.summary,
      position: index + 1,
    })),
  );
}

function lessonRows(content: CurriculumContent, courses: CourseIdRow[], modules: ModuleIdRow[]) {
  const courseIds = new Map(courses.map((course) => [course.slug, course.id]));
  const moduleIds = new Map(modules.map((module) => [`${module.course_id}/${module.slug}`, module.id]));
  return content.courses.flatMap((course) => {
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
}

function mustGet<K, V>(map: Map<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`curriculum sync: no row for ${String(key)}`);
  return value;
}
