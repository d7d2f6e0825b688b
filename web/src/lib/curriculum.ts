/**
 * The curriculum as the landing page shows it, read at build time from the repo's single source,
 * `content/curriculum.json` (the API seeds its tables from the same file). Nothing here reaches the browser:
 * it runs in Astro frontmatter during `astro build`.
 */
import {
  type CourseContent,
  type LessonContent,
  type ModuleContent,
  parseCurriculum,
} from '@aibc/api/shared/curriculum';
import source from '../../../content/curriculum.json';

export type Lesson = LessonContent;
export type CurriculumModule = ModuleContent & { lessonCount: number; minutes: number };
export type Course = Omit<CourseContent, 'modules'> & {
  modules: CurriculumModule[];
  lessonCount: number;
  minutes: number;
};

/** Parses the curriculum and adds the counts the pages show. */
export function loadCourses(input: unknown = source): Course[] {
  // The API's own schema (the sync validates with it too): a malformed file fails the build, naming the field.
  return parseCurriculum(input, 'content/curriculum.json').courses.map((course) => {
    const modules = course.modules.map((module) => ({
      ...module,
      lessonCount: module.lessons.length,
      minutes: module.lessons.reduce((total, lesson) => total + lesson.duration_minutes, 0),
    }));
    return {
      ...course,
      modules,
      lessonCount: modules.reduce((total, module) => total + module.lessonCount, 0),
      minutes: modules.reduce((total, module) => total + module.minutes, 0),
    };
  });
}

/** `45 min`, `3 h`, `3 h 40 min`: for a module or a lesson. */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Whole hours (at least one), for totals where minutes would be false precision. */
export function roundHours(minutes: number): number {
  return Math.max(1, Math.round(minutes / 60));
}

/** `33 hours`. */
export function formatHours(minutes: number): string {
  return plural(roundHours(minutes), 'hour');
}

/** `1 lesson`, `6 lessons`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
