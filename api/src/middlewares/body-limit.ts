import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { problem } from '../platform/problem';
import type { AppBindings } from '../platform/types';

export const MAX_BODY_BYTES = 64 * 1024;

export function limitRequestBody(maxBytes = MAX_BODY_BYTES): MiddlewareHandler<AppBindings> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    // The rest of the body is never read, so the connection cannot carry another request: say so, or a keep-alive
    // client reuses it and its next request fails with "other side closed".
    onError: (c) =>
      problem(c, 413, `The request body exceeds ${maxBytes / 1024} KiB.`, { headers: { Connection: 'close' } }),
  });
  // GET and HEAD carry no body; merely asking for one would make @hono/node-server build a full Request.
  return async function limitRequestBodyMiddleware(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return limit(c, next);
  };
}
