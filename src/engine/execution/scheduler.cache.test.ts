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

describe('model kinds', () => {
  it("give llm and agent nodes the workflow's model, and key their cache by it; other kinds get no model", async () => {
    const seen: Record<string, unknown>[] = [];
    const llm = testTool('llm.generate', async (i) => (seen.push(i), { text: 'ok' }));
    const agent = testTool('agent.run', async (i) => (seen.push(i), { answer: 'ok' }));
    const plain = testTool('t.plain', async (i) => (seen.push(i), { ok: true }));
    const doc = (model: string) => ({
      id: 'wf',
      name: 'wf',
      settings: { model },
      nodes: [node('l', { kind: 'llm', tool: undefined, cache: true, inputs: { prompt: 'p' } }), node('g', { kind: 'agent', tool: undefined, inputs: { goal: 'g' } }), node('t', { tool: 't.plain', inputs: {} })],
      edges: [],
    });
    const shared = new Map<string, unknown>();
    await harness(doc('model-a'), { tools: [llm, agent, plain], cache: shared }).exec.start();
    expect(seen).toEqual([{ prompt: 'p', model: 'model-a' }, { goal: 'g', model: 'model-a' }, {}]);
    seen.length = 0;
    // Another model is another answer: the llm node's cached output is not reused.
    await harness(doc('model-b'), { tools: [llm, agent, plain], cache: shared }).exec.start();
    expect(seen[0]).toEqual({ prompt: 'p', model: 'model-b' });
  });
});
