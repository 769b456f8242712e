/**
 * Helpers both ends of the queue share: job ids, the Redis connection from a URL, where a
 * tool may run, and turning a failed job's reason back into a classified error.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { QUEUE_FAILURE_PREFIX, QueueResult, type QueueError, type ToolPlacement } from '../../contract';
import { ToolError } from '../errors';
import type { ToolSpec } from '../tools/types';

/**
 * The BullMQ job id of one dispatch: the idempotency key (`run:node:generation`, plus `/itemN`
 * or `/callN`) with `:` and `/` made `.` (BullMQ refuses `:` in ids; run and node ids never hold
 * `.`), then the dispatch number. A restarted control plane derives the same id and re-attaches.
 */
export function jobIdFor(idempotencyKey: string, dispatch: number): string {
  return `${idempotencyKey.replace(/[:/]/g, '.')}.d${dispatch}`;
}

/** The generation inside `runId:nodeId:generation[/…]`. */
export function generationOf(idempotencyKey: string, runId: string, nodeId: string): number {
  const rest = idempotencyKey.slice(`${runId}:${nodeId}:`.length);
  const n = Number.parseInt(rest, 10);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** Where a tool runs in queue mode: as it declares, else builtins anywhere and MCP tools beside their server config. */
export function placementOf(spec: Pick<ToolSpec, 'placement' | 'source'>): ToolPlacement {
  return spec.placement ?? (spec.source === undefined || spec.source === 'builtin' ? 'any' : 'local');
}

/**
 * An ioredis connection from `redis://[user:pass@]host:port[/db]`, `rediss://…` or
 * `unix:///path/to/redis.sock`. `maxRetriesPerRequest: null`: a command waits for Redis to come
 * back rather than failing (BullMQ requires it for workers; the control plane wants it too).
 */
export function redisFromUrl(url: string, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (times) => Math.min(100 * times, 1000), ...extra };
  if (!url.startsWith('unix://') && !/^rediss?:\/\//.test(url)) throw new Error(`--queue expects redis://HOST:PORT or unix:///path, got "${url}"`);
  const redis = url.startsWith('unix://') ? new Redis({ ...base, path: url.slice('unix://'.length) }) : new Redis(url, base);
  // ioredis reconnects by itself and commands wait meanwhile; an unhandled 'error' would only print noise.
  redis.on('error', () => undefined);
  return redis;
}

/** A transient error for a job that lost its worker twice (BullMQ's stalled limit). */
export const workerLost = (jobId: string) =>
  new ToolError('transient', 'WORKER_LOST', `the worker running job ${jobId} was lost twice (its lock lapsed); the job was given up`);

/** A failed job's reason as the error the node records: our encoded result, a lost worker, or BullMQ's own words. */
export function decodeFailure(jobId: string, failedReason: string | undefined): { error: ToolError; result?: QueueResult } {
  const reason = failedReason ?? '';
  if (reason.startsWith(QUEUE_FAILURE_PREFIX)) {
    try {
      const result = QueueResult.parse(JSON.parse(reason.slice(QUEUE_FAILURE_PREFIX.length)));
      if (!result.ok) return { error: toToolError(result.error), result };
    } catch {
      // fall through: an unreadable reason is reported as it is
    }
  }
  if (/stalled more than allowable limit/i.test(reason)) return { error: workerLost(jobId) };
  return { error: new ToolError('transient', 'QUEUE_FAILED', `job ${jobId} failed in the queue: ${reason || 'no reason given'}`) };
}

export function toToolError(e: QueueError): ToolError {
  return new ToolError(e.class, e.code, e.message, e.retryAfterMs === undefined ? undefined : { retryAfterMs: e.retryAfterMs });
}
