// Lesson search in Chromium: Pagefind's index is built with the site, nothing of it loads until the search opens,
// and a query finds lessons by their text and opens them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { artifactPath, useBrowserSuite, WEB_DIST, watchConsole } from './harness';

const suite = useBrowserSuite();

async function newPage(viewport = { width: 1440, height: 900 }) {
  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url });
  suite.contexts.push(context);
  const page = await context.newPage();
  const searchRequests: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/pagefind/') || /\/_astro\/search\.[\w-]+\.js$/.test(path)) searchRequests.push(path);
  });
  return { page, errors: watchConsole(page), searchRequests };
}

describe('lesson search', () => {
  test('the build writes the index; a page loads none of it until the search opens', async () => {
    expect(existsSync(join(WEB_DIST, 'pagefind/pagefind.js'))).toBe(true);
    const { page, errors, searchRequests } = await newPage();
    await page.goto('/', { waitUntil: 'networkidle' });
    expect(searchRequests).toEqual([]);

    await page.getByRole('banner').getByRole('link', { name: 'Search' }).click();
    const dialog = page.getByRole('dialog', { name: 'Search lessons' });
    await dialog.waitFor();
    const input = dialog.getByRole('searchbox', { name: 'Search the lessons' });
    expect(await input.evaluate((element) => element === document.activeElement)).toBe(true);
    await input.fill('gradient descent');
    const results = dialog.getByRole('list', { name: 'Search results' }).getByRole('link');
    const target = results.filter({ hasText: 'Gradient descent from scratch' });
    await target.first().waitFor();
    expect(searchRequests.some((path) => path === '/pagefind/pagefind.js')).toBe(true);
    expect(await dialog.getByRole('status').textContent()).toMatch(/lessons? match/);
    // Every result is a lesson or a module overview, never the landing page or an account page.
    for (const href of await results.evaluateAll((links) => links.map((link) => link.getAttribute('href')))) {
      expect(href).toMatch(/^\/learn\/[\w-]+\/[\w-]+\/([\w-]+\/)?$/);
    }
    expect(await target.first().textContent()).toContain('Module 2: The maths you need');
    await page.screenshot({ path: artifactPath('search-1440.png') });

    await target.first().click();
    await page.waitForURL('**/learn/ai-engineering-bootcamp/maths-for-ml/gradient-descent/');
    await page.getByRole('heading', { level: 1, name: 'Gradient descent from scratch' }).waitFor();
    expect(errors).toEqual([]);
  });

  test('on a phone: "/" opens it, a query lists lessons, Escape closes it', async () => {
    const { page, errors } = await newPage({ width: 375, height: 812 });
    await page.goto('/learn/');
    await page.keyboard.press('/');
    const dialog = page.getByRole('dialog', { name: 'Search lessons' });
    await dialog.waitFor();
    await dialog.getByRole('searchbox').fill('embeddings');
    await dialog.getByRole('list', { name: 'Search results' }).getByRole('link').first().waitFor();
    await dialog
      .getByRole('status')
      .filter({ hasText: /lessons? match/ })
      .waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: artifactPath('search-375.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
  });
});
