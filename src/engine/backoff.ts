/**
 * Retry decisions and delays (DESIGN.md §4): exponential backoff with full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"), a server's Retry-After as a floor.
 */
import type { NodeError, RetrySpec } from '../contract';

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

/**
 * Delay before retry number `retryIndex` (0 for the first retry): a uniform draw in
 * [0, min(cap, base·2^retryIndex)], never below the server's `retryAfterMs`.
 */
export function backoffDelay(retryIndex: number, retry: RetrySpec | undefined, random: () => number, retryAfterMs?: number): number {
  const base = retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
  const cap = retry?.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const ceiling = Math.min(cap, base * 2 ** Math.min(retryIndex, 30));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
