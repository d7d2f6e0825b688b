import { recordAudit } from '../audit/audit';
import type { Deps } from '../deps';
import { addSeconds, toSeconds } from '../platform/clock';
import type { RequestMeta } from '../platform/request-meta';
import type { OAuthProviderId } from '../shared/oauth';
import type { TokenPair } from '../shared/user';
import { grantAdmin } from './admin-grant';
import { consumeChallenge, insertMfaChallenge, reserveChallengeAttempt } from './mfa.queries';
import {
  type SecondFactorMethod,
  type SecondFactorProof,
  secondFactorMethodsFor,
  verifySecondFactor,
} from './second-factor';
import { createSignInSession, findUserById } from './sign-in.queries';
import { createAccessToken, generateOpaqueToken, hashToken } from './tokens';
import type { AuthUser } from './user';

// The sign-in gate: every way in (password, Google, GitHub, a passkey) ends here once its first factor
// has been checked, so the rules after it hold for all of them alike: a disabled account is refused, MFA is asked
// for, the session is created and the sign-in audited. No HTTP here: each route maps the outcome to its answer.

// 'passkey': a passwordless sign-in with a user-verified passkey (API.md: that counts as two factors).
export type SignInMethod = 'password' | 'passkey' | OAuthProviderId;

export type SignInOutcome =
  | { ok: true; pair: TokenPair; user: AuthUser; sessionId: string; refreshExpiresAt: Date }
  | { ok: false; reason: 'disabled' }
  // The first factor passed and the user has MFA: no session yet. The client finishes with POST /auth/mfa/verify.
  | { ok: false; reason: 'mfa_required'; mfaToken: string; methods: SecondFactorMethod[]; expiresAt: Date }
  // A second factor sent along with the first (the form login's `totp`) was wrong, or the MFA step is locked.
  | { ok: false; reason: 'mfa_invalid' };

export type SecondFactor = { required: false } | { required: true; methods: SecondFactorMethod[] };

// The one answer to "must this user show a second factor?", asked by the sign-in gate below for every way in and by
// the step-up (POST /auth/reauthenticate), where a first factor alone is not enough for a user with MFA.
// A passkey sign-in never needs one: the passkey is something you have, and the user verification it requires
// (biometric or PIN on the device) is the second factor.
export async function secondFactorFor(deps: Deps, user: AuthUser, method: SignInMethod): Promise<SecondFactor> {
  if (method === 'passkey') return { required: false };
  const methods = await secondFactorMethodsFor(deps, user.id);
  return methods.length > 0 ? { required: true, methods } : { required: false };
}

// API.md: the mfa_token lives 5 minutes and takes at most 5 codes.
export const MFA_CHALLENGE_TTL_SECONDS = 300;
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5;

export type SignInOptions = {
  // A second factor sent with the first, for clients that cannot do two steps (Swagger UI, curl): the form login's
  // `totp` field. Checked only for a user with MFA; ignored otherwise.
  secondFactorProof?: SecondFactorProof;
  // Set by completeMfaChallenge once the challenge's second factor passed.
  secondFactorPassed?: SecondFactorMethod;
};

export async function completeSignIn(
  deps: Deps,
  signingIn: AuthUser,
  method: SignInMethod,
  meta: RequestMeta,
  options: SignInOptions = {},
): Promise<SignInOutcome> {
  const { config, sql } = deps;
  let user = signingIn;
  if (!user.is_active) {
    await recordAudit(sql, { event: 'login_disabled', userId: user.id, email: user.email, meta, metadata: { method } });
    return { ok: false, reason: 'disabled' };
  }
  let secondFactorUsed: SecondFactorMethod | null = options.secondFactorPassed ?? null;
  if (!secondFactorUsed) {
    const secondFactor = await secondFactorFor(deps, user, method);
    if (secondFactor.required) {
      if (!options.secondFactorProof) return startMfaChallenge(deps, user, method, secondFactor.methods);
      const checked = await verifySecondFactor(
        deps,
        user,
        options.secondFactorProof,
        { purpose: 'sign_in', challengeTokenHash: null },
        meta,
      );
      if (!checked.ok) return { ok: false, reason: 'mfa_invalid' };
      secondFactorUsed = checked.method;
    }
  }
  // ADMIN_EMAILS: granted once the sign-in is complete (after the second factor), never on a first factor alone.
  if (config.adminEmails.includes(user.email) && user.is_verified && user.role !== 'admin') {
    await grantAdmin(sql, { emails: [user.email], source: 'ADMIN_EMAILS', onlyVerified: true, now: deps.clock.now() });
    user = { ...user, role: 'admin' };
  }

  const now = deps.clock.now();
  const refreshToken = generateOpaqueToken();
  const sessionExpiresAt = addSeconds(now, config.sessionMaxSeconds);
  const refreshExpiresAt = minDate(addSeconds(now, config.refreshTokenTtlSeconds), sessionExpiresAt);
  const session = await createSignInSession(sql, {
    userId: user.id,
    email: user.email,
    method,
    secondFactor: secondFactorUsed,
    meta,
    now,
    sessionExpiresAt,
    refreshTokenHash: hashToken(refreshToken),
    refreshExpiresAt,
  });
  const accessToken = await signAccessToken(deps, user, session.session_id, now);
  return {
    ok: true,
    pair: tokenPair(deps, accessToken, refreshToken, refreshExpiresAt, now),
    user: { ...user, last_login_at: session.last_login_at },
    sessionId: session.session_id,
    refreshExpiresAt,
  };
}

// The pending second step: a random token for the client, only its SHA-256 stored (mfa_challenges).
async function startMfaChallenge(
  deps: Deps,
  user: AuthUser,
  method: SignInMethod,
  methods: SecondFactorMethod[],
): Promise<SignInOutcome> {
  const now = deps.clock.now();
  const mfaToken = generateOpaqueToken();
  const expiresAt = addSeconds(now, MFA_CHALLENGE_TTL_SECONDS);
  await insertMfaChallenge(deps.sql, {
    tokenHash: hashToken(mfaToken),
    userId: user.id,
    firstFactor: method,
    now,
    expiresAt,
  });
  return { ok: false, reason: 'mfa_required', mfaToken, methods, expiresAt };
}

export type MfaChallengeOutcome = SignInOutcome | { ok: false; reason: 'invalid_challenge' };

// POST /auth/mfa/verify: the second step. The try is counted on the challenge before the proof is checked (at most
// 5; a spent or expired challenge is refused without a check), the proof goes through the one dispatch (which
// counts toward the account's MFA lock), and the challenge is consumed by the first success only — so two parallel
// verifies give one session even when both proofs were right.
export async function completeMfaChallenge(
  deps: Deps,
  mfaToken: string,
  proof: SecondFactorProof,
  meta: RequestMeta,
): Promise<MfaChallengeOutcome> {
  const { sql } = deps;
  const tokenHash = hashToken(mfaToken);
  const attempt = await reserveChallengeAttempt(sql, {
    tokenHash,
    now: deps.clock.now(),
    maxAttempts: MFA_CHALLENGE_MAX_ATTEMPTS,
  });
  if (!attempt) return { ok: false, reason: 'invalid_challenge' };
  const user = await findUserById(sql, attempt.user_id);
  if (!user) return { ok: false, reason: 'invalid_challenge' };
  const checked = await verifySecondFactor(
    deps,
    user,
    proof,
    { purpose: 'sign_in', challengeTokenHash: tokenHash },
    meta,
  );
  if (!checked.ok) return { ok: false, reason: 'mfa_invalid' };
  if (!(await consumeChallenge(sql, { tokenHash, now: deps.clock.now() })))
    return { ok: false, reason: 'invalid_challenge' };
  return completeSignIn(deps, user, attempt.first_factor as SignInMethod, meta, { secondFactorPassed: checked.method });
}

export function signAccessToken(deps: Deps, user: { id: string; role: string }, sessionId: string, now: Date) {
  return createAccessToken(
    { sub: user.id, sid: sessionId, role: user.role },
    deps.config.jwt,
    toSeconds(now),
    deps.config.accessTokenTtlSeconds,
  );
}

export function tokenPair(
  deps: Deps,
  accessToken: string,
  refreshToken: string,
  refreshExpiresAt: Date,
  now: Date,
): TokenPair {
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: deps.config.accessTokenTtlSeconds,
    refresh_token: refreshToken,
    refresh_expires_in: Math.max(0, toSeconds(refreshExpiresAt) - toSeconds(now)),
  };
}

export function minDate(a: Date, b: Date) {
  return a < b ? a : b;
}
