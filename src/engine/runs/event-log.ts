/**
 * The batching emitter between the scheduler and the store. `emit` stamps an event
 * (run-scoped gap-free seq, time) and queues it; once per tick the queue is written in
 * one transaction and only THEN delivered to subscribers. So anything a subscriber saw
 * (a CLI line, a WebSocket frame) is already on disk and survives the process being killed.
 */
import type { EngineEvent, EngineEventBody } from '../../contract';
import { permanent } from '../errors';
import { stderrLogger, type EngineLogger } from '../observe/logger';
import type { Store } from '../store/store';

export type EventListener = (batch: EngineEvent[]) => void;

/** Give up re-writing one run's events after this many failed transactions (a full disk, a locked file). */
const MAX_WRITE_ATTEMPTS = 50;
const WRITE_RETRY_MS = 100;

/** An event and its JSON, made when it was emitted: what cannot be serialised never enters the queue. */
interface Queued {
  event: EngineEvent;
  json: string;
}

export class EventLog {
  private readonly nextSeq = new Map<string, number>();
  private readonly listeners = new Set<EventListener>();
  /** Hear each event as it is emitted, before it is written (tracing); none when tracing is off. */
  private readonly taps = new Set<(event: EngineEvent) => void>();
  /** Emitted and not yet written, with their JSON at the same index (two arrays: no wrapper object per event). */
  private queuedEvents: EngineEvent[] = [];
  private queuedJson: string[] = [];
  private scheduled = false;
  /** Failed transactions in a row, per run: one run's trouble is never another's. */
  private readonly failedWrites = new Map<string, number>();
  private closed = false;
  private warnedClosed = false;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly logger: EngineLogger = stderrLogger,
  ) {}

  /**
   * Stamps and queues one event of `runId`; it is written and delivered on the next tick.
   * The event is serialised here, so one that cannot be (a value past V8's string limit, a
   * BigInt, a cycle) throws to its emitter — failing that node or run — and takes no seq.
   */
  emit(runId: string, body: EngineEventBody): EngineEvent {
    let seq = this.nextSeq.get(runId);
    if (seq === undefined) seq = this.store.maxSeq(runId) + 1;
    const event = { ...body, runId, seq, ts: this.now() } as EngineEvent;
    const json = serialise(event);
    this.nextSeq.set(runId, seq + 1);
    if (this.taps.size) for (const tap of this.taps) tap(event);
    if (this.closed) {
      // The engine closed while a run was still going (the process is exiting). What the
      // log already holds is consistent: resume re-runs the interrupted nodes.
      if (!this.warnedClosed) this.logger.warn(`engine closed: run ${runId} continues from its last recorded event when resumed`);
      this.warnedClosed = true;
      return event;
    }
    this.queuedEvents.push(event);
    this.queuedJson.push(json);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
    return event;
  }

  /**
   * Writes everything queued now and delivers what was written. Normally one transaction;
   * when that fails, each run is written on its own, so a run whose events cannot be
   * written (a seq taken by another process, a full disk) never holds back the others.
   * Never throws: a run whose write keeps failing is reported on stderr.
   */
  flush(): void {
    if (this.queuedEvents.length === 0) return;
    const events = this.queuedEvents;
    const texts = this.queuedJson;
    this.queuedEvents = [];
    this.queuedJson = [];
    let written: EngineEvent[];
    try {
      this.store.appendEvents(events, texts);
      written = events;
      if (this.failedWrites.size) for (const e of events) this.failedWrites.delete(e.runId);
    } catch (err) {
      written = this.flushRunByRun(
        events.map((event, i) => ({ event, json: texts[i] })),
        err,
      );
    }
    if (written.length) this.deliver(written);
  }

  private flushRunByRun(batch: Queued[], batchError: unknown): EngineEvent[] {
    const byRun = new Map<string, Queued[]>();
    for (const q of batch) {
      const list = byRun.get(q.event.runId);
      if (list) list.push(q);
      else byRun.set(q.event.runId, [q]);
    }
    const written = new Set<string>();
    const again: Queued[] = [];
    for (const [runId, items] of byRun) {
      try {
        this.store.appendEvents(
          items.map((q) => q.event),
          items.map((q) => q.json),
        );
        written.add(runId);
        this.failedWrites.delete(runId);
      } catch (err) {
        const failures = (this.failedWrites.get(runId) ?? 0) + 1;
        const why = (err as Error).message ?? String(batchError);
        if (failures >= MAX_WRITE_ATTEMPTS) {
          this.failedWrites.delete(runId);
          // Its seq counter is re-read from the store, so the run's next events follow what is on disk.
          this.nextSeq.delete(runId);
          this.logger.error(`run ${runId}: could not record ${items.length} events after ${MAX_WRITE_ATTEMPTS} attempts, dropping them: ${why}`);
        } else {
          this.failedWrites.set(runId, failures);
          again.push(...items);
          if (failures === 1) this.logger.warn(`run ${runId}: writing events failed, will retry: ${why}`);
        }
      }
    }
    if (again.length) {
      // Keep order: the failed events go back in front of anything emitted since.
      this.queuedEvents = again.map((q) => q.event).concat(this.queuedEvents);
      this.queuedJson = again.map((q) => q.json).concat(this.queuedJson);
      if (!this.scheduled && !this.closed) {
        this.scheduled = true;
        setTimeout(this.flushSoon, WRITE_RETRY_MS);
      }
    }
    return batch.filter((q) => written.has(q.event.runId)).map((q) => q.event);
  }

  private deliver(batch: EngineEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (err) {
        this.logger.error(`an event subscriber failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  /**
   * Calls `listener` with each event the moment it is emitted (before the store has it), in
   * the emitter's call stack: spans can start when a node starts. Must not throw; must be quick.
   */
  tap(listener: (event: EngineEvent) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
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
    this.flush();
  };
}

/** An event's JSON, or the permanent error its emitter fails with. */
function serialise(event: EngineEvent): string {
  try {
    return JSON.stringify(event);
  } catch (err) {
    const what = `a ${event.type} event${'nodeId' in event ? ` of node "${event.nodeId}"` : ''}`;
    if (err instanceof RangeError) throw permanent('VALUE_TOO_LARGE', `${what} is too large to record: ${err.message}`);
    throw permanent('VALUE_NOT_JSON', `${what} cannot be recorded as JSON: ${(err as Error).message}`);
  }
}
