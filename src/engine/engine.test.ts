/**
 * End to end through `createEngine` with the real built-ins and a real SQLite file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Workflow, type EngineEvent } from '../contract';
import { createEngine, type LocalEngine } from './engine';
import * as validation from './workflow/validate';
import type { LlmChatClient } from './tools/types';

let dir: string;
const open: LocalEngine[] = [];
const engineAt = (options: Partial<Parameters<typeof createEngine>[0]> = {}) => {
  const e = createEngine({ dataDir: dir, ...options });
  open.push(e);
  return e;
};
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-engine-'));
});
afterEach(async () => {
  for (const e of open.splice(0)) await e.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** The example document of DESIGN.md §3, as written. */
const DESIGN_EXAMPLE = {
  id: 'greeting',
  name: 'Greeting',
  version: 1,
  nodes: [
    { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello {{input.name}}' } },
    {
      id: 'shout',
      kind: 'tool',
      tool: 'json.transform',
      inputs: { data: '{{nodes.greet.output}}', expression: '$uppercase(text)' },
      retry: { max: 2, policy: 'transient' },
      timeoutMs: 5000,
    },
    { id: 'long', kind: 'condition', inputs: { test: '{{nodes.shout.output.result}}' } },
    { id: 'pause', kind: 'tool', tool: 'util.wait', inputs: { ms: 10 } },
  ],
  edges: [
    { id: 'e1', source: 'greet', target: 'shout' },
    { id: 'e2', source: 'shout', target: 'long' },
    { id: 'e3', source: 'long', target: 'pause', branch: 'true' },
  ],
};

const chain = (ms: number, ids = ['a', 'b', 'c']) =>
  Workflow.parse({
    id: 'chain',
    name: 'Chain',
    nodes: ids.map((id) => ({ id, kind: 'tool', tool: 'util.wait', inputs: { ms } })),
    edges: ids.slice(1).map((id, i) => ({ id: `e${i}`, source: ids[i], target: id })),
  });

function waitForEvent(engine: LocalEngine, match: (e: EngineEvent) => boolean): Promise<EngineEvent> {
  return new Promise((resolve) => {
    const off = engine.subscribe((batch) => {
      const hit = batch.find(match);
      if (hit) {
        off();
        resolve(hit);
      }
    });
  });
}

describe('createEngine', () => {
  it('runs the DESIGN.md §3 example as written and persists every node execution', async () => {
    const engine = engineAt();
    const checked = engine.validate(DESIGN_EXAMPLE);
    expect(checked.problems).toEqual([]);
    const handle = engine.startRun(checked.workflow!, { inputs: { name: 'Ada' } });
    const view = await handle.done;
    expect(view.status).toBe('succeeded');
    expect(view.nodes.greet.output).toEqual({ text: 'Hello Ada' });
    expect(view.nodes.shout.output).toEqual({ result: 'HELLO ADA' });
    expect(view.nodes.pause.status).toBe('succeeded');

    expect(engine.getRun(handle.runId)).toMatchObject({ status: 'succeeded', workflowId: 'greeting', inputs: { name: 'Ada' } });
    expect(engine.nodeRuns(handle.runId).map((r) => [r.nodeId, r.attempt, r.status])).toEqual([
      ['greet', 1, 'succeeded'],
      ['long', 1, 'succeeded'],
      ['pause', 1, 'succeeded'],
      ['shout', 1, 'succeeded'],
    ]);
    const seqs = engine.events(handle.runId).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(engine.listRuns()[0]).toMatchObject({ runId: handle.runId, status: 'succeeded' });
  });

  it('refuses an invalid workflow with every problem, and bad run inputs', () => {
    const engine = engineAt();
    const bad = { ...chain(1), nodes: [...chain(1).nodes, { id: 'x', kind: 'tool', tool: 'no.such.tool', inputs: {} }] } as Workflow;
    expect(() => engine.startRun(bad)).toThrow(/no\.such\.tool/);
    const needsInput = Workflow.parse({ ...chain(1), settings: { inputs: { n: { type: 'number', required: true } } } });
    expect(() => engine.startRun(needsInput)).toThrow(/missing required input "n"/);
    expect(engine.listRuns()).toEqual([]);
  });

  it('validates a document once on its way to a run, and never trusts a workflow its own validation did not return', async () => {
    const engine = engineAt();
    const checks = vi.spyOn(validation, 'validateWorkflow');
    const checked = engine.validate(chain(1));
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    await engine.startRun(checked.workflow).done;
    expect(checks).toHaveBeenCalledTimes(1);
    // A copy (or a cast) is another document: checked before it runs.
    const forged = { ...checked.workflow, nodes: [...checked.workflow.nodes, { id: 'x', kind: 'tool' as const, tool: 'no.such.tool', inputs: {} }] };
    expect(() => engine.startRun(forged)).toThrow(/no\.such\.tool/);
    expect(checks).toHaveBeenCalledTimes(2);
    checks.mockRestore();
  });

  it('answers every waiter of a running run once it finishes, with its final events stored', async () => {
    const engine = engineAt();
    const handle = engine.startRun(chain(20));
    const waiters = [engine.waitForRun(handle.runId), engine.waitForRun(handle.runId)];
    const views = await Promise.all(waiters);
    for (const view of views) expect(view.status).toBe('succeeded');
    expect(engine.events(handle.runId).at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    expect((await handle.done).status).toBe('succeeded');
  });

  it('types run inputs once and stores them in that form: the run row, run.started and the view agree', async () => {
    const engine = engineAt();
    const wf = Workflow.parse({
      ...chain(1),
      settings: { inputs: { n: { type: 'number', required: true }, flag: { type: 'boolean' }, who: { type: 'string', default: 'ann' } } },
    });
    // What `awe run --input n=3 --input flag=yes` passes: text.
    const view = await engine.startRun(wf, { inputs: { n: '3', flag: 'yes' } }).done;
    const typed = { n: 3, flag: true, who: 'ann' };
    expect(view.inputs).toEqual(typed);
    expect(engine.getRun(view.runId)?.inputs).toEqual(typed);
    expect(engine.events(view.runId)[0]).toMatchObject({ type: 'run.started', inputs: typed });
    expect(() => engine.startRun(wf, { inputs: { n: 'three' } })).toThrow(/input "n" must be a number, got "three"/);
  });

  it('reruns a node with edited inputs and keeps the other outputs', async () => {
    const engine = engineAt();
    const first = await engine.startRun(engine.validate(DESIGN_EXAMPLE).workflow!, { inputs: { name: 'Ada' } }).done;
    const rerun = await engine.rerunNode(first.runId, 'greet', { mode: 'only', inputs: { template: 'Bye {{input.name}}' } }).done;
    expect(rerun.nodes.greet.output).toEqual({ text: 'Bye Ada' });
    expect(rerun.nodes.greet.attempts).toBe(2);
    expect(rerun.nodes.shout).toMatchObject({ output: { result: 'HELLO ADA' }, attempts: 1 });
    // History keeps both executions of greet, one per generation.
    const greetRuns = engine.nodeRuns(first.runId).filter((r) => r.nodeId === 'greet');
    expect(greetRuns.map((r) => [r.generation, r.output])).toEqual([
      [0, { text: 'Hello Ada' }],
      [1, { text: 'Bye Ada' }],
    ]);
  });

  it('reuses a cached output across engine restarts and says so', async () => {
    const wf = Workflow.parse({
      id: 'cached',
      name: 'Cached',
      nodes: [{ id: 't', kind: 'tool', tool: 'text.template', cache: true, inputs: { template: 'same input' } }],
    });
    const first = await engineAt().startRun(wf).done;
    expect(first.nodes.t.cached).toBe(false);
    await open.pop()!.close();

    const engine = engineAt();
    const second = await engine.startRun(wf).done;
    expect(second.nodes.t).toMatchObject({ cached: true, reason: 'cache', output: { text: 'same input' } });
    expect(engine.nodeRuns(second.runId)[0]).toMatchObject({ cached: true, output: { text: 'same input' } });
  });

  it('resumes a run after a simulated crash: finished nodes are kept, the interrupted one runs again', async () => {
    const crashed = engineAt();
    const handle = crashed.startRun(chain(150));
    handle.done.catch(() => undefined);
    await waitForEvent(crashed, (e) => e.type === 'node.status' && e.nodeId === 'b' && e.status === 'running');
    // The process "dies": nothing more reaches the store.
    await crashed.close();
    open.splice(open.indexOf(crashed), 1);

    const engine = engineAt();
    expect(engine.getRun(handle.runId)?.status).toBe('running');
    const handles = engine.resumeRuns();
    expect(handles.map((h) => h.runId)).toEqual([handle.runId]);
    const view = await handles[0].done;
    expect(view.status).toBe('succeeded');
    expect(view.nodes.a.attempts).toBe(1);
    expect(view.nodes.b.reason).toBe('resume');
    const statuses = engine.events(handle.runId).filter((e) => e.type === 'node.status' && e.nodeId === 'b').map((e) => (e as { status: string }).status);
    expect(statuses).toContain('interrupted');
    // `a` ran once in the whole history.
    expect(engine.nodeRuns(handle.runId).filter((r) => r.nodeId === 'a')).toHaveLength(1);
    expect(engine.resumeRuns()).toEqual([]);
  });

  it('waits for a person, takes the approval, and finishes the run', async () => {
    const engine = engineAt();
    const wf = Workflow.parse({
      id: 'gate',
      name: 'Gate',
      nodes: [
        { id: 'ask', kind: 'approval', inputs: { message: 'Ship it?' } },
        { id: 'after', kind: 'tool', tool: 'text.template', inputs: { template: 'shipped' } },
      ],
      edges: [{ id: 'e', source: 'ask', target: 'after' }],
    });
    const handle = engine.startRun(wf);
    await waitForEvent(engine, (e) => e.type === 'approval.requested');
    expect(engine.runView(handle.runId)?.status).toBe('waiting');
    expect(() => engine.approve(handle.runId, 'after', true)).toThrow(/not waiting for approval/);
    engine.approve(handle.runId, 'ask', true, 'go');
    const view = await handle.done;
    expect(view.status).toBe('succeeded');
    expect(view.nodes.after.output).toEqual({ text: 'shipped' });
  });

  it('saves artifacts as files and exports the run as a zip bundle', async () => {
    const engine = engineAt();
    const wf = Workflow.parse({
      id: 'report',
      name: 'Report',
      nodes: [{ id: 'save', kind: 'tool', tool: 'artifact.save', inputs: { name: '../../escape report.md', content: '# Hi', format: 'markdown' } }],
    });
    const view = await engine.startRun(wf).done;
    // A name with folders is refused by the tool; save a plain one instead.
    expect(view.status).toBe('failed');
    const ok = await engine.startRun({ ...wf, nodes: [{ ...wf.nodes[0], inputs: { name: 'report.md', content: '# Hi', format: 'markdown' } }] }).done;
    expect(ok.status).toBe('succeeded');
    const [artifact] = engine.listArtifacts(ok.runId);
    expect(artifact).toMatchObject({ name: 'report.md', mime: 'text/markdown', size: 4, nodeId: 'save' });
    const path = engine.artifactPath(artifact.id);
    expect(path.startsWith(join(dir, 'artifacts', ok.runId))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('# Hi');

    const files = unzipSync(await engine.exportRunBundle(ok.runId));
    expect(Object.keys(files).sort()).toEqual(['artifacts/report.md', 'events.jsonl', 'run.json', 'scorecard.json', 'workflow.awe.json']);
    expect(strFromU8(files['artifacts/report.md'])).toBe('# Hi');
    expect(JSON.parse(strFromU8(files['workflow.awe.json'])).id).toBe('report');
    const events = strFromU8(files['events.jsonl']).trim().split('\n').map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'artifact.created')).toBe(true);
  });

  it('plans with the planner chosen in Settings when the request names none, and the request wins when it does', async () => {
    const asked: string[] = [];
    const model: LlmChatClient = {
      model: 'scripted',
      chat: async (request) => {
        asked.push(request.messages.at(-1)?.content ?? '');
        throw new Error('the scripted model is down');
      },
    };
    const engine = engineAt({ llm: model });
    engine.updateSettings({ planner: 'offline' });
    const goal = 'Transform data.json: keep the items whose price is over 10';

    const byDefault = await engine.plan(goal);
    expect(byDefault.planner).toBe('offline');
    // The person chose offline: the configured model is never asked, not even as a first try.
    expect(asked).toHaveLength(0);
    expect(byDefault.explanation).not.toMatch(/LLM planner failed/);

    await expect(engine.plan(goal, { planner: 'llm' })).rejects.toThrow(/scripted model is down/);
    expect(asked.length).toBeGreaterThan(0);
  });

  it('saves workflows with a bumped version each time', () => {
    const engine = engineAt();
    const wf = chain(1);
    expect(engine.saveWorkflow(wf).version).toBe(1);
    expect(engine.saveWorkflow({ ...wf, name: 'Renamed' }).version).toBe(2);
    expect(engine.listWorkflows()).toMatchObject([{ id: 'chain', name: 'Renamed', version: 2 }]);
    expect(engine.deleteWorkflow('chain')).toBe(true);
    expect(engine.getWorkflow('chain')).toBeUndefined();
  });
});
