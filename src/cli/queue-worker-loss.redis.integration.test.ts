/**
 * Lost workers, with real processes SIGKILLed: a worker holding jobs mid-run (its jobs are
 * redelivered with the same idempotency key, each success recorded once), and a tool that
 * kills every worker that runs it (a dead letter; Retry all failed succeeds once it is fixed).
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinTools } from '../engine';
import { QueueWorker } from '../engine/queue';
import { ROOT, useCliSandbox, type CliProcess } from './cli.testkit';
import { crashWorkerTool } from './queue-crash-tool.testkit';
import { HAVE_REDIS, openControlPlane, startRedis, startsIn, startWorker, successesPerNode, waitFor, waitGraph, WORKER_ENV } from './queue.testkit';

const cli = useCliSandbox();

function startCrashWorker(url: string): { output: () => string; exited: Promise<NodeJS.Signals | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/queue-crash-worker.fixture.ts'), url], {
    cwd: ROOT,
    env: { ...process.env, ...WORKER_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { output: () => out, exited: new Promise((r) => child.on('exit', (_code, signal) => r(signal))) };
}

describe.skipIf(!HAVE_REDIS)('queue mode: lost workers', () => {
  it('a worker SIGKILLed mid-run: every node succeeds, redelivered with the same key, each success recorded once', { timeout: 120_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const workers: CliProcess[] = await Promise.all([startWorker(cli, redis.url), startWorker(cli, redis.url)]);
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url);
    try {
      const workflow = engine.validate(waitGraph('lose-a-worker', 4, 4_000)).workflow!;
      const handle = engine.startRun(workflow);
      await waitFor(() => workers.flatMap((w) => startsIn(w.output())).length >= 4, 30_000, () => workers.map((w) => w.output()).join('\n'));
      const victim = workers.find((w) => startsIn(w.output()).length > 0)!;
      const survivor = workers.find((w) => w !== victim)!;
      const lost = startsIn(victim.output());
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await waitFor(() => (survivor.output().match(/redelivered \(delivery 2\)/g) ?? []).length >= lost.length, 30_000, () => survivor.output());
      process.stdout.write(`[queue] ${lost.length} job(s) of a SIGKILLed worker redelivered after ${Date.now() - killedAt} ms (lock 2 s, stalled check 1 s)\n`);
      const view = await handle.done;
      expect(view.status).toBe('succeeded');
      expect(Object.values(view.nodes).every((n) => n.status === 'succeeded')).toBe(true);
      // Redelivered: the same job, so the same idempotency key, now on the survivor as delivery 2.
      const again = startsIn(survivor.output()).filter((s) => s.delivery === 2);
      expect(again.map((s) => [s.jobId, s.key]).sort()).toEqual(lost.map((s) => [s.jobId, s.key]).sort());
      expect(Object.values(successesPerNode(engine.events(handle.runId))).every((n) => n === 1)).toBe(true);
      expect(Object.keys(successesPerNode(engine.events(handle.runId))).length).toBe(5);
    } finally {
      await engine.close();
      await redis.stop();
    }
  });

  it('a tool that kills its worker ends as a dead letter (WORKER_LOST); Retry all failed succeeds once it is fixed', { timeout: 150_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const marker = join(cli.dir, 'crash-marker');
    writeFileSync(marker, 'crash');
    const crashers = [startCrashWorker(redis.url), startCrashWorker(redis.url)];
    await waitFor(() => crashers.every((w) => /taking jobs/.test(w.output())), 90_000, () => crashers.map((w) => w.output()).join('\n'));
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url, [crashWorkerTool]);
    let fixed: QueueWorker | undefined;
    try {
      const workflow = engine.validate({
        id: 'crashy',
        name: 'crashy',
        version: 1,
        nodes: [{ id: 'crash', kind: 'tool', tool: 'test.crashWorker', inputs: { marker } }],
        edges: [],
      }).workflow!;
      const handle = engine.startRun(workflow);
      // Both workers die on it: the first delivery and the redelivery.
      expect(await Promise.all(crashers.map((w) => w.exited))).toEqual(['SIGKILL', 'SIGKILL']);
      // The tool is fixed; a new worker's stalled check finds the job lost a second time and fails it.
      rmSync(marker);
      fixed = new QueueWorker({ url: redis.url, tools: new Map([...builtinTools(), crashWorkerTool].map((t) => [t.name, t])), lockDurationMs: 2_000, stalledIntervalMs: 1_000, say: () => undefined });
      await fixed.start();
      const failed = await handle.done;
      expect(failed.status).toBe('failed');
      expect(failed.deadLetters).toEqual(['crash']);
      expect(failed.nodes.crash.error).toMatchObject({ class: 'transient', code: 'WORKER_LOST' });
      const retried = await engine.retryFailed(handle.runId).done;
      expect(retried.status).toBe('succeeded');
      expect(retried.nodes.crash.output).toEqual({ survived: true });
    } finally {
      await fixed?.drain();
      await engine.close();
      await redis.stop();
    }
  });
});
