import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, NotFoundHandler } from 'hono';
import type { createRouter } from './create-router';
import { problem } from './problem';

// The built Astro site (web/dist), served by the API in production: one origin, so the refresh cookie is
// first-party. Nothing is mounted when the folder does not exist (API-only tests, `npm run dev`).
export function mountStaticSite(app: ReturnType<typeof createRouter>, webDist: string | undefined) {
  if (!webDist || !existsSync(webDist)) return;
  // Pages without an icon link (Swagger UI) make browsers ask for /favicon.ico: point them at the site's icon.
  app.get('/favicon.ico', (c) => c.redirect('/favicon.svg', 301));
  // Hashed build assets never change under the same name: cache them for a year. The web build writes .br and .gz
  // beside each text file; the smallest one the browser accepts is sent.
  app.use(
    '/_astro/*',
    serveStatic({
      root: webDist,
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
      precompressed: true,
      rewriteRequestPath: (path) => (path.endsWith('/') || path.includes('.') ? path : `${path}/`),
      onFound: (_path, c) => {
        c.header('Cache-Control', 'public, max-age=0, must-revalidate');
      },
    }),
  );
}

// A person who follows a dead link gets the site's 404 page; API clients (and /api paths) get the problem.
// A path that exists under another method is a 405 problem with `Allow` (`allowedMethods`, see allowed-methods.ts).
export function notFound(webDist: string | undefined, allowedMethods?: (path: string) => string[]): NotFoundHandler {
  const notFoundPage = webDist && existsSync(webDist) ? join(webDist, '404.html') : undefined;
  return async function notFoundHandler(c) {
    const allowed = allowedMethods?.(c.req.path) ?? [];
    if (allowed.length > 0 && !allowed.includes(c.req.method)) {
      return problem(c, 405, `${c.req.method} is not allowed on ${c.req.path}; it answers ${allowed.join(', ')}.`, {
        headers: { Allow: allowed.join(', ') },
      });
    }
    if (notFoundPage && wantsHtmlPage(c)) {
      const html = await readFile(notFoundPage, 'utf8').catch(() => undefined);
      if (html !== undefined) {
        c.header('Cache-Control', 'no-store');
        return c.html(html, 404);
      }
    }
    return problem(c, 404, `No route for ${c.req.method} ${c.req.path}.`);
  };
}

function wantsHtmlPage(c: Context) {
  const method = c.req.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return false;
  return (c.req.header('accept') ?? '').includes('text/html');
}
