#!/usr/bin/env node
// First contentful paint of the landing page and of lesson pages in headless Chromium, served by the production
// build on loopback: the median of BENCH_PAGES_RUNS loads each (default 15), every load in a fresh browser context
// (an empty cache, as a first visit), pages taken in turn so that noise on the machine falls on all of them alike.
// Goal (issue "A bootcamp you can actually learn from"): a lesson page's FCP <= 1.2 x the landing page's.
// Also reported: the JavaScript each page transfers before any interaction, gzipped from the built files.
//
// `npm run bench` runs it after its own scenarios; alone (after `npm run build`): `node scripts/bench-pages.mjs`.
// Env: BENCH_PAGES_RUNS, BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), CHROMIUM_PATH.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import postgres from 'postgres';
import { startBenchServer } from './bench-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const WEB_DIST = join(root, 'web/dist');
export const FCP_RATIO_GOAL = 1.2;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The pages measured: the landing page, the first lesson of the path, and the heaviest lesson page of the build. */
function pagesToMeasure() {
  const curriculum = JSON.parse(readFileSync(join(root, 'content/curriculum.json'), 'utf8'));
  const lessons = curriculum.courses.flatMap((course) =>
    course.modules.flatMap((module) =>
      module.lessons.map((lesson) => ({
        title: lesson.title,
        path: `/learn/${course.slug}/${module.slug}/${lesson.slug}/`,
      })),
    ),
  );
  const built = lessons
    .map((lesson) => ({ ...lesson, file: join(WEB_DIST, lesson.path, 'index.html') }))
    .filter((lesson) => existsSync(lesson.file))
    .map((lesson) => ({ ...lesson, htmlBytes: statSync(lesson.file).size }));
  const [first] = built;
  if (!first) throw new Error('web/dist has no lesson page: run `npm run build` first');
  const heaviest = built.reduce((max, lesson) => (lesson.htmlBytes > max.htmlBytes ? lesson : max));
  const pages = [
    { name: 'landing page', path: '/' },
    { name: `first lesson (${first.title})`, path: first.path },
  ];
  if (heaviest.path !== first.path) pages.push({ name: `heaviest lesson (${heaviest.title})`, path: heaviest.path });
  return pages;
}

/** One cold load: FCP from the browser's paint timing, and the scripts it fetched before any interaction. */
async function loadOnce(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const fcp = await page.evaluate(
      () =>
        new Promise((resolve) => {
          new PerformanceObserver((list) => {
            const entry = list.getEntriesByName('first-contentful-paint')[0];
            if (entry) resolve(entry.startTime);
          }).observe({ type: 'paint', buffered: true });
        }),
    );
    await page.waitForLoadState('networkidle');
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name).pathname)
        .filter((path) => path.endsWith('.js')),
    );
    return { fcp, scripts };
  } finally {
    await context.close();
  }
}

const gzippedBytes = (scripts) =>
  [...new Set(scripts)].reduce((total, path) => total + gzipSync(readFileSync(join(WEB_DIST, path))).length, 0);

export async function runPagesBench({
  log = (message) => process.stdout.write(`${message}\n`),
  adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  runs = Number(process.env.BENCH_PAGES_RUNS ?? 15),
  chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
} = {}) {
  if (!existsSync(join(root, 'api/dist/index.js')) || !existsSync(join(WEB_DIST, 'index.html'))) {
    log('page scenarios skipped: the build is missing (npm run build)');
    return undefined;
  }
  if (!existsSync(chromiumPath)) {
    log(`page scenarios skipped: no Chromium at ${chromiumPath}`);
    return undefined;
  }
  const pages = pagesToMeasure();

  // The production build on its own database, as the other scenarios run it.
  const dbName = `aibc_bench_pages_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(dbName)}`;
  const server = startBenchServer({
    name: 'pages',
    databaseUrl: adminUrl.replace(/\/[^/]*$/, `/${dbName}`),
    port: 20_000 + Math.floor(Math.random() * 1000),
  });
  const { base } = server;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    await server.ready();

    // Two warm-up loads of each page (the server's first reads of the files, Chromium's first start of a renderer).
    for (let i = 0; i < 2; i++) for (const page of pages) await loadOnce(browser, `${base}${page.path}`);
    const samples = new Map(pages.map((page) => [page.path, { fcp: [], scripts: [] }]));
    for (let i = 0; i < runs; i++) {
      for (const page of pages) {
        const { fcp, scripts } = await loadOnce(browser, `${base}${page.path}`);
        const sample = samples.get(page.path);
        sample.fcp.push(Math.round(fcp * 10) / 10);
        sample.scripts = scripts;
      }
    }

    const rows = pages.map((page) => {
      const sample = samples.get(page.path);
      return {
        name: page.name,
        path: page.path,
        fcpMedianMs: median(sample.fcp),
        fcpRunsMs: sample.fcp,
        jsGzipBytes: gzippedBytes(sample.scripts),
        scripts: sample.scripts.length,
      };
    });
    const landing = rows[0];
    for (const row of rows.slice(1)) {
      row.ratio = row.fcpMedianMs / landing.fcpMedianMs;
      row.pass = row.ratio <= FCP_RATIO_GOAL;
    }
    for (const row of rows) {
      log(
        `${`FCP ${row.name}`.padEnd(60)} median ${row.fcpMedianMs.toFixed(1).padStart(6)} ms` +
          `  JS before interaction ${(row.jsGzipBytes / 1024).toFixed(1)} KB gz` +
          (row.ratio === undefined
            ? ''
            : `  (${row.ratio.toFixed(2)}x landing, goal <= ${FCP_RATIO_GOAL}x: ${row.pass ? 'PASS' : 'FAIL'})`),
      );
    }
    return { runs, chromium: browser.version(), goalRatio: FCP_RATIO_GOAL, rows };
  } finally {
    await browser.close();
    await server.stop();
    await admin`drop database if exists ${admin(dbName)} with (force)`;
    await admin.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runPagesBench();
  if (!result) process.exitCode = 1;
}
