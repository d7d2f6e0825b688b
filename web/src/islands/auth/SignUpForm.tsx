import { signupSchema } from '@aibc/api/shared/fields';
import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { client } from '../../lib/api';
import { openAuthModal } from '../../stores/modal';
import { signIn } from '../../stores/session';
import { ProviderButtons } from '../oauth/ProviderButtons';
import { EmailField, FormAlert, SubmitButton, TextField } from './fields';
import { NewPasswordField } from './PasswordChecklist';
import { SwitchLink } from './SwitchLink';
import { showProblem } from './server-errors';
import { type SubmitOutcome, useFormSubmit } from './use-guarded-submit';

const FIELDS = ['full_name', 'email', 'password'] as const;

export function SignUpForm({ email }: { email?: string }) {
  const {
    register,
    handleSubmit,
    setError,
    setFocus,
    getValues,
    control,
    formState: { errors },
  } = useForm({
    // Validated on submit, then again on each change. Not on blur: an error appearing as a field loses focus
    // shifts the layout under the pointer, and the click that caused the blur (submit, "Sign in") would miss.
    mode: 'onSubmit',
    // The API's own schema: the same length, composition and "not your email name" rules as the server.
    resolver: zodResolver(signupSchema),
    defaultValues: { full_name: '', email: email ?? '', password: '' },
  });
  const password = useWatch({ control, name: 'password' });
  const typedEmail = useWatch({ control, name: 'email' });

  useEffect(() => setFocus('full_name'), [setFocus]);

  const { alert, setAlert, busy, onSubmit } = useFormSubmit(handleSubmit, async (values): Promise<SubmitOutcome> => {
    const response = await client.api.v1.auth.signup.$post({ json: values });
    if (response.status === 201) {
      // Signing up signs you in: the same credentials, straight away.
      const login = await signIn({ email: values.email, password: values.password });
      if (login.ok) {
        window.location.assign('/dashboard');
        return 'leaving';
      }
      openAuthModal({ name: 'signin', email: values.email, notice: 'Your account is ready. Sign in to continue.' });
      return undefined;
    }
    if (response.status === 409) {
      setAlert(
        <>
          That email already has an account —{' '}
          <SwitchLink to="signin" email={() => values.email}>
            sign in?
          </SwitchLink>
        </>,
      );
    } else {
      await showProblem(response, { fields: FIELDS, setError, setAlert, rateLimited: true });
    }
    return undefined;
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-5">
      {alert && <FormAlert>{alert}</FormAlert>}
      <TextField
        id="signup-name"
        label="Full name"
        autoComplete="name"
        registration={register('full_name')}
        error={errors.full_name}
      />
      <EmailField id="signup-email" registration={register('email')} error={errors.email} />
      <NewPasswordField
        id="signup-password"
        label="Password"
        registration={register('password')}
        error={errors.password}
        password={password}
        email={typedEmail}
      />
      <SubmitButton busy={busy} label="Create account" busyLabel="Creating your account…" />
      <ProviderButtons />
      <p className="text-center text-sm text-silver-400">
        Already have an account?{' '}
        <SwitchLink to="signin" email={() => getValues('email')}>
          Sign in
        </SwitchLink>
      </p>
    </form>
  );
}
