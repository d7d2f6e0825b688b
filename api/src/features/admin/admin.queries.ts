import { liveSession, revokeSessionsCte } from '../../auth/sessions.queries';
import { userColumnsOf } from '../../auth/user';
import type { Fragment, Sql, TransactionSql } from '../../db/sql';
import type { RequestMeta } from '../../platform/request-meta';
import type { Role } from '../../shared/user';
import { type CountCursor, containsPattern, type TimeCursor } from './admin.cursor';

// SQL of /api/v1/admin. Every list is newest first (or most progress first) on a key with a unique tie-break, read
// with `limit + 1` so the handler knows whether another page follows. The indexes these rely on, and the plans they
// get at 1,000,000 users and 10,000,000 audit rows, are in sql/00009_admin.sql and docs/decisions/0014-admin-lists-at-scale.md.

// A timestamp as PostgreSQL's text with microseconds, for a cursor (admin.cursor.ts says why).
const cursorText = (sql: Sql, column: Fragment) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export type AdminUserRow = {
  id: string;
  email: string;
  full_name: string;
  role: Role;
  is_active: boolean;
  is_verified: boolean;
  created_at: Date;
  last_login_at: Date | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  mfa_enabled: boolean;
  passkey_count: number;
  oauth_providers: string[];
  cursor_at: string;
};

// What AdminUser adds to a user row `u`: the disabled state, whether MFA is on (a confirmed TOTP factor, as the
// sign-in gate reads it: a pending enrollment gates nothing), the passkeys and the sign-in providers.
// Subqueries in the select list run for the rows of the page only.
function adminUserColumns(sql: Sql) {
  return sql`
    ${sql(userColumnsOf('u'))},
    u.disabled_at,
    u.disabled_reason,
    exists (
      select 1
      from totp_factors t
      where t.user_id = u.id
        and t.confirmed_at is not null
    ) as mfa_enabled,
    (
      select count(*)::int
      from passkeys p
      where p.user_id = u.id
    ) as passkey_count,
    array(
      select o.provider
      from oauth_accounts o
      where o.user_id = u.id
      order by o.provider
    ) as oauth_providers,
    ${cursorText(sql, sql`u.created_at`)} as cursor_at
  `;
}

export async function searchUsers(
  sql: Sql,
  params: { q?: string; role?: Role; status?: 'active' | 'disabled'; after?: TimeCursor; limit: number },
) {
  const pattern = params.q ? containsPattern(params.q) : undefined;
  // The page is chosen first and its columns computed after: otherwise PostgreSQL evaluates the select list (three
  // subqueries and a to_char) for every match before the top-N sort — 4,839 matches of a search took 34 ms that way
  // and 6 ms this way (docs/decisions/0014-admin-lists-at-scale.md).
  const rows: AdminUserRow[] = await sql`
    select ${adminUserColumns(sql)}
    from (
      select *
      from users u
      where true
        ${pattern ? sql`and (u.email ilike ${pattern} or u.full_name ilike ${pattern})` : sql``}
        ${params.role ? sql`and u.role = ${params.role}` : sql``}
        ${params.status === 'active' ? sql`and u.is_active` : params.status === 'disabled' ? sql`and not u.is_active` : sql``}
        ${params.after ? sql`and (u.created_at, u.id) < (${params.after.at}::text::timestamptz, ${params.after.id}::uuid)` : sql``}
      order by u.created_at desc, u.id desc
      limit ${params.limit + 1}
    ) u
    order by u.created_at desc, u.id desc
  `;
  return rows;
}

export async function findAdminUser(sql: Sql | TransactionSql, userId: string) {
  const [row]: [AdminUserRow?] = await sql`
    select ${adminUserColumns(sql as Sql)}
    from users u
    where u.id = ${userId}
  `;
  return row;
}

export async function listLiveSessions(sql: Sql, params: { userId: string; now: Date; idleSince: Date }) {
  return sql<
    { id: string; ip_address: string | null; user_agent: string | null; created_at: Date; last_used_at: Date }[]
  >`
    select s.id, s.ip_address, s.user_agent, s.created_at, s.last_used_at
    from sessions s
    where s.user_id = ${params.userId}
      and ${liveSession(sql, params)}
    order by s.created_at desc, s.id desc
    limit 100
  `;
}

export async function listOAuthLinks(sql: Sql, userId: string) {
  return sql<{ provider: string; email: string | null }[]>`
    select provider, email
    from oauth_accounts
    where user_id = ${userId}
    order by provider
  `;
}

// Per course, in curriculum order: the learner's completed lessons (course_learners, kept by a trigger from the
// same rows GET /users/me/progress counts) out of the course's lessons.
export async function listCourseProgress(sql: Sql, userId: string) {
  return sql<
    {
      course_id: string;
      slug: string;
      title: string;
      completed: number;
      total: number;
      last_activity_at: Date | null;
    }[]
  >`
    select
      c.id as course_id,
      c.slug,
      c.title,
      coalesce(cl.completed, 0) as completed,
      (select count(*)::int from lessons l where l.course_id = c.id) as total,
      cl.last_activity_at
    from courses c
    left join course_learners cl on cl.course_id = c.id and cl.user_id = ${userId}
    order by c.position
  `;
}

// Serialises every change that could remove an admin: the active admins' rows are locked, in id order (so two
// such transactions never deadlock), before anything is read or changed. Answers their ids.
export async function lockActiveAdmins(tx: TransactionSql) {
  const rows = await tx<{ id: string }[]>`
    select id
    from users
    where role = 'admin'
      and is_active
    order by id
    for update
  `;
  return rows.map((row) => row.id);
}

export async function lockUser(tx: TransactionSql, userId: string) {
  const [row]: [{ id: string; email: string; role: Role; is_active: boolean; disabled_reason: string | null }?] =
    await tx`
      select id, email, role, is_active, disabled_reason
      from users
      where id = ${userId}
      for update
    `;
  return row;
}

export type UserChange = {
  userId: string;
  role: Role;
  isActive: boolean;
  disabledReason: string | null;
  // Set when this change disables the account: its sessions end in the same statement.
  disabling: boolean;
  enabling: boolean;
  now: Date;
  idleSince: Date;
};

// One statement: the new role and state, and when disabling, the end of every session of the account.
export async function applyUserChange(sql: TransactionSql, change: UserChange) {
  const [row]: [{ sessions_ended: number }?] = await sql`
    with updated as (
      update users
      set role = ${change.role},
        is_active = ${change.isActive},
        disabled_at = case
          when ${change.disabling} then ${change.now}::timestamptz
          when ${change.enabling} then null
          else disabled_at
        end,
        disabled_reason = ${change.isActive ? null : change.disabledReason},
        updated_at = ${change.now}
      where id = ${change.userId}
      returning id
    ),
    ${revokeSessionsCte(sql, {
      now: change.now,
      reason: 'account_disabled',
      where: sql`${change.disabling} and user_id in (select id from updated)`,
    })}
    select (select count(*)::int from revoked) as sessions_ended
    from updated
  `;
  return row;
}

export async function endAllSessions(sql: Sql, params: { userId: string; now: Date; reason: string }) {
  const [row]: [{ sessions_ended: number }] = await sql`
    with ${revokeSessionsCte(sql, { now: params.now, reason: params.reason, where: sql`user_id = ${params.userId}` })}
    select count(*)::int as sessions_ended
    from revoked
  `;
  return row.sessions_ended;
}

// DELETE /admin/users/{id}/mfa, in one statement: the TOTP factor (confirmed or pending), every recovery code, every
// MFA sign-in challenge in flight and the WebAuthn second-factor challenges (a half-finished sign-in cannot be
// finished with a factor that is gone), the failure count and its lock, and every session of the account. Passkeys
// stay: they are a way to sign in, not only a second step. Answers the owner (for the mail) and what was removed;
// nothing for an unknown user. The audit row is written by the caller in the same transaction.
export async function resetMfa(sql: TransactionSql, params: { userId: string; now: Date; reason: string }) {
  const [row]: [
    | {
        id: string;
        email: string;
        full_name: string;
        totp_removed: boolean;
        totp_was_enabled: boolean;
        recovery_codes_removed: number;
        challenges_removed: number;
        sessions_ended: number;
      }
    | undefined,
  ] = await sql`
    with target as (
      select id, email, full_name
      from users
      where id = ${params.userId}
      for update
    ),
    factor as (
      delete from totp_factors
      where user_id in (select id from target)
      returning confirmed_at is not null as was_enabled
    ),
    codes as (
      delete from recovery_codes
      where user_id in (select id from target)
      returning id
    ),
    challenges as (
      delete from mfa_challenges
      where user_id in (select id from target)
      returning token_hash
    ),
    webauthn_second_factor as (
      delete from webauthn_challenges
      where user_id in (select id from target)
        and purpose = 'second_factor'
    ),
    failures as (
      delete from mfa_failures
      where user_id in (select id from target)
    ),
    ${revokeSessionsCte(sql, { now: params.now, reason: params.reason, where: sql`user_id in (select id from target)` })}
    select t.id, t.email, t.full_name,
      exists (select 1 from factor) as totp_removed,
      coalesce((select bool_or(was_enabled) from factor), false) as totp_was_enabled,
      (select count(*)::int from codes) as recovery_codes_removed,
      (select count(*)::int from challenges) as challenges_removed,
      (select count(*)::int from revoked) as sessions_ended
    from target t
  `;
  return row;
}

export type AuditRow = {
  id: string;
  event: string;
  user_id: string | null;
  actor_id: string | null;
  email: string | null;
  ip_address: string | null;
  user_agent: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  cursor_at: string;
};

export async function listAudit(
  sql: Sql,
  params: {
    userId?: string;
    actorId?: string;
    event?: string;
    from?: string;
    to?: string;
    after?: { at: string; id: string };
    limit: number;
  },
) {
  const rows: AuditRow[] = await sql`
    select a.id::text, a.event, a.user_id, a.actor_id, a.email, a.ip_address, a.user_agent, a.metadata,
      a.created_at, ${cursorText(sql, sql`a.created_at`)} as cursor_at
    from audit_logs a
    where true
      ${params.userId ? sql`and a.user_id = ${params.userId}` : sql``}
      ${params.actorId ? sql`and a.actor_id = ${params.actorId}` : sql``}
      ${params.event ? sql`and a.event = ${params.event}` : sql``}
      ${params.from ? sql`and a.created_at >= ${params.from}::timestamptz` : sql``}
      ${params.to ? sql`and a.created_at < ${params.to}::timestamptz` : sql``}
      ${params.after ? sql`and (a.created_at, a.id) < (${params.after.at}::text::timestamptz, ${params.after.id}::bigint)` : sql``}
    order by a.created_at desc, a.id desc
    limit ${params.limit + 1}
  `;
  return rows;
}

export async function findCourse(sql: Sql, slug: string) {
  const [row]: [{ id: string; total: number }?] = await sql`
    select c.id, (select count(*)::int from lessons l where l.course_id = c.id) as total
    from courses c
    where c.slug = ${slug}
  `;
  return row;
}

export type LearnerRow = {
  user_id: string;
  email: string;
  full_name: string;
  completed: number;
  last_activity_at: Date;
  cursor_at: string;
};

export async function listLearners(
  sql: Sql,
  params: {
    courseId: string;
    q?: string;
    sort: 'last_activity' | 'progress';
    afterTime?: TimeCursor;
    afterCount?: CountCursor;
    limit: number;
  },
) {
  const pattern = params.q ? containsPattern(params.q) : undefined;
  const byProgress = params.sort === 'progress';
  const rows: LearnerRow[] = await sql`
    select cl.user_id, u.email, u.full_name, cl.completed, cl.last_activity_at,
      ${cursorText(sql, sql`cl.last_activity_at`)} as cursor_at
    from course_learners cl
    join users u on u.id = cl.user_id
    where cl.course_id = ${params.courseId}
      ${pattern ? sql`and (u.email ilike ${pattern} or u.full_name ilike ${pattern})` : sql``}
      ${params.afterTime ? sql`and (cl.last_activity_at, cl.user_id) < (${params.afterTime.at}::text::timestamptz, ${params.afterTime.id}::uuid)` : sql``}
      ${params.afterCount ? sql`and (cl.completed, cl.user_id) < (${params.afterCount.count}::int, ${params.afterCount.id}::uuid)` : sql``}
    order by ${byProgress ? sql`cl.completed desc, cl.user_id desc` : sql`cl.last_activity_at desc, cl.user_id desc`}
    limit ${params.limit + 1}
  `;
  return rows;
}

export type AdminAuditInsert = {
  event: string;
  userId: string;
  actorId: string;
  email: string | null;
  meta: RequestMeta;
  metadata: Record<string, string | number | boolean | null>;
};
