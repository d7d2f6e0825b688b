import type { MouseEvent, ReactNode, RefObject } from 'react';
import { useRef } from 'react';

/**
 * The site's modal dialog shell (the auth modal, the "Confirm it's you" dialog): a native modal <dialog>, so the page
 * behind it is inert and focus stays inside, with a titled panel and a close button. The caller opens and closes
 * it (through `dialogRef`, following its store); every way the visitor dismisses it goes to `onDismiss`: the close
 * button, Esc, a click on the backdrop. The panel shows while `panel` is given.
 */
export function ModalDialog({
  dialogRef,
  idPrefix,
  panel,
  closeLabel,
  onDismiss,
  isOpen,
  children,
}: {
  dialogRef: RefObject<HTMLDialogElement | null>;
  /** `${idPrefix}-title` and `${idPrefix}-intro` label and describe the dialog. */
  idPrefix: string;
  panel: { title: ReactNode; intro: ReactNode } | undefined;
  closeLabel: string;
  onDismiss: () => void;
  /** Whether the store still holds the dialog open (a close the store did not ask for is then a dismissal). */
  isOpen: () => boolean;
  children?: ReactNode;
}) {
  const pressedOnBackdrop = useRef(false);

  // Clicks on the ::backdrop land on the <dialog> itself (its content fills the box). Both the press and the release
  // must be there, so selecting text in a field and releasing outside does not close the modal.
  function onPointerDown(event: MouseEvent<HTMLDialogElement>) {
    pressedOnBackdrop.current = event.target === event.currentTarget;
  }
  function onClick(event: MouseEvent<HTMLDialogElement>) {
    if (pressedOnBackdrop.current && event.target === event.currentTarget) onDismiss();
    pressedOnBackdrop.current = false;
  }

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is on the backdrop; its keyboard equivalent is Esc (the dialog's cancel event below)
    <dialog
      ref={dialogRef}
      aria-labelledby={`${idPrefix}-title`}
      aria-describedby={`${idPrefix}-intro`}
      className="m-auto w-[calc(100%-1.5rem)] max-w-md overflow-visible bg-transparent p-0 text-silver-300 backdrop:bg-ink-950/75 backdrop:backdrop-blur-sm"
      onPointerDown={onPointerDown}
      onClick={onClick}
      // Esc: the browser fires `cancel`; closing through the store keeps it the one source of truth.
      onCancel={(event) => {
        event.preventDefault();
        onDismiss();
      }}
      // A second quick Esc may close the dialog without `cancel` (Chromium's close watcher): follow it.
      onClose={() => {
        if (isOpen()) onDismiss();
      }}
    >
      {panel && (
        <div className="surface relative max-h-[calc(100dvh-1.5rem)] overflow-y-auto rounded-2xl p-6 shadow-2xl sm:p-8">
          <div className="mb-6 flex items-start justify-between gap-4">
            <div>
              <h2 id={`${idPrefix}-title`} className="text-silver-gradient text-2xl font-semibold tracking-tight">
                {panel.title}
              </h2>
              <p id={`${idPrefix}-intro`} className="mt-1.5 text-sm text-silver-400">
                {panel.intro}
              </p>
            </div>
            <button
              type="button"
              onClick={onDismiss}
              className="-mt-1 -mr-2 grid size-9 shrink-0 place-items-center rounded-lg text-silver-400 hover:bg-ink-800 hover:text-silver-50"
              aria-label={closeLabel}
            >
              <svg className="size-5" viewBox="0 0 20 20" fill="none" aria-hidden="true">
                <path d="m5 5 10 10M15 5 5 15" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
              </svg>
            </button>
          </div>
          {children}
        </div>
      )}
    </dialog>
  );
}
