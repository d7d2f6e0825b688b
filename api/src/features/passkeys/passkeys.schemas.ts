import { z } from 'zod';
import { passkeyNameSchema, passkeySchema, registrationResponseSchema } from '../../shared/passkeys';

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

// The WebAuthn creation options, as @simplewebauthn/server makes them (JSON form: binary values in base64url). The
// browser passes them to PublicKeyCredential.parseCreationOptionsFromJSON or @simplewebauthn/browser as they are.
export const creationOptionsSchema = z
  .looseObject({
    challenge: z.string(),
    rp: z.looseObject({ id: z.string().optional(), name: z.string() }),
    user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.looseObject({ type: z.string(), alg: z.number() })),
  })
  .meta({ id: 'WebAuthnCreationOptions', description: 'PublicKeyCredentialCreationOptionsJSON' });
