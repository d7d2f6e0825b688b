import { loginSchema } from '@aibc/api/shared/fields';
import type { StepUpMethod } from '@aibc/api/shared/problem';
import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { getPasskeyAssertion, isPasskeyCancelled, supportsPasskeyAutofill, supportsPasskeys } from '../../lib/passkeys';
import { lockedMessage, NETWORK_ERROR, readProblem } from '../../lib/problems';
import { signIn, signInWithPasskey } from '../../stores/session';
import { ProviderButtons } from '../oauth/ProviderButtons';
import { CurrentPasswordField, EmailField, FormAlert, SubmitButton } from './fields';
import { MfaStep } from './MfaStep';
import { PasskeyIcon } from './PasskeyIcon';
import { SwitchLink } from './SwitchLink';
import { showProblem } from './server-errors';
import { type SubmitOutcome, useFormSubmit } from './use-guarded-submit';

export const INCORRECT_CREDENTIALS = 'Incorrect email or password.';
export const PASSKEY_REFUSED = 'That passkey was not accepted. Try again, or sign in with your password.';

// The API's loginSchema gives the email its own message; the password's `min(1)` has none, so say it here. A
// per-parse error map only fills in where the schema is silent: the rules themselves stay the API's.
const parseOptions = {
  error: (issue: { code?: string; minimum?: unknown }) =>
    issue.code === 'too_small' && issue.minimum === 1 ? 'Enter your password' : undefined,
};

const FIELDS = ['email', 'password'] as const;

export function SignInForm({
  email,
  notice,
  error,
  mfa,
}: {
  email?: string;
  notice?: string;
  error?: string;
  /** Start at the second step, with the HttpOnly mfa cookie of a provider sign-in (`/?auth=mfa`). */
  mfa?: boolean;
}) {
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
  const { alert, setAlert, busy, onSubmit } = useFormSubmit(
    handleSubmit,
    async (credentials): Promise<SubmitOutcome> => {
      const response = await signIn(credentials);
      if (response.ok) {
        window.location.assign('/dashboard');
        return 'leaving';
      }
      if (response.status === 403) {
        const problem = await readProblem(response.clone());
        if (problem.code === 'mfa_required' && problem.mfa_token) {
          setSecondStep({ mfaToken: problem.mfa_token, methods: problem.methods });
          return;
        }
      }
      if (response.status === 401) {
        const problem = await readProblem(response);
        setAlert(wrongPasswordAlert(problem.attempts_remaining, problem.detail, () => getValues('email')));
        resetField('password');
        setFocus('password');
      } else if (response.status === 423) {
        setAlert(
          <>
            {lockedMessage(response)} <ResetToUnlock email={() => getValues('email')} />
          </>,
        );
      } else {
        const aliases = { username: 'email' } as const;
        await showProblem(response, { fields: FIELDS, setError, setAlert, aliases, rateLimited: true });
      }
      return undefined;
    },
    { initialAlert: error },
  );

  // Set once the password was right for an account with MFA: the form turns into the second step. After a provider
  // sign-in it starts there with no token: the API's HttpOnly mfa cookie holds the challenge.
  const [secondStep, setSecondStep] = useState<{ mfaToken?: string; methods?: StepUpMethod[] } | null>(mfa ? {} : null);

  // Focus lands where the visitor types next: the password when the email is already filled in.
  useEffect(() => setFocus(email ? 'password' : 'email'), [setFocus, email]);

  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const [passkeysSupported, setPasskeysSupported] = useState(false);
  useEffect(() => setPasskeysSupported(supportsPasskeys()), []);

  // One passkey sign-in, from the button (the browser's prompt) or the email field's autofill suggestions.
  const passkeySignIn = async (autofill: boolean) => {
    if (!autofill) {
      setAlert(null);
      setPasskeyBusy(true);
    }
    try {
      const response = await signInWithPasskey((options) => getPasskeyAssertion(options, { autofill }));
      if (response.ok) {
        window.location.assign('/dashboard');
        return;
      }
      if (response.status === 401) setAlert(PASSKEY_REFUSED);
      else await showProblem(response, { fields: [], setError, setAlert, rateLimited: true });
    } catch (error) {
      // The autofill request runs unseen: it fails quietly (the modal closed, the page went on).
      if (!autofill && !isPasskeyCancelled(error))
        setAlert(error instanceof TypeError ? NETWORK_ERROR : PASSKEY_REFUSED);
    } finally {
      setPasskeyBusy(false);
    }
  };

  // Passkey autofill (conditional mediation): the browser lists this site's passkeys among the email field's
  // suggestions, and picking one signs in. It waits in the background until then; the button above replaces it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: started once, when the form first shows
  useEffect(() => {
    let cancelled = false;
    supportsPasskeyAutofill()
      .then((supported) => {
        if (supported && !cancelled) void passkeySignIn(true);
      })
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, []);

  if (secondStep)
    return (
      <MfaStep mfaToken={secondStep.mfaToken} methods={secondStep.methods} onRestart={() => setSecondStep(null)} />
    );

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-5" aria-describedby={notice ? 'signin-notice' : undefined}>
      {notice && (
        <p id="signin-notice" className="rounded-lg border border-success/40 bg-success/10 px-3.5 py-2.5 text-sm">
          {notice}
        </p>
      )}
      {alert && <FormAlert>{alert}</FormAlert>}
      <EmailField
        id="signin-email"
        autoComplete="username webauthn"
        registration={register('email')}
        error={errors.email}
      />
      <CurrentPasswordField id="signin-password" registration={register('password')} error={errors.password} />
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
      {passkeysSupported && (
        <button
          type="button"
          className="btn btn-ghost w-full"
          disabled={passkeyBusy}
          aria-busy={passkeyBusy}
          onClick={() => void passkeySignIn(false)}
        >
          <PasskeyIcon />
          {passkeyBusy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
        </button>
      )}
      <ProviderButtons />
      <p className="text-center text-sm text-silver-400">
        New to AI Bootcamp?{' '}
        <SwitchLink to="signup" email={() => getValues('email')}>
          Create an account
        </SwitchLink>
      </p>
    </form>
  );
}

/** With this many failures left or fewer, the alert warns before the lockout (the API counts per email). */
export const WARN_AT_ATTEMPTS_REMAINING = 2;

/**
 * A 401 for the email and password: the plain sentence while tries are plenty; from 2 left the API's own words
 * ("2 attempts left before sign-in is locked for 30 minutes", with its configured minutes); once this failure
 * locked the email, those words and the way to unlock it now.
 */
function wrongPasswordAlert(attemptsRemaining: number | undefined, detail: string | undefined, email: () => string) {
  if (attemptsRemaining === undefined || attemptsRemaining > WARN_AT_ATTEMPTS_REMAINING || !detail) {
    return INCORRECT_CREDENTIALS;
  }
  if (attemptsRemaining > 0) return detail;
  return (
    <>
      {detail} <ResetToUnlock email={email} />
    </>
  );
}

/** A completed password reset clears the lockout (API.md), so it is the way back in without waiting. */
function ResetToUnlock({ email }: { email: () => string }) {
  return (
    <SwitchLink to="forgot" href="/reset-password" email={email}>
      Reset your password to unlock it now
    </SwitchLink>
  );
}
