/**
 * `awe worker --metrics-port` (issue 13): a real worker process takes tasks straight from the
 * queue — a success, a tool failing permanently, a mismatched tool version, a task taken after
 * its deadline, one that runs past it, an LLM call that reports tokens, and a task a lost worker
 * held — and its `/metrics`, parsed as Prometheus text (a parser, not a regex), counts exactly
 * those. The listener binds to 127.0.0.1 only, answers `/metrics` only, and stays up through a
 * SIGTERM drain until the last active task ends.
 */
import { connect, createServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { completion, startScriptedOpenAI } from '../../tests/support/scripted-openai';
import { QUEUE_WIRE_VERSION, type QueueTask } from '../contract';
import { builtinTools } from '../engine';
import { histogramCount, scrape, type Scrape } from '../engine/observe/prometheus-scrape.testkit';
import { cancelChannel } from '../engine/queue/cancel';
import { redisFromUrl } from '../engine/queue/wire';
import { useCliSandbox } from './cli.testkit';
import { HAVE_REDIS, startRedis, startWorker, waitFor } from './queue.testkit';

const cli = useCliSandbox();
const QUEUE = 'awe-nodes';

/** The value of one counter/gauge sample with exactly these labels (0 when absent). */
function value(families: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no metric ${name}`);
  const sample = family.metrics.find((m) => Object.keys(m.labels ?? {}).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample ? Number(sample.value) : 0;
}

/** The sum of a counter's samples over every label set. */
function total(families: Scrape, name: string): number {
  return (families.find((f) => f.name === name)?.metrics ?? []).reduce((sum, m) => sum + Number(m.value), 0);
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    // A firewall that drops instead of refusing: not accepted either.
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const tool = (name: string) => builtinTools().find((t) => t.name === name)!;
const task = (id: string, name: string, input: unknown, extra: Partial<QueueTask> = {}): QueueTask => ({
  v: QUEUE_WIRE_VERSION,
  runId: `r-${id}`,
  nodeId: id,
  generation: 0,
  dispatch: 1,
  idempotencyKey: `r-${id}:${id}:0`,
  tool: { name, version: tool(name).version },
  input,
  workspaceDir: cli.dir,
  ...extra,
});

function metricsUrlOf(output: string): string {
  const url = /Prometheus metrics at (http:\/\/\S+\/metrics)/.exec(output)?.[1];
  if (!url) throw new Error(`no metrics URL in:\n${output}`);
  return url;
}

describe('awe worker --metrics-port', () => {
  it('is in the help, with its variable and the loopback rule', async () => {
    const { code, stdout } = await cli.awe('--help');
    expect(code).toBe(0);
    for (const text of ['[--metrics-port N]', '$AWE_WORKER_METRICS_PORT', 'on 127.0.0.1:N only']) expect(stdout).toContain(text);
  });

  it('refuses a bad port, naming the flag or the variable it came from', async () => {
    const worker = (args: string[], env: Record<string, string> = {}) => cli.start(['worker', '--queue', 'redis://127.0.0.1:1', ...args], { env, dataDir: false }).result;
    let r = await worker(['--metrics-port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--metrics-port expects a port 0–65535, got "70000"');
    r = await worker([], { AWE_WORKER_METRICS_PORT: 'nine' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AWE_WORKER_METRICS_PORT expects a port 0–65535, got "nine"');
  });

  it('ends at once, holding nothing, when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((ready) => taken.listen(0, '127.0.0.1', ready));
    const { port } = taken.address() as AddressInfo;
    try {
      // The listener starts before the queue is reached: no Redis needed to see it refused.
      const r = await cli.start(['worker', '--queue', 'redis://127.0.0.1:1', '--metrics-port', String(port)], { dataDir: false }).result;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot serve metrics on 127.0.0.1:${port}: listen EADDRINUSE`);
      expect(r.stdout).not.toContain('taking jobs');
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  it.skipIf(!HAVE_REDIS)('counts exactly what the worker did, on 127.0.0.1 only, and stays up through a drain', { timeout: 180_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const llm = await startScriptedOpenAI();
    const conn = redisFromUrl(redis.url);
    const queue = new Queue(QUEUE, { connection: conn });
    const add = (t: QueueTask) => queue.add(t.tool.name, t, { jobId: t.nodeId, attempts: 1 });
    let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      // A worker that took a task and was lost: its lock (1 s) lapses unrenewed, the stalled
      // check of the awe worker puts the task back, and the awe worker runs it as delivery 2.
      await add(task('lost', 'util.wait', { ms: 1 }));
      const lostConn = redisFromUrl(redis.url);
      const lostWorker = new Worker(QUEUE, null, { connection: lostConn, lockDuration: 1_000 });
      expect((await lostWorker.getNextJob('lost-worker'))?.id).toBe('lost');
      await lostWorker.close();
      lostConn.disconnect();

      llm.enqueue(completion({ content: 'hello', model: 'tiny-model', promptTokens: 12, completionTokens: 7 }));
      worker = await startWorker(cli, redis.url, ['--metrics-port', '0', '--concurrency', '3', '--llm-base-url', llm.baseUrl, '--llm-model', 'tiny-model'], { OPENAI_API_KEY: 'test' });
      const url = metricsUrlOf(worker.output());
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

      await add(task('ok', 'util.wait', { ms: 1 }));
      await add(task('broken', 'file.read', { path: 'missing.txt' }));
      await add(task('version', 'util.wait', { ms: 1 }, { tool: { name: 'util.wait', version: '0.0.0-elsewhere' } }));
      await add(task('late', 'util.wait', { ms: 1 }, { deadlineAt: Date.now() - 1_000 }));
      // Its deadline leaves a loaded machine ample time to take it before (then it runs past it).
      await add(task('overrun', 'util.wait', { ms: 120_000 }, { deadlineAt: Date.now() + 10_000 }));
      await add(task('ask', 'llm.generate', { prompt: 'say hello' }));
      const ids = ['lost', 'ok', 'broken', 'version', 'late', 'overrun', 'ask'];
      const states: Record<string, string> = {};
      await waitFor(
        () => {
          for (const id of ids) void queue.getJobState(id).then((s) => (states[id] = s));
          return ids.every((id) => states[id] === 'completed' || states[id] === 'failed');
        },
        120_000,
        () => `jobs: ${JSON.stringify(states)}\n${worker!.output()}`,
      );
      expect(states).toEqual({ lost: 'completed', ok: 'completed', broken: 'failed', version: 'failed', late: 'failed', overrun: 'failed', ask: 'completed' });

      const after = await scrape(url);
      // Tools that ran: util.wait for ok, lost (again) and overrun; file.read; llm.generate.
      expect(value(after, 'awe_worker_tasks_total', { tool: 'util.wait', outcome: 'succeeded', error_class: 'none' })).toBe(2);
      expect(value(after, 'awe_worker_tasks_total', { tool: 'util.wait', outcome: 'failed', error_class: 'transient' })).toBe(1);
      expect(value(after, 'awe_worker_tasks_total', { tool: 'file.read', outcome: 'failed', error_class: 'permanent' })).toBe(1);
      expect(value(after, 'awe_worker_tasks_total', { tool: 'llm.generate', outcome: 'succeeded', error_class: 'none' })).toBe(1);
      expect(total(after, 'awe_worker_tasks_total')).toBe(5);
      expect(histogramCount(after, 'awe_worker_task_duration_seconds', { tool: 'util.wait' })).toBe(3);
      expect(histogramCount(after, 'awe_worker_task_duration_seconds', { tool: 'file.read' })).toBe(1);
      // Refused without running: the version mismatch and the task taken after its deadline.
      expect(value(after, 'awe_worker_tasks_refused_total', { reason: 'tool_version' })).toBe(1);
      expect(value(after, 'awe_worker_tasks_refused_total', { reason: 'past_deadline' })).toBe(1);
      expect(total(after, 'awe_worker_tasks_refused_total')).toBe(2);
      expect(value(after, 'awe_worker_redeliveries_total')).toBe(1);
      expect(value(after, 'awe_worker_deadline_timeouts_total', { tool: 'util.wait' })).toBe(1);
      expect(total(after, 'awe_worker_deadline_timeouts_total')).toBe(1);
      expect(value(after, 'awe_worker_llm_tokens_total', { model: 'tiny-model', direction: 'input' })).toBe(12);
      expect(value(after, 'awe_worker_llm_tokens_total', { model: 'tiny-model', direction: 'output' })).toBe(7);
      expect(value(after, 'awe_worker_tasks_active')).toBe(0);
      expect(value(after, 'awe_worker_concurrency')).toBe(3);
      // Process and event-loop metrics come with it.
      expect(after.some((f) => f.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
      expect(after.some((f) => f.name === 'process_cpu_seconds_total')).toBe(true);
      // Nothing the control plane also counts: only awe_worker_* (and the process's own) series.
      expect(after.map((f) => f.name).filter((name) => !/^(awe_worker_|process_|nodejs_)/.test(name))).toEqual([]);
      // Labels bounded: never a run, job or node id.
      const labels = after.filter((f) => f.name.startsWith('awe_')).flatMap((f) => f.metrics.map((m) => m.labels ?? {}));
      for (const name of new Set(labels.flatMap(Object.keys))) expect(['tool', 'outcome', 'error_class', 'reason', 'model', 'direction']).toContain(name);
      const labelValues = new Set(labels.flatMap(Object.values));
      for (const id of ids) expect([labelValues.has(id), labelValues.has(`r-${id}`)]).toEqual([false, false]);

      // Only /metrics, only GET/HEAD, only on 127.0.0.1.
      const port = Number(new URL(url).port);
      expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(url.replace('/metrics', '/api/runs'))).status).toBe(404);
      expect((await fetch(url, { method: 'POST' })).status).toBe(405);
      expect(await accepts('127.0.0.1', port)).toBe(true);
      // Bound to 127.0.0.1 itself, not to every address: another loopback address and the machine's own addresses are refused.
      expect(await accepts('127.0.0.2', port)).toBe(false);
      for (const address of Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((a) => a.family === 'IPv4' && !a.internal)) {
        expect(await accepts(address.address, port)).toBe(false);
      }

      // SIGTERM with a task active: /metrics stays up (and shows it) until the task ends, then closes.
      await add(task('slow', 'util.wait', { ms: 120_000 }));
      await waitFor(() => /job slow: util\.wait started/.test(worker!.output()), 60_000, () => worker!.output());
      worker.child.kill('SIGTERM');
      await waitFor(() => /draining/.test(worker!.output()), 30_000, () => worker!.output());
      const draining = await scrape(url);
      expect(value(draining, 'awe_worker_tasks_active')).toBe(1);
      expect(await accepts('127.0.0.1', port)).toBe(true);
      // The control plane cancels it: the drain ends with it, and so does the listener.
      await conn.publish(cancelChannel(QUEUE), 'slow');
      const result = await worker.result;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('drained; bye');
      expect(result.stdout).toContain('job slow: failed cancelled CANCELLED');
      expect(await accepts('127.0.0.1', port)).toBe(false);
    } finally {
      if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill('SIGKILL');
        await worker.result;
      }
      await queue.close();
      conn.disconnect();
      await llm.close();
      await redis.stop();
    }
  });
});
