// Helpers for the process-level tests: they run the BUILT server (`node api/dist/index.js`) as Cloud Run or a
// developer would, with its own environment, and watch it from outside: its port, its stdout/stderr, its exit code.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SERVER_ENTRY = join(ROOT, 'api/dist/index.js');
export const MIGRATE_ENTRY = join(ROOT, 'api/dist/migrate-cli.js');

// Fast hashing and generous rate limits, so the tests measure the process and not bcrypt or the limiter.
export const QUIET_ENV: Record<string, string> = {
  BCRYPT_ROUNDS: '4',
  RATE_LIMIT_SIGNUP_PER_MINUTE: '1000',
  RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
  RATE_LIMIT_RESET_PER_MINUTE: '1000',
  RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE: '1000',
  RATE_LIMIT_MAIL_PER_HOUR: '1000',
};

/** The root `npm test` builds first; a bare `npx vitest run tests/process` builds here if the bundle is missing. */
export function ensureBuilt(): void {
  if (existsSync(SERVER_ENTRY) && existsSync(MIGRATE_ENTRY)) return;
  const result = spawnSync('npm', ['run', 'build', '--workspace', 'api'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`api build failed:\n${result.stdout}\n${result.stderr}`);
}

/** A port nobody listens on right now: bind port 0, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${String(lastError)})` : ''}`);
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type ServerProcess = {
  child: ChildProcess;
  port: number;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<Exit>;
  /** SIGTERM, then wait up to `timeoutMs` for the exit; SIGKILL if it does not come (and the test then fails). */
  stop: (timeoutMs?: number) => Promise<Exit & { ms: number }>;
};

const children = new Set<ChildProcess>();

/** Kills every child this file started that is still running. Call it in afterAll. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((done) => child.once('exit', done));
      }
      children.delete(child);
    }),
  );
}

/** The environment of a child: PATH and HOME only, plus what the test gives (never the runner's own variables). */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) base[key] = value;
  return base;
}

/** Spawns a node script from the repo root and collects its output. */
export function spawnNode(script: string, env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' (not 'exit'): by then stdout and stderr are fully read.
  const exited = new Promise<Exit>((done) => {
    child.once('close', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    });
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Runs a node script to its end (bounded) and returns its exit code and output. */
export async function runNode(script: string, env: Record<string, string | undefined>, timeoutMs = 15_000) {
  const run = spawnNode(script, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const exit = await run.exited;
  clearTimeout(timer);
  return { ...exit, stdout: run.stdout(), stderr: run.stderr() };
}

/**
 * Starts `node api/dist/index.js` on a free port (unless PORT is given) and, unless `waitForHealth` is false,
 * waits until GET /health answers 200. Fails fast with the child's stderr if it exits first.
 */
export async function startServer(
  env: Record<string, string | undefined>,
  options: { waitForHealth?: boolean; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const run = spawnNode(SERVER_ENTRY, { ...env, PORT: env.PORT ?? String(port) });
  let exit: Exit | undefined;
  void run.exited.then((value) => {
    exit = value;
  });
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    ...run,
    port,
    url,
    stop: async (timeoutMs = 10_000) => {
      const started = Date.now();
      if (exit) return { ...exit, ms: 0 };
      run.child.kill('SIGTERM');
      const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
      const result = await run.exited;
      clearTimeout(timer);
      return { ...result, ms: Date.now() - started };
    },
  };
  if (options.waitForHealth === false) return server;
  try {
    await waitFor(
      `GET ${url}/health`,
      async () => {
        if (exit) throw new Error(`server exited early (${JSON.stringify(exit)})`);
        const response = await fetch(`${url}/health`);
        await response.arrayBuffer();
        return response.status === 200;
      },
      options.timeoutMs ?? 15_000,
      100,
    );
  } catch (error) {
    run.child.kill('SIGKILL');
    await run.exited;
    throw new Error(`${(error as Error).message}\n--- stdout ---\n${run.stdout()}\n--- stderr ---\n${run.stderr()}`);
  }
  return server;
}

/** Resolves with the error code of a TCP connect to the port ('ECONNREFUSED' when nobody listens), or 'connected'. */
export function probeConnect(port: number): Promise<string> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      done('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/**
 * A TCP proxy in front of PostgreSQL, so a test can take the database away from a running server and give it back.
 * `cut()` stops accepting and destroys every piped connection (the database is gone: connects are refused);
 * `hang()` keeps accepting but forwards nothing (a black hole: packets dropped, nothing answers);
 * `restore()` forwards again on the same port.
 */
export class TcpProxy {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private mode: 'forward' | 'hang' = 'forward';

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(): Promise<number> {
    await this.listen(0);
    return this.port;
  }

  cut(): Promise<void> {
    this.destroySockets();
    const server = this.server;
    this.server = undefined;
    return new Promise((done) => (server ? server.close(() => done()) : done()));
  }

  async hang(): Promise<void> {
    this.mode = 'hang';
    this.destroySockets();
    if (!this.server) await this.listen(this.port);
  }

  async restore(): Promise<void> {
    this.mode = 'forward';
    // Connections accepted while hanging were never piped; drop them so clients reconnect through the pipe.
    this.destroySockets();
    if (!this.server) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private destroySockets() {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((done, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        done();
      });
    });
  }

  private accept(client: Socket) {
    this.sockets.add(client);
    client.on('error', () => {});
    client.once('close', () => this.sockets.delete(client));
    if (this.mode === 'hang') return;
    const upstream = connect({ port: this.targetPort, host: this.targetHost });
    this.sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
