/**
 * A run of nodes that never do I/O must still let the event loop turn: its events are
 * written and delivered while it runs, not all at once at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { Workflow, type EngineEvent } from '../contract';
import { createEngine, type LocalEngine } from './engine';
import type { ToolSpec } from './tools/types';

const instant: ToolSpec = {
  name: 'test.instant',
  title: 'Instant',
  description: 'Returns at once, without any I/O.',
  version: '1',
  input: z.object({}).loose(),
  output: z.object({}).loose(),
  effects: 'pure',
  source: 'builtin',
  run: async () => ({}),
};

const N = 2_000;
const chain = Workflow.parse({
  id: 'instant-chain',
  name: 'Instant chain',
  nodes: Array.from({ length: N }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool: 'test.instant', inputs: {} })),
  edges: Array.from({ length: N - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
});

let dir: string;
let engine: LocalEngine;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-responsive-'));
  engine = createEngine({ dataDir: dir, extraTools: [instant] });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

it('writes and delivers the events of a 2,000-node instant chain while it is still running', async () => {
  let succeededSeenWhileRunning = 0;
  let batchesWhileRunning = 0;
  const storedAtDelivery: { lastSeq: number; stored: number; runStatus: string | undefined }[] = [];
  engine.subscribe((batch: EngineEvent[]) => {
    const runId = batch[0].runId;
    if (batch.some((e) => e.type === 'run.finished')) return;
    batchesWhileRunning++;
    succeededSeenWhileRunning += batch.filter((e) => e.type === 'node.status' && e.status === 'succeeded').length;
    storedAtDelivery.push({ lastSeq: batch[batch.length - 1].seq, stored: engine.events(runId).length, runStatus: engine.getRun(runId)?.status });
  });

  const view = await engine.startRun(chain).done;

  expect(view.status).toBe('succeeded');
  expect(batchesWhileRunning).toBeGreaterThan(1);
  // Most of the run was visible before its end (a batch holds at most a few hundred nodes).
  expect(succeededSeenWhileRunning).toBeGreaterThan(N / 2);
  // What a subscriber saw was already on disk, and the run was recorded as still running.
  for (const s of storedAtDelivery) {
    expect(s.stored).toBeGreaterThanOrEqual(s.lastSeq);
    expect(s.runStatus).toBe('running');
  }
});
