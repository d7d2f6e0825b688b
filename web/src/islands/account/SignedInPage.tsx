import { useStore } from '@nanostores/react';
import { type ReactNode, useEffect, useState } from 'react';
import { NETWORK_ERROR, UNEXPECTED_ERROR } from '../../lib/problems';
import { $session, leaveFor, SessionError, signOut, startSession, type User } from '../../stores/session';

/*
 * The frame of every page that needs a session (the dashboard, settings): start the session, show a skeleton while
 * it loads and a retry when it fails, and send a visitor without one to the landing page with the sign-in modal
 * open. Signing out on purpose (the header's menu, "Sign out" in the sessions list) goes to the landing page.
 */

function messageFor(error: unknown) {
  return error instanceof SessionError ? UNEXPECTED_ERROR : NETWORK_ERROR;
}

export type SignedInContext = {
  user: User;
  /** Signs this device out and leaves for the landing page; rejects (and stays) when the API cannot be reached. */
  signOutHere: () => Promise<void>;
};

export function SignedInPage({
  title,
  loading,
  children,
}: {
  /** What failed to load, for the error heading: "Your dashboard", "Your settings". */
  title: string;
  loading: ReactNode;
  children: (context: SignedInContext) => ReactNode;
}) {
  const session = useStore($session);
  const [loadError, setLoadError] = useState<string>();

  function load() {
    setLoadError(undefined);
    startSession().catch((error: unknown) => setLoadError(messageFor(error)));
  }

  useEffect(load, []);

  useEffect(() => {
    if (session.status === 'signed-out') leaveFor(session.onPurpose ? '/' : '/?auth=signin', { replace: true });
  }, [session]);

  if (loadError) {
    return (
      <div className="surface max-w-xl rounded-2xl p-6" role="alert">
        <h1 className="text-xl font-semibold text-silver-50">{title} could not load</h1>
        <p className="mt-2 text-silver-300">{loadError}</p>
        <button type="button" className="btn btn-primary mt-5" onClick={load}>
          Try again
        </button>
      </div>
    );
  }

  if (session.status !== 'signed-in') return loading;
  return children({ user: session.user, signOutHere: signOut });
}

/**
 * What a signed-in page shows until the session is known: its kicker and title as pulsing bars (widths as Tailwind
 * classes, near the real words'), then `children`, the page's own blocks. Said to assistive technology as `label`.
 */
export function PageLoading({
  label,
  kickerWidth,
  titleWidth,
  children,
}: {
  label: string;
  kickerWidth: string;
  titleWidth: string;
  children: ReactNode;
}) {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="sr-only">{label}</p>
      <div className={`h-4 ${kickerWidth} animate-pulse rounded bg-ink-800`} />
      <div className={`mt-4 h-9 ${titleWidth} max-w-full animate-pulse rounded bg-ink-800`} />
      {children}
    </div>
  );
}
