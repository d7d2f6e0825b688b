// The landing page as a first-time visitor gets it from the built server: its text in the raw HTML (what a visitor
// needs to decide, with every figure checked against content/), the JavaScript it costs before any interaction
// (budget: 100 KB gzipped), its first paint, and how the API serves the site.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  artifactPath,
  kb,
  measurePageCost,
  ROOT,
  useBrowserSuite,
  WEB_DIST,
  waitForHydration,
  watchConsole,
} from './harness';

const HEADLINE = 'Learn to build AI software that works in production.';
const JS_BUDGET_BYTES = 100 * 1024;

const suite = useBrowserSuite();

type Curriculum = {
  courses: {
    slug: string;
    modules: { slug: string; lessons: { slug: string; title: string; summary: string; duration_minutes: number }[] }[];
  }[];
};
const curriculum = JSON.parse(readFileSync(join(ROOT, 'content/curriculum.json'), 'utf8')) as Curriculum;
const lessonFile = (module: string, lesson: string) => join(ROOT, 'content/lessons', module, `${lesson}.md`);
/** Every lesson of the curriculum that has a page (its Markdown file exists), in course order. */
const publishedLessons = curriculum.courses.flatMap((course) =>
  course.modules.flatMap((module) =>
    module.lessons
      .filter((lesson) => existsSync(lessonFile(module.slug, lesson.slug)))
      .map((lesson) => ({
        ...lesson,
        path: `/learn/${course.slug}/${module.slug}/${lesson.slug}/`,
        module: module.slug,
      })),
  ),
);
const frontmatter = (file: string) =>
  parseYaml(readFileSync(file, 'utf8').split(/^---$/m)[1] ?? '') as { objectives: string[]; quiz: unknown[] };

/** The element with this id and everything in it, from raw HTML (sections here never nest a same-named tag). */
function element(html: string, tag: string, id: string): string {
  const start = html.search(new RegExp(`<${tag}\\b[^>]*\\bid="${id}"`));
  expect(start, `<${tag} id="${id}"> in the HTML`).toBeGreaterThanOrEqual(0);
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(start, end + tag.length + 3);
}

/** The text a reader sees in a piece of raw HTML: tags dropped, entities decoded, spaces collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

async function newPage(viewport: { width: number; height: number }) {
  const context = await suite.browser.newContext({ viewport, baseURL: suite.server.url });
  suite.contexts.push(context);
  const page = await context.newPage();
  return { page, errors: watchConsole(page) };
}

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

  test('the raw HTML says what a visitor needs to decide: price, format, hours, prerequisites, outcomes, a sample lesson, an FAQ', async () => {
    const html = await (await fetch(`${suite.server.url}/`, { headers: { Accept: 'text/html' } })).text();

    // Every section, by its heading.
    for (const [id, heading] of [
      ['how-title', 'Free, self-paced, hands-on'],
      ['curriculum-title', 'What you will learn'],
      ['sample-title', 'Read a lesson before you decide'],
      ['prerequisites-title', 'What you need before you start'],
      ['outcomes-title', 'What you will be able to do'],
      ['faq-title', 'Questions before you start'],
    ] as const) {
      expect(visibleText(element(html, 'h2', id)), id).toBe(heading);
    }

    // Price and format: free, self-paced, lesson pages with code, exercises and quizzes, a dashboard.
    const format = visibleText(element(html, 'section', 'how-it-works'));
    for (const phrase of ['Free', 'No fee, no paid tier', 'Self-paced', 'no deadlines', 'Lesson pages with code']) {
      expect(format).toContain(phrase);
    }
    expect(format).toContain('A dashboard that tracks progress');
    // The time: the sum of the lessons' durations in content/curriculum.json, in whole hours, in the hero and here.
    const minutes = curriculum.courses
      .flatMap((course) => course.modules.flatMap((module) => module.lessons))
      .reduce((total, lesson) => total + lesson.duration_minutes, 0);
    const hours = Math.max(1, Math.round(minutes / 60));
    expect(format).toContain(`About ${hours} hours`);
    expect(html).toMatch(new RegExp(`<dd[^>]*>${hours}</dd>`));
    // Exercises and quiz questions, counted from the lesson files.
    const quizQuestions = publishedLessons.reduce(
      (total, lesson) => total + frontmatter(lessonFile(lesson.module, lesson.slug)).quiz.length,
      0,
    );
    expect(format).toContain(`${publishedLessons.length} exercises`);
    expect(format).toContain(`${quizQuestions} quiz questions`);

    // Prerequisites and outcomes are lists a reader can scan.
    for (const id of ['prerequisites', 'outcomes']) {
      expect(element(html, 'section', id).match(/<li\b/g)?.length ?? 0, id).toBeGreaterThanOrEqual(3);
    }

    // The sample lesson: the first lesson of the path, its summary and objectives from content/, and a link to its
    // public page, which answers 200 with the lesson in it.
    const [first] = publishedLessons;
    if (!first) throw new Error('content/curriculum.json has no lesson with a file');
    const sample = element(html, 'section', 'sample-lesson');
    expect(visibleText(sample)).toContain(first.title);
    expect(visibleText(sample)).toContain(first.summary);
    for (const objective of frontmatter(lessonFile(first.module, first.slug)).objectives) {
      expect(visibleText(sample)).toContain(objective);
    }
    expect(sample).toMatch(new RegExp(`<a href="${first.path}"[^>]*data-sample-link`));
    const lesson = await fetch(`${suite.server.url}${first.path}`, { headers: { Accept: 'text/html' } });
    expect(lesson.status).toBe(200);
    expect(visibleText(await lesson.text())).toContain(first.summary);

    // The FAQ: native <details>/<summary>, no script of its own.
    const faq = element(html, 'section', 'faq');
    const details = faq.match(/<details\b[\s\S]*?<\/details>/g) ?? [];
    expect(details.length).toBeGreaterThanOrEqual(5);
    for (const item of details) expect(item).toMatch(/<summary\b[^>]*>[\s\S]+?<\/summary>\s*<p\b/);
    expect(faq).not.toContain('<script');
    expect(visibleText(faq)).toContain('Is it really free?');

    // Honest copy: no price but free, no certificate offered, no job promised.
    const page = visibleText(html);
    expect(page.match(/[$€£]\s?\d[^.]*/)?.[0]).toBeUndefined();
    expect(
      page.match(/[^.]*\b(earn|receive|awarded) (a|your) certificate[^.]*|certificate of completion/i)?.[0],
    ).toBeUndefined();
    expect(page.match(/[^.]*\b(job guarantee|guaranteed (a )?job)[^.]*/i)?.[0]).toBeUndefined();
    expect(page).toContain('issues no certificate');
  });

  test(`JavaScript before any interaction stays under ${kb(JS_BUDGET_BYTES)} gzipped; first contentful paint`, async () => {
    const { page, errors } = await newPage({ width: 1440, height: 900 });
    await page.goto('/', { waitUntil: 'load' });
    await waitForHydration(page);
    await page.waitForLoadState('networkidle');

    const metrics = await measurePageCost(page);
    const { scripts } = metrics;
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
