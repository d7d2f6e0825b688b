import { recordAudit } from '../audit/audit';
import type { Deps } from '../deps';
import { accountSecurityMail } from '../mail/account-mail';
import { addSeconds } from '../platform/clock';
import type { RequestMeta } from '../platform/request-meta';
import { authenticationResponseSchema } from '../shared/passkeys';
import {
  claimTotpStep,
  clearMfaFailures,
  findMfaState,
  findTotpFactor,
  listUnusedRecoveryCodes,
  lockMfa,
  reserveMfaAttempt,
  useRecoveryCode,
} from './mfa.queries';
import { decryptTotpSecret } from './mfa-keys';
import { matchRecoveryCode } from './recovery-codes';
import { checkTotpCode } from './totp';
import { verifyAssertion } from './webauthn';

// The second factors and their one dispatch. Both the MFA step of sign-in (POST /auth/mfa/verify, the form login's
// `totp`) and the step-up (POST /auth/reauthenticate) call verifySecondFactor, so the rules hold on every door:
// each factor is consumed atomically, and every failure counts toward the account's one MFA budget.

export const secondFactorMethods = ['totp', 'recovery_code', 'webauthn'] as const;
export type SecondFactorMethod = (typeof secondFactorMethods)[number];

export type SecondFactorProof =
  | { method: 'totp'; code: string }
  | { method: 'recovery_code'; code: string }
  // A WebAuthn assertion (JSON form, as @simplewebauthn/browser makes it) for the options of this challenge.
  | { method: 'webauthn'; response: unknown };

// Where the proof is presented: the sign-in challenge (its token hash; null for the form login's one-step `totp`),
// or the step-up of a session.
export type SecondFactorContext =
  | { purpose: 'sign_in'; challengeTokenHash: string | null }
  | { purpose: 'step_up'; sessionId: string };

export type SecondFactorUser = { id: string; email: string; full_name: string };

// Checks the proof and, when it is right, consumes it (the TOTP step, the recovery code, the passkey challenge) in
// the same atomic update, so of parallel requests with one proof exactly one is told yes.
type Verifier<M extends SecondFactorMethod> = (
  deps: Deps,
  user: SecondFactorUser,
  proof: Extract<SecondFactorProof, { method: M }>,
  context: SecondFactorContext,
  meta: RequestMeta,
) => Promise<boolean>;

// ─── The per-method dispatch ────────────────────────────────────────────────────────────────────────────────────
// One entry per method. `webauthn` (passkeys as a second factor) plugs in here: a verifier that checks the assertion
// against the challenge stored for `context` and moves the passkey's counter in one update.
const verifiers: { [M in SecondFactorMethod]?: Verifier<M> } = {
  totp: verifyTotp,
  recovery_code: verifyRecoveryCode,
  webauthn: verifyPasskey,
};

// The methods a user can finish a sign-in or a step-up with; empty when MFA is off. MFA is on once TOTP is
// confirmed (API.md); a passkey alone does not turn it on, but once it is on each passkey serves as a second factor.
export async function secondFactorMethodsFor(deps: Deps, userId: string): Promise<SecondFactorMethod[]> {
  const state = await findMfaState(deps.sql, userId);
  if (!state.totp_confirmed_at) return [];
  return [
    'totp',
    ...(state.passkeys > 0 ? (['webauthn'] as const) : []),
    ...(state.recovery_codes_remaining > 0 ? (['recovery_code'] as const) : []),
  ];
}

// API.md: ten consecutive failures lock the MFA step for 15 minutes and mail the owner.
export const MFA_MAX_FAILURES = 10;
export const MFA_LOCK_SECONDS = 15 * 60;

export type SecondFactorResult = { ok: true; method: SecondFactorMethod } | { ok: false; locked: boolean };

export async function verifySecondFactor(
  deps: Deps,
  user: SecondFactorUser,
  proof: SecondFactorProof,
  context: SecondFactorContext,
  meta: RequestMeta,
): Promise<SecondFactorResult> {
  const { sql } = deps;
  const now = deps.clock.now();
  // Counted before the check, so parallel guesses cannot get more than the budget in; while locked nothing is
  // checked at all, and the answer is the same as for a wrong code.
  const attempt = await reserveMfaAttempt(sql, { userId: user.id, now });
  if (attempt.attempt_number === null || attempt.attempt_number > MFA_MAX_FAILURES) {
    await recordAudit(sql, {
      event: 'mfa_refused_locked',
      userId: user.id,
      meta,
      metadata: { method: proof.method, purpose: context.purpose },
    });
    return { ok: false, locked: true };
  }
  const verifier = verifiers[proof.method] as Verifier<typeof proof.method> | undefined;
  const valid = verifier ? await verifier(deps, user, proof, context, meta) : false;
  if (valid) {
    await clearMfaFailures(sql, user.id);
    return { ok: true, method: proof.method };
  }
  await recordAudit(sql, {
    event: 'mfa_failed',
    userId: user.id,
    meta,
    metadata: { method: proof.method, purpose: context.purpose, attempt: attempt.attempt_number },
  });
  if (attempt.attempt_number < MFA_MAX_FAILURES) return { ok: false, locked: false };
  const lockedUntil = addSeconds(now, MFA_LOCK_SECONDS);
  const owner = await lockMfa(sql, { userId: user.id, maxFailures: MFA_MAX_FAILURES, lockedUntil, meta });
  if (owner) {
    deps.mailer.send(
      await accountSecurityMail(deps.config.mail.publicAppUrl, owner, {
        subject: 'Someone failed the second step of signing in to your account',
        what: `A wrong authentication code, recovery code or passkey answer was given for your account ${MFA_MAX_FAILURES} times in a row: whoever did it knows your password or holds one of your sessions.`,
        done: `The second step of sign-in is paused for ${MFA_LOCK_SECONDS / 60} minutes.`,
        at: now,
        ip: meta.ip,
      }),
    );
  }
  return { ok: false, locked: true };
}

async function verifyTotp(deps: Deps, user: SecondFactorUser, proof: { code: string }): Promise<boolean> {
  const factor = await findTotpFactor(deps.sql, user.id);
  if (!factor?.confirmed_at) return false;
  let secret: string;
  try {
    secret = decryptTotpSecret(deps.mfaKeys, user.id, factor.secret_encrypted);
  } catch {
    // A changed MFA_ENCRYPTION_KEY or a tampered row: the factor cannot be used, which is a failure, not a 500.
    deps.logger.error({ userId: user.id }, 'a TOTP secret failed to decrypt (MFA_ENCRYPTION_KEY changed?)');
    return false;
  }
  const lastUsedStep = factor.last_used_step === null ? null : Number(factor.last_used_step);
  const check = await checkTotpCode(secret, proof.code.trim(), deps.clock.now(), lastUsedStep);
  if (!check.ok) return false;
  return claimTotpStep(deps.sql, { userId: user.id, step: check.step });
}

async function verifyRecoveryCode(deps: Deps, user: SecondFactorUser, proof: { code: string }): Promise<boolean> {
  const state = await findMfaState(deps.sql, user.id);
  if (!state.totp_confirmed_at) return false;
  const candidates = await listUnusedRecoveryCodes(deps.sql, user.id);
  const match = matchRecoveryCode(deps.mfaKeys, candidates, proof.code);
  if (!match) return false;
  return useRecoveryCode(deps.sql, { id: match.id, now: deps.clock.now() });
}

// A passkey as the second step: the assertion must answer a challenge of POST /auth/mfa/webauthn/options for this
// user (purpose `second_factor`, spent by this check whatever follows) with one of the user's own passkeys, user
// verification and the counter rule (auth/webauthn.ts). A step-up's assertion answers its session's challenge. A body
// that is not an assertion at all is a failure like a wrong code (counted), not a 422: the verify body takes any
// object so the one answer stays `mfa_invalid`.
async function verifyPasskey(
  deps: Deps,
  user: SecondFactorUser,
  proof: { response: unknown },
  context: SecondFactorContext,
  meta: RequestMeta,
): Promise<boolean> {
  const parsed = authenticationResponseSchema.safeParse(proof.response);
  if (!parsed.success) return false;
  const assertion = await verifyAssertion(deps, {
    response: parsed.data,
    claim:
      context.purpose === 'step_up'
        ? { purpose: 'step_up', userId: user.id, sessionId: context.sessionId }
        : { purpose: 'second_factor', userId: user.id },
    meta,
  });
  return assertion.ok;
}
