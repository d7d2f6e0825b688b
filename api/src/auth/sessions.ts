import type { Deps } from '../deps';
import { addSeconds, toSeconds } from '../platform/clock';
import { findActiveSessionUser } from './sessions.queries';
import { verifyAccessToken } from './tokens';
import type { AuthUser } from './user';

// The session check of every authenticated request.

// `reauthenticatedAt`: when this session last stepped up (POST /auth/reauthenticate), null if it never did.
export type AuthContext = { user: AuthUser; sessionId: string; reauthenticatedAt: Date | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// A session counts as idle (ended) once unused for the refresh lifetime: this is the instant before which its
// last use must not lie.
export function sessionIdleSince(deps: Pick<Deps, 'config'>, now: Date): Date {
  return addSeconds(now, -deps.config.refreshTokenTtlSeconds);
}

// A valid signature is not enough: the session named by `sid` must still be live, so logout, rotation reuse,
// a password change or a disabled account end access at once, not when the token expires.
export async function validateAccessToken(deps: Deps, token: string): Promise<AuthContext | undefined> {
  const { config, sql, clock } = deps;
  const now = clock.now();
  const verified = verifyAccessToken(token, config.jwt, toSeconds(now));
  if (!verified.ok || !UUID.test(verified.claims.sid) || !UUID.test(verified.claims.sub)) return undefined;
  const row = await findActiveSessionUser(sql, {
    sessionId: verified.claims.sid,
    userId: verified.claims.sub,
    now,
    idleSince: sessionIdleSince(deps, now),
  });
  if (!row) return undefined;
  const { session_reauthenticated_at: reauthenticatedAt, ...user } = row;
  return { user, sessionId: verified.claims.sid, reauthenticatedAt };
}
