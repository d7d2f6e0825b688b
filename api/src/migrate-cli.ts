import { ConfigError, loadConfig } from './env';
import { openPreparedDatabase } from './prepare-database';

// `npm run db:migrate`: apply pending migrations to DATABASE_URL (or the embedded database), sync the curriculum,
// grant DATABASE_RUNTIME_USER (when set) what the service needs, and exit. The deployment runs this as its migration
// job, connected as the schema's owner, and the service as the runtime role with MIGRATE_ON_START=false.
try {
  const config = loadConfig(undefined, { purpose: 'migrate' });
  const database = await openPreparedDatabase(config, {
    poolMax: 1,
    migrate: true,
    waitForDatabaseMs: config.databaseUrl ? config.migrateConnectWaitMs : 0,
  });
  await database.close();
  const { applied, runtimeGrant } = database;
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  if (runtimeGrant) {
    const revoked = runtimeGrant.revoked.length ? `; revoked ${runtimeGrant.revoked.join(', ')}` : '';
    process.stdout.write(
      `runtime role ${runtimeGrant.role}: read/write on the tables of schema ${runtimeGrant.schema}, no DDL${revoked}\n`,
    );
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? '' : 'Migration failed: '}${(error as Error).message}\n`);
  process.exit(1);
}
