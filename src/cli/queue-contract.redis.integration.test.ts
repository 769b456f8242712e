/**
 * The task/result contract over a real Redis, worker and control plane in this process: a
 * worker refuses another tool version (permanent, not retried), an error's class and code
 * survive the trip (a transient one is retried by our policy, as a new dispatch), and a tool's
 * log lines reach the node once (streamed as progress, completed from the result).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtinTools, type ToolSpec } from '../engine';
import { QueueWorker } from '../engine/queue';
import { useCliSandbox } from './cli.testkit';
import { HAVE_REDIS, openControlPlane, startRedis, startsIn, waitFor, waitGraph } from './queue.testkit';

const cli = useCliSandbox();

let flakyCalls = 0;
function tool(version: string): ToolSpec<{ fail: number }, { calls: number }> {
  return {
    name: 'test.flaky',
    title: 'Flaky',
    description: 'Test only: fails transiently the first `fail` calls, logging each.',
    version,
    input: z.object({ fail: z.number() }),
    output: z.object({ calls: z.number() }),
    effects: 'pure',
    source: 'builtin',
    async run({ fail }, ctx) {
      flakyCalls++;
      ctx.log('info', `call ${flakyCalls} with key ${ctx.idempotencyKey}`);
      if (flakyCalls <= fail) throw Object.assign(new Error('busy'), { status: 503 });
      return { calls: flakyCalls };
    },
  };
}

const workflow = (fail: number) => ({
  id: 'flaky',
  name: 'flaky',
  version: 1,
  nodes: [{ id: 'f', kind: 'tool', tool: 'test.flaky', inputs: { fail }, retry: { max: 2, policy: 'transient' } }],
  edges: [],
});

describe.skipIf(!HAVE_REDIS)('queue mode: the task/result contract', () => {
  it('a transient error crosses as transient (retried as a new dispatch); logs reach the node once', { timeout: 60_000 }, async () => {
    flakyCalls = 0;
    const redis = await startRedis(join(cli.dir, 'redis'));
    const worker = new QueueWorker({ url: redis.url, tools: new Map([...builtinTools(), tool('1')].map((t) => [t.name, t])), say: () => undefined });
    await worker.start();
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url, [tool('1')]);
    try {
      const handle = engine.startRun(engine.validate(workflow(1)).workflow!);
      const view = await handle.done;
      expect(view.status).toBe('succeeded');
      expect(view.nodes.f.output).toEqual({ calls: 2 });
      const retries = engine.events(handle.runId).filter((e) => e.type === 'node.retry');
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({ error: { class: 'transient', code: 'HTTP_503' } });
      const logs = engine.events(handle.runId).flatMap((e) => (e.type === 'node.log' && /^call \d/.test(e.message) ? [e.message] : []));
      expect(logs).toEqual([`call 1 with key ${handle.runId}:f:0`, `call 2 with key ${handle.runId}:f:0`]);
    } finally {
      await worker.drain();
      await engine.close();
      await redis.stop();
    }
  });

  it('a worker with another version of the tool refuses the task: permanent, not retried', { timeout: 60_000 }, async () => {
    flakyCalls = 0;
    const redis = await startRedis(join(cli.dir, 'redis'));
    const worker = new QueueWorker({ url: redis.url, tools: new Map([...builtinTools(), tool('1')].map((t) => [t.name, t])), say: () => undefined });
    await worker.start();
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url, [tool('2')]);
    try {
      const view = await engine.startRun(engine.validate(workflow(0)).workflow!).done;
      expect(view.status).toBe('failed');
      expect(view.nodes.f.error).toMatchObject({ class: 'permanent', code: 'TOOL_VERSION' });
      expect(view.nodes.f.attempts).toBe(1);
      expect(flakyCalls).toBe(0);
    } finally {
      await worker.drain();
      await engine.close();
      await redis.stop();
    }
  });

  it('a draining worker finishes the job it holds and takes no new one', { timeout: 60_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    let lines = '';
    const draining = new QueueWorker({ url: redis.url, concurrency: 1, tools: new Map(builtinTools().map((t) => [t.name, t])), say: (l) => (lines += `${l}\n`) });
    await draining.start();
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url);
    let next: QueueWorker | undefined;
    try {
      const handle = engine.startRun(engine.validate(waitGraph('drain', 2, 1_500)).workflow!);
      await waitFor(() => startsIn(lines).length === 1, 20_000, () => lines);
      await draining.drain();
      // It finished the job it held, and took nothing more.
      expect(startsIn(lines)).toHaveLength(1);
      expect(lines).toMatch(/: succeeded/);
      let nextLines = '';
      next = new QueueWorker({ url: redis.url, tools: new Map(builtinTools().map((t) => [t.name, t])), say: (l) => (nextLines += `${l}\n`) });
      await next.start();
      const view = await handle.done;
      expect(view.status).toBe('succeeded');
      expect(startsIn(nextLines).map((s) => s.key.split(':')[1]).sort()).toEqual(['join', startsIn(lines)[0].key.split(':')[1] === 'w0' ? 'w1' : 'w0'].sort());
    } finally {
      await next?.drain();
      await engine.close();
      await redis.stop();
    }
  });
});
