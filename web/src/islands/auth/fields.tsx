import { type InputHTMLAttributes, type ReactNode, useState } from 'react';
import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';

const inputClass =
  'block w-full rounded-lg border border-ink-600 bg-ink-900 px-3 py-2.5 text-base text-silver-50 ' +
  'placeholder:text-silver-600 transition-colors hover:border-silver-700 focus:border-silver-400 ' +
  'aria-[invalid=true]:border-danger sm:text-sm';

type FieldProps = {
  id: string;
  label: string;
  registration: UseFormRegisterReturn;
  error?: FieldError;
  /** Ids of extra descriptions (e.g. the password checklist), read after the label. */
  describedBy?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'name' | 'onChange' | 'onBlur' | 'ref'>;

function describedByOf(errorId: string | undefined, extra: string | undefined) {
  return [errorId, extra].filter(Boolean).join(' ') || undefined;
}

function FieldLabel({ id, label }: { id: string; label: string }) {
  return (
    <label htmlFor={id} className="mb-1.5 block text-sm font-medium text-silver-200">
      {label}
    </label>
  );
}

function FieldMessage({ id, error }: { id: string; error?: FieldError }) {
  if (!error?.message) return null;
  return (
    <p id={id} className="mt-1.5 text-sm text-danger">
      {error.message}
    </p>
  );
}

export function TextField({ id, label, registration, error, describedBy, ...input }: FieldProps) {
  const errorId = `${id}-error`;
  return (
    <div>
      <FieldLabel id={id} label={label} />
      <input
        id={id}
        className={inputClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf(error ? errorId : undefined, describedBy)}
        {...input}
        {...registration}
      />
      <FieldMessage id={errorId} error={error} />
    </div>
  );
}

/** An email input: "Email", the email keyboard, no capitals or spell-check. `autoComplete` defaults to "email". */
export function EmailField(props: Omit<FieldProps, 'label'>) {
  return (
    <TextField
      label="Email"
      type="email"
      inputMode="email"
      autoComplete="email"
      autoCapitalize="none"
      spellCheck={false}
      {...props}
    />
  );
}

/** A password input with a show/hide toggle; `children` renders below it (the sign-up checklist). */
export function PasswordField({
  id,
  label,
  registration,
  error,
  describedBy,
  children,
  ...input
}: FieldProps & { children?: ReactNode }) {
  const [visible, setVisible] = useState(false);
  const errorId = `${id}-error`;
  return (
    <div>
      <FieldLabel id={id} label={label} />
      <div className="relative">
        <input
          id={id}
          type={visible ? 'text' : 'password'}
          className={`${inputClass} pr-16`}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedByOf(error ? errorId : undefined, describedBy)}
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          {...input}
          {...registration}
        />
        <button
          type="button"
          className="absolute inset-y-1 right-1 rounded-md px-2.5 text-xs font-semibold text-silver-300 hover:bg-ink-800 hover:text-silver-50"
          aria-pressed={visible}
          aria-controls={id}
          onClick={() => setVisible((value) => !value)}
        >
          {visible ? 'Hide' : 'Show'}
          <span className="sr-only"> password</span>
        </button>
      </div>
      <FieldMessage id={errorId} error={error} />
      {children}
    </div>
  );
}

/**
 * The account's existing password (sign-in, the settings' password change, the step-up): labelled "Password" unless
 * `label` says otherwise, and offered the password manager's saved one. A new password is NewPasswordField.
 */
export function CurrentPasswordField({ label = 'Password', ...props }: Omit<FieldProps, 'label'> & { label?: string }) {
  return <PasswordField label={label} autoComplete="current-password" {...props} />;
}

export function FormAlert({ children }: { children: ReactNode }) {
  return (
    <div
      role="alert"
      className="rounded-lg border border-danger/40 bg-danger/10 px-3.5 py-2.5 text-sm leading-relaxed text-silver-100"
    >
      {children}
    </div>
  );
}

export function SubmitButton({ busy, label, busyLabel }: { busy: boolean; label: string; busyLabel: string }) {
  // aria-disabled, not disabled: the button keeps focus while the request runs (a disabled button drops it to
  // <body>). The form's submit guard is what blocks a second submit, by click or by Enter.
  return (
    <button type="submit" className="btn btn-primary w-full py-2.5 text-base" aria-disabled={busy || undefined}>
      {busy && (
        <svg className="size-4 animate-spin" viewBox="0 0 24 24" fill="none" aria-hidden="true">
          <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.25" strokeWidth="3" />
          <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
        </svg>
      )}
      {busy ? busyLabel : label}
    </button>
  );
}

/** A good outcome in words (sent, saved, changed), announced politely to screen readers. */
export function FormSuccess({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <div
      id={id}
      role="status"
      className="rounded-lg border border-success/40 bg-success/10 px-3.5 py-2.5 text-sm leading-relaxed text-silver-100"
    >
      {children}
    </div>
  );
}
