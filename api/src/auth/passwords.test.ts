import { describe, expect, it } from 'vitest';
import { SCHED_IDLE, SCHED_OTHER, threadScheduling } from '../test/threads';
import {
  bcryptCostOf,
  createPasswordWork,
  hashPassword,
  type PasswordSlot,
  PasswordWorkBusy,
  verifyPassword,
} from './passwords';

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('the password gate', () => {
  it('runs at most `concurrency` jobs, queues `queueMax`, and refuses the rest at once', async () => {
    const gate = createPasswordWork({ concurrency: 2, queueMax: 3, queueWaitMs: 10_000 });
    const release = deferred();
    let peak = 0;
    let running = 0;
    const job = async () => {
      running++;
      peak = Math.max(peak, running);
      await release.promise;
      running--;
      return 'done';
    };
    const settled = Array.from({ length: 10 }, () => gate.run(job).then(String, (error: unknown) => error));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.stats()).toEqual({ running: 2, queued: 3, shed: 5 });
    release.resolve();
    const results = await Promise.all(settled);
    expect(results.filter((result) => result === 'done')).toHaveLength(5);
    const refused = results.filter((result) => result instanceof PasswordWorkBusy);
    expect(refused).toHaveLength(5);
    expect((refused[0] as PasswordWorkBusy).retryAfterSeconds).toBe(10);
    expect(peak).toBe(2);
    expect(gate.stats()).toEqual({ running: 0, queued: 0, shed: 5 });
  });

  it('refuses a queued job once it has waited `queueWaitMs`, and gives the place back after a failed job', async () => {
    const gate = createPasswordWork({ concurrency: 1, queueMax: 5, queueWaitMs: 50 });
    const release = deferred();
    const holder = gate.run(() => release.promise);
    const started = performance.now();
    await expect(gate.run(async () => 'late')).rejects.toBeInstanceOf(PasswordWorkBusy);
    expect(performance.now() - started).toBeLessThan(2000);
    release.resolve();
    await holder;
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
    expect(gate.stats()).toMatchObject({ running: 0, queued: 0 });
  });

  it('tryRun runs only when a place is free now, never queueing', async () => {
    const gate = createPasswordWork({ concurrency: 1, queueMax: 5, queueWaitMs: 1000 });
    const release = deferred();
    const holder = gate.run(() => release.promise);
    expect(gate.tryRun(async () => 'skipped')).toBeUndefined();
    release.resolve();
    await holder;
    expect(await gate.tryRun(async () => 'ran')).toBe('ran');
  });
});

describe('bcrypt on its own threads', () => {
  it('hashes at the given cost and verifies, pre-hashing so every character counts', async () => {
    const gate = createPasswordWork({ concurrency: 2, queueMax: 2, queueWaitMs: 5000 });
    const long = 'x'.repeat(100);
    const hashed = await gate.run((slot: PasswordSlot) => hashPassword(long, 5, slot));
    expect(bcryptCostOf(hashed)).toBe(5);
    expect(await gate.run((slot) => verifyPassword(long, hashed, slot))).toBe(true);
    expect(await gate.run((slot) => verifyPassword(`${long}y`, hashed, slot))).toBe(false);
    expect(bcryptCostOf('not a hash')).toBeUndefined();
  });

  it('runs bcrypt under SCHED_IDLE, so any ordinary thread that wakes (the event loop) preempts it at once', async () => {
    const gate = createPasswordWork({ concurrency: 1, queueMax: 1, queueWaitMs: 5000 });
    await gate.run((slot) => hashPassword('x', 4, slot));
    const idle = threadScheduling().filter((thread) => thread.policy === SCHED_IDLE);
    expect(idle.length).toBeGreaterThanOrEqual(1);
    expect(idle.every((thread) => thread.nice === 10)).toBe(true);
    // The event loop's thread (tid = pid) keeps the ordinary policy and its own priority.
    expect(threadScheduling().find((thread) => thread.tid === String(process.pid))).toMatchObject({
      policy: SCHED_OTHER,
      nice: 0,
    });
  });
});
