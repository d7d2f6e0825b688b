import { beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '../../auth/passwords';
import { api, client, createUser, loginAs, uniqueEmail, withStatus } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';

// The real verify, wrapped so a test can count how many passwords reached bcrypt.
vi.mock('../../auth/passwords', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../auth/passwords')>();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});
const verifySpy = vi.mocked(verifyPassword);

const { app } = useTestApp();
beforeEach(() => {
  verifySpy.mockClear();
});

function reauthenticate(token: string | undefined, json: { password: string }) {
  return client(app, token).api.v1.auth.reauthenticate.$post({ json });
}

async function meStatus(token: string) {
  return (await client(app, token).api.v1.users.me.$get()).status;
}

async function stampOf(sessionToken: string) {
  const sid = JSON.parse(Buffer.from(sessionToken.split('.')[1] ?? '', 'base64url').toString()).sid;
  const [row] = await app.sql`select reauthenticated_at from sessions where id = ${sid}`;
  return row?.reauthenticated_at as Date | null | undefined;
}

describe('POST /auth/reauthenticate', () => {
  it('POST /auth/reauthenticate with the right password returns 204 and stamps this session only', async () => {
    const user = await createUser(app);
    const current = await loginAs(app, user);
    const other = await loginAs(app, user);
    expect(await stampOf(current.access_token)).toBeNull();

    const res = await reauthenticate(current.access_token, { password: user.password });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(await stampOf(current.access_token)).toEqual(app.clock.now());
    expect(await stampOf(other.access_token)).toBeNull();
    const [audit] = await app.sql`
      select event, metadata from audit_logs where user_id = ${user.id} and event = 'reauthenticated'
    `;
    expect(audit?.metadata).toMatchObject({ method: 'password' });
  });

  it('POST /auth/reauthenticate with a wrong password returns 401 without a challenge and stamps nothing', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await reauthenticate(session.access_token, { password: 'Wrong-Pa55word!' });
    expect(await withStatus(res, 401).json()).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'The password is incorrect.',
    });
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await stampOf(session.access_token)).toBeNull();
    // The session goes on: the access token still works.
    expect(await meStatus(session.access_token)).toBe(200);
  });

  it('POST /auth/reauthenticate wrong passwords count toward the login lockout', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    for (let i = 0; i < 3; i++) {
      expect((await reauthenticate(session.access_token, { password: `Wrong-Pa55word!${i}` })).status).toBe(401);
    }
    for (let i = 0; i < 2; i++) {
      const login = await client(app).api.v1.auth.login.$post({
        json: { email: user.email, password: 'Wrong-Pa55word!' },
      });
      expect(login.status).toBe(401);
    }
    const lockedLogin = await client(app).api.v1.auth.login.$post({
      json: { email: user.email, password: user.password },
    });
    expect(lockedLogin.status).toBe(423);

    verifySpy.mockClear();
    const locked = await reauthenticate(session.access_token, { password: user.password });
    expect(await withStatus(locked, 423).json()).toMatchObject({ status: 423, title: 'Locked' });
    expect(locked.headers.get('retry-after')).toBe('1800');
    expect(verifySpy).not.toHaveBeenCalled();
    expect(await stampOf(session.access_token)).toBeNull();
    const events = await app.sql`
      select event from audit_logs where user_id = ${user.id} and event like 'reauth%' order by id
    `;
    expect(events.map((row) => row.event)).toEqual(['reauth_failed', 'reauth_failed', 'reauth_failed']);
  });

  it('POST /auth/reauthenticate lets at most 5 of 12 parallel wrong passwords reach bcrypt', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    verifySpy.mockClear();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => reauthenticate(session.access_token, { password: `Wrong-Pa55word!${i}` })),
    );
    const statuses = results.map((res) => res.status);
    // A 401 is a checked wrong password, or (once the fifth has ended the session) a token that no longer works.
    const details = await Promise.all(
      results.map(async (res) => (res.status === 204 ? undefined : (await res.json()).detail)),
    );
    const checked = details.filter((detail) => detail === 'The password is incorrect.');
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 401 || status === 423)).toHaveLength(12);
    expect(verifySpy.mock.calls.length).toBeLessThanOrEqual(5);
  });

  it('POST /auth/reauthenticate: the wrong password that spends the budget ends the session it came from', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const other = await loginAs(app, user);
    for (let i = 0; i < 4; i++) {
      const res = await reauthenticate(session.access_token, { password: `Wrong-Pa55word!${i}` });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
    const fifth = await reauthenticate(session.access_token, { password: 'Wrong-Pa55word!4' });
    expect(fifth.status).toBe(401);
    expect(fifth.headers.get('www-authenticate')).toBe('Bearer');
    expect(await meStatus(session.access_token)).toBe(401);
    expect(await meStatus(other.access_token)).toBe(200);
  });

  it('POST /auth/reauthenticate with the right password resets the failure count, as a login does', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    for (let i = 0; i < 4; i++) await reauthenticate(session.access_token, { password: 'Wrong-Pa55word!' });
    expect((await reauthenticate(session.access_token, { password: user.password })).status).toBe(204);
    for (let i = 0; i < 4; i++) await reauthenticate(session.access_token, { password: 'Wrong-Pa55word!' });
    expect((await reauthenticate(session.access_token, { password: user.password })).status).toBe(204);
  });

  it('POST /auth/reauthenticate for an account without a password returns 401 after one verify', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    await app.sql`update users set hashed_password = null where id = ${user.id}`;
    verifySpy.mockClear();
    const res = await reauthenticate(session.access_token, { password: user.password });
    expect(res.status).toBe(401);
    expect(verifySpy).toHaveBeenCalledTimes(1);
    expect(await stampOf(session.access_token)).toBeNull();
  });

  it('POST /auth/reauthenticate without an access token returns 401 with the Bearer challenge', async () => {
    const res = await reauthenticate(undefined, { password: 'Whatever-1!' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('POST /auth/reauthenticate with a factor it does not know returns 422 and checks nothing', async () => {
    const user = await createUser(app, { email: uniqueEmail('factor') });
    const session = await loginAs(app, user);
    verifySpy.mockClear();
    // An unknown factor, two at once, none: bodies the typed client would refuse to send.
    for (const body of [{ pin: '1234' }, { password: user.password, totp: '123456' }, {}]) {
      const res = await api(app, '/api/v1/auth/reauthenticate', { token: session.access_token, json: body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    const empty = await reauthenticate(session.access_token, { password: '' });
    expect((await withStatus(empty, 422).json()).errors?.length).toBeGreaterThan(0);
    expect(verifySpy).not.toHaveBeenCalled();
    expect(await stampOf(session.access_token)).toBeNull();
  });

  it('POST /auth/reauthenticate after logout returns 401 and stamps nothing', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    await client(app).api.v1.auth.logout.$post({ json: { refresh_token: session.refresh_token } });
    const res = await reauthenticate(session.access_token, { password: user.password });
    expect(res.status).toBe(401);
    expect(await stampOf(session.access_token)).toBeNull();
  });
});
