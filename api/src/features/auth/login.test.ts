import { beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '../../auth/passwords';
import type { Problem } from '../../shared/problem';
import type { TokenPair } from '../../shared/user';
import {
  api,
  client,
  createUser,
  DEFAULT_PASSWORD,
  refreshCookieOf,
  uniqueEmail,
  withStatus,
} from '../../test/fixtures';
import { startTestApp, type TestApp, useTestApp } from '../../test/setup';

// The real verify, wrapped so a test can count how many passwords reached bcrypt.
vi.mock('../../auth/passwords', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../auth/passwords')>();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});
const verifySpy = vi.mocked(verifyPassword);

const { app, db } = useTestApp();
beforeEach(() => {
  verifySpy.mockClear();
});

// Through the typed client, as the browser signs in. The OAuth2 form (application/x-www-form-urlencoded, Swagger UI's)
// goes through `api()`: the typed client sends a form as multipart.
function loginJson(email: string, password: string, target: Pick<TestApp, 'url'> = app) {
  return client(target).api.v1.auth.login.$post({ json: { email, password } });
}

type LoginResponse = Awaited<ReturnType<typeof loginJson>>;
type RawResponse = Awaited<ReturnType<typeof api>>;

async function expectTokenPair(res: LoginResponse) {
  checkTokenPair(await withStatus(res, 200).json(), res.headers);
}

function expectRawTokenPair(res: RawResponse) {
  expect(res.status).toBe(200);
  checkTokenPair(res.body, res.headers);
}

function checkTokenPair(body: TokenPair, headers: Headers) {
  expect(Object.keys(body).sort()).toEqual(
    ['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type'].sort(),
  );
  expect(body.token_type).toBe('bearer');
  expect(body.expires_in).toBe(3600);
  expect(body.refresh_expires_in).toBe(7 * 86_400);
  expect(body.access_token.split('.')).toHaveLength(3);
  expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  expect(headers.get('cache-control')).toBe('no-store');
  const cookie = refreshCookieOf(headers);
  expect(cookie?.value).toBe(body.refresh_token);
  // __Host-: only this host can set it (Secure, Path=/, no Domain), so a sibling subdomain cannot toss one in.
  expect(cookie?.name).toBe('__Host-aibc_refresh');
  expect(cookie?.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/', 'secure']));
  expect(cookie?.attributes.some((attribute) => attribute.startsWith('domain='))).toBe(false);
  expect(cookie?.attributes.some((attribute) => attribute.startsWith('expires='))).toBe(true);
}

// Returns the problem, for the tests that read on.
async function expectInvalidCredentials(res: LoginResponse) {
  const body = await withStatus(res, 401).json();
  checkInvalidCredentials(body, res.headers);
  return body;
}

function checkInvalidCredentials(body: Problem, headers: Headers) {
  expect(body).toEqual({
    type: 'about:blank',
    title: 'Unauthorized',
    status: 401,
    detail: expect.stringMatching(/^Incorrect email or password\./),
    attempts_remaining: expect.any(Number),
  });
  expect(headers.get('www-authenticate')).toBe('Bearer');
  expect(headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

async function auditEvents(email: string) {
  const rows = await app.sql`select event from audit_logs where email = ${email} order by id`;
  return rows.map((row) => row.event as string);
}

describe('POST /auth/login success', () => {
  it('POST /auth/login with the OAuth2 form returns 200, a token pair and the refresh cookie', async () => {
    const user = await createUser(app);
    const res = await api(app, '/api/v1/auth/login', {
      form: { username: user.email, password: user.password, grant_type: 'password', scope: '' },
    });
    expectRawTokenPair(res);
  });

  it('POST /auth/login with JSON returns 200, a token pair and the refresh cookie', async () => {
    const user = await createUser(app);
    const res = await loginJson(user.email, user.password);
    await expectTokenPair(res);
  });

  it('POST /auth/login with multipart form data (curl -F) returns 200 and a token pair', async () => {
    const user = await createUser(app);
    // The typed client sends a form as multipart/form-data.
    const res = await client(app).api.v1.auth.login.$post({
      form: { username: user.email, password: user.password, grant_type: 'password' },
    });
    await expectTokenPair(res);
  });

  it('POST /auth/login accepts content types with a charset parameter', async () => {
    const user = await createUser(app);
    // Content types of the test's own: the typed client sends its own (and a form as multipart).
    const json = await api(app, '/api/v1/auth/login', {
      json: { email: user.email, password: user.password },
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(json.status).toBe(200);
    const form = await api(app, '/api/v1/auth/login', {
      form: { username: user.email, password: user.password },
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    });
    expect(form.status).toBe(200);
  });

  it('POST /auth/login sets the refresh cookie without Secure only in development', async () => {
    const development = await startTestApp(db.url, { migrate: false, env: { ENVIRONMENT: 'development' } });
    try {
      const user = await createUser(development);
      const res = await loginJson(user.email, user.password, development);
      expect(res.status).toBe(200);
      const cookie = refreshCookieOf(res.headers);
      expect(cookie?.name).toBe('aibc_refresh');
      expect(cookie?.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api/v1/auth']));
      expect(cookie?.attributes).not.toContain('secure');
    } finally {
      await development.close();
    }
  });

  it('POST /auth/login creates a session row with IP and user agent and sets last_login_at', async () => {
    const user = await createUser(app);
    const res = await client(app).api.v1.auth.login.$post(
      { json: { email: user.email, password: user.password } },
      { headers: { 'user-agent': 'vitest-agent/1.0' } },
    );
    expect(res.status).toBe(200);
    const sessions = await app.sql`select ip_address, user_agent from sessions where user_id = ${user.id}`;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toEqual({ ip_address: '127.0.0.1', user_agent: 'vitest-agent/1.0' });
    const [row] = await app.sql`select last_login_at from users where id = ${user.id}`;
    expect(row?.last_login_at).toBeInstanceOf(Date);
  });

  it('POST /auth/login stores only the SHA-256 of the refresh token', async () => {
    const user = await createUser(app);
    const body = await withStatus(await loginJson(user.email, user.password), 200).json();
    const rows = await app.sql`
      select rt.token_hash
      from refresh_tokens rt
      join sessions s on s.id = rt.session_id
      where s.user_id = ${user.id}
    `;
    const { createHash } = await import('node:crypto');
    expect(rows.map((row) => row.token_hash)).toEqual([createHash('sha256').update(body.refresh_token).digest('hex')]);
  });

  it('POST /auth/login accepts the email in another case and with spaces', async () => {
    const user = await createUser(app);
    const res = await loginJson(`  ${user.email.toUpperCase()} `, user.password);
    expect(res.status).toBe(200);
  });

  it('POST /auth/login returns 422 when the password is missing', async () => {
    // No password: a body the typed client would refuse to send.
    const res = await api(app, '/api/v1/auth/login', { json: { email: uniqueEmail() } });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((error: { field: string }) => error.field)).toContain('password');
  });

  it('POST /auth/login returns 422 when the form has no username', async () => {
    // No username: a form the typed client would refuse to send.
    const res = await api(app, '/api/v1/auth/login', { form: { password: 'whatever' } });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((error: { field: string }) => error.field)).toContain('username');
  });
});

describe('POST /auth/login failures', () => {
  it('POST /auth/login returns the same 401 for an unknown email and a wrong password', async () => {
    const user = await createUser(app);
    const wrong = await loginJson(user.email, 'Wrong-Pa55word!');
    const unknown = await loginJson(uniqueEmail('nobody'), 'Wrong-Pa55word!');
    const wrongBody = await expectInvalidCredentials(wrong);
    expect(await expectInvalidCredentials(unknown)).toEqual(wrongBody);
    expect(refreshCookieOf(wrong.headers)).toBeUndefined();
  });

  it('POST /auth/login with the form returns the same 401 as JSON', async () => {
    const user = await createUser(app);
    const res = await api(app, '/api/v1/auth/login', { form: { username: user.email, password: 'nope-Nope-1!' } });
    expect(res.status).toBe(401);
    checkInvalidCredentials(res.body, res.headers);
  });

  it('POST /auth/login runs one bcrypt verify for an unknown email too', async () => {
    const unknown = await loginJson(uniqueEmail('ghost'), 'Wrong-Pa55word!');
    expect(unknown.status).toBe(401);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('POST /auth/login does the same bcrypt work for an unknown email as for a wrong password', async () => {
    // Timing is the benchmark's business; what makes the two answers take the same time is that both run exactly one
    // bcrypt verify against a hash of the same cost. Counted on the real verify, so it cannot flake under load.
    const costOf = (hash: unknown) => String(hash).split('$')[2];
    const user = await createUser(app);
    verifySpy.mockClear();
    expect((await loginJson(user.email, 'Wrong-Pa55word!1')).status).toBe(401);
    expect(verifySpy).toHaveBeenCalledTimes(1);
    const wrongHash = verifySpy.mock.calls[0]?.[1];
    verifySpy.mockClear();
    expect((await loginJson(uniqueEmail('ghost'), 'Wrong-Pa55word!1')).status).toBe(401);
    expect(verifySpy).toHaveBeenCalledTimes(1);
    const dummyHash = verifySpy.mock.calls[0]?.[1];
    expect(dummyHash).not.toBe(wrongHash);
    expect(costOf(dummyHash)).toBe(costOf(wrongHash));
    expect(costOf(dummyHash)).toBe(String(app.config.bcryptRounds).padStart(2, '0'));
  });

  it('POST /auth/login returns the ordinary 401 for an account without a password, after one verify', async () => {
    const user = await createUser(app);
    await app.sql`update users set hashed_password = null where id = ${user.id}`;
    verifySpy.mockClear();
    await expectInvalidCredentials(await loginJson(user.email, user.password));
    expect(verifySpy).toHaveBeenCalledTimes(1);
    const sessions = await app.sql`select 1 from sessions where user_id = ${user.id}`;
    expect(sessions).toHaveLength(0);
  });

  it('POST /auth/login returns 403 for a disabled account only with the correct password', async () => {
    const user = await createUser(app);
    await app.sql`update users set is_active = false where id = ${user.id}`;
    const wrong = await loginJson(user.email, 'Wrong-Pa55word!');
    await expectInvalidCredentials(wrong);
    const right = await loginJson(user.email, user.password);
    const body = await withStatus(right, 403).json();
    expect(body).toMatchObject({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      code: 'account_disabled',
    });
    expect(body).not.toHaveProperty('access_token');
    expect(refreshCookieOf(right.headers)).toBeUndefined();
    const sessions = await app.sql`select 1 from sessions where user_id = ${user.id}`;
    expect(sessions).toHaveLength(0);
  });
});

describe('POST /auth/login lockout', () => {
  it('POST /auth/login returns 423 while locked, even with the correct password, without a verify', async () => {
    const user = await createUser(app);
    for (let i = 1; i <= 5; i++) await expectInvalidCredentials(await loginJson(user.email, `Wrong-Pa55word!${i}`));
    expect(verifySpy).toHaveBeenCalledTimes(5);
    verifySpy.mockClear();

    const locked = await loginJson(user.email, user.password);
    const lockedBody = await withStatus(locked, 423).json();
    expect(lockedBody).toMatchObject({ type: 'about:blank', title: 'Locked', status: 423 });
    expect(lockedBody.detail).toMatch(/30 minutes/);
    expect(locked.headers.get('retry-after')).toBe('1800');
    expect(locked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refreshCookieOf(locked.headers)).toBeUndefined();
    expect(verifySpy).not.toHaveBeenCalled();

    const form = await api(app, '/api/v1/auth/login', { form: { username: user.email, password: user.password } });
    expect(form.status).toBe(423);
    expect(verifySpy).not.toHaveBeenCalled();
    const sessions = await app.sql`select 1 from sessions where user_id = ${user.id}`;
    expect(sessions).toHaveLength(0);
  });

  it('POST /auth/login counts Retry-After down and works again after the lock', async () => {
    const user = await createUser(app);
    for (let i = 0; i < 5; i++) await loginJson(user.email, 'Wrong-Pa55word!');
    app.clock.advance(600);
    const later = await loginJson(user.email, user.password);
    expect(later.status).toBe(423);
    expect(Number(later.headers.get('retry-after'))).toBe(1200);
    app.clock.advance(20 * 60 - 1);
    const lastSecond = await loginJson(user.email, user.password);
    expect(lastSecond.status).toBe(423);
    expect(lastSecond.headers.get('retry-after')).toBe('1');
    app.clock.advance(2);
    await expectTokenPair(await loginJson(user.email, user.password));
  });

  it('POST /auth/login works again 30 minutes after the lock', async () => {
    const user = await createUser(app);
    for (let i = 0; i < 5; i++) await loginJson(user.email, 'Wrong-Pa55word!');
    expect((await loginJson(user.email, user.password)).status).toBe(423);
    app.clock.advance(30 * 60 + 1);
    await expectTokenPair(await loginJson(user.email, user.password));
  });

  it('POST /auth/login gives a fresh budget of 5 after the lock expires', async () => {
    const user = await createUser(app);
    for (let i = 0; i < 5; i++) await loginJson(user.email, 'Wrong-Pa55word!');
    app.clock.advance(30 * 60 + 1);
    for (let i = 0; i < 5; i++) await expectInvalidCredentials(await loginJson(user.email, 'Wrong-Pa55word!'));
    expect((await loginJson(user.email, user.password)).status).toBe(423);
  });

  it('POST /auth/login success resets the failure count', async () => {
    const user = await createUser(app);
    for (let i = 0; i < 4; i++) await expectInvalidCredentials(await loginJson(user.email, 'Wrong-Pa55word!'));
    expect((await loginJson(user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 4; i++) await expectInvalidCredentials(await loginJson(user.email, 'Wrong-Pa55word!'));
    expect((await loginJson(user.email, user.password)).status).toBe(200);
  });

  it('POST /auth/login locks an unknown email after 5 failures as well', async () => {
    const email = uniqueEmail('never-registered');
    for (let i = 0; i < 5; i++) await expectInvalidCredentials(await loginJson(email, 'Wrong-Pa55word!'));
    const locked = await loginJson(email, 'Wrong-Pa55word!');
    expect(locked.status).toBe(423);
    expect(locked.headers.get('retry-after')).toBe('1800');
  });

  it('POST /auth/login counts failures per email across case and spaces', async () => {
    const user = await createUser(app);
    const variants = [user.email, user.email.toUpperCase(), ` ${user.email}`, user.email, user.email.toUpperCase()];
    for (const variant of variants) await expectInvalidCredentials(await loginJson(variant, 'Wrong-Pa55word!'));
    expect((await loginJson(user.email, user.password)).status).toBe(423);
  });

  it('POST /auth/login lets at most 5 of 20 parallel wrong attempts through before locking', async () => {
    const user = await createUser(app);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => loginJson(user.email, `Wrong-Pa55word!${i}`)),
    );
    const statuses = results.map((res) => res.status);
    const unauthorized = statuses.filter((status) => status === 401).length;
    const locked = statuses.filter((status) => status === 423).length;
    expect(unauthorized).toBeLessThanOrEqual(5);
    expect(unauthorized + locked).toBe(20);
    expect(verifySpy.mock.calls.length).toBeLessThanOrEqual(5);
    expect((await loginJson(user.email, user.password)).status).toBe(423);
  });

  it('POST /auth/login counts attempts_remaining down per email and warns in words from 2 left', async () => {
    const user = await createUser(app);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await loginJson(user.email, 'Wrong-Pa55word!'));
    const bodies = [];
    for (const res of answers) bodies.push(await expectInvalidCredentials(res));
    expect(bodies.map((body) => body.attempts_remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(bodies.map((body) => body.detail)).toEqual([
      'Incorrect email or password.',
      'Incorrect email or password.',
      'Incorrect email or password. 2 attempts left before sign-in is locked for 30 minutes.',
      'Incorrect email or password. 1 attempt left before sign-in is locked for 30 minutes.',
      'Incorrect email or password. Too many failed attempts: sign-in is now locked for 30 minutes.',
    ]);
    expect((await loginJson(user.email, user.password)).status).toBe(423);
  });

  it('POST /auth/login answers a known and an unknown email byte for byte alike, apart from the request id', async () => {
    // Each request from an address of its own, so the per-client RateLimit headers match too.
    const proxied = await startTestApp(db.url, { migrate: false, env: { TRUST_PROXY_HOPS: '1' } });
    try {
      const user = await createUser(proxied);
      const nobody = uniqueEmail('nobody');
      let address = 0;
      const attempt = async (email: string) => {
        const response = await fetch(`${proxied.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${++address}` },
          body: JSON.stringify({ email, password: 'Wrong-Pa55word!' }),
        });
        // RateLimit-Reset counts whole seconds down to the end of a window that began at that email's first
        // attempt: the two emails' windows began a request apart, so a second boundary may fall between them.
        const reset = Number(response.headers.get('ratelimit-reset'));
        const headers = [...response.headers].filter(
          ([name]) => !['x-request-id', 'date', 'ratelimit-reset'].includes(name),
        );
        return { status: response.status, headers, body: await response.text(), reset };
      };
      for (let i = 0; i < 6; i++) {
        const known = await attempt(user.email);
        const unknown = await attempt(nobody);
        expect(known.status).toBe(i < 5 ? 401 : 423);
        expect({ ...unknown, reset: 0 }).toEqual({ ...known, reset: 0 });
        expect(known.reset).toBeGreaterThan(0);
        expect(Math.abs(unknown.reset - known.reset)).toBeLessThanOrEqual(1);
        if (i < 5) expect(JSON.parse(known.body).attempts_remaining).toBe(4 - i);
      }
    } finally {
      await proxied.close();
    }
  });

  it('POST /auth/login leaves other emails alone while one is locked', async () => {
    const locked = await createUser(app);
    const other = await createUser(app);
    for (let i = 0; i < 5; i++) await loginJson(locked.email, 'Wrong-Pa55word!');
    expect((await loginJson(locked.email, locked.password)).status).toBe(423);
    expect((await loginJson(other.email, other.password)).status).toBe(200);
  });
});

describe('POST /auth/login audit trail', () => {
  it('POST /auth/login writes audit rows for signup, login_success, login_failed and lockout', async () => {
    const user = await createUser(app, { email: uniqueEmail('audited'), password: DEFAULT_PASSWORD });
    expect((await loginJson(user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 5; i++) await loginJson(user.email, 'Wrong-Pa55word!');
    const events = await auditEvents(user.email);
    expect(events).toEqual([
      'signup',
      'login_success',
      'login_failed',
      'login_failed',
      'login_failed',
      'login_failed',
      'lockout',
    ]);
    const rows = await app.sql`select user_id, ip_address from audit_logs where email = ${user.email}`;
    for (const row of rows) {
      expect(row.user_id).toBe(user.id);
      expect(row.ip_address).toBe('127.0.0.1');
    }
  });

  it('POST /auth/login audits failures for an unknown email without a user id', async () => {
    const email = uniqueEmail('unknown-audit');
    await loginJson(email, 'Wrong-Pa55word!');
    const rows = await app.sql`select event, user_id from audit_logs where email = ${email}`;
    expect(rows).toEqual([{ event: 'login_failed', user_id: null }]);
  });

  it('POST /auth/login never writes the password to the audit log', async () => {
    const user = await createUser(app);
    const secret = `Unique-Wr0ng-${Date.now()}!`;
    await loginJson(user.email, secret);
    const rows = await app.sql`select 1 from audit_logs where metadata::text like ${`%${secret}%`}`;
    expect(rows).toHaveLength(0);
  });
});
