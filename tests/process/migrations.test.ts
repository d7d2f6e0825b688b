// The migration runner against a real PostgreSQL: instances that start together on one empty database apply each
// file exactly once (the advisory lock), an edited file that was already applied is refused by name, and a failing
// file names itself and leaves nothing half-applied.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrate } from '../../api/src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../../api/src/test/setup';
import { ensureBuilt, killAll, MIGRATE_ENTRY, ROOT, runNode, spawnNode, TcpProxy, waitFor } from './helpers';

const SQL_DIR = join(ROOT, 'sql');
const FILES = readdirSync(SQL_DIR)
  .filter((name) => /^\d{5}_[\w-]+\.sql$/.test(name))
  .sort();

const databases: TestDatabase[] = [];
const clients: postgres.Sql[] = [];
const tmpDirs: string[] = [];

async function emptyDatabase() {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

function client(url: string) {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  clients.push(sql);
  return sql;
}

beforeAll(() => {
  expect(FILES.length).toBeGreaterThan(0);
});

afterAll(async () => {
  await killAll();
  await Promise.all(clients.map((sql) => sql.end({ timeout: 5 })));
  for (const database of databases) await database.drop();
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('migrate()', () => {
  test('two runs started together on one empty database both succeed and apply each file once', async () => {
    const { url } = await emptyDatabase();
    const first = client(url);
    const second = client(url);
    // Both clients connected before the race starts, so neither gets a head start from its connect.
    await Promise.all([first`select 1`, second`select 1`]);

    const results = await Promise.all([migrate(first, SQL_DIR), migrate(second, SQL_DIR)]);

    const applied = results.flatMap((result) => result.applied).sort();
    expect(applied).toEqual(FILES);
    // One run did the work; the other waited on the lock and found nothing left to do.
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, FILES.length]);
    const rows = await first<{ name: string; n: number }[]>`
      select name, count(*)::int as n from schema_migrations group by name order by name
    `;
    expect(rows.map((row) => row.name)).toEqual(FILES);
    expect(rows.every((row) => row.n === 1)).toBe(true);
    const [users] = await first`select to_regclass('public.users')::text as name`;
    expect(users?.name).toBe('users');

    // A third run afterwards is a no-op.
    expect(await migrate(first, SQL_DIR)).toEqual({ applied: [] });
  });

  test('an edited checksum makes the next run throw naming the file, and changes nothing', async () => {
    const { url } = await emptyDatabase();
    const sql = client(url);
    await migrate(sql, SQL_DIR);
    const victim = FILES[0] as string;
    await sql`update schema_migrations set checksum = 'x' where name = ${victim}`;

    await expect(migrate(sql, SQL_DIR)).rejects.toThrow(victim);
    const rows = await sql`select name, checksum from schema_migrations order by name`;
    expect(rows).toHaveLength(FILES.length);
    expect(rows.find((row) => row.name === victim)?.checksum).toBe('x');
  });

  test('a failing file names itself and the whole run rolls back; once fixed, the next run applies every file once', async () => {
    const { url } = await emptyDatabase();
    const sql = client(url);
    const dir = mkdtempSync(join(tmpdir(), 'aibc-migrations-'));
    tmpDirs.push(dir);
    for (const name of FILES) copyFileSync(join(SQL_DIR, name), join(dir, name));
    const broken = '99999_broken.sql';
    writeFileSync(join(dir, broken), 'create table broken_one (id int);\nselect * from table_that_does_not_exist;\n');

    await expect(migrate(sql, dir)).rejects.toThrow(broken);
    const [state] = await sql`
      select to_regclass('public.broken_one') as broken, to_regclass('public.schema_migrations') as migrations
    `;
    expect(state).toEqual({ broken: null, migrations: null });

    // Fixed: the next run applies every file (the failed run kept none), each exactly once.
    writeFileSync(join(dir, broken), 'create table broken_one (id int);\n');
    const fixed = await migrate(sql, dir);
    expect(fixed.applied).toEqual([...FILES, broken]);
    const rows = await sql`select name from schema_migrations order by name`;
    expect(rows.map((row) => row.name)).toEqual([...FILES, broken]);
  });
});

describe('migrate-cli', () => {
  test('two CLI processes started together on one empty database both exit 0, each file applied once', async () => {
    ensureBuilt();
    const { url } = await emptyDatabase();
    const runs = await Promise.all([
      runNode(MIGRATE_ENTRY, { DATABASE_URL: url }),
      runNode(MIGRATE_ENTRY, { DATABASE_URL: url }),
    ]);
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    expect(runs.map((run) => run.stdout).sort()).toEqual([
      `applied: ${FILES.join(', ')}\n`,
      'database is up to date\n',
    ]);
    const sql = client(url);
    const [count] = await sql`select count(*)::int as n, count(distinct name)::int as names from schema_migrations`;
    expect(count).toEqual({ n: FILES.length, names: FILES.length });
    const [courses] = await sql`select count(*)::int as n from courses`;
    expect(courses?.n).toBeGreaterThan(0);
  });

  // The job's Direct VPC egress may come up after the container (Cloud Run): the CLI waits for an unreachable
  // database instead of failing the deployment at once, and gives up after MIGRATE_CONNECT_WAIT_SECONDS.
  test('the CLI waits for a database that is not reachable yet, then migrates; it gives up after the wait', async () => {
    ensureBuilt();
    const { url } = await emptyDatabase();
    const target = new URL(url);
    const proxy = new TcpProxy(Number(target.port || 5432), target.hostname);
    await proxy.start();
    await proxy.cut();
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    try {
      const started = Date.now();
      const run = spawnNode(MIGRATE_ENTRY, { DATABASE_URL: viaProxy.toString(), MIGRATE_CONNECT_WAIT_SECONDS: '30' });
      await waitFor('a retry line', () => run.stderr().includes('database not reachable yet (ECONNREFUSED)'), 10_000);
      await proxy.restore();
      const exit = await run.exited;
      expect(exit.code, run.stderr()).toBe(0);
      expect(run.stdout()).toContain(`applied: ${FILES.join(', ')}`);
      expect(Date.now() - started).toBeLessThan(30_000);

      await proxy.cut();
      const gaveUpAt = Date.now();
      const gaveUp = await runNode(MIGRATE_ENTRY, {
        DATABASE_URL: viaProxy.toString(),
        MIGRATE_CONNECT_WAIT_SECONDS: '2',
      });
      expect(gaveUp.code).toBe(1);
      expect(gaveUp.stderr).toMatch(/Migration failed: .*ECONNREFUSED/);
      expect(Date.now() - gaveUpAt).toBeLessThan(10_000);
    } finally {
      await proxy.close();
    }
  });

  test('the CLI does not wait on an answer that retrying cannot change (a database that does not exist)', async () => {
    ensureBuilt();
    const { url } = await emptyDatabase();
    const missing = url.replace(/\/[^/]*$/, '/aibc_no_such_database');
    const started = Date.now();
    const run = await runNode(MIGRATE_ENTRY, { DATABASE_URL: missing, MIGRATE_CONNECT_WAIT_SECONDS: '60' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('aibc_no_such_database');
    expect(run.stderr).not.toContain('not reachable yet');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
