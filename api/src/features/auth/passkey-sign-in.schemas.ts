import { z } from 'zod';
import { authenticationResponseSchema } from '../../shared/passkeys';

// The WebAuthn request options, as @simplewebauthn/server makes them (JSON form: binary values in base64url). The
// browser passes them to PublicKeyCredential.parseRequestOptionsFromJSON or @simplewebauthn/browser as they are.
export const requestOptionsSchema = z
  .looseObject({
    challenge: z.string(),
    rpId: z.string().optional(),
    userVerification: z.string().optional(),
    allowCredentials: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
  })
  .meta({ id: 'WebAuthnRequestOptions', description: 'PublicKeyCredentialRequestOptionsJSON' });

export const passkeySignInOptionsSchema = z
  .object({
    challenge_id: z.uuid().meta({ description: 'Send it back with the assertion to POST /auth/passkey/verify' }),
    options: requestOptionsSchema,
  })
  .meta({ id: 'PasskeySignInOptions' });

export const passkeySignInSchema = z
  .object({ challenge_id: z.uuid('challenge_id must be a UUID'), response: authenticationResponseSchema })
  .meta({ id: 'PasskeySignInRequest' });

// POST /auth/mfa/webauthn/options: the pending sign-in's mfa_token (omit it after a provider sign-in: the mfa cookie
// holds it).
export const secondFactorOptionsSchema = z
  .object({ mfa_token: z.string().min(1).max(256).optional() })
  .strict()
  .meta({
    id: 'MfaWebAuthnOptionsRequest',
    description:
      'The `mfa_token` of the `mfa_required` answer; omit it after a provider sign-in (the mfa cookie holds it).',
  });
