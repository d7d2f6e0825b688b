import { insertIntoAuditLog } from '../../audit/audit';
import { liveSession, revokeSessionsCte } from '../../auth/sessions.queries';
import { type AuthUser, userColumns } from '../../auth/user';
import type { Sql } from '../../db/sql';
import type { MailRecipient } from '../../mail/account-mail';
import type { RequestMeta } from '../../platform/request-meta';

// The change in one statement. It lands only if the stored hash is still the one the current password was
// verified against, so two changes racing cannot both pass with the same current password. Every other session
// ends (the caller's stays), reset links mailed before the change stop working, and the event is audited.
export async function completePasswordChange(
  sql: Sql,
  params: {
    userId: string;
    sessionId: string;
    expectedHash: string;
    hashedPassword: string;
    now: Date;
    meta: RequestMeta;
  },
): Promise<MailRecipient | undefined> {
  const { meta, now } = params;
  const [row]: [MailRecipient?] = await sql`
    with updated as (
      update users
      set hashed_password = ${params.hashedPassword},
        password_changed_at = ${now},
        updated_at = ${now}
      where id = ${params.userId}
        and hashed_password = ${params.expectedHash}
      returning id, email, full_name
    ),
    spent as (
      update password_reset_tokens
      set used_at = ${now}
      where user_id in (select id from updated)
        and used_at is null
    ),
    ${revokeSessionsCte(sql, {
      now,
      reason: 'password_changed',
      where: sql`user_id in (select id from updated) and id <> ${params.sessionId}`,
    })},
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'password_changed', id, email, ${meta.ip}, ${meta.userAgent},
        jsonb_build_object('sessions_ended', (select count(*) from revoked), 'session_id', ${params.sessionId}::text)
      from updated
    )
    select id, email, full_name
    from updated
  `;
  return row;
}

export async function updateFullName(
  sql: Sql,
  params: { userId: string; fullName: string; now: Date; meta: RequestMeta },
): Promise<AuthUser | undefined> {
  const { meta } = params;
  const [row]: [AuthUser?] = await sql`
    with updated as (
      update users
      set full_name = ${params.fullName},
        updated_at = ${params.now}
      where id = ${params.userId}
      returning ${sql(userColumns)}
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'profile_updated', id, email, ${meta.ip}, ${meta.userAgent},
        ${sql.json({ fields: 'full_name' })}
      from updated
    )
    select *
    from updated
  `;
  return row;
}

export type SessionRow = {
  id: string;
  ip_address: string | null;
  user_agent: string | null;
  created_at: Date;
  last_used_at: Date;
};

// Live by the same rule as the authentication check.
export async function listActiveSessions(sql: Sql, params: { userId: string; now: Date; idleSince: Date }) {
  return sql<SessionRow[]>`
    select s.id, s.ip_address, s.user_agent, s.created_at, s.last_used_at
    from sessions s
    where s.user_id = ${params.userId}
      and ${liveSession(sql, params)}
    order by s.created_at desc, s.id
  `;
}

// Scoped by user_id: another user's session id matches nothing, exactly like an unknown one (404 either way).
export async function revokeSessionsOfUser(
  sql: Sql,
  params: {
    userId: string;
    email: string;
    now: Date;
    scope: { sessionId: string } | { allExcept: string };
    meta: RequestMeta;
  },
) {
  const { meta, scope } = params;
  const rows = await sql<{ id: string }[]>`
    with ${revokeSessionsCte(sql, {
      now: params.now,
      reason: 'revoked_by_user',
      where: sql`user_id = ${params.userId} and ${'sessionId' in scope ? sql`id = ${scope.sessionId}` : sql`id <> ${scope.allExcept}`}`,
    })},
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'session_revoked', ${params.userId}, ${params.email}, ${meta.ip}, ${meta.userAgent},
        jsonb_build_object('session_id', id)
      from revoked
    )
    select id
    from revoked
  `;
  return rows.map((row) => row.id);
}
