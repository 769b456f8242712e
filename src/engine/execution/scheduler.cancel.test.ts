import { describe, expect, it } from 'vitest';
import { transient } from '../errors';
import { echo, edge, harness, node, testTool } from './scheduler.testkit';

describe('cancelling a run', () => {
  it('aborts running tools through their signal, starts nothing new, and ends cancelled', async () => {
    let sawAbort = false;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const slow = testTool('t.slow', async (_i, ctx) => {
      started();
      await new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => ((sawAbort = true), reject(ctx.signal.reason))));
    });
    const downstream: unknown[] = [];
    const spy = testTool('t.echo', async (i) => (downstream.push(i), i));
    const h = harness(
      { id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.slow' }), node('b'), node('q1'), node('q2')], edges: [edge('a', 'b'), edge('q1', 'q2')] },
      { tools: [slow, spy], concurrency: 1 },
    );
    const done = h.exec.start();
    await running;
    h.exec.cancel();
    const view = await done;
    expect(sawAbort).toBe(true);
    expect(downstream).toEqual([]);
    expect(view.status).toBe('cancelled');
    for (const id of ['a', 'b', 'q1', 'q2']) expect(view.nodes[id].status).toBe('cancelled');
    expect(h.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'cancelled' });
  });

  it('does not wait for a tool that ignores its signal', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const deaf = testTool('t.deaf', () => (started(), new Promise(() => undefined)));
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.deaf', timeoutMs: 3_600_000 })], edges: [] }, { tools: [deaf] });
    const done = h.exec.start();
    await running;
    h.exec.cancel();
    expect((await done).nodes.a.status).toBe('cancelled');
  });

  it('cancels a node waiting out a retry backoff without another attempt', async () => {
    let calls = 0;
    const flaky = testTool('t.flaky', async () => {
      calls++;
      throw transient('HTTP_503', 'busy');
    });
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.flaky', retry: { max: 5, backoffMs: 60_000 } })], edges: [] }, { tools: [flaky] });
    const done = h.exec.start();
    while (h.of('node.retry').length === 0) await new Promise((r) => setTimeout(r, 1));
    h.exec.cancel();
    const view = await done;
    expect(calls).toBe(1);
    expect(view.nodes.a.status).toBe('cancelled');
    expect(view.status).toBe('cancelled');
  });

  it('cancels a node waiting for a person', async () => {
    const ask = testTool('t.ask', async (_i, ctx) => ctx.requestApproval('ok?'));
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.ask' }), node('b')], edges: [] }, { tools: [ask, echo] });
    const done = h.exec.start();
    await h.desk.someoneAsks();
    h.exec.cancel();
    const view = await done;
    expect(view.status).toBe('cancelled');
    expect(view.nodes.a.status).toBe('cancelled');
  });
});

describe('cancelling a run left unfinished by a crash', () => {
  it('marks its unfinished nodes and the run cancelled without running anything', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const tool = testTool('t.echo', async (_i, ctx) => {
      calls.push(ctx.nodeId);
      if (ctx.nodeId === 'b') await gate;
      return {};
    });
    const first = harness({ id: 'wf', name: 'wf', nodes: [node('a'), node('b')], edges: [edge('a', 'b')] }, { tools: [tool] });
    void first.exec.start();
    while (first.view().nodes.b.status !== 'running') await new Promise((r) => setTimeout(r, 1));
    const crashed = structuredClone(first.events);
    release();

    const other = harness({ id: 'wf', name: 'wf', nodes: [node('a'), node('b')], edges: [edge('a', 'b')] }, { tools: [tool], prior: crashed });
    other.exec.cancel();
    expect(other.view()).toMatchObject({ status: 'cancelled', nodes: { a: { status: 'succeeded' }, b: { status: 'cancelled' } } });
    expect(calls).toEqual(['a', 'b']);
  });
});
