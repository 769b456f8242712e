/**
 * Issue 10 item 2 (resume) through the CLI: `awe resume` without an id carries on past a
 * run whose resume throws, fails that run with the reason, and resumes the others.
 */
import { describe, expect, it } from 'vitest';
import { lastStoredEvent, seedInterruptedRuns } from '../engine/runs/interrupted-runs.testkit';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

describe('awe resume with a run that cannot be resumed', () => {
  it('fails that run, resumes the other, and has nothing left to resume afterwards', async () => {
    const { healthy, broken } = seedInterruptedRuns(cli.dataDir);
    const resumed = await cli.awe('resume', '--json');
    expect(resumed.stderr).not.toMatch(/SyntaxError|\n\s+at /);
    expect(resumed.stderr).toContain(`run ${broken} could not be resumed`);
    expect(resumed.code).toBe(1);
    const results = lastJson(resumed.stdout) as { runId: string; status: string; error?: string }[];
    expect(results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ runId: healthy, status: 'succeeded' }),
        expect.objectContaining({ runId: broken, status: 'failed', error: expect.stringMatching(/^could not be resumed: /) }),
      ]),
    );
    expect(lastStoredEvent(cli.dataDir, broken)).toMatchObject({ type: 'run.finished', status: 'failed' });
    const again = await cli.awe('resume');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no interrupted runs');
  }, 240_000);
});
