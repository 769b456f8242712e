import { describe, expect, it } from 'vitest';
import { cacheKey } from './cache-key';
import { harness, node, testTool } from './scheduler.testkit';

describe('cacheable nodes', () => {
  const make = (version = '1') => {
    const calls: unknown[] = [];
    const tool = testTool('t.expensive', async (i) => (calls.push(i), { answer: `for ${i.q}` }), { version });
    return { tool, calls };
  };
  const doc = (q: string, cache = true) => ({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.expensive', cache, inputs: { q } })], edges: [] });

  it('reuses an earlier output with the same tool, version and resolved input, across runs, and says so', async () => {
    const shared = new Map<string, unknown>();
    const { tool, calls } = make();
    await harness(doc('x'), { tools: [tool], cache: shared, runId: 'r1' }).exec.start();
    const second = harness(doc('x'), { tools: [tool], cache: shared, runId: 'r2' });
    const view = await second.exec.start();
    expect(calls).toHaveLength(1);
    expect(view.nodes.a).toMatchObject({ status: 'succeeded', output: { answer: 'for x' }, cached: true, reason: 'cache' });
    expect(second.of('node.output')[0].cached).toBe(true);
    expect(second.of('node.status').find((e) => e.status === 'succeeded')?.reason).toBe('cache');
  });

  it('runs the tool again when the input or the tool version differs, or the node is not cacheable', async () => {
    const shared = new Map<string, unknown>();
    const v1 = make('1');
    await harness(doc('x'), { tools: [v1.tool], cache: shared }).exec.start();
    await harness(doc('y'), { tools: [v1.tool], cache: shared }).exec.start();
    await harness(doc('x', false), { tools: [v1.tool], cache: shared }).exec.start();
    expect(v1.calls).toHaveLength(3);
    const v2 = make('2');
    await harness(doc('x'), { tools: [v2.tool], cache: shared }).exec.start();
    expect(v2.calls).toHaveLength(1);
  });

  it('does not store failed outputs', async () => {
    const shared = new Map<string, unknown>();
    const bad = testTool('t.expensive', async () => {
      throw new Error('nope');
    });
    await harness(doc('x'), { tools: [bad], cache: shared }).exec.start();
    expect(shared.size).toBe(0);
  });

  it('keys ignore object key order but not values, and include the model', () => {
    const k = (input: unknown, model?: string) => cacheKey({ tool: 't', version: '1', input, model });
    expect(k({ a: 1, b: 2 })).toBe(k({ b: 2, a: 1 }));
    expect(k({ a: 1 })).not.toBe(k({ a: 2 }));
    expect(k({ a: 1 }, 'm1')).not.toBe(k({ a: 1 }, 'm2'));
  });
});
