import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, client, createUser, loginAs, uniqueEmail, withStatus } from '../../test/fixtures';
import { startTestApp, type TestApp, useTestApp } from '../../test/setup';
import { NOT_VERIFY, startSmtpServer, tokenFromMail } from '../../test/smtp';

const PUBLIC_APP_URL = 'https://app.aibootcamp.test';
const NEW_PASSWORD = 'Brand-New-Secret-42';

const { app, db, smtp } = useTestApp({ smtp: true, env: { PUBLIC_APP_URL } });
const extras: { close: () => Promise<void> }[] = [];
beforeEach(() => {
  app.clock.set(new Date());
});
afterEach(async () => {
  await Promise.all(extras.splice(0).map((extra) => extra.close()));
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function requestReset(email: string, target: Pick<TestApp, 'url'> = app, headers: Record<string, string> = {}) {
  return client(target).api.v1.auth['password-reset'].request.$post({ json: { email } }, { headers });
}

function confirmReset(token: string, newPassword = NEW_PASSWORD) {
  return client(app).api.v1.auth['password-reset'].confirm.$post({ json: { token, new_password: newPassword } });
}

async function mailedResetToken(email: string) {
  return tokenFromMail(await smtp.waitForMessage(email, { subject: NOT_VERIFY }), '/reset-password');
}

async function auditRows(filter: { userId?: string; email?: string }) {
  const rows = await app.sql<{ event: string; user_id: string | null; email: string | null }[]>`
    select event, user_id, email
    from audit_logs
    where ${filter.userId ? app.sql`user_id = ${filter.userId}` : app.sql`email = ${filter.email ?? ''}`}
    order by id
  `;
  return rows;
}

function login(email: string, password: string) {
  return client(app).api.v1.auth.login.$post({ json: { email, password } });
}

describe('POST /auth/password-reset/request', () => {
  it('returns 202 and mails a 1-hour link built from PUBLIC_APP_URL with text and HTML parts', async () => {
    const user = await createUser(app);
    const res = await requestReset(user.email, app, { 'x-forwarded-host': 'evil.example' });
    expect(await withStatus(res, 202).json()).toEqual({ detail: expect.any(String) });

    const mail = await smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    const token = tokenFromMail(mail, '/reset-password');
    expect(mail.links).toContain(`${PUBLIC_APP_URL}/reset-password?token=${token}`);
    expect(mail.html).toContain(`${PUBLIC_APP_URL}/reset-password?token=${token}`);
    expect(mail.raw).not.toContain('evil.example');

    const rows = await app.sql<{ token_hash: string; created_at: Date; expires_at: Date }[]>`
      select token_hash, created_at, expires_at
      from password_reset_tokens
      where user_id = ${user.id}
    `;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(sha256(token));
    expect((rows[0]?.expires_at.getTime() ?? 0) - (rows[0]?.created_at.getTime() ?? 0)).toBe(3600 * 1000);
    expect((await auditRows({ userId: user.id })).map((row) => row.event)).toContain('password_reset_requested');
  });

  it('returns the same status and body for an unknown email, sends nothing and audits with no user', async () => {
    const user = await createUser(app);
    const known = await requestReset(user.email);
    const unknownEmail = uniqueEmail('nobody');
    const unknown = await requestReset(unknownEmail);
    expect(unknown.status).toBe(known.status);
    expect(await unknown.json()).toEqual(await known.json());
    expect(unknown.headers.get('content-type')).toBe(known.headers.get('content-type'));

    await app.deps.mailer.idle();
    expect(smtp.pendingFor(unknownEmail, NOT_VERIFY)).toHaveLength(0);
    expect(await auditRows({ email: unknownEmail })).toEqual([
      { event: 'password_reset_requested', user_id: null, email: unknownEmail },
    ]);
  });

  it('does the same database work for a known and an unknown email', async () => {
    // The same statements in the same order, whether or not the email has an account, so the answer's timing has
    // nothing to tell (the mail goes out after the answer: see the next test). Counted, so it cannot flake.
    const statements: string[] = [];
    const countingApp = await startTestApp(db.url, {
      migrate: false,
      env: { PUBLIC_APP_URL },
      sqlOptions: { debug: (_connection, query) => statements.push(query) },
    });
    extras.push(countingApp);
    const user = await createUser(countingApp);
    const workFor = async (email: string) => {
      statements.length = 0;
      expect((await requestReset(email, countingApp)).status).toBe(202);
      return [...statements];
    };
    const known = await workFor(user.email);
    const unknown = await workFor(uniqueEmail('ghost'));
    expect(known.length).toBeGreaterThan(0);
    expect(unknown).toEqual(known);
  });

  it('does not wait for SMTP: both answers arrive while the mail server still holds the message unanswered', async () => {
    const slowSmtp = await startSmtpServer({ hold: true });
    extras.push(slowSmtp);
    const slowApp = await startTestApp(db.url, {
      migrate: false,
      env: { SMTP_URL: slowSmtp.url, PUBLIC_APP_URL },
    });
    extras.push(slowApp);
    const user = await createUser(slowApp);
    // The server answers nothing until released, so an answer that waited for the mail could not arrive at all.
    expect((await requestReset(user.email, slowApp)).status).toBe(202);
    await vi.waitFor(() => expect(slowSmtp.held(user.email, NOT_VERIFY)).toHaveLength(1), { timeout: 5_000 });
    expect((await requestReset(uniqueEmail('ghost'), slowApp)).status).toBe(202);
    expect(slowSmtp.held(user.email, NOT_VERIFY)).toHaveLength(1);
    expect(slowSmtp.pendingFor(user.email, NOT_VERIFY)).toHaveLength(0);

    slowSmtp.release();
    const mail = await slowSmtp.waitForMessage(user.email, { subject: NOT_VERIFY, timeoutMs: 5_000 });
    expect(tokenFromMail(mail, '/reset-password')).toBeTruthy();
  });

  it('never locks or changes the account', async () => {
    const user = await createUser(app);
    const [before] = await app.sql<{ hashed_password: string }[]>`
      select hashed_password
      from users
      where id = ${user.id}
    `;
    for (let i = 0; i < 6; i++) expect((await requestReset(user.email)).status).toBe(202);
    const [after] = await app.sql<{ hashed_password: string; password_changed_at: Date | null }[]>`
      select hashed_password, password_changed_at
      from users
      where id = ${user.id}
    `;
    expect(after?.hashed_password).toBe(before?.hashed_password);
    expect(after?.password_changed_at).toBeNull();
    const attempts = await app.sql`
      select 1
      from login_attempts
      where email = ${user.email}
    `;
    expect(attempts).toHaveLength(0);
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('returns 422 for an invalid email and 400 for malformed JSON', async () => {
    const invalid = await requestReset('not-an-email');
    expect((await withStatus(invalid, 422).json()).errors).toEqual([{ field: 'email', message: expect.any(String) }]);
    // Cut-off JSON: a body the typed client cannot send.
    const malformed = await api(app, '/api/v1/auth/password-reset/request', {
      body: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
  });
});

describe('POST /auth/password-reset/request rate limit', () => {
  async function limitedApp() {
    const limited = await startTestApp(db.url, {
      migrate: false,
      env: {
        SMTP_URL: smtp.url,
        PUBLIC_APP_URL,
        RATE_LIMIT_RESET_PER_MINUTE: '3',
        RATE_LIMIT_MAIL_PER_HOUR: '3',
        TRUST_PROXY_HOPS: '1',
      },
    });
    extras.push(limited);
    return limited;
  }

  it('returns 429 on the 4th request for one email in an hour, even from different IPs and spellings', async () => {
    const limited = await limitedApp();
    const email = uniqueEmail('target');
    const spellings = [email, email.toUpperCase(), `  ${email}  `];
    for (const [i, spelling] of spellings.entries()) {
      const res = await requestReset(spelling, limited, { 'x-forwarded-for': `10.1.0.${i + 1}` });
      expect(res.status).toBe(202);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
    }
    const blocked = await requestReset(email, limited, { 'x-forwarded-for': '10.1.0.9' });
    expect(await withStatus(blocked, 429).json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    // The budget is the inbox's for an hour, not a minute: waiting a minute does not buy another mail.
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(blocked.headers.get('ratelimit-policy')).toBe('3;w=3600');
    expect(blocked.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('returns 429 on the 4th request from one IP, whatever the email', async () => {
    const limited = await limitedApp();
    for (let i = 0; i < 3; i++) {
      const res = await requestReset(uniqueEmail('spray'), limited, { 'x-forwarded-for': '10.2.0.1' });
      expect(res.status).toBe(202);
    }
    const blocked = await requestReset(uniqueEmail('spray'), limited, { 'x-forwarded-for': '10.2.0.1' });
    expect(blocked.status).toBe(429);
    const otherIp = await requestReset(uniqueEmail('spray'), limited, { 'x-forwarded-for': '10.2.0.2' });
    expect(otherIp.status).toBe(202);
  });

  it('keys a body that is not JSON on the IP and still answers it with 400', async () => {
    const limited = await limitedApp();
    // Cut-off JSON: a body the typed client cannot send.
    const res = await api(limited, '/api/v1/auth/password-reset/request', {
      body: '{"email": ',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.3.0.1' },
    });
    expect(res.status).toBe(400);
  });
});

describe('POST /auth/password-reset/confirm', () => {
  it('returns 204, ends every session at once, and only the new password signs in', async () => {
    const user = await createUser(app);
    const first = await loginAs(app, user);
    const second = await loginAs(app, user);
    await requestReset(user.email);
    const token = await mailedResetToken(user.email);

    const res = await confirmReset(token);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    for (const session of [first, second]) {
      expect((await client(app, session.access_token).api.v1.users.me.$get()).status).toBe(401);
      const refreshed = await client(app).api.v1.auth.refresh.$post({ json: { refresh_token: session.refresh_token } });
      expect(refreshed.status).toBe(401);
    }
    expect((await login(user.email, user.password)).status).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);

    const [row] = await app.sql<{ password_changed_at: Date | null; is_verified: boolean }[]>`
      select password_changed_at, is_verified
      from users
      where id = ${user.id}
    `;
    expect(row?.password_changed_at).toEqual(app.clock.now());
    expect(row?.is_verified).toBe(true);
    const events = (await auditRows({ userId: user.id })).map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['password_reset_requested', 'password_reset']));
  });

  it('mails a "your password was reset" notice without any token', async () => {
    const user = await createUser(app);
    await requestReset(user.email);
    const token = await mailedResetToken(user.email);
    expect((await confirmReset(token)).status).toBe(204);

    const notice = await smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(notice.subject).toMatch(/password was reset/i);
    expect(notice.text).toMatch(/if this wasn't you/i);
    expect(notice.html).toBeDefined();
    expect(notice.links).toEqual([`${PUBLIC_APP_URL}/reset-password`]);
    expect(notice.raw).not.toContain(token);
  });

  it('clears the lockout: an email locked by 5 wrong logins signs in after the reset', async () => {
    const user = await createUser(app);
    for (let i = 0; i < 5; i++) expect((await login(user.email, 'Wrong-Password-1')).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(423);

    await requestReset(user.email);
    expect((await confirmReset(await mailedResetToken(user.email))).status).toBe(204);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('returns 400 after 1 hour and 1 second, 204 just before', async () => {
    const late = await createUser(app);
    const early = await createUser(app);
    await requestReset(late.email);
    const lateToken = await mailedResetToken(late.email);
    await requestReset(early.email);
    const earlyToken = await mailedResetToken(early.email);

    app.clock.advance(3600 - 1);
    expect((await confirmReset(earlyToken)).status).toBe(204);
    app.clock.advance(2);
    const res = await confirmReset(lateToken);
    expect(await withStatus(res, 400).json()).toMatchObject({
      title: 'Bad Request',
      status: 400,
      detail: expect.any(String),
    });
    expect((await login(late.email, late.password)).status).toBe(200);
  });

  it('returns 400 and changes nothing when the account was disabled after the link was mailed', async () => {
    const user = await createUser(app);
    await requestReset(user.email);
    const token = await mailedResetToken(user.email);
    await app.sql`update users set is_active = false where id = ${user.id}`;
    const [before] = await app.sql`select hashed_password from users where id = ${user.id}`;

    const res = await confirmReset(token);
    expect(await withStatus(res, 400).json()).toMatchObject({ title: 'Bad Request', status: 400 });
    const [after] = await app.sql`select hashed_password, is_verified from users where id = ${user.id}`;
    expect(after?.hashed_password).toBe(before?.hashed_password);
    expect(after?.is_verified).toBe(false);
    const [link] = await app.sql`select used_at from password_reset_tokens where token_hash = ${sha256(token)}`;
    expect(link?.used_at).toBeNull();
    expect((await auditRows({ userId: user.id })).map((row) => row.event)).not.toContain('password_reset');

    // Enabled again, the old password still signs in: the disabled account's link changed nothing.
    await app.sql`update users set is_active = true where id = ${user.id}`;
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('returns 400 when the token is used a second time', async () => {
    const user = await createUser(app);
    await requestReset(user.email);
    const token = await mailedResetToken(user.email);
    expect((await confirmReset(token)).status).toBe(204);
    expect((await confirmReset(token, 'Another-Secret-77')).status).toBe(400);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('returns 400 for the older token once a newer one was requested', async () => {
    const user = await createUser(app);
    await requestReset(user.email);
    const older = await mailedResetToken(user.email);
    await requestReset(user.email);
    const newer = await mailedResetToken(user.email);
    expect((await confirmReset(older)).status).toBe(400);
    expect((await confirmReset(newer)).status).toBe(204);
  });

  it('returns exactly one 204 for parallel confirms with one token', async () => {
    const user = await createUser(app);
    await requestReset(user.email);
    const token = await mailedResetToken(user.email);
    const passwords = ['Parallel-One-11', 'Parallel-Two-22', 'Parallel-Three-33', 'Parallel-Four-44'];
    const results = await Promise.all(passwords.map((password) => confirmReset(token, password)));
    expect(results.map((res) => res.status).sort()).toEqual([204, 400, 400, 400]);

    const winner = passwords[results.findIndex((res) => res.status === 204)] ?? '';
    expect((await login(user.email, winner)).status).toBe(200);
    const resets = (await auditRows({ userId: user.id })).filter((row) => row.event === 'password_reset');
    expect(resets).toHaveLength(1);
  });

  it('returns 422 for a weak password and leaves the token usable', async () => {
    const user = await createUser(app);
    await requestReset(user.email);
    const token = await mailedResetToken(user.email);
    const emailName = user.email.split('@')[0]?.replace(/[^a-z0-9]/gi, '') ?? '';

    for (const weak of ['short', 'Password123!', `${emailName}-X1`]) {
      const res = await confirmReset(token, weak);
      expect((await withStatus(res, 422).json()).errors).toContainEqual({
        field: 'new_password',
        message: expect.any(String),
      });
    }
    expect((await confirmReset(token)).status).toBe(204);
  });

  it('returns 422 naming new_password for the password the account already has; the token stays usable', async () => {
    const user = await createUser(app);
    await requestReset(user.email);
    const token = await mailedResetToken(user.email);
    const same = await confirmReset(token, user.password);
    const body = await withStatus(same, 422).json();
    expect(body).toMatchObject({ status: 422, title: 'Unprocessable Content' });
    expect(body.errors).toEqual([
      { field: 'new_password', message: 'This is already your password: sign in with it, or choose a different one' },
    ]);
    expect((await auditRows({ userId: user.id })).map((row) => row.event)).not.toContain('password_reset');
    expect((await confirmReset(token)).status).toBe(204);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('returns 400 for an unknown token and 422 for a missing one', async () => {
    expect((await confirmReset('y'.repeat(43))).status).toBe(400);
    // No token at all: a body the typed client would refuse to send.
    const missing = await api(app, '/api/v1/auth/password-reset/confirm', { json: { new_password: NEW_PASSWORD } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toContainEqual({ field: 'token', message: expect.any(String) });
  });
});
