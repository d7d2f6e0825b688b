import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Config } from '../env';
import type { AppBindings } from '../platform/types';
import type { TokenPair } from '../shared/user';

// The refresh cookie. Outside development it is `__Host-aibc_refresh`: the browser accepts a `__Host-` cookie only
// from this very host, Secure, with `Path=/` and no Domain, so a sibling subdomain cannot plant one of its own
// ("cookie tossing": signing the victim in as the attacker). The prefix forces `Path=/`; path scoping never isolated
// a cookie from same-origin code anyway, and HttpOnly plus SameSite=Strict do the protecting (decision record 0013).
// Development serves plain http, where Secure (and so the prefix) is unavailable outside localhost: there the
// cookie keeps its old name, scoped to the auth routes.
export const REFRESH_COOKIE = 'aibc_refresh';
const DEVELOPMENT_PATH = '/api/v1/auth';

type Environment = Config['environment'];

function cookieShape(environment: Environment) {
  const secure = environment !== 'development';
  return secure
    ? { name: `__Host-${REFRESH_COOKIE}`, path: '/', secure }
    : { name: REFRESH_COOKIE, path: DEVELOPMENT_PATH, secure };
}

// The name the browser stores and sends, for tests and docs.
export function refreshCookieName(environment: Environment): string {
  return cookieShape(environment).name;
}

export function setRefreshCookie(c: Context<AppBindings>, token: string, expiresAt: Date) {
  const { name, path, secure } = cookieShape(c.var.deps.config.environment);
  setCookie(c, name, token, { httpOnly: true, sameSite: 'Strict', path, secure, expires: expiresAt });
}

// The answer to every way in that ends in a session (password, second factor, passkey, refresh): the token pair,
// its refresh token also as the cookie, never cached.
export function respondWithTokens(c: Context<AppBindings>, issued: { pair: TokenPair; refreshExpiresAt: Date }) {
  setRefreshCookie(c, issued.pair.refresh_token, issued.refreshExpiresAt);
  c.header('Cache-Control', 'no-store');
  return c.json(issued.pair, 200);
}

export function clearRefreshCookie(c: Context<AppBindings>) {
  const { name, path, secure } = cookieShape(c.var.deps.config.environment);
  deleteCookie(c, name, { path, httpOnly: true, sameSite: 'Strict', secure });
}

export type RefreshCookie = { ok: true; token: string | undefined } | { ok: false; reason: 'duplicate' };

// The refresh cookie the request carries. Carried twice it is refused rather than guessed at: a browser sends every
// cookie whose domain and path match, so a second one was planted (a sibling subdomain's `Domain=` cookie, a longer
// path) and whichever came first could be the attacker's.
export function readRefreshCookie(c: Context<AppBindings>): RefreshCookie {
  const { name } = cookieShape(c.var.deps.config.environment);
  const values: string[] = [];
  for (const header of c.req.raw.headers.get('cookie')?.split(';') ?? []) {
    const separator = header.indexOf('=');
    if (separator < 0 || header.slice(0, separator).trim() !== name) continue;
    values.push(header.slice(separator + 1).trim());
  }
  if (values.length > 1) return { ok: false, reason: 'duplicate' };
  const value = values[0];
  return { ok: true, token: value ? safeDecode(value) : undefined };
}

function safeDecode(value: string) {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
