import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { Config } from '../env';
import { problem } from '../lib/problem';
import type { AppBindings, Deps } from '../lib/types';
import { PostgresRateLimitStore } from './rate-limit-store';

type RateLimitOptions = {
  name: string;
  limit: (config: Config) => number;
  windowMs?: number;
  // Defaults to the client IP; a route may key on more (the reset request also limits per email).
  key?: (c: Context<AppBindings>) => string | Promise<string>;
};

// Sends RateLimit-Limit / -Remaining / -Reset on every answer and Retry-After with the 429.
// The limiter needs the app's database, so it is built on first use for each app (deps) and kept.
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppBindings> {
  const limiters = new WeakMap<Deps, MiddlewareHandler<AppBindings>>();
  const build = (deps: Deps) =>
    rateLimiter<AppBindings>({
      windowMs: options.windowMs ?? 60_000,
      limit: options.limit(deps.config),
      standardHeaders: 'draft-6',
      store: new PostgresRateLimitStore(deps.sql, `${options.name}:`),
      keyGenerator: options.key ?? ((c) => c.var.clientIp),
      handler: (c) => problem(c, 429, 'Too many requests. Wait a moment and try again.'),
    });
  return async function rateLimitMiddleware(c, next) {
    const deps = c.var.deps;
    let limiter = limiters.get(deps);
    if (!limiter) {
      limiter = build(deps);
      limiters.set(deps, limiter);
    }
    return limiter(c, next);
  };
}
