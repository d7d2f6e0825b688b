import { z } from 'zod';

// RFC 9457 problem details: the one shape of every error this API returns. The browser reads answers with this
// same schema, so a member renamed here fails the web build.

export const fieldErrorSchema = z.object({ field: z.string(), message: z.string() });

// `code` tells apart two answers with the same status (API.md, "Problem codes"). The same words are the
// `auth_error` of an OAuth callback that failed (`/?auth_error=<code>`), so the web app has one sentence per code.
// The last three are this API's own, for cases API.md leaves open: a provider account already linked to another
// user, a step-up or link made with another provider account than the one linked, and a provider that shared no
// verified email address for a new account.
export const problemCodes = [
  'reauthentication_required',
  'mfa_required',
  'mfa_invalid',
  'last_sign_in_method',
  'last_admin',
  'oauth_state',
  'oauth_denied',
  'oauth_failed',
  'account_exists_sign_in_to_link',
  'account_disabled',
  'oauth_linked_elsewhere',
  'oauth_wrong_account',
  'oauth_email_unverified',
] as const;

export const problemCodeSchema = z.enum(problemCodes);
export type ProblemCode = z.infer<typeof problemCodeSchema>;

// The ways the caller can answer a `reauthentication_required` or `mfa_required` problem:
// `password`, `totp`, `recovery_code`, `webauthn`, or a provider id (`google`, `github`) to sign in with again.
export const stepUpMethodSchema = z.enum(['password', 'totp', 'recovery_code', 'webauthn', 'google', 'github']);
export type StepUpMethod = z.infer<typeof stepUpMethodSchema>;

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: problemCodeSchema.optional(),
    methods: z.array(stepUpMethodSchema).optional(),
    // With `code: mfa_required` at sign-in: the single-use token of the second step (POST /auth/mfa/verify).
    mfa_token: z.string().optional(),
    errors: z.array(fieldErrorSchema).optional(),
    // With a 401 for a wrong password at sign-in: how many more failures this email may have before it is locked
    // (0: this one locked it). Counted per email whether or not an account exists, so it reveals nothing.
    attempts_remaining: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({
        description:
          'On a failed sign-in (401): how many more consecutive failures this email may have before sign-in with ' +
          'it is locked (`LOCKOUT_MAX_ATTEMPTS`, `LOCKOUT_MINUTES`); 0 when this failure locked it. The same for ' +
          'an email with and without an account.',
      }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;
export type FieldError = z.infer<typeof fieldErrorSchema>;
