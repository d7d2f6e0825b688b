import { createRoute } from '@hono/zod-openapi';
import { requireAuth } from '../../middlewares/require-auth';
import { requireRecentAuth } from '../../middlewares/require-recent-auth';
import { problemResponses } from '../../platform/problem';
import { jsonBody, bearerSecurity as security } from '../../platform/route-docs';
import {
  accountStartSchema,
  authorizationUrlSchema,
  callbackQuerySchema,
  linkListSchema,
  providerListSchema,
  providerParamSchema,
  startQuerySchema,
} from './oauth.schemas';

const tags = ['OAuth'];

const location = { Location: { schema: { type: 'string' as const }, description: 'Where the browser goes next' } };

// ─── /api/v1/auth/oauth: sign-in with a provider ────────────────────────────────────────────────────────────────

export const listProviders = createRoute({
  method: 'get',
  path: '/providers',
  tags,
  summary: 'The sign-in providers this server has configured',
  description: 'Only the providers whose client id and secret are set; an empty list when none is.',
  responses: {
    200: { description: 'Configured providers', content: { 'application/json': { schema: providerListSchema } } },
  },
});
export type ListProvidersRoute = typeof listProviders;

export const startSignIn = createRoute({
  method: 'get',
  path: '/{provider}/start',
  tags,
  summary: 'Sign in with a provider (a browser navigation)',
  description:
    'Starts an authorization-code flow with PKCE (S256), `state` and, for Google, an OIDC `nonce`; the flow lives ' +
    '10 minutes in the database. Sets the flow cookie (`HttpOnly`, `SameSite=Lax`, `Path=/api/v1/auth/oauth`), ' +
    'which holds only a random flow id, and redirects to the provider. If the provider cannot be reached ' +
    '(discovery failed), 303 to `/?auth_error=oauth_failed` instead.',
  request: { params: providerParamSchema, query: startQuerySchema },
  responses: {
    302: { description: "To the provider's authorization page", headers: location },
    303: { description: 'The provider is unreachable: to `/?auth_error=oauth_failed`', headers: location },
    ...problemResponses(404, 422, 429),
  },
});
export type StartSignInRoute = typeof startSignIn;

export const callback = createRoute({
  method: 'get',
  path: '/{provider}/callback',
  tags,
  summary: "The provider's redirect back (register this URL with the provider)",
  description:
    'Redirect URI: `<PUBLIC_APP_URL>/api/v1/auth/oauth/{provider}/callback`. Needs the flow cookie of the same ' +
    'browser; the flow is spent atomically, so a replayed or parallel callback finds nothing. Always a 303 and ' +
    'always clears the flow cookie. A sign-in lands on `return_to` with the refresh cookie set (the site then ' +
    'refreshes silently); a link or a step-up lands on `return_to`. Any failure lands on `/?auth_error=<code>`: ' +
    '`oauth_state` (no or another flow cookie, a bad or spent `state`, an expired flow, or a link/step-up whose ' +
    'session ended), `oauth_denied` (the provider answered `error`), `oauth_failed` (the code exchange or an ' +
    'ID-token check failed), `account_exists_sign_in_to_link`, `account_disabled`, and three more this API adds: ' +
    '`oauth_email_unverified` (no account yet, and the provider gave no verified email to make one with), ' +
    '`oauth_linked_elsewhere` (linking a provider account that is linked to another user), `oauth_wrong_account` ' +
    '(a step-up with another provider account than the one linked).',
  request: { params: providerParamSchema, query: callbackQuerySchema },
  responses: {
    303: {
      description:
        'To `return_to`; to `/?auth=mfa` with the HttpOnly mfa cookie when the user has MFA (finish with ' +
        'POST /auth/mfa/verify); or to `/?auth_error=<code>`',
      headers: location,
    },
    ...problemResponses(422, 429),
  },
});
export type CallbackRoute = typeof callback;

// ─── /api/v1/users/me/oauth: the signed-in user's connected accounts ───────────────────────────────────────────

export const listLinks = createRoute({
  method: 'get',
  path: '/',
  tags,
  security,
  summary: 'Your connected sign-in providers',
  middleware: [requireAuth()] as const,
  responses: {
    200: {
      description: 'One entry per connected provider',
      content: { 'application/json': { schema: linkListSchema } },
    },
    ...problemResponses(401),
  },
});
export type ListLinksRoute = typeof listLinks;

export const startFromAccount = createRoute({
  method: 'post',
  path: '/{provider}/start',
  tags,
  security,
  summary: 'Connect a provider, or step up through one',
  description:
    'Answers the authorization URL and sets the flow cookie; the browser then navigates there, and the callback ' +
    'brings it back to `return_to` (default `/dashboard`). `purpose: "link"` needs a recent step-up (401 ' +
    '`reauthentication_required` otherwise) and answers 409 when this provider is already connected (one link per ' +
    'provider). `purpose: "reauth"` needs the provider to be connected (404 otherwise) and, once the provider ' +
    'signed in the same account, stamps this session as recently authenticated. A step-up asks the provider for a ' +
    "fresh login: Google gets `prompt=login` and `max_age=0`, and its ID token's `auth_time` must be at or after " +
    'the start of the flow (otherwise nothing is stamped and the callback answers `auth_error=oauth_failed`). ' +
    'GitHub (plain OAuth 2) gets `prompt=select_account`, its only prompt, and reports no login time: it cannot ' +
    'prove a fresh login, so a GitHub step-up proves possession of the GitHub session only. 503 when the provider ' +
    'cannot be reached.',
  middleware: [requireAuth()] as const,
  request: { params: providerParamSchema, body: jsonBody(accountStartSchema) },
  responses: {
    200: { description: 'Navigate to it', content: { 'application/json': { schema: authorizationUrlSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
  },
});
export type StartFromAccountRoute = typeof startFromAccount;

export const unlink = createRoute({
  method: 'delete',
  path: '/{provider}',
  tags,
  security,
  summary: 'Disconnect a provider',
  description:
    'Needs a recent step-up (401 `reauthentication_required`). 404 when not connected; 409 `last_sign_in_method` ' +
    'when it is the only way into the account (no password, no other provider). Mails the owner.',
  middleware: [requireAuth(), requireRecentAuth()] as const,
  request: { params: providerParamSchema },
  responses: {
    204: { description: 'Disconnected' },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});
export type UnlinkRoute = typeof unlink;
