import { insertIntoAuditLog } from '../../audit/audit';
import { revokeSessionsCte } from '../../auth/sessions.queries';
import { type AuthUser, userColumns } from '../../auth/user';
import type { Sql } from '../../db/sql';
import type { MailRecipient } from '../../mail/account-mail';
import type { RequestMeta } from '../../platform/request-meta';

// One statement: older unused links stop working, the new one is stored (as its SHA-256 only) and audited.
export async function insertVerificationToken(
  sql: Sql,
  params: { userId: string; email: string; tokenHash: string; now: Date; expiresAt: Date; meta: RequestMeta },
) {
  const { meta } = params;
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
    ${insertIntoAuditLog(sql)}
    values (
      'verify_email_requested', ${params.userId}, ${params.email}, ${meta.ip}, ${meta.userAgent},
      ${sql.json({})}
    )
  `;
}

// Claims the token and verifies its user in one atomic statement: of two requests with one token, exactly one
// finds `used_at is null`. Expiry is checked against the app clock, not the database's now(). A link mailed before
// the account was disabled does nothing (and stays unused): the claim needs an active user, and the update checks
// again on the row it locks, so a disable committed meanwhile wins.
export async function consumeVerificationToken(
  sql: Sql,
  params: { tokenHash: string; now: Date; meta: RequestMeta },
): Promise<AuthUser | undefined> {
  const { meta } = params;
  const [row]: [AuthUser?] = await sql`
    with claimed as (
      update email_verification_tokens t
      set used_at = ${params.now}
      from users u
      where t.token_hash = ${params.tokenHash}
        and t.used_at is null
        and t.expires_at > ${params.now}
        and u.id = t.user_id
        and u.is_active
      returning t.user_id
    ),
    verified as (
      update users
      set is_verified = true,
        updated_at = ${params.now}
      where id in (select user_id from claimed)
        and is_active
      returning ${sql(userColumns)}
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'email_verified', id, email, ${meta.ip}, ${meta.userAgent}, ${sql.json({})}
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
  params: { email: string; tokenHash: string; now: Date; expiresAt: Date; meta: RequestMeta },
): Promise<MailRecipient | undefined> {
  const { meta } = params;
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
      ${insertIntoAuditLog(sql)}
      values (
        'password_reset_requested', (select user_id from created), ${params.email}, ${meta.ip},
        ${meta.userAgent}, ${sql.json({})}
      )
    )
    select id, email, full_name
    from target
  `;
  return row;
}

// A read that does not consume: the policy check (which needs the email) and bcrypt run before the claim, so a
// rejected password leaves the link usable for a second try, and no row lock is held during bcrypt. A disabled
// account's link is not found, so no bcrypt is spent on it.
export async function findPasswordResetTokenOwner(sql: Sql, params: { tokenHash: string; now: Date }) {
  const [row]: [(MailRecipient & { hashed_password: string | null })?] = await sql`
    select u.id, u.email, u.full_name, u.hashed_password
    from password_reset_tokens t
    join users u on u.id = t.user_id
    where t.token_hash = ${params.tokenHash}
      and t.used_at is null
      and t.expires_at > ${params.now}
      and u.is_active
  `;
  return row;
}

// The whole reset in one statement, so it is atomic without a transaction. The claim is the first step: of
// parallel confirms with one token, exactly one finds `used_at is null` and everything after it runs for that one
// only. Then: the new hash (receiving the link proves the address, so it counts as verified), the user's other
// reset links spent, every session and refresh token revoked (access tokens die with their session), the lockout
// for the email cleared, the audit row. Like the verification, it needs an active account at the claim and again
// on the locked user row.
export async function completePasswordReset(
  sql: Sql,
  params: { tokenHash: string; hashedPassword: string; now: Date; meta: RequestMeta },
): Promise<MailRecipient | undefined> {
  const { meta, now } = params;
  const [row]: [MailRecipient?] = await sql`
    with claimed as (
      update password_reset_tokens t
      set used_at = ${now}
      from users u
      where t.token_hash = ${params.tokenHash}
        and t.used_at is null
        and t.expires_at > ${now}
        and u.id = t.user_id
        and u.is_active
      returning t.user_id
    ),
    updated as (
      update users
      set hashed_password = ${params.hashedPassword},
        password_changed_at = ${now},
        updated_at = ${now},
        is_verified = true
      where id in (select user_id from claimed)
        and is_active
      returning id, email, full_name
    ),
    spent as (
      update password_reset_tokens
      set used_at = ${now}
      where user_id in (select user_id from claimed)
        and token_hash <> ${params.tokenHash}
        and used_at is null
    ),
    ${revokeSessionsCte(sql, { now, reason: 'password_reset', where: sql`user_id in (select id from updated)` })},
    cleared as (
      delete from login_attempts
      where email in (select email from updated)
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'password_reset', id, email, ${meta.ip}, ${meta.userAgent},
        jsonb_build_object('sessions_ended', (select count(*) from revoked))
      from updated
    )
    select id, email, full_name
    from updated
  `;
  return row;
}
