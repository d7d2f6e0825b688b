import { useStore } from '@nanostores/react';
import type { InferResponseType } from 'hono/client';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { client } from '../lib/api';
import { NETWORK_ERROR, UNEXPECTED_ERROR } from '../lib/problems';
import { $session, SessionError, signOut, startSession, type User, withAccessToken } from '../stores/session';

/*
 * The dashboard, rendered only in the browser (`client:only="react"`): everything on it depends on the session.
 * A visitor without one is sent to the landing page with the sign-in modal open.
 */

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const ROLE_LABELS: Record<User['role'], string> = { student: 'Student', instructor: 'Instructor', admin: 'Admin' };

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

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)] lg:items-start">
        <section aria-labelledby="profile-title" className="surface rounded-2xl p-6">
          <h2 id="profile-title" className="text-lg font-semibold text-silver-50">
            Profile
          </h2>
          <dl className="mt-4 space-y-4 text-sm">
            <ProfileRow label="Email">
              <span className="break-all">{user.email}</span>
            </ProfileRow>
            <ProfileRow label="Role">{ROLE_LABELS[user.role]}</ProfileRow>
            <ProfileRow label="Email status">
              {user.is_verified ? (
                <span className="inline-flex items-center gap-1.5 text-success">
                  <span className="size-1.5 rounded-full bg-success" aria-hidden="true" />
                  Verified
                </span>
              ) : (
                <span className="text-silver-200">Not verified yet — look for the link we emailed you</span>
              )}
            </ProfileRow>
            <ProfileRow label="Member since">
              <time dateTime={user.created_at}>{dateFormat.format(new Date(user.created_at))}</time>
            </ProfileRow>
            <ProfileRow label="Last sign-in">
              {user.last_login_at ? (
                <time dateTime={user.last_login_at}>{dateTimeFormat.format(new Date(user.last_login_at))}</time>
              ) : (
                'This is your first'
              )}
            </ProfileRow>
          </dl>
        </section>

        <CourseProgress />
      </div>
    </div>
  );
}

type ProgressSummary = InferResponseType<typeof client.api.v1.users.me.progress.$get, 200>;
type ProgressState = { status: 'loading' } | { status: 'error' } | { status: 'ready'; summary: ProgressSummary };

/** Overall progress per course, from GET /api/v1/users/me/progress. A failure here leaves the rest of the page be. */
function CourseProgress() {
  const [state, setState] = useState<ProgressState>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    withAccessToken((options) => client.api.v1.users.me.progress.$get({}, options))
      .then(async (response) => {
        if (!response) return; // signed out meanwhile: the page is on its way to the sign-in modal
        if (!response.ok) throw new SessionError(response.status);
        const summary = await response.json();
        if (live) setState({ status: 'ready', summary });
      })
      .catch(() => {
        if (live) setState({ status: 'error' });
      });
    return () => {
      live = false;
    };
  }, []);

  return (
    <section
      id="progress"
      aria-labelledby="progress-title"
      className="surface rounded-2xl p-6"
      aria-busy={state.status === 'loading'}
    >
      <h2 id="progress-title" className="text-lg font-semibold text-silver-50">
        Course progress
      </h2>
      {state.status === 'loading' && <p className="mt-3 text-sm text-silver-400">Loading your progress…</p>}
      {state.status === 'error' && (
        <p className="mt-3 text-sm text-silver-300">
          Your progress could not load just now. Reload the page to try again.
        </p>
      )}
      {state.status === 'ready' && state.summary.courses.length === 0 && (
        <p className="mt-3 text-sm text-silver-300">There are no courses yet.</p>
      )}
      {state.status === 'ready' && state.summary.courses.length > 0 && (
        <ul className="mt-4 space-y-6">
          {state.summary.courses.map((course) => (
            <li key={course.slug}>
              <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                <h3 className="font-semibold text-silver-100">{course.title}</h3>
                <p className="text-sm text-silver-400 tabular-nums">
                  {course.completed} of {course.total} lessons · {course.percent}%
                </p>
              </div>
              <div
                role="progressbar"
                aria-label={`${course.title} progress`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={course.percent}
                className="mt-3 h-2 overflow-hidden rounded-full bg-ink-700"
              >
                <div className="bg-silver-gradient h-full rounded-full" style={{ width: `${course.percent}%` }} />
              </div>
              <p className="mt-3 text-sm text-silver-300">
                {course.next_lesson ? (
                  <>
                    Next up: <span className="text-silver-100">{course.next_lesson.title}</span>{' '}
                    <span className="text-silver-400">({course.next_lesson.module_title})</span>
                  </>
                ) : (
                  'Every lesson completed. Well done!'
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
      <a href="/#curriculum" className="btn btn-ghost mt-6">
        Browse the curriculum
      </a>
    </section>
  );
}

function ProfileRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1">
      <dt className="text-silver-400">{label}</dt>
      <dd className="text-silver-100">{children}</dd>
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
