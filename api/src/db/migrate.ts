import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from './sql';

// An arbitrary constant shared by every instance: pg_advisory_lock on it serialises migration runs,
// so instances that start together never apply the same file twice.
const MIGRATION_LOCK_ID = 727_274_001;

export type MigrationResult = { applied: string[] };

// postgres-shift's shape: forward-only numbered files, each applied in its own transaction and recorded.
export async function migrate(sql: Sql, directory: string): Promise<MigrationResult> {
  const files = (await readdir(directory)).filter((name) => /^\d{5}_[\w-]+\.sql$/.test(name)).sort();
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    await tx`
      create table if not exists schema_migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      )
    `;
    const rows = await tx<{ name: string; checksum: string }[]>`
      select name, checksum
      from schema_migrations
    `;
    const done = new Map(rows.map((row) => [row.name, row.checksum]));
    for (const name of files) {
      const text = await readFile(join(directory, name), 'utf8');
      const checksum = createHash('sha256').update(text).digest('hex');
      const recorded = done.get(name);
      if (recorded !== undefined) {
        if (recorded !== checksum) throw new Error(`Migration ${name} was edited after it was applied`);
        continue;
      }
      // Savepoint per file; a failing file names itself in the error (PostgreSQL's message alone does not say
      // which file), and the run's transaction then rolls back, so nothing is left half-applied.
      await tx
        .savepoint(async (sp) => {
          await sp.file(join(directory, name));
          await sp`
            insert into schema_migrations ${sp({ name, checksum }, 'name', 'checksum')}
          `;
        })
        .catch((error: unknown) => {
          throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        });
      applied.push(name);
    }
  });
  return { applied };
}
