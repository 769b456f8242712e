/**
 * Issue 10 item 6: starting, saving and importing a large workflow check it on a worker
 * thread, so `awe serve` keeps answering meanwhile (one 3 MB request used to hold it for 13 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { distantChain } from '../../bench/validate';
import { createEngine, type LocalEngine } from '../engine/engine';
import { createHandlers } from './handlers';

let dir: string;
let engine: LocalEngine;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-offthread-'));
  engine = createEngine({ dataDir: dir });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Dispatches a command and counts the timer ticks that ran before it answered. */
async function ticksDuring(run: () => Promise<unknown>): Promise<{ answer: unknown; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 2);
  try {
    const answer = await run();
    return { answer, ticks };
  } finally {
    clearInterval(timer);
  }
}

it('runs.start, workflows.save and workflows.import of a 6,000-node workflow leave the event loop running', async () => {
  const handlers = createHandlers(engine);
  const doc = { ...distantChain(6_000), version: 1, settings: {} };

  const saved = await ticksDuring(() => handlers.dispatch('workflows.save', { workflow: doc }));
  expect(saved.answer).toMatchObject({ ok: true, result: { workflow: { id: 'distant' }, problems: [] } });
  expect(saved.ticks).toBeGreaterThan(0);

  const imported = await ticksDuring(() => handlers.dispatch('workflows.import', { text: JSON.stringify(doc) }));
  expect(imported.answer).toMatchObject({ ok: true, result: { ok: true, problems: [] } });
  expect(imported.ticks).toBeGreaterThan(0);

  const started = await ticksDuring(() => handlers.dispatch('runs.start', { workflow: doc }));
  expect(started.answer).toMatchObject({ ok: true, result: { runId: expect.any(String) } });
  expect(started.ticks).toBeGreaterThan(0);
  const { runId } = (started.answer as { result: { runId: string } }).result;
  await handlers.dispatch('runs.cancel', { runId });
}, 120_000);

it('a large workflow with problems is refused from the worker with every problem, and no run is stored', async () => {
  const handlers = createHandlers(engine);
  const doc = { ...distantChain(6_000), version: 1, settings: {} };
  doc.nodes.push({ id: 'n0', kind: 'tool', tool: 'text.template', inputs: { template: 'again' } });
  const answer = await handlers.dispatch('runs.start', { workflow: doc });
  expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-workflow', problems: [expect.objectContaining({ code: 'duplicate-id' })] } });
  expect(engine.listRuns()).toEqual([]);
}, 120_000);
