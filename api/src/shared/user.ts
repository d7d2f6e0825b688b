import { z } from 'zod';
import { roleSchema } from './fields';

// The objects the API answers with that the browser keeps: the user and the token pair.

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    full_name: z.string(),
    role: roleSchema,
    is_active: z.boolean(),
    is_verified: z.boolean(),
    created_at: z.string().meta({ format: 'date-time' }),
    last_login_at: z.string().nullable().meta({ format: 'date-time' }),
  })
  .meta({ id: 'User' });

export type User = z.infer<typeof userSchema>;
export type Role = User['role'];

// OAuth2 token response (RFC 6749 §5.1).
export const tokenPairSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds until the access token expires' }),
    refresh_token: z.string(),
    refresh_expires_in: z.number().int().meta({ description: 'Seconds until the refresh token expires' }),
  })
  .meta({ id: 'TokenPair' });

export type TokenPair = z.infer<typeof tokenPairSchema>;
