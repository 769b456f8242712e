/**
 * One tool call's deadline: aborted by its timer (a transient TIMEOUT), by the run's
 * cancel or by an enclosing call. The clock stops while the node waits for a person, so
 * an approval does not eat the tool's time.
 *
 * The AbortController behind `signal` is made only when something reads the signal (or
 * the call is aborted): most calls of pure built-ins never look at it, and an
 * AbortController plus EventTarget listeners per call is a large share of the cost of
 * a node that does no I/O. `race` is wired to the deadline directly for the same reason.
 */
import { transient } from '../errors';

export class Deadline {
  private controller: AbortController | undefined;
  private abortedWith: { reason: unknown } | undefined;
  private onAbort: ((reason: unknown) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private remaining: number;
  private since = 0;
  private settled = false;

  /**
   * @param ms the time the call may take
   * @param tool the tool's name and @param nodeId its node, for the TIMEOUT message
   */
  constructor(
    private readonly ms: number,
    private readonly tool: string,
    private readonly nodeId: string,
  ) {
    this.remaining = ms;
    this.resume();
  }

  /** Aborted when the deadline passes or the call is aborted; made on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  /** When the time runs out if the clock keeps running from now (epoch ms). */
  get expiresAt(): number {
    return this.timer === undefined ? Date.now() + this.remaining : this.since + this.remaining;
  }

  /** Why the call was aborted (undefined while it was not). */
  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** Aborts the call: `signal` fires and `race` rejects with `reason`. Later calls do nothing. */
  abort(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    this.stopTimer();
    this.controller?.abort(reason);
    const onAbort = this.onAbort;
    this.onAbort = undefined;
    onAbort?.(reason);
  }

  pause(): void {
    if (this.timer === undefined) return;
    this.stopTimer();
    this.remaining = Math.max(0, this.remaining - (Date.now() - this.since));
  }

  resume(): void {
    if (this.timer !== undefined || this.abortedWith || this.settled) return;
    this.since = Date.now();
    this.timer = setTimeout(expire, this.remaining, this);
  }

  /** Stops the clock for good (the call settled). */
  clear(): void {
    this.settled = true;
    this.onAbort = undefined;
    this.stopTimer();
  }

  /**
   * Settles with `promise`, or rejects with the abort reason as soon as the call is
   * aborted: a tool that ignores its signal must not hang the run.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.abortedWith) {
      promise.catch(() => undefined);
      return Promise.reject(this.abortedWith.reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.onAbort = reject;
      promise.then(resolve, reject);
    });
  }

  /** The timer fired (called by `expire`). */
  timedOut(): void {
    this.timer = undefined;
    this.abort(transient('TIMEOUT', `${this.tool} (node "${this.nodeId}") timed out after ${this.ms} ms`));
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** One function for every deadline's timer (the deadline is its argument), not a closure per call. */
function expire(deadline: Deadline): void {
  deadline.timedOut();
}
