import { useStore } from '@nanostores/react';
import { useState } from 'react';
import { client } from '../../lib/api';
import { NETWORK_ERROR, UNEXPECTED_ERROR } from '../../lib/problems';
import { $sessions, reloadSessions, type SessionList } from '../../stores/queries';
import { SessionError, withAccessToken } from '../../stores/session';
import { useStatusMessage } from './status-message';

type DeviceSession = SessionList[number];

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "just now", "5 minutes ago", "yesterday"; the exact time is in the element's title and datetime. */
function ago(iso: string, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (seconds > -60) return 'just now';
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86_400],
  ];
  let chosen: [Intl.RelativeTimeFormatUnit, number] = ['minute', 60];
  for (const unit of units) if (-seconds >= unit[1]) chosen = unit;
  return relativeFormat.format(Math.round(seconds / chosen[1]), chosen[0]);
}

function Time({ iso, relative = false }: { iso: string; relative?: boolean }) {
  const exact = dateTimeFormat.format(new Date(iso));
  return (
    <time dateTime={iso} title={relative ? exact : undefined}>
      {relative ? ago(iso) : exact}
    </time>
  );
}

/**
 * The live sessions (GET /users/me/sessions): one row per signed-in device, this one marked. Other sessions can
 * be ended one by one or all at once; this device signs out the usual way. Whatever else ends sessions (a password
 * change, a passkey added or removed, two-factor turned on or off) asks the shared store to reload the list.
 */
export function AccountSessions({ onSignOut }: { onSignOut: () => Promise<void> }) {
  const query = useStore($sessions);
  const [pending, setPending] = useState<string | 'others'>();
  const { setMessage, statusLine } = useStatusMessage();

  async function end(target: DeviceSession | 'others') {
    if (pending) return;
    setPending(target === 'others' ? 'others' : target.id);
    setMessage(undefined);
    try {
      const response =
        target === 'others'
          ? await withAccessToken((options) => client.api.v1.users.me.sessions.$delete({}, options))
          : await withAccessToken((options) =>
              client.api.v1.users.me.sessions[':id'].$delete({ param: { id: target.id } }, options),
            );
      if (!response) return;
      // 404: that session had already ended (expired, or signed out elsewhere) — the outcome the visitor wanted.
      if (response.status !== 204 && response.status !== 404) throw new SessionError(response.status);
      // The list and the words change together; a failed reload leaves the old list, the deed is done either way.
      reloadSessions();
      await $sessions.get().promise?.catch(() => {});
      setMessage({
        tone: 'success',
        text: target === 'others' ? 'Every other device was signed out.' : `Signed out ${target.device}.`,
      });
    } catch (error) {
      setMessage({ tone: 'danger', text: error instanceof SessionError ? UNEXPECTED_ERROR : NETWORK_ERROR });
    } finally {
      setPending(undefined);
    }
  }

  // A reload keeps the list on screen; only a first load shows "loading", and only a failed first load the error.
  const loaded = query.data;
  const firstLoad = !loaded && !query.error;
  const sessions = loaded ?? [];
  const others = sessions.filter((session) => !session.current).length;

  return (
    <section aria-labelledby="sessions-title" aria-busy={firstLoad} className="surface rounded-2xl p-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="sessions-title" className="text-lg font-semibold text-silver-50">
            Where you're signed in
          </h2>
          <p className="mt-1.5 text-sm text-silver-400">
            Don't recognise a device? Sign it out, then change your password.
          </p>
        </div>
        {others > 0 && (
          <button
            type="button"
            className="btn btn-ghost w-full sm:w-auto"
            onClick={() => end('others')}
            aria-disabled={pending !== undefined || undefined}
          >
            {pending === 'others' ? 'Signing out…' : 'Sign out everywhere else'}
          </button>
        )}
      </div>

      {statusLine}

      {firstLoad && <p className="mt-4 text-sm text-silver-400">Loading your sessions…</p>}
      {!loaded && query.error !== undefined && (
        <p className="mt-4 text-sm text-silver-300">
          Your sessions could not load just now. Reload the page to try again.
        </p>
      )}
      {loaded && (
        <ul className="mt-4 divide-y divide-ink-700 border-t border-ink-700" aria-label="Signed-in devices">
          {sessions.map((session) => (
            <li
              key={session.id}
              data-session-id={session.id}
              className="flex flex-col gap-3 py-4 sm:flex-row sm:items-center sm:justify-between"
            >
              <div className="min-w-0 sm:flex-1">
                <p className="flex flex-wrap items-center gap-2 font-medium text-silver-100">
                  <span className="break-words">{session.device}</span>
                  {session.current && (
                    <span className="rounded-full border border-success/40 bg-success/10 px-2 py-0.5 text-xs font-semibold text-success">
                      This device
                    </span>
                  )}
                </p>
                <dl className="mt-1.5 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-sm">
                  <dt className="text-silver-400">IP address</dt>
                  <dd className="break-all text-silver-200">{session.ip_address ?? 'Unknown'}</dd>
                  <dt className="text-silver-400">Signed in</dt>
                  <dd className="text-silver-200">
                    <Time iso={session.created_at} />
                  </dd>
                  <dt className="text-silver-400">Last active</dt>
                  <dd className="text-silver-200">
                    {session.current ? 'Now' : <Time iso={session.last_used_at} relative />}
                  </dd>
                </dl>
              </div>
              {session.current ? (
                <button
                  type="button"
                  className="btn btn-ghost w-full shrink-0 sm:w-auto"
                  onClick={() =>
                    onSignOut().catch(() =>
                      setMessage({ tone: 'danger', text: `${NETWORK_ERROR} You are still signed in.` }),
                    )
                  }
                >
                  Sign out here<span className="sr-only"> (this device)</span>
                </button>
              ) : (
                <button
                  type="button"
                  className="btn btn-ghost w-full shrink-0 sm:w-auto"
                  onClick={() => end(session)}
                  aria-disabled={pending !== undefined || undefined}
                >
                  {pending === session.id ? 'Signing out…' : 'Sign out'}
                  <span className="sr-only">
                    {' '}
                    {session.device}, signed in <Time iso={session.created_at} />
                  </span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
