import { useId } from 'react';
import { lessonPath } from '../../lib/paths';
import { type CourseView, STATUS_LABELS } from '../../lib/progress';
import { CheckIcon, StatusIcon } from './ProgressModules';

/*
 * The one thing to do next: for a new learner the first lesson ("You haven't started yet"), then the first lesson
 * not yet completed ("Continue where you left off"), and a word of congratulation when none is left. The button is
 * a link to the lesson page; opening it there marks it in progress.
 */
export function ProgressNext({ course }: { course: CourseView }) {
  const headingId = useId();
  const { next } = course;

  if (!next) {
    return (
      <div className="flex items-start gap-3 rounded-xl border border-success/30 bg-success/5 p-4 sm:p-5">
        <span className="grid size-8 shrink-0 place-items-center rounded-full bg-success text-ink-950">
          <CheckIcon className="size-4" />
        </span>
        <div>
          <h4 className="font-semibold text-silver-50">You have completed every lesson. Well done!</h4>
          <p className="mt-1 text-sm text-silver-300">
            All {course.tally.total} lessons of {course.title} are done. Undo any of them below to take it again.
          </p>
        </div>
      </div>
    );
  }

  const { lesson, module } = next;
  const fresh = !course.started;
  const action =
    lesson.status === 'not_started' ? (fresh ? 'Start the first lesson' : 'Start this lesson') : 'Continue';
  return (
    <article
      aria-labelledby={headingId}
      className="flex flex-col gap-4 rounded-xl border border-ink-600 bg-ink-800/70 p-4 shadow-[inset_0_1px_0_rgb(255_255_255/0.06)] sm:flex-row sm:items-center sm:justify-between sm:p-5"
    >
      <div className="min-w-0">
        {fresh ? (
          <h4 id={headingId} className="text-base leading-snug font-semibold text-pretty text-silver-50">
            You haven't started yet — begin with {lesson.title}
          </h4>
        ) : (
          <>
            <h4 id={headingId} className="text-xs font-medium tracking-wide text-silver-400 uppercase">
              Continue where you left off
            </h4>
            <p className="mt-1.5 text-lg leading-snug font-semibold text-pretty text-silver-50">{lesson.title}</p>
          </>
        )}
        <p className="mt-1.5 max-w-prose text-sm text-pretty text-silver-300">{lesson.summary}</p>
        <p className="mt-1.5 text-sm text-silver-400">
          Module {module.number}: {module.title} ·{' '}
          <span className="whitespace-nowrap tabular-nums">
            Lesson {lesson.number} of {module.lessons.length} · {lesson.duration_minutes} min
          </span>
        </p>
        {!fresh && (
          <p className="mt-2 inline-flex items-center gap-1.5 text-sm text-silver-200">
            <StatusIcon status={lesson.status} className="size-4" />
            {STATUS_LABELS[lesson.status]}
          </p>
        )}
      </div>
      <a
        href={lessonPath(course.slug, module.slug, lesson.slug)}
        className="btn btn-primary shrink-0 self-start sm:self-center"
        aria-label={`${action}: ${lesson.title}`}
      >
        {action}
      </a>
    </article>
  );
}
