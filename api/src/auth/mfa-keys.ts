import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../env';

// The keys of the MFA data at rest, both derived from MFA_ENCRYPTION_KEY with HKDF (one key per job, so the
// encryption key is never also used as an HMAC key):
// - `totpSecret`: AES-256-GCM key of the TOTP secrets (the secret must be read back to compute codes, so it is
//   encrypted, not hashed);
// - `recoveryPepper`: HMAC-SHA-256 key of the recovery-code hashes (a database dump alone cannot even test a guess).
export type MfaKeys = { totpSecret: Buffer; recoveryPepper: Buffer };

// The configured key; in development one generated once and kept beside the embedded database (.data/), so a restart
// keeps every enrollment; in tests without one, a random key per process. Production requires the variable (env.ts).
export function loadMfaKeys(config: Pick<Config, 'environment' | 'mfa'>): MfaKeys {
  const master =
    config.mfa.encryptionKey ??
    (config.environment === 'development' ? developmentKey(config.mfa.devKeyFile) : randomBytes(32));
  return deriveMfaKeys(master);
}

export function deriveMfaKeys(master: Buffer): MfaKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return { totpSecret: derive('aibc totp secret v1'), recoveryPepper: derive('aibc recovery code pepper v1') };
}

function developmentKey(file: string): Buffer {
  try {
    const stored = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (stored.length === 32) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  // flag 'wx': two processes starting together never overwrite each other's key; the loser reads the winner's.
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return developmentKey(file);
    throw error;
  }
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

// AES-256-GCM with a random 96-bit nonce per encryption; the user id is the additional authenticated data, so a
// ciphertext moved onto another user's row fails to decrypt instead of giving that user someone else's codes.
export function encryptTotpSecret(keys: MfaKeys, userId: string, secret: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.totpSecret, nonce);
  cipher.setAAD(Buffer.from(userId, 'utf8'));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

// Throws when the data was tampered with or the key changed: the caller treats the factor as unusable.
export function decryptTotpSecret(keys: MfaKeys, userId: string, stored: Uint8Array): string {
  const data = Buffer.from(stored);
  const nonce = data.subarray(0, NONCE_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', keys.totpSecret, nonce);
  decipher.setAAD(Buffer.from(userId, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([
    decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}
