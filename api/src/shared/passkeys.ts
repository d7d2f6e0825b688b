import { z } from 'zod';
import { INVISIBLE_FORMAT_CHARACTERS } from './fields';

// Passkeys as the browser and the API both see them: the name rule (one zod schema for the form and the route),
// the listed passkey, and the WebAuthn responses the browser posts (checked for shape here; @simplewebauthn/server
// checks everything that matters cryptographically).

export const passkeyNameSchema = z
  .string()
  .trim()
  .min(1, 'Give the passkey a name')
  .max(64, 'The name must be at most 64 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((value) => !/[\u0000-\u001f\u007f-\u009f]/.test(value), 'The name must not contain control characters')
  .refine(
    (value) => !INVISIBLE_FORMAT_CHARACTERS.test(value),
    'The name must not contain invisible formatting characters',
  )
  .meta({ example: 'MacBook Touch ID' });

export const passkeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    created_at: z.string().meta({ format: 'date-time' }),
    last_used_at: z.string().meta({ format: 'date-time' }).nullable(),
    backed_up: z.boolean().meta({
      description: 'True when the authenticator says the passkey is backed up (synced to other devices)',
    }),
  })
  .meta({ id: 'Passkey' });

export type Passkey = z.infer<typeof passkeySchema>;

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

// What a created and an asserted credential's JSON have in common (each response adds its own fields after clientDataJSON).
const credential = {
  id: base64url(1366).min(1),
  rawId: base64url(1366).min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};
const clientDataJSON = base64url(4096).min(1);

// PublicKeyCredential.toJSON() of navigator.credentials.create(), or @simplewebauthn/browser's startRegistration().
export const registrationResponseSchema = z
  .object({
    ...credential,
    response: z.object({
      clientDataJSON,
      attestationObject: base64url(32_768).min(1),
      authenticatorData: base64url(16_384).optional(),
      transports: z.array(z.string().max(32)).max(8).optional(),
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: base64url(4096).optional(),
    }),
  })
  .meta({ id: 'WebAuthnRegistrationResponse', description: 'The JSON form of a created PublicKeyCredential' });

// PublicKeyCredential.toJSON() of navigator.credentials.get(), or @simplewebauthn/browser's startAuthentication().
export const authenticationResponseSchema = z
  .object({
    ...credential,
    response: z.object({
      clientDataJSON,
      authenticatorData: base64url(16_384).min(1),
      signature: base64url(2048).min(1),
      userHandle: base64url(128).optional(),
    }),
  })
  .meta({ id: 'WebAuthnAuthenticationResponse', description: 'The JSON form of an asserted PublicKeyCredential' });

export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;
