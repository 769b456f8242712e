import { describe, expect, it } from 'vitest';
import type { EngineEvent, Workflow } from '../../contract';
import { attemptsOf, createRunsStore, shownView } from './runs';

const snapshot: Workflow = {
  id: 'wf',
  name: 'wf',
  version: 1,
  nodes: ['a', 'b', 'c'].map((id) => ({ id, kind: 'tool' as const, tool: 'text.template', inputs: {} })),
  edges: [],
  settings: {},
};

let seq = 0;
const ev = (e: Record<string, unknown>): EngineEvent => ({ runId: 'r1', seq: ++seq, ts: 1000 + seq, ...e }) as EngineEvent;
const status = (nodeId: string, s: string, extra: Record<string, unknown> = {}) => ev({ type: 'node.status', nodeId, status: s, generation: 0, attempt: 1, ...extra });

function script(): EngineEvent[] {
  seq = 0;
  return [
    ev({ type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['a', 'b', 'c'] }),
    status('a', 'running'),
    status('a', 'succeeded'),
    ev({ type: 'node.output', nodeId: 'a', generation: 0, output: { text: 'hi' }, cached: false }),
    status('b', 'running'),
    ev({ type: 'node.retry', nodeId: 'b', attempt: 1, delayMs: 10, error: { class: 'transient', message: 'HTTP 503' } }),
    status('b', 'running', { attempt: 2 }),
    status('b', 'failed', { attempt: 2, error: { class: 'permanent', message: 'HTTP 404' } }),
    status('c', 'skipped'),
    ev({ type: 'run.finished', status: 'failed' }),
  ];
}

describe('runs store', () => {
  it('folds a batch into node states, dead letters and retries with one state update', () => {
    const store = createRunsStore();
    store.getState().watch('r1', snapshot);
    let updates = 0;
    store.subscribe(() => updates++);
    store.getState().ingest(script());
    expect(updates).toBe(1);
    const v = shownView(store.getState())!;
    expect(v.status).toBe('failed');
    expect(Object.fromEntries(Object.entries(v.nodes).map(([k, n]) => [k, n.status]))).toEqual({ a: 'succeeded', b: 'failed', c: 'skipped' });
    expect(v.deadLetters).toEqual(['b']);
    expect(v.retries).toBe(1);
    expect(v.nodes.a.output).toEqual({ text: 'hi' });
  });

  it('gives new objects only to the nodes a batch touched', () => {
    const store = createRunsStore();
    store.getState().watch('r1', snapshot);
    const events = script();
    store.getState().ingest(events.slice(0, 4));
    const before = store.getState().views.r1;
    store.getState().ingest(events.slice(4, 5)); // b starts running
    const after = store.getState().views.r1;
    expect(after).not.toBe(before);
    expect(after.nodes.a).toBe(before.nodes.a);
    expect(after.nodes.c).toBe(before.nodes.c);
    expect(after.nodes.b).not.toBe(before.nodes.b);
    expect(before.nodes.b.status).toBe('pending'); // the old object was not mutated
    expect(after.nodes.b.status).toBe('running');
  });

  it('ignores replayed events and holds events past a gap until the gap is filled', () => {
    const store = createRunsStore();
    const events = script();
    store.getState().ingest(events.slice(0, 3));
    const gaps = store.getState().ingest(events.slice(5)); // 4 and 5 were missed
    expect(gaps).toEqual([{ runId: 'r1', afterSeq: 3 }]);
    expect(store.getState().views.r1.nodes.b.status).toBe('pending');
    expect(store.getState().ingest(events.slice(1, 5))).toEqual([]); // catch-up, overlapping what we had
    const v = store.getState().views.r1;
    expect(v.lastSeq).toBe(10);
    expect(v.nodes.b.status).toBe('failed');
    expect(store.getState().events.r1.toArray().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('time travel shows the run as it was at a seq, and returns to live', () => {
    const store = createRunsStore();
    store.getState().loadRun('r1', snapshot, script());
    store.getState().travelTo(5);
    let v = shownView(store.getState())!;
    expect(v.nodes.a.status).toBe('succeeded');
    expect(v.nodes.b.status).toBe('running');
    expect(v.nodes.c.status).toBe('pending');
    expect(v.status).toBe('running');
    store.getState().travelTo(null);
    v = shownView(store.getState())!;
    expect(v.nodes.c.status).toBe('skipped');
  });

  it('lists attempts with their errors from the event log', () => {
    const attempts = attemptsOf(script(), 'b');
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'running'],
      [2, 'failed'],
    ]);
    expect(attempts[1].error).toBe('HTTP 404');
  });

  it('keeps run history statuses current as events arrive', () => {
    const store = createRunsStore();
    store.getState().setHistory([{ runId: 'r1', workflowId: 'wf', status: 'running', startedAt: 1, finishedAt: null }]);
    store.getState().ingest(script());
    expect(store.getState().history[0].status).toBe('failed');
  });
});
