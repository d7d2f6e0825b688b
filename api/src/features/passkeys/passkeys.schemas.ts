import { z } from 'zod';
import {
  authenticationResponseSchema,
  passkeyNameSchema,
  passkeySchema,
  registrationResponseSchema,
} from '../../shared/passkeys';

export const passkeyListSchema = z.array(passkeySchema).meta({ id: 'PasskeyList' });

export const passkeyIdParamSchema = z.object({
  id: z
    .uuid('Passkey id must be a UUID')
    .meta({ param: { name: 'id', in: 'path' }, example: '3f1c2b9e-8a4d-4e5f-9b6a-7c8d9e0f1a2b' }),
});

export const registerPasskeySchema = z
  .object({ name: passkeyNameSchema, response: registrationResponseSchema })
  .meta({ id: 'RegisterPasskeyRequest' });

export const renamePasskeySchema = z.object({ name: passkeyNameSchema }).meta({ id: 'RenamePasskeyRequest' });

// The WebAuthn options objects, as @simplewebauthn/server makes them (JSON form: binary values in base64url). The
// browser passes them to PublicKeyCredential.parse*OptionsFromJSON or @simplewebauthn/browser as they are.
export const creationOptionsSchema = z
  .looseObject({
    challenge: z.string(),
    rp: z.looseObject({ id: z.string().optional(), name: z.string() }),
    user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.looseObject({ type: z.string(), alg: z.number() })),
  })
  .meta({ id: 'WebAuthnCreationOptions', description: 'PublicKeyCredentialCreationOptionsJSON' });

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
