import { z } from 'zod';
import { oauthLinkSchema, oauthProviderInfoSchema, oauthProviderSchema } from '../../shared/oauth';

export const providerParamSchema = z.object({
  provider: oauthProviderSchema.meta({ param: { name: 'provider', in: 'path' }, example: 'google' }),
});

export const providerListSchema = z.array(oauthProviderInfoSchema).meta({ id: 'OAuthProviderList' });

export const linkListSchema = z.array(oauthLinkSchema).meta({ id: 'OAuthLinkList' });

const returnToSchema = z
  .string()
  .max(2048)
  .meta({
    description:
      'A path on this site to land on afterwards, query string kept (default `/dashboard`). Anything that is not a ' +
      'same-origin path is replaced by `/dashboard`.',
    example: '/dashboard',
  });

export const startQuerySchema = z.object({
  return_to: returnToSchema.optional().meta({ param: { name: 'return_to', in: 'query' } }),
});

// The provider's redirect: `code` and `state`, or `error` (and whatever else it adds, e.g. Google's `scope`,
// `authuser`, `prompt`, or RFC 9207's `iss`). Documented here, but read as the raw query, which openid-client checks
// in full; a repeated parameter is let through to fail that check (a 303 with `oauth_state`), never a JSON 422 to a
// browser navigation.
const callbackParam = (name: string, description: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .meta({ param: { name, in: 'query' }, description });

export const callbackQuerySchema = z.object({
  code: callbackParam('code', 'The authorization code'),
  state: callbackParam('state', 'The state this flow was started with'),
  error: callbackParam('error', "The provider's error instead of a code, e.g. `access_denied`"),
});

export const accountStartSchema = z
  .object({
    purpose: z.enum(['link', 'reauth']).meta({
      description:
        '`link`: connect this provider to your account (needs a recent step-up). `reauth`: step up by signing in ' +
        'at a provider already connected (stamps this session as POST /auth/reauthenticate does). Google must see ' +
        'a fresh login (`prompt=login`, `max_age=0`, `auth_time` checked); GitHub cannot prove one and proves ' +
        'possession of the GitHub session only.',
    }),
    return_to: returnToSchema.optional(),
  })
  .meta({ id: 'OAuthAccountStartRequest' });

export const authorizationUrlSchema = z
  .object({ authorization_url: z.url().meta({ description: "The provider's authorization URL: navigate there" }) })
  .meta({ id: 'OAuthAuthorizationUrl' });
