import { join, resolve } from 'node:path';
import { createApp } from './app';
import { createDummyHash } from './auth/passwords';
import { migrate } from './db/migrate';
import { openDatabase } from './db/sql';
import { ConfigError, loadConfig } from './env';
import { loadCurriculum } from './features/curriculum/curriculum.content';
import { syncCurriculum } from './features/curriculum/curriculum.sync';
import { systemClock } from './lib/clock';
import { createLogger } from './lib/logger';
import { createMailer } from './lib/mailer';
import { findRepoRoot } from './lib/paths';
import { serveApp } from './lib/serve';
import type { Deps } from './lib/types';

const VERSION = process.env.npm_package_version ?? '0.1.0';
const DRAIN_TIMEOUT_MS = 8_000;
// Mail queued by the last requests gets a short while to leave before the process exits.
const MAIL_DRAIN_MS = 3_000;

// The process: read env, open the database, migrate, serve, and drain on SIGTERM (Cloud Run sends it
// before stopping an instance and gives 10 s).
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // JSON lines for Cloud Logging (and any production log pipeline); readable lines in development and test.
  const logger = createLogger({
    level: config.logLevel,
    json: Boolean(config.cloudRun) || config.environment === 'production',
  });
  if (config.jwtSecretGenerated) {
    logger.warn('JWT_SECRET_KEY is not set: using a random key for this process (tokens end at restart)');
  }
  const root = findRepoRoot();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    poolMax: config.dbPoolMax,
    // resolve, not join: an absolute PGLITE_DIR must stay absolute (join would nest it under the repo).
    pgliteDir: resolve(root, config.pgliteDir),
  });
  if (database.embedded) logger.info(`DATABASE_URL is not set: embedded PostgreSQL (PGlite) in ${config.pgliteDir}`);
  if (config.migrateOnStart) {
    const { applied } = await migrate(database.sql, join(root, 'sql'));
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    // The curriculum's one source is content/curriculum.json; the sync is a no-op when its hash is unchanged.
    await syncCurriculum(database.sql, loadCurriculum(join(root, 'content', 'curriculum.json')));
  }

  const deps: Deps = {
    config: { ...config, webDistDir: config.webDistDir ?? join(root, 'web', 'dist') },
    sql: database.sql,
    logger,
    clock: systemClock,
    version: VERSION,
    dummyHash: createDummyHash(config.bcryptRounds),
    mailer: createMailer({
      smtpUrl: config.mail.smtpUrl,
      from: config.mail.from,
      logger,
      environment: config.environment,
    }),
  };
  const app = createApp(deps);
  const server = serveApp(
    app,
    { port: config.port, hostname: '0.0.0.0', hsts: config.environment === 'production' },
    (info) => {
      logger.info(`listening on http://localhost:${info.port} (docs at /docs)`);
    },
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: draining`);
    const force = setTimeout(() => {
      logger.warn('drain timeout: closing remaining connections');
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, DRAIN_TIMEOUT_MS);
    force.unref();
    // close() stops accepting and waits for in-flight requests; idle keep-alive sockets are closed at once. The
    // connection of a request still in flight turns idle only once it has answered, and close() would then wait for
    // its keep-alive timeout (or the drain timeout): sweep idle connections until the server has closed.
    const sweep = setInterval(() => {
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    }, 100);
    server.close(async () => {
      clearTimeout(force);
      clearInterval(sweep);
      await Promise.race([deps.mailer.idle(), new Promise((resolve) => setTimeout(resolve, MAIL_DRAIN_MS).unref())]);
      await database.close().catch(() => {});
      logger.info('stopped');
      logger.flush(() => process.exit(0));
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Startup failed: ${message}\n`);
  process.exit(1);
});
