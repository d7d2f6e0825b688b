import { type AuditEvent, auditRow, insertIntoAuditLog } from '../../audit/audit';
import { type AuthUser, userColumns } from '../../auth/user';
import type { Sql } from '../../db/sql';

// One statement, one commit: the user, its signup audit row and its first email-verification token (stored as its
// SHA-256 only), with that mail counted against the account's verification-mail budget (the rate-limit row
// `POST /auth/verify-email/request` counts in), so sign-up plus resends stay within it.
export async function insertUser(
  sql: Sql,
  user: { email: string; full_name: string; hashed_password: string },
  audit: AuditEvent,
  verification: { tokenHash: string; now: Date; expiresAt: Date; budgetKeyPrefix: string; budgetWindowMs: number },
) {
  const [row]: [AuthUser?] = await sql`
    with created as (
      insert into users ${sql(user, 'email', 'full_name', 'hashed_password')}
      returning ${sql(userColumns)}
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select ${audit.event}, created.id, created.email, ${audit.meta?.ip ?? null}, ${audit.meta?.userAgent ?? null},
        ${sql.json(audit.metadata ?? {})}
      from created
    ),
    token as (
      insert into email_verification_tokens (user_id, token_hash, created_at, expires_at)
      select created.id, ${verification.tokenHash}, ${verification.now}, ${verification.expiresAt}
      from created
    ),
    budget as (
      insert into rate_limit_hits as r (key, hits, reset_at)
      select ${verification.budgetKeyPrefix} || created.id, 1,
        now() + ${verification.budgetWindowMs} * interval '1 millisecond'
      from created
      on conflict (key) do update set
        hits = case when r.reset_at <= now() then 1 else r.hits + 1 end,
        reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
    )
    select *
    from created
  `;
  return row;
}

export type RefreshTokenRow = {
  id: string;
  session_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  user_id: string;
  role: AuthUser['role'];
  session_created_at: Date;
  session_expires_at: Date;
  session_revoked_at: Date | null;
  user_is_active: boolean;
};

export type RotatedRefreshTokenRow = RefreshTokenRow & { claimed: boolean; successor_expires_at: Date | null };

// The rotation in one statement: the presented token is marked used and its successor stored in the same commit,
// so a parallel replay that finds the token used also finds the successor. Of two parallel requests with one token
// exactly one sees `claimed = true`. Only a token of a live session of an active user is claimed. The successor
// ends with the refresh lifetime or the session's absolute end, whichever comes first.
export async function claimAndRotateRefreshToken(
  sql: Sql,
  params: { tokenHash: string; successorHash: string; now: Date; successorExpiresAt: Date; audit: AuditEvent },
) {
  const { now, audit } = params;
  const [row]: [RotatedRefreshTokenRow?] = await sql`
    with claimed as (
      update refresh_tokens rt
      set used_at = ${now}
      from sessions s, users u
      where rt.token_hash = ${params.tokenHash}
        and rt.used_at is null
        and rt.revoked_at is null
        and rt.expires_at > ${now}
        and s.id = rt.session_id
        and s.revoked_at is null
        and s.expires_at > ${now}
        and u.id = s.user_id
        and u.is_active
      returning rt.session_id, s.user_id, least(${params.successorExpiresAt}::timestamptz, s.expires_at) as expires_at
    ),
    successor as (
      insert into refresh_tokens (session_id, token_hash, created_at, expires_at)
      select session_id, ${params.successorHash}, ${now}, expires_at
      from claimed
      returning expires_at
    ),
    touched as (
      update sessions
      set last_used_at = ${now}
      where id in (select session_id from claimed)
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select ${audit.event}, user_id, null, ${audit.meta?.ip ?? null}, ${audit.meta?.userAgent ?? null},
        jsonb_build_object('session_id', session_id)
      from claimed
    )
    select
      rt.id, rt.session_id, rt.expires_at, rt.used_at, rt.revoked_at,
      s.user_id, s.created_at as session_created_at, s.expires_at as session_expires_at,
      s.revoked_at as session_revoked_at,
      u.role, u.is_active as user_is_active,
      exists (select 1 from claimed) as claimed,
      (select expires_at from successor) as successor_expires_at
    from refresh_tokens rt
    join sessions s on s.id = rt.session_id
    join users u on u.id = s.user_id
    where rt.token_hash = ${params.tokenHash}
  `;
  return row;
}

// A successor a replay inside the grace window asks for: it must belong to the same session.
export async function findSessionRefreshToken(sql: Sql, params: { sessionId: string; tokenHash: string }) {
  const [row]: [Pick<RefreshTokenRow, 'expires_at' | 'used_at' | 'revoked_at'>?] = await sql`
    select expires_at, used_at, revoked_at
    from refresh_tokens
    where token_hash = ${params.tokenHash}
      and session_id = ${params.sessionId}
  `;
  return row;
}

// A replay answered inside the grace window: no token is issued (the session keeps its one live token), the session
// counts as used and the answer is audited.
export async function touchSession(sql: Sql, params: { sessionId: string; now: Date; audit: AuditEvent }) {
  await sql`
    with touched as (
      update sessions
      set last_used_at = ${params.now}
      where id = ${params.sessionId}
    )
    ${auditRow(sql, params.audit)}
  `;
}

export async function findSessionIdByRefreshToken(sql: Sql, tokenHash: string) {
  const [row]: [{ session_id: string }?] = await sql`
    select session_id
    from refresh_tokens
    where token_hash = ${tokenHash}
  `;
  return row?.session_id;
}
