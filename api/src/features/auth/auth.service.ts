import { recordAudit } from '../../audit/audit';
import { checkCurrentPassword } from '../../auth/current-password';
import { recordLoginAttempt, recordLoginFailure } from '../../auth/login-attempts.queries';
import { hashPassword, verifyPassword } from '../../auth/passwords';
import { successorRefreshToken } from '../../auth/refresh-successor';
import { rehashIfCostChanged } from '../../auth/rehash';
import { type SecondFactorMethod, verifySecondFactor } from '../../auth/second-factor';
import { type AuthContext, sessionIdleSince } from '../../auth/sessions';
import { revokeSession, stampReauthentication } from '../../auth/sessions.queries';
import { completeSignIn, type SignInOutcome, secondFactorFor, signAccessToken, tokenPair } from '../../auth/sign-in';
import { generateOpaqueToken, hashToken } from '../../auth/tokens';
import type { AuthUser } from '../../auth/user';
import { verifyAssertion } from '../../auth/webauthn';
import { isUniqueViolation } from '../../db/pg-errors';
import type { Deps } from '../../deps';
import { verifyEmailMail } from '../../mail/account-mail';
import { addSeconds, toSeconds } from '../../platform/clock';
import type { RequestMeta } from '../../platform/request-meta';
import { VERIFY_EMAIL_TTL_HOURS } from '../../shared/fields';
import type { AuthenticationResponse } from '../../shared/passkeys';
import type { TokenPair } from '../../shared/user';
import {
  claimAndRotateRefreshToken,
  findSessionIdByRefreshToken,
  findSessionRefreshToken,
  insertUser,
  touchSession,
} from './auth.queries';
import { type StepUpProof, secondFactorProofOf } from './auth.schemas';
import { VERIFY_EMAIL_USER_LIMIT } from './recovery.routes';

export async function registerUser(
  deps: Deps,
  input: { email: string; full_name: string; password: string },
  meta: RequestMeta,
): Promise<{ ok: true; user: AuthUser } | { ok: false; reason: 'email_taken' }> {
  const hashed_password = await deps.passwordWork.run((slot) =>
    hashPassword(input.password, deps.config.bcryptRounds, slot),
  );
  const now = deps.clock.now();
  const verifyToken = generateOpaqueToken();
  let user: AuthUser | undefined;
  try {
    user = await insertUser(
      deps.sql,
      { email: input.email, full_name: input.full_name, hashed_password },
      { event: 'signup', meta },
      {
        tokenHash: hashToken(verifyToken),
        now,
        expiresAt: addSeconds(now, VERIFY_EMAIL_TTL_HOURS * 3600),
        budgetKeyPrefix: `${VERIFY_EMAIL_USER_LIMIT.name}:user:`,
        budgetWindowMs: VERIFY_EMAIL_USER_LIMIT.windowMs,
      },
    );
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
  if (!user) throw new Error('user insert returned no row');
  // The landing page promises the link at sign-up. The row and its token are committed; the mailer delivers in the
  // background (retrying, and logging a failure), so a slow or dead SMTP server neither delays nor fails sign-up.
  deps.mailer.send(await verifyEmailMail(deps.config.mail.publicAppUrl, user, verifyToken, VERIFY_EMAIL_TTL_HOURS));
  return { ok: true, user };
}

export type LoginResult =
  | SignInOutcome
  // attemptsRemaining: failures this email may still have before it is locked (0: this one locked it).
  | { ok: false; reason: 'invalid_credentials'; attemptsRemaining: number; lockMinutes: number }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export async function loginWithPassword(
  deps: Deps,
  input: { email: string; password: string; totp?: string | undefined },
  meta: RequestMeta,
): Promise<LoginResult> {
  const { config, sql } = deps;
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  const lockUntil = addSeconds(now, config.lockout.lockSeconds);
  // The attempt is counted inside the password gate: a login refused for load (503) neither counts toward the
  // lockout nor waits; one admitted is counted before its verify, so parallel guesses cannot overrun the budget.
  const checked = await deps.passwordWork.run(async (slot) => {
    const attempt = await recordLoginAttempt(sql, { email, now, maxAttempts: config.lockout.maxAttempts, lockUntil });
    if (attempt.attempt_number === null || attempt.attempt_number > config.lockout.maxAttempts) {
      return { attempt, lockedOut: true, valid: false } as const;
    }
    // Unknown email: verify against the dummy hash anyway, so both failures take the same time.
    const hashed = attempt.user?.hashed_password ?? (await deps.dummyHash);
    return { attempt, lockedOut: false, valid: await verifyPassword(input.password, hashed, slot) } as const;
  });
  const { attempt, valid } = checked;

  if (checked.lockedOut) {
    // No password is checked while locked: a locked email costs an attacker nothing but gives nothing either.
    const until = attempt.locked_until ?? lockUntil;
    if (attempt.attempt_number !== null) {
      await recordAudit(sql, { event: 'login_locked', userId: attempt.user?.id, email, meta });
    }
    return { ok: false, reason: 'locked', retryAfterSeconds: Math.max(1, toSeconds(until) - toSeconds(now)) };
  }

  const { user } = attempt;
  if (!user || !valid) {
    await recordLoginFailure(sql, {
      email,
      maxAttempts: config.lockout.maxAttempts,
      lockUntil,
      audit: {
        event: 'login_failed',
        userId: user?.id,
        meta,
        metadata: { attempt: attempt.attempt_number },
      },
    });
    // attempt_number is this failure's own place in the count (atomic, so parallel guesses each get their own),
    // and the count is per email whether or not an account exists: the same number for both.
    return {
      ok: false,
      reason: 'invalid_credentials',
      attemptsRemaining: Math.max(
        0,
        config.lockout.maxAttempts - (attempt.attempt_number ?? config.lockout.maxAttempts),
      ),
      lockMinutes: Math.ceil(config.lockout.lockSeconds / 60),
    };
  }
  if (user.hashed_password) rehashIfCostChanged(deps, user.id, input.password, user.hashed_password);
  // The password was right: the same gate as every other way in (disabled account, MFA, session, audit).
  const { hashed_password: _, ...account } = user;
  return completeSignIn(deps, account, 'password', meta, {
    ...(input.totp ? { secondFactorProof: { method: 'totp', code: input.totp } } : {}),
  });
}

export type StepUpResult =
  | { ok: true }
  | { ok: false; reason: 'wrong_password' }
  | { ok: false; reason: 'mfa_invalid' }
  | { ok: false; reason: 'session_ended' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number }
  // A user with MFA stepped up with the password alone: a second factor is needed (API.md).
  | { ok: false; reason: 'mfa_required'; methods: SecondFactorMethod[] };

// POST /auth/reauthenticate: the session proves a factor again and is stamped (this session only).
// - A password is checked by checkCurrentPassword: a wrong one counts toward the lockout exactly like a login (same
//   counter, counted before the verify), and the one that spends it ends this session and mails the owner, so a
//   stolen session cannot be used to guess the password; a right one resets the count, as a login does. For a user
//   with MFA the password is not even checked: it is not enough, and checking it would hand a session thief a
//   password oracle.
// - A second factor goes through the same dispatch as the sign-in's MFA step: consumed atomically, counted toward
//   the account's MFA lock.
export async function stepUp(
  deps: Deps,
  auth: AuthContext,
  proof: StepUpProof,
  meta: RequestMeta,
): Promise<StepUpResult> {
  if ('webauthn' in proof) return stepUpWithPasskey(deps, auth, proof.webauthn, meta);
  const { sql } = deps;
  const { user } = auth;
  let method: string;
  const factorProof = secondFactorProofOf(proof);
  if (factorProof) {
    const checked = await verifySecondFactor(
      deps,
      user,
      factorProof,
      { purpose: 'step_up', sessionId: auth.sessionId },
      meta,
    );
    if (!checked.ok) return { ok: false, reason: 'mfa_invalid' };
    method = checked.method;
  } else {
    const secondFactor = await secondFactorFor(deps, user, 'password');
    if (secondFactor.required) return { ok: false, reason: 'mfa_required', methods: secondFactor.methods };
    const check = await checkCurrentPassword(deps, auth, 'password' in proof ? proof.password : '', meta, {
      failed: 'reauth_failed',
      locked: 'reauth_locked',
    });
    if (!check.ok) {
      if (check.reason === 'locked') return check;
      return { ok: false, reason: check.sessionEnded ? 'session_ended' : 'wrong_password' };
    }
    method = 'password';
  }
  const now = deps.clock.now();
  const stamped = await stampReauthentication(sql, {
    sessionId: auth.sessionId,
    userId: user.id,
    now,
    idleSince: sessionIdleSince(deps, now),
    method,
    // checkCurrentPassword has reset the count already.
    clearFailuresOf: null,
    meta,
  });
  return stamped ? { ok: true } : { ok: false, reason: 'session_ended' };
}

// A step-up with one of the user's passkeys: the assertion must answer this session's step-up challenge, with user
// verification, and pass the counter rule (auth/webauthn.ts). A passkey is a factor on its own and a second factor
// too, so it is enough for a user with MFA. No lockout: a passkey cannot be guessed, and each try needs a challenge.
async function stepUpWithPasskey(
  deps: Deps,
  auth: AuthContext,
  response: AuthenticationResponse,
  meta: RequestMeta,
): Promise<StepUpResult> {
  const now = deps.clock.now();
  const assertion = await verifyAssertion(deps, {
    response,
    claim: { purpose: 'step_up', userId: auth.user.id, sessionId: auth.sessionId },
    meta,
  });
  if (!assertion.ok) return { ok: false, reason: 'mfa_invalid' };
  const stamped = await stampReauthentication(deps.sql, {
    sessionId: auth.sessionId,
    userId: auth.user.id,
    now,
    idleSince: sessionIdleSince(deps, now),
    method: 'webauthn',
    clearFailuresOf: null,
    meta,
  });
  return stamped ? { ok: true } : { ok: false, reason: 'session_ended' };
}

export type RefreshResult = { ok: true; pair: TokenPair; refreshExpiresAt: Date } | { ok: false; reason: 'invalid' };

// How far a replay inside the grace window follows its chain (a token, its successor, that one's successor...)
// looking for the session's live token. Two steps happen only when a client rotated again within seconds.
const MAX_GRACE_STEPS = 5;

// Rotation: each refresh token works once. A second use is theft (someone copied it) and ends the session,
// except shortly after the rotation, when it is far more likely a lost response or two tabs racing: those get a
// fresh access token and the SAME successor, so a session has at most one live refresh token at any time.
export async function rotateRefreshToken(deps: Deps, refreshToken: string, meta: RequestMeta): Promise<RefreshResult> {
  const { config, sql } = deps;
  const now = deps.clock.now();
  const tokenHash = hashToken(refreshToken);
  const successor = successorRefreshToken(refreshToken, config.jwt.secret);
  const rotation = {
    tokenHash,
    successorHash: hashToken(successor),
    now,
    successorExpiresAt: addSeconds(now, config.refreshTokenTtlSeconds),
    audit: { event: 'refresh', meta },
  };
  let row = await claimAndRotateRefreshToken(sql, rotation);
  // Lost a race with a parallel refresh of the same token (two tabs): our update waited for theirs and claimed
  // nothing, but the statement's snapshot still shows the token unused. Read it again to see their rotation,
  // so this request lands in the grace window instead of being refused.
  if (row && !row.claimed && row.used_at === null && row.revoked_at === null && row.expires_at > now) {
    row = await claimAndRotateRefreshToken(sql, rotation);
  }
  if (!row) return { ok: false, reason: 'invalid' };
  const session = { id: row.session_id, userId: row.user_id, role: row.role };

  if (row.claimed && row.successor_expires_at) {
    return { ok: true, ...(await pairFor(deps, session, successor, row.successor_expires_at, now)) };
  }

  const sessionLive =
    row.session_revoked_at === null && row.session_expires_at > now && row.user_is_active && row.revoked_at === null;
  if (row.used_at === null || !sessionLive) return { ok: false, reason: 'invalid' };
  const sinceRotation = (now.getTime() - row.used_at.getTime()) / 1000;
  if (sinceRotation > config.refreshReuseGraceSeconds) {
    await revokeSession(sql, { sessionId: row.session_id, now, reason: 'refresh_reuse' });
    await recordAudit(sql, {
      event: 'refresh_reuse',
      userId: row.user_id,
      meta,
      metadata: { session_id: row.session_id, seconds_since_rotation: Math.round(sinceRotation) },
    });
    return { ok: false, reason: 'invalid' };
  }

  // Inside the grace window: answer with the session's live token, found by deriving the chain forward from the
  // presented one. A successor revoked or expired in the meantime, or a chain that ends (a token from before
  // derived successors), is refused without ending the session.
  let candidate = successor;
  for (let step = 0; step < MAX_GRACE_STEPS; step++) {
    const next = await findSessionRefreshToken(sql, { sessionId: row.session_id, tokenHash: hashToken(candidate) });
    if (!next || next.revoked_at !== null || next.expires_at <= now) break;
    if (next.used_at === null) {
      await touchSession(sql, {
        sessionId: row.session_id,
        now,
        audit: { event: 'refresh_grace', userId: row.user_id, meta, metadata: { session_id: row.session_id } },
      });
      return { ok: true, ...(await pairFor(deps, session, candidate, next.expires_at, now)) };
    }
    candidate = successorRefreshToken(candidate, config.jwt.secret);
  }
  return { ok: false, reason: 'invalid' };
}

async function pairFor(
  deps: Deps,
  session: { id: string; userId: string; role: string },
  refreshToken: string,
  refreshExpiresAt: Date,
  now: Date,
) {
  const accessToken = await signAccessToken(deps, { id: session.userId, role: session.role }, session.id, now);
  return { pair: tokenPair(deps, accessToken, refreshToken, refreshExpiresAt, now), refreshExpiresAt };
}

export async function endSession(
  deps: Deps,
  input: { refreshToken?: string | undefined; sessionId?: string | undefined },
  meta: RequestMeta,
) {
  const sessionId =
    input.sessionId ??
    (input.refreshToken ? await findSessionIdByRefreshToken(deps.sql, hashToken(input.refreshToken)) : undefined);
  if (!sessionId) return;
  const revoked = await revokeSession(deps.sql, { sessionId, now: deps.clock.now(), reason: 'logout' });
  if (revoked) {
    await recordAudit(deps.sql, {
      event: 'logout',
      userId: revoked.user_id,
      meta,
      metadata: { session_id: sessionId },
    });
  }
}
