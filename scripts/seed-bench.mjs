#!/usr/bin/env node
// `npm run bench:seed`: a benchmark database at the scale API.md promises the admin lists stay fast at —
// 1,000,000 users with a session each and progress in the course (so the course has 1,000,000 learners), and
// 10,000,000 audit rows — in a few minutes. Set-based SQL over generate_series, never a loop of inserts: the
// secondary indexes are dropped first and rebuilt once at the end, the progress trigger is off while the rows go in
// and course_learners is built from them in one statement.
//
// Env: BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_ADMIN_DB (default
// bench_admin), SEED_USERS (default 1000000), SEED_AUDIT_ROWS (default 10000000). An existing database is kept
// (`npm run bench` reuses it); pass --fresh to drop and seed it again.
//
// Ids are md5(n)::uuid, so row n of any table can name user n without a join. Every seeded account has
// no password (hashed_password null, as an account made through a provider): nobody can sign in as them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = process.env.BENCH_ADMIN_DB ?? 'bench_admin';
const USERS = Number(process.env.SEED_USERS ?? 1_000_000);
const AUDIT_ROWS = Number(process.env.SEED_AUDIT_ROWS ?? 10_000_000);
const fresh = process.argv.includes('--fresh');
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DB_NAME}`);

const log = (message) => process.stdout.write(`${message}\n`);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error('BENCH_ADMIN_DB must be a plain lower-case name');
if (!existsSync(join(root, 'api/dist/migrate-cli.js'))) {
  log('api/dist/migrate-cli.js is missing: run `npm run build --workspace api` first (npm run bench:seed does).');
  process.exit(1);
}

// A database whose seed finished (its `bench_seed` row says so) is kept; one whose seed was interrupted is resumed:
// each step skips a table that already has its rows, and the dropped indexes wait in `bench_seed_indexes`.
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
const [exists] = await admin`select 1 from pg_database where datname = ${DB_NAME}`;
if (exists && fresh) await admin`drop database ${admin(DB_NAME)} with (force)`;
if (!exists || fresh) await admin`create database ${admin(DB_NAME)}`;
await admin.end();

const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {}, connection: { application_name: 'aibc-seed' } });
await sql`create table if not exists bench_seed (users int not null, audit_rows int not null, seeded_at timestamptz)`;
const [done] = await sql`select users, audit_rows from bench_seed`;
if (done) {
  log(`${DB_NAME} is seeded (${done.users} users, ${done.audit_rows} audit rows); kept. --fresh seeds it again.`);
  await sql.end();
  process.exit(0);
}

// The schema and the curriculum, exactly as a deployment gets them.
execFileSync(process.execPath, ['api/dist/migrate-cli.js'], {
  cwd: root,
  env: { ...process.env, DATABASE_URL, ENVIRONMENT: 'test' },
  stdio: 'inherit',
});
log(`migrated (${elapsed()})`);

await sql`set maintenance_work_mem = '512MB'`;
await sql`set synchronous_commit = off`;

const bigTables = ['users', 'sessions', 'refresh_tokens', 'lesson_progress', 'course_learners', 'audit_logs'];
// Secondary indexes (not the ones behind a primary key or unique constraint), dropped now and rebuilt at the end.
await sql`create table if not exists bench_seed_indexes (name text primary key, definition text not null)`;
await sql`
  insert into bench_seed_indexes (name, definition)
  select i.indexname, i.indexdef
  from pg_indexes i
  where i.schemaname = 'public'
    and i.tablename in ${sql(bigTables)}
    and not exists (
      select 1 from pg_constraint c where c.conname = i.indexname
    )
  on conflict (name) do nothing
`;
const indexes = await sql`select name as indexname, definition as indexdef from bench_seed_indexes order by name`;
for (const { indexname } of indexes) await sql`drop index if exists ${sql(indexname)}`;
await sql`alter table lesson_progress disable trigger lesson_progress_course_learners`;
// Foreign-key checks run per row (most of the insert time); the rows reference each other by construction, so the
// seed runs as a replica does, without them (needs a superuser, as the local PostgreSQL's postgres is).
await sql`set session_replication_role = replica`;

// A step runs unless its table already has rows (from an interrupted run).
async function step(label, table, query) {
  const [filled] = await sql`select exists (select 1 from ${sql(table)}) as yes`;
  if (filled.yes) return log(`${label}: already there`);
  const t = performance.now();
  await query();
  log(`${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// Names from short lists, so a search for a first name, a surname or a domain finds many users and a search for
// a number finds few: both ends of the planner's choice are exercised.
await step(
  `users (${USERS})`,
  'users',
  () =>
    sql`
    insert into users (id, email, hashed_password, full_name, role, is_active, is_verified, created_at, updated_at,
      last_login_at, disabled_at, disabled_reason)
    select
      md5(n::text)::uuid,
      lower(first || '.' || last || n || '@' || (array['example.com', 'mail.test', 'bootcamp.dev', 'uni.edu'])[1 + n % 4]),
      null,
      initcap(first) || ' ' || initcap(last),
      case when n <= 20 then 'admin' when n % 1000 = 0 then 'instructor' else 'student' end,
      n % 200 <> 7,
      n % 10 <> 3,
      created,
      created,
      created + interval '1 hour',
      case when n % 200 = 7 then created + interval '2 days' end,
      case when n % 200 = 7 then 'seeded: spam' end
    from generate_series(1, ${USERS}) as n,
      lateral (
        select
          (array['ada', 'grace', 'alan', 'edsger', 'barbara', 'donald', 'margaret', 'linus', 'guido', 'ken',
            'dennis', 'frances', 'radia', 'tim', 'katherine', 'john'])[1 + n % 16] as first,
          (array['lovelace', 'hopper', 'turing', 'dijkstra', 'liskov', 'knuth', 'hamilton', 'torvalds', 'rossum',
            'thompson', 'ritchie', 'allen', 'perlman', 'berners', 'johnson', 'mccarthy', 'backus', 'kay', 'wirth',
            'hoare', 'lamport', 'sutherland', 'engelbart'])[1 + (n / 16) % 23] as last,
          timestamptz '2025-01-01' + n * interval '47 seconds' as created
      ) as names
  `,
);

await step(
  'sessions (1 per user)',
  'sessions',
  () =>
    sql`
    insert into sessions (id, user_id, ip_address, user_agent, created_at, last_used_at, expires_at, revoked_at,
      revoked_reason)
    select
      md5('session' || n)::uuid,
      md5(n::text)::uuid,
      '10.' || (n % 250) || '.' || (n / 250 % 250) || '.' || (n % 7),
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      created,
      created + interval '1 hour',
      created + interval '30 days',
      case when n % 3 = 0 then created + interval '2 hours' end,
      case when n % 3 = 0 then 'logout' end
    from generate_series(1, ${USERS}) as n,
      lateral (select timestamptz '2025-01-01' + n * interval '47 seconds' + interval '1 hour' as created) as t
  `,
);

// Every user has started the first course: 1 to 12 lessons each, in course order, the first ones completed.
const [course] = await sql`select id, slug from courses order by position limit 1`;
await step(
  'lesson_progress',
  'lesson_progress',
  () =>
    sql`
    with ordered as (
      select l.id, row_number() over (order by m.position, l.position)::int as k
      from lessons l
      join course_modules m on m.id = l.module_id
      where l.course_id = ${course.id}
    )
    insert into lesson_progress (user_id, lesson_id, status, started_at, completed_at, updated_at)
    select
      md5(n::text)::uuid,
      o.id,
      case when o.k < 1 + n % 12 then 'completed' else 'in_progress' end,
      at,
      case when o.k < 1 + n % 12 then at end,
      at
    from generate_series(1, ${USERS}) as n
    join ordered o on o.k <= 1 + n % 12,
      lateral (
        select timestamptz '2025-01-01' + n * interval '47 seconds' + o.k * interval '1 day'
          + (n % 97) * interval '1 hour' as at
      ) as t
  `,
);

await step(
  'course_learners',
  'course_learners',
  () =>
    sql`
    insert into course_learners (course_id, user_id, completed, last_activity_at)
    select l.course_id, lp.user_id, count(*) filter (where lp.status = 'completed'), max(lp.updated_at)
    from lesson_progress lp
    join lessons l on l.id = lp.lesson_id
    group by l.course_id, lp.user_id
  `,
);

// The audit trail, oldest first: sign-ins and refreshes mostly, some failures, and the admins' own events with an
// actor, spread over the same two years as the users.
await step(
  `audit_logs (${AUDIT_ROWS})`,
  'audit_logs',
  () =>
    sql`
    insert into audit_logs (event, user_id, actor_id, email, ip_address, user_agent, metadata, created_at)
    overriding system value
    select
      event,
      md5((1 + (n::bigint * 7919) % ${USERS})::text)::uuid,
      case when event like 'admin_%' then md5((1 + n % 20)::text)::uuid end,
      null,
      '10.' || (n % 250) || '.' || (n / 250 % 250) || '.1',
      'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0',
      case when event like 'admin_%' then '{"seeded": true}'::jsonb else '{}'::jsonb end,
      timestamptz '2025-01-01' + n * interval '4.7 seconds'
    from generate_series(1, ${AUDIT_ROWS}) as n,
      lateral (
        select (array['login_success', 'refresh', 'refresh', 'refresh', 'logout', 'login_failed', 'login_success',
          'refresh', 'profile_updated', 'password_changed', 'reauthenticated', 'oauth_login', 'refresh', 'refresh',
          'email_verified', 'login_locked', 'refresh', 'login_success', 'admin_viewed_user', 'refresh',
          'session_revoked', 'refresh', 'login_success', 'admin_user_disabled'])[1 + n % 24] as event
      ) as e
  `,
);
await sql`select setval(pg_get_serial_sequence('audit_logs', 'id'), (select max(id) from audit_logs))`;

await sql`set session_replication_role = origin`;
for (const { indexname, indexdef } of indexes) {
  const t = performance.now();
  // indexdef is PostgreSQL's own definition of an index it just dropped (pg_indexes), not input from anywhere else.
  await sql.unsafe(indexdef.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '));
  await sql`delete from bench_seed_indexes where name = ${indexname}`;
  log(`index ${indexname}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
await sql`alter table lesson_progress enable trigger lesson_progress_course_learners`;
log('analyze');
await sql`analyze`;
log('vacuum (the visibility map lets the lists use index-only scans)');
await sql`vacuum`;

const [counts] = await sql`
  select
    (select count(*) from users)::int as users,
    (select count(*) from sessions)::int as sessions,
    (select count(*) from lesson_progress)::int as progress,
    (select count(*) from course_learners)::int as learners,
    (select count(*) from audit_logs)::int as audit
`;
await sql`insert into bench_seed (users, audit_rows, seeded_at) values (${counts.users}, ${counts.audit}, now())`;
log(`seeded ${DB_NAME} in ${elapsed()}: ${JSON.stringify(counts)} (course ${course.slug})`);
await sql.end();
