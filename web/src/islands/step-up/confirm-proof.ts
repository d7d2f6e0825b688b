import type { ReactNode } from 'react';
import { lockedMessage } from '../../lib/problems';
import { reauthenticate, type StepUpProof } from '../../stores/step-up';
import type { SubmitOutcome } from '../auth/use-guarded-submit';
import type { StepUpMethodViewProps } from './methods';

/**
 * POST /auth/reauthenticate with a typed proof (a password or a code), and what each such view does with the
 * answer: a 204 closes the dialog (the form stays busy until it does: 'leaving'), a session gone meanwhile signs
 * out, a lockout is said in the alert. A 401 (the proof was wrong) goes to `onWrong`, any other problem to
 * `onProblem`.
 */
export async function confirmProof(
  proof: StepUpProof,
  view: Pick<StepUpMethodViewProps, 'onConfirmed' | 'onSignedOut'> & {
    setAlert: (alert: ReactNode) => void;
    onWrong: (response: Response) => void | Promise<void>;
    onProblem: (response: Response) => Promise<void>;
  },
): Promise<SubmitOutcome> {
  const response = await reauthenticate(proof);
  if (!response) {
    view.onSignedOut();
    return undefined;
  }
  if (response.status === 204) {
    view.onConfirmed();
    return 'leaving';
  }
  if (response.status === 401) await view.onWrong(response);
  else if (response.status === 423) view.setAlert(lockedMessage(response));
  else await view.onProblem(response);
  return undefined;
}
