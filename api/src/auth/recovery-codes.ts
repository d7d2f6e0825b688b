import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MfaKeys } from './mfa-keys';

// Recovery codes are NIST SP 800-63B look-up secrets. Each is 16 characters of Crockford's base32 = 80 random bits,
// shown once as four groups of four (`7k2m-x9qd-4fhr-a0tn`), and stored only as HMAC-SHA-256(pepper, salt || code)
// with a random 128-bit salt per code. Why this and not bcrypt: 800-63B asks that look-up secrets be stored salted
// and hashed so a stolen database does not give them away (salt of at least 32 bits). A slow hash exists to make
// guessing a low-entropy secret (a password) expensive; an 80-bit random code already costs about 2^79 hashes to find
// on average — millions of GPU-years — so a cost factor adds nothing but CPU. The per-code salt stops one
// precomputation from serving every code and user; the pepper (derived from MFA_ENCRYPTION_KEY, kept outside the
// database) means a dump alone cannot test a single guess.

export const RECOVERY_CODE_COUNT = 10;
const CODE_LENGTH = 16;
// Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand is hard to get wrong.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function generateRecoveryCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  // 256 / 32 = 8: each byte's low five bits are uniform over the alphabet.
  const chars = [...bytes].map((byte) => ALPHABET[byte & 31]);
  return [0, 4, 8, 12].map((start) => chars.slice(start, start + 4).join('')).join('-');
}

// What a person may type for a code: any case, with or without the dashes or spaces; the letters Crockford folds
// (o → 0, i and l → 1). Undefined when it cannot be a code at all (no hash is computed for it).
export function normalizeRecoveryCode(input: string): string | undefined {
  const folded = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  if (folded.length !== CODE_LENGTH || ![...folded].every((char) => ALPHABET.includes(char))) return undefined;
  return folded;
}

export function hashRecoveryCode(keys: MfaKeys, salt: Uint8Array, normalizedCode: string): Buffer {
  return createHmac('sha256', keys.recoveryPepper).update(salt).update(normalizedCode, 'utf8').digest();
}

export type StoredRecoveryCode = { salt: Buffer; code_hash: Buffer };

// A new batch: the codes to show once, and the rows to store.
export function newRecoveryCodeBatch(keys: MfaKeys): { codes: string[]; rows: StoredRecoveryCode[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const rows = codes.map((code) => {
    const salt = randomBytes(16);
    return { salt, code_hash: hashRecoveryCode(keys, salt, normalizeRecoveryCode(code) as string) };
  });
  return { codes, rows };
}

// Which stored code (if any) this input is: every candidate is compared, in constant time, so the answer's timing
// does not tell which position matched.
export function matchRecoveryCode<T extends { salt: Uint8Array; code_hash: Uint8Array }>(
  keys: MfaKeys,
  candidates: readonly T[],
  input: string,
): T | undefined {
  const code = normalizeRecoveryCode(input);
  if (!code) return undefined;
  let match: T | undefined;
  for (const candidate of candidates) {
    const hash = hashRecoveryCode(keys, candidate.salt, code);
    if (timingSafeEqual(hash, Buffer.from(candidate.code_hash)) && !match) match = candidate;
  }
  return match;
}
