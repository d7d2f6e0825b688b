import { join, resolve } from 'node:path';
import { migrate } from './db/migrate';
import { openDatabase } from './db/sql';
import { ConfigError, loadConfig } from './env';
import { loadCurriculum } from './features/curriculum/curriculum.content';
import { syncCurriculum } from './features/curriculum/curriculum.sync';
import { findRepoRoot } from './lib/paths';

// `npm run db:migrate`: apply pending migrations to DATABASE_URL (or the embedded database), sync the curriculum
// and exit. The deployment runs this as its migration job and the service with MIGRATE_ON_START=false, so the
// curriculum sync must happen here too, or content changes would never reach production.
try {
  const config = loadConfig(process.env, { purpose: 'migrate' });
  const root = findRepoRoot();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    poolMax: 1,
    // resolve, not join: an absolute PGLITE_DIR must stay absolute.
    pgliteDir: resolve(root, config.pgliteDir),
  });
  try {
    const { applied } = await migrate(database.sql, join(root, 'sql'));
    await syncCurriculum(database.sql, loadCurriculum(join(root, 'content', 'curriculum.json')));
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await database.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? '' : 'Migration failed: '}${(error as Error).message}\n`);
  process.exit(1);
}
