import type { Deps } from '../deps';
import { addSeconds } from '../platform/clock';
import type { Fragment, Sql } from './sql';

// Retention: rows nobody will read again are deleted in small batches, so the tables (and the indexes every sign-in
// walks) stop growing with traffic. Every instance runs it; `for update skip locked` lets two runs at once split the
// rows between them instead of waiting on each other or deleting the same row twice. Times come from the injected
// clock, so tests move time instead of waiting.

export type RetentionReport = Record<RetentionRule['name'], number>;

type RetentionRule = {
  name:
    | 'refresh_tokens'
    | 'sessions'
    | 'login_attempts'
    | 'rate_limit_hits'
    | 'one_time_tokens'
    | 'oauth_flows'
    | 'audit_logs';
  // One batch: deletes at most `limit` rows and answers how many.
  deleteBatch: (sql: Sql, now: Date, limit: number) => Promise<number>;
};

// Deletes up to `limit` rows of `table` that `where` selects, skipping rows another transaction holds.
async function deleteSome(sql: Sql, table: string, key: string, where: Fragment, limit: number): Promise<number> {
  const result = await sql`
    delete from ${sql(table)}
    where ${sql(key)} in (
      select ${sql(key)}
      from ${sql(table)}
      where ${where}
      limit ${limit}
      for update skip locked
    )
  `;
  return result.count;
}

function rules(deps: Pick<Deps, 'config'>): RetentionRule[] {
  const { retention } = deps.config;
  return [
    // A used token is kept until it expires, so a replay of it is still recognised as reuse (and ends its session);
    // past its expiry it proves nothing. Tokens of deleted sessions go with them (on delete cascade).
    {
      name: 'refresh_tokens',
      deleteBatch: (sql, now, limit) => deleteSome(sql, 'refresh_tokens', 'id', sql`expires_at < ${now}`, limit),
    },
    // Ended (revoked or past the absolute end) for the configured window; an idle session ends at its absolute end.
    {
      name: 'sessions',
      deleteBatch: (sql, now, limit) => {
        const cutoff = addSeconds(now, -retention.endedSessionSeconds);
        return deleteSome(sql, 'sessions', 'id', sql`(revoked_at < ${cutoff} or expires_at < ${cutoff})`, limit);
      },
    },
    // Failure counts long after the last failure and any lock.
    {
      name: 'login_attempts',
      deleteBatch: (sql, now, limit) => {
        const cutoff = addSeconds(now, -retention.loginAttemptSeconds);
        return deleteSome(
          sql,
          'login_attempts',
          'email',
          sql`last_failed_at < ${cutoff} and (locked_until is null or locked_until < ${now})`,
          limit,
        );
      },
    },
    // A window that has reset counts nothing any more (the next hit starts a new one).
    {
      name: 'rate_limit_hits',
      deleteBatch: (sql, now, limit) => deleteSome(sql, 'rate_limit_hits', 'key', sql`reset_at < ${now}`, limit),
    },
    // Verification and reset links past their expiry, used or not.
    {
      name: 'one_time_tokens',
      deleteBatch: async (sql, now, limit) =>
        (await deleteSome(sql, 'email_verification_tokens', 'id', sql`expires_at < ${now}`, limit)) +
        (await deleteSome(sql, 'password_reset_tokens', 'id', sql`expires_at < ${now}`, limit)),
    },
    {
      name: 'oauth_flows',
      deleteBatch: (sql, now, limit) => deleteSome(sql, 'oauth_flows', 'id_hash', sql`expires_at < ${now}`, limit),
    },
    {
      name: 'audit_logs',
      deleteBatch: (sql, now, limit) =>
        deleteSome(sql, 'audit_logs', 'id', sql`created_at < ${addSeconds(now, -retention.auditLogSeconds)}`, limit),
    },
  ];
}

// One run bounds its own work: at most this many batches per rule, the rest waits for the next run.
const MAX_BATCHES_PER_RULE = 100;

// One pass over every rule; each batch is its own short statement, so no lock is held for long.
export async function runRetention(deps: Pick<Deps, 'config' | 'sql' | 'clock'>): Promise<RetentionReport> {
  const report = {} as RetentionReport;
  const { batchSize } = deps.config.retention;
  for (const rule of rules(deps)) {
    let deleted = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RULE; batch++) {
      const count = await rule.deleteBatch(deps.sql, deps.clock.now(), batchSize);
      deleted += count;
      if (count < batchSize) break;
    }
    report[rule.name] = deleted;
  }
  return report;
}

export type RetentionSchedule = { firstRunAfterMs: number; everyMs: number };

// Shortly after start (once the instance has settled and served its first requests), then every interval. The
// timers are unref'd: they never keep a stopping process alive. A failed run is logged and tried again next time.
export function startRetention(
  deps: Pick<Deps, 'config' | 'sql' | 'clock' | 'logger'>,
  schedule: RetentionSchedule = {
    // Spread over a minute, so instances started together do not all sweep at once.
    firstRunAfterMs: 30_000 + Math.floor(Math.random() * 30_000),
    everyMs: deps.config.retention.intervalSeconds * 1000,
  },
  onRun?: (report: RetentionReport | undefined) => void,
): { stop: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let interval: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = runRetention(deps)
      .then((report) => {
        const total = Object.values(report).reduce((sum, count) => sum + count, 0);
        if (total > 0) deps.logger.info({ deleted: report }, `retention: ${total} rows deleted`);
        onRun?.(report);
      })
      .catch((error: unknown) => {
        deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'retention run failed');
        onRun?.(undefined);
      })
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(() => {
    run();
    interval = setInterval(run, schedule.everyMs);
    interval.unref();
  }, schedule.firstRunAfterMs);
  first.unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(interval);
      await running;
    },
  };
}
