import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Problem, problemSchema } from '../../shared/problem';
import {
  api,
  client,
  createUser,
  DEFAULT_PASSWORD,
  loginAs,
  refreshCookieHeader,
  uniqueEmail,
  withStatus,
} from '../../test/fixtures';
import { startTestApp, type TestApp, useTestApp } from '../../test/setup';

const { app, db } = useTestApp();
// Apps a test starts besides the shared one; closed after each test even when it fails.
const extraApps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(extraApps.splice(0).map((extra) => extra.close()));
});

async function startExtraApp(options: Parameters<typeof startTestApp>[1]) {
  const extra = await startTestApp(db.url, { migrate: false, ...options });
  extraApps.push(extra);
  return extra;
}

// For a raw request's answer (`api()`, `fetch`); a typed client's reads its body with withStatus() and checks it with
// expectProblemBody().
function expectProblem(res: { status: number; headers: Headers; body: Problem }, status: number, title: string) {
  expect(res.status).toBe(status);
  expectProblemBody(res.body, res.headers, status, title);
}

function expectProblemBody(body: Problem, headers: Headers, status: number, title: string) {
  expect(body).toMatchObject({ type: 'about:blank', title, status, detail: expect.any(String) });
  expect(body.detail).not.toMatch(/\bat .+:\d+|SyntaxError|stack|select |insert /i);
  expect(headers.get('content-type')).toMatch(/^application\/problem\+json/);
  // Error answers carry the same conventions as any other.
  expect(headers.get('x-request-id')).toMatch(/^[\w\-=]{8,128}$/);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
}

function signupBody(email = uniqueEmail()) {
  return { email, full_name: 'Ada Lovelace', password: DEFAULT_PASSWORD };
}

function signup(target: Pick<TestApp, 'url'>, body = signupBody(), headers: Record<string, string> = {}) {
  return client(target).api.v1.auth.signup.$post({ json: body }, { headers });
}

function login(target: Pick<TestApp, 'url'>, email: string, password: string, headers: Record<string, string> = {}) {
  return client(target).api.v1.auth.login.$post({ json: { email, password } }, { headers });
}

// Raw requests below: malformed JSON, content types of the test's own, the OAuth2 form (urlencoded; the typed client
// sends a form as multipart), paths and methods no typed route has.

describe('request conventions', () => {
  it('POST /auth/signup returns 400 for malformed JSON', async () => {
    const res = await api(app, '/api/v1/auth/signup', {
      body: '{"email": "a@example.com", ',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400, 'Bad Request');
  });

  it('POST /auth/login returns 400 for malformed JSON', async () => {
    const res = await api(app, '/api/v1/auth/login', {
      body: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400, 'Bad Request');
  });

  it('POST /auth/signup returns 415 for a text/plain body', async () => {
    const res = await api(app, '/api/v1/auth/signup', {
      body: JSON.stringify(signupBody()),
      headers: { 'content-type': 'text/plain' },
    });
    expectProblem(res, 415, 'Unsupported Media Type');
  });

  it('POST /auth/login returns 415 for a text/plain body', async () => {
    const res = await api(app, '/api/v1/auth/login', {
      body: 'username=a@example.com&password=x',
      headers: { 'content-type': 'text/plain' },
    });
    expectProblem(res, 415, 'Unsupported Media Type');
  });

  it('POST /auth/signup returns 413 for a body over 64 KiB and creates nothing', async () => {
    const email = uniqueEmail('huge');
    const res = await signup(app, { ...signupBody(email), full_name: 'x'.repeat(65 * 1024) });
    expectProblemBody(await withStatus(res, 413).json(), res.headers, 413, 'Content Too Large');
    // The unread rest of the body makes the connection unusable: the client is told not to reuse it.
    expect(res.headers.get('connection')).toBe('close');
    const rows = await app.sql`select 1 from users where email = ${email}`;
    expect(rows).toHaveLength(0);
  });

  it('POST /auth/signup returns 413 for a chunked body over 64 KiB (no Content-Length)', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(1024));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 70; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(`${app.url}/api/v1/auth/signup`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    // fetch's json() is untyped (unknown): read through the problem schema.
    const res = {
      status: response.status,
      headers: response.headers,
      body: problemSchema.parse(await response.json()),
    };
    expectProblem(res, 413, 'Content Too Large');
  });

  it('POST /auth/login returns 413 for a form body over 64 KiB', async () => {
    const res = await api(app, '/api/v1/auth/login', {
      form: { username: uniqueEmail(), password: 'x'.repeat(70 * 1024) },
    });
    expectProblem(res, 413, 'Content Too Large');
  });

  it('GET an unknown route returns a 404 problem', async () => {
    expectProblem(await api(app, '/api/v1/nothing-here'), 404, 'Not Found');
    expectProblem(await api(app, '/no/such/page'), 404, 'Not Found');
  });

  it('a wrong method on an existing route is a 405 problem with Allow', async () => {
    const res = await api(app, '/api/v1/auth/signup', { method: 'DELETE' });
    expectProblem(res, 405, 'Method Not Allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('response headers', () => {
  it('every response carries X-Request-Id and the secure headers', async () => {
    const responses = [
      await client(app).health.$get(),
      await api(app, '/api/v1/nothing-here'),
      await signup(app),
      await login(app, uniqueEmail(), 'x'),
      await client(app).api.v1.users.me.$get(),
    ];
    const ids = new Set<string>();
    for (const res of responses) {
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[\w\-=]{8,128}$/);
      ids.add(id ?? '');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
    expect(ids.size).toBe(responses.length);
  });

  it('a sane caller-sent X-Request-Id is echoed', async () => {
    const res = await client(app).health.$get({}, { headers: { 'x-request-id': 'trace-abc_123=' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('trace-abc_123=');
  });

  it('an insane caller-sent X-Request-Id is replaced', async () => {
    for (const insane of ['x'.repeat(300), 'has spaces in it', 'semi;colon', '<script>']) {
      const res = await client(app).health.$get({}, { headers: { 'x-request-id': insane } });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-request-id');
      expect(id).not.toBe(insane);
      expect(id).toMatch(/^[\w\-=]{8,128}$/);
    }
  });

  it('a sane X-Request-Id is echoed on a POST answer too', async () => {
    const res = await signup(app, signupBody(), { 'x-request-id': 'req-signup-42' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('req-signup-42');
  });

  it('GET /health sends HSTS when ENVIRONMENT=production', async () => {
    const production = await startExtraApp({
      env: {
        ENVIRONMENT: 'production',
        // Production refuses the test setup's published key and needs its public origin.
        JWT_SECRET_KEY: 'security-test-production-key-at-least-32-bytes',
        PUBLIC_APP_URL: 'https://aibc.example',
      },
    });
    const res = await client(production).health.$get();
    expect((await withStatus(res, 200).json()).environment).toBe('production');
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d{8,}/);
    const problem = await api(production, '/api/v1/nothing-here');
    expect(problem.headers.get('strict-transport-security')).toMatch(/^max-age=/);
  });
});

describe('CSRF origin check', () => {
  async function sessionCount(userId: string) {
    const [row] = await app.sql`select count(*)::int as count from sessions where user_id = ${userId}`;
    return row?.count as number;
  }

  function formLogin(user: { email: string; password: string }, origin?: string) {
    return api(app, '/api/v1/auth/login', {
      form: { username: user.email, password: user.password },
      headers: origin ? { origin } : {},
    });
  }

  it('POST /auth/login (form) returns 403 for a foreign Origin and creates no session', async () => {
    const user = await createUser(app);
    const res = await formLogin(user, 'https://evil.example');
    expectProblem(res, 403, 'Forbidden');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await sessionCount(user.id)).toBe(0);
    const attempts = await app.sql`select 1 from login_attempts where email = ${user.email}`;
    expect(attempts).toHaveLength(0);
  });

  it('POST /auth/login returns 403 for a null Origin or a look-alike of an allowed one', async () => {
    const user = await createUser(app);
    for (const origin of ['null', 'http://localhost:3001.evil.example', 'https://localhost:3001', 'http://localhost']) {
      expectProblem(await formLogin(user, origin), 403, 'Forbidden');
    }
    expect(await sessionCount(user.id)).toBe(0);
  });

  it('POST /auth/login (form) returns 200 for an Origin listed in CORS_ORIGINS', async () => {
    const user = await createUser(app);
    const res = await formLogin(user, 'http://localhost:3001');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3001');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(await sessionCount(user.id)).toBe(1);
  });

  it("POST /auth/login (form) returns 200 for the API's own Origin", async () => {
    const user = await createUser(app);
    const res = await formLogin(user, app.url);
    expect(res.status).toBe(200);
    expect(await sessionCount(user.id)).toBe(1);
  });

  it('POST /auth/login (form) returns 200 with no Origin (not a browser)', async () => {
    const user = await createUser(app);
    expect((await formLogin(user)).status).toBe(200);
  });

  it('POST /auth/signup (JSON) returns 403 for a foreign Origin and creates no user', async () => {
    const email = uniqueEmail('csrf');
    const res = await signup(app, signupBody(email), { origin: 'https://evil.example' });
    expectProblemBody(await withStatus(res, 403).json(), res.headers, 403, 'Forbidden');
    const rows = await app.sql`select 1 from users where email = ${email}`;
    expect(rows).toHaveLength(0);
  });

  it("POST /auth/signup (JSON) returns 201 for an allowed Origin and for the API's own", async () => {
    const allowed = await signup(app, signupBody(), { origin: 'http://localhost:3001' });
    expect(allowed.status).toBe(201);
    const own = await signup(app, signupBody(), { origin: app.url });
    expect(own.status).toBe(201);
  });

  it('POST /auth/logout returns 403 for a foreign Origin and leaves the session alive', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await client(app).api.v1.auth.logout.$post(
      {},
      { headers: { ...refreshCookieHeader(app, session.refresh_token), origin: 'https://evil.example' } },
    );
    expectProblemBody(await withStatus(res, 403).json(), res.headers, 403, 'Forbidden');
    expect((await client(app, session.access_token).api.v1.users.me.$get()).status).toBe(200);
  });

  it('POST /auth/refresh returns 403 for a foreign Origin and leaves the refresh token unused', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await client(app).api.v1.auth.refresh.$post(
      {},
      { headers: { ...refreshCookieHeader(app, session.refresh_token), origin: 'https://evil.example' } },
    );
    expectProblemBody(await withStatus(res, 403).json(), res.headers, 403, 'Forbidden');
    const again = await client(app).api.v1.auth.refresh.$post({ json: { refresh_token: session.refresh_token } });
    expect(again.status).toBe(200);
  });

  it('GET /users/me is not refused for a foreign Origin (safe method)', async () => {
    const res = await client(app).api.v1.users.me.$get({}, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limits', () => {
  beforeEach(async () => {
    // Every app here shares the database's counters (that is the point); start each test from zero.
    await app.sql`delete from rate_limit_hits`;
  });

  it('POST /auth/signup returns 429 with Retry-After on the 6th signup from one IP in a minute', async () => {
    const limited = await startExtraApp({ env: { RATE_LIMIT_SIGNUP_PER_MINUTE: '5' } });
    for (let i = 1; i <= 5; i++) {
      const res = await signup(limited);
      expect(res.status).toBe(201);
      expect(res.headers.get('ratelimit-limit')).toBe('5');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(5 - i));
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      expect(Number(res.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60);
      expect(res.headers.get('retry-after')).toBeNull();
    }
    const email = uniqueEmail('sixth');
    const sixth = await signup(limited, signupBody(email));
    expectProblemBody(await withStatus(sixth, 429).json(), sixth.headers, 429, 'Too Many Requests');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sixth.headers.get('ratelimit-limit')).toBe('5');
    expect(sixth.headers.get('ratelimit-remaining')).toBe('0');
    const rows = await app.sql`select 1 from users where email = ${email}`;
    expect(rows).toHaveLength(0);
  });

  it('POST /auth/login sends RateLimit headers on 200 and 401 answers', async () => {
    const limited = await startExtraApp({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '7' } });
    const user = await createUser(limited);
    const ok = await login(limited, user.email, user.password);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-limit')).toBe('7');
    expect(ok.headers.get('ratelimit-remaining')).toBe('6');
    const wrong = await login(limited, user.email, 'Nope-N0pe!');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('ratelimit-remaining')).toBe('5');
  });

  it('POST /auth/login cannot dodge the limit with a changing X-Forwarded-For when TRUST_PROXY_HOPS=0', async () => {
    const limited = await startExtraApp({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3' } });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const res = await login(limited, uniqueEmail(), 'Wrong-Pa55word!', { 'x-forwarded-for': `10.0.0.${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('POST /auth/login with TRUST_PROXY_HOPS=1 keys the limit on the rightmost X-Forwarded-For entry', async () => {
    const limited = await startExtraApp({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3', TRUST_PROXY_HOPS: '1' } });
    const user = await createUser(limited);
    const real = '203.0.113.7';
    const first = await login(limited, user.email, user.password, { 'x-forwarded-for': `1.2.3.4, ${real}` });
    expect(first.status).toBe(200);
    const statuses: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const res = await login(limited, uniqueEmail(), 'Wrong-Pa55word!', {
        'x-forwarded-for': `9.9.9.${i}, 8.8.8.${i}, ${real}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 429]);

    // Another client behind the same proxy has its own budget: the header is read, just not the forgeable part.
    const other = await login(limited, uniqueEmail(), 'Wrong-Pa55word!', {
      'x-forwarded-for': `${real}, 198.51.100.9`,
    });
    expect(other.status).toBe(401);

    const sessions = await app.sql`select ip_address from sessions where user_id = ${user.id}`;
    expect(sessions).toEqual([{ ip_address: real }]);
  });

  it('POST /auth/login gives every address of one IPv6 /64 one budget, and another /64 its own', async () => {
    const limited = await startExtraApp({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3', TRUST_PROXY_HOPS: '1' } });
    const statuses: number[] = [];
    // A client that owns 2001:db8:5:6::/64 picks a fresh address for every request, in every spelling.
    for (const address of ['2001:db8:5:6::1', '2001:db8:5:6:ffff:0:0:2', '2001:DB8:5:6:0:0:0:3', '2001:db8:5:6::4']) {
      const res = await login(limited, uniqueEmail(), 'Wrong-Pa55word!', { 'x-forwarded-for': address });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const neighbour = await login(limited, uniqueEmail(), 'Wrong-Pa55word!', { 'x-forwarded-for': '2001:db8:5:7::1' });
    expect(neighbour.status).toBe(401);
  });

  it('POST /auth/signup counts an IPv4-mapped IPv6 address as the IPv4 address it is', async () => {
    const limited = await startExtraApp({ env: { RATE_LIMIT_SIGNUP_PER_MINUTE: '2', TRUST_PROXY_HOPS: '1' } });
    const statuses: number[] = [];
    for (const address of ['198.51.100.20', '::ffff:198.51.100.20', '::ffff:c633:6414']) {
      const res = await signup(limited, signupBody(), { 'x-forwarded-for': address });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 201, 429]);
  });

  it('POST /auth/login returns 429 on the 11th sign-in for one email in a minute, from 11 addresses', async () => {
    const limited = await startExtraApp({
      env: { RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE: '10', TRUST_PROXY_HOPS: '1' },
    });
    const user = await createUser(limited);
    const statuses: number[] = [];
    for (let i = 1; i <= 10; i++) {
      // JSON and the OAuth2 form, in any case and spacing, are one email.
      const spelling = i % 2 ? user.email.toUpperCase() : ` ${user.email} `;
      const headers = { 'x-forwarded-for': `203.0.113.${i}` };
      const res =
        i % 3
          ? await login(limited, spelling, user.password, headers)
          : await api(limited, '/api/v1/auth/login', {
              form: { username: spelling, password: user.password },
              headers,
            });
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array(10).fill(200));
    const eleventh = await api(limited, '/api/v1/auth/login', {
      form: { username: user.email, password: user.password },
      headers: { 'x-forwarded-for': '198.51.100.11' },
    });
    expectProblem(eleventh, 429, 'Too Many Requests');
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
    const sessions = await app.sql`select 1 from sessions where user_id = ${user.id}`;
    expect(sessions).toHaveLength(10);
    // Other accounts are not affected: the budget is the account's, not the addresses'.
    const other = await createUser(limited);
    const res = await login(limited, other.email, other.password, { 'x-forwarded-for': '203.0.113.1' });
    expect(res.status).toBe(200);
  });

  it('POST /auth/signup shares one budget across two app instances on one database', async () => {
    const a = await startExtraApp({ env: { RATE_LIMIT_SIGNUP_PER_MINUTE: '5' } });
    const b = await startExtraApp({ env: { RATE_LIMIT_SIGNUP_PER_MINUTE: '5' } });
    const statuses: number[] = [];
    for (const target of [a, a, a, b, b, b]) {
      statuses.push((await signup(target)).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    const onA = await signup(a);
    expect(onA.status).toBe(429);
  });

  it('POST /auth/signup limits are per route: the login budget is separate', async () => {
    const limited = await startExtraApp({
      env: { RATE_LIMIT_SIGNUP_PER_MINUTE: '1', RATE_LIMIT_LOGIN_PER_MINUTE: '2' },
    });
    expect((await signup(limited)).status).toBe(201);
    expect((await signup(limited)).status).toBe(429);
    const signIn = await login(limited, uniqueEmail(), 'x');
    expect(signIn.status).toBe(401);
  });
});
