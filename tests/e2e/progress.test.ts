// The learner's progress on the dashboard, in Chromium against the built server on a fresh database (the server
// seeds the curriculum from content/curriculum.json at start): the empty state, optimistic changes that move the
// bars at once, persistence across a reload, the rollback when the API refuses, and one source for the curriculum
// (the landing page, built from the same file, names the modules the API serves).
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactPath, uniqueEmail, useBrowserSuite, waitForHydration, watchConsole } from './harness';

const PASSWORD = 'Analytical#Engine1';
const COURSE = 'ai-engineering-bootcamp';
const LESSON_1 = 'Notebooks and reproducible environments';
const LESSON_2 = 'NumPy arrays and vectorisation';
const LESSON_3 = 'Data wrangling with pandas';
const failed = (status: string) => `Failed to load resource: the server responded with a status of ${status}`;

const suite = useBrowserSuite();

/** A new account (through the API), signed in through the modal, on its dashboard with the progress loaded. */
async function signedInLearner(name: string, viewport = { width: 1440, height: 900 }) {
  const email = uniqueEmail(name.toLowerCase().replace(/\W+/g, '.'));
  const signup = await fetch(`${suite.server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, full_name: name, password: PASSWORD }),
  });
  expect(signup.status).toBe(201);

  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url });
  suite.contexts.push(context);
  const page = await context.newPage();
  // Fail on the step that hangs, well inside the test's own 30 s.
  page.setDefaultTimeout(8_000);
  const errors = watchConsole(page);
  const calls: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/v1/courses') || url.pathname.startsWith('/api/v1/users/me/progress')) {
      calls.push(`${request.method()} ${url.pathname}`);
    }
  });

  await page.goto('/?auth=signin');
  await waitForHydration(page);
  const dialog = page.getByRole('dialog', { name: 'Welcome back' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/dashboard');
  const progress = dashboardProgress(page);
  await progress.overall.waitFor();
  return { page, errors, calls, progress };
}

function dashboardProgress(page: Page) {
  const region = page.getByRole('region', { name: 'Course progress' });
  return {
    region,
    overall: region.getByRole('progressbar', { name: /^Overall progress/ }),
    summary: region.locator(`[data-course="${COURSE}"]`).locator('p').first(),
    percent: region.locator(`[data-course="${COURSE}"] p.text-silver-gradient`),
    moduleBar: (title: string) => region.getByRole('progressbar', { name: title, exact: true }),
    moduleToggle: (title: string) => region.getByRole('button', { name: new RegExp(`^Module \\d+: ${title}$`) }),
    lesson: (title: string) => region.locator('li[data-lesson]', { hasText: title }),
    button: (label: string, lesson: string) => region.getByRole('button', { name: `${label}: ${lesson}`, exact: true }),
    notice: region.getByRole('status'),
  };
}

const valueNow = (bar: Locator) => bar.getAttribute('aria-valuenow');

/** Holds the next progress PUT until `release` is called, so a test can look at the page before the API answers. */
async function holdNextPut(page: Page, answer: 'continue' | { status: number; detail: string }) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  // Only lesson PUTs match, and only the next one is held.
  await page.route(
    '**/api/v1/users/me/progress/*',
    async (route) => {
      await released;
      if (answer === 'continue') return route.continue();
      return route.fulfill({
        status: answer.status,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Refused', status: answer.status, detail: answer.detail }),
      });
    },
    { times: 1 },
  );
  return release;
}

describe('learner progress on the dashboard', () => {
  test('a new learner sees 0 %; two lessons completed move the bars at once and the "continue" card; a reload keeps them', async () => {
    const { page, errors, calls, progress } = await signedInLearner('Ada Lovelace');

    // The empty state, and the module holding the first lesson open, the others closed.
    expect(await valueNow(progress.overall)).toBe('0');
    expect(await progress.overall.getAttribute('aria-valuetext')).toBe('0 of 42 lessons completed, 0 %');
    expect(await progress.summary.textContent()).toBe('0 of 42 lessons completed');
    expect(await progress.percent.textContent()).toBe('0%');
    await progress.region.getByRole('heading', { name: `You haven't started yet — begin with ${LESSON_1}` }).waitFor();
    expect(await progress.moduleToggle('Python for AI').getAttribute('aria-expanded')).toBe('true');
    expect(await progress.moduleToggle('The maths you need').getAttribute('aria-expanded')).toBe('false');
    expect(await progress.region.getByRole('progressbar').count()).toBe(1 + 8);
    expect(await progress.lesson(LESSON_1).getAttribute('data-status')).toBe('not_started');
    expect(await progress.lesson(LESSON_1).textContent()).toContain('Not started');
    await progress.region.screenshot({ path: artifactPath('dashboard-progress-empty-1440.png') });

    // Optimistic: the bars move while the API has not answered yet.
    const release = await holdNextPut(page, 'continue');
    await progress.button('Mark complete', LESSON_1).click();
    await expect.poll(() => valueNow(progress.overall)).toBe('2');
    expect(await valueNow(progress.moduleBar('Python for AI'))).toBe('20');
    expect(await progress.lesson(LESSON_1).textContent()).toContain('Saving…');
    const firstSaved = page.waitForResponse((response) => response.request().method() === 'PUT');
    release();
    expect((await firstSaved).status()).toBe(200);
    await progress.lesson(LESSON_1).getByText('Saving…').waitFor({ state: 'detached' });
    // The pressed button is gone with the status it offered; focus stays in the row, on what is offered now.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Undo: ${LESSON_1}`);

    const secondSaved = page.waitForResponse((response) => response.request().method() === 'PUT');
    await progress.button('Mark complete', LESSON_2).click();
    expect((await secondSaved).status()).toBe(200);

    const expectTwoCompleted = async () => {
      await expect.poll(() => valueNow(progress.overall)).toBe('4');
      expect(await progress.summary.textContent()).toBe('2 of 42 lessons completed');
      expect(await progress.percent.textContent()).toBe('4%');
      expect(await valueNow(progress.moduleBar('Python for AI'))).toBe('40');
      expect(await progress.moduleBar('Python for AI').getAttribute('aria-valuetext')).toBe(
        '2 of 5 lessons completed, 40 %',
      );
      expect(await valueNow(progress.moduleBar('The maths you need'))).toBe('0');
      for (const title of [LESSON_1, LESSON_2]) {
        expect(await progress.lesson(title).getAttribute('data-status')).toBe('completed');
        expect(await progress.lesson(title).textContent()).toContain('Completed');
      }
      const next = progress.region.getByRole('article', { name: 'Continue where you left off' });
      expect(await next.textContent()).toContain(LESSON_3);
      expect(await next.textContent()).toContain('Module 1: Python for AI · Lesson 3 of 5');
    };
    await expectTwoCompleted();
    // Lean: one read on load (every course with its lessons and statuses), then only the writes; the bars were
    // recomputed in the page.
    expect(calls).toEqual([
      'GET /api/v1/users/me/progress',
      `PUT /api/v1/users/me/progress/${await lessonId(LESSON_1)}`,
      `PUT /api/v1/users/me/progress/${await lessonId(LESSON_2)}`,
    ]);

    // The card is a link to lesson 3's page; opening the lesson marks it in progress, and the card then says
    // "Continue". Undo on the dashboard puts it back.
    const start = progress.region.getByRole('link', { name: `Start this lesson: ${LESSON_3}` });
    expect(await start.getAttribute('href')).toBe(`/learn/${COURSE}/python-for-ai/pandas-dataframes/`);
    await start.click();
    await page.waitForURL('**/pandas-dataframes/');
    await page.getByText('This lesson is in progress on your dashboard.').waitFor();
    await page.goto('/dashboard');
    await progress.region.getByRole('link', { name: `Continue: ${LESSON_3}` }).waitFor();
    expect(await progress.lesson(LESSON_3).getAttribute('data-status')).toBe('in_progress');
    expect(await valueNow(progress.overall)).toBe('4');
    await progress.button('Undo', LESSON_3).click();
    await expect.poll(() => progress.lesson(LESSON_3).getAttribute('data-status')).toBe('not_started');
    await progress.lesson(LESSON_3).getByText('Saving…').waitFor({ state: 'detached' });

    // Modules fold and unfold.
    const maths = progress.moduleToggle('The maths you need');
    await maths.click();
    expect(await maths.getAttribute('aria-expanded')).toBe('true');
    await progress.lesson('Gradient descent from scratch').waitFor();
    await maths.click();
    await progress.lesson('Gradient descent from scratch').waitFor({ state: 'hidden' });

    await page.reload();
    await progress.overall.waitFor();
    await expectTwoCompleted();

    await progress.region.screenshot({ path: artifactPath('dashboard-progress-1440.png') });
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await progress.region.screenshot({ path: artifactPath('dashboard-progress-375.png') });

    expect(errors).toEqual([]);
  });

  test('a refused change rolls the bars back and says so: a 500, then a 422', async () => {
    const { page, errors, progress } = await signedInLearner('Grace Hopper', { width: 375, height: 812 });
    const saved = page.waitForResponse((response) => response.request().method() === 'PUT');
    await progress.button('Mark complete', LESSON_1).click();
    expect((await saved).status()).toBe(200);
    await expect.poll(() => valueNow(progress.overall)).toBe('2');
    await progress.lesson(LESSON_1).getByText('Saving…').waitFor({ state: 'detached' });

    let release = await holdNextPut(page, { status: 500, detail: 'Internal error.' });
    await progress.button('Mark complete', LESSON_2).click();
    await expect.poll(() => valueNow(progress.overall)).toBe('4');
    expect(await valueNow(progress.moduleBar('Python for AI'))).toBe('40');
    release();
    await expect.poll(() => valueNow(progress.overall)).toBe('2');
    expect(await valueNow(progress.moduleBar('Python for AI'))).toBe('20');
    expect(await progress.summary.textContent()).toBe('1 of 42 lessons completed');
    expect(await progress.lesson(LESSON_2).getAttribute('data-status')).toBe('not_started');
    await expect
      .poll(() => progress.notice.textContent())
      .toContain(
        `Couldn't save “${LESSON_2}”: something went wrong on our side — please try again in a moment. ` +
          'It is back to “not started”.',
      );
    const next = progress.region.getByRole('article', { name: 'Continue where you left off' });
    expect(await next.textContent()).toContain(LESSON_2);
    await page.screenshot({ path: artifactPath('dashboard-progress-refused-375.png') });

    // A 422 on undoing the completed lesson: it stays completed.
    release = await holdNextPut(page, { status: 422, detail: 'Invalid status.' });
    await progress.button('Undo', LESSON_1).click();
    await expect.poll(() => valueNow(progress.overall)).toBe('0');
    release();
    await expect.poll(() => valueNow(progress.overall)).toBe('2');
    expect(await progress.lesson(LESSON_1).getAttribute('data-status')).toBe('completed');
    await expect.poll(() => progress.notice.textContent()).toContain(`Couldn't save “${LESSON_1}”: the server refused`);
    await progress.notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => progress.notice.textContent()).toBe('');

    // What the API holds is what the page shows after the rollbacks.
    await page.reload();
    await progress.overall.waitFor();
    expect(await valueNow(progress.overall)).toBe('2');
    expect(await progress.lesson(LESSON_2).getAttribute('data-status')).toBe('not_started');

    expect(errors).toEqual([failed('500 (Internal Server Error)'), failed('422 (Unprocessable Entity)')]);
  });

  test('the landing page lists the modules and lessons GET /api/v1/courses/{slug} serves: one source', async () => {
    const response = await fetch(`${suite.server.url}/api/v1/courses/${COURSE}`);
    expect(response.status).toBe(200);
    const course = (await response.json()) as { modules: { title: string; lessons: { title: string }[] }[] };
    const fromApi = course.modules.map((module) => ({
      title: module.title,
      lessons: module.lessons.map((lesson) => lesson.title),
    }));
    expect(fromApi).toHaveLength(8);

    const context = await suite.browser.newContext({ baseURL: suite.server.url, javaScriptEnabled: false });
    suite.contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');
    const fromLanding = await page.locator('#curriculum ol > li:has(h4)').evaluateAll((items) =>
      items.map((item) => {
        const heading = item.querySelector('h4')?.cloneNode(true) as HTMLElement;
        for (const hidden of heading.querySelectorAll('.sr-only')) hidden.remove();
        return {
          title: heading.textContent?.trim(),
          lessons: [...item.querySelectorAll('details li > span:first-child')].map((span) => span.textContent?.trim()),
        };
      }),
    );
    expect(fromLanding).toEqual(fromApi);
  });
});

let lessonIds: Map<string, string> | undefined;
async function lessonId(title: string): Promise<string> {
  if (!lessonIds) {
    const response = await fetch(`${suite.server.url}/api/v1/courses/${COURSE}`);
    const course = (await response.json()) as { modules: { lessons: { id: string; title: string }[] }[] };
    lessonIds = new Map(course.modules.flatMap((module) => module.lessons.map((lesson) => [lesson.title, lesson.id])));
  }
  const id = lessonIds.get(title);
  if (!id) throw new Error(`No lesson titled ${title}`);
  return id;
}
