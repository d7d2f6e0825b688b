import { checkCurrentPassword } from '../../auth/current-password';
import { checkPasswordPolicy } from '../../auth/password-policy';
import { hashPassword } from '../../auth/passwords';
import { type AuthContext, sessionIdleSince } from '../../auth/sessions';
import type { AuthUser } from '../../auth/user';
import type { Deps } from '../../deps';
import { passwordChangedMail } from '../../mail/account-mail';
import type { RequestMeta } from '../../platform/request-meta';
import { describeDevice } from '../../platform/user-agent';
import {
  completePasswordChange,
  listActiveSessions,
  revokeSessionsOfUser,
  type SessionRow,
  updateFullName,
} from './users.queries';
import type { SessionResponse } from './users.schemas';

export type ChangePasswordResult =
  | { ok: true }
  | { ok: false; reason: 'wrong_password'; sessionEnded: boolean }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number }
  | { ok: false; reason: 'weak_password'; message: string };

export async function changePassword(
  deps: Deps,
  auth: AuthContext,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<ChangePasswordResult> {
  const { sql, config } = deps;
  const { user, sessionId } = auth;
  // The new password is judged first: a weak one costs no guess and no bcrypt.
  const weakness = checkPasswordPolicy(input.newPassword, user.email);
  if (weakness) return { ok: false, reason: 'weak_password', message: weakness };

  const check = await checkCurrentPassword(deps, auth, input.currentPassword, meta, {
    failed: 'password_change_failed',
    locked: 'password_change_locked',
  });
  if (!check.ok) return check;
  const hashedPassword = await deps.passwordWork.run((slot) =>
    hashPassword(input.newPassword, config.bcryptRounds, slot),
  );
  const now = deps.clock.now();
  const changed = await completePasswordChange(sql, {
    userId: user.id,
    sessionId,
    expectedHash: check.verifiedHash,
    hashedPassword,
    now,
    meta,
  });
  // Another change landed between our verify and our update: the password we checked is no longer current.
  if (!changed) return { ok: false, reason: 'wrong_password', sessionEnded: false };
  deps.mailer.send(
    await passwordChangedMail(config.mail.publicAppUrl, changed, { kind: 'changed', at: now, ip: meta.ip }),
  );
  return { ok: true };
}

export async function updateProfile(deps: Deps, user: AuthUser, input: { fullName: string }, meta: RequestMeta) {
  const updated = await updateFullName(deps.sql, {
    userId: user.id,
    fullName: input.fullName,
    now: deps.clock.now(),
    meta,
  });
  if (!updated) throw new Error('profile update matched no user');
  return updated;
}

export async function listSessions(deps: Deps, auth: AuthContext): Promise<SessionResponse[]> {
  const now = deps.clock.now();
  const rows = await listActiveSessions(deps.sql, {
    userId: auth.user.id,
    now,
    idleSince: sessionIdleSince(deps, now),
  });
  return rows.map((row) => toSessionResponse(row, auth.sessionId));
}

// true when the session was the caller's and live; false for another user's, an unknown or an ended one.
export async function revokeSession(deps: Deps, auth: AuthContext, sessionId: string, meta: RequestMeta) {
  const revoked = await revokeSessionsOfUser(deps.sql, {
    userId: auth.user.id,
    email: auth.user.email,
    now: deps.clock.now(),
    scope: { sessionId },
    meta,
  });
  return revoked.length > 0;
}

export async function revokeOtherSessions(deps: Deps, auth: AuthContext, meta: RequestMeta) {
  const revoked = await revokeSessionsOfUser(deps.sql, {
    userId: auth.user.id,
    email: auth.user.email,
    now: deps.clock.now(),
    scope: { allExcept: auth.sessionId },
    meta,
  });
  return revoked.length;
}

function toSessionResponse(row: SessionRow, currentSessionId: string): SessionResponse {
  return {
    id: row.id,
    ip_address: row.ip_address,
    user_agent: row.user_agent,
    device: describeDevice(row.user_agent),
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at.toISOString(),
    current: row.id === currentSessionId,
  };
}
