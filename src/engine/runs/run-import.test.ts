/**
 * Recording an imported run bundle (run-import.ts) without holding the event loop: `awe serve`
 * keeps answering while a large bundle is opened, a bundle refused after all that work leaves
 * nothing behind, imports run one at a time, and two imports of one bundle at once each get their own run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigBundle } from '../../../bench/import';
import { createEngine, type LocalEngine } from '../engine';

let dir: string;
let bundle: Uint8Array;
const engines: LocalEngine[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'awe-run-import-'));
  // Large enough that opening it is real work (unzip, sha256 of 16 MB, 5,000 events checked and folded).
  bundle = await bigBundle(dir, { artifacts: 4, artifactBytes: 4 * 1024 * 1024, logs: 5_000 });
}, 120_000);
afterAll(async () => {
  for (const e of engines.splice(0)) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = (name: string) => {
  const engine = createEngine({ dataDir: join(dir, name) });
  engines.push(engine);
  return engine;
};

/** Counts turns of a 1 ms timer, and the longest wait between two, while `work` runs. */
async function whileTimerRuns<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; ticks: number; longestGapMs: number }> {
  let ticks = 0;
  let last = performance.now();
  let longestGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    ticks++;
  }, 1);
  try {
    const [result] = await Promise.allSettled([work()]);
    longestGapMs = Math.max(longestGapMs, performance.now() - last);
    return { result, ticks, longestGapMs };
  } finally {
    clearInterval(timer);
  }
}

describe('importing a large run bundle', () => {
  it('keeps the event loop turning while the bundle is opened and checked, even when it is refused at the last check; nothing is kept', async () => {
    // The last thing checked is the last artifact's sha256: every other check has passed by then.
    const files = unzipSync(bundle);
    const last = Object.keys(files).filter((name) => name.startsWith('artifacts/')).sort().at(-1)!;
    files[last] = files[last].map((b) => b ^ 0xff);
    const damaged = zipSync(files as Zippable, { level: 0 });
    const here = open('refused');

    const { result, ticks } = await whileTimerRuns(() => here.importRunBundle(damaged));
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/does not match its recorded size and sha256/) });
    // Opened in place, all of it would run before the timer could turn once.
    expect(ticks).toBeGreaterThan(0);
    expect(here.listRuns()).toEqual([]);
    const root = join(here.dataDir, 'artifacts');
    expect(existsSync(root) ? readdirSync(root) : []).toEqual([]);
  }, 120_000);

  it('imports it whole while a timer keeps firing, the loop never held for long', async () => {
    const here = open('whole');
    const { result, ticks, longestGapMs } = await whileTimerRuns(() => here.importRunBundle(bundle));
    expect(result.status).toBe('fulfilled');
    const { runId } = (result as PromiseFulfilledResult<{ runId: string }>).value;
    expect(ticks).toBeGreaterThan(0);
    // Generous for a loaded 2-core machine: what is left on the loop is the one transaction that records the run.
    expect(longestGapMs).toBeLessThan(5_000);
    expect(here.getRun(runId)?.status).toBe('succeeded');
    const artifacts = here.listArtifacts(runId);
    expect(artifacts).toHaveLength(4);
    for (const a of artifacts) expect(readFileSync(here.artifactPath(a.id)).byteLength).toBe(4 * 1024 * 1024);
    expect(here.events(runId).filter((e) => e.type === 'node.log')).toHaveLength(5_000);
  }, 120_000);

  it('runs imports one at a time, in the order they came: a small bundle asked for second is recorded second', async () => {
    const small = await bigBundle(join(dir, 'small'), { artifacts: 1, artifactBytes: 16, logs: 1 });
    const here = open('in-turn');
    const finished: string[] = [];
    await Promise.all([
      here.importRunBundle(bundle).then(() => finished.push('large')),
      here.importRunBundle(small).then(() => finished.push('small')),
    ]);
    // At once, the small one would be done long before: each bundle may unpack to 512 MB, and N uploads must not hold N times that.
    expect(finished).toEqual(['large', 'small']);
  }, 120_000);

  it('gives two imports of one bundle at the same time a run each, with their own files', async () => {
    const here = open('twice');
    const [a, b] = await Promise.all([here.importRunBundle(bundle), here.importRunBundle(bundle)]);
    expect(a.originalRunId).toBe(b.originalRunId);
    expect(a.runId).not.toBe(b.runId);
    expect(here.listRuns().map((r) => r.runId).sort()).toEqual([a.runId, b.runId].sort());
    const paths = [...here.listArtifacts(a.runId), ...here.listArtifacts(b.runId)].map((x) => here.artifactPath(x.id));
    expect(new Set(paths).size).toBe(8);
    for (const path of paths) expect(readFileSync(path).byteLength).toBe(4 * 1024 * 1024);
  }, 120_000);
});
