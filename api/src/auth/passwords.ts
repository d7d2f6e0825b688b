import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseOptions } from '@node-rs/bcrypt';

// All password hashing goes through this module, and through one gate per process (docs/decisions/0011):
// - bcrypt runs on worker threads of its own, never on libuv's thread pool, so a login flood cannot starve what
//   shares that pool (file writes, DNS, the WebCrypto of the OAuth flows);
// - at most `concurrency` jobs run at once (default: the cores), at most `queueMax` wait, none waits longer than
//   `queueWaitMs`, and everything beyond is refused at once with PasswordWorkBusy, a 503 with Retry-After. Load
//   shedding, not a growing backlog: the answer to a flood is fast, and the cores stay shared with signed-in users.
// The hash and verify functions take a PasswordSlot, which only `PasswordWork.run` hands out, so no path can
// hash outside the gate.

// bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a prefix would verify alike.
// As Django's BCryptSHA256PasswordHasher does, we pre-hash with SHA-256 (hex, 64 bytes) so every character counts.
// NFKC first, so the same password typed on another keyboard or OS (composed vs decomposed) still matches.
function prehash(password: string): string {
  return createHash('sha256').update(password.normalize('NFKC'), 'utf8').digest('hex');
}

export type PasswordWorkOptions = { concurrency: number; queueMax: number; queueWaitMs: number };

// The answer to "too much password work right now": the route turns it into a 503 problem with Retry-After.
export class PasswordWorkBusy extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('password hashing is at capacity');
    this.name = 'PasswordWorkBusy';
  }
}

declare const slotBrand: unique symbol;
// Proof that the caller holds a place in the gate; valid only while the `run` callback that received it runs.
export type PasswordSlot = { readonly [slotBrand]: true };

export type PasswordWork = {
  // Waits for a place (or is refused with PasswordWorkBusy), runs `work` holding it, and gives it back. Whatever a
  // request must do before its bcrypt (counting a login attempt) belongs inside, so a refused request changes nothing.
  run<T>(work: (slot: PasswordSlot) => Promise<T>): Promise<T>;
  // Background work (a rehash): runs only if a place is free now, never queues; undefined when skipped.
  tryRun<T>(work: (slot: PasswordSlot) => Promise<T>): Promise<T> | undefined;
  readonly stats: () => { running: number; queued: number; shed: number };
};

type Waiter = { admit: () => void; timer: NodeJS.Timeout };

export function createPasswordWork(options: PasswordWorkOptions): PasswordWork {
  const { concurrency, queueMax, queueWaitMs } = options;
  const retryAfterSeconds = Math.max(1, Math.ceil(queueWaitMs / 1000));
  const queue: Waiter[] = [];
  let running = 0;
  let shed = 0;

  const slot = {} as PasswordSlot;

  function release() {
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.admit();
    } else {
      running--;
    }
  }

  function acquire(): Promise<void> {
    if (running < concurrency) {
      running++;
      return Promise.resolve();
    }
    if (queue.length >= queueMax) {
      shed++;
      return Promise.reject(new PasswordWorkBusy(retryAfterSeconds));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        // The place passes straight from the job that ended to this one: `running` is unchanged.
        admit: resolve,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          shed++;
          reject(new PasswordWorkBusy(retryAfterSeconds));
        }, queueWaitMs),
      };
      queue.push(waiter);
    });
  }

  async function holding<T>(work: (slot: PasswordSlot) => Promise<T>): Promise<T> {
    try {
      return await work(slot);
    } finally {
      release();
    }
  }

  return {
    run: async (work) => {
      await acquire();
      return holding(work);
    },
    tryRun: (work) => {
      if (running >= concurrency) return undefined;
      running++;
      return holding(work);
    },
    stats: () => ({ running, queued: queue.length, shed }),
  };
}

// --- bcrypt threads ----------------------------------------------------------------------------------------------
// One worker thread per core at most, started on first use (the server starts them all before it listens) and unref'd
// (an idle pool never keeps the process alive).
// Each runs @node-rs/bcrypt's synchronous functions, so its own thread does the work; the gate above keeps the number
// of jobs in flight at `concurrency`, and the pool only spreads them over threads.

type Job = { op: 'hash' | 'verify'; password: string; hash?: string; cost?: number };
type Pending = { resolve: (value: string | boolean) => void; reject: (error: Error) => void };
type Thread = { worker: Worker; busy: boolean; pending?: Pending; ready: Promise<void> };
type Reply = { ready: true } | { ok: true; value: string | boolean } | { ok: false; message: string };

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const os = require('node:os');
const bcrypt = require(workerData.bcryptPath);
// On Linux the nice value is per thread: this one yields the CPU to the event loop when both want it.
try { os.setPriority(Math.min(19, os.getPriority() + workerData.niceIncrement)); } catch {}
// Better still, SCHED_IDLE: a thread under it is preempted the moment any ordinary thread wakes (the event loop, a
// database backend on the same host), where a niced thread may finish its time slice first. Any thread may move
// itself there without privilege; Node has no call for it, so util-linux's chrt does it once per thread. Where
// chrt is missing or the kernel refuses, the nice value above stands.
try {
  const tid = require('node:fs').readlinkSync('/proc/thread-self').split('/').pop();
  require('node:child_process').execFileSync('chrt', ['--idle', '--pid', '0', tid], { stdio: 'ignore', timeout: 5000 });
} catch {}
parentPort.postMessage({ ready: true });
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'hash'
      ? bcrypt.hashSync(job.password, { cost: job.cost })
      : bcrypt.verifySync(job.password, job.hash);
    parentPort.postMessage({ ok: true, value });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message || error) });
  }
});`;

const bcryptPath = createRequire(import.meta.url).resolve('@node-rs/bcrypt');
// bcrypt threads run at a lower priority than the event loop (nice +10: about a tenth of the CPU weight), so when
// they keep every core busy, a signed-in request still gets the CPU it needs at once; with idle cores they run at
// full speed. Raising one's own nice value needs no privilege.
const BCRYPT_NICE_INCREMENT = 10;
const maxThreads = Math.max(1, availableParallelism());
const threads: Thread[] = [];
const backlog: { job: Job; pending: Pending }[] = [];

function startThread(): Thread {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { bcryptPath, niceIncrement: BCRYPT_NICE_INCREMENT },
  });
  let markReady = () => {};
  const thread: Thread = { worker, busy: false, ready: new Promise((resolve) => (markReady = resolve)) };
  // Held until it has set its priority (so an awaited start keeps the process alive), then unref'd.
  const ready = () => {
    worker.unref();
    markReady();
  };
  worker.on('message', (reply: Reply) => {
    if ('ready' in reply) return ready();
    const pending = thread.pending;
    thread.pending = undefined;
    thread.busy = false;
    if (reply.ok) pending?.resolve(reply.value);
    else pending?.reject(new Error(`bcrypt: ${reply.message}`));
    dispatch();
  });
  // A thread that dies fails only its own job; the next job starts a fresh one.
  worker.on('error', (error) => {
    ready();
    threads.splice(threads.indexOf(thread), 1);
    thread.pending?.reject(error);
    dispatch();
  });
  threads.push(thread);
  return thread;
}

// Starts every bcrypt thread now and resolves once each has set its priority. The server calls it before it listens:
// a thread sets its priority by running chrt, and a process forked while the port is open holds a copy of the
// listening socket until it execs, so a SIGTERM in that moment would close a port that still accepts connections.
// (The first login also no longer waits for a thread to boot.) Elsewhere threads start on first use.
export async function startPasswordThreads(): Promise<void> {
  while (threads.length < maxThreads) startThread();
  await Promise.all(threads.map((thread) => thread.ready));
}

function dispatch() {
  while (backlog.length > 0) {
    const thread =
      threads.find((candidate) => !candidate.busy) ?? (threads.length < maxThreads ? startThread() : undefined);
    if (!thread) return;
    const next = backlog.shift();
    if (!next) return;
    thread.busy = true;
    thread.pending = next.pending;
    thread.worker.postMessage(next.job);
  }
}

function onBcryptThread(job: Job): Promise<string | boolean> {
  return new Promise((resolve, reject) => {
    backlog.push({ job, pending: { resolve, reject } });
    dispatch();
  });
}

// --- the functions the rest of the code uses ----------------------------------------------------------------------

export async function hashPassword(password: string, cost: number, _slot: PasswordSlot): Promise<string> {
  return String(await onBcryptThread({ op: 'hash', password: prehash(password), cost }));
}

export async function verifyPassword(password: string, hashed: string, _slot: PasswordSlot): Promise<boolean> {
  return (await onBcryptThread({ op: 'verify', password: prehash(password), hash: hashed })) === true;
}

// A login for an unknown email verifies against this hash, so it costs the same time as a wrong password
// and the response time does not reveal whether the account exists. Made at the configured cost.
export function createDummyHash(work: PasswordWork, cost: number): Promise<string> {
  return work.run((slot) => hashPassword(randomBytes(32).toString('hex'), cost, slot));
}

// The cost a stored hash was made with; undefined for text bcrypt would not accept.
export function bcryptCostOf(hashed: string): number | undefined {
  try {
    return parseOptions(hashed).cost;
  } catch {
    return undefined;
  }
}
