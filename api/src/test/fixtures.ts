import { randomBytes } from 'node:crypto';
import { REFRESH_COOKIE } from '../lib/cookies';
import type { TestApp } from './setup';

export const DEFAULT_PASSWORD = 'Tr1cky-Pa55word!';

export function uniqueEmail(prefix = 'learner') {
  return `${prefix}.${randomBytes(4).toString('hex')}@example.com`;
}

export async function api(
  app: Pick<TestApp, 'url'>,
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
  if (init.refreshCookie) headers.cookie = `${REFRESH_COOKIE}=${init.refreshCookie}`;
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
  const res = await api(app, '/api/v1/auth/signup', { json: user });
  if (res.status !== 201) throw new Error(`createUser failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...user, id: res.body.id };
}

export type Session = { access_token: string; refresh_token: string; cookie: string | null };

export async function loginAs(app: Pick<TestApp, 'url'>, user: { email: string; password: string }): Promise<Session> {
  const res = await api(app, '/api/v1/auth/login', { json: { email: user.email, password: user.password } });
  if (res.status !== 200) throw new Error(`loginAs failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    access_token: res.body.access_token,
    refresh_token: res.body.refresh_token,
    cookie: res.headers.get('set-cookie'),
  };
}

// The refresh cookie a response sets: its value ('' when cleared) and its attributes, lower-cased.
export function refreshCookieOf(headers: Headers): { value: string; attributes: string[] } | undefined {
  const line = headers.getSetCookie().find((cookie) => cookie.startsWith(`${REFRESH_COOKIE}=`));
  if (!line) return undefined;
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  return {
    value: decodeURIComponent(pair.slice(REFRESH_COOKIE.length + 1)),
    attributes: attributes.map((attribute) => attribute.toLowerCase()),
  };
}
