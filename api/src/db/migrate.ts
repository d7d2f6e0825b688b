import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from './sql';

// An arbitrary constant shared by every instance: pg_advisory_lock on it serialises migration runs,
// so instances that start together never apply the same file twice.
export const MIGRATION_LOCK_ID = 727_274_001;

// What a database user without DDL rights (the service's runtime role, docs/cloud-run.md) is told when a run needs to
// change the schema: the migrations belong to the owner, in the migration job.
const NOT_THE_OWNER_HINT =
  'this database user may not change the schema: run the migrations as the owner (npm run db:migrate, the ' +
  'migration job) and start the service with MIGRATE_ON_START=false';

function isInsufficientPrivilege(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '42501';
}

export type MigrationResult = { applied: string[] };

// postgres-shift's shape: forward-only numbered files, each applied in its own transaction and recorded.
export async function migrate(sql: Sql, directory: string): Promise<MigrationResult> {
  const files = (await readdir(directory)).filter((name) => /^\d{5}_[\w-]+\.sql$/.test(name)).sort();
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    // Created only when missing: a run with nothing to apply issues no DDL, so a user without DDL rights (the
    // runtime role with MIGRATE_ON_START left on) starts fine on an up-to-date schema.
    const [table] = await tx<{ exists: boolean }[]>`select to_regclass('schema_migrations') is not null as exists`;
    if (!table?.exists) {
      await tx`
        create table schema_migrations (
          name text primary key,
          checksum text not null,
          applied_at timestamptz not null default now()
        )
      `.catch((error: unknown) => {
        throw isInsufficientPrivilege(error)
          ? new Error(`schema_migrations: ${(error as Error).message} (${NOT_THE_OWNER_HINT})`, { cause: error })
          : error;
      });
    }
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
          const message = error instanceof Error ? error.message : String(error);
          const hint = isInsufficientPrivilege(error) ? ` (${NOT_THE_OWNER_HINT})` : '';
          throw new Error(`${name}: ${message}${hint}`, { cause: error });
        });
      applied.push(name);
    }
  });
  return { applied };
}
