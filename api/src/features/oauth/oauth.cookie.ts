import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppBindings } from '../../platform/types';
import { FLOW_TTL_SECONDS } from './oauth.service';

// The flow cookie holds only the random flow id; the flow itself is in PostgreSQL.
// SameSite=Lax, not Strict: the way back from the provider is a cross-site top-level navigation, on which a
// browser sends Lax cookies but never Strict ones. Path: only the OAuth routes ever see it.
export const FLOW_COOKIE = 'aibc_oauth_flow';
const FLOW_COOKIE_PATH = '/api/v1/auth/oauth';

function secure(c: Context<AppBindings>) {
  return c.var.deps.config.environment !== 'development';
}

export function setFlowCookie(c: Context<AppBindings>, flowId: string) {
  setCookie(c, FLOW_COOKIE, flowId, {
    httpOnly: true,
    sameSite: 'Lax',
    path: FLOW_COOKIE_PATH,
    secure: secure(c),
    maxAge: FLOW_TTL_SECONDS,
  });
}

export function readFlowCookie(c: Context<AppBindings>): string | undefined {
  return getCookie(c, FLOW_COOKIE) || undefined;
}

// A flow is single use: every callback clears the cookie, whatever the outcome.
export function clearFlowCookie(c: Context<AppBindings>) {
  deleteCookie(c, FLOW_COOKIE, { path: FLOW_COOKIE_PATH, httpOnly: true, sameSite: 'Lax', secure: secure(c) });
}
