import { useStore } from '@nanostores/react';
import { Component, lazy, type ReactNode, Suspense, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { authErrorMessage, takeAuthError } from '../lib/auth-errors';
import { ACCOUNT_SETTINGS_PATH } from '../lib/paths';
import {
  $authModal,
  type AuthModalName,
  closeAuthModal,
  isAuthModalName,
  openAuthModal,
  takeOpener,
} from '../stores/modal';
import { $session, startSession } from '../stores/session';
import { $stepUp, cancelStepUp, STEPPED_UP_PARAM } from '../stores/step-up';
import { ModalDialog } from './ModalDialog';

/*
 * The sign-in and sign-up modals, mounted once per page by Base.astro with `client:idle`.
 *
 * The triggers are plain links (`<a href="/signin/" data-open-modal="signin">`) that work before this island
 * hydrates, and without JavaScript they load the page that opens the modal. Once hydrated, one document listener
 * catches their clicks, and `?auth=` in the address is honoured once and then removed.
 */

const TITLES: Record<AuthModalName, { title: string; intro: string }> = {
  signin: { title: 'Welcome back', intro: 'Sign in to pick up where you left off.' },
  signup: { title: 'Create your account', intro: 'Free to join. Your progress follows you to every device.' },
  forgot: {
    title: 'Reset your password',
    intro: "Enter your account's email and we'll send you a link to choose a new one.",
  },
};

const INTENT_EVENTS = ['pointerover', 'focusin', 'touchstart'] as const;

// Fetched on intent (a trigger hovered, focused or touched) or on open; the import() promise is cached by the browser.
const loadAuthForm = () => import('./auth/AuthForm');
const AuthForm = lazy(loadAuthForm);
// "Confirm it's you" (stores/step-up.ts) rides in this island, the one on every page, but loads only when a step-up
// is first asked for (or a provider step-up came back): the landing page pays nothing for it.
const StepUpDialog = lazy(() => import('./StepUpDialog'));

function isPlainClick(event: globalThis.MouseEvent) {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

export default function AuthModals() {
  const modal = useStore($authModal);
  const stepUp = useStore($stepUp);
  // Once loaded, the step-up dialog stays mounted (it closes itself); `stepped_up` in the address is its message.
  const [stepUpLoaded, setStepUpLoaded] = useState(false);
  if (stepUp && !stepUpLoaded) setStepUpLoaded(true);
  const dialogRef = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    // `?auth=signin|signup|forgot`: links from other pages, the dashboard's "please sign in", and clicks made before
    // this island hydrated. Read once, then taken out of the address so a reload does not reopen the modal.
    const url = new URL(window.location.href);
    if (url.searchParams.has(STEPPED_UP_PARAM)) setStepUpLoaded(true);
    // /signin/ and /signup/ (where the header's links lead without JavaScript) name their modal in the page.
    const requested =
      url.searchParams.get('auth') ?? document.querySelector('[data-auth-page]')?.getAttribute('data-auth-page');
    if (url.searchParams.has('auth')) {
      url.searchParams.delete('auth');
      window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    }
    if (isAuthModalName(requested)) openAuthModal({ name: requested });
    // `?auth=mfa`: a Google or GitHub sign-in of an account with MFA came back for its second step (API.md "OAuth
    // sign-in"); the challenge rides in an HttpOnly cookie, so the sign-in modal opens straight at the code.
    else if (requested === 'mfa') openAuthModal({ name: 'signin', mfa: true });

    // A provider round trip that failed lands on `/?auth_error=<code>`. Signed out, the sign-in modal says what
    // went wrong; signed in (a link or a step-up that failed), the account settings say it beside Connected accounts.
    const authError = url.pathname === '/' ? takeAuthError() : undefined;
    if (authError) {
      startSession()
        .catch(() => {})
        .then(() => {
          if ($session.get().status === 'signed-in') {
            window.location.replace(`${ACCOUNT_SETTINGS_PATH}?auth_error=${encodeURIComponent(authError)}`);
          } else {
            openAuthModal({ name: 'signin', error: authErrorMessage(authError) });
          }
        });
    }

    function onClick(event: globalThis.MouseEvent) {
      if (event.defaultPrevented || !isPlainClick(event) || !(event.target instanceof Element)) return;
      const trigger = event.target.closest('[data-open-modal]');
      const name = trigger?.getAttribute('data-open-modal');
      if (!trigger || !isAuthModalName(name)) return;
      event.preventDefault();
      if ($session.get().status === 'signed-in') {
        window.location.assign('/dashboard');
        return;
      }
      openAuthModal({ name }, trigger);
    }
    document.addEventListener('click', onClick);

    // Intent to open a modal: start loading the form's chunk so it is there by the time of the click.
    function onIntent(event: Event) {
      if (!(event.target instanceof Element) || !event.target.closest('[data-open-modal]')) return;
      void loadAuthForm().catch(() => {});
      for (const type of INTENT_EVENTS) document.removeEventListener(type, onIntent);
    }
    for (const type of INTENT_EVENTS) document.addEventListener(type, onIntent, { passive: true });

    // Only when this browser has signed in before (see stores/session.ts): the header then offers the dashboard.
    startSession().catch(() => {
      // Offline or the API is down: the landing page works without a session, and the dashboard reports it.
    });
    return () => {
      document.removeEventListener('click', onClick);
      for (const type of INTENT_EVENTS) document.removeEventListener(type, onIntent);
    };
  }, []);

  // The dialog follows the store: open, switch content, close (and give focus back to whatever opened it). A layout
  // effect, so an emptied dialog is never painted before it closes.
  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    // Focus goes to the first field when the form mounts (see the forms), not to the close button.
    if (modal) {
      if (!dialog.open) dialog.showModal();
    } else if (dialog.open) {
      dialog.close();
      const opener = takeOpener();
      if (opener?.isConnected) opener.focus();
    }
  }, [modal]);

  const copy = modal ? TITLES[modal.name] : undefined;

  return (
    <>
      {stepUpLoaded && (
        <StepUpErrorBoundary>
          <Suspense fallback={null}>
            <StepUpDialog />
          </Suspense>
        </StepUpErrorBoundary>
      )}
      <ModalDialog
        dialogRef={dialogRef}
        idPrefix="auth-modal"
        panel={copy}
        closeLabel="Close"
        onDismiss={closeAuthModal}
        isOpen={() => Boolean($authModal.get())}
      >
        <FormErrorBoundary>
          <Suspense fallback={<FormLoading />}>{modal && <AuthForm modal={modal} />}</Suspense>
        </FormErrorBoundary>
      </ModalDialog>
    </>
  );
}

function FormLoading() {
  return (
    <div className="grid h-72 place-items-center" aria-busy="true">
      <p className="text-sm text-silver-400">Loading the form…</p>
    </div>
  );
}

/** The form's chunk could not be fetched (offline, or a deploy replaced it): say so instead of crashing the island. */
class FormErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <p role="alert" className="rounded-lg border border-danger/40 bg-danger/10 px-3.5 py-2.5 text-sm text-silver-100">
        Can't reach the server — check your connection, then reload the page.
      </p>
    );
  }
}

/** The dialog's chunk could not be fetched: end the waiting step-up (its caller sees a cancel), not the page. */
class StepUpErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch() {
    cancelStepUp();
  }

  override render() {
    return this.state.failed ? null : this.props.children;
  }
}
