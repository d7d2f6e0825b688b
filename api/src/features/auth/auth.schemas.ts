import { z } from 'zod';
import type { SecondFactorProof } from '../../auth/second-factor';
import { loginEmailSchema, loginSchema } from '../../shared/fields';
import { recoveryCodeSchema, totpCodeSchema } from '../../shared/mfa';
import { authenticationResponseSchema } from '../../shared/passkeys';

// Sign-in takes two bodies that mean the same thing; each schema turns its own into the one credentials shape, so
// the handler reads whichever validator ran and needs no second check.
export type LoginCredentials = { email: string; password: string; totp?: string | undefined };

// The second factor sent with the first, for clients that cannot do two steps (Swagger UI's "Authorize", curl). An
// empty field counts as absent (Swagger UI sends the extra fields of its form even when left blank).
const optionalTotp = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
  totpCodeSchema.optional(),
);

export const loginJsonSchema = loginSchema
  .extend({ totp: optionalTotp.describe('For an account with MFA: the current authenticator code (one step).') })
  .meta({ id: 'LoginRequest' })
  .transform((body): LoginCredentials => body);

// OAuth2 password flow (RFC 6749 §4.3): Swagger UI's "Authorize" posts exactly this form.
export const loginFormSchema = z
  .object({
    username: loginEmailSchema,
    password: z.string().min(1, 'Password is required').max(1024),
    grant_type: z.string().optional(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    client_secret: z.string().optional(),
    totp: optionalTotp.describe(
      'For an account with MFA: the current authenticator code, so a one-step client (Swagger UI, curl) can sign in.',
    ),
  })
  .meta({ id: 'LoginForm' })
  .transform((form): LoginCredentials => ({ email: form.username, password: form.password, totp: form.totp }));

export const refreshRequestSchema = z
  .object({ refresh_token: z.string().min(1).max(256).optional() })
  .meta({ id: 'RefreshRequest', description: 'Omit the body (or the field) to use the refresh cookie.' });

export const logoutRequestSchema = refreshRequestSchema;

// The proof of a step-up. API.md lists `{password}`, `{totp}`, `{recovery_code}` and `{webauthn}`: a union of
// one-key objects. Unknown keys are refused, so a client sending a factor this server does not know gets a 422,
// never a silent password check.
const passwordProofSchema = z.object({ password: z.string().min(1, 'Password is required').max(1024) }).strict();

const webauthnProofSchema = z
  .object({
    webauthn: authenticationResponseSchema.meta({
      description: 'The assertion for the options of POST /auth/reauthenticate/webauthn/options',
    }),
  })
  .strict();

export const reauthenticateSchema = z
  .union([
    passwordProofSchema,
    z.object({ totp: totpCodeSchema }).strict(),
    z.object({ recovery_code: recoveryCodeSchema }).strict(),
    webauthnProofSchema,
  ])
  .meta({
    id: 'ReauthenticateRequest',
    description:
      'One proof of who you are: `{password}`, `{totp}`, `{recovery_code}` or `{webauthn}`. An account with MFA ' +
      'must use a second factor (a password alone is not enough then).',
  });

export type StepUpProof = z.infer<typeof reauthenticateSchema>;

// POST /auth/mfa/verify: the challenge (its token, or the HttpOnly mfa cookie a provider sign-in set) and one factor.
const mfaTokenSchema = z.string().min(1).max(256).optional();
export const mfaVerifySchema = z
  .union([
    z.object({ mfa_token: mfaTokenSchema, totp: totpCodeSchema }).strict(),
    z.object({ mfa_token: mfaTokenSchema, recovery_code: recoveryCodeSchema }).strict(),
    z.object({ mfa_token: mfaTokenSchema, webauthn: z.record(z.string(), z.unknown()) }).strict(),
  ])
  .meta({
    id: 'MfaVerifyRequest',
    description:
      'The `mfa_token` of the `mfa_required` answer (omit it after a provider sign-in: the mfa cookie holds it) and ' +
      'one second factor: `totp` (6 digits), `recovery_code`, or `webauthn` (an assertion for ' +
      'POST /auth/mfa/webauthn/options).',
  });

// The second factor a step-up or verify body carries, in the dispatch's terms; undefined for a password.
export function secondFactorProofOf(
  body: { totp?: string; recovery_code?: string; webauthn?: unknown } | { password: string },
): SecondFactorProof | undefined {
  if ('totp' in body && body.totp !== undefined) return { method: 'totp', code: body.totp };
  if ('recovery_code' in body && body.recovery_code !== undefined) {
    return { method: 'recovery_code', code: body.recovery_code };
  }
  if ('webauthn' in body && body.webauthn !== undefined) return { method: 'webauthn', response: body.webauthn };
  return undefined;
}
