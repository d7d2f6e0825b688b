import { describe, expect, it } from 'vitest';
import { api, createUser, loginAs } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';

const PUBLIC_APP_URL = 'https://app.aibootcamp.test';
const NEW_PASSWORD = 'Fresh-Secret-2024';

const { app, smtp } = useTestApp({ smtp: true, env: { PUBLIC_APP_URL } });

async function auditEvents(userId: string) {
  const rows = await app.sql<{ event: string; metadata: Record<string, unknown> }[]>`
    select event, metadata
    from audit_logs
    where user_id = ${userId}
    order by id
  `;
  return rows;
}

function changePassword(token: string, body: Record<string, unknown>) {
  return api(app, '/api/v1/users/me/password', { json: body, token });
}

function login(email: string, password: string) {
  return api(app, '/api/v1/auth/login', { json: { email, password } });
}

describe('PATCH /users/me', () => {
  it('returns 200 with the trimmed new name, GET /users/me agrees and the change is audited', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await api(app, '/api/v1/users/me', {
      method: 'PATCH',
      json: { full_name: '  Grace Hopper  ' },
      token: session.access_token,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, email: user.email, full_name: 'Grace Hopper', role: 'student' });
    expect(res.body).not.toHaveProperty('hashed_password');

    const me = await api(app, '/api/v1/users/me', { token: session.access_token });
    expect(me.body.full_name).toBe('Grace Hopper');
    expect((await auditEvents(user.id)).map((row) => row.event)).toContain('profile_updated');
  });

  it('returns 422 for an empty, too long or control-character name and keeps the old one', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    for (const full_name of ['   ', 'x'.repeat(101), 'Bad\u0007Name', 42]) {
      const res = await api(app, '/api/v1/users/me', {
        method: 'PATCH',
        json: { full_name },
        token: session.access_token,
      });
      expect(res.status).toBe(422);
      expect(res.body.errors).toContainEqual({ field: 'full_name', message: expect.any(String) });
    }
    const me = await api(app, '/api/v1/users/me', { token: session.access_token });
    expect(me.body.full_name).toBe(user.full_name);
  });

  it('returns 401 without a Bearer token', async () => {
    const res = await api(app, '/api/v1/users/me', { method: 'PATCH', json: { full_name: 'Nobody' } });
    expect(res.status).toBe(401);
  });
});

describe('POST /users/me/password', () => {
  it('returns 204, ends every other session but keeps the current one, and only the new password signs in', async () => {
    const user = await createUser(app);
    const current = await loginAs(app, user);
    const other = await loginAs(app, user);

    const res = await changePassword(current.access_token, {
      current_password: user.password,
      new_password: NEW_PASSWORD,
    });
    expect(res.status).toBe(204);

    expect((await api(app, '/api/v1/users/me', { token: current.access_token })).status).toBe(200);
    expect((await api(app, '/api/v1/auth/refresh', { json: { refresh_token: current.refresh_token } })).status).toBe(
      200,
    );
    expect((await api(app, '/api/v1/users/me', { token: other.access_token })).status).toBe(401);
    expect((await api(app, '/api/v1/auth/refresh', { json: { refresh_token: other.refresh_token } })).status).toBe(401);

    expect((await login(user.email, user.password)).status).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);

    const changed = (await auditEvents(user.id)).find((row) => row.event === 'password_changed');
    expect(changed?.metadata).toMatchObject({ sessions_ended: 1 });
    const [row] = await app.sql<{ password_changed_at: Date | null }[]>`
      select password_changed_at
      from users
      where id = ${user.id}
    `;
    expect(row?.password_changed_at).not.toBeNull();
  });

  it('mails a "your password was changed" notice', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await changePassword(session.access_token, {
      current_password: user.password,
      new_password: NEW_PASSWORD,
    });
    expect(res.status).toBe(204);
    const notice = await smtp.waitForMessage(user.email);
    expect(notice.subject).toMatch(/password was changed/i);
    expect(notice.text).toMatch(/if this wasn't you/i);
    expect(notice.html).toMatch(/If this wasn't you/);
    expect(notice.links).toEqual([`${PUBLIC_APP_URL}/reset-password`]);
  });

  it('returns 401 for a wrong current password, and the session goes on', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await changePassword(session.access_token, {
      current_password: 'Not-The-Password-1',
      new_password: NEW_PASSWORD,
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ title: 'Unauthorized', status: 401, detail: expect.stringMatching(/current/i) });
    expect(res.headers.get('www-authenticate')).toBeNull();

    expect((await api(app, '/api/v1/users/me', { token: session.access_token })).status).toBe(200);
    expect((await api(app, '/api/v1/auth/refresh', { json: { refresh_token: session.refresh_token } })).status).toBe(
      200,
    );
    expect((await login(user.email, user.password)).status).toBe(200);
    expect((await auditEvents(user.id)).map((row) => row.event)).toContain('password_change_failed');
  });

  it('returns 422 for a weak new password (composition, common, built from the email) and changes nothing', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const emailName = user.email.split('@')[0]?.replace(/[^a-z0-9]/gi, '') ?? '';
    for (const weak of ['alllowercase1!', 'Password123!', `${emailName}-Q9`]) {
      const res = await changePassword(session.access_token, { current_password: user.password, new_password: weak });
      expect(res.status).toBe(422);
      expect(res.body.errors).toContainEqual({ field: 'new_password', message: expect.any(String) });
    }
    const missing = await changePassword(session.access_token, { new_password: NEW_PASSWORD });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toContainEqual({ field: 'current_password', message: expect.any(String) });
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('returns 401 without a Bearer token', async () => {
    const res = await api(app, '/api/v1/users/me/password', {
      json: { current_password: 'whatever', new_password: NEW_PASSWORD },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});
