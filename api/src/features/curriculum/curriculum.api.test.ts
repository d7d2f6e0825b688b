import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LessonStatus } from '../../shared/fields';
import { api, client, createUser, loginAs, withStatus } from '../../test/fixtures';
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
    const res = await client(app).api.v1.courses[':slug'].$get({ param: { slug: course.slug } });
    for (const module of (await withStatus(res, 200).json()).modules) {
      for (const lesson of module.lessons) lessonIds.set(lesson.slug, lesson.id);
    }
  },
});

async function signedIn() {
  const user = await createUser(app);
  const session = await loginAs(app, user);
  return { user, token: session.access_token };
}

function putProgress(token: string | undefined, lesson_id: string, status: LessonStatus) {
  return client(app, token).api.v1.users.me.progress[':lesson_id'].$put({ param: { lesson_id }, json: { status } });
}

function listCourses(token?: string) {
  return client(app, token).api.v1.courses.$get();
}

function getCourse(token?: string, slug = course.slug) {
  return client(app, token).api.v1.courses[':slug'].$get({ param: { slug } });
}

function getProgress(token?: string) {
  return client(app, token).api.v1.users.me.progress.$get();
}

// A problem answer (RFC 9457) of a typed client, its status asserted by withStatus(): its members and media type.
// Its body comes back typed as the route declares it.
async function expectProblem<B extends { detail: string }>(res: {
  status: number;
  headers: Headers;
  json(): Promise<B>;
}) {
  const body = await res.json();
  expect(body).toMatchObject({ type: 'about:blank', status: res.status });
  expect(typeof body.detail).toBe('string');
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return body;
}

// The same for api()'s answers, to the requests the typed client cannot send.
function expectRawProblem(res: Awaited<ReturnType<typeof api>>, status: number) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ type: 'about:blank', status });
  expect(typeof res.body.detail).toBe('string');
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

describe('GET /api/v1/courses', () => {
  it('returns the catalogue without progress to an anonymous caller', async () => {
    const body = await withStatus(await listCourses(), 200).json();
    expect(body).toHaveLength(content.courses.length);
    expect(body[0]).toEqual({
      id: expect.any(String),
      slug: course.slug,
      title: course.title,
      summary: course.summary,
      module_count: course.modules.length,
      lesson_count: TOTAL,
      total_minutes: TOTAL_MINUTES,
    });
    expect(body[0]).not.toHaveProperty('progress');
  });

  it('adds the caller’s progress when signed in', async () => {
    const { token } = await signedIn();
    const before = await withStatus(await listCourses(token), 200).json();
    expect(before[0]?.progress).toEqual({ completed: 0, total: TOTAL, percent: 0 });

    await putProgress(token, lessonId(first[0] as string), 'completed');
    await putProgress(token, lessonId(first[1] as string), 'in_progress');
    const after = await withStatus(await listCourses(token), 200).json();
    expect(after[0]?.progress).toEqual({ completed: 1, total: TOTAL, percent: Math.floor(100 / TOTAL) });
  });

  it('treats a bad token as none', async () => {
    const body = await withStatus(await listCourses('not.a.jwt'), 200).json();
    expect(body[0]).not.toHaveProperty('progress');
  });
});

describe('GET /api/v1/courses/{slug}', () => {
  it('returns modules and lessons in content order, without status, to an anonymous caller', async () => {
    const body = await withStatus(await getCourse(), 200).json();
    expect(body).toMatchObject({
      slug: course.slug,
      title: course.title,
      module_count: course.modules.length,
      lesson_count: TOTAL,
      total_minutes: TOTAL_MINUTES,
    });
    expect(body).not.toHaveProperty('progress');
    const modules = body.modules;
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

    const body = await withStatus(await getCourse(token), 200).json();
    const statuses = body.modules.flatMap((module) => module.lessons.map((lesson) => lesson.status));
    expect(statuses).toHaveLength(TOTAL);
    expect(statuses.slice(0, 4)).toEqual(['completed', 'not_started', 'in_progress', 'not_started']);
    expect(statuses.filter((status) => status === 'not_started')).toHaveLength(TOTAL - 2);
    expect(body.progress).toEqual({ completed: 1, total: TOTAL, percent: Math.floor(100 / TOTAL) });
  });

  it('returns 404 problem for an unknown slug', async () => {
    const res = await getCourse(undefined, 'no-such-course');
    await expectProblem(withStatus(res, 404));
  });

  it('costs one query for a signed-in caller besides the session check', async () => {
    const { token } = await signedIn();
    await putProgress(token, lessonId(first[0] as string), 'completed');

    queries = [];
    const res = await getCourse(token);
    expect(res.status).toBe(200);
    const seen = queries;
    // 1 session check (requireAuth/optionalAuth) + 1 query for the whole course tree with the caller's statuses.
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/from sessions/);
    expect(seen[1]).toMatch(/from courses/);

    queries = [];
    const anonymous = await getCourse();
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
    expect(await withStatus(started, 200).json()).toEqual({
      lesson_id: id,
      status: 'in_progress',
      updated_at: t0.toISOString(),
      completed_at: null,
    });

    app.clock.advance(60);
    const t1 = app.clock.now();
    const completed = await withStatus(await putProgress(token, id, 'completed'), 200).json();
    expect(completed).toEqual({
      lesson_id: id,
      status: 'completed',
      updated_at: t1.toISOString(),
      completed_at: t1.toISOString(),
    });

    app.clock.advance(60);
    const again = await putProgress(token, id, 'completed');
    expect(await withStatus(again, 200).json()).toEqual(completed);

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
    expect(await withStatus(reset, 200).json()).toEqual({
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
    expect((await withStatus(redone, 200).json()).completed_at).toBe(t4.toISOString());
  });

  it('returns 404 problem for a lesson that does not exist', async () => {
    const { token } = await signedIn();
    const res = await putProgress(token, randomUUID(), 'completed');
    await expectProblem(withStatus(res, 404));
  });

  it('returns 422 for a lesson id that is not a UUID', async () => {
    const { token } = await signedIn();
    const res = await putProgress(token, 'not-a-uuid', 'completed');
    const problem = await expectProblem(withStatus(res, 422));
    expect(problem.errors).toEqual([{ field: 'lesson_id', message: expect.any(String) }]);
  });

  it('returns 422 with errors[] for a bad status', async () => {
    const { token } = await signedIn();
    const id = lessonId(first[0] as string);
    // Statuses the typed client would refuse to send.
    for (const status of ['done', '', 42, null]) {
      const res = await api(app, `/api/v1/users/me/progress/${id}`, { method: 'PUT', token, json: { status } });
      expectRawProblem(res, 422);
      expect(res.body.errors).toEqual([{ field: 'status', message: expect.any(String) }]);
    }
    const missing = await api(app, `/api/v1/users/me/progress/${id}`, { method: 'PUT', token, json: {} });
    expectRawProblem(missing, 422);
    expect(missing.body.errors).toEqual([{ field: 'status', message: expect.any(String) }]);
  });

  it('returns 415 for a body that is not JSON', async () => {
    const { token } = await signedIn();
    const res = await api(app, `/api/v1/users/me/progress/${lessonId(first[0] as string)}`, {
      method: 'PUT',
      token,
      form: { status: 'completed' },
    });
    expectRawProblem(res, 415);
  });

  it('returns 401 without a token', async () => {
    const res = await putProgress(undefined, lessonId(first[0] as string), 'completed');
    await expectProblem(withStatus(res, 401));
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('GET /api/v1/users/me/progress', () => {
  it('returns 401 without a token', async () => {
    const res = await getProgress();
    await expectProblem(withStatus(res, 401));
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('counts completed lessons and points at the next one as lessons are completed', async () => {
    const { token } = await signedIn();
    const fresh = await withStatus(await getProgress(token), 200).json();
    const firstModule = course.modules[0] ?? expect.fail('no module');
    expect(fresh.courses).toEqual([
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

    const [summary] = (await withStatus(await getProgress(token), 200).json()).courses;
    expect(summary).toMatchObject({ completed: 3, total: TOTAL, percent: Math.floor(300 / TOTAL) });
    expect(summary?.next_lesson).toMatchObject({ id: lessonId(first[2] as string), slug: first[2] });
    expect(summary?.modules[0]).toMatchObject({
      slug: firstModule.slug,
      completed: 2,
      total: firstModule.lessons.length,
    });
    expect(summary?.modules[1]).toMatchObject({ slug: laterModule.slug, completed: 1 });
    // Each lesson carries the learner's status, so the dashboard needs no other request.
    const statuses = summary?.modules[0]?.lessons.map((lesson) => lesson.status);
    expect(statuses?.slice(0, 4)).toEqual(['completed', 'completed', 'in_progress', 'not_started']);
    expect(summary?.modules[1]?.lessons[0]).toMatchObject({ slug: laterModule.lessons[0]?.slug, status: 'completed' });
  });

  it('reports 100 percent and no next lesson when every lesson is completed', async () => {
    const { token } = await signedIn();
    for (const slug of first) {
      const res = await putProgress(token, lessonId(slug), 'completed');
      expect(res.status).toBe(200);
    }
    const [summary] = (await withStatus(await getProgress(token), 200).json()).courses;
    expect(summary).toMatchObject({ completed: TOTAL, total: TOTAL, percent: 100, next_lesson: null });
    for (const module of summary?.modules ?? []) expect(module.completed).toBe(module.total);
  });
});

describe('progress isolation and lifetime', () => {
  it('never shows one user’s progress to another', async () => {
    const alice = await signedIn();
    const bob = await signedIn();
    await putProgress(alice.token, lessonId(first[0] as string), 'completed');

    const [summary] = (await withStatus(await getProgress(bob.token), 200).json()).courses;
    expect(summary).toMatchObject({ completed: 0, percent: 0 });
    expect(summary?.next_lesson?.slug).toBe(first[0]);

    const detail = await withStatus(await getCourse(bob.token), 200).json();
    const statuses = detail.modules.flatMap((module) => module.lessons.map((lesson) => lesson.status));
    expect(new Set(statuses)).toEqual(new Set(['not_started']));

    const list = await withStatus(await listCourses(bob.token), 200).json();
    expect(list[0]?.progress?.completed).toBe(0);
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
    const res = await client(app, token).api.v1.users.me.$get();
    expect((await withStatus(res, 200).json()).email).toBe(user.email);
    // No route answers this path, so the typed client has no way to it.
    expectRawProblem(await api(app, '/api/v1/users/me/progress/x/y', { token }), 404);
  });

  it('documents every curriculum route in /openapi.json', async () => {
    // The document is served beside the typed routes, not as one of them.
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
