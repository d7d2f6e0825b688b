import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { findLiveChallengeUser } from '../../auth/mfa.queries';
import { completeSignIn, MFA_CHALLENGE_MAX_ATTEMPTS, type SignInOutcome } from '../../auth/sign-in';
import { findUserById } from '../../auth/sign-in.queries';
import { hashToken } from '../../auth/tokens';
import { assertionOptions, verifyAssertion } from '../../auth/webauthn';
import { listCredentialDescriptors } from '../../auth/webauthn.queries';
import type { Deps } from '../../deps';
import type { RequestMeta } from '../../platform/request-meta';
import type { AuthenticationResponse } from '../../shared/passkeys';

export type PasskeySignInResult = SignInOutcome | { ok: false; reason: 'invalid' };

// Passwordless sign-in: a discoverable, user-verified passkey answers the challenge handed out with `challengeId`,
// then the one sign-in gate runs (disabled account, session, audit). A user-verified passkey counts as two factors.
export async function signInWithPasskey(
  deps: Deps,
  body: { challenge_id: string; response: AuthenticationResponse },
  meta: RequestMeta,
): Promise<PasskeySignInResult> {
  const assertion = await verifyAssertion(deps, {
    response: body.response,
    claim: { purpose: 'sign_in', challengeId: body.challenge_id },
    meta,
  });
  if (!assertion.ok) return { ok: false, reason: 'invalid' };
  const user = await findUserById(deps.sql, assertion.passkey.user_id);
  if (!user) return { ok: false, reason: 'invalid' };
  return completeSignIn(deps, user, 'passkey', meta);
}

export type SecondFactorOptionsResult =
  | { ok: true; options: PublicKeyCredentialRequestOptionsJSON }
  | { ok: false; reason: 'invalid_challenge' | 'no_passkeys' };

// Request options for the passkeys of the user a pending sign-in (its mfa_token) belongs to. The mfa_token is only
// read: asking is not a try, and the challenge row (purpose `second_factor`, bound to the user) is what the verify's
// webauthn check spends.
export async function secondFactorOptions(deps: Deps, mfaToken: string): Promise<SecondFactorOptionsResult> {
  const userId = await findLiveChallengeUser(deps.sql, {
    tokenHash: hashToken(mfaToken),
    now: deps.clock.now(),
    maxAttempts: MFA_CHALLENGE_MAX_ATTEMPTS,
  });
  if (!userId) return { ok: false, reason: 'invalid_challenge' };
  const existing = await listCredentialDescriptors(deps.sql, userId);
  if (existing.length === 0) return { ok: false, reason: 'no_passkeys' };
  const { options } = await assertionOptions(deps, { purpose: 'second_factor', userId, sessionId: null });
  return { ok: true, options };
}
