import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { addSeconds } from '../platform/clock';
import { createUser } from '../test/fixtures';
import { useTestApp } from '../test/setup';
import { runRetention, startRetention } from './retention';

// Retention against the real schema: rows are seeded at chosen times on the fake clock, the clock moves, and the
// sweep must delete exactly what is past its window, in batches, safely from two runs at once.
const DAY = 86_400;
const { app } = useTestApp({
  env: {
    RETENTION_BATCH_SIZE: '10',
    RETENTION_ENDED_SESSION_DAYS: '30',
    RETENTION_LOGIN_ATTEMPT_DAYS: '30',
    AUDIT_LOG_RETENTION_DAYS: '365',
  },
});

const hex = () => randomBytes(32).toString('hex');

let userId: string;
beforeEach(async () => {
  await app.sql`
    truncate sessions, refresh_tokens, login_attempts, rate_limit_hits, email_verification_tokens,
      password_reset_tokens, oauth_flows, audit_logs cascade
  `;
  userId ??= (await createUser(app)).id;
  await app.sql`truncate audit_logs, rate_limit_hits, login_attempts, email_verification_tokens`;
});

async function seedSession(at: Date, options: { revokedAt?: Date; expiresAt?: Date } = {}) {
  const [row] = await app.sql<{ id: string }[]>`
    insert into sessions (user_id, created_at, last_used_at, expires_at, revoked_at)
    values (${userId}, ${at}, ${at}, ${options.expiresAt ?? addSeconds(at, 30 * DAY)}, ${options.revokedAt ?? null})
    returning id
  `;
  return row?.id as string;
}

async function countOf(table: string) {
  const [row] = await app.sql<{ count: number }[]>`select count(*)::int as count from ${app.sql(table)}`;
  return row?.count ?? 0;
}

describe('runRetention', () => {
  it('deletes what is past each window and keeps everything younger', async () => {
    const now = app.clock.now();
    // Sessions: ended 31 days ago (gone), ended 29 days ago (kept), past its absolute end 31 days ago (gone), live.
    const endedLongAgo = await seedSession(addSeconds(now, -60 * DAY), { revokedAt: addSeconds(now, -31 * DAY) });
    const endedRecently = await seedSession(addSeconds(now, -40 * DAY), { revokedAt: addSeconds(now, -29 * DAY) });
    await seedSession(addSeconds(now, -70 * DAY), { expiresAt: addSeconds(now, -31 * DAY) });
    const live = await seedSession(addSeconds(now, -DAY));
    // Refresh tokens: expired (gone, used or not), used but unexpired (kept: a replay must still count as reuse).
    await app.sql`
      insert into refresh_tokens (session_id, token_hash, created_at, expires_at, used_at) values
        (${live}, ${hex()}, ${addSeconds(now, -9 * DAY)}, ${addSeconds(now, -2 * DAY)}, ${addSeconds(now, -8 * DAY)}),
        (${endedRecently}, ${hex()}, ${addSeconds(now, -40 * DAY)}, ${addSeconds(now, -33 * DAY)}, null),
        (${live}, ${hex()}, ${addSeconds(now, -DAY)}, ${addSeconds(now, 6 * DAY)}, ${addSeconds(now, -DAY)}),
        (${live}, ${hex()}, ${addSeconds(now, -DAY)}, ${addSeconds(now, 6 * DAY)}, null),
        (${endedLongAgo}, ${hex()}, ${addSeconds(now, -60 * DAY)}, ${addSeconds(now, 6 * DAY)}, null)
    `;
    await app.sql`
      insert into login_attempts (email, failed_count, locked_until, last_failed_at) values
        ('old@example.com', 3, null, ${addSeconds(now, -31 * DAY)}),
        ('recent@example.com', 3, null, ${addSeconds(now, -29 * DAY)}),
        ('still-locked@example.com', 5, ${addSeconds(now, DAY)}, ${addSeconds(now, -31 * DAY)})
    `;
    await app.sql`
      insert into rate_limit_hits (key, hits, reset_at) values
        ('login:ip:198.51.100.1', 3, ${addSeconds(now, -60)}),
        ('login:ip:198.51.100.2', 3, ${addSeconds(now, 60)})
    `;
    for (const table of ['email_verification_tokens', 'password_reset_tokens']) {
      await app.sql`
        insert into ${app.sql(table)} (user_id, token_hash, created_at, expires_at, used_at) values
          (${userId}, ${hex()}, ${addSeconds(now, -2 * DAY)}, ${addSeconds(now, -DAY)}, null),
          (${userId}, ${hex()}, ${addSeconds(now, -2 * DAY)}, ${addSeconds(now, -DAY)}, ${addSeconds(now, -2 * DAY)}),
          (${userId}, ${hex()}, ${now}, ${addSeconds(now, 3600)}, null)
      `;
    }
    await app.sql`
      insert into oauth_flows (id_hash, provider, purpose, state_hash, code_verifier, return_to, created_at, expires_at)
      values
        (${hex()}, 'github', 'sign_in', ${hex()}, ${'v'.repeat(43)}, '/', ${addSeconds(now, -900)}, ${addSeconds(now, -300)}),
        (${hex()}, 'github', 'sign_in', ${hex()}, ${'v'.repeat(43)}, '/', ${now}, ${addSeconds(now, 600)})
    `;
    await app.sql`
      insert into audit_logs (event, user_id, created_at) values
        ('login_success', ${userId}, ${addSeconds(now, -366 * DAY)}),
        ('login_success', ${userId}, ${addSeconds(now, -364 * DAY)})
    `;

    const report = await runRetention(app.deps);

    expect(report).toEqual({
      refresh_tokens: 2,
      sessions: 2,
      login_attempts: 1,
      rate_limit_hits: 1,
      one_time_tokens: 4,
      oauth_flows: 1,
      audit_logs: 1,
    });
    const sessions = await app.sql<{ id: string }[]>`select id from sessions order by created_at`;
    expect(sessions.map((row) => row.id)).toEqual([endedRecently, live]);
    // The cascade took the token of the deleted session; the live session keeps its used and its live token.
    expect(await countOf('refresh_tokens')).toBe(2);
    const attempts = await app.sql<{ email: string }[]>`select email from login_attempts order by email`;
    expect(attempts.map((row) => row.email)).toEqual(['recent@example.com', 'still-locked@example.com']);
    expect(await countOf('rate_limit_hits')).toBe(1);
    expect(await countOf('email_verification_tokens')).toBe(1);
    expect(await countOf('password_reset_tokens')).toBe(1);
    expect(await countOf('oauth_flows')).toBe(1);
    expect(await countOf('audit_logs')).toBe(1);

    // Nothing left to do: a second run deletes nothing. Moving the clock a year on takes the rest of the audit log.
    expect(Object.values(await runRetention(app.deps)).every((count) => count === 0)).toBe(true);
    app.clock.advance(2 * DAY);
    expect((await runRetention(app.deps)).audit_logs).toBe(1);
  });

  it('deletes in batches of RETENTION_BATCH_SIZE until none are left', async () => {
    const old = addSeconds(app.clock.now(), -400 * DAY);
    await app.sql`
      insert into audit_logs (event, created_at)
      select 'login_failed', ${old} from generate_series(1, 35)
    `;
    const statements: string[] = [];
    const report = await runRetention({
      ...app.deps,
      // The same client, counting the delete statements it runs.
      sql: new Proxy(app.sql, {
        apply(target, thisArg, args) {
          const text = (args[0] as TemplateStringsArray | undefined)?.join?.('?') ?? '';
          if (/delete from/.test(text)) statements.push(text);
          return Reflect.apply(target, thisArg, args);
        },
      }),
    });
    expect(report.audit_logs).toBe(35);
    expect(await countOf('audit_logs')).toBe(0);
    // 10 + 10 + 10 + 5: four batches for the audit log, one (empty) for every other table.
    expect(statements.length).toBe(4 + 7);
  });

  it('two runs at once split the rows between them: every old row deleted once, no error, no wait', async () => {
    const old = addSeconds(app.clock.now(), -400 * DAY);
    await app.sql`
      insert into audit_logs (event, created_at)
      select 'login_failed', ${old} from generate_series(1, 300)
    `;
    const reports = await Promise.all([runRetention(app.deps), runRetention(app.deps), runRetention(app.deps)]);
    expect(reports.reduce((sum, report) => sum + report.audit_logs, 0)).toBe(300);
    expect(await countOf('audit_logs')).toBe(0);
  });
});

describe('startRetention', () => {
  it('runs shortly after start and then on every interval, and stops cleanly', async () => {
    const old = addSeconds(app.clock.now(), -400 * DAY);
    const runs: number[] = [];
    const until = async (done: () => boolean) => {
      for (let waited = 0; !done(); waited += 10) {
        if (waited > 5_000) throw new Error(`retention runs so far: ${JSON.stringify(runs)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await app.sql`insert into audit_logs (event, created_at) values ('login_failed', ${old})`;
    const retention = startRetention(app.deps, { firstRunAfterMs: 20, everyMs: 50 }, (report) => {
      runs.push(report?.audit_logs ?? -1);
    });
    await until(() => runs.length >= 1);
    expect(runs[0]).toBe(1);
    // A row that turns old after the first run is taken by a later one.
    await app.sql`insert into audit_logs (event, created_at) values ('login_failed', ${old})`;
    await until(() => runs.slice(1).includes(1));
    await retention.stop();
    const afterStop = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(runs.length).toBe(afterStop);
    expect(runs).not.toContain(-1);
    expect(await countOf('audit_logs')).toBe(0);
  });
});
