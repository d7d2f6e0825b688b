#!/usr/bin/env node
// The admin lists at scale: search, deep pages, audit filters and a course's learners against the seeded
// `bench_admin` database (scripts/seed-bench.mjs: 1,000,000 users, 10,000,000 audit rows), p95 against the 50 ms goal
// of API.md. `npm run bench` runs it after its own scenarios when that database is seeded; alone:
// `npm run build --workspace api && node scripts/bench-admin.mjs`.
//
// Latency is measured per request (autocannon reports no p95): each scenario sends BENCH_ADMIN_REQUESTS requests
// (default 200) over BENCH_ADMIN_CONNECTIONS parallel lanes (default 2, an admin or two clicking through pages)
// after a short warm-up, so the figure is a page answered from a warm cache, as a busy admin area is.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { startBenchServer } from './bench-server.mjs';

const GOAL_MS = 50;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const cursorOf = (at, id) => Buffer.from(JSON.stringify(['t', at, id])).toString('base64url');
const countCursorOf = (count, id) => Buffer.from(JSON.stringify(['n', count, id])).toString('base64url');

export async function runAdminBench({
  log = (message) => process.stdout.write(`${message}\n`),
  adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  dbName = process.env.BENCH_ADMIN_DB ?? 'bench_admin',
  requests = Number(process.env.BENCH_ADMIN_REQUESTS ?? 200),
  connections = Number(process.env.BENCH_ADMIN_CONNECTIONS ?? 2),
} = {}) {
  const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const [seeded] = await sql`select users, audit_rows from bench_seed`.catch(() => []);
  if (!seeded) {
    await sql.end();
    log(`admin scenarios skipped: ${dbName} is not seeded (npm run bench:seed)`);
    return undefined;
  }

  const server = startBenchServer({
    name: 'admin',
    databaseUrl,
    port: 19_000 + Math.floor(Math.random() * 1000),
    startTimeoutMs: 120_000,
    // Its own admin signs up and in through the real routes, at a cheap cost and without limits; no mail goes out.
    env: {
      SMTP_URL: 'smtps://127.0.0.1:9',
      BCRYPT_ROUNDS: '4',
      RATE_LIMIT_SIGNUP_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE: '1000000',
    },
  });
  const { base } = server;
  try {
    await server.ready();

    // An admin of its own, through the real routes; the role is set in the database as `admin:grant` does.
    const email = `bench.admin.${randomBytes(4).toString('hex')}@example.com`;
    const password = 'Bench-Adm1n-Pa55!';
    const post = (path, body) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (res) => ({ status: res.status, body: await res.json().catch(() => null) }));
    const signup = await post('/api/v1/auth/signup', { email, full_name: 'Bench Admin', password });
    if (signup.status !== 201) throw new Error(`admin signup failed: ${signup.status}`);
    await sql`update users set role = 'admin' where id = ${signup.body.id}`;
    const login = await post('/api/v1/auth/login', { email, password });
    const headers = { authorization: `Bearer ${login.body.access_token}` };

    // Page positions deep in each list, read the way the API writes its cursors.
    const [deepUser] = await sql`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, id
      from users
      order by created_at desc, id desc
      offset 900000
      limit 1
    `;
    const [deepAudit] = await sql`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, id::text
      from audit_logs
      order by created_at desc, id desc
      offset 9000000
      limit 1
    `;
    const [course] = await sql`select slug, id from courses order by position limit 1`;
    const [deepLearner] = await sql`
      select completed, user_id
      from course_learners
      where course_id = ${course.id}
      order by completed desc, user_id desc
      offset 900000
      limit 1
    `;
    const [subject] = await sql`select md5('123457')::uuid as id`;
    const [actor] = await sql`select md5('7')::uuid as id`;

    const learners = `/api/v1/admin/courses/${course.slug}/learners`;
    const scenarios = [
      ['users: first page', '/api/v1/admin/users'],
      ['users: search a surname (4 % of users)', '/api/v1/admin/users?q=hopper'],
      ['users: search a 0.5 % substring', '/api/v1/admin/users?q=lovelace1'],
      ['users: search a rare substring', '/api/v1/admin/users?q=lovelace12345'],
      ['users: search no match', '/api/v1/admin/users?q=zzqxj'],
      ['users: search 2 characters', '/api/v1/admin/users?q=42'],
      ['users: role=instructor', '/api/v1/admin/users?role=instructor'],
      ['users: status=disabled', '/api/v1/admin/users?status=disabled'],
      ['users: page 18,000 (cursor)', `/api/v1/admin/users?cursor=${cursorOf(deepUser.at, deepUser.id)}`],
      ['users: search + deep cursor', `/api/v1/admin/users?q=hopper&cursor=${cursorOf(deepUser.at, deepUser.id)}`],
      ['audit: first page', '/api/v1/admin/audit'],
      ['audit: page 180,000 (cursor)', `/api/v1/admin/audit?cursor=${cursorOf(deepAudit.at, deepAudit.id)}`],
      ['audit: user_id', `/api/v1/admin/audit?user_id=${subject.id}`],
      ['audit: actor_id', `/api/v1/admin/audit?actor_id=${actor.id}`],
      ['audit: event', '/api/v1/admin/audit?event=login_locked'],
      [
        'audit: event + one day',
        '/api/v1/admin/audit?event=login_failed&from=2025-06-01T00:00:00Z&to=2025-06-02T00:00:00Z',
      ],
      ['audit: rare event (none)', '/api/v1/admin/audit?event=admin_mfa_reset'],
      ['learners: first page (1,000,000 learners)', learners],
      [
        'learners: by progress, page 18,000',
        `${learners}?sort=progress&cursor=${countCursorOf(deepLearner.completed, deepLearner.user_id)}`,
      ],
      ['learners: search a surname (4 % of learners)', `${learners}?q=hopper`],
      ['learners: search a 0.5 % substring', `${learners}?q=lovelace1`],
      ['learners: search a rare substring', `${learners}?q=lovelace12345`],
      ['learners: search by progress', `${learners}?q=hopper&sort=progress`],
    ];

    const rows = [];
    for (const [name, path] of scenarios) {
      const url = `${base}${path}`;
      const once = async () => {
        const started = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
        return performance.now() - started;
      };
      for (let i = 0; i < 5; i += 1) await once();
      const samples = [];
      let left = requests;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (left > 0) {
            left -= 1;
            samples.push(await once());
          }
        }),
      );
      samples.sort((a, b) => a - b);
      const row = {
        name,
        path,
        requests: samples.length,
        p50: Math.round(percentile(samples, 50) * 10) / 10,
        p95: Math.round(percentile(samples, 95) * 10) / 10,
        max: Math.round(samples.at(-1) * 10) / 10,
      };
      row.meetsGoal = row.p95 <= GOAL_MS;
      rows.push(row);
      log(
        `${name.padEnd(44)} p50 ${String(row.p50).padStart(6)} ms  p95 ${String(row.p95).padStart(6)} ms  ${row.meetsGoal ? 'ok' : `over the ${GOAL_MS} ms goal`}`,
      );
    }
    return { database: dbName, seeded, goalMs: GOAL_MS, connections, rows };
  } finally {
    await server.stop();
    await sql`delete from users where email like 'bench.admin.%@example.com'`.catch(() => {});
    await sql.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runAdminBench();
  if (result)
    process.stdout.write(`${JSON.stringify(result.rows.map(({ name, p50, p95 }) => ({ name, p50, p95 })))}\n`);
}
