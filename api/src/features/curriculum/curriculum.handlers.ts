import { problem } from '../../platform/problem';
import type { AppRouteHandler } from '../../platform/types';
import { percentOf } from '../../shared/percent';
import * as queries from './curriculum.queries';
import type { GetCourseRoute, ListCoursesRoute } from './curriculum.routes';
import type { CourseDetail, CourseSummary } from './curriculum.schemas';

export const listCourses: AppRouteHandler<ListCoursesRoute> = async (c) => {
  const userId = c.var.auth?.user.id ?? null;
  const rows = await queries.listCourses(c.var.deps.sql, userId);
  const courses = rows.map(({ completed, ...course }): CourseSummary => {
    if (!userId) return course;
    const total = course.lesson_count;
    return { ...course, progress: { completed, total, percent: percentOf(completed, total) } };
  });
  return c.json(courses, 200);
};

// One query for the whole tree (see findCourseWithLessons); the counts are summed here from what it returned.
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const getCourse: AppRouteHandler<GetCourseRoute> = async (c) => {
  const { slug } = c.req.valid('param');
  const userId = c.var.auth?.user.id ?? null;
  // Slugs are kebab-case (content schema): anything else cannot name a course, so it is not worth a query.
  const row = SLUG.test(slug) ? await queries.findCourseWithLessons(c.var.deps.sql, { slug, userId }) : undefined;
  if (!row) return problem(c, 404, 'No course with that slug.');

  const lessons = row.modules.flatMap((module) => module.lessons);
  const course: CourseDetail = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    summary: row.summary,
    module_count: row.modules.length,
    lesson_count: lessons.length,
    total_minutes: lessons.reduce((sum, lesson) => sum + lesson.duration_minutes, 0),
    modules: row.modules,
  };
  if (userId) {
    const completed = lessons.filter((lesson) => lesson.status === 'completed').length;
    course.progress = { completed, total: lessons.length, percent: percentOf(completed, lessons.length) };
  }
  return c.json(course, 200);
};
