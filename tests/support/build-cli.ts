/**
 * Vitest global setup: the CLI integration tests run the compiled `awe` (bin/awe.mjs →
 * dist/cli/awe.js), built here once per test run, and only when a source changed since the
 * last build (the same check bin/awe.mjs makes), so a run of engine tests alone costs nothing.
 */
import { buildCli, cliIsCurrent } from '../../scripts/build-cli.mjs';

export default async function setup(): Promise<void> {
  if (!cliIsCurrent()) await buildCli({ quiet: true });
}
