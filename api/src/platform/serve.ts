import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppBindings } from './types';

// Headers every response carries are set on Node's response object, before Hono runs. The moment a Hono middleware
// calls c.header(), @hono/node-server gives up its fast response path and builds a WHATWG Headers object per
// request; measured on the 2-core box that halves the throughput of a JSON route (hello-world Hono: 23k → 11k
// req/s). res.setHeader() is merged into the final writeHead by Node at almost no cost.

const SANE_REQUEST_ID = /^[\w\-=.]{1,128}$/;
const requestIds = new WeakMap<IncomingMessage, string>();

type BaseHeaderOptions = { hsts: boolean };

// The caller's request id when it is sane (so a trace spans services), else a fresh one.
function chooseRequestId(sent: string | string[] | undefined): string {
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

function baseHeaders(options: BaseHeaderOptions): [string, string][] {
  return [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    // Answers under /api differ by Origin (CORS), so caches must key on it.
    ['Vary', 'Origin'],
    ...(options.hsts
      ? ([['Strict-Transport-Security', 'max-age=63072000; includeSubDomains']] as [string, string][])
      : []),
  ];
}

export function withBaseHeaders(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  options: BaseHeaderOptions,
) {
  const headers = baseHeaders(options);
  return function baseHeadersListener(req: IncomingMessage, res: ServerResponse) {
    for (const [name, value] of headers) res.setHeader(name, value);
    const id = chooseRequestId(req.headers['x-request-id']);
    requestIds.set(req, id);
    res.setHeader('X-Request-Id', id);
    listener(req, res);
  };
}

// A header for one response, set the same way: on Node's response when the app runs under serveApp() (it also
// reaches a response already built, as in serveStatic's onFound), else on the context (app.request in a unit test).
export function setResponseHeader(c: Context, name: string, value: string) {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing) outgoing.setHeader(name, value);
  else c.header(name, value);
}

// Reads the id the server layer chose. An app driven without it (app.request in a unit test) makes its own.
export function requestIdentity(): MiddlewareHandler<AppBindings> {
  return async function requestIdentityMiddleware(c: Context<AppBindings>, next) {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    let id = incoming ? requestIds.get(incoming) : undefined;
    if (!id) {
      id = chooseRequestId(c.req.header('x-request-id'));
      c.header('X-Request-Id', id);
    }
    c.set('requestId', id);
    await next();
  };
}

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

export type ServeOptions = {
  port: number;
  hostname: string;
  hsts: boolean;
  // How long a client may take to send its headers, and its whole request (headers and body). Node checks both
  // every `connectionsCheckingInterval`, so a slow client is cut within a second or two past the limit.
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
};

// Behind Cloud Run's front end a request reaches us as the client sends it: a body trickled at a byte a second
// holds a socket, a request slot and its buffer until the request timeout cuts it (answered 408 by Node).
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export function serveApp(app: { fetch: Fetch }, options: ServeOptions, onListening?: (info: AddressInfo) => void) {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node requires headersTimeout <= requestTimeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
  return serve(
    {
      fetch: app.fetch,
      port: options.port,
      hostname: options.hostname,
      createServer: ((serverOptions: object, listener: (req: IncomingMessage, res: ServerResponse) => void) =>
        createServer(
          {
            ...serverOptions,
            requestTimeout,
            headersTimeout,
            // Checked this often; short limits (tests) need a short interval to be enforced on time.
            connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(headersTimeout / 4))),
          },
          withBaseHeaders(listener, { hsts: options.hsts }),
        )) as typeof createServer,
    },
    onListening,
  );
}
