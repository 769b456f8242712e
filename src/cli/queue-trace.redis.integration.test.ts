/**
 * Trace context travels with remote tasks (issue 13): a control plane in this process (its
 * OTLP endpoint set in Settings) hands node executions to a real `awe worker` process (its own
 * OTEL_* environment), both exporting to one OTLP/HTTP receiver on 127.0.0.1. The worker's
 * span of each task belongs to the run's trace and is a child of the control plane's node attempt.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, printTree, startReceiver, type OtlpSpan } from '../engine/observe/otlp-receiver.testkit';
import { useCliSandbox } from './cli.testkit';
import { HAVE_REDIS, openControlPlane, startRedis, startWorker, waitFor } from './queue.testkit';

const cli = useCliSandbox();
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe.skipIf(!HAVE_REDIS)('queue mode: one trace across the control plane and a worker', () => {
  it('the worker continues the trace: its task span is a child of the node attempt, same trace id', { timeout: 120_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    // The worker exports on its own, batched every 100 ms.
    const worker = await startWorker(cli, redis.url, [], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'awe-worker-under-test', OTEL_BSP_SCHEDULE_DELAY: '100' });
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url);
    try {
      engine.updateSettings({ observability: { otlpEndpoint: receiver.url } });
      const doc = {
        id: 'remote',
        name: 'Remote',
        version: 1,
        nodes: [
          { id: 'first', kind: 'tool', tool: 'util.wait', inputs: { ms: 20 } },
          { id: 'second', kind: 'tool', tool: 'util.wait', inputs: { ms: 20 } },
        ],
        edges: [{ id: 'e', source: 'first', target: 'second' }],
      };
      const handle = engine.startRun(engine.validate(doc).workflow!);
      expect((await handle.done).status).toBe('succeeded');
      await engine.close(); // flushes the control plane's spans
      const fromWorker = () => receiver.spans.filter((s) => s.service === 'awe-worker-under-test');
      await waitFor(() => fromWorker().length === 2, 20_000, () => `the worker sent ${fromWorker().length} spans:\n${worker.output()}`);

      const spans = receiver.spans;
      console.log(`span tree across both processes:\n${printTree(spans)}`);
      const run = spans.find((s) => s.name === 'run Remote')!;
      expect(run.service).toBe('awe');
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([run.traceId]));
      const attempt = (id: string): OtlpSpan => spans.find((s) => s.name === `node ${id}` && s.service === 'awe')!;
      for (const id of ['first', 'second']) {
        const task = fromWorker().find((s) => attr(s, 'awe.node.id') === id)!;
        expect(task.name).toBe('tool util.wait');
        expect(task.kind).toBe(5); // CONSUMER
        expect(task.parentSpanId).toBe(attempt(id).spanId);
        expect(attempt(id).parentSpanId).toBe(run.spanId);
        expect([attr(task, 'awe.run.id'), attr(task, 'awe.queue.dispatch'), attr(task, 'awe.queue.delivery')]).toEqual([handle.runId, 1, 1]);
      }
    } finally {
      await engine.close().catch(() => undefined);
      worker.child.kill('SIGTERM');
      await worker.result;
      await redis.stop();
    }
  });
});
