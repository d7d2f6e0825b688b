import { insertIntoAuditLog } from '../audit/audit';
import type { Sql } from '../db/sql';

// How the bootcamp gets its first admin: `npm run admin:grant -- <email>` (admin-grant-cli.ts), or ADMIN_EMAILS,
// whose verified, active accounts are made admins when the API starts and when they sign in. Either way the change
// is a role in the database like any other (an admin can change it later) and leaves an `admin_granted` audit row.
// An ADMIN_EMAILS account demoted in the admin page becomes an admin again at its next sign-in: remove it from the
// list to demote it for good.

export type GrantSource = 'cli' | 'ADMIN_EMAILS';

export async function grantAdmin(
  sql: Sql,
  params: { emails: readonly string[]; source: GrantSource; onlyVerified: boolean; now: Date },
) {
  if (params.emails.length === 0) return [];
  const granted: { id: string; email: string; previous_role: string }[] = await sql`
    with target as (
      select id, role as previous_role
      from users
      where email in ${sql(params.emails.map((email) => email.trim().toLowerCase()))}
        and role <> 'admin'
        and is_active
        and (is_verified or not ${params.onlyVerified})
      for update
    ),
    granted as (
      update users u
      set role = 'admin',
        updated_at = ${params.now}
      from target
      where u.id = target.id
      returning u.id, u.email, target.previous_role
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'admin_granted', id, email, null, null,
        jsonb_build_object('source', ${params.source}::text, 'from', previous_role)
      from granted
    )
    select id, email, previous_role
    from granted
  `;
  return granted;
}
