import { type ReactNode, useEffect } from 'react';
import { useForm } from 'react-hook-form';
import type { StepUpProof } from '../../stores/step-up';
import { FormAlert, SubmitButton } from '../auth/fields';
import { showProblem } from '../auth/server-errors';
import { type SubmitOutcome, useFormSubmit } from '../auth/use-guarded-submit';
import { confirmProof } from './confirm-proof';
import type { StepUpMethodViewProps } from './methods';

/**
 * A step-up view that proves with one typed value (the password, a code): its form, focused on the field at once,
 * submitted through confirmProof. A wrong value (a 401) empties the field and says `wrongMessage` under it, unless
 * `onWrong` has already dealt with that answer (it returns true); other problems land on the field or the alert.
 */
export function useProofForm(
  name: 'password' | 'code',
  {
    onConfirmed,
    onSignedOut,
    idPrefix,
    proof,
    wrongMessage,
    onWrong,
    aliases,
  }: StepUpMethodViewProps & {
    proof: (value: string) => StepUpProof;
    wrongMessage: string;
    onWrong?: (response: Response, setAlert: (alert: ReactNode) => void) => Promise<boolean>;
    /** API field names that mean this field (`totp` → `code`). */
    aliases?: Partial<Record<string, string>>;
  },
) {
  const form = useForm<Record<string, string>>({ mode: 'onSubmit', defaultValues: { [name]: '' } });
  const { setFocus, setError, resetField } = form;

  useEffect(() => setFocus(name), [setFocus, name]);

  const { alert, setAlert, busy, onSubmit } = useFormSubmit(
    form.handleSubmit,
    (values): Promise<SubmitOutcome> =>
      confirmProof(proof(values[name] ?? ''), {
        onConfirmed,
        onSignedOut,
        setAlert,
        onWrong: async (response) => {
          if (await onWrong?.(response, setAlert)) return;
          resetField(name);
          setError(name, { type: 'server', message: wrongMessage }, { shouldFocus: true });
        },
        onProblem: (response) =>
          showProblem(response, { fields: [name], setError, setAlert, aliases, rateLimited: true }),
      }),
  );

  return {
    id: `${idPrefix}-${name}`,
    register: form.register,
    error: form.formState.errors[name],
    alert,
    busy,
    onSubmit,
  };
}

/** The form of a useProofForm view: its alert, the field (`children`), and "Confirm". */
export function ProofForm({ form, children }: { form: ReturnType<typeof useProofForm>; children: ReactNode }) {
  return (
    <form noValidate onSubmit={form.onSubmit} className="space-y-5">
      {form.alert && <FormAlert>{form.alert}</FormAlert>}
      {children}
      <SubmitButton busy={form.busy} label="Confirm" busyLabel="Confirming…" />
    </form>
  );
}
