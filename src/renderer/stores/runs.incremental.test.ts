/**
 * The runs store keeps derived data per batch, from the batch's events alone: the event
 * log (appended, never copied), each node's state and attempts, and the nodes waiting on
 * a person. These tests hold it to a full recompute with the shared folds (`foldRun`,
 * `attemptsOf`) after random event sequences delivered in random batches, out of order,
 * with replays and gaps, as the WebSocket and the catch-up fetches deliver them.
 */
import { describe, expect, it } from 'vitest';
import { foldRun, type EngineEvent, type NodeStatus, type Workflow } from '../../contract';
import { attemptsOf } from './attempts';
import { CHUNK_SIZE } from './event-log';
import { createRunsStore, shownTally, type NodeTally } from './runs';

/** The header's counts, taken afresh from a view's nodes. */
function counted(nodes: Record<string, { status: string; finishedAt?: number }>): NodeTally {
  const all = Object.values(nodes);
  return {
    total: all.length,
    done: all.filter((n) => ['succeeded', 'failed', 'skipped', 'cancelled'].includes(n.status)).length,
    finished: all.filter((n) => n.finishedAt).length,
  };
}

const NODES = ['a', 'b', 'c', 'd', 'e', 'constructor'];
const snapshot: Workflow = { id: 'wf', name: 'wf', version: 1, nodes: NODES.map((id) => ({ id, kind: 'tool' as const, tool: 'text.template', inputs: {} })), edges: [], settings: {} };
const STATUSES: NodeStatus[] = ['pending', 'queued', 'running', 'running', 'running', 'waiting', 'waiting', 'succeeded', 'failed', 'failed', 'retrying', 'skipped', 'cancelled', 'stale'] as NodeStatus[];

/** A small seeded generator, so a failure names the seed that reproduces it. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

function randomRun(r: ReturnType<typeof rng>, count: number): EngineEvent[] {
  const out: EngineEvent[] = [{ type: 'run.started', runId: 'r1', seq: 1, ts: 1, workflowId: 'wf', inputs: {}, nodeIds: NODES } as EngineEvent];
  for (let seq = 2; seq <= count; seq++) {
    const base = { runId: 'r1', seq, ts: 1000 + seq * 7 };
    // Now and then a node the snapshot does not have (the view gains it).
    const nodeId = r.int(60) === 0 ? 'late' : r.pick(NODES);
    const roll = r.int(100);
    let e: Record<string, unknown>;
    if (roll < 50) {
      const status = r.pick(STATUSES);
      e = { type: 'node.status', nodeId, status, generation: r.int(3), attempt: 1 + r.int(3), ...(status === 'failed' || status === 'retrying' ? { error: { class: 'transient', message: `boom ${seq}` } } : {}) };
    } else if (roll < 60) e = { type: 'node.output', nodeId, generation: r.int(3), output: { seq }, cached: r.next() < 0.5 };
    else if (roll < 70) e = { type: 'approval.requested', nodeId, message: `ok ${seq}?` };
    else if (roll < 75) e = { type: 'approval.resolved', nodeId, approved: r.next() < 0.5 };
    else if (roll < 82) e = { type: 'node.retry', nodeId, attempt: 1 + r.int(3), delayMs: 5, error: { class: 'transient', message: `HTTP 503 ${seq}` } };
    else if (roll < 88) e = { type: 'node.log', nodeId, level: 'info', message: `line ${seq}` };
    else if (roll < 92) e = { type: 'node.rerun', nodeId, mode: 'downstream', nodes: [nodeId, r.pick(NODES)] };
    else if (roll < 96) e = { type: 'node.usage', nodeId, usage: { promptTokens: 3, completionTokens: 4, costUsd: 0.01 } };
    else e = { type: 'run.status', status: r.pick(['running', 'waiting'] as const) };
    out.push({ ...base, ...e } as EngineEvent);
  }
  return out;
}

/** Delivers the run in random batches: shuffled within a batch, some replayed, some held back past a gap and sent later. */
function deliveries(r: ReturnType<typeof rng>, events: EngineEvent[]): EngineEvent[][] {
  const batches: EngineEvent[][] = [];
  let late: EngineEvent[] = [];
  for (let i = 0; i < events.length; ) {
    const size = 1 + r.int(40);
    let batch = events.slice(i, i + size);
    i += size;
    if (batch.length > 3 && r.next() < 0.2) {
      // A gap: the first few events of this batch arrive with the next one (the store must hold the rest).
      const cut = 1 + r.int(batch.length - 2);
      const missed = batch.slice(0, cut);
      batch = batch.slice(cut);
      batches.push([...late, ...batch].sort(() => r.next() - 0.5));
      late = missed;
      continue;
    }
    if (i > 10 && r.next() < 0.2) batch = [...batch, ...events.slice(Math.max(0, i - size - 5), i - size)]; // a replay after reconnect
    batches.push([...late, ...batch].sort(() => r.next() - 0.5));
    late = [];
  }
  if (late.length) batches.push(late);
  return batches;
}

describe('runs store, incremental', () => {
  it('appending a batch does not copy the earlier events of the run', () => {
    const r = rng(7);
    const events = randomRun(r, CHUNK_SIZE * 2 + 100);
    const store = createRunsStore();
    store.getState().watch('r1', snapshot);
    store.getState().ingest(events.slice(0, CHUNK_SIZE * 2 + 50));
    const before = store.getState().events.r1;
    const chunks = [...before.chunks];
    store.getState().ingest(events.slice(CHUNK_SIZE * 2 + 50));
    const after = store.getState().events.r1;
    expect(after).not.toBe(before); // a new value, so subscribers see the change
    expect(after.length).toBe(events.length);
    // Every chunk the run had is the same array, full ones and the partly filled tail alike.
    chunks.forEach((chunk, i) => expect(after.chunks[i]).toBe(chunk));
    expect(before.length).toBe(CHUNK_SIZE * 2 + 50);
  });

  it('keeps node states, attempts and waiting nodes equal to a full recompute, batch after batch (random runs)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const events = randomRun(r, 60 + r.int(400));
      const store = createRunsStore();
      store.getState().watch('r1', snapshot);
      for (const batch of deliveries(r, events)) {
        store.getState().ingest(batch);
        const s = store.getState();
        const view = s.views.r1;
        const upto = events.slice(0, view.lastSeq);
        const expected = foldRun('r1', upto, Infinity, NODES);
        expect(view, `seed ${seed}`).toEqual(expected);
        expect(s.events.r1.toArray(), `seed ${seed}`).toEqual(upto);
        expect(s.tallies.r1, `seed ${seed}`).toEqual(counted(expected.nodes));
        for (const id of Object.keys(expected.nodes)) expect(s.attempts.r1.get(id)?.list ?? [], `seed ${seed}, node ${id}`).toEqual(attemptsOf(upto, id));
        const waiting = Object.keys(expected.nodes).filter((id) => expected.nodes[id].status === 'waiting' && expected.nodes[id].approval);
        expect([...(s.waiting.r1 ?? [])].sort(), `seed ${seed}`).toEqual(waiting.sort());
      }
      expect(store.getState().views.r1.lastSeq, `seed ${seed}`).toBe(events.length);
    }
  });

  it('gives a waiting list a new identity only when the waiting nodes change', () => {
    const store = createRunsStore();
    store.getState().watch('r1', snapshot);
    const ev = (seq: number, e: Record<string, unknown>) => ({ runId: 'r1', seq, ts: seq, ...e }) as EngineEvent;
    store.getState().ingest([ev(1, { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: NODES }), ev(2, { type: 'node.status', nodeId: 'a', status: 'waiting', generation: 0, attempt: 1 }), ev(3, { type: 'approval.requested', nodeId: 'a', message: 'ok?' })]);
    const first = store.getState().waiting.r1;
    expect(first).toEqual(['a']);
    store.getState().ingest([ev(4, { type: 'node.status', nodeId: 'b', status: 'running', generation: 0, attempt: 1 })]);
    expect(store.getState().waiting.r1).toBe(first); // another node's progress: the same list
    store.getState().ingest([ev(5, { type: 'node.status', nodeId: 'a', status: 'running', generation: 0, attempt: 1 })]);
    expect(store.getState().waiting.r1).toEqual([]);
  });

  it('counts the nodes run.started brings, when it arrives after the run had a tally', () => {
    const store = createRunsStore(); // no snapshot: the view knows its nodes from the events only
    const ev = (seq: number, e: Record<string, unknown>) => ({ runId: 'r1', seq, ts: seq, ...e }) as EngineEvent;
    const second = ev(2, { type: 'node.status', nodeId: 'a', status: 'succeeded', generation: 0, attempt: 1 });
    expect(store.getState().ingest([second])).toEqual([{ runId: 'r1', afterSeq: 0 }]);
    expect(store.getState().tallies.r1).toEqual({ total: 0, done: 0, finished: 0 });
    store.getState().ingest([ev(1, { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: NODES })]);
    expect(store.getState().tallies.r1).toEqual({ total: NODES.length, done: 1, finished: 1 });
  });

  it('time travel shows attempts and node counts as of the chosen seq', () => {
    const r = rng(99);
    const events = randomRun(r, 300);
    const store = createRunsStore();
    store.getState().loadRun('r1', snapshot, events);
    for (const id of NODES) expect(store.getState().attempts.r1.get(id)?.list ?? []).toEqual(attemptsOf(events, id));
    store.getState().travelTo(120);
    for (const id of NODES) expect(store.getState().travelAttempts!.get(id)?.list ?? []).toEqual(attemptsOf(events, id, 120));
    expect(shownTally(store.getState())).toEqual(counted(foldRun('r1', events, 120, NODES).nodes));
    store.getState().travelTo(null);
    expect(store.getState().travelAttempts).toBeNull();
    expect(shownTally(store.getState())).toEqual(counted(foldRun('r1', events, Infinity, NODES).nodes));
  });
});
