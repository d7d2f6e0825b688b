import type { Sql } from '../../db/sql';
import type { AuthUser } from '../../lib/types';
import type { AuditEvent } from '../auth/auth.queries';

const userColumns = ['id', 'email', 'full_name', 'role', 'is_active', 'is_verified', 'created_at', 'last_login_at'];

export type MailRecipient = { id: string; email: string; full_name: string };

type RequestAudit = Pick<AuditEvent, 'ip' | 'userAgent'>;

// One statement: older unused links stop working, the new one is stored (as its SHA-256 only) and audited.
export async function insertVerificationToken(
  sql: Sql,
  params: { userId: string; email: string; tokenHash: string; now: Date; expiresAt: Date; audit: RequestAudit },
) {
  const { audit } = params;
  await sql`
    with invalidated as (
      update email_verification_tokens
      set used_at = ${params.now}
      where user_id = ${params.userId}
        and used_at is null
    ),
    created as (
      insert into email_verification_tokens (user_id, token_hash, created_at, expires_at)
      values (${params.userId}, ${params.tokenHash}, ${params.now}, ${params.expiresAt})
    )
    insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
    values (
      'verify_email_requested', ${params.userId}, ${params.email}, ${audit.ip ?? null}, ${audit.userAgent ?? null},
      ${sql.json({})}
    )
  `;
}

// Claims the token and verifies its user in one atomic statement: of two requests with one token, exactly one
// finds `used_at is null`. Expiry is checked against the app clock, not the database's now().
export async function consumeVerificationToken(
  sql: Sql,
  params: { tokenHash: string; now: Date; audit: RequestAudit },
): Promise<AuthUser | undefined> {
  const { audit } = params;
  const [row]: [AuthUser?] = await sql`
    with claimed as (
      update email_verification_tokens
      set used_at = ${params.now}
      where token_hash = ${params.tokenHash}
        and used_at is null
        and expires_at > ${params.now}
      returning user_id
    ),
    verified as (
      update users
      set is_verified = true,
        updated_at = ${params.now}
      where id in (select user_id from claimed)
      returning ${sql(userColumns)}
    ),
    logged as (
      insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
      select 'email_verified', id, email, ${audit.ip ?? null}, ${audit.userAgent ?? null}, ${sql.json({})}
      from verified
    )
    select *
    from verified
  `;
  return row;
}

// The same single statement whether or not the email belongs to an account, so both answers cost the same:
// for an unknown (or disabled) email `target` is empty, nothing is inserted and only the audit row is written.
// Nothing about the account itself changes: a reset request never locks it or touches its password.
export async function insertPasswordResetToken(
  sql: Sql,
  params: { email: string; tokenHash: string; now: Date; expiresAt: Date; audit: RequestAudit },
): Promise<MailRecipient | undefined> {
  const { audit } = params;
  const [row]: [MailRecipient?] = await sql`
    with target as (
      select id, email, full_name
      from users
      where email = ${params.email}
        and is_active
    ),
    invalidated as (
      update password_reset_tokens
      set used_at = ${params.now}
      where user_id in (select id from target)
        and used_at is null
    ),
    created as (
      insert into password_reset_tokens (user_id, token_hash, created_at, expires_at)
      select id, ${params.tokenHash}, ${params.now}, ${params.expiresAt}
      from target
      returning user_id
    ),
    logged as (
      insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
      values (
        'password_reset_requested', (select user_id from created), ${params.email}, ${audit.ip ?? null},
        ${audit.userAgent ?? null}, ${sql.json({})}
      )
    )
    select id, email, full_name
    from target
  `;
  return row;
}

// A read that does not consume: the policy check (which needs the email) and bcrypt run before the claim, so a
// rejected password leaves the link usable for a second try, and no row lock is held during bcrypt.
export async function findPasswordResetTokenOwner(sql: Sql, params: { tokenHash: string; now: Date }) {
  const [row]: [MailRecipient?] = await sql`
    select u.id, u.email, u.full_name
    from password_reset_tokens t
    join users u on u.id = t.user_id
    where t.token_hash = ${params.tokenHash}
      and t.used_at is null
      and t.expires_at > ${params.now}
  `;
  return row;
}

// The whole reset in one statement, so it is atomic without a transaction. The claim is the first step: of
// parallel confirms with one token, exactly one finds `used_at is null` and everything after it runs for that one
// only. Then: the new hash (receiving the link proves the address, so it counts as verified), the user's other
// reset links spent, every session and refresh token revoked (access tokens die with their session), the lockout
// for the email cleared, the audit row.
export async function completePasswordReset(
  sql: Sql,
  params: { tokenHash: string; hashedPassword: string; now: Date; audit: RequestAudit },
): Promise<MailRecipient | undefined> {
  const { audit, now } = params;
  const [row]: [MailRecipient?] = await sql`
    with claimed as (
      update password_reset_tokens
      set used_at = ${now}
      where token_hash = ${params.tokenHash}
        and used_at is null
        and expires_at > ${now}
      returning user_id
    ),
    updated as (
      update users
      set hashed_password = ${params.hashedPassword},
        password_changed_at = ${now},
        updated_at = ${now},
        is_verified = true
      where id in (select user_id from claimed)
      returning id, email, full_name
    ),
    spent as (
      update password_reset_tokens
      set used_at = ${now}
      where user_id in (select user_id from claimed)
        and token_hash <> ${params.tokenHash}
        and used_at is null
    ),
    revoked as (
      update sessions
      set revoked_at = ${now},
        revoked_reason = 'password_reset'
      where user_id in (select id from updated)
        and revoked_at is null
      returning id
    ),
    tokens as (
      update refresh_tokens
      set revoked_at = ${now}
      where session_id in (select id from revoked)
        and revoked_at is null
    ),
    cleared as (
      delete from login_attempts
      where email in (select email from updated)
    ),
    logged as (
      insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
      select 'password_reset', id, email, ${audit.ip ?? null}, ${audit.userAgent ?? null},
        jsonb_build_object('sessions_ended', (select count(*) from revoked))
      from updated
    )
    select id, email, full_name
    from updated
  `;
  return row;
}

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
    audit: RequestAudit;
  },
): Promise<MailRecipient | undefined> {
  const { audit, now } = params;
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
    revoked as (
      update sessions
      set revoked_at = ${now},
        revoked_reason = 'password_changed'
      where user_id in (select id from updated)
        and id <> ${params.sessionId}
        and revoked_at is null
      returning id
    ),
    tokens as (
      update refresh_tokens
      set revoked_at = ${now}
      where session_id in (select id from revoked)
        and revoked_at is null
    ),
    logged as (
      insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
      select 'password_changed', id, email, ${audit.ip ?? null}, ${audit.userAgent ?? null},
        jsonb_build_object('sessions_ended', (select count(*) from revoked), 'session_id', ${params.sessionId}::text)
      from updated
    )
    select id, email, full_name
    from updated
  `;
  return row;
}

export async function findPasswordHash(sql: Sql, userId: string) {
  const [row]: [{ hashed_password: string }?] = await sql`
    select hashed_password
    from users
    where id = ${userId}
  `;
  return row?.hashed_password;
}

export async function updateFullName(
  sql: Sql,
  params: { userId: string; fullName: string; now: Date; audit: RequestAudit },
): Promise<AuthUser | undefined> {
  const { audit } = params;
  const [row]: [AuthUser?] = await sql`
    with updated as (
      update users
      set full_name = ${params.fullName},
        updated_at = ${params.now}
      where id = ${params.userId}
      returning ${sql(userColumns)}
    ),
    logged as (
      insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
      select 'profile_updated', id, email, ${audit.ip ?? null}, ${audit.userAgent ?? null},
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

// The same liveness rule as the authentication check (require-auth): not revoked, not past its absolute end,
// used within the refresh lifetime.
export async function listActiveSessions(sql: Sql, params: { userId: string; now: Date; idleSince: Date }) {
  return sql<SessionRow[]>`
    select id, ip_address, user_agent, created_at, last_used_at
    from sessions
    where user_id = ${params.userId}
      and revoked_at is null
      and expires_at > ${params.now}
      and last_used_at > ${params.idleSince}
    order by created_at desc, id
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
    audit: RequestAudit;
  },
) {
  const { audit, scope } = params;
  const rows = await sql<{ id: string }[]>`
    with revoked as (
      update sessions
      set revoked_at = ${params.now},
        revoked_reason = 'revoked_by_user'
      where user_id = ${params.userId}
        and revoked_at is null
        ${'sessionId' in scope ? sql`and id = ${scope.sessionId}` : sql`and id <> ${scope.allExcept}`}
      returning id
    ),
    tokens as (
      update refresh_tokens
      set revoked_at = ${params.now}
      where session_id in (select id from revoked)
        and revoked_at is null
    ),
    logged as (
      insert into audit_logs (event, user_id, email, ip_address, user_agent, metadata)
      select 'session_revoked', ${params.userId}, ${params.email}, ${audit.ip ?? null}, ${audit.userAgent ?? null},
        jsonb_build_object('session_id', id)
      from revoked
    )
    select id
    from revoked
  `;
  return rows.map((row) => row.id);
}
