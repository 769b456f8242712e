/**
 * `awe worker`'s options as flags (each also from its environment variable, the flag winning):
 * --lock-ms and --stalled-check-ms reach BullMQ (the lock a held job carries in Redis), the LLM
 * endpoint and model reach the client, and a bad value is refused saying which flag or variable.
 */
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { QUEUE_WIRE_VERSION, type QueueTask } from '../contract';
import { builtinTools } from '../engine';
import { redisFromUrl } from '../engine/queue/wire';
import { useCliSandbox } from './cli.testkit';
import { HAVE_REDIS, startRedis, startWorker, waitFor } from './queue.testkit';

const cli = useCliSandbox();

describe('awe worker flags', () => {
  it('are in the help', async () => {
    const { code, stdout } = await cli.awe('--help');
    expect(code).toBe(0);
    for (const flag of ['--lock-ms MS', '--stalled-check-ms MS', '--llm-base-url URL', '--llm-model NAME', '$AWE_QUEUE_LOCK_MS', '$AWE_QUEUE_STALLED_CHECK_MS']) expect(stdout).toContain(flag);
  });

  it('refuse a bad value, naming the flag or the variable it came from', async () => {
    const worker = (args: string[], env: Record<string, string> = {}) => cli.start(['worker', '--queue', 'redis://127.0.0.1:1', ...args], { env, dataDir: false }).result;
    let r = await worker(['--lock-ms', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lock-ms expects a whole number ≥ 1, got "soon"');
    r = await worker(['--stalled-check-ms', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--stalled-check-ms expects a whole number ≥ 1, got "0"');
    r = await worker([], { AWE_QUEUE_LOCK_MS: '2s' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AWE_QUEUE_LOCK_MS expects a whole number ≥ 1, got "2s"');
    r = await worker(['--llm-base-url', 'ftp://models.example']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--llm-base-url expects an http(s) URL');
  });

  it.skipIf(!HAVE_REDIS)('--lock-ms is the lock a held job carries in Redis, over the environment\'s value', { timeout: 120_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const conn = redisFromUrl(redis.url);
    const queue = new Queue('awe-nodes', { connection: conn });
    try {
      const worker = await startWorker(cli, redis.url, ['--lock-ms', '1500', '--stalled-check-ms', '1000', '--llm-base-url', 'http://127.0.0.1:9/v1', '--llm-model', 'tiny-model'], {
        AWE_QUEUE_LOCK_MS: '60000',
        AWE_QUEUE_STALLED_CHECK_MS: '60000',
      });
      expect(worker.output()).toContain('lock 1500 ms, stalled check 1000 ms, LLM tiny-model at http://127.0.0.1:9/v1');
      const wait = builtinTools().find((t) => t.name === 'util.wait')!;
      const task: QueueTask = {
        v: QUEUE_WIRE_VERSION, runId: 'r-flags', nodeId: 'wait', generation: 0, dispatch: 1, idempotencyKey: 'r-flags:wait:0',
        tool: { name: wait.name, version: wait.version }, input: { ms: 5_000 }, workspaceDir: cli.dir,
      };
      await queue.add(wait.name, task, { jobId: 'flags', attempts: 1 });
      let state = '';
      await waitFor(() => (void queue.getJobState('flags').then((s) => (state = s)), state === 'active'), 60_000, () => `job flags is ${state}`);
      // BullMQ sets the lock for lockDuration and renews it before it lapses: never longer than the flag says.
      const ttl = await conn.pttl('bull:awe-nodes:flags:lock');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1_500);
    } finally {
      await queue.close();
      conn.disconnect();
      await redis.stop();
    }
  });
});
