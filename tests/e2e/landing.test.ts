// The landing page as a first-time visitor gets it from the built server: its text in the raw HTML, the JavaScript
// it costs before any interaction (budget: 100 KB gzipped), its first paint, and how the API serves the site.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { artifactPath, useBrowserSuite, WEB_DIST, waitForHydration, watchConsole } from './harness';

const HEADLINE = 'Learn to build AI software that works in production.';
const JS_BUDGET_BYTES = 100 * 1024;

const suite = useBrowserSuite();

async function newPage(viewport: { width: number; height: number }) {
  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url });
  suite.contexts.push(context);
  const page = await context.newPage();
  return { page, errors: watchConsole(page) };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

describe('landing page', () => {
  test('the hero headline is in the raw HTML, and the only island waits for the browser to be idle', async () => {
    const response = await fetch(`${suite.server.url}/`, { headers: { Accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain(HEADLINE);
    expect(html).toMatch(/<h1[^>]*id="hero-title"/);
    const islands = [...html.matchAll(/<astro-island\b[^>]*>/g)].map((match) => match[0]);
    expect(islands).toHaveLength(1);
    expect(islands[0]).toContain('client="idle"');
    expect(html).not.toContain('client="load"');
  });

  test(`JavaScript before any interaction stays under ${kb(JS_BUDGET_BYTES)} gzipped; first contentful paint`, async () => {
    const { page, errors } = await newPage({ width: 1440, height: 900 });
    await page.goto('/', { waitUntil: 'load' });
    await waitForHydration(page);
    await page.waitForLoadState('networkidle');

    const measured = await page.evaluate(() => {
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return {
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
        scripts: resources
          .filter((entry) => new URL(entry.name).pathname.endsWith('.js'))
          .map((entry) => ({ path: new URL(entry.name).pathname, encoded: entry.encodedBodySize })),
        html: { encoded: navigation?.encodedBodySize ?? 0, decoded: navigation?.decodedBodySize ?? 0 },
        inlineScriptBytes: [...document.querySelectorAll('script:not([src])')].reduce(
          (total, script) => total + (script.textContent?.length ?? 0),
          0,
        ),
      };
    });

    // What the wire carried (brotli, from the build's .br files) and what gzip alone would make of the same files.
    const scripts = measured.scripts.map((script) => {
      const source = readFileSync(join(WEB_DIST, script.path));
      return { ...script, raw: source.length, gzip: gzipSync(source).length };
    });
    const total = (key: 'encoded' | 'raw' | 'gzip') => scripts.reduce((sum, script) => sum + script[key], 0);
    const metrics = {
      scripts,
      jsTransferredBytes: total('encoded'),
      jsGzipBytes: total('gzip'),
      jsRawBytes: total('raw'),
      htmlTransferredBytes: measured.html.encoded,
      htmlBytes: measured.html.decoded,
      inlineScriptBytes: measured.inlineScriptBytes,
      firstContentfulPaintMs: measured.fcp === undefined ? undefined : Math.round(measured.fcp),
    };
    writeFileSync(artifactPath('landing-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    console.info(
      `landing: JS before interaction ${kb(metrics.jsTransferredBytes)} transferred, ${kb(metrics.jsGzipBytes)} gzipped, ` +
        `${kb(metrics.jsRawBytes)} raw in ${scripts.length} files; HTML ${kb(metrics.htmlBytes)} ` +
        `(${kb(metrics.htmlTransferredBytes)} transferred); FCP ${metrics.firstContentfulPaintMs} ms`,
    );

    expect(scripts.length).toBeGreaterThan(0);
    expect(metrics.jsTransferredBytes).toBeGreaterThan(0);
    expect(metrics.jsTransferredBytes).toBeLessThanOrEqual(JS_BUDGET_BYTES);
    expect(metrics.jsGzipBytes).toBeLessThanOrEqual(JS_BUDGET_BYTES);
    expect(metrics.firstContentfulPaintMs).toBeGreaterThan(0);
    // The forms (react-hook-form, zod, the API's schemas) wait for a sign of intent.
    expect(scripts.some((script) => script.path.includes('AuthForm'))).toBe(false);

    await page.screenshot({ path: artifactPath('landing-1440.png'), fullPage: true });

    // Hovering a trigger fetches the form; the click opens it.
    const formChunk = page.waitForResponse((response) => response.url().includes('/_astro/AuthForm'));
    await page.getByRole('link', { name: 'Get started' }).hover();
    await formChunk;
    await page.getByRole('link', { name: 'Get started' }).click();
    await page.getByRole('dialog', { name: 'Create your account' }).getByLabel('Full name').waitFor();
    await page.screenshot({ path: artifactPath('signup-modal-1440.png') });

    expect(errors).toEqual([]);
  });

  test('the landing page on a 375 px phone', async () => {
    const { page, errors } = await newPage({ width: 375, height: 812 });
    await page.goto('/');
    await waitForHydration(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: artifactPath('landing-375.png'), fullPage: true });

    await page.getByRole('link', { name: 'Get started' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create your account' });
    await dialog.getByLabel('Full name').waitFor();
    await dialog.getByLabel('Password', { exact: true }).fill('short');
    await page.screenshot({ path: artifactPath('signup-modal-375.png') });
    expect(errors).toEqual([]);
  });

  test('the browser bundle carries no server code (the API is imported for its types and shared schemas only)', () => {
    const directory = join(WEB_DIST, '_astro');
    const scripts = readdirSync(directory).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of scripts) {
      const source = readFileSync(join(directory, file), 'utf8');
      for (const marker of ['postgres', 'pino', 'bcrypt', 'nodemailer', 'jwtVerify', 'from"node:', "from'node:"]) {
        expect(source.includes(marker), `${file} contains "${marker}"`).toBe(false);
      }
    }
  });

  test('the API serves every page, hashed assets for a year, and a 404 page for unknown paths', async () => {
    for (const path of ['/', '/dashboard', '/dashboard/', '/verify-email', '/reset-password']) {
      const response = await fetch(`${suite.server.url}${path}`, { headers: { Accept: 'text/html' } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control'), path).toBe('public, max-age=0, must-revalidate');
      await response.arrayBuffer();
    }

    const html = await (await fetch(`${suite.server.url}/`)).text();
    const asset = html.match(/\/_astro\/[\w.-]+\.js/)?.[0];
    expect(asset).toBeDefined();
    const script = await fetch(`${suite.server.url}${asset}`, { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    await script.arrayBuffer();

    const page = await fetch(`${suite.server.url}/no-such-page`, { headers: { Accept: 'text/html,*/*' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('Page not found');

    for (const [path, accept] of [
      ['/api/v1/no-such-route', 'text/html'],
      ['/no-such-page', 'application/json'],
    ] as const) {
      const response = await fetch(`${suite.server.url}${path}`, { headers: { Accept: accept } });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
      expect(await response.json(), path).toMatchObject({ status: 404 });
    }
  });
});
