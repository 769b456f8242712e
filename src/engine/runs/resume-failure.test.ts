/**
 * Issue 10 item 2 (resume): a run whose resume throws is finished as failed with the
 * reason; the other runs resume, and opening the engine (as `awe serve` does) never throws.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type LocalEngine } from '../engine';
import { lastStoredEvent, seedInterruptedRuns } from './interrupted-runs.testkit';

let dir: string;
let engine: LocalEngine | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-resume-fail-'));
});
afterEach(async () => {
  await engine?.close().catch(() => undefined);
  engine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('start-up resume with a run that cannot be resumed', () => {
  it('fails that run with the reason and resumes the others', async () => {
    const { healthy, broken } = seedInterruptedRuns(dir);
    const reported: string[] = [];
    const logger = { info: (m: string) => reported.push(m), warn: (m: string) => reported.push(m), error: (m: string) => reported.push(m) };
    engine = createEngine({ dataDir: dir, resumeOnOpen: true, logger });
    await until('the healthy run to finish', () => (engine!.getRun(healthy)?.status === 'succeeded' ? true : undefined));
    expect(engine.runView(healthy)?.nodes.b).toMatchObject({ status: 'succeeded', output: { text: 'first then second' } });
    expect(engine.getRun(broken)?.status).toBe('failed');
    const finished = lastStoredEvent(dir, broken);
    expect(finished).toMatchObject({ type: 'run.finished', status: 'failed' });
    expect(finished.error).toMatch(/^could not be resumed: .*JSON/);
    expect(reported).toContainEqual(expect.stringContaining(`run ${broken} could not be resumed`));
    // Nothing is left to resume: the next start does not trip over it again.
    expect(engine.resumeRuns()).toEqual([]);
  });
});
