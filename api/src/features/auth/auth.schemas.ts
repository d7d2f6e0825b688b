import { z } from 'zod';
import { loginEmailSchema, loginSchema, roleSchema, signupSchema } from '../../schemas';

export { loginSchema, signupSchema };

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

export const tokenPairSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds until the access token expires' }),
    refresh_token: z.string(),
    refresh_expires_in: z.number().int().meta({ description: 'Seconds until the refresh token expires' }),
  })
  .meta({ id: 'TokenPair' });

// OAuth2 password flow (RFC 6749 §4.3): Swagger UI's "Authorize" posts exactly this form.
export const loginFormSchema = z
  .object({
    username: loginEmailSchema,
    password: z.string().min(1, 'Password is required').max(1024),
    grant_type: z.string().optional(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    client_secret: z.string().optional(),
  })
  .meta({ id: 'LoginForm' });

export const refreshRequestSchema = z
  .object({ refresh_token: z.string().min(1).max(256).optional() })
  .meta({ id: 'RefreshRequest', description: 'Omit the body (or the field) to use the refresh cookie.' });

export const logoutRequestSchema = refreshRequestSchema;

export function toUserResponse(user: {
  id: string;
  email: string;
  full_name: string;
  role: 'student' | 'instructor' | 'admin';
  is_active: boolean;
  is_verified: boolean;
  created_at: Date;
  last_login_at: Date | null;
}): z.infer<typeof userSchema> {
  return {
    id: user.id,
    email: user.email,
    full_name: user.full_name,
    role: user.role,
    is_active: user.is_active,
    is_verified: user.is_verified,
    created_at: user.created_at.toISOString(),
    last_login_at: user.last_login_at ? user.last_login_at.toISOString() : null,
  };
}
