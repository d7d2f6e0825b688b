// The process from outside: start on PORT, answer the probes, log one line per request (readable in development,
// Cloud Logging JSON on Cloud Run), keep secrets out of the logs, drain on SIGTERM, refuse a bad configuration with
// one clear line, and leave migrations to the CLI when MIGRATE_ON_START=false.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, uniqueEmail } from '../../api/src/test/fixtures';
import { createTestDatabase, type TestDatabase } from '../../api/src/test/setup';
import { SCHED_IDLE, SCHED_OTHER, threadScheduling } from '../../api/src/test/threads';
import {
  ensureBuilt,
  freePort,
  killAll,
  MIGRATE_ENTRY,
  probeConnect,
  QUIET_ENV,
  ROOT,
  runNode,
  SERVER_ENTRY,
  type ServerProcess,
  startServer,
  waitFor,
} from './helpers';

const PRODUCTION_SECRET = 'process-test-secret-key-that-is-at-least-32-bytes!';
// 32 bytes, base64: the production profile refuses to start without MFA_ENCRYPTION_KEY.
const PRODUCTION_MFA_KEY = Buffer.alloc(32, 5).toString('base64');
const MIGRATION_FILES = readdirSync(join(ROOT, 'sql')).filter((name) => /^\d{5}_[\w-]+\.sql$/.test(name));

let db: TestDatabase;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  ensureBuilt();
  db = await createTestDatabase();
  databases.push(db);
});

afterAll(async () => {
  await killAll();
  for (const database of databases) await database.drop();
});

/** One Cloud Logging entry as the server writes it (only the fields the tests read). */
type LogEntry = {
  severity?: string;
  message?: string;
  httpRequest?: { requestMethod: string; requestUrl: string; status: number; latency: string };
  'logging.googleapis.com/trace'?: string;
};

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

/** A password that passes the policy and appears nowhere else, so finding it in a log can only mean a leak. */
const uniquePassword = () => `Zq!${randomBytes(9).toString('hex')}-Kx7`;

describe('development profile', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ ...QUIET_ENV, DATABASE_URL: db.url, ENVIRONMENT: 'development' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('GET /health returns 200 on the PORT it was given', async () => {
    const res = await api(server, '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'healthy', service: 'aibc-api', environment: 'development' });
    // Development binds loopback only, and says so.
    expect(server.stdout()).toContain(`listening on http://127.0.0.1:${server.port}`);
  });

  test('GET /health/db returns 200 connected with its latency', async () => {
    const res = await api(server, '/health/db');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'healthy', database: 'connected' });
    expect(typeof res.body.latency_ms).toBe('number');
  });

  test('each request is logged as exactly one readable line', async () => {
    const ids = [`req-${randomBytes(6).toString('hex')}`, `req-${randomBytes(6).toString('hex')}`];
    expect((await api(server, '/health', { headers: { 'x-request-id': ids[0] as string } })).status).toBe(200);
    expect((await api(server, '/nowhere', { headers: { 'x-request-id': ids[1] as string } })).status).toBe(404);
    await waitFor('both request lines', () => ids.every((id) => server.stdout().includes(id)), 5_000);
    for (const [id, pattern] of [
      [ids[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/health \{"status":200,"ms":[\d.]+,"requestId":"req-/],
      [ids[1], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/nowhere \{"status":404,"ms":[\d.]+,"requestId":"req-/],
    ] as const) {
      const matching = lines(server.stdout()).filter((line) => line.includes(id as string));
      expect(matching).toHaveLength(1);
      expect(matching[0]).toMatch(pattern);
    }
    expect(server.stderr()).toBe('');
  });
});

describe('Cloud Run profile (K_SERVICE set)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({
      ...QUIET_ENV,
      DATABASE_URL: db.url,
      K_SERVICE: 'aibc-api',
      K_REVISION: 'aibc-api-00001-abc',
      ENVIRONMENT: 'production',
      JWT_SECRET_KEY: PRODUCTION_SECRET,
      PUBLIC_APP_URL: 'https://aibc.example',
      MFA_ENCRYPTION_KEY: PRODUCTION_MFA_KEY,
      GOOGLE_CLOUD_PROJECT: 'demo',
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('every stdout line is JSON with a Cloud Logging severity; a request line has httpRequest and the trace', async () => {
    const trace = randomBytes(16).toString('hex');
    const res = await api(server, '/health', { headers: { 'x-cloud-trace-context': `${trace}/1;o=1` } });
    expect(res.status).toBe(200);
    expect(res.body.service).toBe('aibc-api');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect((await api(server, '/nowhere')).status).toBe(404);

    // The JSON log is written asynchronously: wait for both request lines, not just the first.
    await waitFor(
      'both request lines',
      () => server.stdout().includes(trace) && server.stdout().includes('"/nowhere"'),
      5_000,
    );
    const entries = lines(server.stdout()).map((line) => {
      expect(() => JSON.parse(line), line).not.toThrow();
      return JSON.parse(line) as LogEntry;
    });
    expect(entries.length).toBeGreaterThanOrEqual(3); // listening + two requests
    for (const entry of entries) {
      expect(['INFO', 'WARNING', 'ERROR']).toContain(entry.severity);
      expect(typeof entry.message).toBe('string');
    }
    const traced = entries.filter((entry) => entry['logging.googleapis.com/trace']);
    expect(traced).toHaveLength(1);
    const line = traced[0] as LogEntry;
    expect(line['logging.googleapis.com/trace']).toBe(`projects/demo/traces/${trace}`);
    expect(line.severity).toBe('INFO');
    expect(line.httpRequest).toMatchObject({ requestMethod: 'GET', requestUrl: '/health', status: 200 });
    expect(line.httpRequest?.latency).toMatch(/^\d+\.\d+s$/);
    const notFound = entries.find((entry) => entry.httpRequest?.requestUrl === '/nowhere');
    expect(notFound?.httpRequest).toMatchObject({ requestMethod: 'GET', status: 404 });
    expect(notFound?.['logging.googleapis.com/trace']).toBeUndefined();
    expect(server.stderr()).toBe('');
  });
});

describe('no secrets in logs', () => {
  // Debug level in development and the Cloud Run JSON profile: the two ways the log is written.
  const profiles: Record<string, Record<string, string>> = {
    development: { ENVIRONMENT: 'development', LOG_LEVEL: 'trace' },
    'Cloud Run': {
      ENVIRONMENT: 'production',
      K_SERVICE: 'aibc-api',
      GOOGLE_CLOUD_PROJECT: 'demo',
      JWT_SECRET_KEY: PRODUCTION_SECRET,
      PUBLIC_APP_URL: 'https://aibc.example',
      MFA_ENCRYPTION_KEY: PRODUCTION_MFA_KEY,
      LOG_LEVEL: 'trace',
    },
  };

  test.each(Object.keys(profiles))('%s: password and tokens never reach stdout or stderr', async (profile) => {
    const server = await startServer({ ...QUIET_ENV, ...profiles[profile], DATABASE_URL: db.url });
    const email = uniqueEmail('secret');
    const password = uniquePassword();
    const wrongPassword = uniquePassword();
    try {
      const signup = await api(server, '/api/v1/auth/signup', {
        json: { email, full_name: 'Sec Ret', password },
      });
      expect(signup.status).toBe(201);
      const failed = await api(server, '/api/v1/auth/login', { form: { username: email, password: wrongPassword } });
      expect(failed.status).toBe(401);
      const login = await api(server, '/api/v1/auth/login', { form: { username: email, password } });
      expect(login.status).toBe(200);
      const { access_token: accessToken, refresh_token: refreshToken } = login.body;
      const refreshed = await api(server, '/api/v1/auth/refresh', { json: { refresh_token: refreshToken } });
      expect(refreshed.status).toBe(200);
      const me = await api(server, '/api/v1/users/me', { token: refreshed.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body.email).toBe(email);
      // A secret in the query string must not be logged either (only the path is).
      const query = await api(server, `/api/v1/users/me?access_token=${accessToken}&password=${password}`, {
        token: accessToken,
      });
      expect(query.status).toBe(200);
      const logout = await api(server, '/api/v1/auth/logout', { method: 'POST', token: refreshed.body.access_token });
      expect(logout.status).toBe(204);
      await waitFor('the logout line', () => server.stdout().includes('/api/v1/auth/logout'), 5_000);
    } finally {
      const exit = await server.stop();
      expect(exit.code).toBe(0);
    }
    const output = server.stdout() + server.stderr();
    // The request lines are there (so the check below looks at a real log) ...
    expect(output).toContain('/api/v1/auth/login');
    expect(output).toContain('/api/v1/users/me');
    // ... and none of the secrets is.
    expect(output).not.toContain(password);
    expect(output).not.toContain(wrongPassword);
    expect(output).not.toContain('Bearer ');
    expect(output).not.toMatch(/eyJ[\w-]{10,}/); // no JWT at all
    expect(output).not.toContain(PRODUCTION_SECRET);
  });

  test('the tokens of a logged-in session never reach the log', async () => {
    const server = await startServer({ ...QUIET_ENV, ...profiles.development, DATABASE_URL: db.url });
    const email = uniqueEmail('tokens');
    const password = uniquePassword();
    const secrets: string[] = [password];
    try {
      expect(
        (await api(server, '/api/v1/auth/signup', { json: { email, full_name: 'To Ken', password } })).status,
      ).toBe(201);
      const login = await api(server, '/api/v1/auth/login', { json: { email, password } });
      expect(login.status).toBe(200);
      secrets.push(login.body.access_token, login.body.refresh_token);
      const refreshed = await api({ ...server, config: { environment: 'development' } }, '/api/v1/auth/refresh', {
        method: 'POST',
        refreshCookie: login.body.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      secrets.push(refreshed.body.access_token, refreshed.body.refresh_token);
      expect((await api(server, '/api/v1/users/me', { token: refreshed.body.access_token })).status).toBe(200);
      // The used refresh token again: reuse inside the grace window, and a wrong token: both go through the log path.
      expect((await api(server, '/api/v1/auth/refresh', { json: { refresh_token: 'x'.repeat(43) } })).status).toBe(401);
      expect((await api(server, '/api/v1/users/me', { token: 'not-a-jwt-token' })).status).toBe(401);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
    const output = server.stdout() + server.stderr();
    expect(output).toContain('POST /api/v1/auth/refresh');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain('Bearer ');
    expect(output).not.toContain('not-a-jwt-token');
  });
});

describe('SIGTERM', () => {
  test('the bcrypt threads are up, under SCHED_IDLE, before the port opens: no process is forked after it', async () => {
    // A thread sets its scheduling policy by running chrt. A child forked while the port is open holds a copy of the
    // listening socket until it execs, so a SIGTERM in that moment would close a port that still accepts
    // connections (the drain test below once met exactly that). So every thread is started and settled first.
    const server = await startServer({ ...QUIET_ENV, DATABASE_URL: db.url });
    const { pid } = server.child;
    if (pid === undefined) throw new Error('the server was not spawned');
    const policies = threadScheduling(pid).map((thread) => thread.policy);
    // No password was hashed or verified yet: GET /health is all it has answered.
    expect(policies.filter((policy) => policy === SCHED_IDLE)).toHaveLength(availableParallelism());
    expect(policies).toContain(SCHED_OTHER);
    await server.stop();
  });

  test('an in-flight request completes, new connections are refused, and the process exits 0', async () => {
    // The test holds the request in flight itself: a transaction of its own locks the rate-limit counters, so the
    // signup waits inside the server, in PostgreSQL, for as long as the test wants, however busy the CPU is. (A slow
    // bcrypt did this before; on a loaded CI box the idle-priority bcrypt thread starved past the 8 s drain.) A
    // database of its own, so the lock can only hold up this server.
    const own = await createTestDatabase();
    databases.push(own);
    const server = await startServer({ ...QUIET_ENV, DATABASE_URL: own.url });
    const sql = postgres(own.url, { max: 2, onnotice: () => {} });
    const holder = await sql.reserve();
    try {
      await holder`begin`;
      await holder`lock table rate_limit_hits in access exclusive mode`;
      let answeredAt = 0;
      const email = uniqueEmail('drain');
      const inFlight = api(server, '/api/v1/auth/signup', {
        json: { email, full_name: 'Held Signup', password: uniquePassword() },
      }).then((res) => {
        answeredAt = Date.now();
        return res;
      });
      await waitFor(
        'the signup to wait on the lock inside the server',
        async () => {
          const [row] = await sql`
            select count(*)::int as n
            from pg_stat_activity
            where datname = current_database()
              and wait_event_type = 'Lock'
              and query ilike '%rate_limit_hits%'
          `;
          return (row?.n ?? 0) > 0;
        },
        10_000,
        10,
      );
      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      await waitFor('the drain line', () => server.stdout().includes('SIGTERM received'), 5_000, 10);
      // While the signup is still in flight, the port no longer accepts connections.
      expect(await probeConnect(server.port)).toBe('ECONNREFUSED');
      expect(answeredAt).toBe(0);

      await holder`commit`;
      const res = await inFlight;
      expect(answeredAt).toBeGreaterThan(signalledAt);
      expect(res.status).toBe(201);
      expect(res.body.email).toBe(email);

      const exit = await Promise.race([
        server.exited,
        new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 10_000)),
      ]);
      expect(exit).toEqual({ code: 0, signal: null });
      // Cloud Run kills the instance 10 s after SIGTERM; and once the last request has answered, its keep-alive
      // connection must not hold the process until the keep-alive or drain timeout.
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect(Date.now() - answeredAt).toBeLessThan(2_000);
      expect(server.stdout()).toContain('stopped');
      expect(server.stderr()).toBe('');
    } finally {
      // Closing the connection ends the transaction, if a failure left it open.
      holder.release();
      await sql.end();
    }
  });

  test('an idle server exits 0 quickly on SIGTERM', async () => {
    const server = await startServer({ ...QUIET_ENV, DATABASE_URL: db.url });
    expect((await api(server, '/health/db')).status).toBe(200); // leaves a keep-alive connection and a pool client
    const exit = await server.stop();
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(3_000);
  });
});

describe('bad configuration', () => {
  const PRODUCTION = {
    ENVIRONMENT: 'production',
    JWT_SECRET_KEY: PRODUCTION_SECRET,
    PUBLIC_APP_URL: 'https://aibc.example',
  };
  const cases: [string, Record<string, string>, string][] = [
    ['production without JWT_SECRET_KEY', { ENVIRONMENT: 'production' }, 'JWT_SECRET_KEY'],
    ['a JWT_SECRET_KEY shorter than 32 bytes', { JWT_SECRET_KEY: 'short' }, 'JWT_SECRET_KEY'],
    ['PORT=abc', { PORT: 'abc' }, 'PORT'],
    ['PORT=70000', { PORT: '70000' }, 'PORT'],
    ['DB_POOL_MAX=-3', { DB_POOL_MAX: '-3' }, 'DB_POOL_MAX'],
    ['ENVIRONMENT=staging', { ENVIRONMENT: 'staging' }, 'ENVIRONMENT'],
    ['DATABASE_URL=mysql://...', { DATABASE_URL: 'mysql://root@localhost/db' }, 'DATABASE_URL'],
    [
      'production with mail in clear (plain smtp://)',
      { ...PRODUCTION, SMTP_URL: 'smtp://mail.example.com:587' },
      'SMTP_URL must use TLS',
    ],
    // The other production refusals (published keys, PUBLIC_APP_URL) take the same path; env.test.ts covers them.
  ];

  // Concurrent: each case is a process that exits at once; nothing is shared between them.
  test.concurrent.for(cases)(
    '%s: exit 1 with one line on stderr naming the variable',
    async ([, env, variable], { expect }) => {
      const result = await runNode(
        SERVER_ENTRY,
        { DATABASE_URL: db.url, PORT: String(await freePort()), ...env },
        // Generous: the cases start together, and on a busy host process start-up alone takes seconds.
        25_000,
      );
      expect(result.code).toBe(1);
      expect(result.stderr.endsWith('\n')).toBe(true);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain(variable);
      expect(result.stderr).not.toContain('    at ');
      expect(result.stderr).not.toContain('Error:');
      expect(result.stdout).toBe('');
    },
  );

  test('an unreachable database: exit 1 with one line, no stack', async () => {
    const port = await freePort(); // nobody listens there
    const result = await runNode(
      SERVER_ENTRY,
      { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing`, PORT: String(await freePort()) },
      15_000,
    );
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^Startup failed: .*ECONNREFUSED/);
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('MIGRATE_ON_START=false', () => {
  test('the server starts without creating tables; migrate-cli applies them, then reports up to date', async () => {
    const empty = await createTestDatabase();
    databases.push(empty);
    const sql = postgres(empty.url, { max: 1, onnotice: () => {} });
    try {
      const server = await startServer({ ...QUIET_ENV, DATABASE_URL: empty.url, MIGRATE_ON_START: 'false' });
      try {
        expect((await api(server, '/health')).status).toBe(200);
        expect((await api(server, '/health/db')).status).toBe(200);
        const [before] =
          await sql`select to_regclass('public.users') as users, to_regclass('public.schema_migrations') as migrations`;
        expect(before).toEqual({ users: null, migrations: null });
      } finally {
        expect((await server.stop()).code).toBe(0);
      }
      expect(server.stdout()).not.toContain('migrations applied');

      const first = await runNode(MIGRATE_ENTRY, { DATABASE_URL: empty.url });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toBe(`applied: ${[...MIGRATION_FILES].sort().join(', ')}\n`);
      const [after] = await sql`select to_regclass('public.users')::text as users`;
      expect(after?.users).toBe('users');
      const recorded = await sql`select name from schema_migrations order by name`;
      expect(recorded.map((row) => row.name)).toEqual([...MIGRATION_FILES].sort());
      // The deployment runs this CLI as its migration job and the service with MIGRATE_ON_START=false, so the
      // CLI is what brings the curriculum content into the database too.
      const [courses] = await sql`select count(*)::int as n from courses`;
      expect(courses?.n).toBeGreaterThan(0);

      const second = await runNode(MIGRATE_ENTRY, { DATABASE_URL: empty.url });
      expect(second.code).toBe(0);
      expect(second.stdout).toBe('database is up to date\n');
      expect(second.stderr).toBe('');
    } finally {
      await sql.end();
    }
  });

  test('migrate-cli with a bad DATABASE_URL exits 1 with one line', async () => {
    const result = await runNode(MIGRATE_ENTRY, { DATABASE_URL: 'mysql://nope' });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stderr).not.toContain('    at ');
  });
});
