import { describe, expect, it } from 'vitest';
import { harness, node, testTool } from './scheduler.testkit';

function netTool() {
  const calls: unknown[] = [];
  const tool = testTool('t.net', async (i) => (calls.push(i), { sent: true }), { effects: 'network' });
  return { tool, calls };
}

describe('policy gate', () => {
  it('refuses a network tool in a headless run with a clear, permanent error, without calling it', async () => {
    const { tool, calls } = netTool();
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.net', retry: { max: 3, policy: 'transient' } })], edges: [] }, { tools: [tool] });
    const view = await h.exec.start();
    expect(calls).toEqual([]);
    expect(view.nodes.a).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { class: 'permanent', code: 'POLICY', message: "t.net has network effects and is not allowed in headless runs; pass --allow t.net, or list it in the workflow's settings.allowTools and approve that request with --trust-workflow" },
    });
  });

  it('runs an allowed tool without asking (workflow allowTools or the run allow list)', async () => {
    const { tool, calls } = netTool();
    const a = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.net' })], edges: [], settings: { allowTools: ['t.*'] } }, { tools: [tool] });
    expect((await a.exec.start()).status).toBe('succeeded');
    const b = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.net' })], edges: [] }, { tools: [tool], allow: ['t.net'] });
    expect((await b.exec.start()).status).toBe('succeeded');
    expect(calls).toHaveLength(2);
  });

  it('asks a person once per tool in an interactive run; the node and the run wait meanwhile', async () => {
    const { tool, calls } = netTool();
    const h = harness(
      { id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.net', inputs: { to: 'x' } }), node('b', { tool: 't.net' })], edges: [{ id: 'e', source: 'a', target: 'b' }] },
      { tools: [tool], interactive: true },
    );
    const done = h.exec.start();
    await h.desk.someoneAsks();
    expect(h.view().status).toBe('waiting');
    expect(h.view().nodes.a.status).toBe('waiting');
    expect(h.of('approval.requested')[0]).toMatchObject({ nodeId: 'a', tool: 't.net', input: { to: 'x' }, message: expect.stringMatching(/^Allow t\.net \(network effects\)/) });
    expect(calls).toEqual([]);
    h.desk.answer('a', true);
    const view = await done;
    expect(view.status).toBe('succeeded');
    expect(calls).toHaveLength(2);
    expect(h.desk.asked).toEqual(['a']);
    expect(view.nodes.a.attempts).toBe(1);
  });

  it('a refusal fails the node permanently (never a silent skip) and is remembered for the run', async () => {
    const { tool, calls } = netTool();
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.net' }), node('b', { tool: 't.net' })], edges: [{ id: 'e', source: 'a', target: 'b' }] }, { tools: [tool], interactive: true });
    const done = h.exec.start();
    await h.desk.someoneAsks();
    h.desk.answer('a', false, 'not today');
    const view = await done;
    expect(calls).toEqual([]);
    expect(view.nodes.a.error).toMatchObject({ code: 'POLICY', message: 't.net was refused by a person: not today' });
    expect(view.status).toBe('failed');
  });

  it('lets a tool ask a person through ctx.requestApproval, even headless (the run waits)', async () => {
    const ask = testTool('t.ask', async (_i, ctx) => ctx.requestApproval('Ship it?', { input: { v: 1 } }));
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.ask' })], edges: [] }, { tools: [ask] });
    const done = h.exec.start();
    await h.desk.someoneAsks();
    expect(h.view().status).toBe('waiting');
    expect(h.view().nodes.a.approval).toMatchObject({ message: 'Ship it?' });
    h.desk.answer('a', true, 'go');
    const view = await done;
    expect(view.nodes.a.output).toEqual({ approved: true, comment: 'go' });
    expect(h.of('run.status').map((e) => e.status)).toEqual(['waiting', 'running']);
  });

  it('gates tools called by another tool (ctx.callTool), and describes tools to it', async () => {
    const { tool, calls } = netTool();
    const agent = testTool('t.agent', async (_i, ctx) => {
      const described = ctx.describeTool?.('t.net');
      try {
        await ctx.callTool('t.net', {});
        return { described: described?.name, called: true };
      } catch (e) {
        return { described: described?.name, refused: (e as Error).message };
      }
    });
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.agent' })], edges: [] }, { tools: [tool, agent] });
    const view = await h.exec.start();
    expect(calls).toEqual([]);
    expect(view.nodes.a.output).toMatchObject({ described: 't.net', refused: expect.stringContaining('not allowed in headless runs') });
  });
});
