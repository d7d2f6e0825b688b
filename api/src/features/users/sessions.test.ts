import { beforeEach, describe, expect, it } from 'vitest';
import { api, type CreatedUser, client, createUser, withStatus } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';

const { app } = useTestApp();
beforeEach(() => {
  app.clock.set(new Date());
});

type Login = { access_token: string; refresh_token: string };

async function loginWith(user: CreatedUser, userAgent: string): Promise<Login> {
  const res = await client(app).api.v1.auth.login.$post(
    { json: { email: user.email, password: user.password } },
    { headers: { 'user-agent': userAgent } },
  );
  return withStatus(res, 200).json();
}

async function sessionIdOf(login: Login): Promise<string> {
  const payload = JSON.parse(Buffer.from(login.access_token.split('.')[1] ?? '', 'base64url').toString());
  return payload.sid;
}

function listSessions(token: string) {
  return client(app, token).api.v1.users.me.sessions.$get();
}

function deleteSession(token: string, id: string) {
  return client(app, token).api.v1.users.me.sessions[':id'].$delete({ param: { id } });
}

async function meStatus(token: string) {
  return (await client(app, token).api.v1.users.me.$get()).status;
}

describe('GET /users/me/sessions', () => {
  it('returns 200 with the live sessions, newest first, a readable device and current: true for the caller', async () => {
    const user = await createUser(app);
    const phone = await loginWith(user, SAFARI_IPHONE);
    app.clock.advance(60);
    const laptop = await loginWith(user, CHROME_MAC);

    const res = await listSessions(laptop.access_token);
    const body = await withStatus(res, 200).json();
    expect(body).toHaveLength(2);
    const [newest, older] = body;
    expect(newest).toEqual({
      id: await sessionIdOf(laptop),
      ip_address: '127.0.0.1',
      user_agent: CHROME_MAC,
      device: 'Chrome 120 on macOS',
      created_at: expect.any(String),
      last_used_at: expect.any(String),
      current: true,
    });
    expect(older).toMatchObject({ id: await sessionIdOf(phone), device: 'Mobile Safari 17 on iOS', current: false });
    expect(new Date(newest?.created_at ?? 0).getTime()).toBeGreaterThan(new Date(older?.created_at ?? 0).getTime());
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('leaves out ended, expired and idle sessions and other users’ sessions', async () => {
    const user = await createUser(app);
    const stranger = await createUser(app);
    const current = await loginWith(user, CHROME_MAC);
    const loggedOut = await loginWith(user, FIREFOX_WINDOWS);
    const expired = await loginWith(user, FIREFOX_WINDOWS);
    await loginWith(stranger, CHROME_MAC);

    await client(app, loggedOut.access_token).api.v1.auth.logout.$post({ json: {} });
    await app.sql`
      update sessions
      set expires_at = created_at + interval '1 second'
      where id = ${await sessionIdOf(expired)}
    `;
    app.clock.advance(2);

    const res = await listSessions(current.access_token);
    const body = await withStatus(res, 200).json();
    expect(body.map((session) => session.id)).toEqual([await sessionIdOf(current)]);
  });

  it('names command-line clients, and says "Unknown device" for what it cannot read', async () => {
    const user = await createUser(app);
    await loginWith(user, 'curl/8.4.0');
    app.clock.advance(1);
    const unknown = await loginWith(user, 'x');
    const body = await withStatus(await listSessions(unknown.access_token), 200).json();
    expect(body.map((session) => session.device)).toEqual(['Unknown device', 'curl 8']);
  });

  it('returns 401 without a Bearer token', async () => {
    expect((await client(app).api.v1.users.me.sessions.$get()).status).toBe(401);
  });
});

describe('DELETE /users/me/sessions/{id}', () => {
  it('returns 204 and the ended session’s access and refresh tokens stop working at once', async () => {
    const user = await createUser(app);
    const mine = await loginWith(user, CHROME_MAC);
    const other = await loginWith(user, FIREFOX_WINDOWS);
    expect(await meStatus(other.access_token)).toBe(200);

    const otherId = await sessionIdOf(other);
    const res = await deleteSession(mine.access_token, otherId);
    expect(res.status).toBe(204);

    expect(await meStatus(other.access_token)).toBe(401);
    expect((await client(app).api.v1.auth.refresh.$post({ json: { refresh_token: other.refresh_token } })).status).toBe(
      401,
    );
    expect(await meStatus(mine.access_token)).toBe(200);

    const [audit] = await app.sql<{ metadata: { session_id: string } }[]>`
      select metadata
      from audit_logs
      where user_id = ${user.id}
        and event = 'session_revoked'
    `;
    expect(audit?.metadata.session_id).toBe(otherId);

    const again = await deleteSession(mine.access_token, otherId);
    expect(again.status).toBe(404);
  });

  it('returns 404 for another user’s session and leaves it alone', async () => {
    const user = await createUser(app);
    const stranger = await createUser(app);
    const mine = await loginWith(user, CHROME_MAC);
    const theirs = await loginWith(stranger, CHROME_MAC);

    const res = await deleteSession(mine.access_token, await sessionIdOf(theirs));
    expect(await withStatus(res, 404).json()).toMatchObject({ title: 'Not Found', status: 404 });
    expect(await meStatus(theirs.access_token)).toBe(200);
  });

  it('returns 404 for an unknown id and 422 for one that is not a UUID', async () => {
    const user = await createUser(app);
    const mine = await loginWith(user, CHROME_MAC);
    expect((await deleteSession(mine.access_token, crypto.randomUUID())).status).toBe(404);
    const invalid = await withStatus(await deleteSession(mine.access_token, 'not-a-uuid'), 422).json();
    expect(invalid.errors).toContainEqual({ field: 'id', message: expect.any(String) });
  });

  it('can end the caller’s own session, which then gets 401', async () => {
    const user = await createUser(app);
    const mine = await loginWith(user, CHROME_MAC);
    expect((await deleteSession(mine.access_token, await sessionIdOf(mine))).status).toBe(204);
    expect(await meStatus(mine.access_token)).toBe(401);
  });
});

describe('DELETE /users/me/sessions', () => {
  it('returns 204 and ends every other session, not the current one', async () => {
    const user = await createUser(app);
    const mine = await loginWith(user, CHROME_MAC);
    const others = [await loginWith(user, FIREFOX_WINDOWS), await loginWith(user, SAFARI_IPHONE)];

    const res = await client(app, mine.access_token).api.v1.users.me.sessions.$delete();
    expect(res.status).toBe(204);
    for (const other of others) {
      expect(await meStatus(other.access_token)).toBe(401);
    }
    const list = await withStatus(await listSessions(mine.access_token), 200).json();
    expect(list).toEqual([expect.objectContaining({ id: await sessionIdOf(mine), current: true })]);
    const [count] = await app.sql<{ n: number }[]>`
      select count(*)::int as n
      from audit_logs
      where user_id = ${user.id}
        and event = 'session_revoked'
    `;
    expect(count?.n).toBe(2);
  });
});

describe('OpenAPI', () => {
  it('documents every account route with its statuses and the Bearer scheme', async () => {
    // The document is served beside the typed routes, not as one of them.
    const spec = (await api(app, '/openapi.json')).body;
    const operations: [string, string, string[], boolean][] = [
      ['/api/v1/auth/verify-email/request', 'post', ['202', '401', '429'], true],
      ['/api/v1/auth/verify-email', 'post', ['200', '400', '422'], false],
      ['/api/v1/auth/password-reset/request', 'post', ['202', '422', '429'], false],
      ['/api/v1/auth/password-reset/confirm', 'post', ['204', '400', '422'], false],
      ['/api/v1/users/me', 'patch', ['200', '401', '422'], true],
      ['/api/v1/users/me/password', 'post', ['204', '401', '422'], true],
      ['/api/v1/users/me/sessions', 'get', ['200', '401'], true],
      ['/api/v1/users/me/sessions', 'delete', ['204', '401'], true],
      ['/api/v1/users/me/sessions/{id}', 'delete', ['204', '401', '404', '422'], true],
    ];
    for (const [path, method, statuses, bearer] of operations) {
      const operation = spec.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(statuses));
      if (bearer) expect(operation.security).toEqual([{ OAuth2PasswordBearer: [] }, { BearerToken: [] }]);
    }
    expect(spec.paths['/api/v1/users/me'].get).toBeDefined();
  });
});
