import { type ReactNode, useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { lockedMessage, NETWORK_ERROR, readProblem } from '../../lib/problems';
import { reauthenticate } from '../../stores/step-up';
import { FormAlert, PasswordField, SubmitButton } from '../auth/fields';
import { showProblem } from '../auth/server-errors';
import { useGuardedSubmit } from '../auth/use-guarded-submit';
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
  const [alert, setAlert] = useState<ReactNode>(null);
  const id = `${idPrefix}-password`;

  useEffect(() => setFocus('password'), [setFocus]);

  const { busy, onSubmit } = useGuardedSubmit(async (event) => {
    setAlert(null);
    let outcome: 'leaving' | undefined;
    await handleSubmit(async ({ password }) => {
      try {
        const response = await reauthenticate({ password });
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
          // Two-factor authentication was turned on since the dialog opened (another tab): the password alone no
          // longer confirms; the next try of the action offers the second factor.
          const problem = await readProblem(response);
          if (problem.code === 'mfa_required') {
            setAlert('This account now has two-factor authentication. Cancel, try again, and confirm with a code.');
            return;
          }
          resetField('password');
          setError('password', { type: 'server', message: STEP_UP_PASSWORD_INCORRECT }, { shouldFocus: true });
          return;
        }
        if (response.status === 423) {
          setAlert(lockedMessage(response));
          return;
        }
        await showProblem(response, { fields: ['password'] as const, setError, setAlert, rateLimited: true });
      } catch {
        setAlert(NETWORK_ERROR);
      }
    })(event);
    return outcome;
  });

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
