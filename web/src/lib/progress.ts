import { percentOf } from '@aibc/api/shared/percent';
import type { InferResponseType } from 'hono/client';
import type { client } from './api';

/*
 * The dashboard's view of a course: every bar, count and the next lesson, derived from the course's structure and
 * the learner's lesson statuses. Pure functions, so a change of status recomputes everything locally at once
 * instead of asking the API again; the rules are the API's own (`percentOf`, "next" = the first lesson in course
 * order that is not completed), so the page after a reload shows exactly what it showed before.
 */

/** A course as GET /users/me/progress sends it: its modules and lessons, each lesson with the learner's status. */
export type CourseDetail = InferResponseType<typeof client.api.v1.users.me.progress.$get, 200>['courses'][number];
type ApiLesson = CourseDetail['modules'][number]['lessons'][number];
export type LessonStatus = ApiLesson['status'];
export type LessonStatuses = Readonly<Record<string, LessonStatus>>;

export const STATUS_LABELS: Record<LessonStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
};

export type Tally = { completed: number; total: number; percent: number };

export type LessonView = Omit<ApiLesson, 'status'> & {
  status: LessonStatus;
  /** 1-based, within its module. */
  number: number;
};

export type ModuleView = {
  id: string;
  slug: string;
  title: string;
  /** 1-based, within the course. */
  number: number;
  lessons: LessonView[];
  tally: Tally;
};

/** A lesson with the module it belongs to: what the "continue" card names. */
export type LessonPlace = { lesson: LessonView; module: ModuleView };

export type CourseView = {
  id: string;
  slug: string;
  title: string;
  modules: ModuleView[];
  tally: Tally;
  /** The first lesson in course order not yet completed; null when every lesson is. */
  next: LessonPlace | null;
  /** False for a learner who has not touched a lesson yet. */
  started: boolean;
};

function tally(completed: number, total: number): Tally {
  return { completed, total, percent: percentOf(completed, total) };
}

/** The statuses the API sent with the course. */
export function statusesOf(course: CourseDetail): Record<string, LessonStatus> {
  const statuses: Record<string, LessonStatus> = {};
  for (const module of course.modules) {
    for (const lesson of module.lessons) statuses[lesson.id] = lesson.status;
  }
  return statuses;
}

export function viewCourse(course: CourseDetail, statuses: LessonStatuses): CourseView {
  let started = false;
  let next: LessonPlace | null = null;
  const modules = course.modules.map((module, moduleIndex): ModuleView => {
    const lessons = module.lessons.map(
      ({ status: _fromLoad, ...lesson }, lessonIndex): LessonView => ({
        ...lesson,
        status: statuses[lesson.id] ?? 'not_started',
        number: lessonIndex + 1,
      }),
    );
    const completed = lessons.filter((lesson) => lesson.status === 'completed').length;
    return {
      id: module.id,
      slug: module.slug,
      title: module.title,
      number: moduleIndex + 1,
      lessons,
      tally: tally(completed, lessons.length),
    };
  });
  for (const module of modules) {
    for (const lesson of module.lessons) {
      if (lesson.status !== 'not_started') started = true;
      if (!next && lesson.status !== 'completed') next = { lesson, module };
    }
  }
  const completed = modules.reduce((sum, module) => sum + module.tally.completed, 0);
  const total = modules.reduce((sum, module) => sum + module.tally.total, 0);
  return {
    id: course.id,
    slug: course.slug,
    title: course.title,
    modules,
    tally: tally(completed, total),
    next,
    started,
  };
}

/** "2 of 42 lessons completed". */
export function describeTally({ completed, total }: Tally): string {
  return `${completed} of ${total} ${total === 1 ? 'lesson' : 'lessons'} completed`;
}
