import { join, resolve } from 'node:path';
import { migrate } from './db/migrate';
import { isDatabaseUnavailable, pgErrorCode } from './db/pg-errors';
import { grantRuntimeRole, type RuntimeGrant } from './db/runtime-role';
import { type Database, openDatabase } from './db/sql';
import type { Config } from './env';
import { loadCurriculum } from './features/curriculum/curriculum.content';
import { syncCurriculum } from './features/curriculum/curriculum.sync';
import { findRepoRoot } from './platform/paths';

// Shared by the server (index.ts) and the migration job (migrate-cli.ts): open the database, and when asked,
// apply pending migrations and sync the curriculum from its one source, content/curriculum.json (a no-op when
// its hash is unchanged). The deployment runs the job and the service with MIGRATE_ON_START=false, so both need it.
// With DATABASE_RUNTIME_USER set, a migrating run then grants that role what the service needs and no more
// (db/runtime-role.ts): the owner migrates, the service connects as the runtime role.
export async function openPreparedDatabase(
  config: Config,
  options: { poolMax: number; migrate: boolean; waitForDatabaseMs?: number },
): Promise<Database & { applied: string[]; runtimeGrant?: RuntimeGrant }> {
  const root = findRepoRoot();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    poolMax: options.poolMax,
    // resolve, not join: an absolute PGLITE_DIR must stay absolute (join would nest it under the repo).
    pgliteDir: resolve(root, config.pgliteDir),
  });
  if (!options.migrate) return { ...database, applied: [] };
  try {
    if (options.waitForDatabaseMs) await waitForDatabase(database.sql, options.waitForDatabaseMs);
    const { applied } = await migrate(database.sql, join(root, 'sql'));
    await syncCurriculum(database.sql, loadCurriculum(join(root, 'content', 'curriculum.json')));
    const runtimeGrant = config.databaseRuntimeUser
      ? await grantRuntimeRole(database.sql, config.databaseRuntimeUser)
      : undefined;
    return { ...database, applied, runtimeGrant };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

// A Cloud Run job's Direct VPC egress can take a while to come up after the container starts (Google documents a minute
// or more), and until then the private IP is unreachable. The migration job has one attempt (--max-retries=0), so it
// waits for the database — only while it cannot be reached: a wrong password or a missing database fails at once.
async function waitForDatabase(sql: Database['sql'], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      const code = pgErrorCode(error);
      const unreachable = isDatabaseUnavailable(error) || code === 'ENOENT' || code === 'ENETUNREACH';
      if (!unreachable || Date.now() + delayMs > deadline) throw error;
      process.stderr.write(`database not reachable yet (${code}); trying again in ${delayMs / 1000} s\n`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
