import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../app';
import { migrate } from '../db/migrate';
import { createDeps, type Deps } from '../deps';
import { type Config, loadConfig } from '../env';
import type { Clock } from '../platform/clock';
import { createLogger } from '../platform/logger';
import { findRepoRoot } from '../platform/paths';
import { serveApp } from '../platform/serve';
import { startSmtpServer, type TestSmtpServer } from './smtp';

// Tests talk to the real PostgreSQL on 127.0.0.1:5432. Each test file gets a database of its own.
export const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REPO_ROOT = findRepoRoot();

export type TestDatabase = { url: string; name: string; drop: () => Promise<void> };

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `aibc_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  await admin.end();
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    name,
    drop: async () => {
      const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await sql`drop database if exists ${sql(name)} with (force)`;
      await sql.end();
    },
  };
}

// A clock the test moves: expiry, lockout and grace windows are tested without sleeping.
export type FakeClock = Clock & { set: (date: Date) => void; advance: (seconds: number) => void };

export function createFakeClock(start = new Date()): FakeClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (date) => {
      current = new Date(date);
    },
    advance: (seconds) => {
      current = new Date(current.getTime() + seconds * 1000);
    },
  };
}

export type TestApp = {
  url: string;
  deps: Deps;
  sql: postgres.Sql;
  clock: FakeClock;
  config: Config;
  close: () => Promise<void>;
};

export const TEST_ENV: Record<string, string> = {
  ENVIRONMENT: 'test',
  JWT_SECRET_KEY: 'test-secret-key-that-is-at-least-32-bytes-long!',
  BCRYPT_ROUNDS: '4',
  RATE_LIMIT_SIGNUP_PER_MINUTE: '1000',
  RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
  RATE_LIMIT_RESET_PER_MINUTE: '1000',
  RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE: '1000',
  RATE_LIMIT_MAIL_PER_HOUR: '1000',
  // Room in the password gate for the tests that fire 20 guesses at once: with the production default (16 waiting,
  // 3 s each) a busy CI box shed some of them with 503 before they reached the lockout they test. The load-shedding
  // tests (password-flood.test.ts) set their own bounds.
  PASSWORD_HASH_QUEUE_MAX: '64',
  PASSWORD_HASH_QUEUE_WAIT_MS: '60000',
  // 32 bytes of test key, so tests can read what the app encrypted (and prove the database alone cannot).
  MFA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

export type StartTestAppOptions = {
  env?: Record<string, string>;
  clock?: FakeClock;
  migrate?: boolean;
  // Extra postgres.js options for the app's client, e.g. `debug` to count the queries a request makes.
  sqlOptions?: postgres.Options<Record<string, never>>;
  // Mail goes to `env.SMTP_URL` (see test/smtp.ts) and is disabled without it; this shortens the back-off.
  mailRetryDelaysMs?: readonly number[];
};

// Starts the real app on a loopback port over a migrated database. `env` overrides TEST_ENV.
export async function startTestApp(databaseUrl: string, options: StartTestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ ...TEST_ENV, ...options.env, DATABASE_URL: databaseUrl });
  const sql = postgres(databaseUrl, { max: 5, onnotice: () => {}, ...options.sqlOptions });
  if (options.migrate !== false) await migrate(sql, join(REPO_ROOT, 'sql'));
  const clock = options.clock ?? createFakeClock();
  const deps = createDeps(config, {
    sql,
    clock,
    version: 'test',
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', json: false }),
    mailRetryDelaysMs: options.mailRetryDelaysMs,
  });
  const app = createApp(deps);
  const server = serveApp(app, {
    port: 0,
    hostname: '127.0.0.1',
    hsts: config.environment === 'production',
    ...config.server,
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deps,
    sql,
    clock,
    config,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await sql.end({ timeout: 5 });
    },
  };
}

export type UseTestAppOptions = StartTestAppOptions & {
  // Starts a test SMTP server first and points the app's SMTP_URL at it.
  smtp?: boolean;
  // Runs in beforeAll once the app is up (seed data, sign a user in).
  afterStart?: (app: TestApp) => Promise<void>;
};

// The usual header of an API test file: a database of its own and one app over it, started in beforeAll and
// closed in afterAll. The returned objects are empty until beforeAll has run (they are filled in place), so read
// them inside hooks and tests, not at the top level of the file.
export function useTestApp(options: UseTestAppOptions & { smtp: true }): {
  app: TestApp;
  db: TestDatabase;
  smtp: TestSmtpServer;
};
export function useTestApp(options?: UseTestAppOptions): { app: TestApp; db: TestDatabase };
export function useTestApp({ smtp: withSmtp, afterStart, ...options }: UseTestAppOptions = {}) {
  const db = {} as TestDatabase;
  const app = {} as TestApp;
  const smtp = {} as TestSmtpServer;
  beforeAll(async () => {
    Object.assign(db, await createTestDatabase());
    if (withSmtp) Object.assign(smtp, await startSmtpServer());
    const env = withSmtp ? { SMTP_URL: smtp.url, ...options.env } : options.env;
    Object.assign(app, await startTestApp(db.url, { ...options, env }));
    await afterStart?.(app);
  });
  afterAll(async () => {
    await app.close?.();
    await smtp.close?.();
    await db.drop?.();
  });
  return withSmtp ? { app, db, smtp } : { app, db };
}
