// `npm run dev` (scripts/dev.mjs) from outside: both servers come up where their logs say, on the ports asked for,
// and SIGTERM stops the whole tree (the API, Astro, tsx, the esbuild services): the script exits, no process it
// started is left running, and both ports are free again.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../api/src/test/setup';
import { freePort, killAll, probeConnect, QUIET_ENV, ROOT, spawnNode, waitFor } from './helpers';

let db: TestDatabase;
// The process groups dev.mjs started (one per server): killed after the test whatever its outcome, since killAll()
// only reaches dev.mjs itself and its servers run in groups of their own.
const groups = new Set<number>();

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await killAll();
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Gone already, as it should be.
    }
  }
  await db?.drop();
});

/** The parent pid and state of a process, from /proc; undefined once it has been reaped. */
function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read from the last ')'.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), state: state ?? '' };
  } catch {
    return undefined;
  }
}

/** Every process below `root`, found through the parent pids in /proc. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = stat(Number(entry));
    if (info) parents.set(Number(entry), info.ppid);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/**
 * Whether a process still runs: process.kill(pid, 0) succeeds. A zombie (exited, waiting for its parent to reap it)
 * does not run; an orphan's parent is init, and this sandbox's init does not reap, so one counts as gone.
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return stat(pid)?.state !== 'Z';
}

const describeOnLinux = process.platform === 'linux' ? describe : describe.skip;

describeOnLinux('npm run dev', () => {
  test('both servers answer on the ports asked for; SIGTERM stops every process it started and frees the ports', async () => {
    const [apiPort, webPort] = [await freePort(), await freePort()];
    const dev = spawnNode(join(ROOT, 'scripts/dev.mjs'), {
      ...QUIET_ENV,
      DATABASE_URL: db.url,
      PORT: String(apiPort),
      WEB_PORT: String(webPort),
      FORCE_COLOR: '0',
    });
    let exit: { code: number | null; signal: string | null } | undefined;
    void dev.exited.then((value) => {
      exit = value;
    });
    const output = () => `--- stdout ---\n${dev.stdout()}\n--- stderr ---\n${dev.stderr()}`;

    // Astro's first start on a busy 2-core machine takes a while; both are polled until then.
    const answers = async (url: string) => {
      if (exit) throw new Error(`dev.mjs exited early (${JSON.stringify(exit)})\n${output()}`);
      const response = await fetch(url, { headers: { Accept: 'text/html' } });
      await response.arrayBuffer();
      return response.status === 200;
    };
    const pids = await waitFor(
      "the servers' pids",
      () => dev.stdout().match(/\[dev\] pids: api (\d+), web (\d+)/) ?? undefined,
    );
    const [apiPid, webPid] = [Number(pids[1]), Number(pids[2])];
    groups.add(apiPid).add(webPid);
    await waitFor('the API on PORT', () => answers(`http://127.0.0.1:${apiPort}/health`), 120_000, 250);
    await waitFor('the site on WEB_PORT', () => answers(`http://localhost:${webPort}/`), 120_000, 250);
    // The dev server's proxy reaches the API on its PORT (not the default 8000).
    const proxied = await fetch(`http://localhost:${webPort}/health`);
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toMatchObject({ status: 'healthy' });

    // Each log names the address the server really answers on.
    expect(dev.stdout()).toMatch(new RegExp(`\\[api\\] .*listening on http://127\\.0\\.0\\.1:${apiPort}\\b`));
    expect(dev.stdout()).toMatch(new RegExp(`\\[web\\] .*http://localhost:${webPort}/`));

    const tree = descendants(dev.child.pid as number);
    expect(tree).toContain(apiPid);
    expect(tree).toContain(webPid);
    // tsx, the API under it, Astro, and their esbuild services.
    expect(tree.length).toBeGreaterThanOrEqual(4);

    const started = Date.now();
    dev.child.kill('SIGTERM');
    const result = await Promise.race([
      dev.exited,
      new Promise<undefined>((done) => setTimeout(() => done(undefined), 20_000)),
    ]);
    expect(result, `dev.mjs did not exit within 20 s of SIGTERM\n${output()}`).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(dev.stdout()).toContain('SIGTERM received: draining');

    // Nothing it started is left: not the servers, not tsx, not an esbuild service.
    const left = tree.filter(running);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    expect(left, `still running after dev.mjs exited: ${left.join(', ')}`).toEqual([]);
    expect(await probeConnect(apiPort)).toBe('ECONNREFUSED');
    expect(
      await fetch(`http://localhost:${webPort}/`).then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');
  }, 200_000);
});
