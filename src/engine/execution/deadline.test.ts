/**
 * A tool's deadline stops while it waits for a person (Deadline.pause/resume): an approval
 * must not eat the tool's time, and the time it spends working before and after the
 * approval still adds up. Through the real engine, with a tool that asks mid-call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workflow, type EngineEvent } from '../../contract';
import { createEngine, type LocalEngine } from '../engine';
import type { ToolSpec } from '../tools/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Works `before` ms, asks a person, works `after` ms. */
const askMidway: ToolSpec = {
  name: 'test.ask-midway',
  title: 'Ask midway',
  description: 'works, asks a person, works again',
  version: '1',
  input: z.object({ before: z.number(), after: z.number() }),
  output: z.object({ approved: z.boolean() }),
  effects: 'pure',
  async run(input: { before: number; after: number }, ctx) {
    await sleep(input.before);
    const answer = await ctx.requestApproval('Go on?');
    await sleep(input.after);
    return { approved: answer.approved };
  },
};

let dir = '';
let engine: LocalEngine;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-deadline-'));
  engine = createEngine({ dataDir: dir, extraTools: [askMidway] });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const TIMEOUT_MS = 400;
const workflow = (before: number, after: number) =>
  Workflow.parse({
    id: 'ask',
    name: 'Ask',
    nodes: [{ id: 'ask', kind: 'tool', tool: 'test.ask-midway', inputs: { before, after }, timeoutMs: TIMEOUT_MS, retry: { max: 0, policy: 'none' } }],
  });

function approvalRequested(runId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = engine.subscribe((batch: EngineEvent[]) => {
      if (batch.some((e) => e.type === 'approval.requested' && e.runId === runId)) {
        off();
        resolve();
      }
    });
  });
}

describe('a tool deadline while a person decides', () => {
  it('does not run: a person answering after 2× the timeout leaves the call time to finish', async () => {
    const handle = engine.startRun(workflow(0, 0));
    await approvalRequested(handle.runId);
    await sleep(TIMEOUT_MS * 2);
    engine.approve(handle.runId, 'ask', true);
    const view = await handle.done;
    expect(view.nodes.ask.error).toBeUndefined();
    expect(view.status).toBe('succeeded');
    expect(view.nodes.ask.output).toEqual({ approved: true });
  });

  it('runs again afterwards with what was left: work before and after the question adds up to a TIMEOUT', async () => {
    // 250 ms before + 250 ms after > 400 ms: a clock restarted in full after the answer would let it pass.
    const handle = engine.startRun(workflow(250, 250));
    await approvalRequested(handle.runId);
    engine.approve(handle.runId, 'ask', true);
    const view = await handle.done;
    expect(view.status).toBe('failed');
    expect(view.nodes.ask.error).toMatchObject({ code: 'TIMEOUT' });
  });
});
