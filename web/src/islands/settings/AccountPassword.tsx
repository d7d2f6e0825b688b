import { changePasswordSchema, passwordContextProblem } from '@aibc/api/shared/fields';
import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { client } from '../../lib/api';
import { reloadSessions } from '../../stores/queries';
import { tokenRefusedByChallenge, type User, withAccessToken } from '../../stores/session';
import { CurrentPasswordField, FormAlert, FormSuccess } from '../auth/fields';
import { NewPasswordField } from '../auth/PasswordChecklist';
import { showProblem } from '../auth/server-errors';
import { type SubmitOutcome, useFormSubmit } from '../auth/use-guarded-submit';
import { SettingsCard } from './SettingsCard';

export const CURRENT_PASSWORD_INCORRECT = 'Current password is incorrect';
export const PASSWORD_CHANGED = 'Password changed; other devices were signed out.';

const FIELDS = ['current_password', 'new_password'] as const;

// The API's schema is silent on an empty current password; say it here (the rules themselves stay the API's).
const parseOptions = {
  error: (issue: { code?: string; minimum?: unknown; path?: PropertyKey[] }) =>
    issue.code === 'too_small' && issue.minimum === 1 ? 'Enter your current password' : undefined,
};

/** POST /users/me/password. This device stays signed in; every other session ends. */
export function AccountPassword({ user }: { user: User }) {
  // The same "not built from your email name" rule as sign-up, which the server checks too.
  const schema = useMemo(
    () =>
      changePasswordSchema.superRefine((value, ctx) => {
        const issue = passwordContextProblem(value.new_password, user.email);
        if (issue) ctx.addIssue({ code: 'custom', path: ['new_password'], message: issue });
      }),
    [user.email],
  );
  const {
    register,
    handleSubmit,
    setError,
    reset,
    resetField,
    control,
    formState: { errors },
  } = useForm({
    mode: 'onSubmit',
    resolver: zodResolver(schema, parseOptions),
    defaultValues: { current_password: '', new_password: '' },
  });
  const [changed, setChanged] = useState(false);
  const password = useWatch({ control, name: 'new_password' });

  const { alert, setAlert, busy, onSubmit } = useFormSubmit(
    handleSubmit,
    async (values): Promise<SubmitOutcome> => {
      // A 401 here without the Bearer challenge is the wrong current password, not a refused token: it must
      // not trigger a refresh, a retry (a second guess) or a sign-out.
      const response = await withAccessToken(
        (options) => client.api.v1.users.me.password.$post({ json: values }, options),
        { isTokenRefused: tokenRefusedByChallenge },
      );
      if (!response) return; // signed out meanwhile: the page is on its way to the sign-in modal
      if (response.status === 204) {
        reset();
        setChanged(true);
        reloadSessions(); // the other sessions were ended
        return;
      }
      if (response.status === 401) {
        resetField('current_password');
        setError('current_password', { type: 'server', message: CURRENT_PASSWORD_INCORRECT }, { shouldFocus: true });
        return;
      }
      await showProblem(response, { fields: FIELDS, setError, setAlert, rateLimited: 'Too many attempts.' });
      return undefined;
    },
    { onStart: () => setChanged(false) },
  );

  return (
    <SettingsCard
      titleId="password-title"
      title="Change password"
      description="This device stays signed in; every other device is signed out."
    >
      <form noValidate onSubmit={onSubmit} className="mt-5 space-y-5" aria-labelledby="password-title">
        {/* For password managers: which account this new password belongs to. */}
        <input type="email" name="username" autoComplete="username" value={user.email} readOnly hidden />
        {changed && <FormSuccess>{PASSWORD_CHANGED}</FormSuccess>}
        {alert && <FormAlert>{alert}</FormAlert>}
        <CurrentPasswordField
          id="change-current-password"
          label="Current password"
          registration={register('current_password')}
          error={errors.current_password}
        />
        <NewPasswordField
          id="change-new-password"
          label="New password"
          registration={register('new_password')}
          error={errors.new_password}
          password={password}
          email={user.email}
        />
        <button type="submit" className="btn btn-primary w-full sm:w-auto" aria-disabled={busy || undefined}>
          {busy ? 'Changing your password…' : 'Change password'}
        </button>
      </form>
    </SettingsCard>
  );
}
