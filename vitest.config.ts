import { defineConfig } from 'vitest/config';

// One runner for the whole repo. API tests sit beside the code (api/src/**); the deployment checks,
// the container contract and the browser tests live in tests/. Each API test file gets its own database.
export default defineConfig({
  test: {
    include: ['api/src/**/*.test.ts', 'web/src/**/*.test.ts', 'tests/**/*.test.ts'],
    setupFiles: ['tests/support/vitest.setup.ts'],
    testTimeout: 30_000,
    // expect.poll waits for a page to catch up (an island hydrating, a list loading). Its default of 1 s is a
    // wall-clock bound that a busy 2-core CI box overruns; a poll that fails still fails, only later.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
