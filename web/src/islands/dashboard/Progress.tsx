import { useStore } from '@nanostores/react';
import { useEffect, useState } from 'react';
import { type CourseView, describeTally } from '../../lib/progress';
import {
  $courseViews,
  $progressLoad,
  $progressNotice,
  dismissProgressNotice,
  loadProgress,
} from '../../stores/progress';
import { ProgressBar } from '../ProgressBar';
import { ProgressModules } from './ProgressModules';
import { ProgressNext } from './ProgressNext';

/**
 * The dashboard's `#progress` section: overall and per-module bars, the lesson to take next, and every lesson with
 * its status and controls. State lives in stores/progress.ts; this renders it.
 */
export function Progress() {
  const load = useStore($progressLoad);
  const courses = useStore($courseViews);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>();

  useEffect(() => {
    void loadProgress();
  }, []);

  // Which modules start open is decided once, when progress arrives; after that only the learner opens and closes
  // them (a module must not fold up under the pointer because its last lesson was just completed).
  const open = expanded ?? modulesToOpen(courses);
  useEffect(() => {
    if (load.status === 'ready') setExpanded((current) => current ?? modulesToOpen($courseViews.get()));
  }, [load.status]);

  function toggle(moduleId: string) {
    setExpanded((current) => {
      const next = new Set(current ?? open);
      if (!next.delete(moduleId)) next.add(moduleId);
      return next;
    });
  }

  return (
    <section
      id="progress"
      aria-labelledby="progress-title"
      aria-busy={load.status === 'loading'}
      className="surface relative rounded-2xl p-4 sm:p-6"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h2 id="progress-title" className="text-lg font-semibold text-silver-50">
          Course progress
        </h2>
        <a
          href="/learn/"
          className="rounded-md text-sm text-silver-400 underline-offset-4 hover:text-silver-100 hover:underline"
        >
          Course outline
        </a>
      </div>

      {load.status === 'loading' && <ProgressLoading />}
      {load.status === 'error' && (
        <div className="mt-4">
          <p className="text-sm text-silver-300">{load.message}</p>
          <button type="button" className="btn btn-ghost mt-4" onClick={() => void loadProgress()}>
            Try again
          </button>
        </div>
      )}
      {load.status === 'ready' && courses.length === 0 && (
        <p className="mt-3 text-sm text-silver-300">There are no courses yet.</p>
      )}
      {load.status === 'ready' &&
        courses.map((course) => <CourseProgress key={course.id} course={course} expanded={open} onToggle={toggle} />)}

      <ProgressNotice />
    </section>
  );
}

function CourseProgress({
  course,
  expanded,
  onToggle,
}: {
  course: CourseView;
  expanded: ReadonlySet<string>;
  onToggle: (moduleId: string) => void;
}) {
  return (
    <div className="mt-5" data-course={course.slug}>
      <div className="flex items-end justify-between gap-4">
        <div className="min-w-0">
          <h3 className="leading-snug font-semibold text-silver-100">{course.title}</h3>
          <p className="mt-1 text-sm text-silver-400 tabular-nums">{describeTally(course.tally)}</p>
        </div>
        <p className="text-silver-gradient shrink-0 text-4xl leading-none font-semibold tracking-tight tabular-nums">
          {course.tally.percent}
          <span className="text-2xl">%</span>
        </p>
      </div>
      <div className="mt-3">
        <ProgressBar size="lg" label={`Overall progress: ${course.title}`} tally={course.tally} />
      </div>

      <div className="mt-6">
        <ProgressNext course={course} />
      </div>

      <div className="mt-8 flex items-baseline justify-between gap-4">
        <h3 className="text-sm font-medium tracking-wide text-silver-400 uppercase">Modules</h3>
        <p className="text-xs text-silver-500">
          {course.modules.length} modules · {course.tally.total} lessons
        </p>
      </div>
      <div className="mt-3">
        <ProgressModules course={course.slug} modules={course.modules} expanded={expanded} onToggle={onToggle} />
      </div>
    </div>
  );
}

/*
 * One polite live region for the outcome of each change. A success is only announced (the bars already show it); a
 * failure is shown too, stuck to the bottom of the viewport while the section is on screen, so it is seen wherever
 * in the list the learner clicked.
 */
function ProgressNotice() {
  const notice = useStore($progressNotice);
  return (
    <div role="status" aria-live="polite" aria-atomic="true" className="sticky bottom-4 z-10">
      {notice?.kind === 'saved' && (
        <p key={notice.id} className="sr-only">
          {notice.text}
        </p>
      )}
      {notice?.kind === 'error' && (
        <div
          key={notice.id}
          className="mt-4 flex items-start gap-3 rounded-lg border border-danger/50 bg-ink-800 px-3.5 py-3 text-sm text-silver-100 shadow-[0_12px_32px_-8px_rgb(0_0_0/0.8)]"
        >
          <svg
            className="mt-0.5 size-4 shrink-0 text-danger"
            viewBox="0 0 16 16"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
            aria-hidden="true"
          >
            <circle cx="8" cy="8" r="6.5" />
            <path d="M8 4.75v3.75M8 11v.25" strokeLinecap="round" />
          </svg>
          <p className="flex-1">{notice.text}</p>
          <button
            type="button"
            className="-my-1 -mr-1.5 grid size-7 shrink-0 place-items-center rounded-md text-silver-400 hover:bg-ink-700 hover:text-silver-50"
            onClick={dismissProgressNotice}
          >
            <span className="sr-only">Dismiss</span>
            <svg
              className="size-3.5"
              viewBox="0 0 16 16"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.75"
              aria-hidden="true"
            >
              <path d="m4 4 8 8M12 4l-8 8" strokeLinecap="round" />
            </svg>
          </button>
        </div>
      )}
    </div>
  );
}

function modulesToOpen(courses: CourseView[]): ReadonlySet<string> {
  const ids = new Set<string>();
  for (const course of courses) {
    const module = course.next?.module ?? course.modules[0];
    if (module) ids.add(module.id);
  }
  return ids;
}

function ProgressLoading() {
  return (
    <div className="mt-5" aria-hidden="true">
      <div className="h-4 w-48 animate-pulse rounded bg-ink-700" />
      <div className="mt-4 h-2.5 animate-pulse rounded-full bg-ink-700" />
      <div className="mt-6 h-24 animate-pulse rounded-xl bg-ink-800" />
      <div className="mt-8 space-y-3">
        <div className="h-16 animate-pulse rounded-xl bg-ink-800" />
        <div className="h-16 animate-pulse rounded-xl bg-ink-800" />
        <div className="h-16 animate-pulse rounded-xl bg-ink-800" />
      </div>
    </div>
  );
}
