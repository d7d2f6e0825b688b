import { z } from 'zod';
import { totpCodeSchema } from '../../shared/mfa';

export const totpEnrollmentSchema = z
  .object({
    secret: z.string().describe('Base32, 160 bits: type it into an app that cannot scan the QR code'),
    otpauth_url: z.string().describe('otpauth://totp/... (SHA-1, 6 digits, 30 s): render it as a QR code'),
  })
  .meta({ id: 'TotpEnrollment' });

export const totpConfirmSchema = z.object({ code: totpCodeSchema }).strict().meta({ id: 'TotpConfirmRequest' });

export const recoveryCodesSchema = z
  .object({
    recovery_codes: z
      .array(z.string())
      .describe('Ten single-use codes, shown this once: only their salted hashes are stored'),
  })
  .meta({ id: 'RecoveryCodes' });

export const totpConfirmedSchema = z
  .object({ recovery_codes: recoveryCodesSchema.shape.recovery_codes.optional() })
  .meta({
    id: 'TotpConfirmed',
    description: 'The first batch of recovery codes when the account had none; `{}` otherwise.',
  });
