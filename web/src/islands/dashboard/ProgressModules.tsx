import { useStore } from '@nanostores/react';
import { type ReactNode, useEffect, useRef } from 'react';
import { lessonPath } from '../../lib/paths';
import { describeTally, type LessonStatus, type LessonView, type ModuleView, STATUS_LABELS } from '../../lib/progress';
import { $savingLessons, setLessonStatus } from '../../stores/progress';
import { ProgressBar } from '../ProgressBar';

/*
 * The course's modules, each a disclosure (a heading holding a button with aria-expanded) over its lessons: 42
 * lessons open at once would bury the page. Each lesson shows its status in words and an icon, never colour alone,
 * and offers the next sensible steps: start, mark complete, or undo back to not started.
 */

const pad = (value: number) => String(value).padStart(2, '0');

export function ProgressModules({
  course,
  modules,
  expanded,
  onToggle,
}: {
  /** The course's slug, for the links to the lesson pages. */
  course: string;
  modules: ModuleView[];
  expanded: ReadonlySet<string>;
  onToggle: (moduleId: string) => void;
}) {
  return (
    <ol className="space-y-3">
      {modules.map((module) => (
        <ProgressModule
          key={module.id}
          course={course}
          module={module}
          open={expanded.has(module.id)}
          onToggle={() => onToggle(module.id)}
        />
      ))}
    </ol>
  );
}

function ProgressModule({
  course,
  module,
  open,
  onToggle,
}: {
  course: string;
  module: ModuleView;
  open: boolean;
  onToggle: () => void;
}) {
  const listId = `module-${module.slug}-lessons`;
  const done = module.tally.completed === module.tally.total;
  return (
    <li className="rounded-xl border border-ink-700 bg-ink-900/60" data-module={module.slug}>
      <h4>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={listId}
          onClick={onToggle}
          className="flex w-full items-center gap-3 rounded-xl px-3 pt-3 pb-2 text-left hover:bg-ink-800/50 sm:px-4"
        >
          <span
            className="grid size-8 shrink-0 place-items-center rounded-md border border-ink-600 bg-ink-800 font-mono text-xs font-semibold text-silver-200 tabular-nums"
            aria-hidden="true"
          >
            {pad(module.number)}
          </span>
          <span className="min-w-0 flex-1 leading-snug font-medium text-silver-100">
            <span className="sr-only">Module {module.number}: </span>
            {module.title}
          </span>
          <svg
            className={`size-4 shrink-0 text-silver-400 transition-transform motion-reduce:transition-none ${open ? 'rotate-180' : ''}`}
            viewBox="0 0 16 16"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
            aria-hidden="true"
          >
            <path d="m4 6 4 4 4-4" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </button>
      </h4>
      <div className="flex items-center gap-3 px-3 pb-3 sm:px-4">
        <span className="w-8 shrink-0" aria-hidden="true" />
        <ProgressBar label={module.title} tally={module.tally} />
        <span className="shrink-0 text-xs text-silver-400 tabular-nums">
          {done ? (
            <span className="inline-flex items-center gap-1 text-success">
              <CheckIcon className="size-3.5" />
              Done
            </span>
          ) : (
            `${module.tally.completed} of ${module.tally.total}`
          )}
          <span className="sr-only">: {describeTally(module.tally)}</span>
        </span>
      </div>
      <ol id={listId} hidden={!open} className="divide-y divide-ink-700/70 border-t border-ink-700">
        {module.lessons.map((lesson) => (
          <LessonRow key={lesson.id} lesson={lesson} href={lessonPath(course, module.slug, lesson.slug)} />
        ))}
      </ol>
    </li>
  );
}

type Action = { key: string; label: string; to: LessonStatus; icon?: ReactNode };

function actionsFor(status: LessonStatus): Action[] {
  const complete: Action = { key: 'complete', label: 'Mark complete', to: 'completed', icon: <CheckIcon /> };
  const undo: Action = { key: 'undo', label: 'Undo', to: 'not_started' };
  if (status === 'not_started') return [{ key: 'start', label: 'Start', to: 'in_progress' }, complete];
  if (status === 'in_progress') return [complete, undo];
  return [undo];
}

function LessonRow({ lesson, href }: { lesson: LessonView; href: string }) {
  const saving = useStore($savingLessons).has(lesson.id);
  const row = useRef<HTMLLIElement>(null);
  const focusInside = useRef(false);

  // The buttons change with the status, so the one just pressed may be gone: keep focus in the row.
  const shownStatus = useRef(lesson.status);
  useEffect(() => {
    if (shownStatus.current === lesson.status) return;
    shownStatus.current = lesson.status;
    const element = row.current;
    if (!element || !focusInside.current) return;
    const active = document.activeElement;
    if (active && active !== document.body && element.contains(active)) return;
    element.querySelector<HTMLButtonElement>('button')?.focus();
  }, [lesson.status]);

  return (
    <li
      ref={row}
      id={`lesson-${lesson.slug}`}
      tabIndex={-1}
      data-lesson={lesson.slug}
      data-status={lesson.status}
      onFocus={() => {
        focusInside.current = true;
      }}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) focusInside.current = false;
      }}
      className="flex flex-col gap-2.5 px-3 py-3 outline-none focus-visible:bg-ink-800 sm:flex-row sm:items-center sm:gap-4 sm:px-4"
    >
      <div className="flex min-w-0 flex-1 items-start gap-3">
        <StatusIcon status={lesson.status} />
        <div className="min-w-0">
          <p className="text-sm leading-snug font-medium text-pretty text-silver-100">
            <a href={href} className="rounded-sm underline-offset-4 hover:text-silver-50 hover:underline">
              <span className="sr-only">Lesson {lesson.number}: </span>
              {lesson.title}
            </a>
          </p>
          <p className="mt-0.5 text-xs text-pretty text-silver-400">{lesson.summary}</p>
          <p className="mt-0.5 text-xs text-silver-400">
            <span className={STATUS_TEXT_CLASS[lesson.status]}>{STATUS_LABELS[lesson.status]}</span>
            <span aria-hidden="true"> · </span>
            <span className="tabular-nums">{lesson.duration_minutes} min</span>
            {saving && (
              <>
                <span aria-hidden="true"> · </span>
                <span>Saving…</span>
              </>
            )}
          </p>
        </div>
      </div>
      <div className="flex shrink-0 gap-2 pl-8 sm:pl-0">
        {actionsFor(lesson.status).map((action) => (
          <button
            key={action.key}
            type="button"
            className="btn btn-ghost min-h-9 px-3 py-1.5 text-xs"
            // The visible words first, then which lesson: each of 42 "Undo" buttons says what it undoes.
            aria-label={`${action.label}: ${lesson.title}`}
            aria-disabled={saving || undefined}
            onClick={() => {
              if (!saving) void setLessonStatus(lesson.id, action.to);
            }}
          >
            {action.icon}
            {action.label}
          </button>
        ))}
      </div>
    </li>
  );
}

const STATUS_TEXT_CLASS: Record<LessonStatus, string> = {
  not_started: 'text-silver-400',
  in_progress: 'font-medium text-silver-100',
  completed: 'font-medium text-success',
};

/** A distinct shape per status: an empty ring, a half-filled ring, a tick in a filled disc. */
export function StatusIcon({
  status,
  className = 'mt-0.5 size-5 shrink-0',
}: {
  status: LessonStatus;
  className?: string;
}) {
  if (status === 'completed') {
    return (
      <svg className={`${className} text-success`} viewBox="0 0 20 20" aria-hidden="true">
        <circle cx="10" cy="10" r="9" fill="currentColor" />
        <path
          d="m6 10.5 2.5 2.5L14 7.5"
          fill="none"
          stroke="var(--color-ink-950)"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
    );
  }
  if (status === 'in_progress') {
    return (
      <svg className={`${className} text-silver-200`} viewBox="0 0 20 20" aria-hidden="true">
        <circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M10 4.5a5.5 5.5 0 0 1 0 11Z" fill="currentColor" />
      </svg>
    );
  }
  return (
    <svg className={`${className} text-silver-600`} viewBox="0 0 20 20" aria-hidden="true">
      <circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" strokeWidth="1.5" strokeDasharray="3 2.2" />
    </svg>
  );
}

export function CheckIcon({ className = 'size-3.5' }: { className?: string }) {
  return (
    <svg
      className={className}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d="m3.5 8.5 3 3 6-7" />
    </svg>
  );
}
