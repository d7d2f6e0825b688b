import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/bcrypt';

// bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a prefix would verify alike.
// As Django's BCryptSHA256PasswordHasher does, we pre-hash with SHA-256 (hex, 64 bytes) so every character counts.
// NFKC first, so the same password typed on another keyboard or OS (composed vs decomposed) still matches.
function prehash(password: string): string {
  return createHash('sha256').update(password.normalize('NFKC'), 'utf8').digest('hex');
}

// Only the async functions: they run on libuv's thread pool, never on the event loop.
export function hashPassword(password: string, cost: number): Promise<string> {
  return hash(prehash(password), { cost });
}

export function verifyPassword(password: string, hashed: string): Promise<boolean> {
  return verify(prehash(password), hashed);
}

// A login for an unknown email verifies against this hash, so it costs the same time as a wrong password
// and the response time does not reveal whether the account exists.
export function createDummyHash(cost: number): Promise<string> {
  return hashPassword(randomBytes(32).toString('hex'), cost);
}
