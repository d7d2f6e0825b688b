import type { Context, MiddlewareHandler } from 'hono';
import { type RateLimitInfo, rateLimiter } from 'hono-rate-limiter';
import { hashToken } from '../auth/tokens';
import type { Deps } from '../deps';
import type { Config } from '../env';
import { clientNetwork } from '../platform/client-ip';
import { problem } from '../platform/problem';
import type { AppBindings } from '../platform/types';
import { PostgresRateLimitStore } from './rate-limit-store';
import { getAuth } from './require-auth';

type RateLimitOptions = {
  name: string;
  limit: (config: Config) => number;
  windowMs?: number;
  // Defaults to the client's network (`clientKey`); a route may key on more (an email, a session, a user).
  key?: (c: Context<AppBindings>) => string | Promise<string>;
};

// The per-client key of every limit: the client's IPv4 address or IPv6 /64 (see client-ip.ts), never the /128,
// which a client with a /64 could rotate for every request.
export function clientKey(c: Context<AppBindings>): string {
  return `ip:${clientNetwork(c.var.clientIp)}`;
}

// Sends RateLimit-Limit / -Remaining / -Reset on every answer and Retry-After with the 429. Where several limits
// guard one route (per client, then per account), the headers show the one closest to running out, as the
// RateLimit header draft asks, whichever order they run in.
// The limiter needs the app's database, so it is built on first use for each app (deps) and kept.
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppBindings> {
  const limiters = new WeakMap<Deps, MiddlewareHandler<AppBindings>>();
  const windowMs = options.windowMs ?? 60_000;
  const build = (deps: Deps) =>
    rateLimiter<AppBindings>({
      windowMs,
      limit: options.limit(deps.config),
      // Written below, so that two limits on one route do not overwrite each other's headers.
      standardHeaders: false,
      store: new PostgresRateLimitStore(deps.sql, `${options.name}:`),
      keyGenerator: options.key ?? clientKey,
      handler: (c) => {
        const info = c.get('rateLimit');
        const retryAfter = info ? resetSeconds(info) : Math.ceil(windowMs / 1000);
        setRateLimitHeaders(c, info, windowMs);
        return problem(c, 429, 'Too many requests. Wait a moment and try again.', {
          headers: { 'Retry-After': String(Math.max(1, retryAfter)) },
        });
      },
    });
  return async function rateLimitMiddleware(c, next) {
    const deps = c.var.deps;
    let limiter = limiters.get(deps);
    if (!limiter) {
      limiter = build(deps);
      limiters.set(deps, limiter);
    }
    // Let through: show this limit unless an earlier one on the route has less left.
    return limiter(c, async () => {
      const info = c.get('rateLimit');
      const shown = c.get('rateLimitShown');
      if (info && (!shown || info.remaining < shown.remaining)) {
        c.set('rateLimitShown', info);
        setRateLimitHeaders(c, info, windowMs);
      }
      await next();
    });
  };
}

function resetSeconds(info: RateLimitInfo) {
  return info.resetTime ? Math.max(0, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : 0;
}

function setRateLimitHeaders(c: Context<AppBindings>, info: RateLimitInfo | undefined, windowMs: number) {
  if (!info) return;
  c.header('RateLimit-Policy', `${info.limit};w=${Math.ceil(windowMs / 1000)}`);
  c.header('RateLimit-Limit', String(info.limit));
  c.header('RateLimit-Remaining', String(info.remaining));
  c.header('RateLimit-Reset', String(resetSeconds(info)));
}

// A per-email key, `email:<SHA-256 of the trimmed, lower-cased address>`, so the counters table holds no
// addresses. Read from the first of `fields` the JSON or form body has; a body without one (or not parseable)
// falls back to the client's key, and the route's validator then answers it with its 400, 415 or 422.
// Hono caches the body, so the validator reads it again after this.
export function emailKey(...fields: string[]) {
  return async function emailRateLimitKey(c: Context<AppBindings>): Promise<string> {
    const email = await readBodyField(c, fields);
    if (email?.trim()) return `email:${hashToken(email.trim().toLowerCase())}`;
    return clientKey(c);
  };
}

// The signed-in user's key, for a limit placed after requireAuth() in a route's middleware.
export function userKey(c: Context<AppBindings>): string {
  return `user:${getAuth(c).user.id}`;
}

// The signed-in session's key, for a limit placed after requireAuth(): a stolen token is one session, whatever
// address it is used from, and the owner's other devices keep their own budgets.
export function sessionKey(c: Context<AppBindings>): string {
  return `session:${getAuth(c).sessionId}`;
}

// The session a refresh token (body `refresh_token`, else the cookie) belongs to, used or not: rotating the token
// does not reset the budget. An unknown token, or none, falls back to the client's key; the route then answers it.
export function refreshTokenSessionKey(readCookie: (c: Context<AppBindings>) => string | undefined) {
  return async function refreshSessionRateLimitKey(c: Context<AppBindings>): Promise<string> {
    const token = (await readBodyField(c, ['refresh_token'])) ?? readCookie(c);
    if (!token) return clientKey(c);
    const [row]: [{ session_id: string }?] = await c.var.deps.sql`
      select session_id
      from refresh_tokens
      where token_hash = ${hashToken(token)}
    `;
    return row ? `session:${row.session_id}` : clientKey(c);
  };
}

// A string field of the JSON or form body, or undefined when there is none (or the body does not parse).
export async function readBodyField(c: Context<AppBindings>, fields: string[]): Promise<string | undefined> {
  const contentType = c.req.header('content-type') ?? '';
  let body: Record<string, unknown> | undefined;
  if (/^application\/(.+\+)?json/i.test(contentType)) {
    const parsed: unknown = await c.req.json().catch(() => undefined);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } else if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType)) {
    // Read as bytes, which the validator's own form parsing takes from the cache as they are.
    const bytes = await c.req.arrayBuffer().catch(() => undefined);
    const form =
      bytes &&
      (await new Response(bytes, { headers: { 'content-type': contentType } }).formData().catch(() => undefined));
    if (form) body = Object.fromEntries(fields.map((field) => [field, form.get(field)]));
  }
  for (const field of fields) {
    const value = body?.[field];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
