import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';
import { permanent, transient } from '../errors';
import { edge, harness, node, testTool } from './scheduler.testkit';

/** Fails the first `failures` calls with `error()`, then succeeds. */
function flaky(failures: number, error: () => Error) {
  const calls: string[] = [];
  const tool = testTool('t.flaky', async (_i, ctx) => {
    calls.push(ctx.idempotencyKey);
    if (calls.length <= failures) throw error();
    return { ok: true, calls: calls.length };
  });
  return { tool, calls };
}

const wf = (extra: Record<string, unknown>) => ({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.flaky', ...extra })], edges: [] });

describe('scheduler retries', () => {
  it('retries transient errors with the same idempotency key, then succeeds', async () => {
    const { tool, calls } = flaky(2, () => transient('HTTP_503', 'busy'));
    const h = harness(wf({ retry: { max: 3, backoffMs: 4 } }), { tools: [tool] });
    const view = await h.exec.start();
    expect(view.nodes.a).toMatchObject({ status: 'succeeded', attempts: 3, retries: 2 });
    expect(calls).toEqual(['run1:a:0', 'run1:a:0', 'run1:a:0']);
    expect(h.statuses('a')).toEqual(['queued', 'running', 'retrying', 'running', 'retrying', 'running', 'succeeded']);
    const retries = h.of('node.retry');
    expect(retries.map((r) => [r.attempt, r.error.code])).toEqual([[1, 'HTTP_503'], [2, 'HTTP_503']]);
    // node.retry comes before the backoff, i.e. before the next running
    const seqOfRetry = retries[0].seq;
    const nextRunning = h.of('node.status').find((e) => e.status === 'running' && e.seq > seqOfRetry)!;
    expect(nextRunning.reason).toBe('retry');
  });

  it('makes at most retry.max retries after the first attempt, then lists the node as a dead letter', async () => {
    const { tool, calls } = flaky(99, () => transient('HTTP_500', 'down'));
    const h = harness(wf({ retry: { max: 2, backoffMs: 1 } }), { tools: [tool] });
    const view = await h.exec.start();
    expect(calls).toHaveLength(3);
    expect(view.nodes.a).toMatchObject({ status: 'failed', attempts: 3, error: { class: 'transient', code: 'HTTP_500' } });
    expect(view.deadLetters).toEqual(['a']);
  });

  it('does not retry by default', async () => {
    const { tool, calls } = flaky(1, () => transient('HTTP_500', 'down'));
    const view = await harness(wf({}), { tools: [tool] }).exec.start();
    expect(calls).toHaveLength(1);
    expect(view.nodes.a.status).toBe('failed');
  });

  it('policy transient fails permanent errors at once; policy any retries them; policy none never retries', async () => {
    const perm = flaky(1, () => permanent('HTTP_404', 'gone'));
    expect((await harness(wf({ retry: { max: 3, backoffMs: 1 } }), { tools: [perm.tool] }).exec.start()).nodes.a.status).toBe('failed');
    expect(perm.calls).toHaveLength(1);

    const any = flaky(1, () => permanent('HTTP_404', 'gone'));
    expect((await harness(wf({ retry: { max: 3, policy: 'any', backoffMs: 1 } }), { tools: [any.tool] }).exec.start()).nodes.a.status).toBe('succeeded');
    expect(any.calls).toHaveLength(2);

    const none = flaky(1, () => transient('HTTP_503', 'busy'));
    expect((await harness(wf({ retry: { max: 3, policy: 'none', backoffMs: 1 } }), { tools: [none.tool] }).exec.start()).nodes.a.status).toBe('failed');
    expect(none.calls).toHaveLength(1);
  });

  it('backs off exponentially with full jitter, capped, never below a server Retry-After', () => {
    const half = () => 0.5;
    expect([0, 1, 2, 3].map((i) => backoffDelay(i, { max: 5, policy: 'transient', backoffMs: 100 }, half))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((i) => backoffDelay(i, { max: 5, policy: 'transient', backoffMs: 100, maxBackoffMs: 250 }, half))).toEqual([50, 100, 125, 125]);
    expect(backoffDelay(0, undefined, () => 0.999)).toBeLessThanOrEqual(200);
    expect(backoffDelay(0, undefined, () => 0)).toBe(0);
    expect(backoffDelay(0, undefined, half, 1500)).toBe(1500);
  });

  it('reports the jittered delay and honours retryAfterMs in the retry event', async () => {
    const { tool } = flaky(1, () => transient('HTTP_429', 'slow down', { retryAfterMs: 30 }));
    const h = harness(wf({ retry: { max: 1, backoffMs: 10 } }), { tools: [tool] });
    await h.exec.start();
    expect(h.of('node.retry')[0].delayMs).toBe(30);
  });

  it('times out an attempt through its signal as a transient TIMEOUT, and retries it', async () => {
    let aborted = 0;
    let call = 0;
    const slow = testTool('t.flaky', async (_i, ctx) => {
      if (++call === 2) return { ok: true };
      await new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => (aborted++, reject(ctx.signal.reason))));
    });
    const h = harness(wf({ timeoutMs: 20, retry: { max: 1, backoffMs: 1 } }), { tools: [slow] });
    const view = await h.exec.start();
    expect(aborted).toBe(1);
    expect(h.of('node.retry')[0].error).toMatchObject({ class: 'transient', code: 'TIMEOUT' });
    expect(view.nodes.a.status).toBe('succeeded');
  });

  it('does not hang on a tool that ignores its signal', async () => {
    const hang = testTool('t.flaky', () => new Promise(() => undefined));
    const view = await harness(wf({ timeoutMs: 20 }), { tools: [hang] }).exec.start();
    expect(view.nodes.a).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', message: expect.stringContaining('timed out after 20 ms') } });
  });

  it("uses the tool's own timeout when the node sets none", async () => {
    const hang = testTool('t.flaky', () => new Promise(() => undefined), { timeoutMs: 15 });
    const view = await harness(wf({}), { tools: [hang] }).exec.start();
    expect(view.nodes.a.error).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('15 ms') });
  });

  it('starts the deadline when the node starts running, not while it waits in the queue', async () => {
    const work = testTool('t.work', async (_i, ctx) => {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, 100);
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), reject(ctx.signal.reason)));
      });
      return {};
    });
    // Concurrency 1: c waits ~200 ms in the queue, then needs ~100 ms of its 250 ms.
    const nodes = ['a', 'b', 'c'].map((id) => node(id, { tool: 't.work', timeoutMs: 250 }));
    const view = await harness({ id: 'wf', name: 'wf', nodes, edges: [] }, { tools: [work], concurrency: 1 }).exec.start();
    expect(view.nodes.c.status).toBe('succeeded');
    expect(view.status).toBe('succeeded');
  });

  it('keeps independent nodes going while one backs off', async () => {
    // a backs off for half a minute (a 40 ms backoff raced b and c: a 40 ms stall of the
    // process let a's retry finish first), so b → c finishes while a still waits, or never.
    const { tool, calls } = flaky(1, () => transient('ECONNRESET', 'reset'));
    const echo = testTool('t.echo', async (i) => i);
    const h = harness(
      { id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.flaky', retry: { max: 1, backoffMs: 60_000 } }), node('b'), node('c')], edges: [edge('b', 'c')] },
      { tools: [tool, echo] },
    );
    const done = h.exec.start();
    await expect.poll(() => h.view().nodes.c.status, { timeout: 10_000 }).toBe('succeeded');
    expect(h.view().nodes.a.status).toBe('retrying');
    expect(calls).toHaveLength(1);
    h.exec.cancel();
    expect((await done).nodes.a.status).toBe('cancelled');
  });
});
