import type { Sql, TransactionSql } from '../db/sql';
import type { RequestMeta } from '../platform/request-meta';
import type { AuditEventName } from '../shared/audit-events';

// The audit trail: one row per security-relevant event. Most events are written inside the statement that makes
// the change (a CTE beside the update), so the row exists exactly when the change does; `insertIntoAuditLog` is the
// one spelling of the table and its columns for those statements, `recordAudit` the standalone insert.

export type AuditMetadata = Record<string, string | number | boolean | null>;

export type AuditEvent = {
  // A name from the documented list (shared/audit-events.ts), with the words the admin page shows. Typed loosely
  // so statements that spell the event in SQL and those that pass it here follow one rule: the admin tests check
  // that every event written is in the list.
  event: AuditEventName | (string & {});
  userId?: string | null;
  // Who acted, when that is not the subject user (an admin acting on an account); null for a user's own actions.
  actorId?: string | null;
  email?: string | null;
  meta?: RequestMeta;
  metadata?: AuditMetadata;
  // When it happened, by the app's clock; the database's time if absent.
  at?: Date;
};

// The one spelling of the table and its columns. Follow it with `values (...)` or `select ... from <cte>` in the
// column order event, user_id, email, ip_address, user_agent, metadata, then the optional columns asked for (an
// acting admin; a time from the app's clock, where a budget is counted from these rows — the database's otherwise).
const auditColumns = ['event', 'user_id', 'email', 'ip_address', 'user_agent', 'metadata'] as const;

export function insertIntoAuditLog(sql: Sql | TransactionSql, ...optional: ('actor_id' | 'created_at')[]) {
  const columns: [string, ...string[]] = [...auditColumns, ...optional];
  return sql`insert into audit_logs (${sql(columns)})`;
}

// The whole `insert ... values (...)` for one event, for a statement that writes it beside other CTEs.
export function auditRow(sql: Sql | TransactionSql, audit: AuditEvent) {
  return sql`
    ${insertIntoAuditLog(sql, 'actor_id', 'created_at')}
    values (
      ${audit.event}, ${audit.userId ?? null}, ${audit.email ?? null}, ${audit.meta?.ip ?? null},
      ${audit.meta?.userAgent ?? null}, ${sql.json(audit.metadata ?? {})}, ${audit.actorId ?? null},
      ${audit.at ?? sql`now()`}
    )
  `;
}

export async function recordAudit(sql: Sql | TransactionSql, audit: AuditEvent) {
  await sql`${auditRow(sql, audit)}`;
}
