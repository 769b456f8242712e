import { describe, expect, it } from 'vitest';
import { inProcessExecutor, type Executor } from './executor';
import { Limiter } from './limiter';
import { echo, edge, harness, node, testTool } from './scheduler.testkit';

describe('scheduler basics', () => {
  it('runs nodes in dependency order, resolving templates from upstream outputs and run inputs', async () => {
    const h = harness(
      {
        id: 'wf', name: 'wf',
        nodes: [
          node('a', { inputs: { n: 2, who: '{{input.who}}' } }),
          node('b', { inputs: { whole: '{{nodes.a.output}}', text: 'hi {{nodes.a.output.who}} x{{nodes.a.output.n}}' } }),
        ],
        edges: [edge('a', 'b')],
        settings: { inputs: { who: { type: 'string', default: 'ann' } } },
      },
      { tools: [echo] },
    );
    const view = await h.exec.start();
    expect(view.status).toBe('succeeded');
    expect(view.nodes.b.output).toEqual({ whole: { n: 2, who: 'ann' }, text: 'hi ann x2' });
    expect(h.statuses('b')).toEqual(['queued', 'running', 'succeeded']);
    const running = h.of('node.status').find((e) => e.nodeId === 'b' && e.status === 'running')!;
    expect(running.input).toEqual({ whole: { n: 2, who: 'ann' }, text: 'hi ann x2' });
    const types = h.events.filter((e) => 'nodeId' in e && e.nodeId === 'a').map((e) => (e.type === 'node.status' ? e.status : e.type));
    expect(types).toEqual(['queued', 'running', 'node.output', 'succeeded']);
    expect(h.events[0].type).toBe('run.started');
    expect(h.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    expect(h.events.map((e) => e.seq)).toEqual(h.events.map((_, i) => i + 1));
  });

  it('starts a node as soon as its own dependencies finish, not when a whole level does', async () => {
    let bStarted!: () => void;
    const bRan = new Promise<void>((r) => (bStarted = r));
    const slow = testTool('t.slow', async () => {
      await Promise.race([bRan, new Promise((r) => setTimeout(r, 2000))]);
      return { done: true };
    });
    const marker = testTool('t.mark', async () => (bStarted(), {}));
    const h = harness(
      { id: 'wf', name: 'wf', nodes: [node('a'), node('b', { tool: 't.mark' }), node('c', { tool: 't.slow' })], edges: [edge('a', 'b')] },
      { tools: [echo, slow, marker] },
    );
    await h.exec.start();
    const order = h.of('node.status').filter((e) => e.status === 'succeeded').map((e) => e.nodeId);
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('c'));
  });

  it('never runs more nodes at once than the run concurrency, and uses all of it', async () => {
    let now = 0;
    let peak = 0;
    const busy = testTool('t.busy', async () => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 10));
      now--;
      return {};
    });
    const nodes = Array.from({ length: 8 }, (_, i) => node(`n${i}`, { tool: 't.busy' }));
    const h = harness({ id: 'wf', name: 'wf', nodes, edges: [] }, { tools: [busy], concurrency: 3 });
    expect((await h.exec.start()).status).toBe('succeeded');
    expect(peak).toBe(3);
  });

  it('shares the global limit between runs', async () => {
    let now = 0;
    let peak = 0;
    const busy = testTool('t.busy', async () => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 5));
      now--;
      return {};
    });
    const global = new Limiter(2);
    const doc = { id: 'wf', name: 'wf', nodes: Array.from({ length: 5 }, (_, i) => node(`n${i}`, { tool: 't.busy' })), edges: [] };
    const a = harness(doc, { tools: [busy], concurrency: 5, globalLimiter: global, runId: 'A' });
    const b = harness(doc, { tools: [busy], concurrency: 5, globalLimiter: global, runId: 'B' });
    await Promise.all([a.exec.start(), b.exec.start()]);
    expect(peak).toBe(2);
    expect(a.view().status).toBe('succeeded');
    expect(b.view().status).toBe('succeeded');
  });

  it('skips what depends on a failed node, naming it, while independent branches finish', async () => {
    const boom = testTool('t.boom', async () => {
      throw new Error('disk on fire');
    });
    const h = harness(
      {
        id: 'wf', name: 'wf',
        nodes: [node('a', { tool: 't.boom' }), node('b'), node('c'), node('x'), node('y')],
        edges: [edge('a', 'b'), edge('b', 'c'), edge('x', 'y')],
      },
      { tools: [echo, boom] },
    );
    const view = await h.exec.start();
    expect(view.status).toBe('failed');
    expect(view.deadLetters).toEqual(['a']);
    expect(view.nodes.a.error).toMatchObject({ class: 'permanent', message: 'disk on fire' });
    expect(view.nodes.b).toMatchObject({ status: 'skipped', detail: expect.stringContaining('"a" failed') });
    expect(view.nodes.c).toMatchObject({ status: 'skipped', detail: expect.stringContaining('"a" failed') });
    expect(view.nodes.y.status).toBe('succeeded');
    expect(h.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed' });
  });

  it('a node downstream of a failure stays skipped even when it also joins a succeeded branch', async () => {
    const boom = testTool('t.boom', async () => {
      throw new Error('no');
    });
    const h = harness(
      { id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.boom' }), node('b'), node('ok'), node('join')], edges: [edge('a', 'b'), edge('b', 'join'), edge('ok', 'join')] },
      { tools: [echo, boom] },
    );
    const view = await h.exec.start();
    expect(view.nodes.join).toMatchObject({ status: 'skipped', detail: expect.stringContaining('"a" failed') });
  });

  it('gives input nodes the run input or their default, output nodes their resolved inputs', async () => {
    const h = harness(
      {
        id: 'wf', name: 'wf',
        nodes: [
          { id: 'topic', kind: 'input', inputs: { name: 'topic' } },
          { id: 'lang', kind: 'input', inputs: { name: 'lang', default: 'en' } },
          { id: 'out', kind: 'output', inputs: { summary: '{{nodes.topic.output}} in {{nodes.lang.output}}' } },
        ],
        edges: [edge('topic', 'out'), edge('lang', 'out')],
      },
      { inputs: { topic: 'owls' } },
    );
    const view = await h.exec.start();
    expect(view.nodes.topic.output).toBe('owls');
    expect(view.nodes.out.output).toEqual({ summary: 'owls in en' });
  });

  it('passes each tool call the idempotency key runId:nodeId:generation and the run context', async () => {
    const seen: string[] = [];
    const spy = testTool('t.echo', async (_i, ctx) => {
      seen.push(`${ctx.idempotencyKey}|${ctx.runId}|${ctx.nodeId}|${ctx.workspaceDir}`);
      ctx.log('info', 'hello from the tool');
      ctx.reportUsage({ promptTokens: 5 }, 'm1');
      return {};
    });
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a')], edges: [] }, { tools: [spy], runId: 'R9' });
    const view = await h.exec.start();
    expect(seen).toEqual(['R9:a:0|R9|a|/tmp']);
    expect(view.nodes.a.logs.map((l) => l.message)).toContain('hello from the tool');
    expect(view.nodes.a.usage.promptTokens).toBe(5);
  });

  it('fails a node naming an unregistered tool without touching the others', async () => {
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 'no.such' }), node('b')], edges: [] }, { tools: [echo] });
    const view = await h.exec.start();
    expect(view.nodes.a.error).toMatchObject({ code: 'UNKNOWN_TOOL', message: expect.stringContaining('"no.such"') });
    expect(view.nodes.b.status).toBe('succeeded');
  });

  it('validates tool input through the tool schema as a permanent error', async () => {
    const strict = testTool('t.strict', async () => ({}), { input: (await import('zod')).z.object({ url: (await import('zod')).z.string() }) });
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.strict', inputs: { url: 5 } })], edges: [] }, { tools: [strict] });
    const view = await h.exec.start();
    expect(view.nodes.a.error).toMatchObject({ class: 'permanent', code: 'SCHEMA_INPUT' });
  });

  it('sends every tool call through the configured executor, with the idempotency key', async () => {
    const seen: string[] = [];
    const executor: Executor = {
      execute: (spec, input, ctx) => {
        seen.push(`${spec.name}@${ctx.idempotencyKey}`);
        return inProcessExecutor.execute(spec, input, ctx);
      },
    };
    const h = harness({ id: 'w', name: 'w', nodes: [node('a', { inputs: { v: 1 } }), node('b')], edges: [edge('a', 'b')] }, { tools: [echo], executor });
    const view = await h.exec.start();
    expect(view.status).toBe('succeeded');
    expect(seen).toEqual(['t.echo@run1:a:0', 't.echo@run1:b:0']);
  });
});
