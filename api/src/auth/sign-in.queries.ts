import { insertIntoAuditLog } from '../audit/audit';
import type { Sql, TransactionSql } from '../db/sql';
import type { RequestMeta } from '../platform/request-meta';
import { type AuthUser, userColumns } from './user';

export type NewSession = {
  userId: string;
  email: string;
  // How the user proved who they are: 'password', 'passkey', or the provider they signed in with.
  method: string;
  // The second factor that completed the sign-in ('totp', 'recovery_code', 'webauthn'), or null without MFA.
  secondFactor: string | null;
  meta: RequestMeta;
  now: Date;
  sessionExpiresAt: Date;
  refreshTokenHash: string;
  refreshExpiresAt: Date;
};

// A successful sign-in in one round trip: the session, its first refresh token, last_login_at and the audit row
// (`login_success` for a password, `passkey_login` for a passkey, `oauth_login` for a provider). A password sign-in also clears the email's
// failure count; a provider sign-in neither counts toward the password lockout nor resets it (API.md).
export async function createSignInSession(sql: Sql, s: NewSession) {
  const byPassword = s.method === 'password';
  const event = byPassword ? 'login_success' : s.method === 'passkey' ? 'passkey_login' : 'oauth_login';
  const [row]: [{ session_id: string; last_login_at: Date }?] = await sql`
    with session as (
      insert into sessions (user_id, ip_address, user_agent, created_at, last_used_at, expires_at)
      values (${s.userId}, ${s.meta.ip}, ${s.meta.userAgent}, ${s.now}, ${s.now}, ${s.sessionExpiresAt})
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
      where ${byPassword}
        and email = ${s.email}
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select ${event}, ${s.userId}, ${s.email}, ${s.meta.ip}, ${s.meta.userAgent},
        jsonb_build_object('session_id', id, 'method', ${s.method}::text, 'second_factor', ${s.secondFactor}::text)
      from session
    )
    select session.id as session_id, touched.last_login_at
    from session, touched
  `;
  if (!row) throw new Error('session insert returned no row');
  return row;
}

// The ways into an account besides its sessions: a password, provider links, passkeys.
export type SignInMethods = { has_password: boolean; providers: string[]; passkeys: number };

// How many of them an account has: it must always keep one (API.md, `last_sign_in_method`).
export function countSignInMethods(methods: SignInMethods) {
  return (methods.has_password ? 1 : 0) + methods.providers.length + methods.passkeys;
}

export async function findSignInMethods(sql: Sql | TransactionSql, userId: string): Promise<SignInMethods | undefined> {
  const [row]: [SignInMethods?] = await sql`
    select
      u.hashed_password is not null as has_password,
      coalesce(array_agg(o.provider order by o.provider) filter (where o.provider is not null), '{}') as providers,
      (select count(*)::int from passkeys p where p.user_id = u.id) as passkeys
    from users u
    left join oauth_accounts o on o.user_id = u.id
    where u.id = ${userId}
    group by u.id
  `;
  return row;
}

// The same, with the user's row locked until the transaction ends. Whatever removes a way in (unlinking a provider,
// removing a passkey) calls this first in its transaction: two removals racing are serialised, and the
// second sees what the first left, so together they can never take away the last way in.
export async function lockSignInMethods(tx: TransactionSql, userId: string): Promise<SignInMethods | undefined> {
  const [locked]: [{ id: string }?] = await tx`
    select id
    from users
    where id = ${userId}
    for update
  `;
  if (!locked) return undefined;
  return findSignInMethods(tx, userId);
}

// The user a pending MFA challenge belongs to (the gate checks again that the account is active).
export async function findUserById(sql: Sql, userId: string) {
  const [row]: [AuthUser?] = await sql`
    select ${sql(userColumns)}
    from users
    where id = ${userId}
  `;
  return row;
}
