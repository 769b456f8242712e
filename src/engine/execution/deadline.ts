/**
 * One tool call's deadline: aborted by its timer (a transient TIMEOUT), by the run's
 * cancel or by an enclosing call. The clock stops while the node waits for a person, so
 * an approval does not eat the tool's time.
 *
 * The AbortController behind `signal` is made only when something reads the signal (or
 * the call is aborted): most calls of pure built-ins never look at it, and an
 * AbortController plus EventTarget listeners per call is a large share of the cost of
 * a node that does no I/O. `race` is wired to the deadline directly for the same reason.
 *
 * The timer is armed lazily too: a clock that starts is noted, and once per turn of the
 * event loop (a setImmediate) the clocks still running get their timer, set for what is
 * left of their time. A call that settles in the turn it started (pure built-ins) never
 * creates a timer; one still running is timed from when its clock started, so it times
 * out when it would have — a timer could not have fired before the loop turned anyway.
 */
import { transient } from '../errors';

export class Deadline {
  private controller: AbortController | undefined;
  private abortedWith: { reason: unknown } | undefined;
  private onAbort: ((reason: unknown) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The clock runs (between resume and pause): a timer is armed for it or about to be. */
  private running = false;
  private remaining: number;
  private since = 0;
  private settled = false;
  private ranOut = false;

  /**
   * @param ms the time the call may take (Infinity: no limit, only an abort ends it)
   * @param tool the tool's name and @param nodeId its node, for the TIMEOUT message
   * @param timeoutMessage the TIMEOUT message where the default (`<tool> (node "<id>") timed out
   *   after <ms> ms`) would not say enough, e.g. the queue worker's, which names its deadline and itself
   */
  constructor(
    private readonly ms: number,
    private readonly tool: string,
    private readonly nodeId: string,
    private readonly timeoutMessage?: string,
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

  /** Aborted because its time ran out (not by a cancel or an enclosing call). */
  get expired(): boolean {
    return this.ranOut;
  }

  /** When the time runs out if the clock keeps running from now (epoch ms). */
  get expiresAt(): number {
    return this.running ? this.since + this.remaining : Date.now() + this.remaining;
  }

  /** Why the call was aborted (undefined while it was not). */
  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** Aborts the call: `signal` fires and `race` rejects with `reason`. Later calls do nothing. */
  abort(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    this.stopClock();
    this.controller?.abort(reason);
    const onAbort = this.onAbort;
    this.onAbort = undefined;
    onAbort?.(reason);
  }

  pause(): void {
    if (!this.running) return;
    this.stopClock();
    this.remaining = Math.max(0, this.remaining - (Date.now() - this.since));
  }

  resume(): void {
    if (this.running || this.abortedWith || this.settled) return;
    this.since = Date.now();
    this.running = true;
    toArm.push(this);
    if (toArm.length === 1) setImmediate(armPending);
  }

  /** Stops the clock for good (the call settled). */
  clear(): void {
    this.settled = true;
    this.onAbort = undefined;
    this.stopClock();
  }

  /** Sets the timer of a clock still running, for what is left of its time (see armPending). */
  arm(): void {
    if (!this.running || this.timer !== undefined) return;
    this.timer = setTimeout(expire, Math.min(Math.max(0, this.left()), MAX_TIMER_MS), this);
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

  /** The timer fired (called by `expire`): the time is up, or a step of a wait longer than one timer can be. */
  timedOut(): void {
    this.timer = undefined;
    if (this.left() > 0) return this.arm();
    this.ranOut = true;
    this.abort(transient('TIMEOUT', this.timeoutMessage ?? `${this.tool} (node "${this.nodeId}") timed out after ${this.ms} ms`));
  }

  private left(): number {
    return this.remaining - (Date.now() - this.since);
  }

  private stopClock(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** setTimeout's longest delay (24.8 days): a deadline further off is waited for in steps of it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Clocks started since the loop last turned; their timers are armed by `armPending`. */
let toArm: Deadline[] = [];

function armPending(): void {
  const started = toArm;
  toArm = [];
  for (const deadline of started) deadline.arm();
}

/** One function for every deadline's timer (the deadline is its argument), not a closure per call. */
function expire(deadline: Deadline): void {
  deadline.timedOut();
}
