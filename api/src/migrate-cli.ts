import { join } from 'node:path';
import { migrate } from './db/migrate';
import { openDatabase } from './db/sql';
import { ConfigError, loadConfig } from './env';
import { findRepoRoot } from './lib/paths';

// `npm run db:migrate`: apply pending migrations to DATABASE_URL (or the embedded database) and exit.
try {
  const config = loadConfig();
  const root = findRepoRoot();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    poolMax: 1,
    pgliteDir: join(root, config.pgliteDir),
  });
  try {
    const { applied } = await migrate(database.sql, join(root, 'sql'));
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await database.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? '' : 'Migration failed: '}${(error as Error).message}\n`);
  process.exit(1);
}
