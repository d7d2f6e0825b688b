import { describe, expect, it } from 'vitest';
import { api, createUser, loginAs } from './test/fixtures';
import { useTestApp } from './test/setup';

// Bad input gets a 4xx problem, never a 500: a sweep of hostile values across every route that takes input.
const { app } = useTestApp();

// A session of its own for each sweep: wrong passwords sent to the step-up or the password change spend the
// account's password budget, and the guess that spends it ends the session (auth/current-password.ts).
async function freshToken() {
  return (await loginAs(app, await createUser(app))).access_token;
}

const NUL = 'a\u0000b';
const hostile = [
  NUL,
  'x'.repeat(70_000).slice(0, 60_000),
  '\ud800',
  '%00',
  '../../etc/passwd',
  '{"$ne":null}',
  42,
  null,
  [],
  {},
];

const jsonRoutes: [string, string, (value: unknown) => unknown][] = [
  ['POST', '/api/v1/auth/signup', (v) => ({ email: v, full_name: v, password: v })],
  ['POST', '/api/v1/auth/login', (v) => ({ email: v, password: v })],
  ['POST', '/api/v1/auth/refresh', (v) => ({ refresh_token: v })],
  ['POST', '/api/v1/auth/logout', (v) => ({ refresh_token: v })],
  ['POST', '/api/v1/auth/reauthenticate', (v) => ({ password: v })],
  ['POST', '/api/v1/auth/verify-email', (v) => ({ token: v })],
  ['POST', '/api/v1/auth/password-reset/request', (v) => ({ email: v })],
  ['POST', '/api/v1/auth/password-reset/confirm', (v) => ({ token: v, new_password: v })],
  ['PATCH', '/api/v1/users/me', (v) => ({ full_name: v })],
  ['POST', '/api/v1/users/me/password', (v) => ({ current_password: v, new_password: v })],
  ['POST', '/api/v1/users/me/oauth/google/start', (v) => ({ purpose: v, return_to: v })],
];

describe('hostile input never causes a 500', () => {
  it.each(jsonRoutes)('%s %s answers every hostile value with a 2xx or a 4xx problem', async (method, path, body) => {
    const token = await freshToken();
    for (const value of hostile) {
      const res = await api(app, path, { method, json: body(value), token });
      expect(res.status, `${method} ${path} with ${JSON.stringify(value).slice(0, 40)}`).toBeLessThan(500);
      if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('POST /auth/login with a NUL byte in the email (JSON or form) returns 422 and records nothing', async () => {
    const json = await api(app, '/api/v1/auth/login', { json: { email: `${NUL}@example.com`, password: 'x' } });
    expect(json.status).toBe(422);
    const form = await api(app, '/api/v1/auth/login', { form: { username: `${NUL}@example.com`, password: 'x' } });
    expect(form.status).toBe(422);
    const rows = await app.sql`select 1 from login_attempts where email like 'a%b@example.com'`;
    expect(rows).toHaveLength(0);
  });

  it('GET /courses/{slug} and the progress routes answer odd path values with 4xx', async () => {
    const token = await freshToken();
    for (const slug of ['a%00b', '%E2%80%AE', 'x'.repeat(500), 'UPPER', '..%2F..']) {
      const res = await api(app, `/api/v1/courses/${slug}`);
      expect(res.status, slug).toBe(404);
      const put = await api(app, `/api/v1/users/me/progress/${slug}`, {
        method: 'PUT',
        json: { status: 'completed' },
        token,
      });
      expect(put.status, slug).toBe(422);
    }
    const session = await api(app, '/api/v1/users/me/sessions/a%00b', { method: 'DELETE', token });
    expect(session.status).toBe(422);
  });

  it('a Bearer token full of junk is a 401, not a 500', async () => {
    for (const junk of ['a.b.c', `${'e'.repeat(5000)}.x.y`, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJcdTAwMDAifQ.']) {
      const res = await api(app, '/api/v1/users/me', { token: junk });
      expect(res.status).toBe(401);
    }
  });
});
