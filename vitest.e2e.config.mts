import { defineConfig } from 'vitest/config';

/** Playwright in Chromium against a real `awe serve` (scripts/e2e.mjs decides whether a browser exists). */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // expect.poll gives up after 1 s by default: too little for what the page does after an edit
    // (validation waits 350 ms, then a round trip): with 250 ms, two tests failed on this machine.
    // A condition met sooner returns sooner; only a failure waits this long.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // One browser at a time on a 2-core machine.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
