import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, REPO_ROOT, type TestDatabase } from '../../api/src/test/setup';

// The Cloud Run contract, run for real without a Docker engine: the production build started exactly as the
// image's CMD (`node api/dist/index.js`) with the environment Cloud Run gives it.

const ENTRY = join(REPO_ROOT, 'api/dist/index.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor200(url: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no 200 from ${url}`);
}

let db: TestDatabase;
let child: ChildProcess;
let stdout = '';
let base: string;
let admin: postgres.Sql;

beforeAll(async () => {
  expect(existsSync(ENTRY), 'api/dist/index.js is missing: run `npm run build` first').toBe(true);
  db = await createTestDatabase();
  admin = postgres(db.url, { max: 1, onnotice: () => {} });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['api/dist/index.js'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      K_SERVICE: 'aibc-api',
      ENVIRONMENT: 'production',
      JWT_SECRET_KEY: 'container-contract-secret-at-least-32-bytes!',
      PUBLIC_APP_URL: 'https://aibc.example',
      MFA_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
      DATABASE_URL: db.url,
      RATE_LIMIT_SIGNUP_PER_MINUTE: '1000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stdout += chunk;
  });
  await waitFor200(`${base}/health`);
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await admin?.end();
  await db?.drop();
});

describe('container contract (PORT=8080-style, K_SERVICE, production)', () => {
  it('GET /health answers 200 with the Cloud Run service name', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'healthy', service: 'aibc-api', environment: 'production' });
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('logs one JSON object per line with a Cloud Logging severity', async () => {
    await fetch(`${base}/health`);
    await new Promise((r) => setTimeout(r, 200));
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      const entry = JSON.parse(line);
      expect(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']).toContain(entry.severity);
    }
    expect(lines.some((line) => JSON.parse(line).httpRequest?.requestUrl === '/health')).toBe(true);
  });

  it('keeps at most 5 database connections under 80 concurrent requests', async () => {
    const email = `contract.${Date.now()}@example.com`;
    const password = 'Contract-Pa55word!';
    const signup = await fetch(`${base}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, full_name: 'Contract Check', password }),
    });
    expect(signup.status).toBe(201);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const { access_token } = (await login.json()) as { access_token: string };

    let maxConnections = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await admin<{ n: number }[]>`
          select count(*)::int as n
          from pg_stat_activity
          where datname = ${db.name}
            and application_name = 'aibc-api'
        `;
        maxConnections = Math.max(maxConnections, row?.n ?? 0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const rounds = 5;
    const statuses: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const batch = await Promise.all(
        Array.from({ length: 80 }, () =>
          fetch(`${base}/api/v1/users/me`, { headers: { authorization: `Bearer ${access_token}` } }).then(
            (r) => r.status,
          ),
        ),
      );
      statuses.push(...batch);
    }
    sampling = false;
    await sampler;
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(maxConnections).toBeGreaterThan(0);
    expect(maxConnections).toBeLessThanOrEqual(5);
  });

  it('on SIGTERM finishes in-flight requests and exits 0 within 10 s', async () => {
    const inFlight = Array.from({ length: 40 }, () => fetch(`${base}/health/db`).then((r) => r.status));
    await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const statuses = await Promise.all(inFlight.map((p) => p.catch(() => -1)));
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Requests already accepted are answered, not dropped.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === -1)).toBe(true);
  });
});
