// The login flood of `npm run bench` (issue 15), run on a worker thread of its own: logins to unknown emails, evenly
// spaced at `rate` a second for `durationMs`. The probe it is measured against runs on the bench's main thread; with
// both on one event loop, the flood's request and response handling delayed the probe's, and the generator measured
// itself. Posts { sent, statuses, errors, maxMs }.
import { parentPort, workerData } from 'node:worker_threads';

const { url, rate, durationMs, password, prefix } = workerData;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const statuses = {};
const latencies = [];
let errors = 0;
const inFlight = [];
const started = performance.now();
for (let sent = 0; performance.now() - started < durationMs; sent++) {
  const wait = started + (sent * 1000) / rate - performance.now();
  if (wait > 0) await sleep(wait);
  const sentAt = performance.now();
  inFlight.push(
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${prefix}.${sent}@example.com`, password }),
      signal: AbortSignal.timeout(60_000),
    }).then(
      async (res) => {
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        latencies.push(performance.now() - sentAt);
      },
      () => {
        errors++;
      },
    ),
  );
}
await Promise.all(inFlight);
parentPort.postMessage({
  sent: inFlight.length,
  statuses,
  errors,
  maxMs: Math.round(Math.max(0, ...latencies)),
});
