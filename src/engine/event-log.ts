/**
 * The batching emitter between the scheduler and the store. `emit` stamps an event
 * (run-scoped gap-free seq, time) and queues it; once per tick the queue is written in
 * one transaction and only THEN delivered to subscribers. So anything a subscriber saw
 * (a CLI line, a WebSocket frame) is already on disk and survives the process being killed.
 */
import type { EngineEvent, EngineEventBody } from '../contract';
import type { Store } from './store/store';

export type EventListener = (batch: EngineEvent[]) => void;

/** Give up re-writing a batch after this many failed transactions (a full disk, a locked file). */
const MAX_WRITE_ATTEMPTS = 50;
const WRITE_RETRY_MS = 100;

export class EventLog {
  private readonly nextSeq = new Map<string, number>();
  private readonly listeners = new Set<EventListener>();
  private queue: EngineEvent[] = [];
  private scheduled = false;
  private failedWrites = 0;
  private closed = false;
  private warnedClosed = false;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stamps and queues one event of `runId`; it is written and delivered on the next tick. */
  emit(runId: string, body: EngineEventBody): EngineEvent {
    let seq = this.nextSeq.get(runId);
    if (seq === undefined) seq = this.store.maxSeq(runId) + 1;
    this.nextSeq.set(runId, seq + 1);
    const event = { ...body, runId, seq, ts: this.now() } as EngineEvent;
    if (this.closed) {
      // The engine closed while a run was still going (the process is exiting). What the
      // log already holds is consistent: resume re-runs the interrupted nodes.
      if (!this.warnedClosed) process.stderr.write(`[awe] engine closed: run ${runId} continues from its last recorded event when resumed\n`);
      this.warnedClosed = true;
      return event;
    }
    this.queue.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
    return event;
  }

  /** Writes everything queued now (one transaction) and delivers it. Used at shutdown. */
  flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.store.appendEvents(batch);
      this.failedWrites = 0;
    } catch (err) {
      this.failedWrites += 1;
      if (this.failedWrites >= MAX_WRITE_ATTEMPTS) {
        process.stderr.write(
          `[awe] could not record ${batch.length} events after ${MAX_WRITE_ATTEMPTS} attempts, dropping them: ${(err as Error).message}\n`,
        );
        this.failedWrites = 0;
        return;
      }
      // Keep order: the failed batch goes back in front of anything emitted since.
      this.queue = batch.concat(this.queue);
      if (!this.scheduled && !this.closed) {
        this.scheduled = true;
        setTimeout(this.flushSoon, WRITE_RETRY_MS);
      }
      throw err;
    }
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (err) {
        process.stderr.write(`[awe] an event subscriber failed: ${(err as Error).stack ?? String(err)}\n`);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops the seq counter of a run another process may now append to. */
  forget(runId: string): void {
    this.nextSeq.delete(runId);
  }

  /** Flushes what is queued and refuses further events. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.closed = true;
    }
  }

  private readonly flushSoon = (): void => {
    this.scheduled = false;
    try {
      this.flush();
    } catch (err) {
      process.stderr.write(`[awe] writing events failed, will retry: ${(err as Error).message}\n`);
    }
  };
}
