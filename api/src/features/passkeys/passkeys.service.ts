import { randomBytes } from 'node:crypto';
import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { AuthContext } from '../../auth/sessions';
import {
  CHALLENGE_TTL_SECONDS,
  claimedChallenge,
  newChallenge,
  storeChallenge,
  transportsOf,
} from '../../auth/webauthn';
import { consumeChallenge, listCredentialDescriptors } from '../../auth/webauthn.queries';
import { isUniqueViolation } from '../../db/pg-errors';
import type { Deps } from '../../deps';
import { type MailRecipient, passkeyChangedMail } from '../../mail/account-mail';
import type { RequestMeta } from '../../platform/request-meta';
import { SITE_NAME } from '../../shared/fields';
import type { Passkey, RegistrationResponse } from '../../shared/passkeys';
import { deletePasskey, ensureUserHandle, insertPasskey, type PasskeyRow } from './passkeys.queries';

export function toPasskeyResponse(row: PasskeyRow): Passkey {
  return {
    id: row.id,
    name: row.name,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at ? row.last_used_at.toISOString() : null,
    backed_up: row.backed_up,
  };
}

// Creation options for a new passkey of the signed-in user. A discoverable credential (resident key) so it can sign
// in without an email, user verification required, no attestation (we trust no vendor list and keep none). The
// user's existing passkeys are excluded, so one authenticator is not registered twice.
export async function registrationOptions(
  deps: Deps,
  auth: AuthContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = await ensureUserHandle(deps.sql, {
    userId: auth.user.id,
    candidate: randomBytes(32).toString('base64url'),
  });
  if (!user) throw new Error('the signed-in user has no row');
  const existing = await listCredentialDescriptors(deps.sql, auth.user.id);
  const options = await generateRegistrationOptions({
    rpName: SITE_NAME,
    rpID: deps.config.webauthn.rpId,
    userID: new Uint8Array(Buffer.from(user.webauthn_user_handle, 'base64url')),
    userName: user.email,
    userDisplayName: user.full_name,
    challenge: newChallenge(),
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((credential) => ({
      id: credential.credential_id,
      transports: transportsOf(credential.transports),
    })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  });
  await storeChallenge(deps, {
    challenge: options.challenge,
    purpose: 'registration',
    userId: auth.user.id,
    sessionId: auth.sessionId,
  });
  return options;
}

export type RegisterResult =
  | { ok: true; passkey: Passkey }
  | { ok: false; reason: 'no_challenge' | 'verification_failed' | 'already_registered' };

// Verifies the authenticator's answer to this session's registration challenge (spent first, whatever follows) and
// stores the passkey. Adding a way in ends every other session and mails the owner.
export async function registerPasskey(
  deps: Deps,
  auth: AuthContext,
  body: { name: string; response: RegistrationResponse },
  meta: RequestMeta,
): Promise<RegisterResult> {
  const { config, sql } = deps;
  const now = deps.clock.now();
  const challenge = claimedChallenge(body.response.response.clientDataJSON);
  const claim = { purpose: 'registration' as const, userId: auth.user.id, sessionId: auth.sessionId };
  if (!challenge || !(await consumeChallenge(sql, { challenge, now, claim }))) {
    return { ok: false, reason: 'no_challenge' };
  }
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      // The library's type names the DOM's transport strings; ours are checked for shape and filtered below.
      response: body.response as Parameters<typeof verifyRegistrationResponse>[0]['response'],
      expectedChallenge: challenge,
      expectedOrigin: config.webauthn.origins,
      expectedRPID: config.webauthn.rpId,
      requireUserVerification: true,
    });
  } catch (error) {
    deps.logger.info({ err: error instanceof Error ? error.message : String(error) }, 'passkey registration refused');
    return { ok: false, reason: 'verification_failed' };
  }
  if (!verified.verified || !verified.registrationInfo.userVerified)
    return { ok: false, reason: 'verification_failed' };
  const info = verified.registrationInfo;
  try {
    const row = await insertPasskey(sql, {
      userId: auth.user.id,
      sessionId: auth.sessionId,
      credentialId: info.credential.id,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      transports: transportsOf(body.response.response.transports ?? []),
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      name: body.name,
      now,
      meta,
    });
    await mailPasskeyChange(deps, row.recipient, row.name, 'added', now, meta);
    return { ok: true, passkey: toPasskeyResponse(row) };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'already_registered' };
    throw error;
  }
}

export async function removePasskey(deps: Deps, auth: AuthContext, passkeyId: string, meta: RequestMeta) {
  const now = deps.clock.now();
  const result = await deletePasskey(deps.sql, {
    userId: auth.user.id,
    sessionId: auth.sessionId,
    passkeyId,
    now,
    meta,
  });
  if (result.ok) await mailPasskeyChange(deps, result.recipient, result.name, 'removed', now, meta);
  return result;
}

async function mailPasskeyChange(
  deps: Deps,
  recipient: MailRecipient,
  name: string,
  change: 'added' | 'removed',
  at: Date,
  meta: RequestMeta,
) {
  deps.mailer.send(
    await passkeyChangedMail(deps.config.mail.publicAppUrl, recipient, { name, change, at, ip: meta.ip }),
  );
}
