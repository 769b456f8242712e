import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../contract';
import { edge, harness, node, testTool } from './scheduler.testkit';

/** a → b → c, plus x independent. Counts calls per node. */
function counted() {
  const calls: Record<string, number> = {};
  const keys: string[] = [];
  const tool = testTool('t.echo', async (input, ctx) => {
    calls[ctx.nodeId] = (calls[ctx.nodeId] ?? 0) + 1;
    keys.push(ctx.idempotencyKey);
    return { ...input, n: calls[ctx.nodeId] };
  });
  const doc = {
    id: 'wf', name: 'wf',
    nodes: [node('a', { inputs: { v: 1 } }), node('b', { inputs: { from: '{{nodes.a.output.v}}' } }), node('c', { inputs: { from: '{{nodes.b.output.from}}' } }), node('x')],
    edges: [edge('a', 'b'), edge('b', 'c')],
  };
  return { calls, keys, tool, doc };
}

describe('rerunning a node', () => {
  it('downstream: reruns the node and its descendants with a new generation; other outputs are kept', async () => {
    const { calls, keys, tool, doc } = counted();
    const h = harness(doc, { tools: [tool] });
    await h.exec.start();
    const view = await h.exec.rerun('b', 'downstream');
    expect(view.status).toBe('succeeded');
    expect(calls).toEqual({ a: 1, b: 2, c: 2, x: 1 });
    expect(keys).toContain('run1:b:1');
    expect(view.nodes.b).toMatchObject({ generation: 1, attempts: 2, output: { from: 1, n: 2 } });
    expect(view.nodes.a).toMatchObject({ generation: 0, attempts: 1 });
    expect(h.of('node.rerun')).toMatchObject([{ nodeId: 'b', mode: 'downstream', nodes: ['b', 'c'] }]);
    expect(h.statuses('c').slice(3)).toEqual(['stale', 'queued', 'running', 'succeeded']);
    expect(h.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
  });

  it('only: reruns just the node; downstream keeps its outputs and is not recomputed', async () => {
    const { calls, tool, doc } = counted();
    const h = harness(doc, { tools: [tool] });
    await h.exec.start();
    const before = structuredClone(h.view().nodes.c.output);
    const view = await h.exec.rerun('b', 'only');
    expect(calls).toEqual({ a: 1, b: 2, c: 1, x: 1 });
    expect(view.nodes.c).toMatchObject({ status: 'succeeded', output: before, generation: 0 });
  });

  it('uses edited inputs for this and later generations, rebuilt from the events', async () => {
    const { tool, doc } = counted();
    const h = harness(doc, { tools: [tool] });
    await h.exec.start();
    await h.exec.rerun('a', 'downstream', { v: 42 });
    expect(h.view().nodes.c.output).toMatchObject({ from: 42 });
    expect(h.of('node.rerun')[0]).toMatchObject({ editedInputs: true, inputs: { v: 42 } });

    // A later process, from the stored events alone, still uses the edit.
    const later = harness(doc, { tools: [tool], prior: h.events });
    const view = await later.exec.rerun('a', 'only');
    expect(view.nodes.a.output).toMatchObject({ v: 42 });
    expect(view.nodes.a.generation).toBe(2);
  });

  it('refuses to rerun while the run is still going, and names unknown nodes', async () => {
    const { tool, doc } = counted();
    const h = harness(doc, { tools: [tool] });
    const done = h.exec.start();
    expect(() => h.exec.rerun('a', 'only')).toThrow(/a node can be rerun once the run has finished/);
    await done;
    expect(() => h.exec.rerun('nope', 'only')).toThrow(/no node "nope"/);
  });

  it('retryFailed reruns every dead letter with its downstream, and attempts count every execution', async () => {
    let broken = true;
    const flaky = testTool('t.flaky', async () => {
      if (broken) throw new Error('still broken');
      return { fixed: true };
    });
    const { tool } = counted();
    const h = harness(
      { id: 'wf', name: 'wf', nodes: [node('f', { tool: 't.flaky' }), node('after'), node('ok')], edges: [edge('f', 'after')] },
      { tools: [flaky, tool] },
    );
    expect((await h.exec.start()).deadLetters).toEqual(['f']);
    expect(h.view().nodes.after.status).toBe('skipped');
    broken = false;
    const view = await h.exec.retryFailed();
    expect(view.status).toBe('succeeded');
    expect(view.deadLetters).toEqual([]);
    expect(view.nodes.after.status).toBe('succeeded');
    expect(view.nodes.f).toMatchObject({ attempts: 2, generation: 1 });
    expect(view.nodes.ok).toMatchObject({ attempts: 1, generation: 0 });
  });
});

describe('resuming after a crash', () => {
  it('re-runs unfinished nodes (interrupted → queued) with the same key and never re-executes succeeded ones', async () => {
    const { calls, keys, tool, doc } = counted();
    // First process: b hangs; we "crash" by taking the events while b is running.
    let bRunning!: () => void;
    const reached = new Promise<void>((r) => (bRunning = r));
    const hangOnB = testTool('t.echo', async (input, ctx) => {
      if (ctx.nodeId === 'b') {
        bRunning();
        return new Promise(() => undefined);
      }
      return tool.run(input, ctx);
    });
    const first = harness(doc, { tools: [hangOnB], concurrency: 1 });
    void first.exec.start();
    await reached;
    const crashed: EngineEvent[] = structuredClone(first.events);
    expect(crashed.some((e) => e.type === 'run.finished')).toBe(false);
    const callsBefore = { ...calls };

    const second = harness(doc, { tools: [tool], prior: crashed, concurrency: 1 });
    const view = await second.exec.resume();
    expect(view.status).toBe('succeeded');
    expect(calls.a).toBe(callsBefore.a); // a had succeeded: not executed again
    expect(calls.b).toBe(1);
    expect(keys.filter((k) => k.startsWith('run1:b:'))).toEqual(['run1:b:0']);
    expect(second.statuses('b').slice(-4)).toEqual(['interrupted', 'queued', 'running', 'succeeded']);
    expect(second.of('node.status').find((e) => e.nodeId === 'b' && e.status === 'queued' && e.seq > crashed.length)?.reason).toBe('resume');
    expect(second.of('run.status').at(-1)).toMatchObject({ status: 'running', reason: 'resume' });
    expect(view.nodes.c.output).toMatchObject({ from: 1 });
  });

  it('leaves a finished run alone', async () => {
    const { calls, tool, doc } = counted();
    const first = harness(doc, { tools: [tool] });
    await first.exec.start();
    const second = harness(doc, { tools: [tool], prior: first.events });
    const view = await second.exec.resume();
    expect(view.status).toBe('succeeded');
    expect(calls).toEqual({ a: 1, b: 1, c: 1, x: 1 });
    expect(second.events.length).toBe(first.events.length);
  });
});
