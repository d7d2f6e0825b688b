import { useStore } from '@nanostores/react';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { $session } from '../stores/session';
import { $stepUp, cancelStepUp, completeStepUp, STEPPED_UP_PARAM } from '../stores/step-up';
import { ModalDialog } from './ModalDialog';
import { useModalWhile } from './use-modal-while';

/*
 * The one "Confirm it's you" dialog (stores/step-up.ts), mounted on every page by Base.astro. Closed, it is an empty
 * <dialog>; the form and its libraries load the first time a step-up is asked for.
 *
 * A provider step-up leaves the page and comes back with `?stepped_up=1` (islands/step-up/ProviderStepUp.tsx):
 * read once, taken out of the address, and said in a status line, since the action that asked must be done again.
 */

const StepUpBody = lazy(() => import('./step-up/StepUpBody'));

const CONFIRM = {
  title: "Confirm it's you",
  intro: "This change protects your account, so we ask again. You won't be asked for the next few minutes.",
};

export default function StepUpDialog() {
  const prompt = useStore($stepUp);
  const session = useStore($session);
  const dialogRef = useRef<HTMLDialogElement>(null);
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

  useModalWhile(dialogRef, Boolean(prompt), () => setSteppedUp(false));

  return (
    <>
      <ModalDialog
        dialogRef={dialogRef}
        idPrefix="step-up"
        panel={prompt ? CONFIRM : undefined}
        closeLabel="Cancel"
        onDismiss={cancelStepUp}
        isOpen={() => Boolean($stepUp.get())}
      >
        {prompt && (
          <>
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
          </>
        )}
      </ModalDialog>
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
