import { randomBytes } from 'node:crypto';
import { hc } from 'hono/client';
import { expect } from 'vitest';
import type { AppType } from '../app';
import { refreshCookieName } from '../auth/refresh-cookie';
import type { Config } from '../env';
import type { TestApp } from './setup';

export const DEFAULT_PASSWORD = 'Tr1cky-Pa55word!';

export function uniqueEmail(prefix = 'learner') {
  return `${prefix}.${randomBytes(4).toString('hex')}@example.com`;
}

// The typed client the web app uses (`hc<AppType>`), pointed at a test server: a route or field renamed in the API
// fails the test's typecheck. `token` signs its requests in. `api()` below stays for what a typed client cannot
// send: malformed JSON, wrong content types, unknown fields, oversized bodies.
export function client(app: Pick<TestApp, 'url'>, token?: string) {
  return hc<AppType>(app.url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

function hasStatus<R extends { status: number }, S extends R['status']>(
  res: R,
  status: S,
): res is Extract<R, { status: S }> {
  return res.status === status;
}

// A typed client's answer, its status asserted first and its type narrowed to that status, so that
// `await withStatus(res, 422).json()` reads the body the route declares for it (`errors` of the problem, say).
export function withStatus<R extends { status: number }, S extends R['status']>(res: R, status: S) {
  expect(res.status).toBe(status);
  if (!hasStatus(res, status)) throw new Error(`expected ${status}, got ${res.status}`);
  return res;
}

// The refresh cookie as a browser sends it, for a typed client's `{ headers }` (named as `app.config` picks it).
export function refreshCookieHeader(app: { config?: Pick<Config, 'environment'> }, token: string) {
  return { cookie: `${refreshCookieName(app.config?.environment ?? 'test')}=${token}` };
}

// `app.config` picks the refresh cookie's name (it differs in development); a process started elsewhere counts as
// ENVIRONMENT=test.
export async function api(
  app: Pick<TestApp, 'url'> & { config?: Pick<Config, 'environment'> },
  path: string,
  init: {
    method?: string;
    json?: unknown;
    form?: Record<string, string>;
    // A raw body, sent as is (malformed JSON, wrong content types, oversized bodies).
    body?: string;
    token?: string;
    // The refresh token to send as the refresh cookie, as a browser would.
    refreshCookie?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.body !== undefined) {
    body = init.body;
  }
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.refreshCookie) Object.assign(headers, refreshCookieHeader(app, init.refreshCookie));
  const response = await fetch(`${app.url}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON the route answered
  let data: any;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  return { status: response.status, headers: response.headers, body: data };
}

export type CreatedUser = { id: string; email: string; password: string; full_name: string };

// Builder fixture: a user through the real signup route, with overridable fields.
export async function createUser(
  app: Pick<TestApp, 'url'>,
  overrides: Partial<{ email: string; password: string; full_name: string }> = {},
): Promise<CreatedUser> {
  const user = {
    email: overrides.email ?? uniqueEmail(),
    password: overrides.password ?? DEFAULT_PASSWORD,
    full_name: overrides.full_name ?? 'Ada Learner',
  };
  const res = await client(app).api.v1.auth.signup.$post({ json: user });
  if (res.status !== 201) throw new Error(`createUser failed: ${res.status} ${await res.text()}`);
  const created = await res.json();
  return { ...user, id: created.id };
}

export type Session = { access_token: string; refresh_token: string; cookie: string | null };

export async function loginAs(app: Pick<TestApp, 'url'>, user: { email: string; password: string }): Promise<Session> {
  const res = await client(app).api.v1.auth.login.$post({ json: { email: user.email, password: user.password } });
  if (res.status !== 200) throw new Error(`loginAs failed: ${res.status} ${await res.text()}`);
  const { access_token, refresh_token } = await res.json();
  return { access_token, refresh_token, cookie: res.headers.get('set-cookie') };
}

// The refresh cookie a response sets (under its name in any environment): its name, its value ('' when cleared)
// and its attributes, lower-cased.
export function refreshCookieOf(headers: Headers): { name: string; value: string; attributes: string[] } | undefined {
  const names = [refreshCookieName('test'), refreshCookieName('development')];
  const line = headers.getSetCookie().find((cookie) => names.some((name) => cookie.startsWith(`${name}=`)));
  if (!line) return undefined;
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  const separator = pair.indexOf('=');
  return {
    name: pair.slice(0, separator),
    value: decodeURIComponent(pair.slice(separator + 1)),
    attributes: attributes.map((attribute) => attribute.toLowerCase()),
  };
}
