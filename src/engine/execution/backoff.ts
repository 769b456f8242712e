/**
 * Retry decisions and delays (DESIGN.md §4): exponential backoff with full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"), a server's Retry-After as a floor.
 */
import type { NodeError, RetrySpec } from '../../contract';

/** @default first delay 200 ms */
export const DEFAULT_BACKOFF_MS = 200;
/** @default cap of one delay: 30 s */
export const DEFAULT_MAX_BACKOFF_MS = 30_000;

/** Whether a failed attempt is worth another, given the node's retry policy and the retries already made. */
export function shouldRetry(error: NodeError, retry: RetrySpec | undefined, retriesSoFar: number): boolean {
  const max = retry?.max ?? 0;
  if (retriesSoFar >= max) return false;
  const policy = retry?.policy ?? 'transient';
  if (error.class === 'cancelled' || policy === 'none') return false;
  if (policy === 'any') return true;
  return error.class === 'transient';
}

/** setTimeout fires at once for delays above 2^31-1 ms; no delay may get there. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delay before retry number `retryIndex` (0 for the first retry): a uniform draw in
 * [0, min(cap, base·2^retryIndex)], never below the server's `retryAfterMs` — but never
 * above the cap either: a server asking for an hour (or for a date in 2100, or for a
 * negative or non-numeric wait) gets `maxBackoffMs`, so one header cannot park a node
 * for longer than its author allowed.
 */
export function backoffDelay(retryIndex: number, retry: RetrySpec | undefined, random: () => number, retryAfterMs?: number): number {
  const base = retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
  const cap = Math.min(retry?.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, MAX_TIMER_MS);
  const ceiling = Math.min(cap, base * 2 ** Math.min(retryIndex, 30));
  const jittered = Math.floor(random() * ceiling);
  if (retryAfterMs === undefined) return jittered;
  const floor = Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? Math.min(retryAfterMs, cap) : cap;
  return Math.max(jittered, Math.ceil(floor));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
