import { type AuditEvent, insertIntoAuditLog } from '../audit/audit';
import type { Sql } from '../db/sql';
import { type AuthUser, userColumnsOf } from './user';

// Failed password checks per email: sign-in, step-up and the password change all draw on this one budget, so a
// guesser gets the same few tries whichever door they knock on (and whether or not they hold a session).

// hashed_password is null for an account made through a provider that has not set a password.
export type UserRow = AuthUser & { hashed_password: string | null };

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
      ${sql(userColumnsOf('u'))}, u.hashed_password
    from (select 1) as one
    left join users u on u.email = ${params.email}
  `;
  if (!row) throw new Error('login attempt query returned no row');
  const { attempt_number, locked_until, ...user } = row;
  return { attempt_number, locked_until, user: user.id ? (user as UserRow) : null };
}

// A failed verify, in one round trip: if this attempt used up the budget, the email is locked now (the next try is
// refused without a verify), and the failure is audited as `lockout` or as `audit.event` (`login_failed`, or
// `reauth_failed` for a wrong password at the step-up) accordingly.
export async function recordLoginFailure(
  sql: Sql,
  params: { email: string; maxAttempts: number; lockUntil: Date; audit: AuditEvent },
): Promise<string> {
  const { audit } = params;
  const [row]: [{ event: string }?] = await sql`
    with locked as (
      update login_attempts
      set locked_until = ${params.lockUntil}
      where email = ${params.email}
        and failed_count >= ${params.maxAttempts}
        and locked_until is null
      returning email
    )
    ${insertIntoAuditLog(sql)}
    select
      case when exists (select 1 from locked) then 'lockout' else ${audit.event}::text end,
      ${audit.userId ?? null}, ${params.email}, ${audit.meta?.ip ?? null}, ${audit.meta?.userAgent ?? null},
      ${sql.json(audit.metadata ?? {})}
    returning event
  `;
  return row?.event ?? audit.event;
}

// A right password clears the count, as a successful sign-in does.
export async function clearLoginAttempts(sql: Sql, email: string) {
  await sql`
    delete from login_attempts
    where email = ${email}
  `;
}
