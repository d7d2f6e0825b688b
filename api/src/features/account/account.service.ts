import { UAParser } from 'ua-parser-js';
import { CLIs, Libraries } from 'ua-parser-js/extensions';
import { checkPasswordPolicy } from '../../auth/password-policy';
import { hashPassword, verifyPassword } from '../../auth/passwords';
import { generateOpaqueToken, hashToken } from '../../auth/tokens';
import { addSeconds } from '../../lib/clock';
import type { AuthContext, AuthUser, Deps } from '../../lib/types';
import { PASSWORD_RESET_TTL_HOURS, VERIFY_EMAIL_TTL_HOURS } from '../../schemas';
import { insertAudit } from '../auth/auth.queries';
import type { RequestMeta } from '../auth/auth.service';
import { passwordChangedMail, passwordResetMail, verifyEmailMail } from './account.mail';
import {
  completePasswordChange,
  completePasswordReset,
  consumeVerificationToken,
  findPasswordHash,
  findPasswordResetTokenOwner,
  insertPasswordResetToken,
  insertVerificationToken,
  listActiveSessions,
  revokeSessionsOfUser,
  type SessionRow,
  updateFullName,
} from './account.queries';
import type { SessionResponse } from './account.schemas';

// The lifetimes of the mailed links live in ../../schemas, where the web app reads them for its messages too.
export { PASSWORD_RESET_TTL_HOURS, VERIFY_EMAIL_TTL_HOURS };

const auditMeta = (meta: RequestMeta) => ({ ip: meta.ip, userAgent: meta.userAgent });

export async function requestEmailVerification(
  deps: Deps,
  user: AuthUser,
  meta: RequestMeta,
): Promise<{ sent: boolean }> {
  if (user.is_verified) return { sent: false };
  const now = deps.clock.now();
  const token = generateOpaqueToken();
  await insertVerificationToken(deps.sql, {
    userId: user.id,
    email: user.email,
    tokenHash: hashToken(token),
    now,
    expiresAt: addSeconds(now, VERIFY_EMAIL_TTL_HOURS * 3600),
    audit: auditMeta(meta),
  });
  // After the commit, in the background: the token is safe in the database whatever SMTP does.
  deps.mailer.send(verifyEmailMail(deps.config.mail.publicAppUrl, user, token, VERIFY_EMAIL_TTL_HOURS));
  return { sent: true };
}

export async function verifyEmail(deps: Deps, token: string, meta: RequestMeta) {
  return consumeVerificationToken(deps.sql, {
    tokenHash: hashToken(token),
    now: deps.clock.now(),
    audit: auditMeta(meta),
  });
}

// Known and unknown emails take the same path: one statement, no await on SMTP, the same answer.
export async function requestPasswordReset(deps: Deps, email: string, meta: RequestMeta) {
  const now = deps.clock.now();
  const token = generateOpaqueToken();
  const user = await insertPasswordResetToken(deps.sql, {
    email,
    tokenHash: hashToken(token),
    now,
    expiresAt: addSeconds(now, PASSWORD_RESET_TTL_HOURS * 3600),
    audit: auditMeta(meta),
  });
  if (user) deps.mailer.send(passwordResetMail(deps.config.mail.publicAppUrl, user, token, PASSWORD_RESET_TTL_HOURS));
}

export type ResetResult =
  | { ok: true }
  | { ok: false; reason: 'invalid_token' }
  | { ok: false; reason: 'weak_password'; message: string };

export async function resetPassword(
  deps: Deps,
  input: { token: string; newPassword: string },
  meta: RequestMeta,
): Promise<ResetResult> {
  const { sql, config } = deps;
  const tokenHash = hashToken(input.token);
  const owner = await findPasswordResetTokenOwner(sql, { tokenHash, now: deps.clock.now() });
  if (!owner) return { ok: false, reason: 'invalid_token' };
  const weakness = checkPasswordPolicy(input.newPassword, owner.email);
  if (weakness) return { ok: false, reason: 'weak_password', message: weakness };
  const hashedPassword = await hashPassword(input.newPassword, config.bcryptRounds);
  const now = deps.clock.now();
  const done = await completePasswordReset(sql, { tokenHash, hashedPassword, now, audit: auditMeta(meta) });
  if (!done) return { ok: false, reason: 'invalid_token' };
  deps.mailer.send(passwordChangedMail(config.mail.publicAppUrl, done, { kind: 'reset', at: now, ip: meta.ip }));
  return { ok: true };
}

export type ChangePasswordResult =
  | { ok: true }
  | { ok: false; reason: 'wrong_password' }
  | { ok: false; reason: 'weak_password'; message: string };

export async function changePassword(
  deps: Deps,
  auth: AuthContext,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<ChangePasswordResult> {
  const { sql, config } = deps;
  const { user, sessionId } = auth;
  const weakness = checkPasswordPolicy(input.newPassword, user.email);
  if (weakness) return { ok: false, reason: 'weak_password', message: weakness };

  const currentHash = await findPasswordHash(sql, user.id);
  if (!currentHash || !(await verifyPassword(input.currentPassword, currentHash))) {
    // Nothing else happens: the session stays, only the attempt is recorded.
    await insertAudit(sql, { event: 'password_change_failed', userId: user.id, email: user.email, ...auditMeta(meta) });
    return { ok: false, reason: 'wrong_password' };
  }
  const hashedPassword = await hashPassword(input.newPassword, config.bcryptRounds);
  const now = deps.clock.now();
  const changed = await completePasswordChange(sql, {
    userId: user.id,
    sessionId,
    expectedHash: currentHash,
    hashedPassword,
    now,
    audit: auditMeta(meta),
  });
  // Another change landed between our verify and our update: the password we checked is no longer current.
  if (!changed) return { ok: false, reason: 'wrong_password' };
  deps.mailer.send(passwordChangedMail(config.mail.publicAppUrl, changed, { kind: 'changed', at: now, ip: meta.ip }));
  return { ok: true };
}

export async function updateProfile(deps: Deps, user: AuthUser, input: { fullName: string }, meta: RequestMeta) {
  const updated = await updateFullName(deps.sql, {
    userId: user.id,
    fullName: input.fullName,
    now: deps.clock.now(),
    audit: auditMeta(meta),
  });
  if (!updated) throw new Error('profile update matched no user');
  return updated;
}

export async function listSessions(deps: Deps, auth: AuthContext): Promise<SessionResponse[]> {
  const now = deps.clock.now();
  const rows = await listActiveSessions(deps.sql, {
    userId: auth.user.id,
    now,
    idleSince: addSeconds(now, -deps.config.refreshTokenTtlSeconds),
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
    audit: auditMeta(meta),
  });
  return revoked.length > 0;
}

export async function revokeOtherSessions(deps: Deps, auth: AuthContext, meta: RequestMeta) {
  const revoked = await revokeSessionsOfUser(deps.sql, {
    userId: auth.user.id,
    email: auth.user.email,
    now: deps.clock.now(),
    scope: { allExcept: auth.sessionId },
    audit: auditMeta(meta),
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

// "Chrome 120 on macOS", "Mobile Safari 17 on iOS", "curl 8", "Linux", or "Unknown device". The extensions
// name the command-line tools and HTTP libraries an API also sees.
const UA_EXTENSIONS = [CLIs, Libraries].flat();

export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os } = UAParser(userAgent, UA_EXTENSIONS);
  const browserName = browser.name ? [browser.name, browser.major].filter(Boolean).join(' ') : undefined;
  if (browserName && os.name) return `${browserName} on ${os.name}`;
  return browserName ?? os.name ?? 'Unknown device';
}
