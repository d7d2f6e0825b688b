import { loginSchema } from '@aibc/api/schemas';
import { zodResolver } from '@hookform/resolvers/zod';
import { type ReactNode, useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { lockedMessage, NETWORK_ERROR } from '../../lib/problems';
import { signIn } from '../../stores/session';
import { EmailField, FormAlert, PasswordField, SubmitButton } from './fields';
import { SwitchLink } from './SwitchLink';
import { showProblem } from './server-errors';
import { useGuardedSubmit } from './use-guarded-submit';

export const INCORRECT_CREDENTIALS = 'Incorrect email or password.';

// The API's loginSchema gives the email its own message; the password's `min(1)` has none, so say it here. A
// per-parse error map only fills in where the schema is silent: the rules themselves stay the API's.
const parseOptions = {
  error: (issue: { code?: string; minimum?: unknown }) =>
    issue.code === 'too_small' && issue.minimum === 1 ? 'Enter your password' : undefined,
};

const FIELDS = ['email', 'password'] as const;

export function SignInForm({ email, notice }: { email?: string; notice?: string }) {
  const {
    register,
    handleSubmit,
    setError,
    setFocus,
    resetField,
    getValues,
    formState: { errors },
  } = useForm({
    // Validated on submit, then again on each change. Not on blur: an error appearing as a field loses focus
    // shifts the layout under the pointer, and the click that caused the blur (submit, "Sign in") would miss.
    mode: 'onSubmit',
    resolver: zodResolver(loginSchema, parseOptions),
    defaultValues: { email: email ?? '', password: '' },
  });
  const [alert, setAlert] = useState<ReactNode>(null);

  // Focus lands where the visitor types next: the password when the email is already filled in.
  useEffect(() => setFocus(email ? 'password' : 'email'), [setFocus, email]);

  const { busy, onSubmit } = useGuardedSubmit(async (event) => {
    setAlert(null);
    let outcome: 'leaving' | undefined;
    await handleSubmit(async (credentials) => {
      try {
        const response = await signIn(credentials);
        if (response.ok) {
          window.location.assign('/dashboard');
          outcome = 'leaving';
          return;
        }
        if (response.status === 401) {
          setAlert(INCORRECT_CREDENTIALS);
          resetField('password');
          setFocus('password');
        } else if (response.status === 423) {
          setAlert(lockedMessage(response));
        } else {
          const aliases = { username: 'email' } as const;
          await showProblem(response, { fields: FIELDS, setError, setAlert, aliases, rateLimited: true });
        }
      } catch {
        setAlert(NETWORK_ERROR);
      }
    })(event);
    return outcome;
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-5" aria-describedby={notice ? 'signin-notice' : undefined}>
      {notice && (
        <p id="signin-notice" className="rounded-lg border border-success/40 bg-success/10 px-3.5 py-2.5 text-sm">
          {notice}
        </p>
      )}
      {alert && <FormAlert>{alert}</FormAlert>}
      <EmailField id="signin-email" autoComplete="username" registration={register('email')} error={errors.email} />
      <PasswordField
        id="signin-password"
        label="Password"
        autoComplete="current-password"
        registration={register('password')}
        error={errors.password}
      />
      <div className="-mt-2 text-right text-sm">
        <SwitchLink
          to="forgot"
          href="/reset-password"
          email={() => getValues('email')}
          className="text-silver-300 underline-offset-4 hover:text-silver-50 hover:underline"
        >
          Forgot password?
        </SwitchLink>
      </div>
      <SubmitButton busy={busy} label="Sign in" busyLabel="Signing in…" />
      <p className="text-center text-sm text-silver-400">
        New to AI Bootcamp?{' '}
        <SwitchLink to="signup" email={() => getValues('email')}>
          Create an account
        </SwitchLink>
      </p>
    </form>
  );
}
