/**
 * The lesson pages, joined at build time: each lesson of content/curriculum.json (title, summary, duration, its
 * place in the course) with its Markdown file from the `lessons` collection (objectives, body, quiz, further
 * reading). Runs in Astro frontmatter only; nothing here reaches the browser.
 */
import { type CollectionEntry, getCollection } from 'astro:content';
import { type Course, type CurriculumModule, type Lesson, loadCourses } from './curriculum';
import { lessonPath, modulePath } from './paths';

export type LessonEntry = CollectionEntry<'lessons'>;

export type LessonPlace = {
  course: Course;
  module: CurriculumModule;
  /** 1-based, within the course. */
  moduleNumber: number;
  lesson: Lesson;
  /** 1-based, within its module. */
  lessonNumber: number;
  href: string;
  moduleHref: string;
  /** The lesson's file; undefined while it is still being written (see `missingLessonFiles`). */
  entry: LessonEntry | undefined;
};

/** The collection id of a lesson's file: its path under content/lessons without `.md`. */
export const entryId = (module: string, lesson: string) => `${module}/${lesson}`;

let cached: Promise<LessonPlace[]> | undefined;

/**
 * Every lesson of every course in course order, with its file. A file that belongs to no lesson of the curriculum
 * (a typo in a slug, a lesson renamed in curriculum.json) fails the build: it would otherwise never be seen.
 */
export function loadLessonPlaces(): Promise<LessonPlace[]> {
  cached ??= (async () => {
    const entries = new Map((await getCollection('lessons')).map((entry) => [entry.id, entry]));
    const places: LessonPlace[] = [];
    for (const course of loadCourses()) {
      course.modules.forEach((module, moduleIndex) => {
        module.lessons.forEach((lesson, lessonIndex) => {
          const id = entryId(module.slug, lesson.slug);
          places.push({
            course,
            module,
            moduleNumber: moduleIndex + 1,
            lesson,
            lessonNumber: lessonIndex + 1,
            href: lessonPath(course.slug, module.slug, lesson.slug),
            moduleHref: modulePath(course.slug, module.slug),
            entry: entries.get(id),
          });
          entries.delete(id);
        });
      });
    }
    if (entries.size > 0) {
      const orphans = [...entries.keys()].map((id) => `content/lessons/${id}.md`).join(', ');
      throw new Error(`Lesson files that match no lesson of content/curriculum.json: ${orphans}`);
    }
    return places;
  })();
  return cached;
}

/** The lessons whose files are not written yet. */
export function missingLessonFiles(places: readonly LessonPlace[]): string[] {
  return places
    .filter((place) => !place.entry)
    .map((place) => `content/lessons/${entryId(place.module.slug, place.lesson.slug)}.md`);
}

/** The lessons with a page, in course order: previous/next walk this list. */
export function publishedPlaces(places: readonly LessonPlace[]): (LessonPlace & { entry: LessonEntry })[] {
  return places.filter((place): place is LessonPlace & { entry: LessonEntry } => place.entry !== undefined);
}
