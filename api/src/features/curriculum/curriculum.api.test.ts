import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, createUser, loginAs } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';
import { loadCurriculum } from './curriculum.content';
import { syncCurriculum } from './curriculum.sync';

const content = loadCurriculum();
const course = content.courses[0] ?? expect.fail('the curriculum has no course');
const contentLessons = course.modules.flatMap((module) => module.lessons.map((lesson) => ({ module, lesson })));
const TOTAL = contentLessons.length;
const TOTAL_MINUTES = contentLessons.reduce((sum, { lesson }) => sum + lesson.duration_minutes, 0);

// Every statement the app's postgres.js client sends (postgres.js calls `debug` once per query it writes).
let queries: string[] = [];

type Lesson = { id: string; slug: string; title: string; status?: string };
type Module = { id: string; slug: string; title: string; position: number; lessons: Lesson[] };

// lesson slug → id, read from the API once.
const lessonIds = new Map<string, string>();
function lessonId(slug: string) {
  return lessonIds.get(slug) ?? expect.fail(`no lesson ${slug}`);
}
const first = contentLessons.map(({ lesson }) => lesson.slug);

const { app } = useTestApp({
  sqlOptions: {
    debug: (_connection, query) => {
      queries.push(query);
    },
  },
  afterStart: async (app) => {
    await syncCurriculum(app.sql, loadCurriculum());
    const res = await api(app, `/api/v1/courses/${course.slug}`);
    for (const module of res.body.modules as Module[]) {
      for (const lesson of module.lessons) lessonIds.set(lesson.slug, lesson.id);
    }
  },
});

async function signedIn() {
  const user = await createUser(app);
  const session = await loginAs(app, user);
  return { user, token: session.access_token };
}

function putProgress(token: string | undefined, id: string, status: unknown) {
  return api(app, `/api/v1/users/me/progress/${id}`, { method: 'PUT', token, json: { status } });
}

async function expectProblem(res: Awaited<ReturnType<typeof api>>, status: number) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ type: 'about:blank', status });
  expect(typeof res.body.detail).toBe('string');
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

describe('GET /api/v1/courses', () => {
  it('returns the catalogue without progress to an anonymous caller', async () => {
    const res = await api(app, '/api/v1/courses');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(content.courses.length);
    expect(res.body[0]).toEqual({
      id: expect.any(String),
      slug: course.slug,
      title: course.title,
      summary: course.summary,
      module_count: course.modules.length,
      lesson_count: TOTAL,
      total_minutes: TOTAL_MINUTES,
    });
    expect(res.body[0]).not.toHaveProperty('progress');
  });

  it('adds the caller’s progress when signed in', async () => {
    const { token } = await signedIn();
    const before = await api(app, '/api/v1/courses', { token });
    expect(before.status).toBe(200);
    expect(before.body[0].progress).toEqual({ completed: 0, total: TOTAL, percent: 0 });

    await putProgress(token, lessonId(first[0] as string), 'completed');
    await putProgress(token, lessonId(first[1] as string), 'in_progress');
    const after = await api(app, '/api/v1/courses', { token });
    expect(after.body[0].progress).toEqual({ completed: 1, total: TOTAL, percent: Math.floor(100 / TOTAL) });
  });

  it('treats a bad token as none', async () => {
    const res = await api(app, '/api/v1/courses', { token: 'not.a.jwt' });
    expect(res.status).toBe(200);
    expect(res.body[0]).not.toHaveProperty('progress');
  });
});

describe('GET /api/v1/courses/{slug}', () => {
  it('returns modules and lessons in content order, without status, to an anonymous caller', async () => {
    const res = await api(app, `/api/v1/courses/${course.slug}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      slug: course.slug,
      title: course.title,
      module_count: course.modules.length,
      lesson_count: TOTAL,
      total_minutes: TOTAL_MINUTES,
    });
    expect(res.body).not.toHaveProperty('progress');
    const modules = res.body.modules as Module[];
    expect(modules.map((module) => module.slug)).toEqual(course.modules.map((module) => module.slug));
    expect(modules.map((module) => module.position)).toEqual(course.modules.map((_, index) => index + 1));
    const [firstModule] = modules;
    expect(firstModule?.lessons[0]).toEqual({
      id: expect.any(String),
      slug: course.modules[0]?.lessons[0]?.slug,
      title: course.modules[0]?.lessons[0]?.title,
      summary: course.modules[0]?.lessons[0]?.summary,
      duration_minutes: course.modules[0]?.lessons[0]?.duration_minutes,
      position: 1,
    });
    const lessons = modules.flatMap((module) => module.lessons);
    expect(lessons.map((lesson) => lesson.slug)).toEqual(first);
    for (const lesson of lessons) expect(lesson).not.toHaveProperty('status');
  });

  it('gives a signed-in caller a status for every lesson', async () => {
    const { token } = await signedIn();
    await putProgress(token, lessonId(first[0] as string), 'completed');
    await putProgress(token, lessonId(first[2] as string), 'in_progress');

    const res = await api(app, `/api/v1/courses/${course.slug}`, { token });
    expect(res.status).toBe(200);
    const statuses = (res.body.modules as Module[]).flatMap((module) => module.lessons.map((lesson) => lesson.status));
    expect(statuses).toHaveLength(TOTAL);
    expect(statuses.slice(0, 4)).toEqual(['completed', 'not_started', 'in_progress', 'not_started']);
    expect(statuses.filter((status) => status === 'not_started')).toHaveLength(TOTAL - 2);
    expect(res.body.progress).toEqual({ completed: 1, total: TOTAL, percent: Math.floor(100 / TOTAL) });
  });

  it('returns 404 problem for an unknown slug', async () => {
    const res = await api(app, '/api/v1/courses/no-such-course');
    await expectProblem(res, 404);
  });

  it('costs one query for a signed-in caller besides the session check', async () => {
    const { token } = await signedIn();
    await putProgress(token, lessonId(first[0] as string), 'completed');

    queries = [];
    const res = await api(app, `/api/v1/courses/${course.slug}`, { token });
    expect(res.status).toBe(200);
    const seen = queries;
    // 1 session check (requireAuth/optionalAuth) + 1 query for the whole course tree with the caller's statuses.
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/from sessions/);
    expect(seen[1]).toMatch(/from courses/);

    queries = [];
    const anonymous = await api(app, `/api/v1/courses/${course.slug}`);
    expect(anonymous.status).toBe(200);
    expect(queries).toHaveLength(1);
  });
});

describe('PUT /api/v1/users/me/progress/{lesson_id}', () => {
  it('moves a lesson through in_progress, completed and back, idempotently', async () => {
    const { user, token } = await signedIn();
    const id = lessonId(first[0] as string);

    const t0 = app.clock.now();
    const started = await putProgress(token, id, 'in_progress');
    expect(started.status).toBe(200);
    expect(started.body).toEqual({
      lesson_id: id,
      status: 'in_progress',
      updated_at: t0.toISOString(),
      completed_at: null,
    });

    app.clock.advance(60);
    const t1 = app.clock.now();
    const completed = await putProgress(token, id, 'completed');
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({
      lesson_id: id,
      status: 'completed',
      updated_at: t1.toISOString(),
      completed_at: t1.toISOString(),
    });

    app.clock.advance(60);
    const again = await putProgress(token, id, 'completed');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(completed.body);

    const [row] = await app.sql<{ started_at: Date | null }[]>`
      select started_at
      from lesson_progress
      where user_id = ${user.id}
        and lesson_id = ${id}
    `;
    expect(row?.started_at?.toISOString()).toBe(t0.toISOString());

    app.clock.advance(60);
    const t3 = app.clock.now();
    const reset = await putProgress(token, id, 'not_started');
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({
      lesson_id: id,
      status: 'not_started',
      updated_at: t3.toISOString(),
      completed_at: null,
    });
    const [cleared] = await app.sql<{ started_at: Date | null; completed_at: Date | null }[]>`
      select started_at, completed_at
      from lesson_progress
      where user_id = ${user.id}
        and lesson_id = ${id}
    `;
    expect(cleared).toEqual({ started_at: null, completed_at: null });

    app.clock.advance(60);
    const t4 = app.clock.now();
    const redone = await putProgress(token, id, 'completed');
    expect(redone.body.completed_at).toBe(t4.toISOString());
  });

  it('returns 404 problem for a lesson that does not exist', async () => {
    const { token } = await signedIn();
    const res = await putProgress(token, randomUUID(), 'completed');
    await expectProblem(res, 404);
  });

  it('returns 422 for a lesson id that is not a UUID', async () => {
    const { token } = await signedIn();
    const res = await putProgress(token, 'not-a-uuid', 'completed');
    await expectProblem(res, 422);
    expect(res.body.errors).toEqual([{ field: 'lesson_id', message: expect.any(String) }]);
  });

  it('returns 422 with errors[] for a bad status', async () => {
    const { token } = await signedIn();
    const id = lessonId(first[0] as string);
    for (const status of ['done', '', 42, null]) {
      const res = await putProgress(token, id, status);
      await expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ field: 'status', message: expect.any(String) }]);
    }
    const missing = await api(app, `/api/v1/users/me/progress/${id}`, { method: 'PUT', token, json: {} });
    await expectProblem(missing, 422);
    expect(missing.body.errors).toEqual([{ field: 'status', message: expect.any(String) }]);
  });

  it('returns 415 for a body that is not JSON', async () => {
    const { token } = await signedIn();
    const res = await api(app, `/api/v1/users/me/progress/${lessonId(first[0] as string)}`, {
      method: 'PUT',
      token,
      form: { status: 'completed' },
    });
    await expectProblem(res, 415);
  });

  it('returns 401 without a token', async () => {
    const res = await putProgress(undefined, lessonId(first[0] as string), 'completed');
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('GET /api/v1/users/me/progress', () => {
  it('returns 401 without a token', async () => {
    const res = await api(app, '/api/v1/users/me/progress');
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('counts completed lessons and points at the next one as lessons are completed', async () => {
    const { token } = await signedIn();
    const fresh = await api(app, '/api/v1/users/me/progress', { token });
    expect(fresh.status).toBe(200);
    const firstModule = course.modules[0] ?? expect.fail('no module');
    expect(fresh.body.courses).toEqual([
      {
        id: expect.any(String),
        slug: course.slug,
        title: course.title,
        completed: 0,
        total: TOTAL,
        percent: 0,
        next_lesson: {
          id: lessonId(first[0] as string),
          slug: first[0],
          title: firstModule.lessons[0]?.title,
          module_slug: firstModule.slug,
          module_title: firstModule.title,
        },
        modules: course.modules.map((module, moduleIndex) => ({
          id: expect.any(String),
          slug: module.slug,
          title: module.title,
          summary: module.summary,
          position: moduleIndex + 1,
          completed: 0,
          total: module.lessons.length,
          lessons: module.lessons.map((lesson, lessonIndex) => ({
            id: lessonId(lesson.slug),
            slug: lesson.slug,
            title: lesson.title,
            summary: lesson.summary,
            duration_minutes: lesson.duration_minutes,
            position: lessonIndex + 1,
            status: 'not_started',
          })),
        })),
      },
    ]);

    await putProgress(token, lessonId(first[0] as string), 'completed');
    await putProgress(token, lessonId(first[1] as string), 'completed');
    // In progress is not completed: the next lesson is still the third.
    await putProgress(token, lessonId(first[2] as string), 'in_progress');
    // A lesson completed further on does not move the next lesson either.
    const laterModule = course.modules[1] ?? expect.fail('no second module');
    await putProgress(token, lessonId(laterModule.lessons[0]?.slug as string), 'completed');

    const res = await api(app, '/api/v1/users/me/progress', { token });
    expect(res.status).toBe(200);
    const [summary] = res.body.courses;
    expect(summary).toMatchObject({ completed: 3, total: TOTAL, percent: Math.floor(300 / TOTAL) });
    expect(summary.next_lesson).toMatchObject({ id: lessonId(first[2] as string), slug: first[2] });
    expect(summary.modules[0]).toMatchObject({
      slug: firstModule.slug,
      completed: 2,
      total: firstModule.lessons.length,
    });
    expect(summary.modules[1]).toMatchObject({ slug: laterModule.slug, completed: 1 });
    // Each lesson carries the learner's status, so the dashboard needs no other request.
    const statuses = summary.modules[0].lessons.map((lesson: { status: string }) => lesson.status);
    expect(statuses.slice(0, 4)).toEqual(['completed', 'completed', 'in_progress', 'not_started']);
    expect(summary.modules[1].lessons[0]).toMatchObject({ slug: laterModule.lessons[0]?.slug, status: 'completed' });
  });

  it('reports 100 percent and no next lesson when every lesson is completed', async () => {
    const { token } = await signedIn();
    for (const slug of first) {
      const res = await putProgress(token, lessonId(slug), 'completed');
      expect(res.status).toBe(200);
    }
    const res = await api(app, '/api/v1/users/me/progress', { token });
    expect(res.body.courses[0]).toMatchObject({ completed: TOTAL, total: TOTAL, percent: 100, next_lesson: null });
    for (const module of res.body.courses[0].modules) expect(module.completed).toBe(module.total);
  });
});

describe('progress isolation and lifetime', () => {
  it('never shows one user’s progress to another', async () => {
    const alice = await signedIn();
    const bob = await signedIn();
    await putProgress(alice.token, lessonId(first[0] as string), 'completed');

    const summary = await api(app, '/api/v1/users/me/progress', { token: bob.token });
    expect(summary.body.courses[0]).toMatchObject({ completed: 0, percent: 0 });
    expect(summary.body.courses[0].next_lesson.slug).toBe(first[0]);

    const detail = await api(app, `/api/v1/courses/${course.slug}`, { token: bob.token });
    const statuses = (detail.body.modules as Module[]).flatMap((module) =>
      module.lessons.map((lesson) => lesson.status),
    );
    expect(new Set(statuses)).toEqual(new Set(['not_started']));

    const list = await api(app, '/api/v1/courses', { token: bob.token });
    expect(list.body[0].progress.completed).toBe(0);
  });

  it('deletes a user’s progress with the user', async () => {
    const { user, token } = await signedIn();
    await putProgress(token, lessonId(first[0] as string), 'completed');
    await putProgress(token, lessonId(first[1] as string), 'in_progress');
    const count = async () => {
      const [row] = await app.sql<{ n: number }[]>`
        select count(*)::int as n
        from lesson_progress
        where user_id = ${user.id}
      `;
      return row?.n;
    };
    expect(await count()).toBe(2);
    await app.sql`
      delete from users
      where id = ${user.id}
    `;
    expect(await count()).toBe(0);
  });
});

describe('routing and the spec', () => {
  it('leaves /api/v1/users/me to the users router', async () => {
    const { user, token } = await signedIn();
    const res = await api(app, '/api/v1/users/me', { token });
    expect(res.status).toBe(200);
    expect(res.body.email).toBe(user.email);
    await expectProblem(await api(app, '/api/v1/users/me/progress/x/y', { token }), 404);
  });

  it('documents every curriculum route in /openapi.json', async () => {
    const res = await api(app, '/openapi.json');
    expect(res.status).toBe(200);
    const { paths, components } = res.body;
    expect(paths['/api/v1/courses'].get.security).toEqual([{}, { OAuth2PasswordBearer: [] }, { BearerToken: [] }]);
    expect(Object.keys(paths['/api/v1/courses/{slug}'].get.responses)).toEqual(['200', '404']);
    const put = paths['/api/v1/users/me/progress/{lesson_id}'].put;
    expect(put.security).toEqual([{ OAuth2PasswordBearer: [] }, { BearerToken: [] }]);
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '422']));
    expect(put.parameters).toEqual([expect.objectContaining({ name: 'lesson_id', in: 'path', required: true })]);
    expect(paths['/api/v1/users/me/progress'].get.security).toEqual([
      { OAuth2PasswordBearer: [] },
      { BearerToken: [] },
    ]);
    for (const id of ['CourseSummary', 'CourseDetail', 'CourseModule', 'Lesson', 'LessonProgress', 'ProgressSummary']) {
      expect(components.schemas).toHaveProperty(id);
    }
  });
});
