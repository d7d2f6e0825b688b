import type { AppRouteHandler } from '../../platform/types';
import type { HealthDbRoute, HealthRoute } from './health.routes';

const DB_CHECK_TIMEOUT_MS = 2_500;

export const health: AppRouteHandler<HealthRoute> = (c) => {
  const { config, version } = c.var.deps;
  return c.json(
    {
      status: 'healthy' as const,
      service: config.cloudRun?.service ?? 'aibc-api',
      version,
      environment: config.environment,
    },
    200,
  );
};

// A dead database must not hang the probe: the query races a timer, and the pool reconnects on its own
// once the database is back, so recovery needs no restart.
export const healthDb: AppRouteHandler<HealthDbRoute> = async (c) => {
  const { sql } = c.var.deps;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const query = sql`select 1 as ok`;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        query.cancel();
        reject(new Error('database check timed out'));
      }, DB_CHECK_TIMEOUT_MS);
    });
    await Promise.race([query, timeout]);
    const latency = Math.round((performance.now() - started) * 100) / 100;
    return c.json({ status: 'healthy' as const, database: 'connected' as const, latency_ms: latency }, 200);
  } catch {
    return c.json({ status: 'unhealthy' as const, database: 'disconnected' as const }, 503);
  } finally {
    clearTimeout(timer);
  }
};
