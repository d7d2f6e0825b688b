import {
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { useModalWhile } from '../use-modal-while';

/*
 * The admin area's "Are you sure?" before a change to someone's account, in the page instead of the browser's
 * window.confirm(): a native modal <dialog> as role=alertdialog, named by its question and described by what follows
 * from it. showModal() makes everything else inert (the user drawer behind it too) and Tab wraps inside it; focus starts
 * on Cancel, the harmless choice; Escape, the backdrop and Cancel answer no; focus goes back to whatever opened it.
 * Same shape as the site's other modals (StepUpDialog, AuthModals).
 *
 *   const [confirmDialog, confirm] = useConfirm();
 *   if (!(await confirm({ title: 'Disable Ada?', body: '…', action: 'Disable account', danger: true }))) return;
 *   …
 *   return <>{…}{confirmDialog}</>;
 */

export type ConfirmRequest = {
  /** The question, the dialog's accessible name. */
  title: string;
  /** What happens if the answer is yes. */
  body: string;
  /** The yes button's label: the action itself ("Disable account"), never "OK". */
  action: string;
  /** A destructive or hard-to-undo change: the yes button is red. */
  danger?: boolean;
};

export function useConfirm(): [ReactNode, (request: ConfirmRequest) => Promise<boolean>] {
  const [request, setRequest] = useState<ConfirmRequest>();
  const answer = useRef<(yes: boolean) => void>(undefined);

  const confirm = useCallback(
    (next: ConfirmRequest) =>
      new Promise<boolean>((resolve) => {
        // One question at a time: a second one while the first is open answers the first with no.
        answer.current?.(false);
        answer.current = resolve;
        setRequest(next);
      }),
    [],
  );

  const settle = useCallback((yes: boolean) => {
    const resolve = answer.current;
    answer.current = undefined;
    setRequest(undefined);
    resolve?.(yes);
  }, []);

  return [<ConfirmDialog key="confirm" request={request} onAnswer={settle} />, confirm];
}

function ConfirmDialog({ request, onAnswer }: { request?: ConfirmRequest; onAnswer: (yes: boolean) => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const pressedOnBackdrop = useRef(false);
  const titleId = useId();
  const bodyId = useId();

  useModalWhile(dialogRef, Boolean(request));
  // Each question starts on the harmless answer.
  useLayoutEffect(() => {
    if (request) cancelRef.current?.focus();
  }, [request]);

  // A modal <dialog> makes the page inert, but Tab from its last button still leaves for the browser's own
  // controls; here it wraps to the first (and Shift+Tab from the first to the last), so focus stays in the question.
  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== 'Tab') return;
    const buttons = [...event.currentTarget.querySelectorAll<HTMLElement>('button:not(:disabled)')];
    const first = buttons[0];
    const last = buttons.at(-1);
    if (!first || !last) return;
    const inside = event.currentTarget.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  function onPointerDown(event: MouseEvent<HTMLDialogElement>) {
    pressedOnBackdrop.current = event.target === event.currentTarget;
  }
  function onClick(event: MouseEvent<HTMLDialogElement>) {
    if (pressedOnBackdrop.current && event.target === event.currentTarget) onAnswer(false);
    pressedOnBackdrop.current = false;
  }

  return (
    <dialog
      ref={dialogRef}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      className="m-auto w-[calc(100%-1.5rem)] max-w-md overflow-visible bg-transparent p-0 text-silver-300 backdrop:bg-ink-950/75 backdrop:backdrop-blur-sm"
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onClick={onClick}
      // React passes `cancel` and `close` on to the handlers of the elements around (the user drawer is a <dialog>
      // too, and would close with this one): they stop here.
      onCancel={(event) => {
        event.stopPropagation();
        event.preventDefault();
        onAnswer(false);
      }}
      // Closed some other way (a second quick Esc through Chromium's close watcher): that is a no too.
      onClose={(event) => {
        event.stopPropagation();
        if (request) onAnswer(false);
      }}
    >
      {request && (
        <div className="surface rounded-2xl p-6 shadow-2xl">
          <h2 id={titleId} className="text-lg font-semibold break-words text-silver-50">
            {request.title}
          </h2>
          <p id={bodyId} className="mt-2 text-sm leading-relaxed text-silver-300">
            {request.body}
          </p>
          <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <button ref={cancelRef} type="button" className="btn btn-ghost" onClick={() => onAnswer(false)}>
              Cancel
            </button>
            <button
              type="button"
              className={
                request.danger
                  ? 'btn border border-danger/70 bg-danger/15 text-danger hover:bg-danger/25'
                  : 'btn btn-primary'
              }
              onClick={() => onAnswer(true)}
            >
              {request.action}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}
