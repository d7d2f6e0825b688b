import { createServer } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client, createUser, loginAs } from '../test/fixtures';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from '../test/setup';
import { startSmtpServer, type TestSmtpServer } from '../test/smtp';
import { createMailer, type MailMessage } from './mailer';

const SECRET_LINK = 'https://app.aibootcamp.test/reset-password?token=SeCrEt-ToKeN-0123456789';

let db: TestDatabase;
const closers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((closer) => closer.close()));
});
afterAll(async () => {
  await db?.drop();
});

function captureLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
  return { logger, lines, text: () => lines.join('') };
}

function message(to = 'Ada.Lovelace@Example.com'): MailMessage {
  return {
    to,
    subject: 'Reset your AI Bootcamp password',
    text: `Open ${SECRET_LINK}`,
    html: `<p><a href="${SECRET_LINK}">Reset</a></p>`,
    link: SECRET_LINK,
  };
}

// A port nothing listens on: the SMTP server is "down".
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function smtpServer(options: Parameters<typeof startSmtpServer>[0] = {}): Promise<TestSmtpServer> {
  const smtp = await startSmtpServer(options);
  closers.push(smtp);
  return smtp;
}

describe('createMailer', () => {
  it('sends in the background: send() returns at once and idle() resolves once the mail has arrived', async () => {
    const smtp = await smtpServer({ delayMs: 300 });
    const { logger } = captureLogger();
    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: 'AI Bootcamp <no-reply@aibootcamp.test>',
      logger,
      environment: 'test',
    });

    // send() returns nothing to wait for, and nothing has arrived when it returns: the delivery is in the background.
    expect(mailer.send(message())).toBeUndefined();
    expect(smtp.messages).toHaveLength(0);

    await mailer.idle();
    expect(smtp.messages).toHaveLength(1);
    const mail = await smtp.waitForMessage('ada.lovelace@example.com');
    expect(mail.from).toBe('no-reply@aibootcamp.test');
    expect(mail.text).toContain(SECRET_LINK);
    expect(mail.html).toContain(`href="${SECRET_LINK}"`);
    expect(mail.links).toEqual([SECRET_LINK]);
  });

  it('retries a temporary failure with back-off and logs no address, link or token', async () => {
    const smtp = await smtpServer({ failFirst: 2 });
    const { logger, text } = captureLogger();
    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: 'no-reply@aibootcamp.test',
      logger,
      environment: 'production',
      retryDelaysMs: [20, 20, 20],
    });
    mailer.send(message());
    await mailer.idle();

    expect(smtp.messages).toHaveLength(1);
    const log = text();
    expect(log.match(/mail send failed; retrying/g)).toHaveLength(2);
    expect(log).toContain('"domain":"example.com"');
    expect(log).toContain('"responseCode":451');
    expect(log).toMatch(/mail sent/);
    expect(log).not.toMatch(/ada\.lovelace|SeCrEt-ToKeN|reset-password\?/i);
  });

  it('gives up after the last try when SMTP is down, logging the domain only, and never throws', async () => {
    const port = await closedPort();
    const { logger, lines, text } = captureLogger();
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'no-reply@aibootcamp.test',
      logger,
      environment: 'production',
      retryDelaysMs: [10, 10],
    });
    mailer.send(message());
    await mailer.idle();

    const records = lines.map((line) => JSON.parse(line));
    const retries = records.filter((record) => record.msg === 'mail send failed; retrying');
    expect(retries).toHaveLength(2);
    const failure = records.find((record) => String(record.msg).startsWith('mail could not be sent'));
    expect(failure).toMatchObject({ level: 50, domain: 'example.com', attempts: 3, code: expect.any(String) });
    expect(text()).not.toMatch(/ada\.lovelace|SeCrEt-ToKeN|reset-password\?/i);
  });

  it('prints the link in development without SMTP_URL, so a newcomer can click it', async () => {
    const { logger, text } = captureLogger();
    const mailer = createMailer({ smtpUrl: undefined, from: 'x@y.z', logger, environment: 'development' });
    mailer.send(message());
    await mailer.idle();
    expect(text()).toContain(SECRET_LINK);
    expect(text()).toMatch(/mail not sent \(no SMTP_URL\)/);
  });

  it.each(['test', 'production'] as const)(
    'says mail is disabled in %s without SMTP_URL, without the link',
    async (environment) => {
      const { logger, text } = captureLogger();
      const mailer = createMailer({ smtpUrl: undefined, from: 'x@y.z', logger, environment });
      mailer.send(message());
      await mailer.idle();
      expect(text()).toMatch(/mail disabled/);
      expect(text()).toContain('"domain":"example.com"');
      expect(text()).not.toMatch(/SeCrEt-ToKeN|reset-password\?|ada\.lovelace/i);
    },
  );
});

describe('the API with SMTP down', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(db.url, {
      env: { SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` },
      mailRetryDelaysMs: [10, 10],
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('POST /auth/password-reset/request still returns 202 and the token row is kept', async () => {
    const user = await createUser(app);
    const res = await client(app).api.v1.auth['password-reset'].request.$post({ json: { email: user.email } });
    expect(res.status).toBe(202);
    await app.deps.mailer.idle();
    const rows = await app.sql`
      select id
      from password_reset_tokens
      where user_id = ${user.id}
        and used_at is null
    `;
    expect(rows).toHaveLength(1);
  });

  it('POST /auth/verify-email/request still returns 202 and the token row is kept', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await client(app, session.access_token).api.v1.auth['verify-email'].request.$post();
    expect(res.status).toBe(202);
    await app.deps.mailer.idle();
    const rows = await app.sql`
      select id
      from email_verification_tokens
      where user_id = ${user.id}
        and used_at is null
    `;
    expect(rows).toHaveLength(1);
  });

  it('POST /users/me/password still returns 204 when the notice cannot be sent', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await client(app, session.access_token).api.v1.users.me.password.$post({
      json: { current_password: user.password, new_password: 'Mail-Less-Change-9' },
    });
    expect(res.status).toBe(204);
    await app.deps.mailer.idle();
  });
});
