/**
 * The curriculum as the landing page shows it, read at build time from the repo's single source,
 * `content/curriculum.json` (the API seeds its tables from the same file). Nothing here reaches the browser:
 * it runs in Astro frontmatter during `astro build`.
 */
import { z } from 'zod';
import source from '../../../content/curriculum.json';

const lessonSchema = z.object({
  slug: z.string().min(1),
  title: z.string().min(1),
  summary: z.string(),
  duration_minutes: z.number().int().positive(),
});

const moduleSchema = z.object({
  slug: z.string().min(1),
  title: z.string().min(1),
  summary: z.string(),
  lessons: z.array(lessonSchema).min(1),
});

const courseSchema = z.object({
  slug: z.string().min(1),
  title: z.string().min(1),
  summary: z.string(),
  modules: z.array(moduleSchema).min(1),
});

const curriculumSchema = z.object({ courses: z.array(courseSchema).min(1) });

export type Lesson = z.infer<typeof lessonSchema>;
export type CurriculumModule = z.infer<typeof moduleSchema> & { lessonCount: number; minutes: number };
export type Course = Omit<z.infer<typeof courseSchema>, 'modules'> & {
  modules: CurriculumModule[];
  lessonCount: number;
  minutes: number;
};

/** Parses the curriculum and adds the counts the page shows; a malformed file fails the build, naming the field. */
export function loadCourses(input: unknown = source): Course[] {
  const parsed = curriculumSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`content/curriculum.json does not match the expected shape:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data.courses.map((course) => {
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
