import { recordAudit } from '../../audit/audit';
import { mfaStatus } from '../../auth/mfa-status';
import { sessionIdleSince } from '../../auth/sessions';
import type { Deps } from '../../deps';
import { accountSecurityMail } from '../../mail/account-mail';
import type { RequestMeta } from '../../platform/request-meta';
import { describeDevice } from '../../platform/user-agent';
import { percentOf } from '../../shared/percent';
import type { Role } from '../../shared/user';
import * as queries from './admin.queries';
import type { AdminUserPatch, AdminUserResponse } from './admin.schemas';

// The rules of administration that span queries: who may lose the admin role, what disabling does, what is audited.

export type Actor = { id: string; meta: RequestMeta };

export function toAdminUser(row: queries.AdminUserRow): AdminUserResponse {
  return {
    id: row.id,
    email: row.email,
    full_name: row.full_name,
    role: row.role,
    is_active: row.is_active,
    is_verified: row.is_verified,
    created_at: row.created_at.toISOString(),
    last_login_at: row.last_login_at?.toISOString() ?? null,
    disabled_at: row.disabled_at?.toISOString() ?? null,
    disabled_reason: row.disabled_reason,
    mfa_enabled: row.mfa_enabled,
    passkey_count: row.passkey_count,
    oauth_providers: row.oauth_providers,
  };
}

// One user's whole picture for the drawer. Reading it is audited (`admin_viewed_user`): an admin's curiosity about
// an account leaves a trace its owner's export shows.
export async function viewUser(deps: Deps, actor: Actor, userId: string) {
  const { sql } = deps;
  const user = await queries.findAdminUser(sql, userId);
  if (!user) return undefined;
  const now = deps.clock.now();
  const [sessions, oauth, progress, mfa] = await Promise.all([
    queries.listLiveSessions(sql, { userId, now, idleSince: sessionIdleSince(deps, now) }),
    queries.listOAuthLinks(sql, userId),
    queries.listCourseProgress(sql, userId),
    // The same status the owner sees in their Security settings: states and counts, never a secret or a code.
    mfaStatus(deps, userId),
    recordAudit(sql, {
      event: 'admin_viewed_user',
      userId,
      actorId: actor.id,
      email: user.email,
      meta: actor.meta,
    }),
  ]);
  return {
    ...toAdminUser(user),
    sessions: sessions.map((session) => ({
      id: session.id,
      ip_address: session.ip_address,
      user_agent: session.user_agent,
      device: describeDevice(session.user_agent),
      created_at: session.created_at.toISOString(),
      last_used_at: session.last_used_at.toISOString(),
    })),
    oauth,
    mfa,
    progress: progress.map((course) => ({
      ...course,
      percent: percentOf(course.completed, course.total),
      last_activity_at: course.last_activity_at?.toISOString() ?? null,
    })),
  };
}

export type ChangeOutcome =
  | { ok: true; user: AdminUserResponse }
  | { ok: false; reason: 'not_found' | 'last_admin_self' | 'last_admin' | 'reason_needs_disabled' };

// PATCH /admin/users/{id}. The bootcamp never loses its last way into administration: an admin cannot demote or
// disable themself, nor the last active admin. The active admins' rows are locked first, so two admins demoting each
// other at once are serialised and the second sees the first's change. Disabling ends every session in the same
// statement; each change writes its own audit row with the actor.
export async function changeUser(
  deps: Deps,
  actor: Actor,
  userId: string,
  patch: AdminUserPatch,
): Promise<ChangeOutcome> {
  const now = deps.clock.now();
  const outcome = await deps.sql.begin(async (tx): Promise<ChangeOutcome> => {
    const admins = await queries.lockActiveAdmins(tx);
    const target = await queries.lockUser(tx, userId);
    if (!target) return { ok: false, reason: 'not_found' };

    const role: Role = patch.role ?? target.role;
    const isActive = patch.is_active ?? target.is_active;
    const disabling = target.is_active && !isActive;
    const enabling = !target.is_active && isActive;
    if (patch.disabled_reason != null && isActive) return { ok: false, reason: 'reason_needs_disabled' };

    const losesAdmin = target.role === 'admin' && target.is_active && (role !== 'admin' || !isActive);
    if (losesAdmin && target.id === actor.id) return { ok: false, reason: 'last_admin_self' };
    if (losesAdmin && admins.filter((id) => id !== target.id).length === 0) return { ok: false, reason: 'last_admin' };

    const disabledReason = patch.disabled_reason !== undefined ? patch.disabled_reason || null : target.disabled_reason;
    const changed = await queries.applyUserChange(tx, {
      userId,
      role,
      isActive,
      disabledReason,
      disabling,
      enabling,
      now,
      idleSince: sessionIdleSince(deps, now),
    });
    const audit = { userId, actorId: actor.id, email: target.email, meta: actor.meta };
    if (role !== target.role) {
      await recordAudit(tx, { ...audit, event: 'admin_role_changed', metadata: { from: target.role, to: role } });
    }
    if (disabling) {
      await recordAudit(tx, {
        ...audit,
        event: 'admin_user_disabled',
        metadata: { reason: disabledReason, sessions_ended: changed?.sessions_ended ?? 0 },
      });
    }
    if (enabling) await recordAudit(tx, { ...audit, event: 'admin_user_enabled' });
    const user = await queries.findAdminUser(tx, userId);
    if (!user) throw new Error('the user changed a moment ago is gone');
    return { ok: true, user: toAdminUser(user) };
  });
  return outcome;
}

// DELETE /admin/users/{id}/sessions: every session of the account ends; its access tokens fail on their next use.
export async function endSessions(deps: Deps, actor: Actor, userId: string): Promise<boolean> {
  const user = await queries.findAdminUser(deps.sql, userId);
  if (!user) return false;
  const ended = await queries.endAllSessions(deps.sql, { userId, now: deps.clock.now(), reason: 'ended_by_admin' });
  await recordAudit(deps.sql, {
    event: 'admin_sessions_ended',
    userId,
    actorId: actor.id,
    email: user.email,
    meta: actor.meta,
    metadata: { sessions_ended: ended },
  });
  return true;
}

// DELETE /admin/users/{id}/mfa: for an owner who lost their authenticator app and their recovery codes. The factors
// go, every session ends (whoever holds one may be the reason for the reset), the owner is mailed (if it was not
// them who asked, they learn of it at once) and the reset is audited with the actor. Passkeys are kept: each is a
// way in of its own, and removing them could leave the owner none; the owner removes them in their settings.
// Answers false for an unknown user.
export async function resetMfa(deps: Deps, actor: Actor, userId: string): Promise<boolean> {
  const now = deps.clock.now();
  const owner = await deps.sql.begin(async (tx) => {
    const reset = await queries.resetMfa(tx, { userId, now, reason: 'mfa_reset_by_admin' });
    if (!reset) return undefined;
    await recordAudit(tx, {
      event: 'admin_mfa_reset',
      userId,
      actorId: actor.id,
      email: reset.email,
      meta: actor.meta,
      metadata: {
        totp_was_enabled: reset.totp_was_enabled,
        totp_removed: reset.totp_removed,
        recovery_codes_removed: reset.recovery_codes_removed,
        challenges_removed: reset.challenges_removed,
        sessions_ended: reset.sessions_ended,
      },
    });
    return reset;
  });
  if (!owner) return false;
  deps.mailer.send(
    await accountSecurityMail(deps.config.mail.publicAppUrl, owner, {
      subject: 'An administrator reset two-factor authentication for your account',
      what: 'An administrator removed the authenticator app and the recovery codes of your account: signing in no longer asks for a code. Your passkeys were kept.',
      done: 'Every device was signed out. Set up an authenticator app again in your security settings.',
      at: now,
      ip: actor.meta.ip,
    }),
  );
  return true;
}
