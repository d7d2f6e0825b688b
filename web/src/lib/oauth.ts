import type { OAuthProviderId, OAuthProviderInfo } from '@aibc/api/shared/oauth';
import type { ClientRequestOptions } from 'hono/client';
import { client } from './api';

export type { OAuthProviderId, OAuthProviderInfo };

/** How the site names each provider when the API's list is not at hand (step-up methods, connected accounts). */
export const PROVIDER_NAMES: Record<OAuthProviderId, string> = { google: 'Google', github: 'GitHub' };

/**
 * GET /auth/oauth/providers, once per page: the providers this server has configured. A failure reads as "none",
 * so a checkout without OAuth configuration (or an API that is down) shows no buttons rather than broken ones.
 */
let providers: Promise<OAuthProviderInfo[]> | undefined;
export function loadProviders(): Promise<OAuthProviderInfo[]> {
  providers ??= client.api.v1.auth.oauth.providers
    .$get()
    .then((response) => (response.ok ? response.json() : []))
    .catch(() => {
      providers = undefined; // a network blip: ask again next time
      return [];
    });
  return providers;
}

/** Where a provider sign-in starts: a plain navigation (the API answers 302 to the provider and sets the flow cookie). */
export function signInStartUrl(provider: OAuthProviderId, returnTo = '/dashboard') {
  const base = import.meta.env.PUBLIC_API_URL ?? '';
  return `${base}/api/v1/auth/oauth/${provider}/start?return_to=${encodeURIComponent(returnTo)}`;
}

/**
 * POST /users/me/oauth/{provider}/start: connect a provider (`link`, needs a step-up) or step up through one
 * (`reauth`). On 200 the caller navigates to `authorization_url`; the provider brings the browser back to `return_to`.
 */
export function startAccountFlow(
  options: ClientRequestOptions,
  provider: OAuthProviderId,
  purpose: 'link' | 'reauth',
  returnTo: string,
) {
  return client.api.v1.users.me.oauth[':provider'].start.$post(
    { param: { provider }, json: { purpose, return_to: returnTo } },
    options,
  );
}

/** The current page's path and query, with `extra` set: where a provider round trip should come back to. */
export function hereWith(extra: Record<string, string> = {}) {
  const url = new URL(window.location.href);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}
