/**
 * `util.wait`: pauses a branch for a while (rate limits, polling gaps). Cancelling the
 * run or hitting the node's timeout ends the wait at once.
 */
import { z } from 'zod';
import type { ToolSpec } from '../types';

/** One hour: longer pauses belong to a scheduler, not a sleeping node. */
export const MAX_WAIT_MS = 3_600_000;

export const UtilWaitInput = z.object({
  ms: z.number().int().min(0).max(MAX_WAIT_MS).describe('How long to wait, in milliseconds (at most one hour).'),
});
export type UtilWaitInput = z.infer<typeof UtilWaitInput>;

export const UtilWaitOutput = z.object({ waitedMs: z.number().int().min(0) });
export type UtilWaitOutput = z.infer<typeof UtilWaitOutput>;

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
  const err = new Error(`util.wait was aborted${reason}`, { cause: signal.reason });
  err.name = 'AbortError';
  return err;
}

export const utilWaitTool: ToolSpec<UtilWaitInput, UtilWaitOutput> = {
  name: 'util.wait',
  title: 'Wait',
  description: 'Waits the given number of milliseconds, then succeeds. Ends early when the run is cancelled.',
  version: '1',
  input: UtilWaitInput,
  output: UtilWaitOutput,
  effects: 'pure',
  source: 'builtin',
  run(input, ctx) {
    const { signal } = ctx;
    if (signal.aborted) return Promise.reject(abortError(signal));
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        // Timers may fire a hair early after rounding; never report less than asked.
        resolve({ waitedMs: Math.max(input.ms, Math.round(performance.now() - started)) });
      }, input.ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
};
