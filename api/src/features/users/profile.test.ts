import { beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '../../auth/passwords';
import { api, client, createUser, loginAs, withStatus } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';
import { NOT_VERIFY } from '../../test/smtp';

// The real verify, wrapped so a test can count how many passwords reached bcrypt.
vi.mock('../../auth/passwords', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../auth/passwords')>();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});
const verifySpy = vi.mocked(verifyPassword);

const PUBLIC_APP_URL = 'https://app.aibootcamp.test';
const NEW_PASSWORD = 'Fresh-Secret-2024';

const { app, smtp } = useTestApp({ smtp: true, env: { PUBLIC_APP_URL } });
beforeEach(() => {
  verifySpy.mockClear();
});

async function auditEvents(userId: string) {
  const rows = await app.sql<{ event: string; metadata: Record<string, unknown> }[]>`
    select event, metadata
    from audit_logs
    where user_id = ${userId}
    order by id
  `;
  return rows;
}

// Through the typed client, as the browser calls them; `api()` only for bodies the types would not let through.
function changePassword(token: string, body: { current_password: string; new_password: string }) {
  return client(app, token).api.v1.users.me.password.$post({ json: body });
}

function login(email: string, password: string) {
  return client(app).api.v1.auth.login.$post({ json: { email, password } });
}

function refresh(refresh_token: string) {
  return client(app).api.v1.auth.refresh.$post({ json: { refresh_token } });
}

async function fullNameOf(token: string) {
  return (await withStatus(await client(app, token).api.v1.users.me.$get(), 200).json()).full_name;
}

describe('PATCH /users/me', () => {
  it('returns 200 with the trimmed new name, GET /users/me agrees and the change is audited', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const signedIn = client(app, session.access_token);
    const res = await signedIn.api.v1.users.me.$patch({ json: { full_name: '  Grace Hopper  ' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ id: user.id, email: user.email, full_name: 'Grace Hopper', role: 'student' });
    expect(body).not.toHaveProperty('hashed_password');

    const me = await signedIn.api.v1.users.me.$get();
    expect(me.status).toBe(200);
    if (me.status !== 200) return;
    expect((await me.json()).full_name).toBe('Grace Hopper');
    expect((await auditEvents(user.id)).map((row) => row.event)).toContain('profile_updated');
  });

  it('returns 422 for an empty, too long or control-character name and keeps the old one', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    for (const full_name of ['   ', 'x'.repeat(101), 'Bad\u0007Name']) {
      const res = await client(app, session.access_token).api.v1.users.me.$patch({ json: { full_name } });
      const body = await withStatus(res, 422).json();
      expect(body.errors).toContainEqual({ field: 'full_name', message: expect.any(String) });
    }
    // Not a string at all: a body the typed client would refuse to send.
    const res = await api(app, '/api/v1/users/me', {
      method: 'PATCH',
      json: { full_name: 42 },
      token: session.access_token,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual({ field: 'full_name', message: expect.any(String) });
    expect(await fullNameOf(session.access_token)).toBe(user.full_name);
  });

  it('returns 422 for a name with a bidi override, a line separator or a zero-width character and keeps the old one', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    for (const full_name of ['Ada \u202emoc.live', 'Ada\u2066L\u2069', 'Ada\u2028Lovelace', 'Ad\u200ba', 'A\ufeffda']) {
      const res = await client(app, session.access_token).api.v1.users.me.$patch({ json: { full_name } });
      const body = await withStatus(res, 422).json();
      expect(body.errors).toContainEqual({ field: 'full_name', message: expect.stringMatching(/invisible/i) });
    }
    expect(await fullNameOf(session.access_token)).toBe(user.full_name);
  });

  it('returns 401 without a Bearer token', async () => {
    const res = await client(app).api.v1.users.me.$patch({ json: { full_name: 'Nobody' } });
    expect(res.status).toBe(401);
  });
});

describe('POST /users/me/password', () => {
  it('returns 422 naming new_password when it equals the current one (in any Unicode form), before any bcrypt', async () => {
    const password = 'Cafe\u0301-Secret-2024'; // "Café" with a combining accent
    const user = await createUser(app, { password });
    const session = await loginAs(app, user);
    verifySpy.mockClear();
    for (const same of [password, password.normalize('NFC')]) {
      const res = await changePassword(session.access_token, { current_password: password, new_password: same });
      const body = await withStatus(res, 422).json();
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(body.errors).toEqual([
        { field: 'new_password', message: 'Choose a new password different from your current one' },
      ]);
    }
    // Refused from the two strings: no bcrypt, no guess spent, no session ended, the password unchanged.
    expect(verifySpy).not.toHaveBeenCalled();
    const [attempts] = await app.sql`select failed_count from login_attempts where email = ${user.email}`;
    expect(attempts?.failed_count ?? 0).toBe(0);
    expect((await client(app, session.access_token).api.v1.users.me.$get()).status).toBe(200);
    expect((await auditEvents(user.id)).map((row) => row.event)).not.toContain('password_changed');
    expect((await login(user.email, password)).status).toBe(200);
  });

  it('returns 204, ends every other session but keeps the current one, and only the new password signs in', async () => {
    const user = await createUser(app);
    const current = await loginAs(app, user);
    const other = await loginAs(app, user);

    const res = await changePassword(current.access_token, {
      current_password: user.password,
      new_password: NEW_PASSWORD,
    });
    expect(res.status).toBe(204);

    expect((await client(app, current.access_token).api.v1.users.me.$get()).status).toBe(200);
    expect((await refresh(current.refresh_token)).status).toBe(200);
    expect((await client(app, other.access_token).api.v1.users.me.$get()).status).toBe(401);
    expect((await refresh(other.refresh_token)).status).toBe(401);

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
    const notice = await smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
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
    expect(await withStatus(res, 401).json()).toMatchObject({
      title: 'Unauthorized',
      status: 401,
      detail: expect.stringMatching(/current/i),
    });
    expect(res.headers.get('www-authenticate')).toBeNull();

    expect((await client(app, session.access_token).api.v1.users.me.$get()).status).toBe(200);
    expect((await refresh(session.refresh_token)).status).toBe(200);
    expect((await login(user.email, user.password)).status).toBe(200);
    expect((await auditEvents(user.id)).map((row) => row.event)).toContain('password_change_failed');
  });

  it('returns 422 for a weak new password (composition, common, built from the email) and changes nothing', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const emailName = user.email.split('@')[0]?.replace(/[^a-z0-9]/gi, '') ?? '';
    for (const weak of ['alllowercase1!', 'Password123!', `${emailName}-Q9`]) {
      const res = await changePassword(session.access_token, { current_password: user.password, new_password: weak });
      const body = await withStatus(res, 422).json();
      expect(body.errors).toContainEqual({ field: 'new_password', message: expect.any(String) });
    }
    // No current password: a body the typed client would refuse to send.
    const missing = await api(app, '/api/v1/users/me/password', {
      json: { new_password: NEW_PASSWORD },
      token: session.access_token,
    });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toContainEqual({ field: 'current_password', message: expect.any(String) });
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('returns 422 on new_password for a new password equal to the current one, and changes nothing', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const other = await loginAs(app, user);
    verifySpy.mockClear();
    const res = await changePassword(session.access_token, {
      current_password: user.password,
      new_password: user.password,
    });
    const body = await withStatus(res, 422).json();
    expect(body.errors).toContainEqual({ field: 'new_password', message: expect.stringMatching(/different/i) });
    // Refused before any password check: no guess spent, no bcrypt.
    expect(verifySpy).not.toHaveBeenCalled();
    // Both sessions go on, nothing was mailed, no change or failure was audited.
    expect((await client(app, session.access_token).api.v1.users.me.$get()).status).toBe(200);
    expect((await client(app, other.access_token).api.v1.users.me.$get()).status).toBe(200);
    await app.deps.mailer.idle();
    expect(smtp.pendingFor(user.email, NOT_VERIFY)).toHaveLength(0);
    const events = (await auditEvents(user.id)).map((row) => row.event);
    expect(events).not.toContain('password_changed');
    expect(events).not.toContain('password_change_failed');
    const [row] = await app.sql<{ password_changed_at: Date | null }[]>`
      select password_changed_at
      from users
      where id = ${user.id}
    `;
    expect(row?.password_changed_at).toBeNull();
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('returns 401 without a Bearer token', async () => {
    const res = await client(app).api.v1.users.me.password.$post({
      json: { current_password: 'whatever', new_password: NEW_PASSWORD },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('POST /users/me/password guessing', () => {
  it('lets no more than 5 of 20 parallel wrong guesses reach bcrypt, then ends that session and mails the owner', async () => {
    const user = await createUser(app);
    const stolen = await loginAs(app, user);
    const owners = await loginAs(app, user);
    verifySpy.mockClear();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        changePassword(stolen.access_token, { current_password: `Guess-${i}-Pa55!`, new_password: NEW_PASSWORD }),
      ),
    );
    expect(verifySpy).toHaveBeenCalledTimes(5);
    // Five guesses were checked and refused; the rest found the account locked or the session already over.
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((status) => status !== 401 && status !== 423)).toEqual([]);
    const details = await Promise.all(
      answers.map(async (res) => (res.status === 204 ? '' : (await res.json()).detail)),
    );
    const last = answers.filter((_res, i) => /signed out/.test(details[i] ?? ''));
    expect(last).toHaveLength(1);
    expect(last[0]?.headers.get('www-authenticate')).toBe('Bearer');

    // That session is over: its access token fails on its next request, its refresh token too.
    expect((await client(app, stolen.access_token).api.v1.users.me.$get()).status).toBe(401);
    expect((await refresh(stolen.refresh_token)).status).toBe(401);
    // The owner's other session goes on, and the owner hears of it.
    expect((await client(app, owners.access_token).api.v1.users.me.$get()).status).toBe(200);
    const notice = await smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(notice.subject).toMatch(/guess your .* password/i);
    expect(notice.text).toMatch(/entered 5 times in a row/);
    expect(notice.text).toMatch(/signed that device out/);
    expect(notice.links).toEqual([`${PUBLIC_APP_URL}/reset-password`]);
    await app.deps.mailer.idle();
    expect(smtp.pendingFor(user.email, NOT_VERIFY)).toHaveLength(0);
    const events = (await auditEvents(user.id)).map((row) => row.event);
    // Five failures are written down, whichever of them the lock is recorded against.
    expect(events.filter((event) => event === 'password_change_failed' || event === 'lockout')).toHaveLength(5);
    expect(events.filter((event) => event === 'session_revoked')).toHaveLength(1);
    // The password did not change.
    expect((await login(user.email, NEW_PASSWORD)).status).not.toBe(200);
  });

  it('answers 423 with Retry-After and checks no password while the account is locked, and the session goes on', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    for (let i = 0; i < 5; i++) expect((await login(user.email, `Wrong-Pa55word-${i}`)).status).toBe(401);
    verifySpy.mockClear();
    const res = await changePassword(session.access_token, {
      current_password: user.password,
      new_password: NEW_PASSWORD,
    });
    expect(await withStatus(res, 423).json()).toMatchObject({
      status: 423,
      title: 'Locked',
      detail: expect.stringMatching(/reset/),
    });
    expect(res.headers.get('retry-after')).toBe(String(app.config.lockout.lockSeconds));
    expect(verifySpy).not.toHaveBeenCalled();
    expect((await client(app, session.access_token).api.v1.users.me.$get()).status).toBe(200);
  });

  it('a right current password resets the count: 4 wrong, a change, then 4 more wrong keep the session', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const wrong = () =>
      changePassword(session.access_token, { current_password: 'Not-The-Password-1', new_password: NEW_PASSWORD });
    for (let i = 0; i < 4; i++) expect((await wrong()).status).toBe(401);
    const changed = await changePassword(session.access_token, {
      current_password: user.password,
      new_password: NEW_PASSWORD,
    });
    expect(changed.status).toBe(204);
    for (let i = 0; i < 4; i++) {
      const res = await wrong();
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
    expect((await client(app, session.access_token).api.v1.users.me.$get()).status).toBe(200);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });
});
