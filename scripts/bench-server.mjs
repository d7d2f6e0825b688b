// The production build of the API as a bench scenario runs it: its own port and database, production settings,
// logs to a file (as a container runtime collects them). Used by bench-admin.mjs and bench-pages.mjs; bench.mjs keeps
// its own start-up, which it also times (cold start).
import { spawn } from 'node:child_process';
import { openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns `api/dist/index.js` at once; `ready()` waits for its /health (a probe that cannot hang, an exit noticed),
 * `stop()` ends it (also when it has already exited) and removes its log.
 * @param {{ name: string, databaseUrl: string, port: number, env?: Record<string, string>, startTimeoutMs?: number }} options
 */
export function startBenchServer({ name, databaseUrl, port, env = {}, startTimeoutMs = 60_000 }) {
  const base = `http://127.0.0.1:${port}`;
  const serverLog = join(tmpdir(), `aibc-bench-${name}-${process.pid}.log`);
  const child = spawn(process.execPath, ['api/dist/index.js'], {
    cwd: root,
    env: {
      ...process.env,
      ENVIRONMENT: 'production',
      JWT_SECRET_KEY: 'bench-secret-key-that-is-at-least-32-bytes-long!',
      MFA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      PUBLIC_APP_URL: base,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', openSync(serverLog, 'a'), openSync(serverLog, 'a')],
  });
  return {
    base,
    async ready() {
      const until = Date.now() + startTimeoutMs;
      for (;;) {
        const up = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) }).then(
          (res) => res.ok,
          () => false,
        );
        if (up) return;
        if (Date.now() > until || child.exitCode !== null) throw new Error(`the API did not start (see ${serverLog})`);
        await sleep(200);
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(serverLog, { force: true });
    },
  };
}
