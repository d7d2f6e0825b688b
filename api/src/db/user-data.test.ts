import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, REPO_ROOT, type TestDatabase } from '../test/setup';
import { foreignKeysToUsers, tablesHoldingUserData } from '../test/user-references';
import { migrate } from './migrate';
import { userDataTables } from './user-data';

// sql/user-data.json against the migrated database: every table that holds user data (found through the foreign
// keys, so a new migration's table is covered the day it lands) is either exported or deliberately excluded, each
// exported table accounts for every column, and every foreign key to users deletes the way the list says.

let db: TestDatabase;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
  await migrate(sql, join(REPO_ROOT, 'sql'));
});

afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

async function columnsOf(table: string) {
  const rows = await sql<{ column_name: string }[]>`
    select column_name
    from information_schema.columns
    where table_schema = 'public'
      and table_name = ${table}
    order by column_name
  `;
  return rows.map((row) => row.column_name);
}

describe('sql/user-data.json', () => {
  it('lists every table that references users, directly or through another table, and no other', async () => {
    const holding = [...(await tablesHoldingUserData(sql))].sort();
    const listed = Object.keys(userDataTables).sort();
    const unlisted = holding.filter((table) => !listed.includes(table));
    // A failure here names the new table: add it to sql/user-data.json (export it, or exclude it with the reason)
    // and make sure account deletion removes or anonymises it.
    expect(unlisted, 'tables holding user data missing from sql/user-data.json').toEqual([]);
    expect(
      listed.filter((table) => !holding.includes(table)),
      'listed tables that hold no user data',
    ).toEqual([]);
  });

  it('names each table either exported or excluded with a reason', () => {
    for (const [table, entry] of Object.entries(userDataTables)) {
      const kinds = [entry.export !== undefined, typeof entry.excluded === 'string' && entry.excluded.length > 0];
      expect(kinds.filter(Boolean), `${table}: exactly one of export / excluded`).toHaveLength(1);
    }
  });

  it('accounts for every column of an exported table: exported, or withheld with a reason', async () => {
    for (const [table, entry] of Object.entries(userDataTables)) {
      if (!entry.export) continue;
      const { columns, withheld, match, order = [] } = entry.export;
      const actual = await columnsOf(table);
      const accounted = [...columns, ...Object.keys(withheld)].sort();
      expect(accounted, `${table}: columns + withheld`).toEqual(actual);
      expect(
        columns.filter((column) => column in withheld),
        `${table}: both exported and withheld`,
      ).toEqual([]);
      for (const reason of Object.values(withheld)) expect(reason.length).toBeGreaterThan(0);
      for (const column of [...match, ...order]) expect(actual, `${table}.${column}`).toContain(column);
    }
  });

  it('never exports a column that looks like a hash, secret, key or token', () => {
    const secretLooking = /hash|secret|token|key|password|verifier|nonce|salt|cipher/i;
    for (const [table, entry] of Object.entries(userDataTables)) {
      const leaking = (entry.export?.columns ?? []).filter(
        // The time a password was last changed is a date, not the password.
        (column) => secretLooking.test(column) && column !== 'password_changed_at',
      );
      expect(leaking, `${table}: exported columns that look secret`).toEqual([]);
    }
  });

  it('states each foreign key to users with its ON DELETE rule, which is cascade or set null', async () => {
    const actual: Record<string, Record<string, string>> = {};
    for (const key of await foreignKeysToUsers(sql)) {
      expect(key.columns, `${key.table}: a foreign key to users has one column`).toHaveLength(1);
      actual[key.table] ??= {};
      (actual[key.table] as Record<string, string>)[key.columns[0] as string] = key.onDelete;
    }
    const listed = Object.fromEntries(
      Object.entries(userDataTables)
        .filter(([, entry]) => Object.keys(entry.references).length > 0)
        .map(([table, entry]) => [table, entry.references]),
    );
    expect(listed).toEqual(actual);
    for (const rules of Object.values(actual)) {
      // restrict / no action would make `delete from users` fail; set default would keep a reference to someone.
      for (const rule of Object.values(rules)) expect(['cascade', 'set null']).toContain(rule);
    }
  });
});
