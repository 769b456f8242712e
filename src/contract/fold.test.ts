/**
 * The one fold the engine, the CLI and the renderer share (fold.ts), on its own: what every
 * event type does to a view, a replay stopped at seq k (time travel), and idempotence (a
 * reconnecting client may receive an event it already applied).
 */
import { describe, expect, it } from 'vitest';
import { EngineEvent, type EngineEventBody, type EngineEventType } from './events';
import { applyEvent, emptyRunView, foldRun, type RunView } from './fold';
import type { Artifact } from './run';

/** Stamps bodies as the event log does: run-scoped seq from 1, ts = 1000 + seq. */
function stamp(bodies: EngineEventBody[]): EngineEvent[] {
  return bodies.map((body, i) => ({ ...body, runId: 'r1', seq: i + 1, ts: 1000 + i + 1 }) as EngineEvent);
}

const artifact: Artifact = { id: 'art1', runId: 'r1', nodeId: 'write', name: 'report.md', mime: 'text/markdown', size: 4, sha256: 'ab', createdAt: 5 };
const timeout = { class: 'transient' as const, code: 'TIMEOUT', message: 'fetch timed out' };
const fetchNode = { id: 'fetch', kind: 'tool' as const, tool: 'http.get', inputs: { url: 'https://example.org/v2' } };

/**
 * One run's history using every event type: `fetch` retries then succeeds, `ask` waits for a
 * person, `write` saves an artifact (announced twice, as a resumed run does), is judged,
 * fails, and a rerun with an edited definition brings it back.
 */
const BODIES: EngineEventBody[] = [
  /* 1 */ { type: 'run.started', workflowId: 'wf', inputs: { n: 3 }, nodeIds: ['fetch', 'ask', 'write'] },
  /* 2 */ { type: 'node.status', nodeId: 'fetch', status: 'queued', generation: 0, attempt: 0 },
  /* 3 */ { type: 'node.status', nodeId: 'fetch', status: 'running', generation: 0, attempt: 1, input: { url: 'u' } },
  /* 4 */ { type: 'node.retry', nodeId: 'fetch', attempt: 1, delayMs: 200, error: timeout },
  /* 5 */ { type: 'node.status', nodeId: 'fetch', status: 'running', generation: 0, attempt: 2, input: { url: 'u' } },
  /* 6 */ { type: 'node.log', nodeId: 'fetch', level: 'info', message: 'got 200' },
  /* 7 */ { type: 'node.usage', nodeId: 'fetch', usage: { promptTokens: 10, completionTokens: 5, costUsd: 0.5 } },
  /* 8 */ { type: 'node.output', nodeId: 'fetch', generation: 0, output: { body: 'hi' }, cached: false },
  /* 9 */ { type: 'node.status', nodeId: 'fetch', status: 'succeeded', generation: 0, attempt: 2 },
  /* 10 */ { type: 'node.status', nodeId: 'ask', status: 'running', generation: 0, attempt: 1 },
  /* 11 */ { type: 'approval.requested', nodeId: 'ask', message: 'Ship it?', tool: 'human.approve', input: { draft: 1 } },
  /* 12 */ { type: 'node.status', nodeId: 'ask', status: 'waiting', generation: 0, attempt: 1 },
  /* 13 */ { type: 'run.status', status: 'waiting' },
  /* 14 */ { type: 'approval.resolved', nodeId: 'ask', approved: false, comment: 'not yet' },
  /* 15 */ { type: 'run.status', status: 'running' },
  /* 16 */ { type: 'node.status', nodeId: 'ask', status: 'running', generation: 0, attempt: 1 },
  /* 17 */ { type: 'node.status', nodeId: 'ask', status: 'succeeded', generation: 0, attempt: 1 },
  /* 18 */ { type: 'node.status', nodeId: 'write', status: 'running', generation: 0, attempt: 1 },
  /* 19 */ { type: 'artifact.created', nodeId: 'write', artifact },
  /* 20 */ { type: 'artifact.created', nodeId: 'write', artifact },
  /* 21 */ { type: 'node.usage', nodeId: 'write', usage: { promptTokens: 1, completionTokens: 2, costUsd: 0.25 } },
  /* 22 */ { type: 'node.verdict', nodeId: 'write', pass: false, reasons: ['too short'], rework: 1, judge: 'rules' },
  /* 23 */ { type: 'node.status', nodeId: 'write', status: 'failed', generation: 0, attempt: 1, error: { class: 'permanent', code: 'CRITIC', message: 'too short' } },
  /* 24 */ { type: 'run.finished', status: 'failed', error: 'write failed' },
  /* 25 */ { type: 'node.definition', nodeId: 'fetch', node: fetchNode, changed: ['inputs'] },
  /* 26 */ { type: 'node.rerun', nodeId: 'fetch', mode: 'downstream', nodes: ['fetch', 'write'] },
  /* 27 */ { type: 'node.status', nodeId: 'fetch', status: 'queued', generation: 1, attempt: 0, reason: 'rerun' },
  /* 28 */ { type: 'node.output', nodeId: 'fetch', generation: 1, output: { body: 'hi' }, cached: true },
  /* 29 */ { type: 'node.status', nodeId: 'fetch', status: 'succeeded', generation: 1, attempt: 0 },
  /* 30 */ { type: 'node.status', nodeId: 'write', status: 'stale', generation: 1, attempt: 0, reason: 'rerun' },
  /* 31 */ { type: 'node.status', nodeId: 'write', status: 'running', generation: 1, attempt: 1, reason: 'rerun' },
  /* 32 */ { type: 'node.status', nodeId: 'write', status: 'succeeded', generation: 1, attempt: 1 },
  /* 33 */ { type: 'run.finished', status: 'succeeded' },
];
const EVENTS = stamp(BODIES);

describe('foldRun over a whole history', () => {
  it('uses every event type of the contract (a new type needs its case here)', () => {
    const all = EngineEvent.options.map((o) => o.shape.type.value as EngineEventType);
    expect(new Set(EVENTS.map((e) => e.type))).toEqual(new Set(all));
  });

  it('ends with the state a person sees after the rerun', () => {
    const view = foldRun('r1', EVENTS);
    expect(view).toMatchObject({ runId: 'r1', workflowId: 'wf', inputs: { n: 3 }, status: 'succeeded', startedAt: 1001, finishedAt: 1033, lastSeq: 33 });
    expect(Object.keys(view.nodes)).toEqual(['fetch', 'ask', 'write']);
    // Rerun: generation 1, served from the cache, attempts kept from the first generation.
    expect(view.nodes.fetch).toMatchObject({ status: 'succeeded', generation: 1, attempts: 2, reason: 'cache', cached: true, retries: 1, output: { body: 'hi' }, input: { url: 'u' } });
    expect(view.nodes.fetch.error).toBeUndefined();
    expect(view.nodes.write).toMatchObject({ status: 'succeeded', generation: 1, attempts: 2, reason: 'rerun', finishedAt: 1032 });
    expect(view.nodes.write.error).toBeUndefined();
    // A node that failed and then succeeded is no longer a dead letter.
    expect(view.deadLetters).toEqual([]);
    expect(view.error).toBeUndefined();
    expect(view.usage).toEqual({ promptTokens: 11, completionTokens: 7, costUsd: 0.75 });
    expect(view.retries).toBe(1);
    expect(view.artifacts).toEqual([artifact]);
    expect(view.definitions).toEqual({ fetch: [fetchNode] });
  });
});

describe('each event type', () => {
  const at = (seq: number) => foldRun('r1', EVENTS, seq);

  it('run.started: the workflow, inputs, start time and every node pending', () => {
    const v = at(1);
    expect(v).toMatchObject({ workflowId: 'wf', inputs: { n: 3 }, startedAt: 1001, status: 'running' });
    for (const id of ['fetch', 'ask', 'write']) expect(v.nodes[id]).toMatchObject({ status: 'pending', attempts: 0, generation: 0 });
  });

  it('node.status running counts an attempt and records the input; queued does not', () => {
    expect(at(2).nodes.fetch).toMatchObject({ status: 'queued', attempts: 0 });
    expect(at(3).nodes.fetch).toMatchObject({ status: 'running', attempts: 1, input: { url: 'u' }, startedAt: 1003 });
    expect(at(5).nodes.fetch).toMatchObject({ status: 'running', attempts: 2, startedAt: 1005 });
    // A running node's error is cleared (the retry's error was the previous attempt's).
    expect(at(5).nodes.fetch.error).toBeUndefined();
  });

  it('node.retry: the error of the failed attempt and the retry counts', () => {
    const v = at(4);
    expect(v.nodes.fetch.error).toEqual(timeout);
    expect(v.nodes.fetch.retries).toBe(1);
    expect(v.retries).toBe(1);
  });

  it('node.log: a line on the node', () => {
    expect(at(6).nodes.fetch.logs).toEqual([{ ts: 1006, level: 'info', message: 'got 200' }]);
  });

  it('node.usage: added to the node and to the run', () => {
    expect(at(7).nodes.fetch.usage).toEqual({ promptTokens: 10, completionTokens: 5, costUsd: 0.5 });
    expect(at(21).usage).toEqual({ promptTokens: 11, completionTokens: 7, costUsd: 0.75 });
    expect(at(21).nodes.write.usage).toEqual({ promptTokens: 1, completionTokens: 2, costUsd: 0.25 });
  });

  it('node.output: the output, not cached; succeeded sets the finish time', () => {
    expect(at(8).nodes.fetch).toMatchObject({ output: { body: 'hi' }, cached: false });
    expect(at(8).nodes.fetch.reason).toBeUndefined();
    expect(at(9).nodes.fetch).toMatchObject({ status: 'succeeded', finishedAt: 1009 });
  });

  it('approval.requested and waiting: the question on the node; resolved: the answer in its log; running again is the same attempt', () => {
    expect(at(11).nodes.ask.approval).toEqual({ message: 'Ship it?', tool: 'human.approve', input: { draft: 1 } });
    expect(at(13)).toMatchObject({ status: 'waiting' });
    expect(at(13).nodes.ask).toMatchObject({ status: 'waiting', attempts: 1 });
    expect(at(14).nodes.ask.logs).toEqual([{ ts: 1014, level: 'info', message: 'rejected: not yet' }]);
    const back = at(16).nodes.ask;
    expect(back).toMatchObject({ status: 'running', attempts: 1 });
    expect(back.approval).toBeUndefined();
  });

  it('run.status: waiting and running again; a finished run resumed is no longer finished', () => {
    expect(at(13).status).toBe('waiting');
    expect(at(15).status).toBe('running');
    const resumed = at(24);
    expect(resumed.finishedAt).toBe(1024);
    applyEvent(resumed, { type: 'run.status', status: 'running', runId: 'r1', seq: 25, ts: 2000 });
    expect(resumed.status).toBe('running');
    expect(resumed.finishedAt).toBeUndefined();
  });

  it('artifact.created: one entry per artifact id, however often it is announced', () => {
    expect(at(19).artifacts).toEqual([artifact]);
    expect(at(20).artifacts).toEqual([artifact]);
  });

  it('node.verdict: the critic’s judgement on the node', () => {
    expect(at(22).nodes.write.verdict).toEqual({ pass: false, reasons: ['too short'], rework: 1, judge: 'rules' });
  });

  it('node.status failed: the error, the finish time and a dead letter', () => {
    const v = at(23);
    expect(v.nodes.write).toMatchObject({ status: 'failed', finishedAt: 1023, error: { code: 'CRITIC' } });
    expect(v.deadLetters).toEqual(['write']);
  });

  it('run.finished: status, finish time and error', () => {
    expect(at(24)).toMatchObject({ status: 'failed', finishedAt: 1024, error: 'write failed' });
  });

  it('node.definition: the edited definition kept in order, in a new object', () => {
    const before = at(24);
    const shell = before.definitions;
    applyEvent(before, EVENTS[24]);
    expect(before.definitions).toEqual({ fetch: [fetchNode] });
    expect(before.definitions).not.toBe(shell);
    const second = { ...EVENTS[24], seq: 99, node: { ...fetchNode, inputs: { url: 'v3' } } } as EngineEvent;
    applyEvent(before, second);
    expect(before.definitions.fetch.map((n) => n.inputs)).toEqual([{ url: 'https://example.org/v2' }, { url: 'v3' }]);
  });

  it('node.rerun: the run runs again, its error and finish time cleared, the rerun nodes no longer cached', () => {
    const v = at(26);
    expect(v.status).toBe('running');
    expect(v.finishedAt).toBeUndefined();
    expect(v.error).toBeUndefined();
    const cachedBefore = at(28);
    expect(cachedBefore.nodes.fetch).toMatchObject({ cached: true, reason: 'cache' });
    applyEvent(cachedBefore, { ...EVENTS[25], seq: 100 } as EngineEvent);
    expect(cachedBefore.nodes.fetch.cached).toBe(false);
  });

  it('node.status queued/stale clears the previous error and finish time', () => {
    const v = at(30).nodes.write;
    expect(v).toMatchObject({ status: 'stale', generation: 1, reason: 'rerun' });
    expect(v.error).toBeUndefined();
    expect(v.finishedAt).toBeUndefined();
    // Not failed any more, so no longer a dead letter.
    expect(at(30).deadLetters).toEqual([]);
  });

  it('keeps the last 200 log lines of a node', () => {
    const logs = stamp([
      BODIES[0],
      ...Array.from({ length: 250 }, (_, i): EngineEventBody => ({ type: 'node.log', nodeId: 'fetch', level: 'debug', message: `line ${i}` })),
    ]);
    const lines = foldRun('r1', logs).nodes.fetch.logs;
    expect(lines).toHaveLength(200);
    expect(lines[0].message).toBe('line 50');
    expect(lines.at(-1)!.message).toBe('line 249');
  });
});

describe('replay to seq k (time travel)', () => {
  it('equals applying the first k events one by one, for every k', () => {
    for (let k = 0; k <= EVENTS.length; k++) {
      const stepwise = emptyRunView('r1');
      for (const e of EVENTS.slice(0, k)) applyEvent(stepwise, e);
      expect(foldRun('r1', EVENTS, k), `k = ${k}`).toEqual(stepwise);
      expect(foldRun('r1', EVENTS, k).lastSeq).toBe(k);
    }
  });

  it('a view at k, given the rest, reaches the same end as one fold of everything', () => {
    for (const k of [3, 12, 24, 27]) {
      const view = foldRun('r1', EVENTS, k);
      for (const e of EVENTS.slice(k)) applyEvent(view, e);
      expect(view).toEqual(foldRun('r1', EVENTS));
    }
  });

  it('nodes listed up front (a run not started yet) are pending', () => {
    expect(foldRun('r1', [], 0, ['a', 'b']).nodes).toEqual({ a: expect.objectContaining({ status: 'pending' }), b: expect.objectContaining({ status: 'pending' }) });
  });
});

describe('idempotence', () => {
  const snapshot = (v: RunView) => JSON.parse(JSON.stringify(v)) as unknown;

  it('applying every event twice (a replay after reconnect) changes nothing the second time', () => {
    const once = foldRun('r1', EVENTS);
    const twice = emptyRunView('r1');
    for (const e of EVENTS) {
      applyEvent(twice, e);
      const after = snapshot(twice);
      expect(applyEvent(twice, e), `seq ${e.seq} again touches nothing`).toBeUndefined();
      expect(snapshot(twice), `seq ${e.seq} again`).toEqual(after);
    }
    expect(twice).toEqual(once);
  });

  it('an older event arriving late is ignored', () => {
    const view = foldRun('r1', EVENTS);
    const end = snapshot(view);
    for (const e of EVENTS.slice(0, 10)) applyEvent(view, e);
    expect(snapshot(view)).toEqual(end);
  });

  it('returns the node an event touched, for stores that copy only that node', () => {
    const view = emptyRunView('r1');
    expect(applyEvent(view, EVENTS[0])).toBeUndefined();
    expect(applyEvent(view, EVENTS[1])).toBe('fetch');
  });
});
