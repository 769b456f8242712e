/**
 * What crosses Redis between the control plane (`awe run|serve --queue`) and `awe worker`
 * (DESIGN.md §4, issue 12): one task per node execution, one result per task. Versioned:
 * a worker refuses a task of a wire version it does not speak, permanently, rather than
 * guessing. Errors keep their class and code, so transient vs permanent survives the trip.
 */
import { z } from 'zod';
import { ErrorClass } from './run';

/** Bumped when a field's meaning changes; workers refuse other versions. */
export const QUEUE_WIRE_VERSION = 1;

/** The BullMQ queue every control plane and worker of one deployment share. @default awe-nodes */
export const DEFAULT_QUEUE_NAME = 'awe-nodes';

/** Where a tool may run: `local` only in the control plane, `remote` only on a worker, `any` either (a worker in queue mode). */
export const ToolPlacement = z.enum(['local', 'remote', 'any']);
export type ToolPlacement = z.infer<typeof ToolPlacement>;

export const QueueTask = z.object({
  v: z.literal(QUEUE_WIRE_VERSION),
  runId: z.string().min(1),
  nodeId: z.string().min(1),
  /** The node's generation (a rerun or Retry starts a new one). */
  generation: z.number().int().min(0),
  /** Dispatch number within the generation: our retry policy's new attempt is a new dispatch (a new job). */
  dispatch: z.number().int().min(1),
  /** `runId:nodeId:generation` (plus `/itemN`, `/callN`): the same on every delivery of this task. */
  idempotencyKey: z.string().min(1),
  tool: z.object({ name: z.string().min(1), version: z.string() }),
  /** The resolved input, as the control plane recorded it. */
  input: z.unknown(),
  /** The run's workspace folder: the same path on every machine (a shared volume). */
  workspaceDir: z.string(),
  /** Epoch ms after which the worker aborts the call even if no cancel arrives (the control plane is gone). */
  deadlineAt: z.number().int().optional(),
  /** W3C trace context of the node attempt, when tracing is on. */
  trace: z.object({ traceparent: z.string().optional(), tracestate: z.string().optional() }).optional(),
});
export type QueueTask = z.infer<typeof QueueTask>;

export const QueueLog = z.object({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
  data: z.unknown().optional(),
  ts: z.number(),
});
export type QueueLog = z.infer<typeof QueueLog>;

export const QueueUsage = z.object({
  promptTokens: z.number().min(0),
  completionTokens: z.number().min(0),
  costUsd: z.number().min(0),
  model: z.string().optional(),
});
export type QueueUsage = z.infer<typeof QueueUsage>;

export const QueueError = z.object({
  class: ErrorClass,
  code: z.string(),
  message: z.string(),
  retryAfterMs: z.number().optional(),
});
export type QueueError = z.infer<typeof QueueError>;

const resultBase = {
  v: z.literal(QUEUE_WIRE_VERSION),
  /** Every log line of the call (also streamed as job progress while it ran). */
  logs: z.array(QueueLog),
  usage: z.array(QueueUsage),
  /** The worker that ran it, and which delivery of the job this was (2+ = redelivered after a lost worker). */
  worker: z.string(),
  delivery: z.number().int().min(1),
};

export const QueueResult = z.discriminatedUnion('ok', [
  z.object({ ...resultBase, ok: z.literal(true), output: z.unknown(), truncated: z.boolean() }),
  z.object({ ...resultBase, ok: z.literal(false), error: QueueError }),
]);
export type QueueResult = z.infer<typeof QueueResult>;

/** Job progress while a task runs: log lines from index `from` on. */
export const QueueProgress = z.object({ from: z.number().int().min(0), logs: z.array(QueueLog) });
export type QueueProgress = z.infer<typeof QueueProgress>;

/** A failed job's reason starts with this, then the JSON of the failed `QueueResult`. */
export const QUEUE_FAILURE_PREFIX = 'awe-result:';
