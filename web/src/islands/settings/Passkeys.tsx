import { passkeyNameSchema } from '@aibc/api/shared/passkeys';
import type { InferResponseType } from 'hono/client';
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { client } from '../../lib/api';
import { createPasskey, isPasskeyCancelled, supportsPasskeys } from '../../lib/passkeys';
import { NETWORK_ERROR, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';
import { reloadSessions } from '../../stores/queries';
import { SessionError, tokenRefusedByChallenge, withAccessToken } from '../../stores/session';
import { isStepUpCancelled, withStepUp } from '../../stores/step-up';
import { SettingsCard } from './SettingsCard';

type PasskeyList = InferResponseType<typeof client.api.v1.users.me.passkeys.$get, 200>;
type Passkey = PasskeyList[number];
type ListState = { status: 'loading' } | { status: 'error' } | { status: 'ready'; passkeys: PasskeyList };
type Message = { tone: 'success' | 'danger'; text: string };
type Run = (action: () => Promise<string | undefined>) => Promise<void>;

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const inputClass =
  'w-full rounded-lg border border-ink-600 bg-ink-900 px-3.5 py-2.5 text-silver-50 placeholder:text-silver-500 focus:border-silver-300 focus:outline-none';

// Only a refused token (a 401 with the Bearer challenge) means "refresh and retry"; the step-up 401 is withStepUp's,
// and the routes' other 401s are their own answers.
const authed = { isTokenRefused: tokenRefusedByChallenge };

/**
 * Passkeys (GET/POST/PATCH/DELETE /users/me/passkeys): add one with a name, rename, remove. Adding and removing need
 * a recent step-up: every change goes through `withStepUp` (stores/step-up.ts), so a 401 `reauthentication_required`
 * opens the one "Confirm it's you" dialog with the methods the API offers (the password, an authenticator or
 * recovery code, a passkey, a provider) and the change is made once more after it.
 */
export function Passkeys() {
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [message, setMessage] = useState<Message>();
  const status = useRef<HTMLParagraphElement>(null);
  const supported = useSupported();

  const load = useCallback(async () => {
    const response = await withAccessToken((options) => client.api.v1.users.me.passkeys.$get({}, options), authed);
    if (!response) return;
    if (!response.ok) throw new SessionError(response.status);
    setState({ status: 'ready', passkeys: await response.json() });
  }, []);

  useEffect(() => {
    load().catch(() => setState({ status: 'error' }));
  }, [load]);

  useEffect(() => {
    if (message) status.current?.focus();
  }, [message]);

  // Runs an action and reloads the list. A cancelled step-up or passkey prompt is the visitor's choice: no message.
  const run = useCallback<Run>(
    async (action) => {
      setMessage(undefined);
      try {
        const done = await action();
        await load().catch(() => {});
        if (done) setMessage({ tone: 'success', text: done });
      } catch (error) {
        if (isStepUpCancelled(error) || isPasskeyCancelled(error)) return;
        setMessage({ tone: 'danger', text: describeError(error) });
      }
    },
    [load],
  );

  const passkeys = state.status === 'ready' ? state.passkeys : [];

  return (
    <SettingsCard
      titleId="passkeys-title"
      title="Passkeys"
      description="Sign in with your fingerprint, face or screen lock instead of a password. Adding or removing one signs out your other devices."
      busy={state.status === 'loading'}
    >
      {message && (
        <p
          ref={status}
          tabIndex={-1}
          role={message.tone === 'danger' ? 'alert' : 'status'}
          className={`mt-4 text-sm ${message.tone === 'danger' ? 'text-danger' : 'text-success'}`}
        >
          {message.text}
        </p>
      )}
      {state.status === 'error' && (
        <p role="alert" className="mt-4 text-sm text-danger">
          Your passkeys could not be loaded. Reload the page to try again.
        </p>
      )}
      {passkeys.length > 0 && (
        <ul className="mt-5 divide-y divide-ink-700 border-y border-ink-700">
          {passkeys.map((passkey) => (
            <PasskeyRow key={passkey.id} passkey={passkey} run={run} />
          ))}
        </ul>
      )}
      {state.status === 'ready' && passkeys.length === 0 && (
        <p className="mt-4 text-sm text-silver-300">You have no passkeys yet.</p>
      )}
      {supported ? (
        <AddPasskey run={run} />
      ) : (
        <p className="mt-4 text-sm text-silver-400">This browser cannot use passkeys.</p>
      )}
    </SettingsCard>
  );
}

function useSupported() {
  const [supported, setSupported] = useState(true);
  useEffect(() => setSupported(supportsPasskeys()), []);
  return supported;
}

function describeError(error: unknown) {
  if (error instanceof SessionError) return UNEXPECTED_ERROR;
  if (error instanceof TypeError) return NETWORK_ERROR;
  if (error instanceof Error && error.message) return error.message;
  return UNEXPECTED_ERROR;
}

/** A route's refusal as an error to show. A second step-up challenge right after a confirmed one lands here too. */
async function failWith(response: Response): Promise<never> {
  if (response.status >= 500) throw new SessionError(response.status);
  const problem = await readProblem(response);
  throw new Error(problem.errors?.[0]?.message ?? problem.detail);
}

function AddPasskey({ run }: { run: Run }) {
  const id = useId();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  // 'confirming' while the API is asked (and the step-up dialog may be open over the page), 'device' while the
  // browser's passkey prompt is.
  const [busy, setBusy] = useState<'confirming' | 'device'>();

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const parsed = passkeyNameSchema.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message);
      return;
    }
    setError(undefined);
    setBusy('confirming');
    await run(async () => {
      const started = await withStepUp((options) => client.api.v1.users.me.passkeys.options.$post({}, options), authed);
      if (!started) return undefined;
      if (!started.ok) return failWith(started);
      setBusy('device');
      const response = await createPasskey(await started.json());
      setBusy('confirming');
      // The step-up may have aged out while the browser's prompt was open: then the dialog asks again.
      const added = await withStepUp(
        (options) => client.api.v1.users.me.passkeys.$post({ json: { name: parsed.data, response } }, options),
        authed,
      );
      if (!added) return undefined;
      if (added.status !== 201) return failWith(added);
      setName('');
      reloadSessions();
      return `Passkey "${parsed.data}" added. Your other devices were signed out.`;
    });
    setBusy(undefined);
  }

  return (
    <form noValidate onSubmit={onSubmit} className="mt-5 flex flex-col gap-3 sm:flex-row sm:items-start">
      <div className="flex-1">
        <label htmlFor={`${id}-name`} className="sr-only">
          Name for the new passkey
        </label>
        <input
          id={`${id}-name`}
          className={inputClass}
          placeholder="Name it, e.g. “MacBook Touch ID”"
          value={name}
          maxLength={64}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => setName(event.target.value)}
        />
        {error && (
          <p id={`${id}-error`} className="mt-1.5 text-sm text-danger">
            {error}
          </p>
        )}
      </div>
      <button type="submit" className="btn btn-primary w-full sm:w-auto" aria-disabled={busy ? true : undefined}>
        {busy === 'device' ? 'Waiting for your device…' : 'Add a passkey'}
      </button>
    </form>
  );
}

function PasskeyRow({ passkey, run }: { passkey: Passkey; run: Run }) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(passkey.name);
  const [error, setError] = useState<string>();

  async function rename(event: FormEvent) {
    event.preventDefault();
    const parsed = passkeyNameSchema.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message);
      return;
    }
    setError(undefined);
    await run(async () => {
      const response = await withStepUp(
        (options) =>
          client.api.v1.users.me.passkeys[':id'].$patch(
            { param: { id: passkey.id }, json: { name: parsed.data } },
            options,
          ),
        authed,
      );
      if (!response) return undefined;
      if (!response.ok) return failWith(response);
      setEditing(false);
      return `Renamed to "${parsed.data}".`;
    });
  }

  function remove() {
    return run(async () => {
      const response = await withStepUp(
        (options) => client.api.v1.users.me.passkeys[':id'].$delete({ param: { id: passkey.id } }, options),
        authed,
      );
      if (!response) return undefined;
      if (response.status !== 204) return failWith(response);
      reloadSessions();
      return `Passkey "${passkey.name}" removed. Your other devices were signed out.`;
    });
  }

  return (
    <li className="flex flex-col gap-3 py-4 sm:flex-row sm:items-center sm:justify-between">
      {editing ? (
        <form noValidate onSubmit={rename} className="flex flex-1 flex-col gap-2 sm:flex-row sm:items-start">
          <div className="flex-1">
            <label htmlFor={`${id}-rename`} className="sr-only">
              New name for {passkey.name}
            </label>
            <input
              id={`${id}-rename`}
              className={inputClass}
              value={name}
              maxLength={64}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(event) => setName(event.target.value)}
              // biome-ignore lint/a11y/noAutofocus: the field the visitor just asked to edit
              autoFocus
            />
            {error && (
              <p id={`${id}-error`} className="mt-1.5 text-sm text-danger">
                {error}
              </p>
            )}
          </div>
          <div className="flex gap-2">
            <button type="submit" className="btn btn-primary flex-1 sm:flex-none">
              Save
            </button>
            <button
              type="button"
              className="btn btn-ghost flex-1 sm:flex-none"
              onClick={() => {
                setEditing(false);
                setName(passkey.name);
                setError(undefined);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <div className="min-w-0">
            <p className="truncate font-medium text-silver-50">{passkey.name}</p>
            <p className="mt-0.5 text-sm text-silver-400">
              Added <time dateTime={passkey.created_at}>{dateFormat.format(new Date(passkey.created_at))}</time>
              {' · '}
              {passkey.last_used_at ? (
                <>
                  last used{' '}
                  <time dateTime={passkey.last_used_at}>{dateFormat.format(new Date(passkey.last_used_at))}</time>
                </>
              ) : (
                'never used'
              )}
              {passkey.backed_up && ' · synced'}
            </p>
          </div>
          <div className="flex gap-2">
            <button
              type="button"
              className="btn btn-ghost flex-1 sm:flex-none"
              aria-label={`Rename ${passkey.name}`}
              onClick={() => setEditing(true)}
            >
              Rename
            </button>
            <button
              type="button"
              className="btn btn-ghost flex-1 sm:flex-none"
              aria-label={`Remove ${passkey.name}`}
              onClick={() => void remove()}
            >
              Remove
            </button>
          </div>
        </>
      )}
    </li>
  );
}
