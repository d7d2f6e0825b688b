import { passwordRules } from '@aibc/api/shared/fields';
import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';
import { PasswordField } from './fields';

/**
 * The API's `passwordRules`, ticked off as the visitor types (the server checks the same list). Used wherever a new
 * password is chosen: sign-up, the reset link, the dashboard's password change. Point the input's
 * `aria-describedby` at `id`.
 */
export function PasswordChecklist({ id, password }: { id: string; password: string }) {
  // The schema tests the NFKC form of the password, so the checklist does too.
  const normalized = (password ?? '').normalize('NFKC');
  return (
    <ul id={id} aria-label="Password requirements" className="mt-3 grid gap-1.5 text-sm sm:grid-cols-2">
      {passwordRules.map((rule) => {
        const met = rule.test(normalized);
        return (
          <li
            key={rule.id}
            data-rule={rule.id}
            data-met={met}
            className={`flex items-center gap-2 ${met ? 'text-success' : 'text-silver-400'}`}
          >
            <svg className="size-4 shrink-0" viewBox="0 0 16 16" fill="none" aria-hidden="true">
              {met ? (
                <path
                  d="m3.5 8.5 3 3 6-7"
                  stroke="currentColor"
                  strokeWidth="1.75"
                  strokeLinecap="round"
                  strokeLinejoin="round"
                />
              ) : (
                <circle cx="8" cy="8" r="5.25" stroke="currentColor" strokeWidth="1.25" />
              )}
            </svg>
            {rule.label}
            <span className="sr-only">{met ? ': done' : ': not yet'}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** A new password's field, with the checklist below it (ids `id` and `${id}-rules`). */
export function NewPasswordField({
  id,
  label,
  registration,
  error,
  password,
}: {
  id: string;
  label: string;
  registration: UseFormRegisterReturn;
  error?: FieldError;
  password: string;
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
      <PasswordChecklist id={rulesId} password={password} />
    </PasswordField>
  );
}
