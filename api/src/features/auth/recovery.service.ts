import { checkPasswordPolicy } from '../../auth/password-policy';
import { hashPassword, verifyPassword } from '../../auth/passwords';
import { generateOpaqueToken, hashToken } from '../../auth/tokens';
import type { AuthUser } from '../../auth/user';
import type { Deps } from '../../deps';
import { passwordChangedMail, passwordResetMail, verifyEmailMail } from '../../mail/account-mail';
import { addSeconds } from '../../platform/clock';
import type { RequestMeta } from '../../platform/request-meta';
import { PASSWORD_RESET_TTL_HOURS, SAME_PASSWORD_RESET_MESSAGE, VERIFY_EMAIL_TTL_HOURS } from '../../shared/fields';
import {
  completePasswordReset,
  consumeVerificationToken,
  findPasswordResetTokenOwner,
  insertPasswordResetToken,
  insertVerificationToken,
} from './recovery.queries';

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
    meta,
  });
  // After the commit, in the background: the token is safe in the database whatever SMTP does.
  deps.mailer.send(await verifyEmailMail(deps.config.mail.publicAppUrl, user, token, VERIFY_EMAIL_TTL_HOURS));
  return { sent: true };
}

export async function verifyEmail(deps: Deps, token: string, meta: RequestMeta) {
  return consumeVerificationToken(deps.sql, {
    tokenHash: hashToken(token),
    now: deps.clock.now(),
    meta,
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
    meta,
  });
  if (user)
    deps.mailer.send(await passwordResetMail(deps.config.mail.publicAppUrl, user, token, PASSWORD_RESET_TTL_HOURS));
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
  const currentHash = owner.hashed_password;
  // The link proves the address, so telling its holder "that is already the password" gives nothing away; the
  // token stays unused, and the owner can sign in with it or choose another.
  const hashed = await deps.passwordWork.run(async (slot) => {
    if (currentHash && (await verifyPassword(input.newPassword, currentHash, slot))) return undefined;
    return hashPassword(input.newPassword, config.bcryptRounds, slot);
  });
  if (!hashed) return { ok: false, reason: 'weak_password', message: SAME_PASSWORD_RESET_MESSAGE };
  const now = deps.clock.now();
  const done = await completePasswordReset(sql, { tokenHash, hashedPassword: hashed, now, meta });
  if (!done) return { ok: false, reason: 'invalid_token' };
  deps.mailer.send(await passwordChangedMail(config.mail.publicAppUrl, done, { kind: 'reset', at: now, ip: meta.ip }));
  return { ok: true };
}
