import type postgres from 'postgres';

// The database's own account of where user data lives, read from pg_catalog, so a table added by a later migration
// is covered without anyone remembering to list it in a test.

export type ForeignKey = { table: string; columns: string[]; references: string; onDelete: string };

const ON_DELETE: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

// Every foreign key between tables of the public schema.
export async function foreignKeys(sql: postgres.Sql): Promise<ForeignKey[]> {
  const rows = await sql<{ table: string; columns: string[]; references: string; on_delete: string }[]>`
    select child.relname as table,
      array(
        select a.attname::text
        from unnest(c.conkey) with ordinality as k(attnum, position)
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
        order by k.position
      ) as columns,
      parent.relname as references,
      c.confdeltype::text as on_delete
    from pg_constraint c
    join pg_class child on child.oid = c.conrelid
    join pg_class parent on parent.oid = c.confrelid
    join pg_namespace n on n.oid = child.relnamespace
    where c.contype = 'f'
      and n.nspname = 'public'
    order by 1, 2
  `;
  return rows.map((row) => ({
    table: row.table,
    columns: row.columns,
    references: row.references,
    onDelete: ON_DELETE[row.on_delete] ?? row.on_delete,
  }));
}

// The foreign keys that point at users itself.
export async function foreignKeysToUsers(sql: postgres.Sql) {
  return (await foreignKeys(sql)).filter((key) => key.references === 'users');
}

// users, and every table whose rows hang off a user: referencing users, or a table that does, at any depth.
export async function tablesHoldingUserData(sql: postgres.Sql): Promise<Set<string>> {
  const keys = await foreignKeys(sql);
  const found = new Set(['users']);
  let grew = true;
  while (grew) {
    grew = false;
    for (const key of keys) {
      if (found.has(key.references) && !found.has(key.table)) {
        found.add(key.table);
        grew = true;
      }
    }
  }
  return found;
}

// Every table of the public schema (for the "no row anywhere mentions the user" checks).
export async function publicTables(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ table: string }[]>`
    select tablename as table
    from pg_tables
    where schemaname = 'public'
    order by 1
  `;
  return rows.map((row) => row.table);
}

// Tables that hold `needle` anywhere in a row (any column, JSON included, as the row's text form), with counts.
export async function tablesMentioning(sql: postgres.Sql, needle: string) {
  const found: Record<string, number> = {};
  for (const table of await publicTables(sql)) {
    const [row] = await sql<{ count: number }[]>`
      select count(*)::int as count
      from ${sql(table)} t
      where strpos(lower(t::text), lower(${needle})) > 0
    `;
    if (row && row.count > 0) found[table] = row.count;
  }
  return found;
}
