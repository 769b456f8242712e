/**
 * A worker process for the tests, as `awe worker` builds it (QueueWorker, the builtins, the
 * same lock settings from the environment) plus `test.crashWorker`. Usage: URL.
 */
import { builtinTools } from '../engine';
import { QueueWorker } from '../engine/queue';
import { crashWorkerTool } from './queue-crash-tool.testkit';

const worker = new QueueWorker({
  url: process.argv[2],
  tools: new Map([...builtinTools(), crashWorkerTool].map((t) => [t.name, t])),
  lockDurationMs: Number(process.env.AWE_QUEUE_LOCK_MS) || undefined,
  stalledIntervalMs: Number(process.env.AWE_QUEUE_STALLED_CHECK_MS) || undefined,
});
await worker.start();
process.stdout.write(`[awe worker] ${worker.id} taking jobs from queue "${worker.queueName}"\n`);
process.once('SIGTERM', () => void worker.drain().then(() => process.exit(0)));
