/**
 * Runs started through the handlers use the workflow's workspace: the person's files are
 * reached from the Samples workspace of a fresh install or the folder they chose (issue 8, scenario 1).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunView } from '../contract';
import { createEngine, type LocalEngine } from '../engine';
import { createHandlers, type DispatchResult } from './handlers';

let dir: string;
let engines: LocalEngine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-workspaces-'));
});
afterEach(async () => {
  for (const e of engines) await e.close().catch(() => undefined);
  engines = [];
  rmSync(dir, { recursive: true, force: true });
});


describe('runs started through the handlers use the workflow’s workspace', () => {
  const start = async () => {
    const engine = createEngine({ dataDir: join(dir, 'data'), interactive: true });
    engines.push(engine);
    return { engine, handlers: createHandlers(engine) };
  };
  const result = <T>(res: DispatchResult): T => {
    if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
    return res.result as T;
  };

  it('plans “Clean data/customers.csv and remove duplicates” on a fresh data folder and runs it on the sample data', async () => {
    const { engine, handlers } = await start();
    const { workflow } = result<{ workflow: { id: string } }>(await handlers.dispatch('plan', { goal: 'Clean data/customers.csv and remove duplicates' }));
    const { runId } = result<{ runId: string }>(await handlers.dispatch('runs.start', { workflow }));
    const view: RunView = await engine.waitForRun(runId);
    expect(view.status).toBe('succeeded');
    const clean = engine.nodeRuns(runId).find((n) => n.nodeId === 'clean')!;
    expect((clean.output as { result: { removed: number } }).result.removed).toBe(3);
    expect(engine.listArtifacts(runId).map((a) => a.name)).toContain('customers.clean.csv');
  });

  it('plans “Index the markdown files in docs/” and indexes the sample docs', async () => {
    const { engine, handlers } = await start();
    const { workflow } = result<{ workflow: unknown }>(await handlers.dispatch('plan', { goal: 'Index the markdown files in docs/' }));
    const { runId } = result<{ runId: string }>(await handlers.dispatch('runs.start', { workflow }));
    expect((await engine.waitForRun(runId)).status).toBe('succeeded');
    const [artifact] = engine.listArtifacts(runId);
    expect(readFileSync(engine.artifactPath(artifact.id), 'utf8')).toMatch(/3 files[\s\S]*faq\.md[\s\S]*Frequently asked questions/);
  });

  it('a chosen folder is where the run reads; a folder that is gone stops the run before it starts', async () => {
    const { engine, handlers } = await start();
    const folder = join(dir, 'mine');
    mkdirSync(join(folder, 'data'), { recursive: true });
    writeFileSync(join(folder, 'data', 'customers.csv'), 'id,name\n1,Ada\n1,Ada\n');
    const { workflow } = result<{ workflow: { id: string } }>(await handlers.dispatch('plan', { goal: 'Clean data/customers.csv and remove duplicates' }));
    expect(result(await handlers.dispatch('workspaces.set', { workflowId: workflow.id, path: folder }))).toEqual({ path: folder, isDefault: false });
    expect(result(await handlers.dispatch('workspaces.get', { workflowId: workflow.id }))).toEqual({ path: folder, isDefault: false });
    const { runId } = result<{ runId: string }>(await handlers.dispatch('runs.start', { workflow }));
    expect((await engine.waitForRun(runId)).status).toBe('succeeded');
    expect(engine.nodeRuns(runId).find((n) => n.nodeId === 'read')?.output).toMatchObject({ text: 'id,name\n1,Ada\n1,Ada\n' });

    const missing = await handlers.dispatch('workspaces.set', { workflowId: workflow.id, path: join(dir, 'nowhere') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'bad-request', message: `The folder "${join(dir, 'nowhere')}" does not exist.` } });
    rmSync(folder, { recursive: true });
    const gone = await handlers.dispatch('runs.start', { workflow });
    expect(gone).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(!gone.ok && gone.error.message).toMatch(/Choose another folder with the Workspace button/);
  });

  it('the folder dialog is offered only where the platform has one', async () => {
    const { engine } = await start();
    expect(await createHandlers(engine).dispatch('workspaces.browse', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await createHandlers(engine, { chooseFolder: async () => '/picked' }).dispatch('workspaces.browse', {})).toEqual({ ok: true, result: { path: '/picked' } });
  });
});
