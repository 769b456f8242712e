/**
 * One tool call's deadline: a controller aborted by the timer (a transient TIMEOUT) or
 * by the run's cancel. The clock stops while the node waits for a person, so an
 * approval does not eat the tool's time.
 */
import { transient } from './errors';

export class Deadline {
  readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private remaining: number;
  private since = 0;

  constructor(
    private readonly ms: number,
    private readonly what: string,
  ) {
    this.remaining = ms;
    this.resume();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  pause(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining = Math.max(0, this.remaining - (Date.now() - this.since));
  }

  resume(): void {
    if (this.timer !== undefined || this.controller.signal.aborted) return;
    this.since = Date.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.controller.abort(transient('TIMEOUT', `${this.what} timed out after ${this.ms} ms`));
    }, this.remaining);
  }

  /** Stops the clock for good (the call settled). */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts:
 * a tool that ignores its signal must not hang the run.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
