import { afterEach, beforeEach, expect, vi } from 'vitest';

// Runs before every test file of the repo (vitest.config.ts `setupFiles`).

// The suite creates and drops databases, and starts servers with test keys: refuse to run anywhere but under the
// test runner (Vitest sets NODE_ENV=test unless something overrode it).
if (process.env.NODE_ENV !== 'test') {
  throw new Error(`Tests must run with NODE_ENV=test (got ${String(process.env.NODE_ENV)}): use npm test`);
}

// An unexpected console.error fails the test that caused it: React warnings, unhandled problems in islands and
// anything else that would only scroll past in the output. A test that expects one spies on it itself.
let consoleError: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  consoleError = vi.spyOn(console, 'error');
});

afterEach(() => {
  const calls = consoleError.mock.calls;
  consoleError.mockRestore();
  expect(calls, 'console.error was called').toEqual([]);
});
