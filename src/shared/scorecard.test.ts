import { describe, expect, it } from 'vitest';
import type { EngineEvent, EngineEventBody } from '../contract';
import { Scorecard, Workflow, type WorkflowInput } from '../contract';
import { scorecard } from './scorecard';

/** Events of one run at the given clock readings (ms), numbered in order. */
function timeline(entries: [number, EngineEventBody][]): EngineEvent[] {
  return entries.map(([ts, body], i) => ({ ...body, runId: 'r1', seq: i + 1, ts }) as EngineEvent);
}
const run = (doc: WorkflowInput, status: 'succeeded' | 'failed' = 'succeeded') => ({ id: 'r1', workflowId: 'wf', snapshot: Workflow.parse(doc), status });
const n = (id: string, extra: Record<string, unknown> = {}) => ({ id, kind: 'tool' as const, tool: 't.echo', inputs: {}, ...extra });
const e = (source: string, target: string) => ({ id: `${source}_${target}`, source, target });
const st = (nodeId: string, status: string, attempt = 1, extra: Record<string, unknown> = {}) =>
  ({ type: 'node.status', nodeId, status, generation: 0, attempt, ...extra }) as EngineEventBody;

const diamond = { id: 'wf', name: 'Diamond', nodes: [n('a'), n('b'), n('c'), n('d')], edges: [e('a', 'b'), e('a', 'c'), e('b', 'd'), e('c', 'd')] };

describe('scorecard', () => {
  it('finds the critical path of a diamond: the slow branch, with its summed latency', () => {
    const events = timeline([
      [1000, { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['a', 'b', 'c', 'd'] }],
      [1000, st('a', 'running')],
      [1100, st('a', 'succeeded')],
      [1100, st('b', 'running')],
      [1100, st('c', 'running')],
      [1150, st('b', 'succeeded')], // b: 50 ms
      [1400, st('c', 'succeeded')], // c: 300 ms
      [1400, st('d', 'running')],
      [1420, st('d', 'succeeded')],
      [1425, { type: 'run.finished', status: 'succeeded' }],
    ]);
    const card = Scorecard.parse(scorecard(run(diamond), events));
    expect(card.criticalPath).toEqual({ nodeIds: ['a', 'c', 'd'], ms: 100 + 300 + 20 });
    expect(card.wallMs).toBe(425);
    expect(card.status).toBe('succeeded');
    expect(card.failure).toBeUndefined();
    expect(card.nodes.map((x) => [x.nodeId, x.latencyMs, x.stage])).toEqual([
      ['a', 100, 1],
      ['b', 50, 2],
      ['c', 300, 2],
      ['d', 20, 3],
    ]);
  });

  it('counts approval wait apart from tool time, and sums tokens and cost by model', () => {
    const doc = { id: 'wf', name: 'Review', nodes: [n('draft', { kind: 'llm', tool: undefined }), n('ok', { kind: 'approval', tool: undefined }), n('sum', { kind: 'llm', tool: undefined })], edges: [e('draft', 'ok'), e('ok', 'sum')] };
    const events = timeline([
      [0, { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['draft', 'ok', 'sum'] }],
      [0, st('draft', 'running')],
      [10, { type: 'node.usage', nodeId: 'draft', usage: { promptTokens: 100, completionTokens: 20, costUsd: 0.0012 }, model: 'gpt-4o-mini' }],
      [12, { type: 'node.usage', nodeId: 'draft', usage: { promptTokens: 50, completionTokens: 5, costUsd: 0.0003 }, model: 'gpt-4o-mini' }],
      [20, st('draft', 'succeeded')],
      [20, st('ok', 'running')],
      [21, { type: 'approval.requested', nodeId: 'ok', message: 'ship it?' }],
      [21, st('ok', 'waiting')],
      [21, { type: 'run.status', status: 'waiting', reason: 'approval' }],
      [5021, { type: 'approval.resolved', nodeId: 'ok', approved: true }],
      [5021, st('ok', 'running')],
      [5022, st('ok', 'succeeded')],
      [5022, st('sum', 'running')],
      [5030, { type: 'node.usage', nodeId: 'sum', usage: { promptTokens: 400, completionTokens: 80, costUsd: 0.02 }, model: 'gpt-4o' }],
      [5040, st('sum', 'succeeded')],
      [5040, { type: 'run.finished', status: 'succeeded' }],
    ]);
    const card = scorecard(run(doc), events);
    expect(card.approvalWaitMs).toBe(5000);
    expect(card.approvals).toEqual([{ nodeId: 'ok', requestedAt: 21, resolvedAt: 5021, waitMs: 5000, approved: true }]);
    const ok = card.nodes.find((x) => x.nodeId === 'ok')!;
    expect([ok.latencyMs, ok.busyMs, ok.attempts]).toEqual([5002, 2, 1]);
    expect(card.byModel).toEqual([
      { model: 'gpt-4o', promptTokens: 400, completionTokens: 80, costUsd: 0.02 },
      { model: 'gpt-4o-mini', promptTokens: 150, completionTokens: 25, costUsd: 0.0012 + 0.0003 },
    ]);
    expect(card.usage.costUsd).toBeCloseTo(0.0215, 10);
    expect(card.usage.promptTokens).toBe(550);
  });

  it('names the failing node and its stage, counts retries by code, cache hits and artifact links', () => {
    const doc = { id: 'wf', name: 'Fetch', nodes: [n('in'), n('fetch'), n('save')], edges: [e('in', 'fetch'), e('fetch', 'save')] };
    const artifact = { id: 'a 1', runId: 'r1', nodeId: 'in', name: 'seed.txt', mime: 'text/plain', size: 3, sha256: 'x', createdAt: 5 };
    const err503 = { class: 'transient' as const, code: 'HTTP_503', message: 'unavailable' };
    const events = timeline([
      [0, { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['in', 'fetch', 'save'] }],
      [1, { type: 'node.output', nodeId: 'in', generation: 0, output: 1, cached: true }],
      [1, st('in', 'succeeded', 0, { reason: 'cache' })],
      [1, { type: 'artifact.created', nodeId: 'in', artifact }],
      [2, st('fetch', 'running')],
      [12, st('fetch', 'retrying', 1, { error: err503 })],
      [12, { type: 'node.retry', nodeId: 'fetch', attempt: 1, delayMs: 100, error: err503 }],
      [112, st('fetch', 'running', 2)],
      [122, st('fetch', 'retrying', 2, { error: err503 })],
      [122, { type: 'node.retry', nodeId: 'fetch', attempt: 2, delayMs: 200, error: err503 }],
      [322, st('fetch', 'running', 3)],
      [330, st('fetch', 'failed', 3, { error: { class: 'permanent', code: 'HTTP_404', message: 'gone' } })],
      [330, st('save', 'skipped', 0)],
      [331, { type: 'run.finished', status: 'failed', error: '1 node failed' }],
    ]);
    const card = scorecard(run(doc, 'failed'), events);
    expect(card.status).toBe('failed');
    expect(card.failure).toEqual({ nodeId: 'fetch', stage: 2, error: { class: 'permanent', code: 'HTTP_404', message: 'gone' } });
    expect(card.retries).toBe(2);
    expect(card.retriesByCode).toEqual({ HTTP_503: 2 });
    expect(card.deadLetters).toEqual(['fetch']);
    expect(card.cacheHits).toBe(1);
    const fetch = card.nodes.find((x) => x.nodeId === 'fetch')!;
    expect([fetch.attempts, fetch.retries, fetch.latencyMs, fetch.busyMs]).toEqual([3, 2, 328, 10 + 10 + 8]);
    expect(card.nodes.find((x) => x.nodeId === 'in')!.cached).toBe(true);
    expect(card.artifacts).toEqual([{ ...artifact, url: '/api/artifacts/a%201/download' }]);
  });

  it('keeps node ids like __proto__ and constructor as ordinary nodes', () => {
    const doc = { id: 'wf', name: 'Odd ids', nodes: [n('__proto__'), n('constructor')], edges: [e('__proto__', 'constructor')] };
    const events = timeline([
      [0, st('__proto__', 'running')],
      [5, st('__proto__', 'succeeded')],
      [5, st('constructor', 'running')],
      [9, st('constructor', 'succeeded')],
    ]);
    expect(scorecard(run(doc), events).criticalPath).toEqual({ nodeIds: ['__proto__', 'constructor'], ms: 9 });
  });
});
