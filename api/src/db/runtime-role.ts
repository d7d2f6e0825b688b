import { MIGRATION_LOCK_ID } from './migrate';
import type { Sql, TransactionSql } from './sql';

// The service's database role holds the least it needs (docs/cloud-run.md, "Two database users"): it reads and
// writes the app's rows and changes nothing else. The owner, which runs the migrations and owns every table, grants
// it after each run, idempotently:
//   CONNECT on the database, USAGE on the schema,
//   SELECT/INSERT/UPDATE/DELETE on every table (only SELECT on schema_migrations),
//   USAGE/SELECT on every sequence (identity columns),
//   the same by default on what later migrations create (ALTER DEFAULT PRIVILEGES, for tables the owner creates).
// It never gets CREATE, TRUNCATE, REFERENCES or TRIGGER, owns nothing, and is no member of the owner. Cloud SQL makes
// every user created with `gcloud sql users create` a member of cloudsqlsuperuser with CREATEDB and CREATEROLE: both
// are taken away here, and the run fails if the role could still change the schema, so a deployment never serves
// with more than it was meant to.

// Roles that give a member powers over the schema or other roles. Cloud SQL's is cloudsqlsuperuser.
export const ELEVATED_ROLES: readonly string[] = ['cloudsqlsuperuser'];

export type RuntimeGrant = { role: string; schema: string; revoked: string[] };

type RoleRow = {
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolbypassrls: boolean;
  rolreplication: boolean;
};

export class RuntimeRoleError extends Error {}

export async function grantRuntimeRole(
  sql: Sql,
  role: string,
  options: { elevatedRoles?: readonly string[] } = {},
): Promise<RuntimeGrant> {
  const elevatedRoles = options.elevatedRoles ?? ELEVATED_ROLES;
  return sql.begin(async (tx) => {
    // The migrations' lock: two runs granting at once would race on the same catalog rows.
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    const [where] = await tx<{ schema: string | null; database: string; owner: string }[]>`
      select current_schema() as schema, current_database() as database, current_user as owner
    `;
    if (!where?.schema) throw new RuntimeRoleError('DATABASE_RUNTIME_USER: no current schema to grant on');
    const { schema, database, owner } = where;
    if (role === owner) {
      throw new RuntimeRoleError(
        `DATABASE_RUNTIME_USER "${role}" is the user running the migrations; the service needs a role of its own`,
      );
    }
    const [found] = await tx<RoleRow[]>`
      select rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication from pg_roles where rolname = ${role}
    `;
    if (!found) {
      throw new RuntimeRoleError(
        `DATABASE_RUNTIME_USER "${role}" does not exist: create it first ` +
          '(gcloud sql users create, or CREATE ROLE ... LOGIN; docs/cloud-run.md)',
      );
    }
    if (found.rolsuper) throw new RuntimeRoleError(`DATABASE_RUNTIME_USER "${role}" is a superuser`);

    // Memberships that would hand the role DDL: drop them (the owner needs CREATEROLE for it, as on Cloud SQL).
    const revoked: string[] = [];
    const memberships = await tx<{ name: string }[]>`
      select g.rolname as name
      from pg_auth_members m
      join pg_roles g on g.oid = m.roleid
      join pg_roles r on r.oid = m.member
      where r.rolname = ${role} and g.rolname::text = any(${elevatedRoles as string[]}::text[])
    `;
    for (const { name } of memberships) {
      await tx`revoke ${tx(name)} from ${tx(role)}`;
      revoked.push(name);
    }
    if (found.rolcreatedb || found.rolcreaterole) await tx`alter role ${tx(role)} nocreatedb nocreaterole`;

    await tx`grant connect on database ${tx(database)} to ${tx(role)}`;
    await tx`grant usage on schema ${tx(schema)} to ${tx(role)}`;
    await tx`grant select, insert, update, delete on all tables in schema ${tx(schema)} to ${tx(role)}`;
    await tx`revoke truncate, references, trigger on all tables in schema ${tx(schema)} from ${tx(role)}`;
    await tx`grant usage, select on all sequences in schema ${tx(schema)} to ${tx(role)}`;
    await tx`
      alter default privileges in schema ${tx(schema)}
      grant select, insert, update, delete on tables to ${tx(role)}
    `;
    await tx`alter default privileges in schema ${tx(schema)} grant usage, select on sequences to ${tx(role)}`;
    // The migrations' bookkeeping is the owner's: the service may read it, never write it.
    const [migrations] = await tx<{ exists: boolean }[]>`
      select to_regclass('schema_migrations') is not null as exists
    `;
    if (migrations?.exists) await tx`revoke insert, update, delete on schema_migrations from ${tx(role)}`;

    const problems = await excessPrivileges(tx, role, schema, database, owner);
    if (problems.length > 0) {
      throw new RuntimeRoleError(
        `DATABASE_RUNTIME_USER "${role}" could still change the schema: ${problems.join('; ')}`,
      );
    }
    return { role, schema, revoked };
  });
}

// What the runtime role must not be able to do, however it got the right (PUBLIC, a role it belongs to, an
// attribute): each finding names the fix.
async function excessPrivileges(
  sql: TransactionSql,
  role: string,
  schema: string,
  database: string,
  owner: string,
): Promise<string[]> {
  const [check] = await sql<
    {
      create_in_schema: boolean;
      create_in_database: boolean;
      member_of_owner: boolean;
      owns: string | null;
      createdb: boolean;
      createrole: boolean;
      bypassrls: boolean;
    }[]
  >`
    select
      has_schema_privilege(${role}, ${schema}, 'CREATE') as create_in_schema,
      has_database_privilege(${role}, ${database}, 'CREATE') as create_in_database,
      pg_has_role(${role}, ${owner}, 'MEMBER') as member_of_owner,
      (
        select c.relname::text from pg_class c
        where c.relnamespace = (select oid from pg_namespace where nspname = ${schema}) and pg_has_role(${role}, c.relowner, 'MEMBER')
        limit 1
      ) as owns,
      r.rolcreatedb as createdb,
      r.rolcreaterole as createrole,
      r.rolbypassrls as bypassrls
    from pg_roles r
    where r.rolname = ${role}
  `;
  if (!check) return ['the role vanished'];
  const problems: string[] = [];
  if (check.create_in_schema) {
    problems.push(`it may CREATE in schema ${schema} (REVOKE CREATE ON SCHEMA ${schema} FROM PUBLIC)`);
  }
  if (check.create_in_database) problems.push(`it may CREATE schemas in database ${database}`);
  if (check.member_of_owner) problems.push(`it is a member of the owner ${owner}`);
  if (check.owns) problems.push(`it owns ${check.owns}`);
  if (check.createdb || check.createrole) problems.push('it still has CREATEDB or CREATEROLE');
  if (check.bypassrls) problems.push('it has BYPASSRLS');
  return problems;
}
