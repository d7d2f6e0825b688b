// The learner's path, done-when of issue 14, in Chromium against the built server: sign up, open the first lesson
// from the dashboard, answer its quiz, complete it, and see the dashboard change. axe-core (injected from
// node_modules, no browser download) checks every page and dialog on the way at 1440 and 375 px.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { ARTIFACTS, uniqueEmail, useBrowserSuite, watchConsole } from './harness';

const COURSE = 'ai-engineering-bootcamp';
const FIRST_LESSON = 'Notebooks and reproducible environments';
const FIRST_LESSON_PATH = `/learn/${COURSE}/python-for-ai/notebooks-and-environments/`;
const SECOND_LESSON = 'NumPy arrays and vectorisation';
const PASSWORD = 'Analytical#Engine1';
const SHOTS = join(ARTIFACTS, 'learn');
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const suite = useBrowserSuite();

function shot(name: string) {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, name);
}

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** Runs axe on what the page shows now; returns the serious and critical violations, described. */
async function seriousViolations(page: Page, what: string): Promise<string[]> {
  // Evaluated through the DevTools protocol, not added as a <script>: the site's strict CSP (hashes only) refuses an
  // inline script it does not know, and it should.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<unknown> } }).axe;
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as { violations: unknown[] };
    return result.violations;
  })) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${what}: ${violation.id} (${violation.help}) at ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

async function newPage(viewport = { width: 1440, height: 900 }) {
  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url });
  suite.contexts.push(context);
  const page = await context.newPage();
  return { page, errors: watchConsole(page) };
}

// A whole learner's path with an axe scan per page: well over the default 30 s when CI runs two browser files at
// once.
const FLOW_TIMEOUT = 120_000;

describe('a learner learns', () => {
  test(
    'sign up → the first lesson from the dashboard → its quiz → complete → the dashboard shows it; axe finds nothing serious',
    async () => {
      const { page, errors } = await newPage();
      const axeFindings: string[] = [];

      await page.goto('/');
      axeFindings.push(...(await seriousViolations(page, 'landing 1440')));
      await page.getByRole('banner').getByRole('link', { name: 'Get started' }).click();
      const signup = page.getByRole('dialog', { name: 'Create your account' });
      await signup.getByLabel('Full name').fill('Katherine Johnson');
      axeFindings.push(...(await seriousViolations(page, 'sign-up modal 1440')));
      await signup.getByLabel('Email').fill(uniqueEmail('katherine'));
      await signup.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await signup.getByRole('button', { name: 'Create account' }).click();

      // A first visit: "Welcome", nothing done, and the first lesson offered as a link to its page.
      await page.waitForURL('**/dashboard');
      await page.getByRole('heading', { level: 1, name: 'Welcome, Katherine Johnson' }).waitFor();
      const progress = page.getByRole('region', { name: 'Course progress' });
      await progress.getByText(/^0 of \d+ lessons completed$/).waitFor();
      axeFindings.push(...(await seriousViolations(page, 'dashboard 1440')));
      await page.screenshot({ path: shot('1-dashboard-new-1440.png'), fullPage: true });
      await progress.getByRole('link', { name: `Start the first lesson: ${FIRST_LESSON}` }).click();

      // The lesson page: opening it marks it in progress.
      await page.waitForURL(`**${FIRST_LESSON_PATH}`);
      await page.getByRole('heading', { level: 1, name: FIRST_LESSON }).waitFor();
      const panel = page.locator('[data-lesson-progress]');
      await panel.getByText('This lesson is in progress on your dashboard.').waitFor();
      axeFindings.push(...(await seriousViolations(page, 'lesson 1440')));

      // The quiz: a wrong answer first (feedback says so), then the right one for every question.
      const questions = page.locator('[data-quiz-question]');
      const count = await questions.count();
      expect(count).toBeGreaterThanOrEqual(3);
      const first = questions.first();
      // A learner clicks the option's label (the radio itself is visually hidden inside it).
      await first.locator('label.quiz-option:has(input:not([data-correct]))').first().click();
      expect(await first.locator('input[data-quiz-option]:checked').count()).toBe(1);
      await first.locator('[data-feedback="wrong"]').waitFor();
      for (let index = 0; index < count; index += 1) {
        const question = questions.nth(index);
        await question.locator('label.quiz-option:has(input[data-correct])').click();
        expect(await question.locator('input[data-correct]').isChecked()).toBe(true);
        await question.locator('[data-feedback="right"]').waitFor();
      }
      axeFindings.push(...(await seriousViolations(page, 'lesson quiz answered 1440')));

      // "Complete lesson", at the end of the page.
      await panel.getByRole('button', { name: 'Complete lesson' }).click();
      await page.getByText('Saved. Well done!').waitFor();
      await page.getByRole('heading', { name: 'Lesson completed' }).waitFor();
      await page.screenshot({ path: shot('2-lesson-completed-1440.png'), fullPage: false });
      await page.getByRole('link', { name: 'Back to your dashboard' }).click();

      // The dashboard shows the change: 1 of 42, "Welcome back", and Continue now opens lesson 2.
      await page.waitForURL('**/dashboard');
      await page.getByRole('heading', { level: 1, name: 'Welcome back, Katherine Johnson' }).waitFor();
      await progress.getByText(/^1 of \d+ lessons completed$/).waitFor();
      const next = progress.getByRole('link', { name: `Start this lesson: ${SECOND_LESSON}` });
      expect(await next.getAttribute('href')).toBe(`/learn/${COURSE}/python-for-ai/numpy-arrays/`);
      expect(await progress.locator(`[data-lesson="notebooks-and-environments"]`).getAttribute('data-status')).toBe(
        'completed',
      );
      await page.screenshot({ path: shot('3-dashboard-after-1440.png'), fullPage: true });

      // Settings and search, at 1440.
      await page.goto('/settings');
      await page.getByRole('region', { name: 'Profile' }).waitFor();
      await page
        .getByRole('region', { name: "Where you're signed in" })
        .getByText('This device', { exact: true })
        .waitFor();
      axeFindings.push(...(await seriousViolations(page, 'settings 1440')));
      await page.getByRole('banner').getByRole('link', { name: 'Search' }).click();
      const search = page.getByRole('dialog', { name: 'Search lessons' });
      await search.getByRole('searchbox').fill('pandas');
      await search.getByRole('list', { name: 'Search results' }).getByRole('link').first().waitFor();
      axeFindings.push(...(await seriousViolations(page, 'search 1440')));
      await page.keyboard.press('Escape');

      // The same pages at 375 px.
      await page.setViewportSize({ width: 375, height: 812 });
      await page.goto('/dashboard');
      await progress.getByText(/^1 of \d+ lessons completed$/).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      axeFindings.push(...(await seriousViolations(page, 'dashboard 375')));
      await page.screenshot({ path: shot('4-dashboard-after-375.png'), fullPage: true });
      await page.goto(FIRST_LESSON_PATH);
      await page.getByRole('heading', { name: 'Lesson completed' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      axeFindings.push(...(await seriousViolations(page, 'lesson 375')));
      await page.screenshot({ path: shot('5-lesson-375.png'), fullPage: false });
      await page.getByRole('banner').locator('summary[aria-label="Menu"]').click();
      await page.getByRole('navigation', { name: 'Mobile' }).getByRole('link', { name: 'Settings' }).waitFor();
      axeFindings.push(...(await seriousViolations(page, 'mobile menu 375')));
      await page.screenshot({ path: shot('6-menu-375.png'), fullPage: false });
      await page.goto('/settings');
      await page.getByRole('region', { name: 'Profile' }).waitFor();
      axeFindings.push(...(await seriousViolations(page, 'settings 375')));
      await page.getByRole('banner').getByRole('link', { name: 'Search' }).click();
      await search.getByRole('searchbox').fill('attention');
      await search.getByRole('list', { name: 'Search results' }).getByRole('link').first().waitFor();
      axeFindings.push(...(await seriousViolations(page, 'search 375')));

      expect(axeFindings).toEqual([]);
      expect(errors).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  test('a visitor at 375 px: landing, a lesson and the sign-in modal have no serious axe findings', async () => {
    const { page, errors } = await newPage({ width: 375, height: 812 });
    const axeFindings: string[] = [];
    await page.goto('/');
    axeFindings.push(...(await seriousViolations(page, 'landing 375')));
    await page.goto(FIRST_LESSON_PATH);
    // A visitor reads the lesson; the progress panel invites to sign up instead.
    await page.getByRole('heading', { name: 'Keep track of your progress' }).waitFor();
    axeFindings.push(...(await seriousViolations(page, 'lesson (visitor) 375')));
    await page.goto('/?auth=signin');
    await page.getByRole('dialog', { name: 'Welcome back' }).getByLabel('Email').waitFor();
    axeFindings.push(...(await seriousViolations(page, 'sign-in modal 375')));
    expect(axeFindings).toEqual([]);
    expect(errors).toEqual([]);
  });
});
