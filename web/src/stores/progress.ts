import { atom, computed } from 'nanostores';
import { client } from '../lib/api';
import {
  type CourseDetail,
  type CourseView,
  type LessonStatus,
  STATUS_LABELS,
  statusesOf,
  viewCourse,
} from '../lib/progress';
import { SessionError, withAccessToken } from './session';

/*
 * The learner's progress, shared by the dashboard's progress components.
 *
 * - Loading costs one request: GET /users/me/progress sends every course with its lessons, each with the learner's
 *   status. Everything the page shows is derived from those statuses (`$courseViews`).
 * - A change is optimistic: the status changes here first, so every bar moves at once, then the PUT goes out. A
 *   refusal or a network failure puts the old status back and says so in `$progressNotice`. Nothing is refetched.
 * - One PUT per lesson at a time (the lesson's controls wait meanwhile): two racing PUTs for the same lesson could
 *   reach the API in either order and leave it disagreeing with the page.
 */

export type ProgressLoad = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready' };

/** What the live region says: a failure is shown, a success is only announced. */
export type ProgressNotice = { kind: 'error' | 'saved'; text: string; id: number };

export const $progressLoad = atom<ProgressLoad>({ status: 'loading' });
const $courses = atom<CourseDetail[]>([]);
export const $lessonStatuses = atom<Readonly<Record<string, LessonStatus>>>({});
export const $savingLessons = atom<ReadonlySet<string>>(new Set());
export const $progressNotice = atom<ProgressNotice | undefined>();

export const $courseViews = computed([$courses, $lessonStatuses], (courses, statuses): CourseView[] =>
  courses.map((course) => viewCourse(course, statuses)),
);

const NETWORK_FAILURE = "can't reach the server — check your connection and try again";
const SERVER_FAILURE = 'something went wrong on our side — please try again in a moment';
const GONE = 'this lesson is no longer in the course — reload the page to see the current one';
const REFUSED = 'the server refused the change — reload the page and try again';

let loading: Promise<void> | undefined;
let noticeId = 0;

function notify(kind: ProgressNotice['kind'], text: string) {
  noticeId += 1;
  $progressNotice.set({ kind, text, id: noticeId });
}

export function dismissProgressNotice() {
  $progressNotice.set(undefined);
}

async function fetchCourses(): Promise<CourseDetail[] | undefined> {
  const response = await withAccessToken((options) => client.api.v1.users.me.progress.$get({}, options));
  if (!response) return undefined; // signed out meanwhile: the dashboard is on its way to the sign-in modal
  if (!response.ok) throw new SessionError(response.status);
  return (await response.json()).courses;
}

/** Loads the learner's courses once; after a failure, a second call tries again. */
export function loadProgress(): Promise<void> {
  loading ??= (async () => {
    $progressLoad.set({ status: 'loading' });
    try {
      const courses = await fetchCourses();
      if (!courses) return;
      $lessonStatuses.set(Object.assign({}, ...courses.map(statusesOf)));
      $courses.set(courses);
      $progressLoad.set({ status: 'ready' });
    } catch (error) {
      loading = undefined;
      $progressLoad.set({
        status: 'error',
        message:
          error instanceof SessionError
            ? 'Your progress could not load just now: something went wrong on our side.'
            : "Your progress could not load: can't reach the server. Check your connection.",
      });
    }
  })();
  return loading;
}

function findLesson(lessonId: string) {
  for (const course of $courses.get()) {
    for (const module of course.modules) {
      const lesson = module.lessons.find((candidate) => candidate.id === lessonId);
      if (lesson) return lesson;
    }
  }
  return undefined;
}

function setStatus(lessonId: string, status: LessonStatus) {
  $lessonStatuses.set({ ...$lessonStatuses.get(), [lessonId]: status });
}

function setSaving(lessonId: string, saving: boolean) {
  const next = new Set($savingLessons.get());
  if (saving) next.add(lessonId);
  else next.delete(lessonId);
  $savingLessons.set(next);
}

function failureReason(status: number | undefined) {
  if (status === undefined) return NETWORK_FAILURE;
  if (status >= 500) return SERVER_FAILURE;
  if (status === 404) return GONE;
  return REFUSED;
}

const SAVED_WORDS: Record<LessonStatus, string> = {
  not_started: 'set back to not started',
  in_progress: 'marked in progress',
  completed: 'marked completed',
};

/**
 * Sets a lesson's status: here at once, then on the API. Resolves true when the API kept it, false when the old
 * status is back (refused, unreachable, or the session ended). Ignored while that lesson's last change is saving.
 */
export async function setLessonStatus(lessonId: string, status: LessonStatus): Promise<boolean> {
  const previous = $lessonStatuses.get()[lessonId];
  const lesson = findLesson(lessonId);
  if (!previous || !lesson || previous === status || $savingLessons.get().has(lessonId)) return false;

  setStatus(lessonId, status);
  setSaving(lessonId, true);
  if ($progressNotice.get()?.kind === 'error') dismissProgressNotice();
  let failedWith: number | undefined;
  try {
    const response = await withAccessToken((options) =>
      client.api.v1.users.me.progress[':lesson_id'].$put({ param: { lesson_id: lessonId }, json: { status } }, options),
    );
    if (!response) {
      setStatus(lessonId, previous); // signed out: the page is leaving for the sign-in modal
      return false;
    }
    if (response.ok) {
      const saved = await response.json();
      setStatus(lessonId, saved.status);
      notify('saved', `“${lesson.title}” ${SAVED_WORDS[saved.status]}.`);
      return true;
    }
    failedWith = response.status;
  } catch {
    failedWith = undefined;
  } finally {
    setSaving(lessonId, false);
  }
  setStatus(lessonId, previous);
  notify(
    'error',
    `Couldn't save “${lesson.title}”: ${failureReason(failedWith)}. It is back to “${STATUS_LABELS[previous].toLowerCase()}”.`,
  );
  return false;
}
