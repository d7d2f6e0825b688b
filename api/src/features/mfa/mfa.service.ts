import { confirmTotp, deleteTotp, findTotpFactor, replaceRecoveryCodes, savePendingTotp } from '../../auth/mfa.queries';
import { decryptTotpSecret, encryptTotpSecret } from '../../auth/mfa-keys';
import { newRecoveryCodeBatch } from '../../auth/recovery-codes';
import type { AuthContext } from '../../auth/sessions';
import { checkTotpCode, generateTotpSecret, totpUri } from '../../auth/totp';
import type { Deps } from '../../deps';
import { accountSecurityMail, type MailRecipient } from '../../mail/account-mail';
import type { RequestMeta } from '../../platform/request-meta';

// Setting up and removing second factors from the account's Security settings.

export async function startTotpEnrollment(
  deps: Deps,
  auth: AuthContext,
  meta: RequestMeta,
): Promise<{ ok: true; secret: string; otpauthUrl: string } | { ok: false; reason: 'already_enabled' }> {
  const secret = generateTotpSecret();
  const saved = await savePendingTotp(deps.sql, {
    userId: auth.user.id,
    secretEncrypted: encryptTotpSecret(deps.mfaKeys, auth.user.id, secret),
    now: deps.clock.now(),
    meta,
  });
  if (!saved) return { ok: false, reason: 'already_enabled' };
  return { ok: true, secret, otpauthUrl: totpUri(secret, auth.user.email) };
}

export type ConfirmResult =
  | { ok: true; recoveryCodes: string[] | undefined }
  | { ok: false; reason: 'no_pending_enrollment' | 'invalid_code' };

export async function confirmTotpEnrollment(
  deps: Deps,
  auth: AuthContext,
  code: string,
  meta: RequestMeta,
): Promise<ConfirmResult> {
  const { user } = auth;
  const factor = await findTotpFactor(deps.sql, user.id);
  if (!factor || factor.confirmed_at) return { ok: false, reason: 'no_pending_enrollment' };
  const now = deps.clock.now();
  const secret = decryptTotpSecret(deps.mfaKeys, user.id, factor.secret_encrypted);
  const lastUsedStep = factor.last_used_step === null ? null : Number(factor.last_used_step);
  const check = await checkTotpCode(secret, code, now, lastUsedStep);
  if (!check.ok) return { ok: false, reason: 'invalid_code' };
  const batch = newRecoveryCodeBatch(deps.mfaKeys);
  const confirmed = await confirmTotp(deps.sql, {
    userId: user.id,
    sessionId: auth.sessionId,
    step: check.step,
    now,
    recoveryCodes: batch.rows,
    meta,
  });
  // Another confirmation won the race (or the enrollment was replaced meanwhile): this code is not accepted.
  if (!confirmed) return { ok: false, reason: 'invalid_code' };
  await mailOwner(deps, confirmed, meta, {
    subject: 'Two-factor authentication is now on for your account',
    what: 'An authenticator app was set up as a second step of signing in to your account.',
    done: 'Every other device was signed out.',
  });
  return { ok: true, recoveryCodes: confirmed.codes_stored ? batch.codes : undefined };
}

export async function turnOffTotp(deps: Deps, auth: AuthContext, meta: RequestMeta): Promise<boolean> {
  const deleted = await deleteTotp(deps.sql, {
    userId: auth.user.id,
    sessionId: auth.sessionId,
    now: deps.clock.now(),
    meta,
  });
  if (!deleted) return false;
  if (deleted.was_enabled) {
    await mailOwner(deps, deleted, meta, {
      subject: 'Two-factor authentication was turned off for your account',
      what: 'The authenticator app of your account was removed: signing in no longer asks for a code.',
      done: 'Your recovery codes no longer work, and every other device was signed out.',
    });
  }
  return true;
}

export async function regenerateRecoveryCodes(
  deps: Deps,
  auth: AuthContext,
  meta: RequestMeta,
): Promise<string[] | undefined> {
  const batch = newRecoveryCodeBatch(deps.mfaKeys);
  const owner = await replaceRecoveryCodes(deps.sql, {
    userId: auth.user.id,
    sessionId: auth.sessionId,
    now: deps.clock.now(),
    recoveryCodes: batch.rows,
    meta,
  });
  if (!owner) return undefined;
  await mailOwner(deps, owner, meta, {
    subject: 'New recovery codes were made for your account',
    what: 'A new set of recovery codes was made for your account.',
    done: 'The old codes no longer work.',
  });
  return batch.codes;
}

async function mailOwner(
  deps: Deps,
  owner: MailRecipient,
  meta: RequestMeta,
  message: { subject: string; what: string; done: string },
) {
  deps.mailer.send(
    await accountSecurityMail(deps.config.mail.publicAppUrl, owner, { ...message, at: deps.clock.now(), ip: meta.ip }),
  );
}
