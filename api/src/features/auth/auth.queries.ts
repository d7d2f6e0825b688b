import type { Sql } from '../../db/sql';
import type { AuthUser } from '../../lib/types';

export type UserRow = AuthUser & { hashed_password: string };

export type AuditEvent = {
  event: string;
  userId?: string | null;
  email?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  metadata?: Record<string, string | number | boolean | null>;
};

const userColumns = ['id', 'email', 'full_name', 'role', 'is_active', 'is_verified', 'created_at', 'last_login_at'];

export async function insertUser(
  sql: Sql,
  user: { email: string; full_name: string; hashed_password: string },
  audit: AuditEvent,
) {
  const [row]: [AuthUser?] = await sql`
    with created as (
      insert into users ${sql(user, 'email', 'full_name', 'hashed_password')}
      returning ${sql(userColumns)}
    ),
    logged as (
      insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
      select ${audit.event}, created.id, created.email, ${audit.ip ?? null}, ${audit.userAgent ?? null},
        ${sql.json(audit.metadata ?? {})}
      from created
    )
    select *
    from created
  `;
  return row;
}

export async function insertAudit(sql: Sql, audit: AuditEvent) {
  await sql`
    insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
    values (
      ${audit.event}, ${audit.userId ?? null}, ${audit.email ?? null}, ${audit.ip ?? null},
      ${audit.userAgent ?? null}, ${sql.json(audit.metadata ?? {})}
    )
  `;
}

export type LoginAttempt = {
  attempt_number: number | null;
  locked_until: Date | null;
  user: UserRow | null;
};

// Counts the attempt as a failure BEFORE the password is verified, in one atomic upsert, so parallel guesses
// each get a distinct number and no more than `maxAttempts` of them ever reach bcrypt. A success clears it.
// While a lock is in force the where clause leaves the row alone and nothing is returned for it.
export async function recordLoginAttempt(
  sql: Sql,
  params: { email: string; now: Date; maxAttempts: number; lockUntil: Date },
): Promise<LoginAttempt> {
  const [row]: [(Omit<LoginAttempt, 'user'> & Partial<UserRow> & { id: string | null })?] = await sql`
    with previous as (
      select locked_until
      from login_attempts
      where email = ${params.email}
    ),
    attempt as (
      insert into login_attempts as la (email, failed_count, last_failed_at)
      values (${params.email}, 1, ${params.now})
      on conflict (email) do update set
        failed_count = case when la.locked_until is not null then 1 else la.failed_count + 1 end,
        locked_until = case
          when la.locked_until is null and la.failed_count + 1 > ${params.maxAttempts} then ${params.lockUntil}::timestamptz
          else null
        end,
        last_failed_at = ${params.now}
      where la.locked_until is null
        or la.locked_until <= ${params.now}
      returning failed_count, locked_until
    )
    select
      (select failed_count from attempt) as attempt_number,
      coalesce((select locked_until from attempt), (select locked_until from previous)) as locked_until,
      u.id, u.email, u.full_name, u.role, u.is_active, u.is_verified, u.created_at, u.last_login_at,
      u.hashed_password
    from (select 1) as one
    left join users u on u.email = ${params.email}
  `;
  if (!row) throw new Error('login attempt query returned no row');
  const { attempt_number, locked_until, ...user } = row;
  return { attempt_number, locked_until, user: user.id ? (user as UserRow) : null };
}

// A failed verify, in one round trip: if this attempt used up the budget, the email is locked now (the next try is
// refused without a verify), and the failure is audited as `lockout` or `login_failed` accordingly.
export async function recordLoginFailure(
  sql: Sql,
  params: { email: string; maxAttempts: number; lockUntil: Date; audit: AuditEvent },
): Promise<'lockout' | 'login_failed'> {
  const { audit } = params;
  const [row]: [{ event: 'lockout' | 'login_failed' }?] = await sql`
    with locked as (
      update login_attempts
      set locked_until = ${params.lockUntil}
      where email = ${params.email}
        and failed_count >= ${params.maxAttempts}
        and locked_until is null
      returning email
    )
    insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
    select
      case when exists (select 1 from locked) then 'lockout' else 'login_failed' end,
      ${audit.userId ?? null}, ${params.email}, ${audit.ip ?? null}, ${audit.userAgent ?? null},
      ${sql.json(audit.metadata ?? {})}
    returning event
  `;
  return row?.event ?? 'login_failed';
}

export type NewSession = {
  userId: string;
  email: string;
  ip: string;
  userAgent: string | null;
  now: Date;
  sessionExpiresAt: Date;
  refreshTokenHash: string;
  refreshExpiresAt: Date;
};

// A successful login in one round trip: the session, its first refresh token, last_login_at,
// the cleared failure count and the audit row.
export async function createLoginSession(sql: Sql, s: NewSession) {
  const [row]: [{ session_id: string; last_login_at: Date }?] = await sql`
    with session as (
      insert into sessions (user_id, ip_address, user_agent, created_at, last_used_at, expires_at)
      values (${s.userId}, ${s.ip}, ${s.userAgent}, ${s.now}, ${s.now}, ${s.sessionExpiresAt})
      returning id
    ),
    token as (
      insert into refresh_tokens (session_id, token_hash, created_at, expires_at)
      select id, ${s.refreshTokenHash}, ${s.now}, ${s.refreshExpiresAt}
      from session
    ),
    touched as (
      update users
      set last_login_at = ${s.now}
      where id = ${s.userId}
      returning last_login_at
    ),
    cleared as (
      delete from login_attempts
      where email = ${s.email}
    ),
    logged as (
      insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
      select 'login_success', ${s.userId}, ${s.email}, ${s.ip}, ${s.userAgent}, jsonb_build_object('session_id', id)
      from session
    )
    select session.id as session_id, touched.last_login_at
    from session, touched
  `;
  if (!row) throw new Error('session insert returned no row');
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

// Marks the token used in the same statement that reads it: of two parallel requests with one token,
// exactly one sees `claimed = true`.
export async function claimRefreshToken(sql: Sql, tokenHash: string, now: Date) {
  const [row]: [(RefreshTokenRow & { claimed: boolean })?] = await sql`
    with claimed as (
      update refresh_tokens
      set used_at = ${now}
      where token_hash = ${tokenHash}
        and used_at is null
        and revoked_at is null
        and expires_at > ${now}
      returning id
    )
    select
      rt.id, rt.session_id, rt.expires_at, rt.used_at, rt.revoked_at,
      s.user_id, s.created_at as session_created_at, s.expires_at as session_expires_at,
      s.revoked_at as session_revoked_at,
      u.role, u.is_active as user_is_active,
      exists (select 1 from claimed) as claimed
    from refresh_tokens rt
    join sessions s on s.id = rt.session_id
    join users u on u.id = s.user_id
    where rt.token_hash = ${tokenHash}
  `;
  return row;
}

export async function issueRefreshToken(
  sql: Sql,
  params: { sessionId: string; tokenHash: string; now: Date; expiresAt: Date; audit: AuditEvent },
) {
  const { audit } = params;
  await sql`
    with token as (
      insert into refresh_tokens (session_id, token_hash, created_at, expires_at)
      values (${params.sessionId}, ${params.tokenHash}, ${params.now}, ${params.expiresAt})
    ),
    touched as (
      update sessions
      set last_used_at = ${params.now}
      where id = ${params.sessionId}
    )
    insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
    values (
      ${audit.event}, ${audit.userId ?? null}, ${audit.email ?? null}, ${audit.ip ?? null},
      ${audit.userAgent ?? null}, ${sql.json(audit.metadata ?? {})}
    )
  `;
}

// Ends a session: the session row is revoked (access tokens carrying its id stop working at once) and so is
// every refresh token of it.
export async function revokeSession(sql: Sql, params: { sessionId: string; now: Date; reason: string }) {
  const [row]: [{ user_id: string }?] = await sql`
    with revoked as (
      update sessions
      set revoked_at = ${params.now},
        revoked_reason = ${params.reason}
      where id = ${params.sessionId}
        and revoked_at is null
      returning id, user_id
    ),
    tokens as (
      update refresh_tokens
      set revoked_at = ${params.now}
      where session_id in (select id from revoked)
        and revoked_at is null
    )
    select user_id
    from revoked
  `;
  return row;
}

export async function findSessionIdByRefreshToken(sql: Sql, tokenHash: string) {
  const [row]: [{ session_id: string }?] = await sql`
    select session_id
    from refresh_tokens
    where token_hash = ${tokenHash}
  `;
  return row?.session_id;
}

// The whole authentication check of a request in one round trip: the session is live and its user active.
export async function findActiveSessionUser(
  sql: Sql,
  params: { sessionId: string; userId: string; now: Date; idleSince: Date },
) {
  const [row]: [AuthUser?] = await sql`
    select u.id, u.email, u.full_name, u.role, u.is_active, u.is_verified, u.created_at, u.last_login_at
    from sessions s
    join users u on u.id = s.user_id
    where s.id = ${params.sessionId}
      and s.user_id = ${params.userId}
      and s.revoked_at is null
      and s.expires_at > ${params.now}
      and s.last_used_at > ${params.idleSince}
      and u.is_active
  `;
  return row;
}
