import { type FormEvent, useEffect, useRef, useState } from 'react';
import { NETWORK_ERROR, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';
import { finishMfaSignIn } from '../../stores/session';
import { FormAlert, SubmitButton } from './fields';

/**
 * The sign-in's second step: a code from the authenticator app, or a recovery code. `mfaToken` is the token of the
 * 403 `mfa_required` answer; without one (after a Google or GitHub sign-in) the HttpOnly mfa cookie stands in for it.
 */
export function MfaStep({ mfaToken, onRestart }: { mfaToken?: string; onRestart: () => void }) {
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves to the field whenever its kind changes
  useEffect(() => input.current?.focus(), [useRecovery]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setAlert(null);
    setBusy(true);
    try {
      const token = mfaToken ? { mfa_token: mfaToken } : {};
      const response = await finishMfaSignIn(
        useRecovery ? { ...token, recovery_code: value.trim() } : { ...token, totp: value.replace(/\s/g, '') },
      );
      if (response.ok) {
        window.location.assign('/dashboard');
        return;
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
    } finally {
      setBusy(false);
    }
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
      <SubmitButton busy={busy} label="Verify" busyLabel="Verifying…" />
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
