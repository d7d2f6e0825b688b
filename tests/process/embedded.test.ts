// The embedded path: with no DATABASE_URL the server runs PGlite in-process on PGLITE_DIR. A smoke test of the
// whole cycle a developer lives through: start, sign up, log in, stop, start again on the same directory, and the
// account is still there.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, uniqueEmail } from '../../api/src/test/fixtures';
import { ensureBuilt, killAll, QUIET_ENV, ROOT, type ServerProcess, startServer } from './helpers';

// PGlite's first start (initdb in WebAssembly) takes seconds.
const START_TIMEOUT_MS = 30_000;
const PASSWORD = 'Embedded-Pa55word!';

let dataDir: string;

beforeAll(() => {
  ensureBuilt();
  // An absolute directory outside the repository, as a developer or a CI job might give.
  dataDir = mkdtempSync(join(tmpdir(), 'aibc-embedded-test-'));
});

afterAll(async () => {
  await killAll();
  rmSync(dataDir, { recursive: true, force: true });
  // `join(root, '/tmp/...')` would have put the data under the repository instead; never leave that behind.
  rmSync(join(ROOT, dataDir), { recursive: true, force: true });
});

const startEmbedded = () =>
  startServer({ ...QUIET_ENV, PGLITE_DIR: dataDir, DATABASE_URL: undefined }, { timeoutMs: START_TIMEOUT_MS });

async function stop(server: ServerProcess) {
  const exit = await server.stop(15_000);
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(server.stderr()).toBe('');
  // The private socket directory of that process (aibc-pglite-<pid>-...) is gone with it.
  const prefix = `aibc-pglite-${server.child.pid}-`;
  expect(readdirSync(tmpdir()).filter((name) => name.startsWith(prefix))).toEqual([]);
}

const email = uniqueEmail('embedded');

test(
  'first start: sign up and log in on PGlite in the absolute PGLITE_DIR, then stop with exit 0',
  async () => {
    const server = await startEmbedded();
    try {
      expect(server.stdout()).toContain(`embedded PostgreSQL (PGlite) in ${dataDir}`);
      const db = await api(server, '/health/db');
      expect(db.status).toBe(200);
      expect(db.body.database).toBe('connected');

      const signup = await api(server, '/api/v1/auth/signup', {
        json: { email, full_name: 'Em Bedded', password: PASSWORD },
      });
      expect(signup.status).toBe(201);
      const login = await api(server, '/api/v1/auth/login', { form: { username: email, password: PASSWORD } });
      expect(login.status).toBe(200);
      const me = await api(server, '/api/v1/users/me', { token: login.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body.email).toBe(email);
    } finally {
      await stop(server);
    }
    // The data lives in the directory that was given, not in a copy of its path under the repository.
    expect(readdirSync(dataDir)).toContain('PG_VERSION');
    expect(existsSync(join(ROOT, dataDir))).toBe(false);
    expect(server.stdout()).toContain('migrations applied');
  },
  START_TIMEOUT_MS * 2,
);

test(
  'second start on the same directory: the account survived, the same credentials log in',
  async () => {
    const server = await startEmbedded();
    try {
      // Nothing left to migrate: the schema survived too.
      expect(server.stdout()).not.toContain('migrations applied');
      const login = await api(server, '/api/v1/auth/login', { form: { username: email, password: PASSWORD } });
      expect(login.status).toBe(200);
      expect(login.body.token_type).toBe('bearer');
      const me = await api(server, '/api/v1/users/me', { token: login.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ email, full_name: 'Em Bedded' });
      expect(me.body.last_login_at).not.toBeNull();
      const again = await api(server, '/api/v1/auth/signup', {
        json: { email, full_name: 'Em Bedded', password: PASSWORD },
      });
      expect(again.status).toBe(409);
    } finally {
      await stop(server);
    }
  },
  START_TIMEOUT_MS * 2,
);
