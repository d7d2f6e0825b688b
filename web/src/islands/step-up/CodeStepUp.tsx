import { TextField } from '../auth/fields';
import type { StepUpMethodViewProps } from './methods';
import { ProofForm, useProofForm } from './proof-form';

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
export function CodeStepUp({ kind, ...props }: StepUpMethodViewProps & { kind: keyof typeof COPY }) {
  const copy = COPY[kind];
  const form = useProofForm('code', {
    ...props,
    proof: (code) => (kind === 'totp' ? { totp: code.replace(/\s/g, '') } : { recovery_code: code.trim() }),
    wrongMessage: STEP_UP_CODE_INCORRECT,
    aliases: { totp: 'code', recovery_code: 'code' },
  });
  const { id } = form;

  return (
    <ProofForm form={form}>
      <TextField
        id={id}
        label={copy.label}
        describedBy={`${id}-hint`}
        autoComplete="one-time-code"
        inputMode={kind === 'totp' ? 'numeric' : 'text'}
        autoCapitalize="characters"
        spellCheck={false}
        registration={form.register('code', { required: copy.required })}
        error={form.error}
      />
      <p id={`${id}-hint`} className="-mt-3 text-sm text-silver-400">
        {copy.hint}
      </p>
    </ProofForm>
  );
}
