/**
 * The engine's queue-mode entry (docs/distributed.md): the executor that hands node executions
 * to workers over Redis, the worker that runs them, the worker's tracer and its metrics. Its own entry, beside index.ts, because
 * BullMQ and ioredis are heavy to load: `awe run`, `awe serve` and the desktop app load them
 * only when a queue is configured (`--queue`, `AWE_QUEUE_URL`).
 */
export { QueueExecutor, type QueueCounts, type QueueExecutorOptions } from './queue-executor';
export { QueueWorker, type QueueWorkerOptions } from './worker';
export { TaskTracer } from '../observe/task-tracer';
export { WorkerMetrics } from '../observe/worker-metrics';
