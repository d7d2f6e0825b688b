import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppBindings } from '../platform/types';

// The pending second step after a provider sign-in. The callback is a browser redirect, so it cannot hand the
// mfa_token to JavaScript without putting it in a URL (history, logs, Referer): it goes into this HttpOnly cookie,
// scoped to the MFA routes, and POST /auth/mfa/verify reads it in place of `mfa_token`. SameSite=Lax: the callback
// is the end of a cross-site redirect chain. It lives as long as the challenge (5 minutes).
export const MFA_COOKIE = 'aibc_mfa';
const MFA_COOKIE_PATH = '/api/v1/auth/mfa';

export function setMfaCookie(c: Context<AppBindings>, mfaToken: string, maxAgeSeconds: number) {
  setCookie(c, MFA_COOKIE, mfaToken, {
    httpOnly: true,
    sameSite: 'Lax',
    path: MFA_COOKIE_PATH,
    secure: c.var.deps.config.environment !== 'development',
    maxAge: maxAgeSeconds,
  });
}

export function readMfaCookie(c: Context<AppBindings>): string | undefined {
  const value = getCookie(c, MFA_COOKIE);
  return value && value.length <= 256 ? value : undefined;
}

export function clearMfaCookie(c: Context<AppBindings>) {
  deleteCookie(c, MFA_COOKIE, {
    path: MFA_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.deps.config.environment !== 'development',
  });
}
