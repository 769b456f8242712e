import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../contract';
import { CHUNK_SIZE, EventLog } from './event-log';

const events = (from: number, count: number): EngineEvent[] =>
  Array.from({ length: count }, (_, i) => ({ type: 'run.status', runId: 'r', seq: from + i, ts: from + i, status: 'running' }) as EngineEvent);

describe('event log', () => {
  it('appends a batch without copying the events before it: earlier chunks are shared, not rebuilt', () => {
    const first = EventLog.from(events(1, CHUNK_SIZE * 2 + 10));
    const firstChunks = [...first.chunks];
    const second = first.append(events(CHUNK_SIZE * 2 + 11, 5));
    expect(second).not.toBe(first);
    expect(second.length).toBe(CHUNK_SIZE * 2 + 15);
    // The full chunks and the partly filled tail are the same arrays: nothing was copied.
    expect(second.chunks.length).toBe(3);
    for (let i = 0; i < firstChunks.length; i++) expect(second.chunks[i]).toBe(firstChunks[i]);
    // The earlier log is a snapshot: it still ends where it ended.
    expect(first.length).toBe(CHUNK_SIZE * 2 + 10);
    expect(first.last?.seq).toBe(CHUNK_SIZE * 2 + 10);
    expect(second.last?.seq).toBe(CHUNK_SIZE * 2 + 15);
  });

  it('forks the tail when two logs are appended from the same snapshot', () => {
    const base = EventLog.from(events(1, 3));
    const a = base.append(events(4, 2));
    const b = base.append(events(100, 1));
    expect(a.toArray().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(b.toArray().map((e) => e.seq)).toEqual([1, 2, 3, 100]);
  });

  it('finds events by seq and slices only the range asked for', () => {
    const log = EventLog.from(events(1, CHUNK_SIZE + 50));
    expect(log.countUpTo(0)).toBe(0);
    expect(log.countUpTo(CHUNK_SIZE + 3)).toBe(CHUNK_SIZE + 3);
    expect(log.countUpTo(1e9)).toBe(CHUNK_SIZE + 50);
    expect(log.bySeq(CHUNK_SIZE + 1)?.seq).toBe(CHUNK_SIZE + 1);
    expect(log.bySeq(1e9)).toBeUndefined();
    expect(log.slice(CHUNK_SIZE - 2, CHUNK_SIZE + 2).map((e) => e.seq)).toEqual([CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, CHUNK_SIZE + 2]);
    expect(log.slice(-5, 2).map((e) => e.seq)).toEqual([1, 2]);
    expect(log.at(-1)?.seq).toBe(CHUNK_SIZE + 50);
    expect([...log].length).toBe(CHUNK_SIZE + 50);
  });
});
