import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, Workflow } from '../../contract';
import type { EventLog } from './event-log';
import { followWatchedLog } from './live-log';
import { createRunsStore } from './runs';

const NODES = 200;
const snapshot: Workflow = {
  id: 'wf',
  name: 'wf',
  version: 1,
  nodes: Array.from({ length: NODES }, (_, i) => ({ id: `n${i}`, kind: 'tool' as const, tool: 'text.template', inputs: {} })),
  edges: [],
  settings: {},
};

/** A run's events as the engine streams them: started, then each node running and succeeded. */
function runEvents(runId: string): EngineEvent[] {
  let seq = 0;
  const ev = (e: Record<string, unknown>) => ({ runId, seq: ++seq, ts: 1000 + seq, ...e }) as EngineEvent;
  const out = [ev({ type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: snapshot.nodes.map((n) => n.id) })];
  for (const n of snapshot.nodes) {
    out.push(ev({ type: 'node.status', nodeId: n.id, status: 'running', generation: 0, attempt: 1 }));
    out.push(ev({ type: 'node.status', nodeId: n.id, status: 'succeeded', generation: 0, attempt: 1 }));
  }
  return out;
}

describe('the timeline follows the watched run at most every interval', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('shows a streaming log a few times a second, not once per batch, and always ends on the last event', () => {
    const store = createRunsStore();
    store.getState().watch('r1', snapshot);
    const shown: { at: number; log: EventLog }[] = [];
    const off = followWatchedLog(store, (log) => shown.push({ at: Date.now(), log }), 250, () => Date.now());
    expect(shown).toHaveLength(1); // the log as it is, at once

    // One batch per 16 ms frame for about 2.3 s.
    const events = runEvents('r1');
    const start = Date.now();
    for (let i = 0; i < events.length; i += 3) {
      store.getState().ingest(events.slice(i, i + 3));
      vi.advanceTimersByTime(16);
    }
    const streamed = Date.now() - start;
    const batches = Math.ceil(events.length / 3);
    expect(batches).toBeGreaterThan(100);
    // At most one update per 250 ms (plus the first), yet it keeps up while the run streams.
    expect(shown.length - 1).toBeLessThanOrEqual(Math.ceil(streamed / 250) + 1);
    expect(shown.length - 1).toBeGreaterThanOrEqual(Math.floor(streamed / 250) - 1);
    for (let i = 2; i < shown.length; i++) expect(shown[i].at - shown[i - 1].at).toBeGreaterThanOrEqual(250);

    // The last batch shows within the interval, with no further event to prompt it.
    vi.advanceTimersByTime(250);
    expect(shown.at(-1)!.log.last?.seq).toBe(events.at(-1)!.seq);

    // The batch that ends the run shows at once: the log agrees with the run's final status.
    const finished = { runId: 'r1', seq: events.length + 1, ts: 1000 + events.length + 1, type: 'run.finished', status: 'succeeded' } as EngineEvent;
    store.getState().ingest([finished]);
    expect(shown.at(-1)!.log.last?.seq).toBe(finished.seq);
    const settled = shown.length;
    vi.advanceTimersByTime(1000);
    expect(shown).toHaveLength(settled);
    off();
  });

  it('shows another run at once when the watched run changes', () => {
    const store = createRunsStore();
    store.getState().watch('r1', snapshot);
    const shown: EventLog[] = [];
    const off = followWatchedLog(store, (log) => shown.push(log), 250, () => Date.now());
    store.getState().ingest(runEvents('r1').slice(0, 5));
    store.getState().ingest(runEvents('r1').slice(5, 9)); // within the interval: waits
    const before = shown.length;
    store.getState().loadRun('r2', snapshot, runEvents('r2').slice(0, 7));
    expect(shown).toHaveLength(before + 1);
    expect(shown.at(-1)!.last?.seq).toBe(7);
    expect(shown.at(-1)!.at(0)?.runId).toBe('r2');
    off();
    // Unsubscribed: a pending update of the old run does not arrive later.
    vi.advanceTimersByTime(1000);
    expect(shown).toHaveLength(before + 1);
  });
});
