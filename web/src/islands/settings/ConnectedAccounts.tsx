import type { OAuthLink } from '@aibc/api/shared/oauth';
import { useCallback, useEffect, useRef, useState } from 'react';
import { client } from '../../lib/api';
import { authErrorMessage, takeAuthError } from '../../lib/auth-errors';
import { hereWith, loadProviders, type OAuthProviderId, PROVIDER_NAMES, startAccountFlow } from '../../lib/oauth';
import { NETWORK_ERROR, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';
import { SessionError, withAccessToken } from '../../stores/session';
import { isStepUpCancelled, withStepUp } from '../../stores/step-up';
import { ProviderIcon } from '../oauth/ProviderIcon';
import { SettingsCard } from './SettingsCard';

/*
 * Connected accounts (GET /users/me/oauth): Google and GitHub sign-in linked to this account. Connecting and
 * disconnecting need a recent step-up, which `withStepUp` asks for. Connecting leaves for the provider and comes
 * back here with `?connected=<provider>`; a failure comes back through `/?auth_error=<code>` (AuthModals sends a
 * signed-in visitor here with it), and both are said in this section.
 */

const CONNECTED_PARAM = 'connected';

type Row = { provider: OAuthProviderId; name: string; link?: OAuthLink };
type ListState = { status: 'loading' } | { status: 'error' } | { status: 'ready'; rows: Row[] };
type Message = { tone: 'success' | 'danger'; text: string };

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const LAST_SIGN_IN_METHOD = (name: string) =>
  `${name} is the only way into your account, so it stays connected. To disconnect it, first add another way in: ` +
  'connect another provider, or set a password with "Forgot password?" on the sign-in form (we email you a link).';

function isProvider(value: string | null): value is OAuthProviderId {
  return value === 'google' || value === 'github';
}

/** Reads `?connected=` once and takes it out of the address. */
function takeConnected(): OAuthProviderId | undefined {
  const url = new URL(window.location.href);
  const value = url.searchParams.get(CONNECTED_PARAM);
  if (value === null) return undefined;
  url.searchParams.delete(CONNECTED_PARAM);
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return isProvider(value) ? value : undefined;
}

export function ConnectedAccounts() {
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [pending, setPending] = useState<OAuthProviderId>();
  const [message, setMessage] = useState<Message>();
  const status = useRef<HTMLParagraphElement>(null);

  const load = useCallback(async () => {
    const [providers, response] = await Promise.all([
      loadProviders(),
      withAccessToken((options) => client.api.v1.users.me.oauth.$get({}, options)),
    ]);
    if (!response) return; // signed out meanwhile: the page is on its way to the sign-in modal
    if (!response.ok) throw new SessionError(response.status);
    const links = await response.json();
    // Every configured provider, connected or not; and a link to a provider this server no longer offers, so it
    // can still be seen and disconnected.
    const rows: Row[] = providers.map((provider) => ({
      provider: provider.id,
      name: provider.name,
      link: links.find((link) => link.provider === provider.id),
    }));
    for (const link of links) {
      if (!rows.some((row) => row.provider === link.provider)) {
        rows.push({ provider: link.provider, name: PROVIDER_NAMES[link.provider], link });
      }
    }
    setState({ status: 'ready', rows });
  }, []);

  useEffect(() => {
    const connected = takeConnected();
    const authError = takeAuthError();
    if (connected) setMessage({ tone: 'success', text: `${PROVIDER_NAMES[connected]} is connected.` });
    else if (authError) setMessage({ tone: 'danger', text: authErrorMessage(authError) });
    load().catch(() => setState({ status: 'error' }));
  }, [load]);

  // The button that had focus may change or go: focus goes to the outcome instead.
  useEffect(() => {
    if (message) status.current?.focus();
  }, [message]);

  async function connect(row: Row) {
    if (pending) return;
    setPending(row.provider);
    setMessage(undefined);
    try {
      const returnTo = hereWith({ [CONNECTED_PARAM]: row.provider });
      const response = await withStepUp((options) => startAccountFlow(options, row.provider, 'link', returnTo));
      if (!response) return;
      if (response.status === 200) {
        const { authorization_url } = await response.json();
        window.location.assign(authorization_url);
        return; // stays pending until the page goes
      }
      if (response.status === 409) {
        await load().catch(() => {});
        setMessage({ tone: 'success', text: `${row.name} is already connected.` });
      } else if (response.status === 503) {
        setMessage({ tone: 'danger', text: `${row.name} can't be reached right now. Try again in a moment.` });
      } else {
        setMessage({ tone: 'danger', text: (await readProblem(response)).detail ?? UNEXPECTED_ERROR });
      }
      setPending(undefined);
    } catch (error) {
      setPending(undefined);
      if (!isStepUpCancelled(error)) setMessage({ tone: 'danger', text: NETWORK_ERROR });
    }
  }

  async function disconnect(row: Row) {
    if (pending) return;
    setPending(row.provider);
    setMessage(undefined);
    try {
      const response = await withStepUp((options) =>
        client.api.v1.users.me.oauth[':provider'].$delete({ param: { provider: row.provider } }, options),
      );
      if (!response) return;
      if (response.status === 204 || response.status === 404) {
        // 404: it was already disconnected (another tab) — the outcome the visitor wanted.
        await load().catch(() => {});
        setMessage({ tone: 'success', text: `${row.name} is disconnected.` });
      } else if (response.status === 409) {
        setMessage({ tone: 'danger', text: LAST_SIGN_IN_METHOD(row.name) });
      } else {
        setMessage({ tone: 'danger', text: (await readProblem(response)).detail ?? UNEXPECTED_ERROR });
      }
    } catch (error) {
      if (!isStepUpCancelled(error)) setMessage({ tone: 'danger', text: NETWORK_ERROR });
    } finally {
      setPending(undefined);
    }
  }

  const rows = state.status === 'ready' ? state.rows : [];

  return (
    <SettingsCard
      titleId="connected-accounts-title"
      title="Connected accounts"
      description="Sign in with Google or GitHub as well as, or instead of, your password."
      busy={state.status === 'loading'}
    >
      <p
        ref={status}
        tabIndex={-1}
        role={message?.tone === 'danger' ? 'alert' : 'status'}
        className={
          message
            ? `mt-4 rounded-lg border px-3.5 py-2.5 text-sm leading-relaxed text-silver-100 focus:outline-none ${
                message.tone === 'success' ? 'border-success/40 bg-success/10' : 'border-danger/40 bg-danger/10'
              }`
            : 'sr-only'
        }
      >
        {message?.text}
      </p>

      {state.status === 'loading' && <p className="mt-4 text-sm text-silver-400">Loading connected accounts…</p>}
      {state.status === 'error' && (
        <p className="mt-4 text-sm text-silver-300">
          Your connected accounts could not load. Reload the page to try again.
        </p>
      )}
      {state.status === 'ready' && rows.length === 0 && (
        <p className="mt-4 text-sm text-silver-300">Signing in with another provider is not set up on this site.</p>
      )}
      {rows.length > 0 && (
        <ul className="mt-4 divide-y divide-ink-700 border-t border-ink-700" aria-label="Sign-in providers">
          {rows.map((row) => (
            <li key={row.provider} className="flex flex-col gap-3 py-4 sm:flex-row sm:items-center sm:justify-between">
              <div className="flex min-w-0 items-start gap-3 sm:flex-1">
                <span className="mt-0.5 grid size-9 shrink-0 place-items-center rounded-lg border border-ink-600 bg-ink-900 text-silver-100">
                  <ProviderIcon provider={row.provider} />
                </span>
                <div className="min-w-0">
                  <p className="font-medium text-silver-100">{row.name}</p>
                  {row.link ? (
                    <p className="mt-0.5 text-sm break-words text-silver-400">
                      {row.link.email ? <>Connected as {row.link.email}</> : 'Connected'}
                      {' · since '}
                      <time dateTime={row.link.linked_at}>{dateFormat.format(new Date(row.link.linked_at))}</time>
                      {' · '}
                      {row.link.last_used_at ? (
                        <>
                          last used{' '}
                          <time dateTime={row.link.last_used_at}>
                            {dateTimeFormat.format(new Date(row.link.last_used_at))}
                          </time>
                        </>
                      ) : (
                        'not used to sign in yet'
                      )}
                    </p>
                  ) : (
                    <p className="mt-0.5 text-sm text-silver-400">Not connected</p>
                  )}
                </div>
              </div>
              <button
                type="button"
                className="btn btn-ghost w-full shrink-0 sm:w-auto"
                aria-disabled={pending !== undefined || undefined}
                onClick={() => (row.link ? disconnect(row) : connect(row))}
              >
                {pending === row.provider
                  ? row.link
                    ? 'Disconnecting…'
                    : 'Connecting…'
                  : row.link
                    ? 'Disconnect'
                    : 'Connect'}
                <span className="sr-only"> {row.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </SettingsCard>
  );
}
