import { insertIntoAuditLog, recordAudit } from '../../audit/audit';
import type { Fragment, TransactionSql } from '../../db/sql';
import { exportedTables } from '../../db/user-data';
import type { RequestMeta } from '../../platform/request-meta';

// "Your data": the export reads, and the deletion writes. Both run inside one transaction that starts by locking the
// user's row, so exports of one user are counted one after the other and an export never sees half a deletion.

export type AccountRow = { id: string; email: string; full_name: string; role: string; is_active: boolean };

// Locks the user's row. Undefined when the account is gone (deleted by a request that ran just before).
export async function lockAccount(sql: TransactionSql, userId: string) {
  const [row]: [AccountRow?] = await sql`
    select id, email, full_name, role, is_active
    from users
    where id = ${userId}
    for update
  `;
  return row;
}

// Locks the user's row and every active admin's, in id order (two admins deleting themselves at once wait for each
// other instead of each seeing the other still there), and answers them all.
export async function lockAccountAndAdmins(sql: TransactionSql, userId: string) {
  return sql<AccountRow[]>`
    select id, email, full_name, role, is_active
    from users
    where id = ${userId}
      or (role = 'admin' and is_active)
    order by id
    for update
  `;
}

// The exports this user made since `since`: how many, and when the oldest of them was (when a slot frees up).
export async function recentExports(sql: TransactionSql, params: { userId: string; since: Date }) {
  const [row]: [{ count: number; oldest: Date | null }?] = await sql`
    select count(*)::int as count, min(created_at) as oldest
    from audit_logs
    where user_id = ${params.userId}
      and event = 'data_exported'
      and created_at > ${params.since}
  `;
  return row ?? { count: 0, oldest: null };
}

// The export is audited at the injected clock's time, since the hourly budget is counted from these rows.
export async function recordExport(
  sql: TransactionSql,
  params: { userId: string; email: string; now: Date; meta: RequestMeta },
) {
  await recordAudit(sql, {
    event: 'data_exported',
    userId: params.userId,
    email: params.email,
    meta: params.meta,
    at: params.now,
  });
}

// Every exported table of sql/user-data.json, exactly its listed columns (so a column added later, a hash say, stays
// out until someone lists it), keyed by section.
export async function readUserData(sql: TransactionSql, userId: string) {
  const sections: Record<string, unknown> = {};
  for (const table of exportedTables) {
    const belongsToUser = table.match
      .map((column): Fragment => sql`${sql(column)} = ${userId}`)
      .reduce((either, next) => sql`${either} or ${next}`);
    const rows = await sql`
      select ${sql(table.columns)}
      from ${sql(table.table)}
      where ${belongsToUser}
      ${table.order ? sql`order by ${sql(table.order)}` : sql``}
    `;
    sections[table.section] = table.single ? (rows[0] ?? null) : [...rows];
  }
  return sections;
}

// Deletes the account. The audit trail keeps its events but loses who: every row about the user (by id, or by the
// address, such as sign-in failures before the account existed) drops the email and the user reference and gets the
// same random `deleted_account` tag instead, so the trail still reads as one account's story without naming anyone.
// The sign-in lockout and rate-limit counters of the account go too, so signing up again starts afresh. Everything
// else the user owns goes through the foreign keys' `on delete cascade` (sql/user-data.json lists them).
export async function deleteAccount(
  sql: TransactionSql,
  params: { account: AccountRow; pseudonym: string; rateLimitKeys: string[]; meta: RequestMeta },
) {
  const { account, meta } = params;
  await sql`
    update audit_logs
    set user_id = null,
      email = null,
      metadata = metadata || jsonb_build_object('deleted_account', ${params.pseudonym}::text)
    where user_id = ${account.id}
      or email = ${account.email}
  `;
  await sql`
    delete from login_attempts
    where email = ${account.email}
  `;
  // Counter keys are `<limit name>:<key>`; each of ours ends in one of `rateLimitKeys`.
  for (const key of params.rateLimitKeys) {
    await sql`
      delete from rate_limit_hits
      where right(key, ${key.length + 1}) = ${`:${key}`}
    `;
  }
  const [sessions]: [{ count: number }?] = await sql`
    select count(*)::int as count
    from sessions
    where user_id = ${account.id}
      and revoked_at is null
  `;
  await sql`
    delete from users
    where id = ${account.id}
  `;
  await sql`
    ${insertIntoAuditLog(sql)}
    values (
      'account_deleted', null, null, ${meta.ip}, ${meta.userAgent},
      ${sql.json({ deleted_account: params.pseudonym, role: account.role, sessions_ended: sessions?.count ?? 0 })}
    )
  `;
}
