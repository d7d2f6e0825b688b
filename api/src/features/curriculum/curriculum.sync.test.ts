import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CurriculumContent, loadCurriculum } from './curriculum.content';
import { syncCurriculum } from './curriculum.sync';

// A fresh database for this file, with every migration in sql/ applied in name order, each in its own transaction.
const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SQL_DIR = fileURLToPath(new URL('../../../../sql/', import.meta.url));
const DATABASE = `t_${randomBytes(6).toString('hex')}`;

const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
let sql: postgres.Sql;

const curriculum = loadCurriculum();

type LessonRow = {
  id: string;
  module_id: string;
  slug: string;
  title: string;
  duration_minutes: number;
  position: number;
  updated_at: Date;
};

beforeAll(async () => {
  await admin`create database ${admin(DATABASE)}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  const files = readdirSync(SQL_DIR)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  for (const name of files) await sql.begin((tx) => tx.file(path.join(SQL_DIR, name)));
});

afterAll(async () => {
  await sql?.end();
  await admin`drop database if exists ${admin(DATABASE)} with (force)`;
  await admin.end();
});

// Each test starts from the real file's curriculum, freshly synced, and no progress.
beforeEach(async () => {
  await sql`
    delete from lessons
  `;
  await sql`
    delete from course_modules
  `;
  await sql`
    delete from courses
  `;
  await sql`
    update curriculum_meta
    set
      content_sha256 = null,
      synced_at = null
  `;
  await syncCurriculum(sql, curriculum);
});

function cloneCurriculum(): CurriculumContent {
  return structuredClone(curriculum);
}

function bootcampOf(content: CurriculumContent) {
  const course = content.courses[0];
  if (!course) throw new Error('the curriculum has no course');
  return course;
}

async function selectLessons(): Promise<LessonRow[]> {
  return sql<LessonRow[]>`
    select id, module_id, slug, title, duration_minutes, position, updated_at
    from lessons
    order by slug
  `;
}

async function selectLesson(slug: string): Promise<LessonRow | undefined> {
  const [lesson] = await sql<[LessonRow?]>`
    select id, module_id, slug, title, duration_minutes, position, updated_at
    from lessons
    where slug = ${slug}
  `;
  return lesson;
}

async function insertUser(): Promise<string> {
  const [user] = await sql<[{ id: string }?]>`
    insert into users ${sql(
      {
        email: `learner-${randomBytes(4).toString('hex')}@example.com`,
        hashed_password: 'not-a-real-hash',
        full_name: 'Ada Learner',
      },
      ...(['email', 'hashed_password', 'full_name'] as const),
    )}
    returning id
  `;
  if (!user) throw new Error('user insert returned no row');
  return user.id;
}

async function completeLesson(userId: string, lessonId: string): Promise<void> {
  await sql`
    insert into lesson_progress ${sql(
      { user_id: userId, lesson_id: lessonId, status: 'completed', started_at: new Date(), completed_at: new Date() },
      ...(['user_id', 'lesson_id', 'status', 'started_at', 'completed_at'] as const),
    )}
  `;
}

describe('syncCurriculum', () => {
  it('copies every course, module and lesson of the file, in array order', async () => {
    const counts = await sql<{ courses: number; modules: number; lessons: number; minutes: number }[]>`
      select
        (select count(*)::int from courses) as courses,
        (select count(*)::int from course_modules) as modules,
        (select count(*)::int from lessons) as lessons,
        (select sum(duration_minutes)::int from lessons) as minutes
    `;
    const modules = curriculum.courses.flatMap((course) => course.modules);
    const lessons = modules.flatMap((module) => module.lessons);
    expect(counts[0]).toEqual({
      courses: curriculum.courses.length,
      modules: modules.length,
      lessons: lessons.length,
      minutes: lessons.reduce((total, lesson) => total + lesson.duration_minutes, 0),
    });

    const bootcamp = bootcampOf(curriculum);
    const rows = await sql<{ module_slug: string; module_position: number; lesson_slug: string; position: number }[]>`
      select
        m.slug as module_slug,
        m.position as module_position,
        l.slug as lesson_slug,
        l.position
      from lessons l
      join course_modules m on m.id = l.module_id
      join courses c on c.id = m.course_id
      where c.slug = ${bootcamp.slug}
      order by m.position, l.position
    `;
    expect(rows.map((row) => [row.module_slug, row.lesson_slug])).toEqual(
      bootcamp.modules.flatMap((module) => module.lessons.map((lesson) => [module.slug, lesson.slug])),
    );
    expect(rows[0]).toMatchObject({ module_position: 1, position: 1 });
  });

  it('run twice with the same content keeps every id and writes nothing', async () => {
    const before = await selectLessons();
    const [metaBefore] = await sql<[{ content_sha256: string; synced_at: Date }?]>`
      select content_sha256, synced_at
      from curriculum_meta
    `;
    expect(metaBefore?.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(metaBefore?.synced_at).toBeInstanceOf(Date);

    await syncCurriculum(sql, loadCurriculum());

    expect(await selectLessons()).toEqual(before);
    const [metaAfter] = await sql<[{ content_sha256: string; synced_at: Date }?]>`
      select content_sha256, synced_at
      from curriculum_meta
    `;
    expect(metaAfter).toEqual(metaBefore);
  });

  it('updates an edited title and duration in place, keeping the id and touching only that row', async () => {
    const content = cloneCurriculum();
    const lesson = bootcampOf(content).modules[0]?.lessons[0];
    if (!lesson) throw new Error('the curriculum has no lesson');
    const before = await selectLessons();

    lesson.title = 'Notebooks, environments and you';
    lesson.duration_minutes = 25;
    await syncCurriculum(sql, content);

    const after = await selectLessons();
    const edited = after.find((row) => row.slug === lesson.slug);
    const original = before.find((row) => row.slug === lesson.slug);
    expect(edited).toMatchObject({ id: original?.id, title: 'Notebooks, environments and you', duration_minutes: 25 });
    expect(edited?.updated_at.getTime()).toBeGreaterThan(original?.updated_at.getTime() ?? Number.POSITIVE_INFINITY);
    expect(after.filter((row) => row.slug !== lesson.slug)).toEqual(before.filter((row) => row.slug !== lesson.slug));
  });

  it('reorders modules and moves a lesson to another module without changing ids', async () => {
    const content = cloneCurriculum();
    const bootcamp = bootcampOf(content);
    const [first, second] = bootcamp.modules;
    if (!first || !second) throw new Error('the curriculum needs two modules');
    const moved = first.lessons.shift();
    if (!moved) throw new Error('the first module has no lesson');
    second.lessons.unshift(moved);
    bootcamp.modules.reverse();
    const before = await selectLessons();
    const modulesBefore = await sql<{ id: string; slug: string }[]>`
      select id, slug
      from course_modules
    `;

    await syncCurriculum(sql, content);

    const modulesAfter = await sql<{ id: string; slug: string; position: number }[]>`
      select id, slug, position
      from course_modules
      order by position
    `;
    expect(modulesAfter.map((module) => module.slug)).toEqual(bootcamp.modules.map((module) => module.slug));
    expect(new Set(modulesAfter.map((module) => module.id))).toEqual(new Set(modulesBefore.map((module) => module.id)));
    const after = await selectLessons();
    expect(after.map((row) => row.id)).toEqual(before.map((row) => row.id));
    expect(await selectLesson(moved.slug)).toMatchObject({
      id: before.find((row) => row.slug === moved.slug)?.id,
      module_id: modulesAfter.find((module) => module.slug === second.slug)?.id,
      position: 1,
    });
  });

  it('deletes a lesson the content no longer lists, and its progress with it', async () => {
    const content = cloneCurriculum();
    const module = bootcampOf(content).modules[1];
    const removed = module?.lessons.pop();
    const kept = module?.lessons[0];
    if (!removed || !kept) throw new Error('the second module needs two lessons');
    const userId = await insertUser();
    const removedRow = await selectLesson(removed.slug);
    const keptRow = await selectLesson(kept.slug);
    if (!removedRow || !keptRow) throw new Error('lessons were not synced');
    await completeLesson(userId, removedRow.id);
    await completeLesson(userId, keptRow.id);

    await syncCurriculum(sql, content);

    expect(await selectLesson(removed.slug)).toBeUndefined();
    const progress = await sql<{ lesson_id: string }[]>`
      select lesson_id
      from lesson_progress
      where user_id = ${userId}
    `;
    expect(progress.map((row) => row.lesson_id)).toEqual([keptRow.id]);
  });

  it('deletes a module the content no longer lists, with its lessons', async () => {
    const content = cloneCurriculum();
    const removed = bootcampOf(content).modules.pop();
    if (!removed) throw new Error('the curriculum has no module');

    await syncCurriculum(sql, content);

    const [counts] = await sql<[{ modules: number; lessons: number }?]>`
      select
        (select count(*)::int from course_modules where slug = ${removed.slug}) as modules,
        (select count(*)::int from lessons where slug in ${sql(removed.lessons.map((lesson) => lesson.slug))}) as lessons
    `;
    expect(counts).toEqual({ modules: 0, lessons: 0 });
  });

  it('rolls back the whole sync when a row breaks a constraint', async () => {
    const content = cloneCurriculum();
    const bootcamp = bootcampOf(content);
    const firstLesson = bootcamp.modules[0]?.lessons[0];
    const lastLesson = bootcamp.modules.at(-1)?.lessons.at(-1);
    if (!firstLesson || !lastLesson) throw new Error('the curriculum has no lesson');
    const before = await selectLessons();

    firstLesson.title = 'A title that would be saved if the sync were not atomic';
    lastLesson.duration_minutes = 601; // past the lessons.duration_minutes CHECK; the schema would refuse it first
    await expect(syncCurriculum(sql, content)).rejects.toMatchObject({ code: '23514' });

    expect(await selectLessons()).toEqual(before);
  });

  it('serialises concurrent syncs of new content', async () => {
    const content = cloneCurriculum();
    const lesson = bootcampOf(content).modules[0]?.lessons[0];
    if (!lesson) throw new Error('the curriculum has no lesson');
    lesson.title = 'Edited by two instances at once';

    await Promise.all([syncCurriculum(sql, content), syncCurriculum(sql, structuredClone(content))]);

    expect(await selectLesson(lesson.slug)).toMatchObject({ title: 'Edited by two instances at once' });
  });
});
