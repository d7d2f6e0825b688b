import { hashPassword, verifyPassword } from '../../auth/passwords';
import { createAccessToken, generateOpaqueToken, hashToken } from '../../auth/tokens';
import { isUniqueViolation } from '../../db/pg-errors';
import { addSeconds, toSeconds } from '../../lib/clock';
import type { AuthUser, Deps } from '../../lib/types';
import {
  claimRefreshToken,
  createLoginSession,
  findSessionIdByRefreshToken,
  insertAudit,
  insertUser,
  issueRefreshToken,
  recordLoginAttempt,
  recordLoginFailure,
  revokeSession,
} from './auth.queries';

export type RequestMeta = { ip: string; userAgent: string | null };

export type TokenPair = {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
};

export async function registerUser(
  deps: Deps,
  input: { email: string; full_name: string; password: string },
  meta: RequestMeta,
): Promise<{ ok: true; user: AuthUser } | { ok: false; reason: 'email_taken' }> {
  const hashed_password = await hashPassword(input.password, deps.config.bcryptRounds);
  try {
    const user = await insertUser(
      deps.sql,
      { email: input.email, full_name: input.full_name, hashed_password },
      { event: 'signup', ip: meta.ip, userAgent: meta.userAgent },
    );
    if (!user) throw new Error('user insert returned no row');
    return { ok: true, user };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
}

async function signAccessToken(deps: Deps, user: { id: string; role: string }, sessionId: string, now: Date) {
  return createAccessToken(
    { sub: user.id, sid: sessionId, role: user.role },
    deps.config.jwt,
    toSeconds(now),
    deps.config.accessTokenTtlSeconds,
  );
}

function tokenPair(accessToken: string, refreshToken: string, deps: Deps, refreshExpiresAt: Date, now: Date) {
  return {
    access_token: accessToken,
    token_type: 'bearer' as const,
    expires_in: deps.config.accessTokenTtlSeconds,
    refresh_token: refreshToken,
    refresh_expires_in: Math.max(0, toSeconds(refreshExpiresAt) - toSeconds(now)),
  };
}

export type LoginResult =
  | { ok: true; pair: TokenPair; user: AuthUser; refreshExpiresAt: Date }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'disabled' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export async function loginWithPassword(
  deps: Deps,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<LoginResult> {
  const { config, sql } = deps;
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  const lockUntil = addSeconds(now, config.lockout.lockSeconds);
  const attempt = await recordLoginAttempt(sql, { email, now, maxAttempts: config.lockout.maxAttempts, lockUntil });

  const lockedOut = attempt.attempt_number === null || attempt.attempt_number > config.lockout.maxAttempts;
  if (lockedOut) {
    // No password is checked while locked: a locked email costs an attacker nothing but gives nothing either.
    const until = attempt.locked_until ?? lockUntil;
    if (attempt.attempt_number !== null) {
      await insertAudit(sql, { event: 'login_locked', userId: attempt.user?.id, email, ...auditMeta(meta) });
    }
    return { ok: false, reason: 'locked', retryAfterSeconds: Math.max(1, toSeconds(until) - toSeconds(now)) };
  }

  const { user } = attempt;
  // Unknown email: verify against the dummy hash anyway, so both failures take the same time.
  const valid = await verifyPassword(input.password, user?.hashed_password ?? (await deps.dummyHash));
  if (!user || !valid) {
    await recordLoginFailure(sql, {
      email,
      maxAttempts: config.lockout.maxAttempts,
      lockUntil,
      audit: {
        event: 'login_failed',
        userId: user?.id,
        ...auditMeta(meta),
        metadata: { attempt: attempt.attempt_number },
      },
    });
    return { ok: false, reason: 'invalid_credentials' };
  }
  if (!user.is_active) {
    await insertAudit(sql, { event: 'login_disabled', userId: user.id, email, ...auditMeta(meta) });
    return { ok: false, reason: 'disabled' };
  }

  const refreshToken = generateOpaqueToken();
  const sessionExpiresAt = addSeconds(now, config.sessionMaxSeconds);
  const refreshExpiresAt = minDate(addSeconds(now, config.refreshTokenTtlSeconds), sessionExpiresAt);
  const session = await createLoginSession(sql, {
    userId: user.id,
    email,
    ip: meta.ip,
    userAgent: meta.userAgent,
    now,
    sessionExpiresAt,
    refreshTokenHash: hashToken(refreshToken),
    refreshExpiresAt,
  });
  const accessToken = await signAccessToken(deps, user, session.session_id, now);
  const { hashed_password: _, ...publicUser } = user;
  return {
    ok: true,
    pair: tokenPair(accessToken, refreshToken, deps, refreshExpiresAt, now),
    user: { ...publicUser, last_login_at: session.last_login_at },
    refreshExpiresAt,
  };
}

export type RefreshResult = { ok: true; pair: TokenPair; refreshExpiresAt: Date } | { ok: false; reason: 'invalid' };

// Rotation: each refresh token works once. A second use is theft (someone copied it) and ends the session,
// except shortly after the rotation, when it is far more likely a lost response or two tabs racing.
export async function rotateRefreshToken(deps: Deps, refreshToken: string, meta: RequestMeta): Promise<RefreshResult> {
  const { config, sql } = deps;
  const now = deps.clock.now();
  const tokenHash = hashToken(refreshToken);
  let row = await claimRefreshToken(sql, tokenHash, now);
  // Lost a race with a parallel refresh of the same token (two tabs): our update waited for theirs and claimed
  // nothing, but the statement's snapshot still shows the token unused. Read it again to see their rotation,
  // so this request lands in the grace window instead of being refused.
  if (row && !row.claimed && row.used_at === null && row.revoked_at === null && row.expires_at > now) {
    row = await claimRefreshToken(sql, tokenHash, now);
  }
  if (!row) return { ok: false, reason: 'invalid' };

  const sessionLive =
    row.session_revoked_at === null && row.session_expires_at > now && row.user_is_active && row.revoked_at === null;

  if (!row.claimed) {
    if (row.used_at === null || row.revoked_at !== null || !sessionLive) return { ok: false, reason: 'invalid' };
    const sinceRotation = (now.getTime() - row.used_at.getTime()) / 1000;
    if (sinceRotation > config.refreshReuseGraceSeconds) {
      await revokeSession(sql, { sessionId: row.session_id, now, reason: 'refresh_reuse' });
      await insertAudit(sql, {
        event: 'refresh_reuse',
        userId: row.user_id,
        ...auditMeta(meta),
        metadata: { session_id: row.session_id, seconds_since_rotation: Math.round(sinceRotation) },
      });
      return { ok: false, reason: 'invalid' };
    }
    // Inside the grace window: the same session gets a fresh pair.
  }
  if (!sessionLive) return { ok: false, reason: 'invalid' };

  const newToken = generateOpaqueToken();
  const refreshExpiresAt = minDate(addSeconds(now, config.refreshTokenTtlSeconds), row.session_expires_at);
  await issueRefreshToken(sql, {
    sessionId: row.session_id,
    tokenHash: hashToken(newToken),
    now,
    expiresAt: refreshExpiresAt,
    audit: {
      event: row.claimed ? 'refresh' : 'refresh_grace',
      userId: row.user_id,
      ...auditMeta(meta),
      metadata: { session_id: row.session_id },
    },
  });
  const accessToken = await signAccessToken(deps, { id: row.user_id, role: row.role }, row.session_id, now);
  return { ok: true, pair: tokenPair(accessToken, newToken, deps, refreshExpiresAt, now), refreshExpiresAt };
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
    await insertAudit(deps.sql, {
      event: 'logout',
      userId: revoked.user_id,
      ...auditMeta(meta),
      metadata: { session_id: sessionId },
    });
  }
}

function auditMeta(meta: RequestMeta) {
  return { ip: meta.ip, userAgent: meta.userAgent };
}

function minDate(a: Date, b: Date) {
  return a < b ? a : b;
}
