import { generate } from 'otplib';

const STEP_SECONDS = 30;

/**
 * The phone's authenticator app for the browser tests. The API accepts the steps current−1 … current+1 but never a
 * step at or below the last one used, so each code is of the earliest step still open; only when three were used
 * within one step does it wait (real time: the built server runs on the wall clock) for the next. A code of the
 * previous step near the end of the current one would age out on its way, so then it starts from the current step.
 */
export class Authenticator {
  private lastStep = Number.NEGATIVE_INFINITY;
  constructor(private readonly secret: string) {}

  async code(): Promise<string> {
    for (;;) {
      const now = Date.now() / 1000;
      const current = Math.floor(now / STEP_SECONDS);
      const nearEnd = now - current * STEP_SECONDS > STEP_SECONDS - 5;
      const step = Math.max(this.lastStep + 1, nearEnd ? current : current - 1);
      if (step <= current + 1) {
        this.lastStep = step;
        return generate({ secret: this.secret, epoch: step * STEP_SECONDS });
      }
      await new Promise((done) => setTimeout(done, (current + 1) * STEP_SECONDS * 1000 - Date.now() + 250));
    }
  }
}
