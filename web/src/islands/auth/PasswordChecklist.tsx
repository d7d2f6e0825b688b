import { passwordContextRules, passwordRules } from '@aibc/api/shared/fields';
import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';
import { PasswordField } from './fields';

type RuleState = 'met' | 'unmet' | 'failed' | 'pending';

const SPOKEN: Record<RuleState, string> = {
  met: ': done',
  unmet: ': not yet',
  failed: ': not met',
  pending: ': checked when you submit',
};

const COLOUR: Record<RuleState, string> = {
  met: 'text-success',
  unmet: 'text-silver-400',
  failed: 'text-danger',
  pending: 'text-silver-400',
};

/**
 * Every rule the server enforces on a new password, in one list (the API's `passwordRules` and
 * `passwordContextRules`). Length and composition tick off as the visitor types. "Not built from your email name"
 * and "not the site's name" are checked here too where the email is known; "not a common password" only the
 * server can check (its list is too large for the browser), so that line waits for the submit, and turns red
 * when the server's 422 names it (`error` is the field's error, the server's message included). Used wherever a
 * new password is chosen: sign-up, the reset link, the settings' password change. Point the input's
 * `aria-describedby` at `id`.
 */
export function PasswordChecklist({
  id,
  password,
  email,
  error,
}: {
  id: string;
  password: string;
  /** The account's email, where the form knows it (not on the reset link's page: the server checks it there). */
  email?: string;
  error?: FieldError;
}) {
  // The schema tests the NFKC form of the password, so the checklist does too.
  const normalized = (password ?? '').normalize('NFKC');
  const rules: { id: string; label: string; state: RuleState; note?: string }[] = [
    ...passwordRules.map((rule) => ({
      id: rule.id,
      label: rule.label,
      state: (rule.test(normalized) ? 'met' : 'unmet') as RuleState,
    })),
    ...passwordContextRules.map((rule) => {
      const verdict = rule.test(normalized, email?.trim() || undefined);
      let state: RuleState;
      if (error?.message === rule.message || verdict === false) state = 'failed';
      else if (verdict === undefined) state = 'pending';
      else state = normalized ? 'met' : 'unmet';
      return { id: rule.id, label: rule.label, state, note: state === 'pending' ? 'checked on submit' : undefined };
    }),
  ];
  return (
    <ul id={id} aria-label="Password requirements" className="mt-3 grid gap-1.5 text-sm sm:grid-cols-2">
      {rules.map((rule) => (
        <li
          key={rule.id}
          data-rule={rule.id}
          data-met={rule.state === 'met' ? 'true' : rule.state === 'pending' ? 'unknown' : 'false'}
          data-state={rule.state}
          className={`flex items-start gap-2 ${COLOUR[rule.state]}`}
        >
          <RuleIcon state={rule.state} />
          <span>
            {rule.label}
            {rule.note && <span className="text-silver-500"> ({rule.note})</span>}
            <span className="sr-only">{SPOKEN[rule.state]}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function RuleIcon({ state }: { state: RuleState }) {
  const line = { stroke: 'currentColor', strokeWidth: 1.75, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;
  return (
    <svg className="mt-0.5 size-4 shrink-0" viewBox="0 0 16 16" fill="none" aria-hidden="true">
      {state === 'met' && <path d="m3.5 8.5 3 3 6-7" {...line} />}
      {state === 'failed' && <path d="m4.5 4.5 7 7m0-7-7 7" {...line} />}
      {state === 'unmet' && <circle cx="8" cy="8" r="5.25" stroke="currentColor" strokeWidth="1.25" />}
      {state === 'pending' && (
        <>
          <circle cx="8" cy="8" r="5.25" stroke="currentColor" strokeWidth="1.25" strokeDasharray="2 2" />
          <circle cx="8" cy="8" r="1" fill="currentColor" />
        </>
      )}
    </svg>
  );
}

/** A new password's field, with the checklist below it (ids `id` and `${id}-rules`). */
export function NewPasswordField({
  id,
  label,
  registration,
  error,
  password,
  email,
}: {
  id: string;
  label: string;
  registration: UseFormRegisterReturn;
  error?: FieldError;
  password: string;
  email?: string;
}) {
  const rulesId = `${id}-rules`;
  return (
    <PasswordField
      id={id}
      label={label}
      autoComplete="new-password"
      describedBy={rulesId}
      registration={registration}
      error={error}
    >
      <PasswordChecklist id={rulesId} password={password} email={email} error={error} />
    </PasswordField>
  );
}
