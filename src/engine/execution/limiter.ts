/**
 * A counting semaphore with a FIFO wait queue. One is shared by every run (the global
 * concurrency limit); a task waiting for a slot can be abandoned through its signal.
 */
interface Waiter {
  start: () => void;
  abandoned: boolean;
}

export class Limiter {
  private active = 0;
  private readonly queue: Waiter[] = [];
  /** Index of the queue's head: shifting a 10,000-entry array per release would be O(n²). */
  private head = 0;

  /** @param max tasks running at once (at least 1) */
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`Limiter: max must be a whole number ≥ 1, got ${max}`);
  }

  /** Takes a slot if one is free now; the caller must `release()` it. */
  tryAcquire(): boolean {
    if (this.active >= this.max) return false;
    this.active++;
    return true;
  }

  /**
   * Resolves holding a slot (the caller must `release()` it), after the tasks that were
   * waiting before. Rejects with the signal's reason if it aborts first; no slot is taken.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        abandoned: false,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        waiter.abandoned = true;
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Gives a slot back; the longest-waiting task gets it. */
  release(): void {
    this.active--;
    while (this.active < this.max && this.head < this.queue.length) {
      const next = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (!next.abandoned) {
        // The slot passes straight to the waiter, so no newcomer can take it meanwhile.
        this.active++;
        next.start();
      }
    }
  }
}
