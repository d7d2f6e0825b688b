import type { RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { RateLimitInfo } from 'hono-rate-limiter';
import type { AuthContext } from '../auth/sessions';
import type { Deps } from '../deps';

export type AppBindings = {
  Variables: {
    deps: Deps;
    requestId: string;
    clientIp: string;
    auth: AuthContext | undefined;
    // Set by hono-rate-limiter for the limit that ran last; the one the RateLimit headers show (middlewares/rate-limit.ts).
    rateLimit: RateLimitInfo | undefined;
    rateLimitShown: RateLimitInfo | undefined;
  };
};

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppBindings>;
