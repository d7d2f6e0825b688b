import { useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { FormAlert, SubmitButton, TextField } from '../auth/fields';
import { showProblem } from '../auth/server-errors';
import { type SubmitOutcome, useFormSubmit } from '../auth/use-guarded-submit';
import { confirmProof } from './confirm-proof';
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
  const copy = COPY[kind];
  const id = `${idPrefix}-code`;

  useEffect(() => setFocus('code'), [setFocus]);

  const { alert, setAlert, busy, onSubmit } = useFormSubmit(
    handleSubmit,
    ({ code }): Promise<SubmitOutcome> =>
      confirmProof(kind === 'totp' ? { totp: code.replace(/\s/g, '') } : { recovery_code: code.trim() }, {
        onConfirmed,
        onSignedOut,
        setAlert,
        onWrong: () => {
          resetField('code');
          setError('code', { type: 'server', message: STEP_UP_CODE_INCORRECT }, { shouldFocus: true });
        },
        onProblem: (response) =>
          showProblem(response, {
            fields: ['code'] as const,
            setError,
            setAlert,
            aliases: { totp: 'code', recovery_code: 'code' } as const,
            rateLimited: true,
          }),
      }),
  );

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
