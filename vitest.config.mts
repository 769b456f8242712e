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
    // Two cores: keep the pool small so integration tests that spawn processes stay stable.
    pool: 'forks',
    maxWorkers: 2,
  },
});
