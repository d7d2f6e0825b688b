import { z } from 'zod';

// The second factor as the browser and the API both see it: the codes a user types and the account's MFA state.

// A 6-digit authenticator code. Spaces are dropped (apps show `123 456`).
export const totpCodeSchema = z
  .string()
  .transform((value) => value.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app'));

// A recovery code as printed (`xxxx-xxxx-xxxx-xxxx`); case, dashes and spaces do not matter.
export const recoveryCodeSchema = z.string().trim().min(1, 'Enter a recovery code').max(64);

// What protects an account beyond its password: the user's own settings page and the admin's view of the user.
export const mfaStatusSchema = z
  .object({
    totp: z.object({
      enabled: z.boolean(),
      confirmed_at: z.iso.datetime().nullable(),
      // An enrollment started and not confirmed yet (it gates nothing).
      pending: z.boolean(),
    }),
    passkeys: z.number().int().min(0),
    recovery_codes_remaining: z.number().int().min(0),
  })
  .meta({ id: 'MfaStatus' });
export type MfaStatus = z.infer<typeof mfaStatusSchema>;
