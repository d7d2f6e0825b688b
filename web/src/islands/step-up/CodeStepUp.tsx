import { type ReactNode, useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { lockedMessage, NETWORK_ERROR } from '../../lib/problems';
import { reauthenticate } from '../../stores/step-up';
import { FormAlert, SubmitButton, TextField } from '../auth/fields';
import { showProblem } from '../auth/server-errors';
import { useGuardedSubmit } from '../auth/use-guarded-submit';
import type { StepUpMethodViewProps } from './methods';

export const STEP_UP_CODE_INCORRECT = 'That code did not work. Check it and try again.';

const COPY = {
  totp: {
    label: 'Code from your authenticator app',
    hint: 'Enter the 6-digit code your app shows now.',
    required: 'Enter the 6-digit code',
  },
  recovery_code: {
    label: 'Recovery code',
    hint: 'Enter one of your saved recovery codes. It is used up once accepted.',
    required: 'Enter a recovery code',
  },
} as const;

/**
 * Step up with a second factor (an account with MFA, where the password alone answers 401 `mfa_required`):
 * POST /auth/reauthenticate `{totp}` or `{recovery_code}`. A wrong code is a 401 `mfa_invalid`, and counts toward
 * the account's MFA lockout, so the field is emptied rather than kept for another try of the same code.
 */
export function CodeStepUp({
  kind,
  onConfirmed,
  onSignedOut,
  idPrefix,
}: StepUpMethodViewProps & { kind: keyof typeof COPY }) {
  const {
    register,
    handleSubmit,
    setError,
    setFocus,
    resetField,
    formState: { errors },
  } = useForm({ mode: 'onSubmit', defaultValues: { code: '' } });
  const [alert, setAlert] = useState<ReactNode>(null);
  const copy = COPY[kind];
  const id = `${idPrefix}-code`;

  useEffect(() => setFocus('code'), [setFocus]);

  const { busy, onSubmit } = useGuardedSubmit(async (event) => {
    setAlert(null);
    let outcome: 'leaving' | undefined;
    await handleSubmit(async ({ code }) => {
      try {
        const response = await reauthenticate(
          kind === 'totp' ? { totp: code.replace(/\s/g, '') } : { recovery_code: code.trim() },
        );
        if (!response) {
          onSignedOut();
          return;
        }
        if (response.status === 204) {
          onConfirmed();
          outcome = 'leaving'; // the dialog closes; keep the button busy until it does
          return;
        }
        if (response.status === 401) {
          resetField('code');
          setError('code', { type: 'server', message: STEP_UP_CODE_INCORRECT }, { shouldFocus: true });
          return;
        }
        if (response.status === 423) {
          setAlert(lockedMessage(response));
          return;
        }
        await showProblem(response, {
          fields: ['code'] as const,
          setError,
          setAlert,
          aliases: { totp: 'code', recovery_code: 'code' } as const,
          rateLimited: true,
        });
      } catch {
        setAlert(NETWORK_ERROR);
      }
    })(event);
    return outcome;
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-5">
      {alert && <FormAlert>{alert}</FormAlert>}
      <TextField
        id={id}
        label={copy.label}
        describedBy={`${id}-hint`}
        autoComplete="one-time-code"
        inputMode={kind === 'totp' ? 'numeric' : 'text'}
        autoCapitalize="characters"
        spellCheck={false}
        registration={register('code', { required: copy.required })}
        error={errors.code}
      />
      <p id={`${id}-hint`} className="-mt-3 text-sm text-silver-400">
        {copy.hint}
      </p>
      <SubmitButton busy={busy} label="Confirm" busyLabel="Confirming…" />
    </form>
  );
}
