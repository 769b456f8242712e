/**
 * The task's deadline on the worker: the control plane sends when the node's time runs out, and
 * the worker aborts the tool then (a transient TIMEOUT, as in-process) even when no cancel comes
 * because the control plane is gone, and does not start a task taken after its deadline.
 * Tasks are added straight to the queue here: a live control plane would cancel first.
 */
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { QUEUE_WIRE_VERSION, type QueueTask } from '../contract';
import { builtinTools, type ToolSpec } from '../engine';
import { QueueWorker } from '../engine/queue';
import { decodeFailure, redisFromUrl } from '../engine/queue/wire';
import { useCliSandbox } from './cli.testkit';
import { HAVE_REDIS, openControlPlane, startRedis, waitFor } from './queue.testkit';

const cli = useCliSandbox();

const calls: { aborted: () => boolean }[] = [];
/** Sleeps without looking at its signal: only the worker's own deadline can end the job in time. */
const stubborn: ToolSpec<{ ms: number }, { slept: number }> = {
  name: 'test.stubborn',
  title: 'Stubborn',
  description: 'Test only: sleeps `ms`, ignoring its AbortSignal.',
  version: '1',
  input: z.object({ ms: z.number() }),
  output: z.object({ slept: z.number() }),
  effects: 'pure',
  source: 'builtin',
  async run({ ms }, ctx) {
    calls.push({ aborted: () => ctx.signal.aborted });
    // Unref'd: the sleep the worker gave up on must not hold the test process open.
    await new Promise((r) => setTimeout(r, ms).unref());
    return { slept: ms };
  },
};

/** The stubborn tool's sleep: a job that ends long before it was ended by its deadline. */
const SLEEP_MS = 20_000;
/**
 * How far ahead of the add the running job's deadline lies: time for the worker to take the job
 * first even when this process gets no CPU for a while (a 300 ms window was missed on a loaded
 * machine, and the job failed as "taken after its deadline" instead).
 */
const DEADLINE_AHEAD_MS = 2_000;

const task = (nodeId: string, deadlineAt: number): QueueTask => ({
  v: QUEUE_WIRE_VERSION,
  runId: 'r-deadline',
  nodeId,
  generation: 0,
  dispatch: 1,
  idempotencyKey: `r-deadline:${nodeId}:0`,
  tool: { name: stubborn.name, version: stubborn.version },
  input: { ms: SLEEP_MS },
  workspaceDir: cli.dir,
  deadlineAt,
});

describe.skipIf(!HAVE_REDIS)('queue mode: the task deadline on the worker', () => {
  it('aborts a running tool at its deadline and does not start one already past it: transient TIMEOUT', { timeout: 60_000 }, async () => {
    calls.length = 0;
    const redis = await startRedis(join(cli.dir, 'redis'));
    const conn = redisFromUrl(redis.url);
    const queue = new Queue('awe-deadline', { connection: conn });
    const worker = new QueueWorker({ url: redis.url, queueName: 'awe-deadline', tools: new Map([[stubborn.name, stubborn]]), say: () => undefined });
    await worker.start();
    const outcome = async (jobId: string) => {
      let state = '';
      await waitFor(() => (void queue.getJobState(jobId).then((s) => (state = s)), state === 'failed' || state === 'completed'), 20_000, () => `job ${jobId} is ${state}`);
      const job = (await queue.getJob(jobId))!;
      return { state, finishedOn: job.finishedOn!, error: decodeFailure(jobId, job.failedReason).error };
    };
    try {
      await queue.add(stubborn.name, task('late', Date.now() - 1), { jobId: 'late', attempts: 1 });
      const late = await outcome('late');
      expect(late.state).toBe('failed');
      expect(late.error).toMatchObject({ class: 'transient', code: 'TIMEOUT' });
      expect(late.error.message).toMatch(/was taken after its deadline/);
      expect(calls).toHaveLength(0);

      const added = Date.now();
      await queue.add(stubborn.name, task('slow', added + DEADLINE_AHEAD_MS), { jobId: 'slow', attempts: 1 });
      const slow = await outcome('slow');
      expect(slow.state).toBe('failed');
      expect(slow.error).toMatchObject({ class: 'transient', code: 'TIMEOUT' });
      expect(slow.error.message).toMatch(/ran past its deadline \(\d{4}-\d\d-\d\dT[^)]+\) on worker \S+/);
      // Ended at the deadline, not when the 20 s sleep was over; and the tool's signal fired.
      // (A timer may fire a millisecond before Date.now() shows its time: 50 ms of slack below.)
      expect(slow.finishedOn - added).toBeGreaterThanOrEqual(DEADLINE_AHEAD_MS - 50);
      expect(slow.finishedOn - added).toBeLessThan(SLEEP_MS / 2);
      expect(calls).toHaveLength(1);
      expect(calls[0].aborted()).toBe(true);
    } finally {
      await worker.drain();
      await queue.close();
      conn.disconnect();
      await redis.stop();
    }
  });

  it('the control plane sends the node\'s deadline with the task', { timeout: 60_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const worker = new QueueWorker({ url: redis.url, tools: new Map(builtinTools().map((t) => [t.name, t])), say: () => undefined });
    await worker.start();
    const { engine, executor } = openControlPlane(join(cli.dir, 'data'), redis.url);
    const conn = redisFromUrl(redis.url);
    const queue = new Queue(executor.queueName, { connection: conn });
    try {
      const workflow = { id: 'dl', name: 'dl', version: 1, nodes: [{ id: 'w', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 }, timeoutMs: 7_000 }], edges: [] };
      const started = Date.now();
      const handle = engine.startRun(engine.validate(workflow).workflow!);
      expect((await handle.done).status).toBe('succeeded');
      const [job] = await queue.getJobs(['completed']);
      const deadlineAt = (job.data as QueueTask).deadlineAt!;
      expect(deadlineAt).toBeGreaterThanOrEqual(started + 7_000);
      expect(deadlineAt).toBeLessThanOrEqual(Date.now() + 7_000);
    } finally {
      await worker.drain();
      await queue.close();
      conn.disconnect();
      await engine.close();
      await redis.stop();
    }
  });
});
