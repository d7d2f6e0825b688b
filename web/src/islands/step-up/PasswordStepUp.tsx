import { readProblem } from '../../lib/problems';
import { CurrentPasswordField } from '../auth/fields';
import type { StepUpMethodViewProps } from './methods';
import { ProofForm, useProofForm } from './proof-form';

export const STEP_UP_PASSWORD_INCORRECT = 'That password is not right.';

/** Step up with the account's password: POST /auth/reauthenticate `{password}`. Wrong guesses count toward the lockout. */
export function PasswordStepUp(props: StepUpMethodViewProps) {
  const form = useProofForm('password', {
    ...props,
    proof: (password) => ({ password }),
    wrongMessage: STEP_UP_PASSWORD_INCORRECT,
    onWrong: async (response, setAlert) => {
      // Two-factor authentication was turned on since the dialog opened (another tab): the password alone no
      // longer confirms; the next try of the action offers the second factor.
      const problem = await readProblem(response);
      if (problem.code !== 'mfa_required') return false;
      setAlert('This account now has two-factor authentication. Cancel, try again, and confirm with a code.');
      return true;
    },
  });

  return (
    <ProofForm form={form}>
      <CurrentPasswordField
        id={form.id}
        registration={form.register('password', { required: 'Enter your password' })}
        error={form.error}
      />
    </ProofForm>
  );
}
