import type { Deps } from '../deps';
import { bcryptCostOf, hashPassword } from './passwords';

// A stored hash made at another cost than BCRYPT_ROUNDS (an account from before the cost changed, or from the
// Cloud Run profile's 10) is replaced right after a successful verify, while the password is at hand: otherwise
// such accounts keep a cheaper (or dearer) verify than the dummy one, and timing tells them apart.
// Background work: the login does not wait for it and cannot fail because of it. It runs only when the password
// gate has a free place (never queues, never sheds a request; the next login tries again), and the update lands only
// if the stored hash is still the one verified, so a password changed meanwhile is never overwritten.
export function rehashIfCostChanged(deps: Deps, userId: string, password: string, verifiedHash: string): void {
  const { config, sql, logger } = deps;
  if (bcryptCostOf(verifiedHash) === config.bcryptRounds) return;
  const work = deps.passwordWork.tryRun(async (slot) => {
    const rehashed = await hashPassword(password, config.bcryptRounds, slot);
    await sql`
      update users
      set hashed_password = ${rehashed}
      where id = ${userId}
        and hashed_password = ${verifiedHash}
    `;
  });
  work?.catch((error: unknown) => {
    logger.warn({ err: error instanceof Error ? error.message : String(error), userId }, 'password rehash failed');
  });
}
