import { updateProfileSchema } from '@aibc/api/shared/fields';
import { zodResolver } from '@hookform/resolvers/zod';
import { type ReactNode, useState } from 'react';
import { useForm } from 'react-hook-form';
import { client } from '../../lib/api';
import { NETWORK_ERROR } from '../../lib/problems';
import { $session, type User, withAccessToken } from '../../stores/session';
import { TextField } from '../auth/fields';
import { showProblem } from '../auth/server-errors';
import { useGuardedSubmit } from '../auth/use-guarded-submit';
import { SettingsCard } from './SettingsCard';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const ROLE_LABELS: Record<User['role'], string> = { student: 'Student', instructor: 'Instructor', admin: 'Admin' };

/** The profile card: the name (editable, PATCH /users/me) and the account's facts. */
export function AccountProfile({ user }: { user: User }) {
  return (
    <SettingsCard titleId="profile-title" title="Profile">
      <NameForm user={user} />
      <dl className="mt-6 space-y-4 border-t border-ink-700 pt-5 text-sm">
        <ProfileRow label="Email">
          <span className="break-all">{user.email}</span>
        </ProfileRow>
        <ProfileRow label="Role">{ROLE_LABELS[user.role]}</ProfileRow>
        <ProfileRow label="Email status">
          {user.is_verified ? (
            <span className="inline-flex items-center gap-1.5 text-success">
              <span className="size-1.5 rounded-full bg-success" aria-hidden="true" />
              Verified
            </span>
          ) : (
            <span className="text-silver-200">Not verified yet</span>
          )}
        </ProfileRow>
        <ProfileRow label="Member since">
          <time dateTime={user.created_at}>{dateFormat.format(new Date(user.created_at))}</time>
        </ProfileRow>
        <ProfileRow label="Last sign-in">
          {user.last_login_at ? (
            <time dateTime={user.last_login_at}>{dateTimeFormat.format(new Date(user.last_login_at))}</time>
          ) : (
            'This is your first'
          )}
        </ProfileRow>
      </dl>
    </SettingsCard>
  );
}

/**
 * Optimistic: the greeting shows the new name at once; the API's answer then replaces it, or the old name comes
 * back with the reason.
 */
function NameForm({ user }: { user: User }) {
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isDirty },
  } = useForm({
    mode: 'onSubmit',
    resolver: zodResolver(updateProfileSchema),
    defaultValues: { full_name: user.full_name },
  });
  const [saved, setSaved] = useState(false);
  const [alert, setAlert] = useState<ReactNode>(null);

  const { busy, onSubmit } = useGuardedSubmit(async (event) => {
    setAlert(null);
    setSaved(false);
    await handleSubmit(async (values) => {
      const before = $session.get();
      const showName = (next: User) => {
        const current = $session.get();
        if (current.status === 'signed-in') $session.set({ status: 'signed-in', user: next });
      };
      if (before.status === 'signed-in') showName({ ...before.user, full_name: values.full_name });
      const revert = () => {
        if (before.status === 'signed-in') showName(before.user);
      };
      try {
        const response = await withAccessToken((options) => client.api.v1.users.me.$patch({ json: values }, options));
        if (!response) return; // signed out meanwhile: the page is on its way to the sign-in modal
        if (response.status === 200) {
          const updated = await response.json();
          showName(updated);
          reset({ full_name: updated.full_name });
          setSaved(true);
          return;
        }
        revert();
        await showProblem(response, { fields: ['full_name'], setError, setAlert });
      } catch {
        revert();
        setAlert(NETWORK_ERROR);
      }
    })(event);
    return undefined;
  });

  return (
    <form noValidate onSubmit={onSubmit} className="mt-4 space-y-3" aria-label="Your name">
      <TextField
        id="profile-full-name"
        label="Full name"
        autoComplete="name"
        registration={register('full_name', { onChange: () => setSaved(false) })}
        error={errors.full_name}
      />
      {alert && (
        <p role="alert" className="text-sm text-danger">
          {alert}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="btn btn-ghost" aria-disabled={busy || undefined}>
          {busy ? 'Saving…' : 'Save name'}
        </button>
        <p role="status" className="text-sm text-success">
          {saved && !isDirty && (
            <span className="inline-flex items-center gap-1.5">
              <svg className="size-4" viewBox="0 0 16 16" fill="none" aria-hidden="true">
                <path
                  d="m3.5 8.5 3 3 6-7"
                  stroke="currentColor"
                  strokeWidth="1.75"
                  strokeLinecap="round"
                  strokeLinejoin="round"
                />
              </svg>
              Saved
            </span>
          )}
        </p>
      </div>
    </form>
  );
}

function ProfileRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1">
      <dt className="text-silver-400">{label}</dt>
      <dd className="text-silver-100">{children}</dd>
    </div>
  );
}
