import type { Configuration } from 'openid-client';
import type { Config } from '../../env';
import type { Logger } from '../../platform/logger';
import type { OAuthProviderId, OAuthProviderInfo } from '../../shared/oauth';
import type { FlowPurpose } from './oauth.queries';

// The two providers, through openid-client (panva): discovery, PKCE, state, nonce and the ID-token checks are the
// library's, never ours. Google is OpenID Connect; GitHub is plain OAuth 2, so its identity comes from its REST API.

type OpenIdClient = typeof import('openid-client');

// Loaded on the first sign-in, not at start: most instances serve no OAuth in their first seconds (cold start).
let openIdClient: Promise<OpenIdClient> | undefined;
const loadOpenIdClient = () => {
  openIdClient ??= import('openid-client');
  return openIdClient;
};

const NAMES: Record<OAuthProviderId, string> = { google: 'Google', github: 'GitHub' };

// What the API learns from a provider about the person who signed in. `subject` is the provider's stable id: Google's
// `sub`, GitHub's numeric `id` (never the `login`, which its owner can rename and someone else can then take).
export type ProviderIdentity = {
  subject: string;
  // Only an address the provider says is the person's: Google's `email` (with `emailVerified` as Google says),
  // GitHub's primary address if verified, else null.
  email: string | null;
  emailVerified: boolean;
  name: string | null;
};

export type ProviderExchange = { ok: true; identity: ProviderIdentity } | { ok: false; reason: string };

export function providerName(id: OAuthProviderId) {
  return NAMES[id];
}

export function isConfigured(config: Config, id: OAuthProviderId): boolean {
  return config.oauth[id] !== undefined;
}

// A provider is on when its client id and secret are set; the others do not exist as far as a visitor can tell.
export function configuredProviders(config: Config): OAuthProviderInfo[] {
  return (['google', 'github'] as const)
    .filter((id) => isConfigured(config, id))
    .map((id) => ({ id, name: NAMES[id] }));
}

// The one redirect URI per provider, registered with it: built from PUBLIC_APP_URL, never from the request's Host.
export function redirectUri(config: Config, id: OAuthProviderId): string {
  return `${config.oauth.publicAppUrl}/api/v1/auth/oauth/${id}/callback`;
}

// openid-client's configuration per app config and provider, made once (Google's is discovered from
// GOOGLE_ISSUER/.well-known/openid-configuration) and kept. A failed discovery is not kept: the next sign-in retries.
const clients = new WeakMap<Config, Map<OAuthProviderId, Promise<Configuration>>>();

function clientFor(config: Config, id: OAuthProviderId): Promise<Configuration> {
  let perConfig = clients.get(config);
  if (!perConfig) {
    perConfig = new Map();
    clients.set(config, perConfig);
  }
  let client = perConfig.get(id);
  if (!client) {
    client = createClient(config, id);
    const cache = perConfig;
    client.catch(() => cache.delete(id));
    perConfig.set(id, client);
  }
  return client;
}

const TIMEOUT_SECONDS = 10;

async function createClient(config: Config, id: OAuthProviderId): Promise<Configuration> {
  const openid = await loadOpenIdClient();
  if (id === 'google') {
    const google = config.oauth.google;
    if (!google) throw new Error('Google sign-in is not configured');
    // http: is only ever accepted outside production (env.ts refuses it there): the tests' local provider.
    const insecure = google.issuer.startsWith('http:') ? [openid.allowInsecureRequests] : [];
    return openid.discovery(
      new URL(google.issuer),
      google.clientId,
      { client_secret: google.clientSecret, id_token_signed_response_alg: 'RS256' },
      openid.ClientSecretPost(google.clientSecret),
      {
        // openid-client does not check an ID token's signature by default when it comes straight from the token
        // endpoint over TLS (OIDC Core 3.1.3.7 allows that). API.md requires it, and it is what makes a token
        // signed by anyone but the issuer fail: the signature is verified against the issuer's JWKS.
        execute: [...insecure, openid.enableNonRepudiationChecks],
        timeout: TIMEOUT_SECONDS,
      },
    );
  }
  const github = config.oauth.github;
  if (!github) throw new Error('GitHub sign-in is not configured');
  const client = new openid.Configuration(
    {
      issuer: github.oauthBaseUrl,
      authorization_endpoint: `${github.oauthBaseUrl}/login/oauth/authorize`,
      token_endpoint: `${github.oauthBaseUrl}/login/oauth/access_token`,
    },
    github.clientId,
    { client_secret: github.clientSecret },
    openid.ClientSecretPost(github.clientSecret),
  );
  client.timeout = TIMEOUT_SECONDS;
  if (github.oauthBaseUrl.startsWith('http:') || github.apiBaseUrl.startsWith('http:')) {
    openid.allowInsecureRequests(client);
  }
  return client;
}

const SCOPES: Record<OAuthProviderId, string> = { google: 'openid email profile', github: 'read:user user:email' };

export type FlowSecrets = { state: string; codeVerifier: string; nonce: string | null };

// A new flow's random values, made by openid-client: state (CSRF), PKCE verifier, and for Google the OIDC nonce.
export async function newFlowSecrets(id: OAuthProviderId): Promise<FlowSecrets> {
  const openid = await loadOpenIdClient();
  return {
    state: openid.randomState(),
    codeVerifier: openid.randomPKCECodeVerifier(),
    nonce: id === 'google' ? openid.randomNonce() : null,
  };
}

// What a step-up (purpose reauth) asks of the provider so that "recent authentication" means a login just now and
// not a provider session that is still live. Google (OIDC Core 3.1.2.1): `prompt=login` makes it ask for the
// credentials again and `max_age=0` makes it put `auth_time` in the ID token, which the callback checks. GitHub
// (plain OAuth 2) has neither: `prompt=select_account`, the one prompt it documents, shows its account picker, so
// the person has to act at GitHub, but it cannot prove a fresh login — a GitHub step-up proves possession of the
// GitHub session only.
const FRESH_LOGIN_PARAMETERS: Record<OAuthProviderId, Record<string, string>> = {
  google: { prompt: 'login', max_age: '0' },
  github: { prompt: 'select_account' },
};

export async function authorizationUrl(
  config: Config,
  id: OAuthProviderId,
  secrets: FlowSecrets,
  purpose: FlowPurpose,
): Promise<string> {
  const openid = await loadOpenIdClient();
  const client = await clientFor(config, id);
  const parameters: Record<string, string> = {
    redirect_uri: redirectUri(config, id),
    scope: SCOPES[id],
    state: secrets.state,
    code_challenge: await openid.calculatePKCECodeChallenge(secrets.codeVerifier),
    code_challenge_method: 'S256',
  };
  if (secrets.nonce) parameters.nonce = secrets.nonce;
  if (purpose === 'reauth') Object.assign(parameters, FRESH_LOGIN_PARAMETERS[id]);
  return openid.buildAuthorizationUrl(client, parameters).href;
}

// The provider step of a callback: the code for tokens (with the PKCE verifier), every check of the authorization
// response and, for Google, of the ID token (signature against the issuer's JWKS, alg, iss, aud, exp, iat, nonce);
// then the identity. Any failure is a value, never an exception: the caller turns it into `oauth_failed`.
//
// `freshLoginSince` (a Google step-up): the login at Google must have happened at or after this moment, the flow's
// creation. openid-client's `maxAge` check requires `auth_time` in the ID token and refuses one older than maxAge
// seconds (with its 30 s clock tolerance); maxAge is the flow's age, so that check bounds auth_time to about the
// flow's creation, and the exact bound against the stored creation time is checked here after it.
export async function exchangeCode(
  config: Config,
  id: OAuthProviderId,
  callbackQuery: string,
  secrets: FlowSecrets,
  logger: Logger,
  freshLoginSince?: { flowCreatedAt: Date; now: Date },
): Promise<ProviderExchange> {
  try {
    const openid = await loadOpenIdClient();
    const client = await clientFor(config, id);
    // The URL the provider redirected to, rebuilt from PUBLIC_APP_URL (behind a proxy the request's own URL is an
    // internal one); openid-client sends it, without the query, as the token request's redirect_uri.
    const currentUrl = new URL(redirectUri(config, id));
    currentUrl.search = callbackQuery;
    const tokens = await openid.authorizationCodeGrant(client, currentUrl, {
      pkceCodeVerifier: secrets.codeVerifier,
      expectedState: secrets.state,
      ...(secrets.nonce ? { expectedNonce: secrets.nonce, idTokenExpected: true } : {}),
      ...(freshLoginSince && id === 'google' ? { maxAge: flowAgeSeconds(freshLoginSince) } : {}),
    });
    if (id === 'google') {
      const claims = tokens.claims();
      if (!claims) return { ok: false, reason: 'no_id_token' };
      if (freshLoginSince) {
        // auth_time is whole seconds: a login in the same second as the flow's creation counts.
        const since = Math.floor(freshLoginSince.flowCreatedAt.getTime() / 1000);
        if (typeof claims.auth_time !== 'number') return { ok: false, reason: 'auth_time_missing' };
        if (claims.auth_time < since) return { ok: false, reason: 'auth_time_before_flow' };
      }
      return {
        ok: true,
        identity: {
          subject: claims.sub,
          email: typeof claims.email === 'string' ? claims.email : null,
          emailVerified: claims.email_verified === true,
          name: typeof claims.name === 'string' ? claims.name : null,
        },
      };
    }
    return await fetchGitHubIdentity(openid, client, config, tokens.access_token);
  } catch (error) {
    // The library's error (and the one it wraps) names the failed check, e.g. `unexpected JWT "aud" (audience)
    // claim value`; messages carry no secret, and are what an operator needs to see why sign-ins fail.
    const reason = describeError(error);
    logger.warn({ provider: id, reason }, 'oauth code exchange failed');
    return { ok: false, reason };
  }
}

function flowAgeSeconds({ flowCreatedAt, now }: { flowCreatedAt: Date; now: Date }): number {
  return Math.max(0, Math.ceil((now.getTime() - flowCreatedAt.getTime()) / 1000));
}

function describeError(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current instanceof Error && messages.length < 3; current = current.cause) {
    messages.push(current.message);
  }
  return (messages.length > 0 ? messages.join(': ') : 'unknown error').slice(0, 200);
}

type GitHubUser = { id?: unknown; login?: unknown; name?: unknown };
type GitHubEmail = { email?: unknown; primary?: unknown; verified?: unknown };

async function fetchGitHubIdentity(
  openid: OpenIdClient,
  client: Configuration,
  config: Config,
  accessToken: string,
): Promise<ProviderExchange> {
  const apiBase = config.oauth.github?.apiBaseUrl;
  if (!apiBase) return { ok: false, reason: 'github_not_configured' };
  const get = async (path: string) => {
    const response = await openid.fetchProtectedResource(
      client,
      accessToken,
      new URL(`${apiBase}${path}`),
      'GET',
      undefined,
      new Headers({
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        // GitHub refuses API requests without a User-Agent.
        'user-agent': 'ai-bootcamp-api',
      }),
    );
    if (!response.ok) throw new Error(`GitHub ${path} answered ${response.status}`);
    return response.json() as Promise<unknown>;
  };
  const [user, emails] = (await Promise.all([get('/user'), get('/user/emails')])) as [GitHubUser, GitHubEmail[]];
  if (typeof user.id !== 'number' || !Number.isSafeInteger(user.id)) return { ok: false, reason: 'github_user_id' };
  // The primary address, and only if GitHub verified it: an unverified one proves nothing about who signed in.
  const primary = Array.isArray(emails) ? emails.find((entry) => entry.primary === true) : undefined;
  const verified = primary?.verified === true && typeof primary.email === 'string';
  const name = typeof user.name === 'string' && user.name.trim() ? user.name : user.login;
  return {
    ok: true,
    identity: {
      subject: String(user.id),
      email: verified ? (primary.email as string) : null,
      emailVerified: verified,
      name: typeof name === 'string' ? name : null,
    },
  };
}
