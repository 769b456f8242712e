/**
 * Vitest global setup: the CLI integration tests run the compiled `awe` (bin/awe.mjs →
 * dist/cli/awe.js), built here once per test run, and only when a source changed since the
 * last build (the same check bin/awe.mjs makes), so a run of engine tests alone costs nothing.
 * AWE_SKIP_CLI_BUILD=1 skips it (scripts/mutate.ts, which runs no CLI test).
 */
import { buildCli, cliIsCurrent } from '../../scripts/build-cli.mjs';

export default async function setup(): Promise<void> {
  if (process.env.AWE_SKIP_CLI_BUILD === '1') return;
  if (!cliIsCurrent()) await buildCli({ quiet: true });
}
