/**
 * The URLs of the learning pages, one place for every link to them (the pages, the dashboard, the search results).
 * `/learn/<course>/<module>/<lesson>/`: the path is the breadcrumb. Slugs are unique where they need to be (modules
 * within a course, lessons within a course; content/curriculum.json's schema enforces both), so every lesson has
 * exactly one URL, and the module segment keeps it readable.
 */

export const CURRICULUM_PATH = '/learn/';

export function coursePath(course: string): string {
  return `/learn/${course}/`;
}

export function modulePath(course: string, module: string): string {
  return `/learn/${course}/${module}/`;
}

export function lessonPath(course: string, module: string, lesson: string): string {
  return `/learn/${course}/${module}/${lesson}/`;
}

/** Where the account's settings live (connected accounts among them): failed provider links come back there. */
export const ACCOUNT_SETTINGS_PATH = '/settings';
