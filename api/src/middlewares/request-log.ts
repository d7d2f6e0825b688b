import type { MiddlewareHandler } from 'hono';
import type { AppBindings } from '../platform/types';

// One line per request. Only the path is logged (never the query string, headers or body), so no password,
// token or Authorization header can reach the log. On Cloud Run the line carries httpRequest and trace.
export function requestLog(): MiddlewareHandler<AppBindings> {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    const { logger, config } = c.var.deps;
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const status = c.res.status;
    const path = c.req.path;
    const level = status >= 500 ? 'error' : 'info';
    if (config.cloudRun) {
      const entry: Record<string, unknown> = {
        httpRequest: {
          requestMethod: c.req.method,
          requestUrl: path,
          status,
          latency: `${(latencyMs / 1000).toFixed(4)}s`,
          remoteIp: c.var.clientIp,
          userAgent: c.req.header('user-agent'),
        },
        requestId: c.var.requestId,
      };
      const trace = c.req.header('x-cloud-trace-context')?.split('/')[0];
      if (trace && /^[0-9a-f]{32}$/i.test(trace) && config.cloudRun.project) {
        entry['logging.googleapis.com/trace'] = `projects/${config.cloudRun.project}/traces/${trace}`;
      }
      logger[level](entry, `${c.req.method} ${path} ${status}`);
      return;
    }
    logger[level]({ status, ms: latencyMs, requestId: c.var.requestId }, `${c.req.method} ${path}`);
  };
}
