import type { ClientRateLimitInfo, Store } from 'hono-rate-limiter';
import type { Sql } from '../db/sql';

// hono-rate-limiter's Store backed by PostgreSQL: fixed windows counted with one atomic upsert, on the
// database's clock, so every instance on one database shares one budget per key.
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private increments = 0;

  constructor(
    private readonly sql: Sql,
    readonly prefix: string,
  ) {}

  init(options: { windowMs: number }) {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const windowMs = this.windowMs;
    const [row]: [{ hits: number; reset_at: Date }?] = await this.sql`
      insert into rate_limit_hits as r (key, hits, reset_at)
      values (${this.prefix + key}, 1, now() + ${windowMs} * interval '1 millisecond')
      on conflict (key) do update set
        hits = case when r.reset_at <= now() then 1 else r.hits + 1 end,
        reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
      returning hits, reset_at
    `;
    if (!row) throw new Error('rate limit upsert returned no row');
    // Expired windows are overwritten by the upsert; sweep the ones nobody comes back for now and then.
    if (++this.increments % 500 === 0) void this.sweep();
    return { totalHits: row.hits, resetTime: row.reset_at };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const [row]: [{ hits: number; reset_at: Date }?] = await this.sql`
      select hits, reset_at
      from rate_limit_hits
      where key = ${this.prefix + key}
        and reset_at > now()
    `;
    return row ? { totalHits: row.hits, resetTime: row.reset_at } : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.sql`
      update rate_limit_hits
      set hits = greatest(hits - 1, 0)
      where key = ${this.prefix + key}
    `;
  }

  async resetKey(key: string): Promise<void> {
    await this.sql`
      delete from rate_limit_hits
      where key = ${this.prefix + key}
    `;
  }

  private async sweep() {
    await this.sql`
      delete from rate_limit_hits
      where reset_at < now() - interval '1 hour'
    `.catch(() => {});
  }
}
