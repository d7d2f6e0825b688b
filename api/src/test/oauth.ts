import { afterAll, beforeAll } from 'vitest';
import { refreshCookieName } from '../auth/refresh-cookie';

// The tests run with NODE_ENV=test: the refresh cookie has its production name.
const REFRESH_COOKIE = refreshCookieName('test');

import { FLOW_COOKIE } from '../features/oauth/oauth.cookie';
import { client } from './fixtures';
import { type LocalGitHub, startLocalGitHub } from './local-github';
import { type LocalGoogle, startLocalGoogle } from './local-google';
import { createTestDatabase, type StartTestAppOptions, startTestApp, type TestApp, type TestDatabase } from './setup';
import { startSmtpServer, type TestSmtpServer } from './smtp';

// OAuth tests without the internet: a local Google (oidc-provider) and a local GitHub on 127.0.0.1, and the API
// pointed at them through GOOGLE_ISSUER, GITHUB_OAUTH_BASE_URL and GITHUB_API_BASE_URL. The test plays the browser:
// it keeps each site's cookies, follows redirects, and presses the provider's Continue button.

// The site's public origin as the API builds redirect URIs and landing URLs from it. Nothing listens there: the
// "browser" below turns a redirect to it into a request to the app under test.
export const PUBLIC_APP_URL = 'http://localhost:4321';

export type OAuthTestSuite = {
  app: TestApp;
  db: TestDatabase;
  google: LocalGoogle;
  github: LocalGitHub;
  smtp: TestSmtpServer;
};

export function oauthEnv(google: LocalGoogle, github: LocalGitHub): Record<string, string> {
  return {
    PUBLIC_APP_URL,
    GOOGLE_CLIENT_ID: google.clientId,
    GOOGLE_CLIENT_SECRET: google.clientSecret,
    GOOGLE_ISSUER: google.issuer,
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_OAUTH_BASE_URL: github.oauthBaseUrl,
    GITHUB_API_BASE_URL: github.apiBaseUrl,
  };
}

// The header of an OAuth test file: both providers, a mail server, a database and the app. Filled in by beforeAll.
export function useOAuthTestApp(options: StartTestAppOptions = {}): OAuthTestSuite {
  const suite = {} as OAuthTestSuite;
  beforeAll(async () => {
    const redirectUris = [`${PUBLIC_APP_URL}/api/v1/auth/oauth/google/callback`];
    [suite.google, suite.github, suite.smtp, suite.db] = await Promise.all([
      startLocalGoogle({ redirectUris }),
      startLocalGitHub(),
      startSmtpServer(),
      createTestDatabase(),
    ]);
    suite.app = await startTestApp(suite.db.url, {
      ...options,
      env: { SMTP_URL: suite.smtp.url, ...oauthEnv(suite.google, suite.github), ...options.env },
      mailRetryDelaysMs: [50],
    });
  });
  afterAll(async () => {
    await suite.app?.close();
    await Promise.all([suite.google?.close(), suite.github?.close(), suite.smtp?.close()]);
    await suite.db?.drop();
  });
  return suite;
}

export type Provider = 'google' | 'github';

export type AppRedirect = {
  status: number;
  location: string | null;
  headers: Headers;
  // The Set-Cookie lines of the answer, by cookie name.
  cookies: Map<string, string>;
  body: string;
};

async function requestApp(app: Pick<TestApp, 'url'>, path: string, init: RequestInit = {}): Promise<AppRedirect> {
  const response = await fetch(`${app.url}${path}`, { redirect: 'manual', ...init });
  const cookies = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) cookies.set(line.slice(0, line.indexOf('=')), line);
  return {
    status: response.status,
    location: response.headers.get('location'),
    headers: response.headers,
    cookies,
    body: await response.text(),
  };
}

// The value a Set-Cookie line sets ('' when it clears the cookie).
export function cookieValue(line: string | undefined): string | undefined {
  if (line === undefined) return undefined;
  return decodeURIComponent(line.slice(line.indexOf('=') + 1).split(';')[0] ?? '');
}

export type StartedFlow = { response: AppRedirect; authorizationUrl: string; flowCookie: string };

// GET /auth/oauth/{provider}/start as a browser navigation.
export async function startSignIn(app: Pick<TestApp, 'url'>, provider: Provider, returnTo?: string) {
  const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  const response = await requestApp(app, `/api/v1/auth/oauth/${provider}/start${query}`);
  if (response.status !== 302 || !response.location) {
    throw new Error(`start answered ${response.status}: ${response.body}`);
  }
  const flowCookie = cookieValue(response.cookies.get(FLOW_COOKIE));
  if (!flowCookie) throw new Error('start set no flow cookie');
  return { response, authorizationUrl: response.location, flowCookie } satisfies StartedFlow;
}

// At the provider: follows its redirects (keeping its cookies) to the page with the Continue button, presses it (or
// Cancel), and follows on until the provider sends the browser back to the app. Answers that callback URL.
// `jar`: the provider's cookies, kept across calls to play a browser that still has a session there. `pagesShown`:
// the provider pages whose button was pressed (its login / consent screen), to tell whether it asked at all.
export async function approveAtProvider(
  authorizationUrl: string,
  {
    decision = 'continue',
    jar = new Map<string, string>(),
    pagesShown = [],
  }: { decision?: 'continue' | 'cancel'; jar?: Map<string, string>; pagesShown?: string[] } = {},
): Promise<string> {
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let hop = 0; hop < 15; hop++) {
    if (url.startsWith(`${PUBLIC_APP_URL}/`)) return url;
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      redirect: 'manual',
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      jar.set(name, pair.slice(pair.indexOf('=') + 1));
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).href;
      init = {};
      continue;
    }
    const html = await response.text();
    const form = html.match(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/);
    if (response.status !== 200 || !form)
      throw new Error(`the provider answered ${response.status}: ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const input of (form[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields.set(input[1] ?? '', decodeEntities(input[2] ?? ''));
    }
    fields.set('decision', decision);
    pagesShown.push(url);
    url = new URL(form[1] ?? '', url).href;
    init = {
      method: 'POST',
      body: fields.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
  }
  throw new Error('the provider never sent the browser back');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

function decodeEntities(value: string) {
  return value.replace(/&(#\d+|amp|lt|gt|quot);/g, (_, entity: string) =>
    entity.startsWith('#') ? String.fromCharCode(Number(entity.slice(1))) : (ENTITIES[entity] ?? ''),
  );
}

// The provider's redirect back, as the browser makes it: to the app, with the flow cookie (if any).
export async function callbackAtApp(
  app: Pick<TestApp, 'url'>,
  callbackUrl: string,
  flowCookie: string | undefined,
  cookies: Record<string, string> = {},
): Promise<AppRedirect> {
  const path = callbackUrl.slice(PUBLIC_APP_URL.length);
  const jar = { ...cookies, ...(flowCookie ? { [FLOW_COOKIE]: flowCookie } : {}) };
  const cookie = Object.entries(jar)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  return requestApp(app, path, { headers: cookie ? { cookie } : {} });
}

export type SignInResult = AppRedirect & { refreshToken: string | undefined };

// The whole sign-in: start, Continue at the provider, callback.
export async function signInWith(
  app: Pick<TestApp, 'url'>,
  provider: Provider,
  returnTo?: string,
  providerBrowser: { jar?: Map<string, string>; pagesShown?: string[] } = {},
): Promise<SignInResult> {
  const flow = await startSignIn(app, provider, returnTo);
  const callbackUrl = await approveAtProvider(flow.authorizationUrl, providerBrowser);
  const response = await callbackAtApp(app, callbackUrl, flow.flowCookie);
  return { ...response, refreshToken: cookieValue(response.cookies.get(REFRESH_COOKIE)) || undefined };
}

// The access token the site's silent refresh gets from the refresh cookie a sign-in set.
export async function accessTokenFrom(app: Pick<TestApp, 'url'>, refreshToken: string): Promise<string> {
  const response = await client(app).api.v1.auth.refresh.$post(
    { json: {} },
    { headers: { cookie: `${REFRESH_COOKIE}=${refreshToken}` } },
  );
  if (response.status !== 200) throw new Error(`refresh answered ${response.status}`);
  return (await response.json()).access_token;
}

// POST /users/me/oauth/{provider}/start, then the provider, then the callback: a link or a provider step-up.
// Starts a dashboard flow (link or step-up) for a signed-in user; `flowCookie` is undefined when the start refused.
export async function startAccountFlow(
  app: Pick<TestApp, 'url'>,
  provider: Provider,
  accessToken: string,
  body: { purpose: 'link' | 'reauth'; return_to?: string },
): Promise<{ start: AppRedirect; authorizationUrl?: string; flowCookie?: string }> {
  const start = await requestApp(app, `/api/v1/users/me/oauth/${provider}/start`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (start.status !== 200) return { start };
  const { authorization_url } = JSON.parse(start.body) as { authorization_url: string };
  return { start, authorizationUrl: authorization_url, flowCookie: cookieValue(start.cookies.get(FLOW_COOKIE)) };
}

// A whole dashboard flow: start, approve at the provider, come back.
export async function accountFlow(
  app: Pick<TestApp, 'url'>,
  provider: Provider,
  accessToken: string,
  body: { purpose: 'link' | 'reauth'; return_to?: string },
  providerBrowser: { jar?: Map<string, string>; pagesShown?: string[] } = {},
): Promise<{ start: AppRedirect; callback?: AppRedirect; authorizationUrl?: string }> {
  const { start, authorizationUrl, flowCookie } = await startAccountFlow(app, provider, accessToken, body);
  if (!authorizationUrl) return { start };
  const callbackUrl = await approveAtProvider(authorizationUrl, providerBrowser);
  const callback = await callbackAtApp(app, callbackUrl, flowCookie);
  return { start, callback, authorizationUrl };
}

let counter = 0;
// A Google account of its own per test.
export function googleAccount(
  overrides: Partial<{ sub: string; email: string; email_verified: boolean; name: string }> = {},
) {
  counter += 1;
  return {
    sub: `${Date.now()}${counter}`,
    email: `g${counter}.${Date.now()}@gmail.example`,
    email_verified: true,
    name: 'Grace Hopper',
    ...overrides,
  };
}

// A GitHub account of its own per test: a fresh numeric id, a verified primary address.
export function githubAccount(
  overrides: Partial<{ id: number; login: string; name: string | null; email: string; verified: boolean }> = {},
) {
  counter += 1;
  const id = overrides.id ?? 10_000_000 + Math.floor(Math.random() * 1_000_000) * 100 + counter;
  const email = overrides.email ?? `octo${id}@users.example`;
  return {
    id,
    login: overrides.login ?? `octocat${id}`,
    name: overrides.name === undefined ? 'Octo Cat' : overrides.name,
    emails: [
      { email: `secondary${id}@users.example`, primary: false, verified: true },
      { email, primary: true, verified: overrides.verified ?? true },
    ],
  };
}
