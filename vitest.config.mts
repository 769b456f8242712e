import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'electron/**/*.test.ts', 'tests/architecture/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    exclude: ['node_modules', 'out', 'dist', 'tests/e2e/**'],
    environment: 'node',
    // The CLI integration tests run the compiled command: built (when stale) once per run.
    globalSetup: ['tests/support/build-cli.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll's own default (1 s) is tight for an export over HTTP or a pushed batch on a
    // loaded 2-core machine; a condition met sooner returns sooner.
    expect: { poll: { timeout: 10_000 } },
    // Two cores: keep the pool small so integration tests that spawn processes stay stable.
    pool: 'forks',
    maxWorkers: 2,
  },
});
