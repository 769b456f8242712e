/**
 * A run's event history as an append-only log of fixed-size chunks.
 *
 * A run streams thousands of events, a batch per animation frame. Copying the whole
 * history per batch made a run quadratic; here appending a batch writes the new events
 * into the last chunk and returns a new log object that shares every earlier chunk, so
 * a batch costs O(batch) (plus one pointer per chunk). Each log object is a consistent
 * snapshot: it reads only its own `length`, so an older snapshot never sees later events
 * (store subscribers compare log identity, as with any immutable value).
 */
import type { EngineEvent } from '../../contract';

/** Events per chunk: large enough that the chunk list stays short, small enough to copy a partly filled one cheaply. */
export const CHUNK_SIZE = 1024;

export class EventLog {
  static readonly empty = new EventLog([], 0);

  static from(events: readonly EngineEvent[]): EventLog {
    return EventLog.empty.append(events);
  }

  private constructor(
    /** Full chunks and the partly filled last one; shared with the logs this one was appended from. */
    readonly chunks: readonly EngineEvent[][],
    readonly length: number,
  ) {}

  /** A log with `events` after this one's; this log is unchanged. */
  append(events: readonly EngineEvent[]): EventLog {
    if (!events.length) return this;
    const chunks = this.chunks.slice();
    let last = chunks[chunks.length - 1];
    const used = this.length - (chunks.length - 1) * CHUNK_SIZE;
    if (last && last.length !== used) {
      // Another log was appended from this same snapshot: fork its tail instead of overwriting it.
      last = last.slice(0, used);
      chunks[chunks.length - 1] = last;
    }
    for (const e of events) {
      if (!last || last.length === CHUNK_SIZE) {
        last = [];
        chunks.push(last);
      }
      last.push(e);
    }
    return new EventLog(chunks, this.length + events.length);
  }

  at(i: number): EngineEvent | undefined {
    if (i < 0) i += this.length;
    if (i < 0 || i >= this.length) return undefined;
    return this.chunks[Math.floor(i / CHUNK_SIZE)][i % CHUNK_SIZE];
  }

  get last(): EngineEvent | undefined {
    return this.at(-1);
  }

  /** How many events have `seq <= seq` (the log is in seq order): a binary search. */
  countUpTo(seq: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid)!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The event with this seq, if the log holds it. */
  bySeq(seq: number): EngineEvent | undefined {
    const i = this.countUpTo(seq) - 1;
    const e = this.at(i);
    return e && e.seq === seq ? e : undefined;
  }

  /** Events `from` (inclusive) to `to` (exclusive), as a new array; only that range is read. */
  slice(from = 0, to = this.length): EngineEvent[] {
    from = Math.max(0, from);
    to = Math.min(this.length, to);
    const out: EngineEvent[] = [];
    for (let i = from; i < to; i++) out.push(this.chunks[Math.floor(i / CHUNK_SIZE)][i % CHUNK_SIZE]);
    return out;
  }

  *[Symbol.iterator](): Iterator<EngineEvent> {
    for (let i = 0; i < this.length; i++) yield this.chunks[Math.floor(i / CHUNK_SIZE)][i % CHUNK_SIZE];
  }

  toArray(): EngineEvent[] {
    return this.slice();
  }
}
