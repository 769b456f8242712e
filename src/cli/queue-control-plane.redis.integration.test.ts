/**
 * The control plane and Redis going away, with real processes: `awe run --queue` SIGKILLed
 * with nodes in flight and resumed (finished results adopted, nothing re-executed), and
 * redis-server restarted mid-run without its data (lost jobs queued again; the run finishes).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliSandbox } from './cli.testkit';
import { HAVE_REDIS, openControlPlane, startRedis, startsIn, startWorker, successesPerNode, waitFor, waitGraph } from './queue.testkit';

const cli = useCliSandbox();

describe.skipIf(!HAVE_REDIS)('queue mode: control plane and Redis failures', () => {
  it('awe run --queue SIGKILLed with nodes in flight, then resumed: finished results adopted, nothing re-executed', { timeout: 150_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const worker = await startWorker(cli, redis.url, ['--concurrency', '4']);
    const file = cli.write('wide.awe.json', waitGraph('wide', 4, 3_000));
    const run = cli.start(['run', file, '--queue', redis.url]);
    await waitFor(() => startsIn(worker.output()).length === 4, 90_000, () => `${run.output()}\n${worker.output()}`);
    const runId = /run (\S+) of wide started/.exec(run.output())![1];
    run.child.kill('SIGKILL');
    // The workers finish what they hold while no control plane listens.
    await waitFor(() => (worker.output().match(/: succeeded/g) ?? []).length === 4, 30_000, () => worker.output());
    const { engine } = openControlPlane(cli.dataDir, redis.url);
    try {
      const [handle] = await resumeWhenLeaseLapses(engine, runId);
      const view = await handle.done;
      expect(view.status).toBe('succeeded');
      // Each of the four ran once (adopted from Redis, not re-run); only the join ran after the resume.
      const keys = startsIn(worker.output()).map((s) => s.key.split(':')[1]);
      expect(keys.sort()).toEqual(['join', 'w0', 'w1', 'w2', 'w3']);
      expect(successesPerNode(engine.events(runId))).toEqual({ w0: 1, w1: 1, w2: 1, w3: 1, join: 1 });
    } finally {
      await engine.close();
      await redis.stop();
    }
  });

  it('redis-server restarted mid-run without its data: the run finishes', { timeout: 150_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const worker = await startWorker(cli, redis.url);
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url);
    try {
      const nodes = Array.from({ length: 4 }, (_, i) => ({ id: `s${i}`, kind: 'tool', tool: 'util.wait', inputs: { ms: 1_500 } }));
      const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id }));
      const workflow = engine.validate({ id: 'chain', name: 'chain', version: 1, nodes, edges }).workflow!;
      const handle = engine.startRun(workflow);
      await waitFor(() => startsIn(worker.output()).some((s) => s.key.includes(':s1:')), 60_000, () => worker.output());
      await redis.restart();
      const view = await handle.done;
      const errors = Object.entries(view.nodes).flatMap(([id, n]) => (n.error ? [`${id}: ${n.error.code} ${n.error.message}`] : []));
      expect(view.status, `${errors.join('\n')}\n${worker.output()}`).toBe('succeeded');
      expect(successesPerNode(engine.events(handle.runId))).toEqual({ s0: 1, s1: 1, s2: 1, s3: 1 });
    } finally {
      await engine.close();
      await redis.stop();
    }
  });
});

/** Resumes the run once the killed owner's lease (2 s in the tests) has lapsed. */
async function resumeWhenLeaseLapses(engine: ReturnType<typeof openControlPlane>['engine'], runId: string) {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      return engine.resumeRuns(runId);
    } catch (err) {
      if ((err as { code?: string }).code !== 'CONFLICT' || Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
