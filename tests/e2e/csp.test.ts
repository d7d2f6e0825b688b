// The site's Content-Security-Policy (web/integrations/csp.mjs writes it, the API sends it; decision 0012), against
// the built server: every built page answers with its policy, the policy covers each inline script and style of
// that page by hash and never allows inline code wholesale; and in Chromium no page, nor the flows that do the most
// (search with its WebAssembly, sign-up, the dashboard, settings with the TOTP QR code), meets a violation.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  newWatchedPage,
  shot,
  startAuthenticatorSetup,
  uniqueEmail,
  useBrowserSuite,
  WEB_DIST,
  waitForHydration,
} from './harness';

const suite = useBrowserSuite();
const PASSWORD = 'Content#Policy42';

function htmlFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return htmlFiles(path);
    return entry.isFile() && entry.name.endsWith('.html') ? [path] : [];
  });
}

/** The URL that serves a built file: `learn/x/index.html` → `/learn/x/`; 404.html answers any unknown path. */
function urlOf(file: string) {
  const page = relative(WEB_DIST, file).split(sep).join('/');
  if (page === '404.html') return '/no-such-page-here';
  return `/${page.replace(/(^|\/)index\.html$/, '$1')}`;
}

const PAGES = htmlFiles(WEB_DIST).map((file) => ({ file, url: urlOf(file) }));

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Inline `<script>` (no src) and `<style>` bodies of a page, as the browser hashes them: the raw text. */
function inlineCode(html: string) {
  const scripts: string[] = [];
  const styles: string[] = [];
  for (const match of html.matchAll(/<(script|style)(\s[^>]*)?>([\s\S]*?)<\/\1>/gi)) {
    const [, tag, attributes = '', body = ''] = match;
    if (tag?.toLowerCase() === 'style') styles.push(body);
    else if (!/\ssrc=/i.test(attributes)) scripts.push(body);
  }
  return { scripts, styles };
}

function directives(policy: string) {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((tokens) => tokens[0])
      .map(([name = '', ...sources]) => [name, sources]),
  );
}

/** CSP violations on a page, however they surface: the DOM event and Chromium's console line. */
async function watchViolations(page: Page) {
  const violations: string[] = [];
  await page.exposeFunction('reportCspViolation', (line: string) => violations.push(line));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportCspViolation: (line: string) => void }).reportCspViolation;
      report(
        `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} on ${location.pathname} (${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample})`,
      );
    });
  });
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  return violations;
}

/** Screenshots for review at both widths (SHOTS_DIR): styles allowed by hash must still apply. */
async function bothWidths(page: Page, name: string, inView?: Locator) {
  for (const width of [375, 1440]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await inView?.scrollIntoViewIfNeeded();
    await shot(page, `csp-${name}-${width}`);
  }
}

async function settle(page: Page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50))));
}

describe('Content-Security-Policy', () => {
  test('every built page answers with a policy that covers its inline scripts and styles by hash', async () => {
    expect(PAGES.length).toBeGreaterThan(10);
    for (const { file, url } of PAGES) {
      const response = await fetch(`${suite.server.url}${url}`, { headers: { accept: 'text/html' } });
      expect(response.status, url).toBe(url === '/no-such-page-here' ? 404 : 200);
      const policy = response.headers.get('content-security-policy');
      expect(policy, `${url} has no Content-Security-Policy`).toBeTruthy();
      const policyOf = directives(policy ?? '');
      expect(policyOf.get('default-src')).toEqual(["'self'"]);
      expect(policyOf.get('object-src')).toEqual(["'none'"]);
      expect(policyOf.get('base-uri')).toEqual(["'self'"]);
      expect(policyOf.get('form-action')).toEqual(["'self'"]);
      expect(policyOf.get('frame-ancestors')).toEqual(["'none'"]);
      expect(policyOf.get('img-src')).toEqual(["'self'", 'data:']);
      const scriptSrc = policyOf.get('script-src') ?? [];
      const styleSrc = policyOf.get('style-src') ?? [];
      expect(scriptSrc.slice(0, 2)).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      expect(styleSrc[0]).toBe("'self'");
      for (const sources of [scriptSrc, styleSrc]) {
        expect(sources).not.toContain("'unsafe-inline'");
        expect(sources).not.toContain("'unsafe-eval'");
        expect(sources.filter((source) => source.includes(':') || source === '*')).toEqual([]);
      }

      const html = readFileSync(file, 'utf8');
      expect(await response.text()).toBe(html);
      const { scripts, styles } = inlineCode(html);
      for (const script of scripts) expect(scriptSrc, `${url}: ${script.slice(0, 80)}`).toContain(hash(script));
      for (const style of styles) expect(styleSrc, `${url}: ${style.slice(0, 80)}`).toContain(hash(style));
      // Exactly this page's code: a hash of something the page does not hold would allow it for nothing.
      expect(scriptSrc.filter((source) => source.startsWith("'sha256-")).sort()).toEqual(
        [...new Set(scripts.map(hash))].sort(),
      );
    }
  });

  test('the precompressed copies carry the same policy; other files carry none', async () => {
    const lesson = PAGES.find(({ url }) => url.startsWith('/learn/') && url.split('/').length > 5);
    expect(lesson).toBeDefined();
    const url = `${suite.server.url}${lesson?.url}`;
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    for (const encoding of ['br', 'gzip']) {
      const compressed = await fetch(url, { headers: { 'accept-encoding': encoding } });
      expect(compressed.headers.get('content-encoding')).toBe(encoding);
      expect(compressed.headers.get('content-security-policy')).toBe(plain.headers.get('content-security-policy'));
    }
    // Lesson code blocks colour their tokens with style attributes (Shiki): allowed by hash, not 'unsafe-inline'.
    expect(plain.headers.get('content-security-policy')).toContain("'unsafe-hashes' 'sha256-");

    for (const path of ['/favicon.svg', '/pagefind/pagefind.js', '/api/v1/courses', '/health']) {
      const response = await fetch(`${suite.server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toBeNull();
    }
  });

  test('no built page meets a violation in Chromium', async () => {
    const context = await suite.browser.newContext({ baseURL: suite.server.url });
    suite.contexts.push(context);
    const page = await context.newPage();
    const violations = await watchViolations(page);
    for (const { url } of PAGES) {
      // The account pages send a visitor without a session on to the landing page: that load counts too.
      await page.goto(url).catch((error: Error) => {
        if (!/ERR_ABORTED|interrupted by another navigation/.test(error.message)) throw error;
      });
      await page.waitForLoadState('load');
      await settle(page).catch(() => page.waitForLoadState('load'));
    }
    expect(violations).toEqual([]);
  }, 180_000);

  test("search works with Pagefind's WebAssembly on the page itself, when its worker cannot start", async () => {
    const { page, errors } = await newWatchedPage(suite);
    const violations = await watchViolations(page);
    // Pagefind compiles its WebAssembly in a worker (a script of its own, under no page policy) and falls back to
    // the page when the worker fails: there the page's 'wasm-unsafe-eval' is what lets it compile.
    const worker: string[] = [];
    await page.route('**/pagefind/pagefind-worker.js', (route) => {
      worker.push(route.request().url());
      return route.abort();
    });
    await page.goto('/learn/');
    await page.getByRole('banner').getByRole('link', { name: 'Search' }).click();
    const dialog = page.getByRole('dialog', { name: 'Search lessons' });
    await dialog.getByRole('searchbox', { name: 'Search the lessons' }).fill('gradient descent');
    await dialog
      .getByRole('list', { name: 'Search results' })
      .getByRole('link')
      .filter({ hasText: 'Gradient descent from scratch' })
      .first()
      .waitFor();
    expect(worker.length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    expect(errors.console).toEqual([]);
  });

  test('landing, a lesson with a search, the dashboard and settings with the QR code: zero violations', async () => {
    const { page, errors } = await newWatchedPage(suite);
    const violations = await watchViolations(page);

    await page.goto('/');
    await waitForHydration(page);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await bothWidths(page, 'landing');

    // Search loads Pagefind from /pagefind/ and compiles its WebAssembly ('wasm-unsafe-eval').
    await page.goto('/learn/ai-engineering-bootcamp/maths-for-ml/gradient-descent/');
    // Shiki colours code tokens with style attributes, allowed by hash: a coloured token proves they apply.
    const token = page.locator('pre.astro-code span[style="color:#FF9492"]').first();
    expect(await token.evaluate((element) => getComputedStyle(element).color)).toBe('rgb(255, 148, 146)');
    expect(
      await page
        .locator('pre.astro-code')
        .first()
        .evaluate((element) => getComputedStyle(element).backgroundColor),
    ).toBe('rgb(10, 12, 16)');
    await bothWidths(page, 'lesson-code', token);
    await page.getByRole('banner').getByRole('link', { name: 'Search' }).click();
    const dialog = page.getByRole('dialog', { name: 'Search lessons' });
    await dialog.getByRole('searchbox', { name: 'Search the lessons' }).fill('embeddings');
    await dialog.getByRole('list', { name: 'Search results' }).getByRole('link').first().waitFor();
    await bothWidths(page, 'search');
    await page.keyboard.press('Escape');

    // Sign up in the modal, to the dashboard.
    await page.goto('/?auth=signup');
    await waitForHydration(page);
    const signup = page.getByRole('dialog', { name: 'Create your account' });
    await signup.getByLabel('Full name').fill('Content Policy');
    await signup.getByLabel('Email').fill(uniqueEmail('csp'));
    await signup.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await signup.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Welcome, Content Policy' }).waitFor();
    await page.getByRole('region', { name: 'Course progress' }).getByRole('progressbar').first().waitFor();

    // Settings: the authenticator set-up shows its QR code as a data: image.
    const security = await startAuthenticatorSetup(page, PASSWORD);
    const qr = security.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(await qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    await settle(page);
    await bothWidths(page, 'settings-qr', qr);

    expect(violations).toEqual([]);
    expect(errors.console).toEqual([]);
    // The one refusal the flow provokes: setting up the app asks for a recent sign-in first ("Confirm it's you").
    expect(errors.failures).toEqual(['401 POST /api/v1/users/me/mfa/totp']);
  }, 120_000);
});
