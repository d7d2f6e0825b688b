import { insertIntoAuditLog } from '../audit/audit';
import type { Fragment, Sql, TransactionSql } from '../db/sql';
import type { RequestMeta } from '../platform/request-meta';
import { type AuthUser, userColumnsOf } from './user';

// A live session: not revoked, not past its absolute end, used within the refresh lifetime. The one statement of
// the rule, for the request's authentication check and the sessions list alike (`s` is the sessions alias).
export function liveSession(sql: Sql | TransactionSql, params: { now: Date; idleSince: Date }): Fragment {
  return sql`
    s.revoked_at is null
    and s.expires_at > ${params.now}
    and s.last_used_at > ${params.idleSince}
  `;
}

// Two CTEs, `revoked` (id, user_id of each session ended) and `revoked_tokens`: ends the live sessions that `where`
// selects and every refresh token of them. Access tokens die with their session (the check above reads it).
export function revokeSessionsCte(
  sql: Sql | TransactionSql,
  params: { now: Date; reason: string; where: Fragment },
): Fragment {
  return sql`
    revoked as (
      update sessions
      set revoked_at = ${params.now},
        revoked_reason = ${params.reason}
      where revoked_at is null
        and ${params.where}
      returning id, user_id
    ),
    revoked_tokens as (
      update refresh_tokens
      set revoked_at = ${params.now}
      where session_id in (select id from revoked)
        and revoked_at is null
    )
  `;
}

// Ends one session; answers its user when it was live.
export async function revokeSession(sql: Sql, params: { sessionId: string; now: Date; reason: string }) {
  const [row]: [{ user_id: string }?] = await sql`
    with ${revokeSessionsCte(sql, { ...params, where: sql`id = ${params.sessionId}` })}
    select user_id
    from revoked
  `;
  return row;
}

// The whole authentication check of a request in one round trip: the session is live and its user active. It also
// reads when the session last stepped up, for the routes that need a recent one (middlewares/require-recent-auth).
export async function findActiveSessionUser(
  sql: Sql,
  params: { sessionId: string; userId: string; now: Date; idleSince: Date },
) {
  const [row]: [(AuthUser & { session_reauthenticated_at: Date | null })?] = await sql`
    select ${sql(userColumnsOf('u'))}, s.reauthenticated_at as session_reauthenticated_at
    from sessions s
    join users u on u.id = s.user_id
    where s.id = ${params.sessionId}
      and s.user_id = ${params.userId}
      and ${liveSession(sql, params)}
      and u.is_active
  `;
  return row;
}

// The step-up: stamps one live session as having proven a factor now, and audits it (`reauthenticated`, with the
// method). `clearFailuresOf`: the email whose password failures a correct password resets, as a login does.
// Answers the session id, or undefined when the session is no longer live (nothing is stamped then).
export async function stampReauthentication(
  sql: Sql,
  params: {
    sessionId: string;
    userId: string;
    now: Date;
    idleSince: Date;
    method: string;
    clearFailuresOf: string | null;
    meta: RequestMeta;
  },
) {
  const { meta } = params;
  const [row]: [{ id: string }?] = await sql`
    with stamped as (
      update sessions s
      set reauthenticated_at = ${params.now}
      where s.id = ${params.sessionId}
        and s.user_id = ${params.userId}
        and ${liveSession(sql, params)}
      returning s.id, s.user_id
    ),
    cleared as (
      delete from login_attempts
      where email = ${params.clearFailuresOf}
        and exists (select 1 from stamped)
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'reauthenticated', stamped.user_id, u.email, ${meta.ip}, ${meta.userAgent},
        jsonb_build_object('session_id', stamped.id, 'method', ${params.method}::text)
      from stamped
      join users u on u.id = stamped.user_id
    )
    select id
    from stamped
  `;
  return row?.id;
}
