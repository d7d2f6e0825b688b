import { passkeyNameSchema } from '@aibc/api/shared/passkeys';
import type { InferResponseType } from 'hono/client';
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { client } from '../../lib/api';
import { createPasskey, getPasskeyAssertion, isPasskeyCancelled, supportsPasskeys } from '../../lib/passkeys';
import { NETWORK_ERROR, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';
import { SessionError, tokenRefusedByChallenge, withAccessToken } from '../../stores/session';

type PasskeyList = InferResponseType<typeof client.api.v1.users.me.passkeys.$get, 200>;
type Passkey = PasskeyList[number];
type ListState = { status: 'loading' } | { status: 'error' } | { status: 'ready'; passkeys: PasskeyList };
type Message = { tone: 'success' | 'danger'; text: string };

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const inputClass =
  'w-full rounded-lg border border-ink-600 bg-ink-900 px-3.5 py-2.5 text-silver-50 placeholder:text-silver-500 focus:border-silver-300 focus:outline-none';

/** A call that needs a recent step-up answered `reauthentication_required`: confirm it's you, then try again. */
class StepUpNeeded extends Error {
  constructor(readonly methods: string[]) {
    super('step-up needed');
  }
}

async function stepUpProblem(response: Response) {
  if (response.status !== 401) return undefined;
  const problem = await readProblem(response.clone());
  return problem.code === 'reauthentication_required' ? new StepUpNeeded(problem.methods ?? ['password']) : undefined;
}

// Only a refused token means "refresh and retry": a 401 whose challenge is not RFC 9470's step-up. The step-up 401
// (`error="insufficient_user_authentication"`) and a wrong password (no challenge) are the route's own answers.
const tokenRefused = (response: Response) =>
  tokenRefusedByChallenge(response) &&
  !(response.headers.get('WWW-Authenticate') ?? '').includes('insufficient_user_authentication');

const authed = <R extends Response>(call: Parameters<typeof withAccessToken<R>>[0]) =>
  withAccessToken(call, { isTokenRefused: tokenRefused });

/**
 * Passkeys (GET/POST/PATCH/DELETE /users/me/passkeys): add one with a name, rename, remove. Adding and removing need
 * a recent step-up; the section asks for it in place (password or an existing passkey) and goes on.
 */
export function Passkeys() {
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [message, setMessage] = useState<Message>();
  const [stepUp, setStepUp] = useState<{ methods: string[]; retry: () => Promise<void> }>();
  const status = useRef<HTMLParagraphElement>(null);
  const supported = useSupported();

  const load = useCallback(async () => {
    const response = await authed((options) => client.api.v1.users.me.passkeys.$get({}, options));
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

  // Runs an action; a step-up answer opens the confirm panel, which runs the action again once confirmed.
  const run = useCallback(
    async (action: () => Promise<string | undefined>) => {
      setMessage(undefined);
      try {
        const done = await action();
        await load().catch(() => {});
        if (done) setMessage({ tone: 'success', text: done });
      } catch (error) {
        if (error instanceof StepUpNeeded) {
          setStepUp({ methods: error.methods, retry: () => run(action) });
          return;
        }
        if (isPasskeyCancelled(error)) return;
        setMessage({ tone: 'danger', text: describeError(error) });
      }
    },
    [load],
  );

  const passkeys = state.status === 'ready' ? state.passkeys : [];

  return (
    <section
      aria-labelledby="passkeys-title"
      aria-busy={state.status === 'loading'}
      className="surface rounded-2xl p-6"
    >
      <h2 id="passkeys-title" className="text-lg font-semibold text-silver-50">
        Passkeys
      </h2>
      <p className="mt-1.5 text-sm text-silver-400">
        Sign in with your fingerprint, face or screen lock instead of a password. Adding or removing one signs out your
        other devices.
      </p>
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
      {stepUp && (
        <ConfirmIt
          methods={stepUp.methods}
          onCancel={() => setStepUp(undefined)}
          onConfirmed={() => {
            const { retry } = stepUp;
            setStepUp(undefined);
            void retry();
          }}
        />
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
    </section>
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

async function failWith(response: Response): Promise<never> {
  const stepUp = await stepUpProblem(response);
  if (stepUp) throw stepUp;
  if (response.status >= 500) throw new SessionError(response.status);
  const problem = await readProblem(response);
  throw new Error(problem.errors?.[0]?.message ?? problem.detail);
}

function AddPasskey({ run }: { run: (action: () => Promise<string | undefined>) => Promise<void> }) {
  const id = useId();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const parsed = passkeyNameSchema.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message);
      return;
    }
    setError(undefined);
    setBusy(true);
    await run(async () => {
      const started = await authed((options) => client.api.v1.users.me.passkeys.options.$post({}, options));
      if (!started) return undefined;
      if (!started.ok) return failWith(started);
      const response = await createPasskey(await started.json());
      const added = await authed((options) =>
        client.api.v1.users.me.passkeys.$post({ json: { name: parsed.data, response } }, options),
      );
      if (!added) return undefined;
      if (added.status !== 201) return failWith(added);
      setName('');
      return `Passkey "${parsed.data}" added. Your other devices were signed out.`;
    });
    setBusy(false);
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
      <button type="submit" className="btn btn-primary w-full sm:w-auto" aria-disabled={busy || undefined}>
        {busy ? 'Waiting for your device…' : 'Add a passkey'}
      </button>
    </form>
  );
}

function PasskeyRow({
  passkey,
  run,
}: {
  passkey: Passkey;
  run: (action: () => Promise<string | undefined>) => Promise<void>;
}) {
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
      const response = await authed((options) =>
        client.api.v1.users.me.passkeys[':id'].$patch(
          { param: { id: passkey.id }, json: { name: parsed.data } },
          options,
        ),
      );
      if (!response) return undefined;
      if (!response.ok) return failWith(response);
      setEditing(false);
      return `Renamed to "${parsed.data}".`;
    });
  }

  function remove() {
    return run(async () => {
      const response = await authed((options) =>
        client.api.v1.users.me.passkeys[':id'].$delete({ param: { id: passkey.id } }, options),
      );
      if (!response) return undefined;
      if (response.status !== 204) return failWith(response);
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

/** "Confirm it's you" in place: the password, or one of the account's passkeys (POST /auth/reauthenticate). */
function ConfirmIt({
  methods,
  onConfirmed,
  onCancel,
}: {
  methods: string[];
  onConfirmed: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function prove(proof: () => Promise<Response | undefined>) {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const response = await proof();
      if (!response) return;
      if (response.status === 204) {
        onConfirmed();
        return;
      }
      const problem = await readProblem(response);
      setError(response.status === 401 ? problem.detail : (problem.errors?.[0]?.message ?? problem.detail));
    } catch (caught) {
      if (!isPasskeyCancelled(caught)) setError(caught instanceof TypeError ? NETWORK_ERROR : UNEXPECTED_ERROR);
    } finally {
      setBusy(false);
    }
  }

  const withPassword = (event: FormEvent) => {
    event.preventDefault();
    void prove(() => authed((options) => client.api.v1.auth.reauthenticate.$post({ json: { password } }, options)));
  };

  const withPasskey = () =>
    prove(async () => {
      const started = await authed((options) => client.api.v1.auth.reauthenticate.webauthn.options.$post({}, options));
      if (!started?.ok) return started;
      const webauthn = await getPasskeyAssertion(await started.json());
      return authed((options) => client.api.v1.auth.reauthenticate.$post({ json: { webauthn } }, options));
    });

  return (
    <section aria-labelledby={`${id}-title`} className="mt-4 rounded-xl border border-ink-600 bg-ink-900/60 p-4">
      <p id={`${id}-title`} className="font-medium text-silver-50">
        Confirm it's you
      </p>
      <p className="mt-1 text-sm text-silver-400">Changing your passkeys needs a recent sign-in.</p>
      {error && (
        <p role="alert" className="mt-2 text-sm text-danger">
          {error}
        </p>
      )}
      {methods.includes('password') && (
        <form noValidate onSubmit={withPassword} className="mt-3 flex flex-col gap-2 sm:flex-row">
          <label htmlFor={`${id}-password`} className="sr-only">
            Password
          </label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="current-password"
            placeholder="Your password"
            className={`${inputClass} sm:flex-1`}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            // biome-ignore lint/a11y/noAutofocus: the panel opened for exactly this field
            autoFocus
          />
          <button type="submit" className="btn btn-primary" aria-disabled={busy || undefined}>
            Confirm
          </button>
        </form>
      )}
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        {methods.includes('webauthn') && (
          <button type="button" className="btn btn-ghost" onClick={() => void withPasskey()}>
            Use a passkey
          </button>
        )}
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
