// The browser tests' shared harness: the BUILT server (what `npm start` and the container run) on a free port over a
// fresh PostgreSQL database, and Debian's Chromium driven by playwright-core. No browser is ever downloaded.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../api/src/test/setup';

export const ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The built site the server serves: web/dist, or another build (`WEB_DIST_DIR=/tmp/site npx vitest run tests/e2e`). */
export const WEB_DIST = process.env.WEB_DIST_DIR ? resolve(process.env.WEB_DIST_DIR) : join(ROOT, 'web/dist');

/** `npm test` builds first; running Vitest alone on a fresh checkout would test nothing real, so say so. */
export function assertBuilt() {
  const missing = [
    join(WEB_DIST, 'index.html'),
    join(WEB_DIST, 'dashboard/index.html'),
    join(ROOT, 'api/dist/index.js'),
  ]
    .filter((file) => !existsSync(file))
    .map((file) => relative(ROOT, file));
  if (missing.length > 0) {
    throw new Error(
      `The browser tests need the built site and API; missing ${missing.join(', ')}. Run \`npm run build\` first (\`npm test\` does).`,
    );
  }
}

export function assertChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. Install Debian's build: \`apt-get install -y chromium\` (these tests never download a browser).`,
    );
  }
}

export function artifactPath(name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export type RunningServer = {
  url: string;
  /** The server's own database, for a test that does what an operator does next to it (`npm run admin:grant`). */
  databaseUrl: string;
  stop: () => Promise<void>;
};

export type ServerOptions = {
  /** Where the API sends mail, e.g. the in-process server of api/src/test/smtp.ts. Unset: mail is disabled. */
  smtpUrl?: string;
  /** The origin of the links in that mail. Default: the server's own http://localhost:<port>, so they open in the test's browser. */
  publicAppUrl?: string;
  /** The port to listen on (default: a free one), for a test that must know the site's origin in advance. */
  port?: number;
  /** More environment for the API, e.g. the OAuth providers of api/src/test/oauth.ts `oauthEnv`. */
  env?: Record<string, string>;
};

/**
 * Starts `node api/dist/index.js` from the repo root, as `npm start` does after its build.
 *
 * The URL is http://localhost, not 127.0.0.1: outside development the refresh cookie is `Secure`, and Chromium
 * accepts Secure cookies over plain http only from localhost. ENVIRONMENT=test keeps that production-like cookie;
 * cheap bcrypt and generous rate limits keep the flows fast.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const database: TestDatabase = await createTestDatabase();
  const port = options.port ?? (await freePort());
  const url = `http://localhost:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['api/dist/index.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ENVIRONMENT: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: database.url,
      JWT_SECRET_KEY: 'e2e-secret-key-that-is-at-least-32-bytes-long!',
      BCRYPT_ROUNDS: '4',
      RATE_LIMIT_SIGNUP_PER_MINUTE: '1000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_RESET_PER_MINUTE: '1000',
      RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE: '1000',
      RATE_LIMIT_MAIL_PER_HOUR: '1000',
      WEB_DIST_DIR: WEB_DIST,
      PUBLIC_APP_URL: options.publicAppUrl ?? url,
      ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await database.drop();
  };

  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await database.drop();
      throw new Error(`The API exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return { url, databaseUrl: database.url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  await stop();
  throw new Error(`The API did not answer /health within 20 s:\n${output}`);
}

export async function launchBrowser(): Promise<Browser> {
  assertChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Collects what would show in the console as an error: console.error calls, uncaught exceptions and Chromium's own
 * "Failed to load resource" lines (a 4xx/5xx answer). Tests assert the list is empty, or holds exactly the failures
 * the flow provokes on purpose (a wrong password is a 401).
 */
export function watchConsole(page: Page) {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** Resolves once every island on the page has hydrated (Astro removes `ssr` from an island when it has). */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => document.querySelectorAll('astro-island[ssr]').length === 0);
}

let emailCounter = 0;
/** A fresh address per call, so every test owns its account. */
export function uniqueEmail(name: string) {
  emailCounter += 1;
  return `${name}.${Date.now()}.${emailCounter}@example.com`;
}

export type BrowserSuite = { server: RunningServer; browser: Browser; contexts: BrowserContext[] };

/**
 * One built server on a fresh database and one Chromium for a test file, with the hooks that start and stop them;
 * browser contexts pushed to `contexts` are closed after each test. The returned object is filled in by beforeAll.
 */
export function useBrowserSuite(options: () => ServerOptions | Promise<ServerOptions> = () => ({})): BrowserSuite {
  const suite = { contexts: [] } as unknown as BrowserSuite;
  beforeAll(async () => {
    assertBuilt();
    assertChromium();
    const serverOptions = await options();
    [suite.server, suite.browser] = await Promise.all([startServer(serverOptions), launchBrowser()]);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(suite.contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}

// Screenshots for review (`SHOTS_DIR=/some/dir`); a test asserts nothing about them.
export async function shot(page: Page, name: string) {
  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/**
 * A page of the suite's site, with what went wrong on it: `errors.console`, the console's errors other than failed
 * loads, which must stay empty; `errors.failures`, the site's own answers of 400 and above ("401 DELETE
 * /api/v1/users/me/oauth/google"), which must be exactly the ones a flow provokes on purpose.
 */
export async function newWatchedPage(suite: BrowserSuite, viewport = { width: 1440, height: 900 }) {
  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url });
  suite.contexts.push(context);
  const page = await context.newPage();
  const consoleErrors = watchConsole(page);
  const failures: string[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === suite.server.url && response.status() >= 400) {
      failures.push(`${response.status()} ${response.request().method()} ${url.pathname}`);
    }
  });
  const errors = {
    get console() {
      return consoleErrors.filter((line) => !line.startsWith('Failed to load resource'));
    },
    failures,
  };
  return { page, errors };
}

/** `12.3 KB`, for budgets in messages and logs. */
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export type ScriptCost = { path: string; encoded: number; raw: number; gzip: number };
export type PageCost = {
  scripts: ScriptCost[];
  /** What the wire carried (brotli, from the build's .br files). */
  jsTransferredBytes: number;
  /** What gzip alone makes of the same files: the unit the budgets are written in. */
  jsGzipBytes: number;
  jsRawBytes: number;
  htmlTransferredBytes: number;
  htmlBytes: number;
  inlineScriptBytes: number;
  firstContentfulPaintMs: number | undefined;
};

/**
 * What a page has cost so far, from the browser's own resource timing: every script it fetched (sized as sent, raw
 * and gzipped from the built file), its HTML and its first contentful paint. Call it after load and network idle and
 * before any interaction, to get "JavaScript before interaction".
 */
export async function measurePageCost(page: Page): Promise<PageCost> {
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
  const scripts = measured.scripts.map((script) => {
    const source = readFileSync(join(WEB_DIST, script.path));
    return { ...script, raw: source.length, gzip: gzipSync(source).length };
  });
  const total = (key: 'encoded' | 'raw' | 'gzip') => scripts.reduce((sum, script) => sum + script[key], 0);
  return {
    scripts,
    jsTransferredBytes: total('encoded'),
    jsGzipBytes: total('gzip'),
    jsRawBytes: total('raw'),
    htmlTransferredBytes: measured.html.encoded,
    htmlBytes: measured.html.decoded,
    inlineScriptBytes: measured.inlineScriptBytes,
    firstContentfulPaintMs: measured.fcp === undefined ? undefined : Math.round(measured.fcp),
  };
}

/**
 * Settings → "Set up an authenticator app", confirming with the password in the step-up dialog (the account has no
 * other factor yet). Returns the two-factor section, which then shows the QR code and the key.
 */
export async function startAuthenticatorSetup(page: Page, password: string) {
  await page.goto('/settings');
  const security = page.getByRole('region', { name: 'Two-factor authentication' });
  await security.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
  await stepUp.getByLabel('Password', { exact: true }).fill(password);
  await stepUp.getByRole('button', { name: 'Confirm', exact: true }).click();
  await stepUp.waitFor({ state: 'hidden' });
  return security;
}
