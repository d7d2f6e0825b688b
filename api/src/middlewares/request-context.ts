import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { Deps } from '../deps';
import { resolveClientIp } from '../platform/client-ip';
import type { AppBindings } from '../platform/types';

// Puts the app's dependencies and the client's address (see client-ip.ts for the proxy rule) on the context.
export function requestContext(deps: Deps): MiddlewareHandler<AppBindings> {
  const hops = deps.config.trustProxyHops;
  return async function requestContextMiddleware(c, next) {
    c.set('deps', deps);
    c.set('clientIp', resolveClientIp(socketAddressOf(c), c.req.header('x-forwarded-for'), hops));
    await next();
  };
}

function socketAddressOf(c: Context<AppBindings>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // Driven without a socket (app.request in a unit test).
    return undefined;
  }
}
