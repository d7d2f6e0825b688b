import { insertIntoAuditLog } from '../audit/audit';
import type { Fragment, Sql } from '../db/sql';
import type { MailRecipient } from '../mail/account-mail';
import type { RequestMeta } from '../platform/request-meta';
import type { StoredRecoveryCode } from './recovery-codes';
import { revokeSessionsCte } from './sessions.queries';

// The MFA tables (sql/00007_mfa.sql): TOTP factors, recovery codes, sign-in challenges and the per-account failure
// count. Each single-use thing is claimed by one conditional update, so of parallel requests exactly one wins.

export type MfaState = {
  totp_confirmed_at: Date | null;
  totp_pending: boolean;
  recovery_codes_remaining: number;
  passkeys: number;
};

// What protects an account beyond its first factor. MFA is on once TOTP is confirmed (API.md); passkeys add their
// count here.
export async function findMfaState(sql: Sql, userId: string): Promise<MfaState> {
  const [row]: [MfaState?] = await sql`
    select
      (select confirmed_at from totp_factors where user_id = ${userId}) as totp_confirmed_at,
      exists (select 1 from totp_factors where user_id = ${userId} and confirmed_at is null) as totp_pending,
      (select count(*)::int from recovery_codes where user_id = ${userId} and used_at is null) as recovery_codes_remaining,
      (select count(*)::int from passkeys where user_id = ${userId}) as passkeys
  `;
  if (!row) throw new Error('mfa state query returned no row');
  return row;
}

export type TotpFactorRow = { secret_encrypted: Buffer; confirmed_at: Date | null; last_used_step: string | null };

export async function findTotpFactor(sql: Sql, userId: string) {
  const [row]: [TotpFactorRow?] = await sql`
    select secret_encrypted, confirmed_at, last_used_step
    from totp_factors
    where user_id = ${userId}
  `;
  return row;
}

// A new pending enrollment, replacing an earlier pending one; nothing when TOTP is already confirmed.
export async function savePendingTotp(
  sql: Sql,
  params: { userId: string; secretEncrypted: Buffer; now: Date; meta: RequestMeta },
): Promise<boolean> {
  const { meta } = params;
  const [row]: [{ user_id: string }?] = await sql`
    with saved as (
      insert into totp_factors as t (user_id, secret_encrypted, created_at)
      values (${params.userId}, ${params.secretEncrypted}, ${params.now})
      on conflict (user_id) do update set
        secret_encrypted = excluded.secret_encrypted,
        created_at = excluded.created_at,
        last_used_step = null
      where t.confirmed_at is null
      returning user_id
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'mfa_totp_enrollment_started', user_id, null, ${meta.ip}, ${meta.userAgent}, '{}'::jsonb
      from saved
    )
    select user_id
    from saved
  `;
  return row !== undefined;
}

// The claim of a time step for a confirmed factor: only a step after the last used one moves it forward, and the
// row lock of the update serialises parallel claims, so one code gives one success.
export async function claimTotpStep(sql: Sql, params: { userId: string; step: number }): Promise<boolean> {
  const [row]: [{ user_id: string }?] = await sql`
    update totp_factors
    set last_used_step = ${params.step}
    where user_id = ${params.userId}
      and confirmed_at is not null
      and (last_used_step is null or last_used_step < ${params.step})
    returning user_id
  `;
  return row !== undefined;
}

// Confirmation, in one statement: the pending factor becomes confirmed with the confirming code's step spent (it
// never works again), a first batch of recovery codes is stored when the account has none unused, every other
// session ends, and the event is audited. Answers the owner (for the mail) and whether the codes were stored.
export async function confirmTotp(
  sql: Sql,
  params: {
    userId: string;
    sessionId: string;
    step: number;
    now: Date;
    recoveryCodes: StoredRecoveryCode[];
    meta: RequestMeta;
  },
): Promise<(MailRecipient & { codes_stored: boolean }) | undefined> {
  const { now, meta } = params;
  const [row]: [(MailRecipient & { codes_stored: boolean })?] = await sql`
    with confirmed as (
      update totp_factors
      set confirmed_at = ${now},
        last_used_step = ${params.step}
      where user_id = ${params.userId}
        and confirmed_at is null
        and (last_used_step is null or last_used_step < ${params.step})
      returning user_id
    ),
    needs_codes as (
      select user_id
      from confirmed
      where not exists (select 1 from recovery_codes where user_id = ${params.userId} and used_at is null)
    ),
    ${storeRecoveryCodesCte(sql, { ...params, when: sql`exists (select 1 from needs_codes)` })},
    ${revokeSessionsCte(sql, {
      now,
      reason: 'mfa_enabled',
      where: sql`user_id in (select user_id from confirmed) and id <> ${params.sessionId}`,
    })},
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'mfa_totp_enabled', u.id, u.email, ${meta.ip}, ${meta.userAgent},
        jsonb_build_object('sessions_ended', (select count(*) from revoked), 'session_id', ${params.sessionId}::text)
      from confirmed
      join users u on u.id = confirmed.user_id
    )
    select u.id, u.email, u.full_name, exists (select 1 from needs_codes) as codes_stored
    from confirmed
    join users u on u.id = confirmed.user_id
  `;
  return row;
}

// A CTE `stored` (id of each code stored): inserts the batch for the user when `when` holds.
function storeRecoveryCodesCte(
  sql: Sql,
  params: { userId: string; now: Date; recoveryCodes: StoredRecoveryCode[]; when: Fragment },
): Fragment {
  const rows = params.recoveryCodes.map((code) => ({
    user_id: params.userId,
    salt: code.salt.toString('hex'),
    code_hash: code.code_hash.toString('hex'),
    created_at: params.now.toISOString(),
  }));
  return sql`
    stored as (
      insert into recovery_codes (user_id, salt, code_hash, created_at)
      select r.user_id, decode(r.salt, 'hex'), decode(r.code_hash, 'hex'), r.created_at
      from jsonb_to_recordset(${sql.json(rows)}) as r(user_id uuid, salt text, code_hash text, created_at timestamptz)
      where ${params.when}
      returning id
    )
  `;
}

// Turning TOTP off (pending or confirmed): the factor and the recovery codes go (they serve nothing without MFA),
// every other session ends, the event is audited. Answers the owner and whether MFA was on.
export async function deleteTotp(
  sql: Sql,
  params: { userId: string; sessionId: string; now: Date; meta: RequestMeta },
): Promise<(MailRecipient & { was_enabled: boolean }) | undefined> {
  const { now, meta } = params;
  const [row]: [(MailRecipient & { was_enabled: boolean })?] = await sql`
    with deleted as (
      delete from totp_factors
      where user_id = ${params.userId}
      returning user_id, confirmed_at is not null as was_enabled
    ),
    codes as (
      delete from recovery_codes
      where user_id in (select user_id from deleted)
    ),
    ${revokeSessionsCte(sql, {
      now,
      reason: 'mfa_disabled',
      where: sql`user_id in (select user_id from deleted where was_enabled) and id <> ${params.sessionId}`,
    })},
    logged as (
      ${insertIntoAuditLog(sql)}
      select case when d.was_enabled then 'mfa_totp_disabled' else 'mfa_totp_enrollment_cancelled' end,
        u.id, u.email, ${meta.ip}, ${meta.userAgent},
        jsonb_build_object('sessions_ended', (select count(*) from revoked), 'session_id', ${params.sessionId}::text)
      from deleted d
      join users u on u.id = d.user_id
    )
    select u.id, u.email, u.full_name, d.was_enabled
    from deleted d
    join users u on u.id = d.user_id
  `;
  return row;
}

// A new batch for an account with MFA on: the old codes (used or not) are deleted in the same statement, so none of
// them works once this commits.
export async function replaceRecoveryCodes(
  sql: Sql,
  params: { userId: string; sessionId: string; now: Date; recoveryCodes: StoredRecoveryCode[]; meta: RequestMeta },
): Promise<MailRecipient | undefined> {
  const { meta } = params;
  const [row]: [MailRecipient?] = await sql`
    with owner as (
      select u.id, u.email, u.full_name
      from users u
      join totp_factors t on t.user_id = u.id and t.confirmed_at is not null
      where u.id = ${params.userId}
      for update of t
    ),
    voided as (
      delete from recovery_codes
      where user_id in (select id from owner)
      returning id
    ),
    ${storeRecoveryCodesCte(sql, { ...params, when: sql`exists (select 1 from owner)` })},
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'mfa_recovery_codes_regenerated', id, email, ${meta.ip}, ${meta.userAgent},
        jsonb_build_object('voided', (select count(*) from voided), 'session_id', ${params.sessionId}::text)
      from owner
    )
    select id, email, full_name
    from owner
  `;
  return row;
}

export type RecoveryCodeRow = { id: string; salt: Buffer; code_hash: Buffer };

export async function listUnusedRecoveryCodes(sql: Sql, userId: string) {
  const rows: RecoveryCodeRow[] = await sql`
    select id, salt, code_hash
    from recovery_codes
    where user_id = ${userId}
      and used_at is null
  `;
  return rows;
}

// One code, once: of parallel uses, the first update wins and the others find `used_at` set.
export async function useRecoveryCode(sql: Sql, params: { id: string; now: Date }): Promise<boolean> {
  const [row]: [{ id: string }?] = await sql`
    update recovery_codes
    set used_at = ${params.now}
    where id = ${params.id}
      and used_at is null
    returning id
  `;
  return row !== undefined;
}

// ─── Sign-in challenges ─────────────────────────────────────────────────────────────────────────────────────────

export async function insertMfaChallenge(
  sql: Sql,
  params: { tokenHash: string; userId: string; firstFactor: string; now: Date; expiresAt: Date },
) {
  await sql`
    with swept as (
      delete from mfa_challenges
      where expires_at < ${params.now}
    )
    insert into mfa_challenges (token_hash, user_id, first_factor, created_at, expires_at)
    values (${params.tokenHash}, ${params.userId}, ${params.firstFactor}, ${params.now}, ${params.expiresAt})
  `;
}

export type ChallengeAttempt = { user_id: string; first_factor: string; attempts: number };

// Counts one try at a live challenge BEFORE its code is checked: a spent, expired or exhausted challenge answers
// nothing, and parallel tries each take one of the `maxAttempts`.
export async function reserveChallengeAttempt(
  sql: Sql,
  params: { tokenHash: string; now: Date; maxAttempts: number },
): Promise<ChallengeAttempt | undefined> {
  const [row]: [ChallengeAttempt?] = await sql`
    update mfa_challenges
    set attempts = attempts + 1
    where token_hash = ${params.tokenHash}
      and consumed_at is null
      and expires_at > ${params.now}
      and attempts < ${params.maxAttempts}
    returning user_id, first_factor, attempts
  `;
  return row;
}

// The user a live challenge belongs to, read without counting a try or consuming it: asking for passkey options
// (POST /auth/mfa/webauthn/options) is not an attempt at the second step. A spent, expired or exhausted challenge
// answers nothing, as reserveChallengeAttempt would.
export async function findLiveChallengeUser(
  sql: Sql,
  params: { tokenHash: string; now: Date; maxAttempts: number },
): Promise<string | undefined> {
  const [row]: [{ user_id: string }?] = await sql`
    select user_id
    from mfa_challenges
    where token_hash = ${params.tokenHash}
      and consumed_at is null
      and expires_at > ${params.now}
      and attempts < ${params.maxAttempts}
  `;
  return row?.user_id;
}

// The challenge's single use: only the first successful verify consumes it (and signs in).
export async function consumeChallenge(sql: Sql, params: { tokenHash: string; now: Date }): Promise<boolean> {
  const [row]: [{ user_id: string }?] = await sql`
    update mfa_challenges
    set consumed_at = ${params.now}
    where token_hash = ${params.tokenHash}
      and consumed_at is null
      and expires_at > ${params.now}
    returning user_id
  `;
  return row !== undefined;
}

// ─── The per-account failure count ──────────────────────────────────────────────────────────────────────────────

// Counts a second-factor try for the account BEFORE it is checked (as the password lockout does), in one atomic
// upsert: parallel tries get distinct numbers. While a lock is in force nothing is counted and `attempt_number` is
// null. A lock that has ended starts the count again.
export async function reserveMfaAttempt(
  sql: Sql,
  params: { userId: string; now: Date },
): Promise<{ attempt_number: number | null }> {
  const [row]: [{ failed_count: number }?] = await sql`
    insert into mfa_failures as f (user_id, failed_count, last_failed_at)
    values (${params.userId}, 1, ${params.now})
    on conflict (user_id) do update set
      failed_count = case when f.locked_until is not null then 1 else f.failed_count + 1 end,
      locked_until = null,
      last_failed_at = ${params.now}
    where f.locked_until is null
      or f.locked_until <= ${params.now}
    returning failed_count
  `;
  return { attempt_number: row?.failed_count ?? null };
}

// The try that spends the budget locks the MFA step; answers the owner when this call set the lock (one mail).
export async function lockMfa(
  sql: Sql,
  params: { userId: string; maxFailures: number; lockedUntil: Date; meta: RequestMeta },
): Promise<MailRecipient | undefined> {
  const { meta } = params;
  const [row]: [MailRecipient?] = await sql`
    with locked as (
      update mfa_failures
      set locked_until = ${params.lockedUntil}
      where user_id = ${params.userId}
        and failed_count >= ${params.maxFailures}
        and locked_until is null
      returning user_id
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'mfa_locked', u.id, u.email, ${meta.ip}, ${meta.userAgent},
        jsonb_build_object('locked_until', ${params.lockedUntil.toISOString()}::text)
      from locked
      join users u on u.id = locked.user_id
    )
    select u.id, u.email, u.full_name
    from locked
    join users u on u.id = locked.user_id
  `;
  return row;
}

export async function clearMfaFailures(sql: Sql, userId: string) {
  await sql`
    delete from mfa_failures
    where user_id = ${userId}
      and locked_until is null
  `;
}
