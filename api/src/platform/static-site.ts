import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, NotFoundHandler } from 'hono';
import { z } from 'zod';
import type { createRouter } from './create-router';
import type { Logger } from './logger';
import { problem } from './problem';
import { setResponseHeader } from './serve';

const CSP_MANIFEST = 'csp.json';
const cspManifestSchema = z.object({ default: z.string().min(1), pages: z.record(z.string(), z.string().min(1)) });

/** The site as mounted: its folder, and the Content-Security-Policy of each page (by the file served). */
export type StaticSite = { dir: string; policyFor: (file: string) => string | undefined };

// web/dist/csp.json, written by the web build (web/integrations/csp.mjs, decision 0012): each HTML page's policy,
// with the hashes of the inline scripts and styles that page holds. Read once, at start. A build without it (made
// before the integration existed) serves its pages without a policy, and says so once in the log.
export function loadSitePolicies(webDist: string, logger?: Logger): StaticSite['policyFor'] {
  const root = resolve(webDist);
  let manifest: z.infer<typeof cspManifestSchema>;
  try {
    manifest = cspManifestSchema.parse(JSON.parse(readFileSync(join(root, CSP_MANIFEST), 'utf8')));
  } catch (error) {
    logger?.warn(
      { err: error },
      `${join(root, CSP_MANIFEST)} is missing or unreadable: the site's pages go out without a Content-Security-Policy. Rebuild the site (npm run build).`,
    );
    return () => undefined;
  }
  const pages = new Map(Object.entries(manifest.pages));
  return function policyFor(file) {
    // serveStatic hands over the file it sends, which may be the .br or .gz copy of the page.
    const page = relative(root, resolve(file)).replace(/\.(?:br|gz|zst)$/, '');
    if (!page.endsWith('.html')) return undefined;
    return pages.get(page.split(sep).join('/')) ?? manifest.default;
  };
}

// The built Astro site (web/dist), served by the API in production: one origin, so the refresh cookie is
// first-party. Nothing is mounted when the folder does not exist (API-only tests, `npm run dev`). Every HTML page
// goes out with its Content-Security-Policy, set on Node's response like the base headers (decision 0006).
export function mountStaticSite(
  app: ReturnType<typeof createRouter>,
  webDist: string | undefined,
  logger?: Logger,
): StaticSite | undefined {
  if (!webDist || !existsSync(webDist)) return undefined;
  const policyFor = loadSitePolicies(webDist, logger);
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
      onFound: (path, c) => {
        c.header('Cache-Control', 'public, max-age=0, must-revalidate');
        const policy = policyFor(path);
        if (policy) setResponseHeader(c, 'Content-Security-Policy', policy);
      },
    }),
  );
  return { dir: webDist, policyFor };
}

// A person who follows a dead link gets the site's 404 page; API clients (and /api paths) get the problem.
// A path that exists under another method is a 405 problem with `Allow` (`allowedMethods`, see allowed-methods.ts).
export function notFound(site: StaticSite | undefined, allowedMethods?: (path: string) => string[]): NotFoundHandler {
  const notFoundPage = site ? join(site.dir, '404.html') : undefined;
  const notFoundPolicy = notFoundPage ? site?.policyFor(notFoundPage) : undefined;
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
        if (notFoundPolicy) setResponseHeader(c, 'Content-Security-Policy', notFoundPolicy);
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
