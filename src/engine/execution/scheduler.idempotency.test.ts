import { describe, expect, it } from 'vitest';
import { harness, node, testTool } from './scheduler.testkit';

// Each side effect needs its own key: file.write and artifact.save apply an effect once per key,
// so map items and nested calls sharing their node's key would be skipped as repeats.
describe('idempotency keys of map items and nested calls', () => {
  it('gives each map item the key runId:nodeId:generation/item<index>', async () => {
    const keys: string[] = [];
    const spy = testTool('t.spy', async (_i, ctx) => {
      keys.push(ctx.idempotencyKey);
      return {};
    });
    const h = harness({ id: 'wf', name: 'wf', nodes: [{ id: 'm', kind: 'map', tool: 't.spy', inputs: { items: ['a', 'b', 'c'], with: { v: '{{item}}' } } }], edges: [] }, { tools: [spy] });
    expect((await h.exec.start()).status).toBe('succeeded');
    expect(keys.sort()).toEqual(['run1:m:0/item0', 'run1:m:0/item1', 'run1:m:0/item2']);
  });

  it('numbers nested calls (agent.run) in call order under the calling node\'s key', async () => {
    const keys: string[] = [];
    const spy = testTool('t.spy', async (_i, ctx) => {
      keys.push(ctx.idempotencyKey);
      return {};
    });
    const caller = testTool('t.caller', async (_i, ctx) => {
      keys.push(ctx.idempotencyKey);
      await ctx.callTool('t.spy', {});
      await ctx.callTool('t.spy', {});
      return {};
    });
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.caller' })], edges: [] }, { tools: [spy, caller] });
    expect((await h.exec.start()).status).toBe('succeeded');
    expect(keys).toEqual(['run1:a:0', 'run1:a:0/call1', 'run1:a:0/call2']);
  });
});
