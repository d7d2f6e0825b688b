import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, client, createUser, loginAs, withStatus } from '../../test/fixtures';
import { startTestApp, useTestApp } from '../../test/setup';
import { startSmtpServer, tokenFromMail, VERIFY_SUBJECT } from '../../test/smtp';

const PUBLIC_APP_URL = 'https://app.aibootcamp.test';

const { app, smtp, db } = useTestApp({ smtp: true, env: { PUBLIC_APP_URL } });
beforeEach(() => {
  app.clock.set(new Date());
});
const extraApps: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(extraApps.splice(0).map((extra) => extra.close()));
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// fetch() will not send a Host header of our choosing, node:http will.
function postWithHost(path: string, headers: Record<string, string>) {
  const url = new URL(path, app.url);
  return new Promise<number>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

// A new account whose sign-up mail has been taken, so the next verification mail is the one a test asked for.
async function signedInUser() {
  const user = await createUser(app);
  await smtp.waitForMessage(user.email, { subject: VERIFY_SUBJECT });
  const session = await loginAs(app, user);
  return { user, session };
}

function requestVerification(token: string) {
  return client(app, token).api.v1.auth['verify-email'].request.$post();
}

function verify(token: string) {
  return client(app).api.v1.auth['verify-email'].$post({ json: { token } });
}

async function mailedToken(email: string) {
  const mail = await smtp.waitForMessage(email);
  return tokenFromMail(mail, '/verify-email');
}

async function auditEvents(userId: string) {
  const rows = await app.sql<{ event: string }[]>`
    select event
    from audit_logs
    where user_id = ${userId}
    order by id
  `;
  return rows.map((row) => row.event);
}

describe('POST /auth/verify-email/request', () => {
  it('returns 202 and mails a text and HTML link built from PUBLIC_APP_URL, even with Host: evil.example', async () => {
    const { user, session } = await signedInUser();
    const status = await postWithHost('/api/v1/auth/verify-email/request', {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      authorization: `Bearer ${session.access_token}`,
    });
    expect(status).toBe(202);

    const mail = await smtp.waitForMessage(user.email);
    expect(mail.subject).toMatch(/verify/i);
    expect(mail.text).toBeDefined();
    expect(mail.html).toBeDefined();
    const token = tokenFromMail(mail, '/verify-email');
    const link = `${PUBLIC_APP_URL}/verify-email?token=${token}`;
    expect(mail.links).toContain(link);
    expect(mail.html).toContain(link);
    expect(mail.raw).not.toContain('evil.example');
    expect(token.length).toBeGreaterThanOrEqual(43);
  });

  it('returns 202 with a detail and stores only the SHA-256 of the token, valid for 24 hours', async () => {
    const { user, session } = await signedInUser();
    const res = await requestVerification(session.access_token);
    expect(await withStatus(res, 202).json()).toEqual({ detail: expect.any(String) });
    const token = await mailedToken(user.email);

    const rows = await app.sql<{ token_hash: string; expires_at: Date; created_at: Date }[]>`
      select token_hash, expires_at, created_at
      from email_verification_tokens
      where user_id = ${user.id}
        and used_at is null
    `;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(sha256(token));
    expect(rows[0]?.token_hash).not.toContain(token);
    const lifetime = (rows[0]?.expires_at.getTime() ?? 0) - (rows[0]?.created_at.getTime() ?? 0);
    expect(lifetime).toBe(24 * 3600 * 1000);
    expect(await auditEvents(user.id)).toContain('verify_email_requested');
  });

  it('returns 401 without a Bearer token', async () => {
    const res = await client(app).api.v1.auth['verify-email'].request.$post();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('returns 202 without a mail or a token when the email is already verified', async () => {
    const { user, session } = await signedInUser();
    await requestVerification(session.access_token);
    const token = await mailedToken(user.email);
    expect((await verify(token)).status).toBe(200);

    const again = await requestVerification(session.access_token);
    expect((await withStatus(again, 202).json()).detail).toMatch(/already verified/i);
    await app.deps.mailer.idle();
    expect(smtp.pendingFor(user.email)).toHaveLength(0);
    const [count] = await app.sql<{ n: number }[]>`
      select count(*)::int as n
      from email_verification_tokens
      where user_id = ${user.id}
    `;
    expect(count?.n).toBe(2); // sign-up's and the one requested
  });
});

describe('POST /auth/signup mails the first verification link', () => {
  it('mails a link built from PUBLIC_APP_URL at once; opening it verifies the account', async () => {
    const email = `new.${Date.now().toString(36)}@example.com`;
    const res = await client(app).api.v1.auth.signup.$post({
      json: { email, full_name: 'Katherine Johnson', password: 'Orbital-Math1962' },
    });
    const created = await withStatus(res, 201).json();
    expect(created.is_verified).toBe(false);

    const mail = await smtp.waitForMessage(email, { subject: VERIFY_SUBJECT });
    expect(mail.subject).toBe('Verify your email for AI Bootcamp');
    expect(mail.text).toContain('Hi Katherine Johnson,');
    const token = tokenFromMail(mail, '/verify-email');
    expect(mail.links).toContain(`${PUBLIC_APP_URL}/verify-email?token=${token}`);
    const [row] = await app.sql<{ token_hash: string; expires_at: Date; created_at: Date }[]>`
      select token_hash, expires_at, created_at
      from email_verification_tokens
      where user_id = ${created.id}
    `;
    expect(row?.token_hash).toBe(sha256(token));
    expect((row?.expires_at.getTime() ?? 0) - (row?.created_at.getTime() ?? 0)).toBe(24 * 3600 * 1000);

    // No sign-in needed: the link works on its own.
    const verified = await verify(token);
    expect(await withStatus(verified, 200).json()).toMatchObject({ id: created.id, email, is_verified: true });
    await app.deps.mailer.idle();
    expect(smtp.pendingFor(email)).toHaveLength(0);
  });

  it('answers without waiting for SMTP: while the mail server holds the message unanswered, and with none at all', async () => {
    // Order, not duration: the holding server answers nothing until released, so a signup that waited for its mail
    // could not answer at all.
    const holdingSmtp = await startSmtpServer({ hold: true });
    extraApps.push(holdingSmtp);
    const held = await startTestApp(db.url, { migrate: false, env: { SMTP_URL: holdingSmtp.url, PUBLIC_APP_URL } });
    extraApps.push(held);
    // A port nobody listens on: every delivery fails (and is logged), after quick retries.
    const dead = await startTestApp(db.url, {
      migrate: false,
      env: { SMTP_URL: 'smtp://127.0.0.1:9', PUBLIC_APP_URL },
      mailRetryDelaysMs: [10],
    });
    extraApps.push(dead);
    for (const target of [held, dead]) {
      const email = `smtp.${Math.random().toString(36).slice(2)}@example.com`;
      const res = await client(target).api.v1.auth.signup.$post({
        json: { email, full_name: 'Mary Jackson', password: 'Wind-Tunnel1958' },
      });
      expect(res.status).toBe(201);
      const [row] = await app.sql`select 1 from users where email = ${email}`;
      expect(row).toBeDefined();
      if (target === held) {
        await vi.waitFor(() => expect(holdingSmtp.held(email, VERIFY_SUBJECT)).toHaveLength(1), { timeout: 5_000 });
        expect(holdingSmtp.pendingFor(email, VERIFY_SUBJECT)).toHaveLength(0);
        holdingSmtp.release();
        const mail = await holdingSmtp.waitForMessage(email, { subject: VERIFY_SUBJECT, timeoutMs: 5_000 });
        expect(tokenFromMail(mail, '/verify-email')).toBeTruthy();
      }
    }
    await dead.deps.mailer.idle();
  });
});

describe('POST /auth/verify-email/request limits', () => {
  it('counts the sign-up mail: 429 on the 3rd request of one user in an hour, from any session and any address', async () => {
    const limited = await startTestApp(db.url, {
      migrate: false,
      env: { SMTP_URL: smtp.url, PUBLIC_APP_URL, RATE_LIMIT_MAIL_PER_HOUR: '3', TRUST_PROXY_HOPS: '1' },
    });
    extraApps.push(limited);
    const user = await createUser(limited);
    const sessions = [await loginAs(limited, user), await loginAs(limited, user)];
    const ask = (i: number) =>
      client(limited, sessions[i % 2]?.access_token).api.v1.auth['verify-email'].request.$post(
        {},
        { headers: { 'x-forwarded-for': `2001:db8:${i}::1` } },
      );
    // Sign-up spent one of the 3: two resends go out, the third is refused.
    const first = await ask(0);
    expect(first.status).toBe(202);
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect((await ask(1)).status).toBe(202);
    const third = await ask(2);
    expect(await withStatus(third, 429).json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(3500);
    const [count] = await app.sql<{ n: number }[]>`
      select count(*)::int as n
      from email_verification_tokens
      where user_id = ${user.id}
    `;
    expect(count?.n).toBe(3);
    // The budget is that user's: another account still gets its mail.
    const other = await createUser(limited);
    const otherSession = await loginAs(limited, other);
    const res = await client(limited, otherSession.access_token).api.v1.auth['verify-email'].request.$post(
      {},
      { headers: { 'x-forwarded-for': '2001:db8:3::1' } },
    );
    expect(res.status).toBe(202);
  });

  it('leaves invisible formatting characters of a stored name out of the mail', async () => {
    const { user, session } = await signedInUser();
    // Written around the validation, as a row from before the rule could be.
    await app.sql`
      update users
      set full_name = ${'Ada \u202emoc.live\u2028Click'}
      where id = ${user.id}
    `;
    expect((await requestVerification(session.access_token)).status).toBe(202);
    const mail = await smtp.waitForMessage(user.email, { subject: VERIFY_SUBJECT });
    expect(mail.text).toContain('Hi Ada moc.liveClick,');
    expect(mail.text).not.toMatch(/[\u202e\u2028]/);
    expect(mail.html).not.toMatch(/[\u202e\u2028]/);
  });
});

describe('POST /auth/verify-email', () => {
  it('returns 200 with the user verified, and GET /users/me agrees', async () => {
    const { user, session } = await signedInUser();
    await requestVerification(session.access_token);
    const token = await mailedToken(user.email);

    const res = await verify(token);
    expect(await withStatus(res, 200).json()).toMatchObject({ id: user.id, email: user.email, is_verified: true });
    const me = await client(app, session.access_token).api.v1.users.me.$get();
    expect((await withStatus(me, 200).json()).is_verified).toBe(true);
    expect(await auditEvents(user.id)).toEqual(expect.arrayContaining(['verify_email_requested', 'email_verified']));
  });

  it('works without a sign-in (the link may be opened on another device)', async () => {
    const { user, session } = await signedInUser();
    await requestVerification(session.access_token);
    const token = await mailedToken(user.email);
    await client(app, session.access_token).api.v1.auth.logout.$post({ json: {} });
    const res = await verify(token);
    expect(res.status).toBe(200);
  });

  it('returns 400 and verifies nothing when the account was disabled after the link was mailed', async () => {
    const { user, session } = await signedInUser();
    await requestVerification(session.access_token);
    const token = await mailedToken(user.email);
    await app.sql`update users set is_active = false where id = ${user.id}`;

    const res = await verify(token);
    expect(await withStatus(res, 400).json()).toMatchObject({ title: 'Bad Request', status: 400 });
    const [row] = await app.sql`select is_verified from users where id = ${user.id}`;
    expect(row?.is_verified).toBe(false);
    expect(await auditEvents(user.id)).not.toContain('email_verified');
  });

  it('returns 400 when the token is used twice', async () => {
    const { user, session } = await signedInUser();
    await requestVerification(session.access_token);
    const token = await mailedToken(user.email);
    expect((await verify(token)).status).toBe(200);

    const again = await verify(token);
    expect(await withStatus(again, 400).json()).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
    });
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('returns 400 after 24 hours and 1 second, 200 just before', async () => {
    const first = await signedInUser();
    await requestVerification(first.session.access_token);
    const expiring = await mailedToken(first.user.email);
    const second = await signedInUser();
    await requestVerification(second.session.access_token);
    const almost = await mailedToken(second.user.email);

    app.clock.advance(24 * 3600 - 1);
    expect((await verify(almost)).status).toBe(200);
    app.clock.advance(2);
    const res = await verify(expiring);
    expect(res.status).toBe(400);
    const [row] = await app.sql<{ is_verified: boolean }[]>`
      select is_verified
      from users
      where id = ${first.user.id}
    `;
    expect(row?.is_verified).toBe(false);
  });

  it('returns 400 for the older token once a newer one was requested', async () => {
    const { user, session } = await signedInUser();
    await requestVerification(session.access_token);
    const older = await mailedToken(user.email);
    await requestVerification(session.access_token);
    const newer = await mailedToken(user.email);
    expect(newer).not.toBe(older);

    expect((await verify(older)).status).toBe(400);
    expect((await verify(newer)).status).toBe(200);
  });

  it('returns exactly one 200 for parallel requests with one token', async () => {
    const { user, session } = await signedInUser();
    await requestVerification(session.access_token);
    const token = await mailedToken(user.email);
    const results = await Promise.all(Array.from({ length: 5 }, () => verify(token)));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400]);
    expect((await auditEvents(user.id)).filter((event) => event === 'email_verified')).toHaveLength(1);
  });

  it('returns 400 for an unknown token and 422 for a missing one', async () => {
    const unknown = await verify('x'.repeat(43));
    expect(unknown.status).toBe(400);
    // No token: a body the typed client would refuse to send.
    const missing = await api(app, '/api/v1/auth/verify-email', { json: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ field: 'token', message: expect.any(String) }]);
  });

  it('returns 400 for malformed JSON', async () => {
    const res = await api(app, '/api/v1/auth/verify-email', {
      body: '{"token": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
  });
});
