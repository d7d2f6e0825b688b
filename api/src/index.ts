import { join } from 'node:path';
import { type Config, ConfigError, loadConfig } from './env';

const DRAIN_TIMEOUT_MS = 8_000;
// Mail queued by the last requests gets a short while to leave before the process exits.
const MAIL_DRAIN_MS = 3_000;

// The process: read env, open the database, migrate, serve, and drain on SIGTERM (Cloud Run sends it
// before stopping an instance and gives 10 s).
async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // The rest of the app loads only once the configuration is known to be good: a bad variable is reported within
  // the time it takes to load zod, not the whole import graph (on a busy host that is seconds).
  const [
    { createApp },
    { grantAdmin },
    { startPasswordThreads },
    { startRetention },
    { createDeps },
    { findRepoRoot },
    { serveApp },
    prepare,
  ] = await Promise.all([
    import('./app'),
    import('./auth/admin-grant'),
    import('./auth/passwords'),
    import('./db/retention'),
    import('./deps'),
    import('./platform/paths'),
    import('./platform/serve'),
    import('./prepare-database'),
  ]);
  // The bcrypt threads boot while the database opens, and are up before the port is (passwords.ts says why).
  const passwordThreads = startPasswordThreads();
  const database = await prepare.openPreparedDatabase(config, {
    poolMax: config.dbPoolMax,
    migrate: config.migrateOnStart,
  });
  const deps = createDeps(
    { ...config, webDistDir: config.webDistDir ?? join(findRepoRoot(), 'web', 'dist') },
    { sql: database.sql },
  );
  const { logger } = deps;
  if (config.jwtSecretGenerated) {
    logger.warn('JWT_SECRET_KEY is not set: using a random key for this process (tokens end at restart)');
  }
  if (database.embedded) logger.info(`DATABASE_URL is not set: embedded PostgreSQL (PGlite) in ${config.pgliteDir}`);
  if (database.applied.length > 0) logger.info({ applied: database.applied }, 'migrations applied');
  const granted = await grantAdmin(database.sql, {
    emails: config.adminEmails,
    source: 'ADMIN_EMAILS',
    onlyVerified: true,
    now: deps.clock.now(),
  });
  if (granted.length > 0) logger.info({ admins: granted.map((row) => row.email) }, 'ADMIN_EMAILS: admins granted');

  const app = createApp(deps);
  await passwordThreads;
  const server = serveApp(
    app,
    { port: config.port, hostname: config.host, hsts: config.environment === 'production', ...config.server },
    (info) => {
      // Where it really listens: 127.0.0.1 (development) is unreachable from another machine or a container's
      // published port, and HOST=0.0.0.0 says otherwise.
      const shown = info.address.includes(':') ? `[${info.address}]` : info.address;
      logger.info(`listening on http://${shown}:${info.port} (docs at /docs)`);
    },
  );

  // Deletes what nobody reads again (ended sessions, expired tokens, old counters and audit rows), in batches.
  const retention = startRetention(deps);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // No new retention run; one in flight is a few short statements and ends before the pool closes.
    void retention.stop();
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
    // Said once the port is closed (close() stops listening at once), so the line is true when it is read.
    logger.info(`${signal} received: draining`);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Startup failed: ${message}\n`);
  process.exit(1);
});
