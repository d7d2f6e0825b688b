import { useStore } from '@nanostores/react';
import { lazy, type MouseEvent, Suspense, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { $session } from '../stores/session';
import { $stepUp, cancelStepUp, completeStepUp, STEPPED_UP_PARAM } from '../stores/step-up';

/*
 * The one "Confirm it's you" dialog (stores/step-up.ts), mounted on every page by Base.astro. Closed, it is an empty
 * <dialog>; the form and its libraries load the first time a step-up is asked for.
 *
 * A provider step-up leaves the page and comes back with `?stepped_up=1` (islands/step-up/ProviderStepUp.tsx):
 * read once, taken out of the address, and said in a status line, since the action that asked must be done again.
 */

const StepUpBody = lazy(() => import('./step-up/StepUpBody'));

export default function StepUpDialog() {
  const prompt = useStore($stepUp);
  const session = useStore($session);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const pressedOnBackdrop = useRef(false);
  const [steppedUp, setSteppedUp] = useState(false);

  useEffect(() => {
    const url = new URL(window.location.href);
    if (!url.searchParams.has(STEPPED_UP_PARAM)) return;
    url.searchParams.delete(STEPPED_UP_PARAM);
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    setSteppedUp(true);
  }, []);

  // Signed out while the dialog was open (another tab, a lockout): nothing left to confirm.
  useEffect(() => {
    if (session.status === 'signed-out' && $stepUp.get()) cancelStepUp();
  }, [session.status]);

  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (prompt) {
      if (!dialog.open) {
        const active = document.activeElement;
        opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
        setSteppedUp(false);
        dialog.showModal();
      }
    } else if (dialog.open) {
      dialog.close();
      if (opener.current?.isConnected) opener.current.focus();
      opener.current = null;
    }
  }, [prompt]);

  function onPointerDown(event: MouseEvent<HTMLDialogElement>) {
    pressedOnBackdrop.current = event.target === event.currentTarget;
  }
  function onClick(event: MouseEvent<HTMLDialogElement>) {
    if (pressedOnBackdrop.current && event.target === event.currentTarget) cancelStepUp();
    pressedOnBackdrop.current = false;
  }

  return (
    <>
      {/* A native modal <dialog>: the page behind it is inert, so focus stays inside (as the auth modal relies on). */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the click is on the backdrop; its keyboard equivalent is Esc (the dialog's cancel event below) */}
      <dialog
        ref={dialogRef}
        aria-labelledby="step-up-title"
        aria-describedby="step-up-intro"
        className="m-auto w-[calc(100%-1.5rem)] max-w-md overflow-visible bg-transparent p-0 text-silver-300 backdrop:bg-ink-950/75 backdrop:backdrop-blur-sm"
        onPointerDown={onPointerDown}
        onClick={onClick}
        // Esc: the browser fires `cancel`; the store stays the one source of truth.
        onCancel={(event) => {
          event.preventDefault();
          cancelStepUp();
        }}
        onClose={() => {
          if ($stepUp.get()) cancelStepUp();
        }}
      >
        {prompt && (
          <div className="surface relative max-h-[calc(100dvh-1.5rem)] overflow-y-auto rounded-2xl p-6 shadow-2xl sm:p-8">
            <div className="mb-6 flex items-start justify-between gap-4">
              <div>
                <h2 id="step-up-title" className="text-silver-gradient text-2xl font-semibold tracking-tight">
                  Confirm it's you
                </h2>
                <p id="step-up-intro" className="mt-1.5 text-sm text-silver-400">
                  This change protects your account, so we ask again. You won't be asked for the next few minutes.
                </p>
              </div>
              <button
                type="button"
                onClick={cancelStepUp}
                className="-mt-1 -mr-2 grid size-9 shrink-0 place-items-center rounded-lg text-silver-400 hover:bg-ink-800 hover:text-silver-50"
                aria-label="Cancel"
              >
                <svg className="size-5" viewBox="0 0 20 20" fill="none" aria-hidden="true">
                  <path d="m5 5 10 10M15 5 5 15" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
                </svg>
              </button>
            </div>
            <Suspense
              fallback={
                <p className="h-40 text-sm text-silver-400" aria-busy="true">
                  Loading…
                </p>
              }
            >
              <StepUpBody methods={prompt.methods} onConfirmed={completeStepUp} onSignedOut={cancelStepUp} />
            </Suspense>
            <button type="button" className="btn btn-ghost mt-3 w-full" onClick={cancelStepUp}>
              Cancel
            </button>
          </div>
        )}
      </dialog>
      {steppedUp && (
        <div
          role="status"
          className="fixed inset-x-3 bottom-3 z-40 mx-auto flex max-w-md items-start gap-3 rounded-xl border border-success/40 bg-ink-900 px-4 py-3 text-sm text-silver-100 shadow-2xl"
        >
          <p className="flex-1 leading-relaxed">Thanks, that's confirmed. You can now do what you were doing.</p>
          <button
            type="button"
            className="-my-1 rounded-md px-2 py-1 text-silver-400 hover:bg-ink-800 hover:text-silver-50"
            onClick={() => setSteppedUp(false)}
          >
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}
