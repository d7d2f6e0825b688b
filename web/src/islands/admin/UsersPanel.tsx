import { useCallback, useEffect, useRef, useState } from 'react';
import { client } from '../../lib/api';
import { NETWORK_ERROR } from '../../lib/problems';
import { withAccessToken } from '../../stores/session';
import { isStepUpCancelled, withStepUp } from '../../stores/step-up';
import { ProgressBar } from '../ProgressBar';
import { type ConfirmRequest, useConfirm } from './ConfirmDialog';
import {
  type AdminUser,
  type AdminUserDetail,
  type AuditEntry,
  AuditList,
  ErrorNote,
  FilterForm,
  inputClass,
  Pager,
  StatusBadge,
  useCursorPages,
  When,
} from './shared';

type Filters = { q: string; role: '' | 'student' | 'instructor' | 'admin'; status: '' | 'active' | 'disabled' };

/*
 * The users table: search (email or name), role and status filters, keyset pages ("Next page" follows the API's
 * cursor; "First page" starts over). A row opens the drawer with the user's whole picture.
 */
export function UsersPanel({ canManage, canAudit, selfId }: { canManage: boolean; canAudit: boolean; selfId: string }) {
  const [filters, setFilters] = useState<Filters>({ q: '', role: '', status: '' });
  const [draft, setDraft] = useState('');
  const pages = useCursorPages();
  const [page, setPage] = useState<{ items: AdminUser[]; next: string | null }>();
  const [error, setError] = useState<string>();
  const [openId, setOpenId] = useState<string>();

  const { cursor } = pages;
  const load = useCallback(async () => {
    setError(undefined);
    const query = {
      ...(filters.q ? { q: filters.q } : {}),
      ...(filters.role ? { role: filters.role } : {}),
      ...(filters.status ? { status: filters.status } : {}),
      ...(cursor ? { cursor } : {}),
      limit: '25',
    };
    const response = await withAccessToken((options) => client.api.v1.admin.users.$get({ query }, options));
    if (!response) return;
    if (!response.ok) {
      setError(response.status === 422 ? 'That search is not valid (at most 200 characters).' : NETWORK_ERROR);
      return;
    }
    const body = await response.json();
    setPage({ items: body.items, next: body.next_cursor });
  }, [filters, cursor]);

  useEffect(() => {
    load().catch(() => setError(NETWORK_ERROR));
  }, [load]);

  // A filter applies at once, from the first page.
  const filterSelect = <K extends 'role' | 'status'>(key: K, label: string, options: Record<Filters[K], string>) => (
    <select
      aria-label={label}
      className={inputClass}
      value={filters[key]}
      onChange={(event) => {
        pages.restart();
        setFilters((f) => ({ ...f, [key]: event.target.value as Filters[K] }));
      }}
    >
      {Object.entries<string>(options).map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  );

  return (
    <section aria-label="Users" className="space-y-4">
      <FilterForm
        className="grid gap-3 sm:grid-cols-[1fr_auto_auto_auto]"
        pages={pages}
        onFilter={() => setFilters((f) => ({ ...f, q: draft.trim() }))}
      >
        <label className="sr-only" htmlFor="user-search">
          Search by email or name
        </label>
        <input
          id="user-search"
          type="search"
          maxLength={200}
          placeholder="Search by email or name"
          className={inputClass}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        {filterSelect('role', 'Role', {
          '': 'Every role',
          student: 'Students',
          instructor: 'Instructors',
          admin: 'Admins',
        })}
        {filterSelect('status', 'Status', { '': 'Any status', active: 'Active', disabled: 'Disabled' })}
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </FilterForm>

      {error && <ErrorNote text={error} />}

      <div className="surface overflow-x-auto rounded-2xl">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Users, newest first</caption>
          <thead className="border-b border-ink-700 text-xs tracking-wide text-silver-400 uppercase">
            <tr>
              <th scope="col" className="px-4 py-3">
                User
              </th>
              <th scope="col" className="hidden px-4 py-3 sm:table-cell">
                Role
              </th>
              <th scope="col" className="hidden px-4 py-3 sm:table-cell">
                Status
              </th>
              <th scope="col" className="hidden px-4 py-3 md:table-cell">
                Joined
              </th>
              <th scope="col" className="hidden px-4 py-3 md:table-cell">
                Last sign-in
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-ink-700">
            {page?.items.map((user) => (
              <tr key={user.id} className="hover:bg-ink-800">
                <td className="px-4 py-3">
                  <button
                    type="button"
                    className="text-left underline-offset-4 hover:underline"
                    onClick={() => setOpenId(user.id)}
                  >
                    <span className="block font-medium text-silver-50">{user.full_name}</span>
                    <span className="block break-all text-silver-400">{user.email}</span>
                  </button>
                  {/* At phone width the role and status columns fold under the name rather than scroll away. */}
                  <span className="mt-1 flex items-center gap-2 text-silver-300 sm:hidden">
                    {user.role} <StatusBadge user={user} />
                  </span>
                </td>
                <td className="hidden px-4 py-3 text-silver-200 sm:table-cell">{user.role}</td>
                <td className="hidden px-4 py-3 sm:table-cell">
                  <StatusBadge user={user} />
                </td>
                <td className="hidden px-4 py-3 text-silver-300 md:table-cell">
                  <When iso={user.created_at} />
                </td>
                <td className="hidden px-4 py-3 text-silver-300 md:table-cell">
                  <When iso={user.last_login_at} />
                </td>
              </tr>
            ))}
            {page && page.items.length === 0 && (
              <tr>
                <td colSpan={5} className="px-4 py-6 text-center text-silver-400">
                  No users match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} next={page?.next} previous="Previous page" />

      {openId && (
        <UserDrawer
          id={openId}
          canManage={canManage}
          canAudit={canAudit}
          isSelf={openId === selfId}
          onClose={() => setOpenId(undefined)}
          onChanged={() => load().catch(() => {})}
        />
      )}
    </section>
  );
}

/*
 * One user: profile, sessions, connected accounts, second factors, progress and (for admins) their audit trail,
 * with the role and disable/enable controls. Each change asks for confirmation, then for a step-up when the API
 * wants one (withStepUp opens the shared "Confirm it's you" dialog and retries).
 */
function UserDrawer({
  id,
  canManage,
  canAudit,
  isSelf,
  onClose,
  onChanged,
}: {
  id: string;
  canManage: boolean;
  canAudit: boolean;
  isSelf: boolean;
  onClose: () => void;
  onChanged: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [user, setUser] = useState<AdminUserDetail>();
  const [trail, setTrail] = useState<AuditEntry[]>();
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string }>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmDialog, confirm] = useConfirm();

  const load = useCallback(async () => {
    const response = await withAccessToken((options) =>
      client.api.v1.admin.users[':id'].$get({ param: { id } }, options),
    );
    if (!response?.ok) throw new Error('load');
    setUser(await response.json());
    if (canAudit) {
      const audit = await withAccessToken((options) =>
        client.api.v1.admin.audit.$get({ query: { user_id: id, limit: '20' } }, options),
      );
      if (audit?.ok) setTrail((await audit.json()).items);
    }
  }, [id, canAudit]);

  useEffect(() => {
    dialog.current?.showModal();
    load().catch(() => setMessage({ tone: 'danger', text: NETWORK_ERROR }));
  }, [load]);

  async function change(
    json: { role?: AdminUser['role']; is_active?: boolean; disabled_reason?: string | null },
    question: ConfirmRequest,
  ) {
    if (busy || !(await confirm(question))) return;
    setBusy(true);
    setMessage(undefined);
    try {
      const response = await withStepUp((options) =>
        client.api.v1.admin.users[':id'].$patch({ param: { id }, json }, options),
      );
      if (!response) return;
      if (response.status === 409) {
        setMessage({
          tone: 'danger',
          text: 'The bootcamp needs an active admin: this change would leave none, or it is your own account.',
        });
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      await load();
      onChanged();
      setMessage({ tone: 'success', text: 'Saved.' });
    } catch (error) {
      if (!isStepUpCancelled(error)) setMessage({ tone: 'danger', text: NETWORK_ERROR });
    } finally {
      setBusy(false);
    }
  }

  /**
   * A step-up action without a body (DELETE …/sessions, DELETE …/mfa): confirmation, then the call through
   * withStepUp, then the detail again and a line saying what happened.
   */
  async function act(question: ConfirmRequest, call: () => Promise<Response | undefined>, done: string) {
    if (busy || !(await confirm(question))) return;
    setBusy(true);
    setMessage(undefined);
    try {
      const response = await call();
      if (!response) return;
      if (response.status !== 204) throw new Error(String(response.status));
      await load();
      onChanged();
      setMessage({ tone: 'success', text: done });
    } catch (error) {
      if (!isStepUpCancelled(error)) setMessage({ tone: 'danger', text: NETWORK_ERROR });
    } finally {
      setBusy(false);
    }
  }

  const endSessions = () =>
    act(
      {
        title: `End every session of ${user?.email ?? 'this user'}?`,
        body: 'They are signed out on every device at once and have to sign in again.',
        action: 'End every session',
        danger: true,
      },
      () => withStepUp((options) => client.api.v1.admin.users[':id'].sessions.$delete({ param: { id } }, options)),
      'Every session ended.',
    );

  const resetMfa = () =>
    act(
      {
        title: `Reset two-factor authentication for ${user?.email ?? 'this user'}?`,
        body:
          'Their authenticator app and recovery codes are removed, every session ends and they get an email. ' +
          'They then sign in with their password or provider alone. Passkeys stay.',
        action: 'Reset MFA',
        danger: true,
      },
      () => withStepUp((options) => client.api.v1.admin.users[':id'].mfa.$delete({ param: { id } }, options)),
      'Two-factor authentication reset. Every session ended.',
    );

  return (
    <dialog
      ref={dialog}
      aria-labelledby="drawer-title"
      // Only this dialog's own close: React hands a nested dialog's `close` (the confirmation) to this handler too.
      onClose={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      className="m-0 ml-auto h-full max-h-none w-full max-w-xl overflow-y-auto border-l border-ink-700 bg-ink-900 p-0 text-silver-200 backdrop:bg-black/70"
    >
      <div className="space-y-6 p-5 sm:p-6">
        <div className="flex items-start justify-between gap-3">
          <div className="min-w-0">
            <h2 id="drawer-title" className="text-xl font-semibold text-silver-50">
              {user?.full_name ?? 'Loading…'}
            </h2>
            {user && <p className="break-all text-sm text-silver-400">{user.email}</p>}
          </div>
          <button type="button" className="btn btn-ghost px-3 py-1.5" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
        {message &&
          (message.tone === 'danger' ? (
            <ErrorNote text={message.text} />
          ) : (
            <p role="status" className="text-sm text-success">
              {message.text}
            </p>
          ))}
        {user && (
          <>
            <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
              <dt className="text-silver-400">Role</dt>
              <dd className="text-silver-100">{user.role}</dd>
              <dt className="text-silver-400">Status</dt>
              <dd>
                <StatusBadge user={user} />
                {user.disabled_reason && <span className="ml-2 text-silver-300">{user.disabled_reason}</span>}
              </dd>
              <dt className="text-silver-400">Email verified</dt>
              <dd className="text-silver-100">{user.is_verified ? 'yes' : 'no'}</dd>
              <dt className="text-silver-400">Joined</dt>
              <dd className="text-silver-100">
                <When iso={user.created_at} />
              </dd>
              <dt className="text-silver-400">Last sign-in</dt>
              <dd className="text-silver-100">
                <When iso={user.last_login_at} />
              </dd>
              <dt className="text-silver-400">Connected accounts</dt>
              <dd className="text-silver-100">
                {user.oauth.length
                  ? user.oauth.map((o) => `${o.provider}${o.email ? ` (${o.email})` : ''}`).join(', ')
                  : 'none'}
              </dd>
            </dl>

            <section aria-labelledby="mfa-h" className="space-y-2">
              <h3 id="mfa-h" className="font-semibold text-silver-50">
                Two-factor authentication
              </h3>
              <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
                <dt className="text-silver-400">Authenticator app</dt>
                <dd className="text-silver-100">
                  {user.mfa.totp.enabled ? (
                    <>
                      on{' '}
                      {user.mfa.totp.confirmed_at && (
                        <span className="text-silver-400">
                          since <When iso={user.mfa.totp.confirmed_at} />
                        </span>
                      )}
                    </>
                  ) : user.mfa.totp.pending ? (
                    'off (set-up started, not confirmed)'
                  ) : (
                    'off'
                  )}
                </dd>
                <dt className="text-silver-400">Recovery codes left</dt>
                <dd className="text-silver-100">{user.mfa.recovery_codes_remaining}</dd>
                <dt className="text-silver-400">Passkeys</dt>
                <dd className="text-silver-100">{user.mfa.passkeys}</dd>
              </dl>
              {canManage &&
                (user.mfa.totp.enabled || user.mfa.totp.pending || user.mfa.recovery_codes_remaining > 0 ? (
                  <button
                    type="button"
                    className="btn btn-ghost w-full border-danger/60 text-danger sm:w-auto"
                    disabled={busy}
                    onClick={resetMfa}
                  >
                    Reset MFA
                  </button>
                ) : (
                  <p className="text-sm text-silver-400">No authenticator app or recovery codes to reset.</p>
                ))}
            </section>

            {canManage && (
              <section aria-labelledby="manage-title" className="surface space-y-3 rounded-xl p-4">
                <h3 id="manage-title" className="font-semibold text-silver-50">
                  Manage
                </h3>
                {isSelf && (
                  <p className="text-sm text-silver-400">This is your own account: ask another admin to change it.</p>
                )}
                <label className="block text-sm text-silver-300" htmlFor="role-select">
                  Role
                </label>
                <select
                  id="role-select"
                  className={inputClass}
                  value={user.role}
                  disabled={busy || isSelf}
                  onChange={(event) => {
                    const role = event.target.value as AdminUser['role'];
                    change(
                      { role },
                      {
                        title: `Make ${user.email} ${role === 'admin' ? 'an admin' : `a ${role}`}?`,
                        body: roleConsequence[role],
                        action: `Make ${role}`,
                        danger: role === 'admin',
                      },
                    );
                  }}
                >
                  <option value="student">Student</option>
                  <option value="instructor">Instructor</option>
                  <option value="admin">Admin</option>
                </select>
                {user.is_active ? (
                  <div className="space-y-2">
                    <label className="block text-sm text-silver-300" htmlFor="disable-reason">
                      Reason for disabling (shown to admins)
                    </label>
                    <input
                      id="disable-reason"
                      className={inputClass}
                      maxLength={500}
                      value={reason}
                      onChange={(event) => setReason(event.target.value)}
                    />
                    <button
                      type="button"
                      className="btn btn-ghost w-full border-danger/60 text-danger sm:w-auto"
                      disabled={busy || isSelf}
                      onClick={() =>
                        change(
                          { is_active: false, disabled_reason: reason.trim() || null },
                          {
                            title: `Disable ${user.email}?`,
                            body: 'Every session ends now and they cannot sign in by any method until an admin enables the account again.',
                            action: 'Disable account',
                            danger: true,
                          },
                        )
                      }
                    >
                      Disable account
                    </button>
                  </div>
                ) : (
                  <div>
                    <button
                      type="button"
                      className="btn btn-ghost w-full sm:w-auto"
                      disabled={busy}
                      onClick={() =>
                        change(
                          { is_active: true },
                          {
                            title: `Enable ${user.email} again?`,
                            body: 'They can sign in again with every method they had.',
                            action: 'Enable account',
                          },
                        )
                      }
                    >
                      Enable account
                    </button>
                  </div>
                )}
                <div>
                  <button
                    type="button"
                    className="btn btn-ghost w-full sm:w-auto"
                    disabled={busy}
                    onClick={endSessions}
                  >
                    End every session
                  </button>
                </div>
              </section>
            )}

            <section aria-labelledby="sessions-h">
              <h3 id="sessions-h" className="mb-2 font-semibold text-silver-50">
                Signed in on ({user.sessions.length})
              </h3>
              <ul className="space-y-1 text-sm">
                {user.sessions.map((s) => (
                  <li key={s.id} className="text-silver-300">
                    {s.device} · {s.ip_address ?? 'unknown IP'} · last used <When iso={s.last_used_at} />
                  </li>
                ))}
                {user.sessions.length === 0 && <li className="text-silver-400">No live sessions.</li>}
              </ul>
            </section>

            <section aria-labelledby="progress-h">
              <h3 id="progress-h" className="mb-2 font-semibold text-silver-50">
                Progress
              </h3>
              {user.progress.map((course) => (
                <div key={course.course_id} className="mb-3 text-sm">
                  <p className="text-silver-200">
                    {course.title}: {course.completed} of {course.total} lessons ({course.percent} %)
                  </p>
                  <ProgressBar className="mt-1" label={`${course.title} progress`} tally={course} />
                </div>
              ))}
            </section>

            {canAudit && (
              <section aria-labelledby="trail-h">
                <h3 id="trail-h" className="mb-2 font-semibold text-silver-50">
                  Audit trail
                </h3>
                {trail ? <AuditList items={trail} /> : <p className="text-sm text-silver-400">Loading…</p>}
              </section>
            )}
          </>
        )}
      </div>
      {confirmDialog}
    </dialog>
  );
}

const roleConsequence: Record<AdminUser['role'], string> = {
  student: 'They keep their own account and progress, and lose any access to the admin area on their next request.',
  instructor: "From their next request they see every user and each course's learners, but change nothing.",
  admin:
    'From their next request they can change roles, disable accounts, end sessions, reset MFA and read the audit log.',
};
