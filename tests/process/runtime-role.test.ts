// Two database users, as on Cloud SQL (docs/cloud-run.md): an owner that runs the migrations and owns the schema, and
// the runtime role the service connects as. The owner here is what `gcloud sql users create` makes (LOGIN, CREATEDB,
// CREATEROLE, no superuser) and owns the database; the runtime role starts out with the same attributes and a
// stand-in for cloudsqlsuperuser, as a gcloud-made user would. The built migration CLI, given DATABASE_RUNTIME_USER,
// must leave that role able to read and write every app table — including tables later migrations add — and unable
// to change the schema; the built server must run as it.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrate } from '../../api/src/db/migrate';
import { grantRuntimeRole } from '../../api/src/db/runtime-role';
import { api, uniqueEmail } from '../../api/src/test/fixtures';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../../api/src/test/setup';
import { ensureBuilt, killAll, MIGRATE_ENTRY, QUIET_ENV, ROOT, runNode, startServer } from './helpers';

const SQL_DIR = join(ROOT, 'sql');
const FILES = readdirSync(SQL_DIR)
  .filter((name) => /^\d{5}_[\w-]+\.sql$/.test(name))
  .sort();
const TEST_ENV = {
  ...QUIET_ENV,
  ENVIRONMENT: 'test',
  JWT_SECRET_KEY: 'test-secret-key-that-is-at-least-32-bytes-long!',
};

// Roles are global to the cluster: every name carries this file's random suffix, and afterAll drops them.
const suffix = randomBytes(4).toString('hex');
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
const roles: string[] = [];
const databases: TestDatabase[] = [];
const clients: postgres.Sql[] = [];
const tmpDirs: string[] = [];

function urlFor(database: TestDatabase, user: string) {
  const url = new URL(database.url);
  url.username = user;
  return url.toString();
}

function client(url: string) {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  clients.push(sql);
  return sql;
}

async function createRole(name: string, attributes: string) {
  await admin.unsafe(`create role ${name} ${attributes}`);
  roles.push(name);
  return name;
}

type Setup = { database: TestDatabase; owner: string; runtime: string; ownerUrl: string; runtimeUrl: string };

/** A database owned by a Cloud SQL-like owner, with a runtime role made the way gcloud would make it. */
async function cloudSqlLikeDatabase(label: string, elevated?: string): Promise<Setup> {
  const database = await createTestDatabase();
  databases.push(database);
  const owner = await createRole(`aibc_owner_${label}_${suffix}`, 'login createdb createrole');
  const runtime = await createRole(`aibc_app_${label}_${suffix}`, 'login createdb createrole');
  if (elevated) await admin.unsafe(`grant ${elevated} to ${runtime}`);
  // PostgreSQL 15: the schema public belongs to pg_database_owner, so the database's owner may create in it, as a
  // cloudsqlsuperuser member may on Cloud SQL. PUBLIC keeps only USAGE there.
  await admin.unsafe(`alter database ${database.name} owner to ${owner}`);
  return { database, owner, runtime, ownerUrl: urlFor(database, owner), runtimeUrl: urlFor(database, runtime) };
}

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

let elevated = '';

beforeAll(async () => {
  ensureBuilt();
  expect(FILES.length).toBeGreaterThan(0);
  // Stands in for cloudsqlsuperuser: a role whose members may create in the schema.
  elevated = await createRole(`aibc_elevated_${suffix}`, 'nologin');
});

afterAll(async () => {
  await killAll();
  await Promise.all(clients.map((sql) => sql.end({ timeout: 5 })));
  for (const database of databases) await database.drop();
  for (const role of roles.reverse()) await admin.unsafe(`drop role if exists ${role}`);
  await admin.end({ timeout: 5 });
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the migration job with DATABASE_RUNTIME_USER', () => {
  let setup: Setup;
  let owner: postgres.Sql;
  let runtime: postgres.Sql;

  beforeAll(async () => {
    setup = await cloudSqlLikeDatabase('job');
    const run = await runNode(MIGRATE_ENTRY, { DATABASE_URL: setup.ownerUrl, DATABASE_RUNTIME_USER: setup.runtime });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`applied: ${FILES.join(', ')}`);
    expect(run.stdout).toContain(`runtime role ${setup.runtime}: read/write on the tables of schema public, no DDL`);
    owner = client(setup.ownerUrl);
    runtime = client(setup.runtimeUrl);
  });

  test('the owner owns every table; the runtime role owns nothing and lost CREATEDB and CREATEROLE', async () => {
    const tables = await owner<{ owner: string }[]>`
      select distinct tableowner as owner from pg_tables where schemaname = 'public'
    `;
    expect(tables.map((row) => row.owner)).toEqual([setup.owner]);
    const [role] = await owner`
      select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = ${setup.runtime}
    `;
    expect(role).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
  });

  test('the runtime role reads, inserts, updates and deletes app rows, identity columns included', async () => {
    const email = uniqueEmail('runtime');
    const [user] = await runtime<{ id: string }[]>`
      insert into users (email, hashed_password, full_name) values (${email}, 'x', 'Run Time') returning id
    `;
    expect(user?.id).toBeTruthy();
    await runtime`update users set full_name = 'Run Time Two' where id = ${user?.id as string}`;
    const [read] = await runtime`select full_name from users where id = ${user?.id as string}`;
    expect(read?.full_name).toBe('Run Time Two');
    // audit_logs.id is an identity column: inserting needs USAGE on its sequence.
    const [audit] = await runtime<{ id: string }[]>`
      insert into audit_logs (event, user_id, email) values ('test.runtime', ${user?.id as string}, ${email})
      returning id
    `;
    expect(Number(audit?.id)).toBeGreaterThan(0);
    await runtime`delete from audit_logs where id = ${audit?.id as string}`;
    await runtime`delete from users where id = ${user?.id as string}`;
    expect(await runtime`select 1 from users where id = ${user?.id as string}`).toHaveLength(0);
  });

  test('the runtime role cannot create, alter, drop or truncate anything, nor write the migrations table', async () => {
    const attempts: Record<string, () => Promise<unknown>> = {
      'create table': () => runtime`create table intruder (id int)`,
      'create index': () => runtime`create index intruder_idx on users (full_name)`,
      'create function': () => runtime`create function intruder() returns int language sql as 'select 1'`,
      'create schema': () => runtime`create schema intruder`,
      'alter table': () => runtime`alter table users add column intruder text`,
      'drop table': () => runtime`drop table sessions`,
      'drop function': () => runtime`drop function refresh_course_learner(uuid, uuid)`,
      truncate: () => runtime`truncate login_attempts`,
      'insert schema_migrations': () => runtime`insert into schema_migrations (name, checksum) values ('x', 'y')`,
      'delete schema_migrations': () => runtime`delete from schema_migrations`,
      'create role': () => runtime`create role intruder`,
    };
    const results: Record<string, string> = {};
    for (const [what, attempt] of Object.entries(attempts)) results[what] = await outcome(attempt);
    // 42501 insufficient_privilege, every one.
    expect(results).toEqual(Object.fromEntries(Object.keys(attempts).map((what) => [what, '42501'])));
    // Passing its rights on is no error (PostgreSQL only warns, as it holds no grant option) but grants nothing.
    await runtime`grant select on users to public`;
    const [passedOn] = await owner`
      select count(*)::int as n from information_schema.role_table_grants where grantee = 'PUBLIC' and table_name = 'users'
    `;
    expect(passedOn?.n).toBe(0);
    // It may read which migrations ran.
    expect(await runtime`select name from schema_migrations`).toHaveLength(FILES.length);
    // Nothing slipped through.
    const [leftovers] = await owner`
      select to_regclass('intruder') as t, to_regclass('intruder_idx') as i,
        (select count(*)::int from information_schema.columns where column_name = 'intruder') as c
    `;
    expect(leftovers).toEqual({ t: null, i: null, c: 0 });
  });

  test('the service starts and serves as the runtime role, MIGRATE_ON_START on or off, on an up-to-date schema', async () => {
    for (const migrateOnStart of ['false', 'true']) {
      const server = await startServer({
        ...TEST_ENV,
        DATABASE_URL: setup.runtimeUrl,
        MIGRATE_ON_START: migrateOnStart,
      });
      try {
        expect((await api(server, '/health/db')).status).toBe(200);
        const email = uniqueEmail(`serve-${migrateOnStart}`);
        const password = 'Tr1cky-Pa55word!';
        const signup = await api(server, '/api/v1/auth/signup', { json: { email, full_name: 'Ser Ve', password } });
        expect(signup.status).toBe(201);
        const login = await api(server, '/api/v1/auth/login', { json: { email, password } });
        expect(login.status).toBe(200);
        const token = login.body.access_token as string;
        // A lesson marked done goes through the course_learners trigger, which writes as the caller.
        const courses = await api(server, '/api/v1/courses');
        expect(courses.status).toBe(200);
        const course = await api(server, `/api/v1/courses/${courses.body[0].slug}`);
        const lessonId = course.body.modules[0].lessons[0].id as string;
        const progress = await api(server, `/api/v1/users/me/progress/${lessonId}`, {
          method: 'PUT',
          json: { status: 'completed' },
          token,
        });
        expect(progress.status).toBe(200);
        const [learner] = await owner`
          select cl.completed from course_learners cl join users u on u.id = cl.user_id where u.email = ${email}
        `;
        expect(learner?.completed).toBe(1);
      } finally {
        const exit = await server.stop();
        expect(exit.code, server.stderr()).toBe(0);
      }
      expect(server.stderr()).toBe('');
    }
  });

  test('a table a later migration adds is the runtime role’s to use at once (default privileges)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aibc-runtime-'));
    tmpDirs.push(dir);
    for (const name of FILES) copyFileSync(join(SQL_DIR, name), join(dir, name));
    const later = '99999_later_notes.sql';
    writeFileSync(
      join(dir, later),
      'create table later_notes (id bigint generated always as identity primary key, body text not null);\n',
    );

    // The runtime role cannot apply it, and is told why.
    await expect(migrate(runtime, dir)).rejects.toThrow(
      /99999_later_notes\.sql: permission denied for schema public \(this database user may not change the schema/,
    );
    expect((await owner`select to_regclass('later_notes') as t`)[0]?.t).toBeNull();

    // The owner applies it with a plain run: no grant step, only the default privileges set earlier.
    expect(await migrate(owner, dir)).toEqual({ applied: [later] });
    const [row] = await runtime<{ id: string }[]>`insert into later_notes (body) values ('hello') returning id`;
    expect(Number(row?.id)).toBeGreaterThan(0);
    await runtime`update later_notes set body = 'again' where id = ${row?.id as string}`;
    expect((await runtime`select body from later_notes`).map((r) => r.body)).toEqual(['again']);
    await runtime`delete from later_notes`;
    expect(await outcome(() => runtime`drop table later_notes`)).toBe('42501');
    expect(await outcome(() => runtime`alter table later_notes add column x int`)).toBe('42501');
  });

  test('a second run with nothing to apply is a no-op that grants again and still exits 0', async () => {
    const run = await runNode(MIGRATE_ENTRY, { DATABASE_URL: setup.ownerUrl, DATABASE_RUNTIME_USER: setup.runtime });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('database is up to date');
    expect(run.stdout).toContain(`runtime role ${setup.runtime}`);
  });
});

describe('grantRuntimeRole()', () => {
  test('takes the runtime role out of cloudsqlsuperuser (here a stand-in), idempotently', async () => {
    const setup = await cloudSqlLikeDatabase('elev', elevated);
    const owner = client(setup.ownerUrl);
    await migrate(owner, SQL_DIR);
    const member = () => owner`
      select 1 from pg_auth_members m join pg_roles g on g.oid = m.roleid join pg_roles r on r.oid = m.member
      where g.rolname = ${elevated} and r.rolname = ${setup.runtime}
    `;
    expect(await member()).toHaveLength(1);

    const first = await grantRuntimeRole(owner, setup.runtime, { elevatedRoles: [elevated] });
    expect(first).toEqual({ role: setup.runtime, schema: 'public', revoked: [elevated] });
    expect(await member()).toHaveLength(0);
    const second = await grantRuntimeRole(owner, setup.runtime, { elevatedRoles: [elevated] });
    expect(second.revoked).toEqual([]);
  });

  test('refuses a role that does not exist, and the owner itself, naming DATABASE_RUNTIME_USER', async () => {
    const setup = await cloudSqlLikeDatabase('refuse');
    const owner = client(setup.ownerUrl);
    await migrate(owner, SQL_DIR);
    await expect(grantRuntimeRole(owner, `aibc_missing_${suffix}`)).rejects.toThrow(
      `DATABASE_RUNTIME_USER "aibc_missing_${suffix}" does not exist`,
    );
    await expect(grantRuntimeRole(owner, setup.owner)).rejects.toThrow('is the user running the migrations');
  });

  test('fails, granting nothing, when the role could still create in the schema (CREATE through PUBLIC)', async () => {
    const setup = await cloudSqlLikeDatabase('public');
    const owner = client(setup.ownerUrl);
    await migrate(owner, SQL_DIR);
    // As on a database created before PostgreSQL 15, where PUBLIC may create in public.
    await owner`grant create on schema public to public`;
    await expect(grantRuntimeRole(owner, setup.runtime)).rejects.toThrow(
      /could still change the schema: it may CREATE in schema public \(REVOKE CREATE ON SCHEMA public FROM PUBLIC\)/,
    );
    // The transaction rolled back: the role got nothing.
    const runtime = client(setup.runtimeUrl);
    expect(await outcome(() => runtime`select 1 from users limit 1`)).toBe('42501');

    await owner`revoke create on schema public from public`;
    await grantRuntimeRole(owner, setup.runtime);
    expect(await outcome(() => runtime`select 1 from users limit 1`)).toBe('ok');
  });

  test('a role that is a member of the owner is refused', async () => {
    const setup = await cloudSqlLikeDatabase('member');
    const owner = client(setup.ownerUrl);
    await migrate(owner, SQL_DIR);
    await admin.unsafe(`grant ${setup.owner} to ${setup.runtime}`);
    await expect(grantRuntimeRole(owner, setup.runtime)).rejects.toThrow(
      new RegExp(`it is a member of the owner ${setup.owner}; it owns `),
    );
  });
});
