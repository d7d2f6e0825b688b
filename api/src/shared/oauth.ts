import { z } from 'zod';

// Sign-in with an external provider: the ids the routes take and the objects they answer with.

export const oauthProviderIds = ['google', 'github'] as const;
export const oauthProviderSchema = z.enum(oauthProviderIds).meta({ id: 'OAuthProvider' });
export type OAuthProviderId = z.infer<typeof oauthProviderSchema>;

export const oauthProviderInfoSchema = z
  .object({ id: oauthProviderSchema, name: z.string() })
  .meta({ id: 'OAuthProviderInfo' });
export type OAuthProviderInfo = z.infer<typeof oauthProviderInfoSchema>;

export const oauthLinkSchema = z
  .object({
    provider: oauthProviderSchema,
    email: z.string().nullable().meta({ description: "The provider account's email when it shared one" }),
    linked_at: z.string().meta({ format: 'date-time' }),
    last_used_at: z.string().nullable().meta({ format: 'date-time', description: 'Last sign-in through this link' }),
  })
  .meta({ id: 'OAuthLink' });
export type OAuthLink = z.infer<typeof oauthLinkSchema>;
