/**
 * Issue 10 item 1: a template whose resolved input is past V8's string limit (as JSON)
 * used to throw inside the event log's write, leave its run `running` forever and drop
 * the events of every other run in the same batches. Now that node fails with
 * VALUE_TOO_LARGE before anything reaches the log, and the other run loses nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type LocalEngine } from '../engine';

/** 500,000 quotes: under the 1 MiB output cap as JSON (each is written `\"`). */
const QUOTES = '"'.repeat(500_000);
/** 700 references to it: 350 million characters, 700 million as JSON — past V8's ~2^29 limit. */
const hugeTemplateWorkflow = {
  id: 'huge',
  name: 'Huge template',
  nodes: [
    { id: 'seed', kind: 'tool', tool: 'text.template', inputs: { template: QUOTES } },
    { id: 'blowup', kind: 'tool', tool: 'text.template', inputs: { template: '{{nodes.seed.output.text}}'.repeat(700) } },
    { id: 'after', kind: 'tool', tool: 'text.template', inputs: { template: 'never' } },
  ],
  edges: [
    { id: 'e1', source: 'seed', target: 'blowup' },
    { id: 'e2', source: 'blowup', target: 'after' },
  ],
};

const healthy = {
  id: 'healthy',
  name: 'Healthy',
  nodes: Array.from({ length: 10 }, (_, i) => ({ id: `w${i}`, kind: 'tool', tool: 'util.wait', inputs: { ms: 15 } })),
  edges: Array.from({ length: 9 }, (_, i) => ({ id: `e${i}`, source: `w${i}`, target: `w${i + 1}` })),
};

let dir: string;
let engine: LocalEngine | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-huge-'));
});
afterEach(async () => {
  await engine?.close().catch(() => undefined);
  engine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('a value too large to record', () => {
  it('fails its node with VALUE_TOO_LARGE while a concurrent run keeps every event', async () => {
    engine = createEngine({ dataDir: dir });
    const other = engine.startRun(engine.validate(healthy).workflow!);
    const huge = engine.startRun(engine.validate(hugeTemplateWorkflow).workflow!);
    const [hugeView, otherView] = await Promise.all([huge.done.catch((e: unknown) => e), other.done]);

    expect(hugeView).toMatchObject({ status: 'failed' });
    const failed = (hugeView as { nodes: Record<string, { status: string; error?: { code?: string; message: string } }> }).nodes;
    expect(failed.seed.status).toBe('succeeded');
    expect(failed.blowup.status).toBe('failed');
    expect(failed.blowup.error).toMatchObject({ class: 'permanent', code: 'VALUE_TOO_LARGE' });
    expect(failed.blowup.error!.message).toMatch(/node "blowup": its resolved input is at least 350,000,\d{3} characters as JSON, over the 33,554,432-character limit/);
    expect(failed.after.status).toBe('skipped');

    expect(otherView.status).toBe('succeeded');
    // What a later process sees: the store, not this process's memory.
    const reopened = createEngine({ dataDir: dir });
    try {
      const stored = reopened.events(other.runId);
      expect(stored.filter((e) => e.type === 'node.status' && e.status === 'succeeded')).toHaveLength(10);
      expect(stored.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
      const hugeEvents = reopened.events(huge.runId);
      expect(hugeEvents.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed' });
      expect(reopened.getRun(huge.runId)?.status).toBe('failed');
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
