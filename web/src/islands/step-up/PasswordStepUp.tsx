import { useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { readProblem } from '../../lib/problems';
import { FormAlert, PasswordField, SubmitButton } from '../auth/fields';
import { showProblem } from '../auth/server-errors';
import { type SubmitOutcome, useFormSubmit } from '../auth/use-guarded-submit';
import { confirmProof } from './confirm-proof';
import type { StepUpMethodViewProps } from './methods';

export const STEP_UP_PASSWORD_INCORRECT = 'That password is not right.';

/** Step up with the account's password: POST /auth/reauthenticate `{password}`. Wrong guesses count toward the lockout. */
export function PasswordStepUp({ onConfirmed, onSignedOut, idPrefix }: StepUpMethodViewProps) {
  const {
    register,
    handleSubmit,
    setError,
    setFocus,
    resetField,
    formState: { errors },
  } = useForm({ mode: 'onSubmit', defaultValues: { password: '' } });
  const id = `${idPrefix}-password`;

  useEffect(() => setFocus('password'), [setFocus]);

  const { alert, setAlert, busy, onSubmit } = useFormSubmit(
    handleSubmit,
    ({ password }): Promise<SubmitOutcome> =>
      confirmProof(
        { password },
        {
          onConfirmed,
          onSignedOut,
          setAlert,
          onWrong: async (response) => {
            // Two-factor authentication was turned on since the dialog opened (another tab): the password alone no
            // longer confirms; the next try of the action offers the second factor.
            const problem = await readProblem(response);
            if (problem.code === 'mfa_required') {
              setAlert('This account now has two-factor authentication. Cancel, try again, and confirm with a code.');
              return;
            }
            resetField('password');
            setError('password', { type: 'server', message: STEP_UP_PASSWORD_INCORRECT }, { shouldFocus: true });
          },
          onProblem: (response) =>
            showProblem(response, { fields: ['password'] as const, setError, setAlert, rateLimited: true }),
        },
      ),
  );

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-5">
      {alert && <FormAlert>{alert}</FormAlert>}
      <PasswordField
        id={id}
        label="Password"
        autoComplete="current-password"
        registration={register('password', { required: 'Enter your password' })}
        error={errors.password}
      />
      <SubmitButton busy={busy} label="Confirm" busyLabel="Confirming…" />
    </form>
  );
}
