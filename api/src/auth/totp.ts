import { generateSecret, generateURI, verify } from 'otplib';
import { SITE_NAME } from '../shared/fields';

// TOTP (RFC 6238) as every authenticator app reads it: SHA-1, 6 digits, 30-second steps, a 160-bit secret.
export const TOTP_PERIOD_SECONDS = 30;

export function generateTotpSecret(): string {
  // 20 random bytes = 160 bits (RFC 4226's recommended length), Base32 for the apps.
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, accountEmail: string): string {
  return generateURI({ issuer: SITE_NAME, label: accountEmail, secret });
}

export function timeStepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

// A code of the current step or one step either side (clock drift between phone and server), and only of a step
// after `lastUsedStep`: otplib's afterTimeStep refuses the steps already spent. Answers the step that matched; the
// caller claims it atomically in the database, which is what makes a code single use under concurrency.
export async function checkTotpCode(
  secret: string,
  code: string,
  now: Date,
  lastUsedStep: number | null,
): Promise<{ ok: true; step: number } | { ok: false }> {
  if (!/^\d{6}$/.test(code)) return { ok: false };
  const currentStep = timeStepAt(now);
  // otplib refuses (throws on) an afterTimeStep beyond the window; every code is spent then anyway.
  if (lastUsedStep !== null && lastUsedStep >= currentStep + 1) return { ok: false };
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    // ±30 s around now covers exactly the previous, current and next 30-second step.
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(lastUsedStep !== null ? { afterTimeStep: lastUsedStep } : {}),
  });
  if (!result.valid || !('timeStep' in result)) return { ok: false };
  return { ok: true, step: result.timeStep };
}
