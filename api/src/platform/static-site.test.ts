import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createRouter } from './create-router';
import type { Logger } from './logger';
import { serveApp } from './serve';
import { mountStaticSite, notFound } from './static-site';

// The Content-Security-Policy of the static site (decision 0012): each page's policy from web/dist/csp.json, read
// once at start, sent on Node's response (and on the context when the app runs without the server).

const PAGE = "default-src 'self'; script-src 'self' 'sha256-page'";
const LOST = "default-src 'self'; script-src 'self' 'sha256-404'";
const FALLBACK = "default-src 'self'; script-src 'self'";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function site(manifest: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'aibc-site-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'learn'));
  const html = '<!doctype html><title>x</title><script>1</script>';
  writeFileSync(join(dir, 'index.html'), html);
  writeFileSync(join(dir, 'index.html.br'), brotliCompressSync(html));
  writeFileSync(join(dir, 'learn/index.html'), html);
  writeFileSync(join(dir, '404.html'), '<!doctype html><title>lost</title>');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  if (manifest !== undefined) writeFileSync(join(dir, 'csp.json'), JSON.stringify(manifest));
  return dir;
}

function appFor(dir: string, logger?: Logger) {
  const app = createRouter();
  app.get('/api/thing', (c) => c.json({ ok: true }));
  const mounted = mountStaticSite(app, dir, logger);
  app.notFound(notFound(mounted));
  return app;
}

async function served(app: ReturnType<typeof createRouter>) {
  let server: ReturnType<typeof serveApp> | undefined;
  const { port } = await new Promise<AddressInfo>((resolve) => {
    server = serveApp(app, { port: 0, hostname: '127.0.0.1', hsts: false }, resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((done) => {
        server?.close(done);
        (server as Server | undefined)?.closeAllConnections();
      }),
  };
}

const policyOf = (response: Response) => response.headers.get('content-security-policy');

describe('the static site’s Content-Security-Policy', () => {
  const manifest = { default: FALLBACK, pages: { 'index.html': PAGE, '404.html': LOST } };

  it('sends each page its own policy from csp.json, on Node’s response, compressed or not', async () => {
    const server = await served(appFor(site(manifest)));
    try {
      const page = await fetch(`${server.url}/`, { headers: { 'accept-encoding': 'identity' } });
      expect(page.status).toBe(200);
      expect(policyOf(page)).toBe(PAGE);
      expect(page.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
      const br = await fetch(`${server.url}/index.html`, { headers: { 'accept-encoding': 'br' } });
      expect(br.headers.get('content-encoding')).toBe('br');
      expect(policyOf(br)).toBe(PAGE);
      // An HTML file the build did not list gets the policy without hashes: its inline code does not run.
      expect(policyOf(await fetch(`${server.url}/learn`))).toBe(FALLBACK);
      const lost = await fetch(`${server.url}/nowhere`, { headers: { accept: 'text/html' } });
      expect(lost.status).toBe(404);
      expect(policyOf(lost)).toBe(LOST);
      // Not a page: no policy.
      expect(policyOf(await fetch(`${server.url}/favicon.svg`))).toBeNull();
      expect(policyOf(await fetch(`${server.url}/api/thing`))).toBeNull();
      expect(policyOf(await fetch(`${server.url}/nowhere`, { headers: { accept: 'application/json' } }))).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('sets the 404 page’s on the context when the app runs without the server (app.request)', async () => {
    const app = appFor(site(manifest));
    expect(policyOf(await app.request('/nowhere', { headers: { accept: 'text/html' } }))).toBe(LOST);
  });

  it('reads csp.json once, at start', async () => {
    const dir = site(manifest);
    const server = await served(appFor(dir));
    try {
      writeFileSync(join(dir, 'csp.json'), JSON.stringify({ default: FALLBACK, pages: { 'index.html': 'changed' } }));
      expect(policyOf(await fetch(`${server.url}/`))).toBe(PAGE);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['missing', undefined],
    ['not JSON', 'not json'],
    ['of the wrong shape', { pages: 'index.html' }],
  ])('serves pages without a policy, and warns once, when csp.json is %s', async (_what, broken) => {
    const warnings: string[] = [];
    const logger = { warn: (_object: unknown, message: string) => warnings.push(message) } as unknown as Logger;
    const dir = site(undefined);
    if (broken !== undefined)
      writeFileSync(join(dir, 'csp.json'), typeof broken === 'string' ? broken : JSON.stringify(broken));
    const server = await served(appFor(dir, logger));
    try {
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(policyOf(page)).toBeNull();
      expect(policyOf(await fetch(`${server.url}/learn`))).toBeNull();
    } finally {
      await server.close();
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('without a Content-Security-Policy');
  });
});
