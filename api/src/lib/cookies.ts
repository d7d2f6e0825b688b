import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppBindings } from './types';

export const REFRESH_COOKIE = 'aibc_refresh';
// Scoped to the auth routes: the refresh token is never sent with any other request.
const REFRESH_COOKIE_PATH = '/api/v1/auth';

export function setRefreshCookie(c: Context<AppBindings>, token: string, expiresAt: Date) {
  setCookie(c, REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: REFRESH_COOKIE_PATH,
    secure: c.var.deps.config.environment !== 'development',
    expires: expiresAt,
  });
}

export function clearRefreshCookie(c: Context<AppBindings>) {
  deleteCookie(c, REFRESH_COOKIE, {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: c.var.deps.config.environment !== 'development',
  });
}

export function readRefreshCookie(c: Context<AppBindings>): string | undefined {
  return getCookie(c, REFRESH_COOKIE) || undefined;
}
