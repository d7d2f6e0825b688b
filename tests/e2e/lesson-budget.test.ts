// A lesson page is HTML first (issue "A bootcamp you can actually learn from"): its text is in the response, the
// JavaScript transferred before any interaction stays within 30 KB gzipped (the progress island and the header, no
// React), and the search index loads only when the search opens. Measured as a visitor and as a signed-in learner,
// in Chromium against the built server. First contentful paint is not asserted here (timing in a test is flaky):
// `node scripts/bench-pages.mjs` (a section of `npm run bench`) reports it against the landing page's.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactPath, kb, measurePageCost, ROOT, uniqueEmail, useBrowserSuite, watchConsole } from './harness';

const JS_BUDGET_GZIP_BYTES = 30 * 1024;
const LESSON_PATH = '/learn/ai-engineering-bootcamp/python-for-ai/notebooks-and-environments/';
const LESSON_FILE = join(ROOT, 'content/lessons/python-for-ai/notebooks-and-environments.md');
const PASSWORD = 'Analytical#Engine1';

const suite = useBrowserSuite();

/** The lesson's own words, from its Markdown file: the title and the first paragraph of "Why it matters". */
function lessonText() {
  const source = readFileSync(LESSON_FILE, 'utf8');
  const curriculum = readFileSync(join(ROOT, 'content/curriculum.json'), 'utf8');
  const title = /"title": "(Notebooks and reproducible environments)"/.exec(curriculum)?.[1];
  const paragraph = /^## Why it matters\n\n(.+)$/m.exec(source)?.[1] ?? '';
  // Up to the first Markdown mark-up, so the words match the rendered HTML as they are.
  const plain = paragraph.split(/[`*_[]/)[0] ?? '';
  return { title, opening: plain.slice(0, 120) };
}

/** A page that records every path it requests, and the console's errors. */
async function watchedPage(context: BrowserContext) {
  suite.contexts.push(context);
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === suite.server.url) requests.push(url.pathname);
  });
  return { page, requests, errors: watchConsole(page) };
}

async function visitor() {
  return watchedPage(
    await suite.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: suite.server.url }),
  );
}

/**
 * A returning learner opening a lesson from a bookmark: signed in on this browser (the refresh cookie from a login,
 * the session hint the site keeps in localStorage), with nothing of the site in the browser's cache.
 */
async function signedInLearner() {
  const email = uniqueEmail('lesson.budget');
  const signup = await fetch(`${suite.server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, full_name: 'Grace Hopper', password: PASSWORD }),
  });
  expect(signup.status).toBe(201);
  const context = await suite.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: suite.server.url });
  const login = await context.request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
  expect(login.status()).toBe(200);
  expect((await context.cookies()).length).toBeGreaterThan(0);
  await context.addInitScript(() => localStorage.setItem('aibc.session', '1'));
  return watchedPage(context);
}

describe('a lesson page is HTML first', () => {
  for (const who of ['visitor', 'signed-in learner'] as const) {
    test(`as a ${who}: the text is in the raw HTML, JS before interaction ≤ ${kb(JS_BUDGET_GZIP_BYTES)} gzipped, no search index until the search opens`, async () => {
      const { page, requests, errors } = who === 'visitor' ? await visitor() : await signedInLearner();
      const { title, opening } = lessonText();
      expect(title).toBeDefined();
      expect(opening.length).toBeGreaterThan(40);

      const response = await page.goto(LESSON_PATH, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      const html = (await response?.text()) ?? '';
      expect(html).toMatch(new RegExp(`<h1[^>]*id="lesson-title"[^>]*>\\s*${title}\\s*</h1>`));
      expect(html).toContain(opening);
      for (const section of ['Why it matters', 'The idea', 'In code', 'Exercise', 'Key takeaways']) {
        expect(html).toMatch(new RegExp(`<h2[^>]*>${section}</h2>`));
      }

      // The progress panel shows the state that belongs to who is reading, and then the page is quiet.
      const panel = page.locator('[data-lesson-progress]');
      if (who === 'visitor') await panel.getByRole('heading', { name: 'Keep track of your progress' }).waitFor();
      else await panel.getByText('This lesson is in progress on your dashboard.').waitFor();
      await page.waitForLoadState('networkidle');

      const cost = await measurePageCost(page);
      writeFileSync(
        artifactPath(`lesson-metrics-${who.replace(/\W+/g, '-')}.json`),
        `${JSON.stringify(cost, null, 2)}\n`,
      );
      console.info(
        `lesson (${who}): JS before interaction ${kb(cost.jsGzipBytes)} gzipped, ${kb(cost.jsTransferredBytes)} transferred, ` +
          `${kb(cost.jsRawBytes)} raw in ${cost.scripts.length} files: ${cost.scripts.map((s) => s.path).join(', ')}`,
      );
      expect(cost.scripts.length).toBeGreaterThan(0);
      expect(cost.scripts.some((script) => script.path.includes('LessonProgress'))).toBe(true);
      expect(cost.jsGzipBytes).toBeLessThanOrEqual(JS_BUDGET_GZIP_BYTES);
      // No React before interaction: the renderer, the auth modals and their forms wait for a sign of intent.
      for (const script of cost.scripts) {
        expect(script.path, script.path).not.toMatch(/\/_astro\/(client|AuthModals|AuthForm|search)\.[\w-]+\.js$/);
      }
      expect(requests.filter((path) => path.startsWith('/pagefind/'))).toEqual([]);

      // Opening the search is what loads Pagefind.
      const pagefind = page.waitForRequest((request) => new URL(request.url()).pathname === '/pagefind/pagefind.js');
      await page.getByRole('banner').getByRole('link', { name: 'Search' }).click();
      await page.getByRole('dialog', { name: 'Search lessons' }).waitFor();
      await pagefind;
      expect(errors).toEqual([]);
    });
  }
});
