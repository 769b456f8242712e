/**
 * Event coalescing for the transports (DESIGN.md §2): a 10,000-node run emits tens of
 * thousands of events, and one IPC or WebSocket message per event would flood the
 * channel and the renderer. Events are buffered and flushed as one batch at most once
 * per frame. Shared by the Electron main process and the headless server.
 */

export interface CoalescerOptions {
  /**
   * Longest an event waits in the buffer before its batch is flushed. 0 flushes each
   * pushed batch at once (no coalescing; the benchmark's baseline).
   * @default 16
   */
  intervalMs?: number;
  /**
   * Flush early once this many events are buffered, so one message never grows without
   * bound during a burst.
   * @default 5000
   */
  maxBatch?: number;
}

export interface Coalescer<T> {
  push(items: readonly T[]): void;
  /** Sends what is buffered now. */
  flush(): void;
  /** Flushes and stops: later pushes are dropped. */
  close(): void;
}

export function createCoalescer<T>(send: (batch: T[]) => void, options: CoalescerOptions = {}): Coalescer<T> {
  const intervalMs = options.intervalMs ?? 16;
  const maxBatch = options.maxBatch ?? 5000;
  let buffer: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    send(batch);
  };

  return {
    push(items) {
      if (closed || items.length === 0) return;
      if (intervalMs <= 0) {
        send([...items]);
        return;
      }
      for (const item of items) {
        buffer.push(item);
        if (buffer.length >= maxBatch) flush();
      }
      if (buffer.length > 0 && timer === undefined) timer = setTimeout(flush, intervalMs);
    },
    flush,
    close() {
      flush();
      closed = true;
    },
  };
}
