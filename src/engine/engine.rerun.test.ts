/**
 * Reruns use the definition the person sees: through `createEngine` with the real
 * built-ins and a real SQLite file, a rerun given the editor's document runs the rerun
 * nodes with its definitions, records each change as a `node.definition` event, and a
 * later process rebuilds the edits from the stored events alone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldRun, revisedSnapshot, Workflow, type EngineEvent } from '../contract';
import { createEngine, type LocalEngine } from './engine';

let dir: string;
const open: LocalEngine[] = [];
const engineAt = () => {
  const e = createEngine({ dataDir: dir });
  open.push(e);
  return e;
};
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-rerun-'));
});
afterEach(async () => {
  for (const e of open.splice(0)) await e.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const example = () => Workflow.parse(JSON.parse(readFileSync(join(__dirname, '..', '..', 'resources', 'examples', 'document-generation.awe.json'), 'utf8')));

/** The document with one node's fields replaced, as the inspector leaves it. */
function edited(wf: Workflow, nodeId: string, patch: Partial<Workflow['nodes'][number]>): Workflow {
  return { ...wf, nodes: wf.nodes.map((n) => (n.id === nodeId ? { ...n, ...patch, inputs: { ...n.inputs, ...(patch.inputs ?? {}) } } : n)) };
}

/** Artifacts are recorded by the artifact store's own events, so read them from the run's record. */
const names = (engine: LocalEngine, runId: string) => engine.listArtifacts(runId).map((a) => a.name);

const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) => events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);

describe('rerun with the definition the person sees', () => {
  it('"Rerun node" saves the artifact under the name typed in the editor, and says what changed', async () => {
    const engine = engineAt();
    const wf = example();
    const first = await engine.startRun(wf).done;
    expect(first.status).toBe('succeeded');
    expect(names(engine, first.runId)).toEqual(['release-notes.md']);

    const doc = edited(wf, 'save', { inputs: { name: 'notes-v2.md' } });
    const view = await engine.rerunNode(first.runId, 'save', { mode: 'only', workflow: doc }).done;
    expect(view.status).toBe('succeeded');
    expect(names(engine, first.runId)).toEqual(['release-notes.md', 'notes-v2.md']);
    expect(view.nodes.save.input).toMatchObject({ name: 'notes-v2.md' });
    // Upstream nodes were not executed again.
    expect(view.nodes.render.attempts).toBe(1);

    const events = engine.events(first.runId, 0);
    const defs = ofType(events, 'node.definition');
    expect(defs).toHaveLength(1);
    expect(defs[0]).toMatchObject({ nodeId: 'save', changed: ['inputs.name'], node: { id: 'save', inputs: { name: 'notes-v2.md' } } });
    expect(defs[0].node.position).toBeUndefined();
    // The fold keeps the snapshot history: the run's graph as it runs now.
    const folded = foldRun(first.runId, events);
    const now = revisedSnapshot(engine.getRun(first.runId)!.snapshot, folded.definitions);
    expect(now.nodes.find((n) => n.id === 'save')!.inputs.name).toBe('notes-v2.md');
    expect(engine.getRun(first.runId)!.snapshot.nodes.find((n) => n.id === 'save')!.inputs.name).toBe('release-notes.md');
  });

  it('an unchanged document records no definition; a later process keeps using an earlier edit', async () => {
    const engine = engineAt();
    const wf = example();
    const first = await engine.startRun(wf).done;
    await engine.rerunNode(first.runId, 'save', { mode: 'only', workflow: edited(wf, 'save', { inputs: { name: 'edited.md' } }) }).done;
    await engine.close();
    open.length = 0;

    // A new process reruns without a document: the edit, rebuilt from the events, still holds.
    const later = engineAt();
    const again = await later.rerunNode(first.runId, 'save', { mode: 'only' }).done;
    expect(names(later, first.runId)).toEqual(['release-notes.md', 'edited.md', 'edited.md']);
    // The same document again is no new revision.
    const wfNow = revisedSnapshot(later.getRun(first.runId)!.snapshot, again.definitions);
    await later.rerunNode(first.runId, 'save', { mode: 'only', workflow: wfNow }).done;
    expect(ofType(later.events(first.runId, 0), 'node.definition')).toHaveLength(1);
  });

  it('"Rerun from here" uses the downstream nodes\' current definitions too; nodes outside the rerun keep theirs', async () => {
    const engine = engineAt();
    const wf = example();
    const first = await engine.startRun(wf).done;
    let doc = edited(wf, 'save', { inputs: { name: 'downstream.md' } });
    // An edit upstream of the rerun is not used (that node does not run again).
    doc = edited(doc, 'changes', { inputs: { data: { changes: [] } } });
    const view = await engine.rerunNode(first.runId, 'render', { mode: 'downstream', workflow: doc }).done;
    expect(names(engine, first.runId)).toEqual(['release-notes.md', 'downstream.md']);
    expect(view.nodes.changes.attempts).toBe(1);
    expect(ofType(engine.events(first.runId, 0), 'node.definition').map((e) => e.nodeId)).toEqual(['save']);
  });

  it('retry and timeout edits reach the rerun', async () => {
    const engine = engineAt();
    const wf = Workflow.parse({
      id: 'slow', name: 'Slow',
      nodes: [{ id: 'wait', kind: 'tool', tool: 'util.wait', inputs: { ms: 200 } }],
      edges: [],
    });
    const first = await engine.startRun(wf).done;
    expect(first.status).toBe('succeeded');
    const view = await engine.rerunNode(first.runId, 'wait', { mode: 'only', workflow: edited(wf, 'wait', { timeoutMs: 20, retry: { max: 1, policy: 'transient' } }) }).done;
    expect(view.nodes.wait.status).toBe('failed');
    expect(view.nodes.wait.error).toMatchObject({ code: 'TIMEOUT' });
    expect(view.nodes.wait.retries).toBe(1);
    expect(ofType(engine.events(first.runId, 0), 'node.definition')[0].changed).toEqual(['retry', 'timeoutMs']);
  });

  it('refuses a document whose graph changed (a full Run is needed), and an invalid edit with every problem; neither touches the run', async () => {
    const engine = engineAt();
    const wf = example();
    const first = await engine.startRun(wf).done;
    const before = engine.events(first.runId, 0).length;

    const rewired = { ...wf, edges: wf.edges.filter((e) => e.target !== 'save') };
    expect(() => engine.rerunNode(first.runId, 'save', { mode: 'only', workflow: rewired })).toThrow(/graph changed.*disconnected render → save.*Run the workflow/);
    const grown = { ...wf, nodes: [...wf.nodes, { id: 'extra', kind: 'tool' as const, tool: 'util.wait', inputs: { ms: 1 } }] };
    expect(() => engine.rerunNode(first.runId, 'save', { mode: 'only', workflow: grown })).toThrow(/added extra/);

    const broken = edited(wf, 'save', { inputs: { name: 42 } });
    let thrown: unknown;
    try {
      engine.rerunNode(first.runId, 'save', { mode: 'only', workflow: broken });
    } catch (err) {
      thrown = err;
    }
    expect((thrown as { problems?: { nodeId?: string; code: string }[] }).problems).toEqual([expect.objectContaining({ nodeId: 'save', code: 'invalid-input' })]);
    expect(engine.events(first.runId, 0)).toHaveLength(before);
  });

  it('"Retry all failed" runs the dead letters with the definitions fixed in the editor; upstream keeps its output', async () => {
    const engine = engineAt();
    const wf = Workflow.parse({
      id: 'fails', name: 'Fails at 2 a.m.',
      nodes: [
        { id: 'fetch', kind: 'tool', tool: 'text.template', inputs: { template: 'data' } },
        { id: 'shape', kind: 'tool', tool: 'json.transform', inputs: { data: '{{nodes.fetch.output}}', expression: '$error("the expression is wrong")' } },
        { id: 'save', kind: 'tool', tool: 'artifact.save', inputs: { name: 'out.json', content: '{{nodes.shape.output.result}}' } },
      ],
      edges: [{ id: 'e1', source: 'fetch', target: 'shape' }, { id: 'e2', source: 'shape', target: 'save' }],
    });
    // A failed run's `done` rejects; its state is in the run's record.
    const handle = engine.startRun(wf);
    await handle.done.catch(() => undefined);
    const first = engine.runView(handle.runId)!;
    expect(first.deadLetters).toEqual(['shape']);
    const fixed = edited(wf, 'shape', { inputs: { expression: 'text' } });
    const view = await engine.retryFailed(first.runId, { workflow: fixed }).done;
    expect(view.status).toBe('succeeded');
    expect(view.nodes.shape.output).toEqual({ result: 'data' });
    expect(view.nodes.fetch.attempts).toBe(1);
    expect(names(engine, first.runId)).toEqual(['out.json']);
    expect(ofType(engine.events(first.runId, 0), 'node.definition').map((e) => [e.nodeId, e.changed])).toEqual([['shape', ['inputs.expression']]]);
  });
});
