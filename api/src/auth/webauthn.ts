import { randomBytes } from 'node:crypto';
import {
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import { recordAudit } from '../audit/audit';
import type { Deps } from '../deps';
import { addSeconds } from '../platform/clock';
import type { RequestMeta } from '../platform/request-meta';
import type { AuthenticationResponse } from '../shared/passkeys';
import {
  type ChallengeClaim,
  type ChallengeOwner,
  type ChallengePurpose,
  consumeChallenge,
  findPasskeyByCredentialId,
  insertChallenge,
  listCredentialDescriptors,
  recordPasskeyUse,
  type StoredPasskey,
} from './webauthn.queries';

// WebAuthn, the primitive: challenges kept server-side, and the one check of an assertion (a passkey answering a
// challenge) that the passwordless sign-in, the step-up and the MFA step all call. @simplewebauthn/server generates
// the options and verifies signatures, origins, RP ID and flags; this module owns the policy: user verification
// always, the counter rule, single-use challenges.

// API.md: five minutes. The browser's own timeout is the same, so a prompt never outlives its challenge.
export const CHALLENGE_TTL_SECONDS = 300;

// 32 random bytes, base64url: 43 characters (the column checks it).
export function newChallenge(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(randomBytes(32));
}

export async function storeChallenge(
  deps: Deps,
  params: ChallengeOwner & { challenge: string; purpose: ChallengePurpose },
) {
  const now = deps.clock.now();
  return insertChallenge(deps.sql, { ...params, now, expiresAt: addSeconds(now, CHALLENGE_TTL_SECONDS) });
}

export function transportsOf(values: readonly string[]): AuthenticatorTransportFuture[] {
  const known = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
  return values.filter((value): value is AuthenticatorTransportFuture => known.has(value));
}

// Request options for one user's passkeys (step-up, second factor), or for any discoverable passkey (passwordless
// sign-in: no allowCredentials, the authenticator offers what it holds for this RP ID). User verification is always
// required: a passkey sign-in counts as two factors only because the authenticator checked its owner.
export async function assertionOptions(
  deps: Deps,
  params: ChallengeOwner & { purpose: Exclude<ChallengePurpose, 'registration'> },
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const allowCredentials =
    params.userId === null
      ? undefined
      : (await listCredentialDescriptors(deps.sql, params.userId)).map((credential) => ({
          id: credential.credential_id,
          transports: transportsOf(credential.transports),
        }));
  const options = await generateAuthenticationOptions({
    rpID: deps.config.webauthn.rpId,
    challenge: newChallenge(),
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    userVerification: 'required',
    allowCredentials,
  });
  const challengeId = await storeChallenge(deps, { ...params, challenge: options.challenge });
  return { challengeId, options };
}

// The challenge a response claims to answer, read from its client data (unsigned until verified: it only picks the
// row to spend, and the library then checks the signature over it).
export function claimedChallenge(clientDataJSON: string): string | undefined {
  try {
    const { challenge } = decodeClientDataJSON(clientDataJSON);
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{43}$/.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

export type AssertionFailure =
  | 'no_challenge'
  | 'unknown_passkey'
  | 'user_handle_mismatch'
  | 'verification_failed'
  | 'backup_eligibility_changed'
  | 'counter_regressed';

export type AssertionResult =
  | { ok: true; passkey: Pick<StoredPasskey, 'id' | 'user_id' | 'name'> }
  | { ok: false; reason: AssertionFailure };

// Checks an assertion against the challenge it claims (spent first, whatever follows) and the passkey it names, and
// records the use. A failure changes nothing but the spent challenge: the counter, backup state and last use of a
// passkey move only after the signature, origin, RP ID and user verification all passed.
//
// The counter rule (API.md): a counter that does not move forward means two authenticators hold one private key. For
// a device-bound passkey that is a clone: refused, audited `passkey_clone_suspected`. A synced (backup-eligible)
// passkey legitimately lives on several devices, many of which always report 0 or keep their own count: only
// audited (`passkey_counter_regressed`), so a strict counter never locks its owner out.
export async function verifyAssertion(
  deps: Deps,
  params: { response: AuthenticationResponse; claim: ChallengeClaim; meta: RequestMeta },
): Promise<AssertionResult> {
  const { config, sql } = deps;
  const { response, claim, meta } = params;
  const now = deps.clock.now();
  const challenge = claimedChallenge(response.response.clientDataJSON);
  if (!challenge || !(await consumeChallenge(sql, { challenge, now, claim }))) {
    return { ok: false, reason: 'no_challenge' };
  }
  const passkey = await findPasskeyByCredentialId(sql, response.id);
  // A step-up or second factor takes only the user's own passkeys.
  if (!passkey || (claim.purpose !== 'sign_in' && passkey.user_id !== claim.userId)) {
    return { ok: false, reason: 'unknown_passkey' };
  }
  const fail = async (reason: AssertionFailure, details: Record<string, string | number> = {}) => {
    await recordAudit(sql, {
      event: reason === 'counter_regressed' ? 'passkey_clone_suspected' : 'passkey_failed',
      userId: passkey.user_id,
      meta,
      metadata: { passkey_id: passkey.id, purpose: claim.purpose, reason, ...details },
    });
    return { ok: false as const, reason };
  };
  // A discoverable sign-in names its account only through the user handle the passkey was made with.
  if (claim.purpose === 'sign_in' && response.response.userHandle !== (passkey.webauthn_user_handle ?? undefined)) {
    return fail('user_handle_mismatch');
  }

  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: config.webauthn.origins,
      expectedRPID: config.webauthn.rpId,
      requireUserVerification: true,
      // The counter policy is ours (above), so the library is given none to enforce.
      credential: {
        id: passkey.credential_id,
        publicKey: new Uint8Array(passkey.public_key),
        counter: 0,
        transports: transportsOf(passkey.transports),
      },
    });
  } catch (error) {
    deps.logger.info({ err: error instanceof Error ? error.message : String(error) }, 'passkey assertion refused');
    return fail('verification_failed');
  }
  if (!verified.verified || !verified.authenticationInfo.userVerified) return fail('verification_failed');

  const info = verified.authenticationInfo;
  // Backup eligibility is fixed when a credential is made (WebAuthn §6.1.3): a change means another authenticator.
  if (info.credentialDeviceType !== passkey.device_type) return fail('backup_eligibility_changed');
  const counterRegressed = (info.newCounter > 0 || passkey.counter > 0) && info.newCounter <= passkey.counter;
  const counterDetails = { stored_counter: passkey.counter, presented_counter: info.newCounter };
  if (counterRegressed && passkey.device_type === 'singleDevice') return fail('counter_regressed', counterDetails);

  const recorded = await recordPasskeyUse(sql, {
    passkeyId: passkey.id,
    newCounter: info.newCounter,
    backedUp: info.credentialBackedUp,
    now,
  });
  // Lost a race with another use of the same device-bound passkey that moved the counter past this one.
  if (!recorded) return fail('counter_regressed', counterDetails);
  if (counterRegressed) {
    await recordAudit(sql, {
      event: 'passkey_counter_regressed',
      userId: passkey.user_id,
      meta,
      metadata: { passkey_id: passkey.id, purpose: claim.purpose, ...counterDetails },
    });
  }
  return { ok: true, passkey: { id: passkey.id, user_id: passkey.user_id, name: passkey.name } };
}
