import { recordAudit } from '../audit/audit';
import type { Deps } from '../deps';
import { passwordGuessingMail } from '../mail/account-mail';
import { addSeconds, toSeconds } from '../platform/clock';
import type { RequestMeta } from '../platform/request-meta';
import { clearLoginAttempts, recordLoginAttempt, recordLoginFailure } from './login-attempts.queries';
import { verifyPassword } from './passwords';
import type { AuthContext } from './sessions';
import { revokeSession } from './sessions.queries';

// A signed-in session proving the account's password again: to change it, or to step up. Holding an access token
// must not buy guesses, because a token is easier to steal than a password (an XSS, a log, a shared machine). So
// the guesses draw on the account's one password budget (login_attempts: LOCKOUT_MAX_ATTEMPTS per
// LOCKOUT_MINUTES, counted atomically before the verify, so parallel guesses cannot overrun it), and the guess
// that spends the budget also ends the session it came from and mails the owner. A right password resets the count.

export type CurrentPasswordCheck =
  // The hash the password was verified against: a change lands only if it is still the stored one.
  | { ok: true; verifiedHash: string }
  // sessionEnded: this guess spent the budget, and the caller's session is over (its tokens no longer work).
  | { ok: false; reason: 'wrong_password'; sessionEnded: boolean }
  // The budget is spent (by this session or by anyone at the sign-in form): no password was checked.
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

// What the audit log calls a wrong password and a try refused while locked, for the route using the check.
export type CurrentPasswordEvents = { failed: string; locked: string };

export async function checkCurrentPassword(
  deps: Deps,
  auth: AuthContext,
  password: string,
  meta: RequestMeta,
  events: CurrentPasswordEvents,
): Promise<CurrentPasswordCheck> {
  const { config, sql } = deps;
  const { user, sessionId } = auth;
  const { maxAttempts, lockSeconds } = config.lockout;
  const now = deps.clock.now();
  const lockUntil = addSeconds(now, lockSeconds);
  // Counted inside the password gate, as a login is: a guess refused for load (503) costs no attempt.
  const { attempt, valid, hash } = await deps.passwordWork.run(async (slot) => {
    const attempt = await recordLoginAttempt(sql, { email: user.email, now, maxAttempts, lockUntil });
    if (attempt.attempt_number === null || attempt.attempt_number > maxAttempts) {
      return { attempt, valid: false, hash: null };
    }
    // An account without a password (made through a provider) is verified against the dummy hash: always wrong.
    const hash = attempt.user?.id === user.id ? attempt.user.hashed_password : null;
    return { attempt, valid: await verifyPassword(password, hash ?? (await deps.dummyHash), slot), hash };
  });
  if (attempt.attempt_number === null || attempt.attempt_number > maxAttempts) {
    const until = attempt.locked_until ?? lockUntil;
    if (attempt.attempt_number !== null) {
      await recordAudit(sql, {
        event: events.locked,
        userId: user.id,
        email: user.email,
        meta,
        metadata: { session_id: sessionId },
      });
    }
    return { ok: false, reason: 'locked', retryAfterSeconds: Math.max(1, toSeconds(until) - toSeconds(now)) };
  }

  if (valid && hash) {
    await clearLoginAttempts(sql, user.email);
    return { ok: true, verifiedHash: hash };
  }

  await recordLoginFailure(sql, {
    email: user.email,
    maxAttempts,
    lockUntil,
    audit: {
      event: events.failed,
      userId: user.id,
      meta,
      metadata: { attempt: attempt.attempt_number, session_id: sessionId },
    },
  });
  // The attempt numbers are distinct, so exactly one guess is the last of the budget: one session end, one mail,
  // even when parallel guesses lock the account before this one's verify is done.
  if (attempt.attempt_number !== maxAttempts) return { ok: false, reason: 'wrong_password', sessionEnded: false };
  await revokeSession(sql, { sessionId, now, reason: 'password_guessing' });
  await recordAudit(sql, {
    event: 'session_revoked',
    userId: user.id,
    email: user.email,
    meta,
    metadata: { session_id: sessionId, reason: 'password_guessing' },
  });
  deps.mailer.send(
    await passwordGuessingMail(config.mail.publicAppUrl, user, {
      at: now,
      ip: meta.ip,
      attempts: maxAttempts,
      lockMinutes: Math.round(lockSeconds / 60),
    }),
  );
  return { ok: false, reason: 'wrong_password', sessionEnded: true };
}
