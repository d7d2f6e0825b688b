#!/usr/bin/env node
// `npm run dev`: the API with reload (tsx watch) on PORT (8000) and Astro's dev server on WEB_PORT (3001), which
// proxies /api, /docs, /openapi.json and /health to the API.
//
// Stopping: SIGINT (Ctrl-C), SIGTERM or SIGHUP is passed on to both servers, and this process exits only once they
// have. Each server runs in a process group of its own, so a terminal's Ctrl-C reaches this process alone (the
// servers would otherwise get it twice: tsx answers a second signal with SIGKILL, and the API would not drain); if a
// server has not exited 10 s later, its whole group is killed. The servers are started directly (node + their CLI),
// not through `npm run`, so the pid this script signals is the server's own and nothing sits in between.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const STOP_TIMEOUT_MS = 10_000;

function port(name, fallback) {
  const value = process.env[name] ?? String(fallback);
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65_535) {
    process.stderr.write(`${name} must be a port number (1-65535), got "${value}"\n`);
    process.exit(1);
  }
  return Number(value);
}

const apiPort = port('PORT', 8000);
const webPort = port('WEB_PORT', 3001);

// The CLIs, resolved from each workspace as `npm run dev --workspace …` would find them.
const tsxCli = createRequire(join(ROOT, 'api/package.json')).resolve('tsx/cli');
const astroCli = join(dirname(createRequire(join(ROOT, 'web/package.json')).resolve('astro/package.json')), 'astro.js');

const apiEnv = { PORT: String(apiPort) };
// The API's development default accepts requests (CSRF, passkeys) from localhost:3000 and :3001; another web port
// joins it unless CORS_ORIGINS says otherwise.
if (process.env.CORS_ORIGINS === undefined && webPort !== 3001) {
  apiEnv.CORS_ORIGINS = `http://localhost:3001,http://localhost:${webPort}`;
}

const servers = [
  { name: 'api', cwd: join(ROOT, 'api'), args: [tsxCli, 'watch', 'src/index.ts'], env: apiEnv },
  {
    name: 'web',
    cwd: join(ROOT, 'web'),
    args: [astroCli, 'dev', '--port', String(webPort)],
    // Read by web/astro.config.mjs: where the dev server's proxy sends /api.
    env: { AIBC_DEV_API_URL: `http://127.0.0.1:${apiPort}` },
  },
].map(({ name, cwd, args, env }) => {
  const child = spawn(process.execPath, args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1', ...env },
  });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
    stream.on('end', () => {
      if (buffered) process.stdout.write(`${prefix}${buffered}\n`);
    });
  }
  // 'close', not 'exit': by then its output has been written out.
  const closed = new Promise((done) => {
    child.once('close', (code, signal) => {
      process.stdout.write(`${prefix}exited (${signal ?? `code ${code}`})\n`);
      done(code ?? 1);
    });
  });
  child.once('error', (error) => {
    process.stdout.write(`${prefix}could not start: ${error.message}\n`);
    stop('SIGTERM', 1);
  });
  // A server that ends on its own (a crash, a port in use) takes the other one down with it.
  void closed.then((code) => stop('SIGTERM', code === 0 ? 1 : code));
  return { name, child, closed };
});

process.stdout.write(
  `[dev] pids: ${servers.map(({ name, child }) => `${name} ${child.pid}`).join(', ')}; ` +
    `the API listens on 127.0.0.1:${apiPort}, the site on localhost:${webPort} (each logs its address once up)\n`,
);

const running = (child) => child.exitCode === null && child.signalCode === null;

/** Sends `signal` to a server's process group (the server and whatever it started). */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

let stopping = false;
async function stop(signal, code) {
  if (stopping) return;
  stopping = true;
  // To the server itself: tsx relays it to the API and waits for the drain; Astro closes its dev server.
  for (const { child } of servers) if (child.pid !== undefined && running(child)) child.kill(signal);
  const force = setTimeout(() => {
    for (const { name, child } of servers) {
      if (child.pid === undefined || !running(child)) continue;
      process.stdout.write(`[${name}] still running ${STOP_TIMEOUT_MS / 1000} s after ${signal}: killing it\n`);
      signalGroup(child, 'SIGKILL');
    }
  }, STOP_TIMEOUT_MS);
  await Promise.all(servers.map(({ closed }) => closed));
  clearTimeout(force);
  // Anything a server left behind in its group (an esbuild service whose parent is gone) goes with it.
  for (const { child } of servers) if (child.pid !== undefined) signalGroup(child, 'SIGKILL');
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal, 0));
