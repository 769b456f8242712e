import { describe, expect, it } from 'vitest';
import type { EngineEvent, Workflow } from '../../contract';
import { compareRuns } from './compare';

const wf = (nodes: Workflow['nodes']): Workflow => ({ id: 'wf', name: 'Totals', version: 1, nodes, edges: [], settings: {} });
const tool = (id: string, inputs: Record<string, unknown> = {}) => ({ id, kind: 'tool' as const, tool: 'json.transform', inputs });

/** A tiny event script: each node runs for `ms` and ends with an output or an error. */
function run(runId: string, nodes: { id: string; ms: number; output?: unknown; error?: string; retries?: number }[]): EngineEvent[] {
  let seq = 0;
  let t = 1000;
  const e = (x: Record<string, unknown>) => ({ runId, seq: ++seq, ts: t, ...x }) as EngineEvent;
  const out: EngineEvent[] = [e({ type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: nodes.map((n) => n.id) })];
  for (const n of nodes) {
    for (let i = 0; i <= (n.retries ?? 0); i++) {
      out.push(e({ type: 'node.status', nodeId: n.id, status: 'running', generation: 0, attempt: i + 1, input: { data: n.id } }));
      if (i < (n.retries ?? 0)) out.push(e({ type: 'node.retry', nodeId: n.id, attempt: i + 1, delayMs: 1, error: { class: 'transient', message: 'HTTP 503' } }));
    }
    t += n.ms;
    if (n.error) out.push(e({ type: 'node.status', nodeId: n.id, status: 'failed', generation: 0, attempt: 1, error: { class: 'permanent', message: n.error } }));
    else {
      out.push(e({ type: 'node.output', nodeId: n.id, generation: 0, output: n.output, cached: false }));
      out.push(e({ type: 'node.status', nodeId: n.id, status: 'succeeded', generation: 0, attempt: 1 }));
    }
  }
  out.push(e({ type: 'run.finished', status: nodes.some((n) => n.error) ? 'failed' : 'succeeded' }));
  return out;
}

describe('compareRuns', () => {
  const snapshot = wf([tool('parse'), tool('sum', { expression: '$sum(total)' }), tool('report')]);

  it('lines the runs up node by node: status, executions, duration and whether outputs differ', () => {
    const a = run('r1', [
      { id: 'parse', ms: 5, output: { rows: [1, 2] } },
      { id: 'sum', ms: 3, error: 'totals column missing' },
      { id: 'report', ms: 2, output: { text: 'x' } },
    ]);
    const b = run('r2', [
      { id: 'parse', ms: 9, output: { rows: [1, 2] } },
      { id: 'sum', ms: 4, output: { result: 19.5 }, retries: 1 },
      { id: 'report', ms: 2, output: { text: 'y' } },
    ]);
    const c = compareRuns({ runId: 'r1', snapshot, events: a }, { runId: 'r2', snapshot, events: b });

    expect(c.sameWorkflow).toBe(true);
    expect(c.nodes.map((n) => n.nodeId)).toEqual(['parse', 'sum', 'report']);
    const [parse, sum, report] = c.nodes;
    expect(parse).toMatchObject({ statusDiffers: false, outputDiffers: false, differs: false });
    expect(parse.a?.durationMs).toBe(5);
    expect(parse.b?.durationMs).toBe(9);
    expect(sum.a).toMatchObject({ status: 'failed', attempts: 1, error: 'totals column missing' });
    expect(sum.b).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(sum).toMatchObject({ statusDiffers: true, outputDiffers: true, differs: true });
    expect(report).toMatchObject({ statusDiffers: false, outputDiffers: true, differs: true });
    expect(c.differing).toBe(2);
    expect(c.a).toMatchObject({ status: 'failed', failed: 1, succeeded: 2, retries: 0 });
    expect(c.b).toMatchObject({ status: 'succeeded', failed: 0, succeeded: 3, retries: 1 });
  });

  it('treats outputs with the same content in another key order as equal', () => {
    const a = run('r1', [{ id: 'parse', ms: 1, output: { x: 1, y: { p: 1, q: 2 } } }]);
    const b = run('r2', [{ id: 'parse', ms: 1, output: { y: { q: 2, p: 1 }, x: 1 } }]);
    const one = wf([tool('parse')]);
    expect(compareRuns({ runId: 'r1', snapshot: one, events: a }, { runId: 'r2', snapshot: one, events: b }).nodes[0].outputDiffers).toBe(false);
  });

  it('shows nodes only one run has, and nodes whose definition was edited between the runs', () => {
    const edited = wf([tool('parse'), tool('sum', { expression: '$sum(amount)' }), tool('extra')]);
    const a = run('r1', [
      { id: 'parse', ms: 1, output: 1 },
      { id: 'sum', ms: 1, output: 2 },
      { id: 'report', ms: 1, output: 3 },
    ]);
    const b = run('r2', [
      { id: 'parse', ms: 1, output: 1 },
      { id: 'sum', ms: 1, output: 2 },
      { id: 'extra', ms: 1, output: 4 },
    ]);
    const c = compareRuns({ runId: 'r1', snapshot, events: a }, { runId: 'r2', snapshot: edited, events: b });
    expect(c.nodes.map((n) => n.nodeId)).toEqual(['parse', 'sum', 'report', 'extra']);
    const byId = Object.fromEntries(c.nodes.map((n) => [n.nodeId, n]));
    expect(byId.sum).toMatchObject({ definitionChanged: true, outputDiffers: false, differs: true });
    expect(byId.report.b).toBeUndefined();
    expect(byId.extra.a).toBeUndefined();
    expect(byId.parse.differs).toBe(false);
  });
});

describe('compareRuns judges artifacts by content', () => {
  const save = { id: 'save', kind: 'tool' as const, tool: 'artifact.save', inputs: { name: 'notes.md' } };
  const snapshot: Workflow = { id: 'wf', name: 'Notes', version: 1, nodes: [save], edges: [], settings: {} };
  const saved = (runId: string, artifactId: string, sha256: string): EngineEvent[] => [
    { runId, seq: 1, ts: 1, type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['save'] },
    { runId, seq: 2, ts: 2, type: 'node.status', nodeId: 'save', status: 'running', generation: 0, attempt: 1 },
    { runId, seq: 3, ts: 3, type: 'node.output', nodeId: 'save', generation: 0, cached: false, output: { artifactId, name: 'notes.md', mime: 'text/markdown', size: 5, sha256 } },
    { runId, seq: 4, ts: 4, type: 'node.status', nodeId: 'save', status: 'succeeded', generation: 0, attempt: 1 },
    { runId, seq: 5, ts: 5, type: 'run.finished', status: 'succeeded' },
  ];

  it('two artifact.save outputs with the same sha256 are the same, whatever their artifact ids', () => {
    const cmp = compareRuns({ runId: 'r1', snapshot, events: saved('r1', 'a1', 'abc') }, { runId: 'r2', snapshot, events: saved('r2', 'a2', 'abc') });
    expect(cmp.nodes[0]).toMatchObject({ outputDiffers: false, differs: false });
  });

  it('different bytes differ', () => {
    const cmp = compareRuns({ runId: 'r1', snapshot, events: saved('r1', 'a1', 'abc') }, { runId: 'r2', snapshot, events: saved('r2', 'a2', 'def') });
    expect(cmp.nodes[0]).toMatchObject({ outputDiffers: true, differs: true });
  });

  it('compares the graphs as reruns left them, and marks nodes a rerun edited', () => {
    const edited = [...saved('r2', 'a2', 'abc')];
    edited.splice(4, 0, { runId: 'r2', seq: 0, ts: 4, type: 'node.definition', nodeId: 'save', node: { ...save, inputs: { name: 'v2.md' } }, changed: ['inputs.name'] });
    const renumbered = edited.map((e, i) => ({ ...e, seq: i + 1 }) as EngineEvent);
    const cmp = compareRuns({ runId: 'r1', snapshot, events: saved('r1', 'a1', 'abc') }, { runId: 'r2', snapshot, events: renumbered });
    expect(cmp.nodes[0]).toMatchObject({ definitionChanged: true, editedInRerun: true, differs: true });
    expect(cmp.nodes[0].definitionChanges).toEqual([{ field: 'inputs.name', a: 'notes.md', b: 'v2.md' }]);
    expect(cmp.nodes[0].rerunEdits).toEqual({ a: [], b: [{ field: 'inputs.name', a: 'notes.md', b: 'v2.md' }] });
  });
});
