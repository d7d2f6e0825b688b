import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { swaggerUI } from '@hono/swagger-ui';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { isBadInputError, isDatabaseUnavailable } from './db/pg-errors';
import { accountAuthRouter, accountUsersRouter } from './features/account/account.index';
import { authRouter } from './features/auth/auth.index';
import { curriculumRouter } from './features/curriculum/curriculum.index';
import { healthRouter } from './features/health/health.index';
import { usersRouter } from './features/users/users.index';
import { resolveClientIp } from './lib/client-ip';
import { createRouter } from './lib/create-router';
import { problem } from './lib/problem';
import { requestIdentity } from './lib/serve';
import type { AppBindings, Deps } from './lib/types';
import { originCheck } from './middlewares/origin-check';
import { requestLog } from './middlewares/request-log';

const MAX_BODY_BYTES = 64 * 1024;
const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);
const swaggerUiDistDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// Builds the Hono app around its dependencies. No I/O happens here, so tests build as many apps as they like.
export function createApp(deps: Deps) {
  const { config } = deps;
  const app = createRouter();

  // Security headers and X-Request-Id are set by the server layer (lib/serve.ts), where they cost nothing.
  app.use(requestIdentity());
  app.use(async function injectDeps(c, next) {
    c.set('deps', deps);
    c.set('clientIp', clientIpOf(c, config.trustProxyHops));
    await next();
  });
  app.use(requestLog());
  const corsMiddleware = cors({
    origin: config.corsOrigins,
    credentials: true,
    allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    exposeHeaders: [
      'X-Request-Id',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
      // Cross-origin clients tell a refused access token (401 with the challenge) from a route's own 401 by it.
      'WWW-Authenticate',
    ],
    maxAge: 600,
  });
  // Only a browser's cross-origin call carries Origin; the rest skip CORS (and its per-response headers).
  app.use('/api/*', async function corsWhenOrigin(c, next) {
    if (!c.req.header('origin')) return next();
    return corsMiddleware(c, next);
  });
  app.use('/api/*', originCheck(config.corsOrigins));
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    // The rest of the body is never read, so the connection cannot carry another request: say so, or a keep-alive
    // client reuses it and its next request fails with "other side closed".
    onError: (c) =>
      problem(c, 413, `The request body exceeds ${MAX_BODY_BYTES / 1024} KiB.`, { headers: { Connection: 'close' } }),
  });
  // GET and HEAD carry no body; merely asking for one would make @hono/node-server build a full Request.
  app.use('/api/*', async function limitRequestBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return limitBody(c, next);
  });

  const routes = app
    .route('/', healthRouter)
    .route('/api/v1/auth', authRouter)
    .route('/api/v1/auth', accountAuthRouter)
    .route('/api/v1/users', usersRouter)
    .route('/api/v1/users', accountUsersRouter)
    .route('/api/v1', curriculumRouter);

  app.openAPIRegistry.registerComponent('securitySchemes', 'OAuth2PasswordBearer', {
    type: 'oauth2',
    flows: { password: { tokenUrl: '/api/v1/auth/login', scopes: {} } },
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'AI Bootcamp API',
      version: deps.version,
      description: 'Authentication, sessions, curriculum and progress for AI Bootcamp. Errors are RFC 9457 problems.',
    },
  });
  // Swagger UI's assets are served from the installed swagger-ui-dist, not a CDN: /docs works offline and
  // sends no visitor to a third party.
  app.use('/docs/assets/swagger-ui-dist/*', async function swaggerAssets(c, next) {
    const file = c.req.path.slice('/docs/assets/swagger-ui-dist/'.length);
    if (!SWAGGER_FILES.has(file)) return next();
    c.header('Cache-Control', 'public, max-age=86400');
    return serveStatic({ root: swaggerUiDistDir(), rewriteRequestPath: () => `/${file}` })(c, next);
  });
  app.get(
    '/docs',
    swaggerUI({
      url: '/openapi.json',
      baseUrl: '/docs/assets',
      title: 'AI Bootcamp API — docs',
      persistAuthorization: false,
    }),
  );

  const webDist = config.webDistDir;
  if (webDist && existsSync(webDist)) {
    // Hashed build assets never change under the same name: cache them for a year.
    // Pages without an icon link (Swagger UI) make browsers ask for /favicon.ico: point them at the site's icon.
    app.get('/favicon.ico', (c) => c.redirect('/favicon.svg', 301));
    app.use(
      '/_astro/*',
      serveStatic({
        root: webDist,
        // The web build writes .br and .gz beside each text file; the smallest one the browser accepts is sent.
        precompressed: true,
        onFound: (_path, c) => {
          c.header('Cache-Control', 'public, max-age=31536000, immutable');
        },
      }),
    );
    app.use(
      '*',
      serveStatic({
        root: webDist,
        // The web build writes .br and .gz beside each text file; the smallest one the browser accepts is sent.
        precompressed: true,
        rewriteRequestPath: (path) => (path.endsWith('/') || path.includes('.') ? path : `${path}/`),
        onFound: (_path, c) => {
          c.header('Cache-Control', 'public, max-age=0, must-revalidate');
        },
      }),
    );
  }

  // A person who follows a dead link gets the site's 404 page; API clients (and /api paths) get the problem.
  const notFoundPage = webDist && existsSync(webDist) ? join(webDist, '404.html') : undefined;
  app.notFound(async (c) => {
    if (notFoundPage && wantsHtmlPage(c)) {
      const html = await readFile(notFoundPage, 'utf8').catch(() => undefined);
      if (html !== undefined) {
        c.header('Cache-Control', 'no-store');
        return c.html(html, 404);
      }
    }
    return problem(c, 404, `No route for ${c.req.method} ${c.req.path}.`);
  });
  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      const detail = error.status === 400 ? 'The request body is not valid JSON or form data.' : error.message;
      return problem(c, error.status, detail || 'The request could not be processed.');
    }
    if (isBadInputError(error)) {
      return problem(c, 400, 'The request contains characters or values that cannot be stored.');
    }
    const requestIdValue = c.get('requestId');
    if (isDatabaseUnavailable(error)) {
      c.var.deps?.logger.error(
        { code: (error as unknown as { code: string }).code, requestId: requestIdValue },
        'database unavailable',
      );
      return problem(
        c,
        503,
        `The service is briefly unavailable. Try again in a few seconds (request id ${requestIdValue}).`,
        {
          headers: { 'Retry-After': '5' },
        },
      );
    }
    c.var.deps?.logger.error({ err: sanitize(error), requestId: requestIdValue }, 'unhandled error');
    return problem(c, 500, `Something went wrong on our side. Quote request id ${requestIdValue} if you contact us.`);
  });

  return routes;
}

export type AppType = ReturnType<typeof createApp>;

function wantsHtmlPage(c: Context) {
  const method = c.req.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return false;
  return (c.req.header('accept') ?? '').includes('text/html');
}

function clientIpOf(c: Context<AppBindings>, hops: number) {
  let socketAddress: string | undefined;
  try {
    socketAddress = getConnInfo(c).remote.address;
  } catch {
    socketAddress = undefined;
  }
  return resolveClientIp(socketAddress, c.req.header('x-forwarded-for'), hops);
}

// The log keeps the name, message and stack for us; the response above never carries any of them.
function sanitize(error: unknown) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { message: String(error) };
}
