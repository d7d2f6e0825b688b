import type { StepUpMethod } from '@aibc/api/shared/problem';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { getPasskeyAssertion, isPasskeyCancelled, supportsPasskeys } from '../../lib/passkeys';
import { NETWORK_ERROR, rateLimitedMessage, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';
import { finishMfaSignIn, finishMfaSignInWithPasskey } from '../../stores/session';
import { FormAlert, SubmitButton } from './fields';
import { PasskeyIcon } from './PasskeyIcon';

export const MFA_PASSKEY_REFUSED = 'That passkey was not accepted. Try it again, or enter a code instead.';
export const MFA_PASSKEY_CANCELLED = 'No passkey was used. Try again, or enter a code instead.';
export const MFA_NO_PASSKEY = 'This account has no passkey yet. Enter a code instead.';
export const MFA_CHALLENGE_EXPIRED = 'This sign-in has timed out. Choose "Start over" and sign in again.';

/**
 * The sign-in's second step: a code from the authenticator app, a recovery code, or one of the account's passkeys.
 * `mfaToken` is the token of the 403 `mfa_required` answer; without one (after a Google or GitHub sign-in) the
 * HttpOnly mfa cookie stands in for it. `methods` are that answer's: the passkey is offered when they include
 * `webauthn`. After a provider sign-in there are none to go by, so it is offered whenever the browser can use
 * passkeys, and an account without one is told so.
 */
export function MfaStep({
  mfaToken,
  methods,
  onRestart,
}: {
  mfaToken?: string;
  methods?: readonly StepUpMethod[];
  onRestart: () => void;
}) {
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [alert, setAlert] = useState<string | null>(null);
  // What is running: a code being checked, or the passkey's prompt and its check. One at a time.
  const [busy, setBusy] = useState<'code' | 'passkey' | null>(null);
  const running = useRef(false);
  const [passkeysSupported, setPasskeysSupported] = useState(false);
  const [noPasskey, setNoPasskey] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves to the field whenever its kind changes
  useEffect(() => input.current?.focus(), [useRecovery]);
  useEffect(() => setPasskeysSupported(supportsPasskeys()), []);

  const offerPasskey = passkeysSupported && !noPasskey && (methods ? methods.includes('webauthn') : true);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (running.current) return;
    running.current = true;
    setAlert(null);
    setBusy('code');
    try {
      const token = mfaToken ? { mfa_token: mfaToken } : {};
      const response = await finishMfaSignIn(
        useRecovery ? { ...token, recovery_code: value.trim() } : { ...token, totp: value.replace(/\s/g, '') },
      );
      if (response.ok) {
        window.location.assign('/dashboard');
        return; // stays busy until the page goes
      }
      const problem = await readProblem(response);
      setAlert(
        problem.code === 'mfa_invalid'
          ? 'That code did not work. Try the current code, or sign in again if this keeps happening.'
          : (problem.detail ?? UNEXPECTED_ERROR),
      );
      setValue('');
      input.current?.focus();
    } catch {
      setAlert(NETWORK_ERROR);
    }
    running.current = false;
    setBusy(null);
  };

  // The passkey: its options, the browser's prompt, the check. Focus stays on the button (aria-disabled, not
  // disabled, while it runs), where the visitor can try again; the alert says what happened.
  const verifyWithPasskey = async () => {
    if (running.current) return;
    running.current = true;
    setAlert(null);
    setBusy('passkey');
    try {
      const { stage, response } = await finishMfaSignInWithPasskey(mfaToken, (options) => getPasskeyAssertion(options));
      if (response.ok) {
        window.location.assign('/dashboard');
        return; // stays busy until the page goes
      }
      if (stage === 'options' && response.status === 404) {
        // No passkey on this account (possible after a provider sign-in, which names no methods): the button goes,
        // so focus goes to the code field.
        setNoPasskey(true);
        setAlert(MFA_NO_PASSKEY);
        input.current?.focus();
      } else if (response.status === 401) {
        setAlert(stage === 'options' ? MFA_CHALLENGE_EXPIRED : MFA_PASSKEY_REFUSED);
      } else if (response.status === 429) {
        setAlert(rateLimitedMessage(response));
      } else {
        setAlert((await readProblem(response)).detail ?? UNEXPECTED_ERROR);
      }
    } catch (error) {
      setAlert(
        isPasskeyCancelled(error)
          ? MFA_PASSKEY_CANCELLED
          : error instanceof TypeError
            ? NETWORK_ERROR
            : MFA_PASSKEY_REFUSED,
      );
    }
    running.current = false;
    setBusy(null);
  };

  return (
    <form noValidate onSubmit={submit} className="space-y-5" aria-labelledby="mfa-step-title">
      <div>
        <p id="mfa-step-title" className="font-semibold text-silver-50">
          Two-factor authentication
        </p>
        <p className="mt-1 text-sm text-silver-400">
          {useRecovery
            ? 'Enter one of your recovery codes. Each works once.'
            : 'Enter the 6-digit code from your authenticator app.'}
        </p>
      </div>
      {alert && <FormAlert>{alert}</FormAlert>}
      <div>
        <label htmlFor="mfa-code" className="block text-sm font-medium text-silver-200">
          {useRecovery ? 'Recovery code' : 'Authentication code'}
        </label>
        <input
          ref={input}
          id="mfa-code"
          name={useRecovery ? 'recovery_code' : 'totp'}
          className="mt-1.5 block w-full rounded-lg border border-ink-600 bg-ink-900 px-3 py-2.5 font-mono text-base tracking-widest text-silver-50 hover:border-silver-700 focus:border-silver-400 sm:text-sm"
          inputMode={useRecovery ? 'text' : 'numeric'}
          autoComplete="one-time-code"
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
      </div>
      <SubmitButton busy={busy === 'code'} label="Verify" busyLabel="Verifying…" />
      {offerPasskey && (
        <div className="space-y-3">
          <div className="flex items-center gap-3 text-xs tracking-wide text-silver-500 uppercase" aria-hidden="true">
            <span className="h-px flex-1 bg-ink-700" />
            or
            <span className="h-px flex-1 bg-ink-700" />
          </div>
          <button
            type="button"
            className="btn btn-ghost w-full py-2.5 text-base"
            aria-disabled={busy !== null || undefined}
            aria-busy={busy === 'passkey' || undefined}
            onClick={() => void verifyWithPasskey()}
          >
            <PasskeyIcon />
            {busy === 'passkey' ? 'Waiting for your passkey…' : 'Use a passkey'}
          </button>
        </div>
      )}
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <button
          type="button"
          className="text-silver-300 underline-offset-4 hover:text-silver-50 hover:underline"
          onClick={() => {
            setUseRecovery(!useRecovery);
            setValue('');
            setAlert(null);
          }}
        >
          {useRecovery ? 'Use the authenticator app' : 'Use a recovery code'}
        </button>
        <button
          type="button"
          className="text-silver-300 underline-offset-4 hover:text-silver-50 hover:underline"
          onClick={onRestart}
        >
          Start over
        </button>
      </div>
    </form>
  );
}
