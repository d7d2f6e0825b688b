import type { Deps } from '../deps';
import type { StepUpMethod } from '../shared/problem';
import { secondFactorMethodsFor } from './second-factor';
import type { AuthContext } from './sessions';
import { findSignInMethods } from './sign-in.queries';

// Step-up (API.md "Step-up: recent authentication", RFC 9470): some routes need the caller's session to have proven a
// factor recently, not just a valid access token. A fresh sign-in does not count: the stamp comes only from an
// explicit POST /auth/reauthenticate, or a provider round trip with `purpose: "reauth"`.

export function hasRecentStepUp(auth: AuthContext, now: Date, maxAgeSeconds: number): boolean {
  const at = auth.reauthenticatedAt;
  return at !== null && now.getTime() - at.getTime() <= maxAgeSeconds * 1000;
}

// How this user can step up, for the `methods` of a `reauthentication_required` problem: for a user with MFA only
// the second factors (a password or a provider round trip alone is not enough then); otherwise the password if the
// account has one, each configured provider it is linked to (sign in there again), and `webauthn` when it has a
// passkey.
export async function stepUpMethods(deps: Deps, userId: string): Promise<StepUpMethod[]> {
  const secondFactors = await secondFactorMethodsFor(deps, userId);
  const methods = await findSignInMethods(deps.sql, userId);
  if (!methods) return [];
  // A passkey steps up on its own (POST /auth/reauthenticate {webauthn}), so it serves a user with MFA too.
  if (secondFactors.length > 0) {
    return [
      ...secondFactors,
      ...(methods.passkeys > 0 && !secondFactors.includes('webauthn') ? (['webauthn'] as const) : []),
    ];
  }
  const providers = methods.providers.filter(
    (provider): provider is 'google' | 'github' =>
      (provider === 'google' || provider === 'github') && deps.config.oauth[provider] !== undefined,
  );
  return [
    ...(methods.has_password ? (['password'] as const) : []),
    ...(methods.passkeys > 0 ? (['webauthn'] as const) : []),
    ...providers,
  ];
}
