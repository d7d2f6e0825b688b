import { useStore } from '@nanostores/react';
import { useEffect, useRef, useState } from 'react';
import { NETWORK_ERROR, UNEXPECTED_ERROR } from '../lib/problems';
import { $session, SessionError, signOut, startSession } from '../stores/session';
import { AccountProfile } from './dashboard/AccountProfile';
import { AccountSecurity } from './dashboard/AccountSecurity';
import { AccountVerifyBanner } from './dashboard/AccountVerifyBanner';
import { Progress } from './dashboard/Progress';

/*
 * The dashboard, rendered only in the browser (`client:only="react"`): everything on it depends on the session.
 * A visitor without one is sent to the landing page with the sign-in modal open.
 */

function messageFor(error: unknown) {
  return error instanceof SessionError ? UNEXPECTED_ERROR : NETWORK_ERROR;
}

export default function Dashboard() {
  const session = useStore($session);
  const [loadError, setLoadError] = useState<string>();
  const [signOutError, setSignOutError] = useState<string>();
  const [signingOut, setSigningOut] = useState(false);
  const leaving = useRef(false);

  function load() {
    setLoadError(undefined);
    startSession().catch((error: unknown) => setLoadError(messageFor(error)));
  }

  useEffect(load, []);

  useEffect(() => {
    if (session.status === 'signed-out' && !leaving.current) {
      leaving.current = true;
      window.location.replace('/?auth=signin');
    }
  }, [session.status]);

  async function onSignOut() {
    if (signingOut) return;
    setSigningOut(true);
    setSignOutError(undefined);
    leaving.current = true; // the landing page, not the sign-in modal, after signing out on purpose
    try {
      await signOut();
      window.location.assign('/');
    } catch {
      leaving.current = false;
      setSigningOut(false);
      setSignOutError(`${NETWORK_ERROR} You are still signed in.`);
    }
  }

  if (loadError) {
    return (
      <div className="surface max-w-xl rounded-2xl p-6" role="alert">
        <h1 className="text-xl font-semibold text-silver-50">Your dashboard could not load</h1>
        <p className="mt-2 text-silver-300">{loadError}</p>
        <button type="button" className="btn btn-primary mt-5" onClick={load}>
          Try again
        </button>
      </div>
    );
  }

  if (session.status !== 'signed-in') return <DashboardLoading />;

  const { user } = session;
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm font-medium tracking-wide text-silver-400 uppercase">Your dashboard</p>
          <h1 className="text-silver-gradient mt-2 text-3xl font-semibold tracking-tight text-balance sm:text-4xl">
            Welcome back, {user.full_name}
          </h1>
        </div>
        <button type="button" className="btn btn-ghost" onClick={onSignOut} aria-disabled={signingOut || undefined}>
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
      {signOutError && (
        <p
          role="alert"
          className="rounded-lg border border-danger/40 bg-danger/10 px-3.5 py-2.5 text-sm text-silver-100"
        >
          {signOutError}
        </p>
      )}
      <AccountVerifyBanner user={user} />

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)] lg:items-start">
        <AccountProfile user={user} />

        <Progress />
      </div>

      <AccountSecurity user={user} onSignOut={onSignOut} />
    </div>
  );
}

function DashboardLoading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="sr-only">Loading your dashboard…</p>
      <div className="h-4 w-32 animate-pulse rounded bg-ink-800" />
      <div className="mt-4 h-9 w-72 max-w-full animate-pulse rounded bg-ink-800" />
      <div className="mt-10 grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <div className="surface h-64 animate-pulse rounded-2xl" />
        <div className="h-64 animate-pulse rounded-2xl border border-dashed border-ink-600" />
      </div>
    </div>
  );
}
