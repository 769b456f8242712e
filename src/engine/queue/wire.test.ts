import { describe, expect, it } from 'vitest';
import { QUEUE_FAILURE_PREFIX, QUEUE_WIRE_VERSION, QueueTask, type QueueResult } from '../../contract';
import { decodeFailure, generationOf, jobIdFor, placementOf } from './wire';

describe('queue wire helpers', () => {
  it('derives a job id without ":" from the idempotency key and dispatch, the same every time', () => {
    expect(jobIdFor('r0abc:fetch:2', 1)).toBe('r0abc.fetch.2.d1');
    expect(jobIdFor('r0abc:fetch:2/item3', 2)).toBe('r0abc.fetch.2.item3.d2');
    expect(jobIdFor('r0abc:fetch:2/call1', 1)).not.toContain(':');
    expect(generationOf('r0abc:fetch:2/item3', 'r0abc', 'fetch')).toBe(2);
  });

  it('keeps a failed result\'s class and code through the failed job\'s reason', () => {
    const result: QueueResult = { v: QUEUE_WIRE_VERSION, ok: false, error: { class: 'transient', code: 'HTTP_503', message: 'busy', retryAfterMs: 500 }, logs: [], usage: [], worker: 'w', delivery: 1 };
    const { error } = decodeFailure('j', QUEUE_FAILURE_PREFIX + JSON.stringify(result));
    expect({ class: error.class, code: error.code, message: error.message, retryAfterMs: error.retryAfterMs }).toEqual({ class: 'transient', code: 'HTTP_503', message: 'busy', retryAfterMs: 500 });
    expect(decodeFailure('j', QUEUE_FAILURE_PREFIX + JSON.stringify({ ...result, error: { class: 'permanent', code: 'TOOL_VERSION', message: 'x' } })).error.class).toBe('permanent');
  });

  it('reads BullMQ\'s stalled-limit failure as transient WORKER_LOST', () => {
    const { error } = decodeFailure('r.n.0.d1', 'job stalled more than allowable limit');
    expect({ class: error.class, code: error.code }).toEqual({ class: 'transient', code: 'WORKER_LOST' });
  });

  it('refuses a task of another wire version', () => {
    const task = { v: 2, runId: 'r', nodeId: 'n', generation: 0, dispatch: 1, idempotencyKey: 'r:n:0', tool: { name: 't', version: '1' }, input: {}, workspaceDir: '/w' };
    expect(QueueTask.safeParse(task).success).toBe(false);
    expect(QueueTask.safeParse({ ...task, v: QUEUE_WIRE_VERSION }).success).toBe(true);
  });

  it('places builtins anywhere, MCP tools and declared-local tools in the control plane', () => {
    expect(placementOf({ source: 'builtin' })).toBe('any');
    expect(placementOf({ source: 'files' })).toBe('local');
    expect(placementOf({ source: 'builtin', placement: 'local' })).toBe('local');
  });
});
