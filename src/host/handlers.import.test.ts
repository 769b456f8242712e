/**
 * Lenient open (issue 8, scenario 7) with the real engine and validator: a file with
 * problems opens as a draft listing every problem, nothing is saved, it cannot run;
 * a text that is not a workflow at all is refused with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createEngine, type LocalEngine } from '../engine/engine';
import { createHandlers } from './handlers';

let dir: string;
let engine: LocalEngine;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-import-'));
  engine = createEngine({ dataDir: dir });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const BROKEN = {
  id: 'broken',
  name: 'Broken',
  nodes: [
    { id: 'a', kind: 'tool', tool: 'text.template', inputs: { template: 'x {{nodes.ghost.output}}' } },
    { id: 'b', kind: 'tool', tool: 'text.template', inputs: { template: 'y' } },
    { id: 'scan', kind: 'tool', tool: 'mcp.scanner.scan', inputs: {} },
  ],
  edges: [
    { id: 'ab', source: 'a', target: 'b' },
    { id: 'ba', source: 'b', target: 'a' },
  ],
};

it('opens a file with a cycle, an unknown tool and a bad reference as a draft with every problem, saving nothing', async () => {
  const handlers = createHandlers(engine);
  const res = await handlers.dispatch('workflows.import', { text: JSON.stringify(BROKEN), fileName: 'broken.awe.json' });
  expect(res.ok).toBe(true);
  const answer = (res as { result: { ok: boolean; workflow?: { id: string; nodes: unknown[] }; problems: { code: string; nodeId?: string }[] } }).result;
  expect(answer.ok).toBe(false);
  expect(answer.workflow?.nodes).toHaveLength(3);
  const codes = answer.problems.map((p) => `${p.code}:${p.nodeId ?? ''}`);
  expect(codes).toEqual(expect.arrayContaining(['cycle:a', 'unknown-tool:scan', 'bad-reference:a']));
  expect(engine.listWorkflows()).toEqual([]);
  // It cannot run until fixed.
  expect(await handlers.dispatch('runs.start', { workflow: answer.workflow })).toMatchObject({ ok: false, error: { code: 'invalid-workflow' } });
});

it('refuses a text that is not a workflow at all, saying why', async () => {
  const handlers = createHandlers(engine);
  const notJson = await handlers.dispatch('workflows.import', { text: 'this is { not json', fileName: 'bad.awe.json' });
  expect(notJson).toMatchObject({ ok: true, result: { ok: false, problems: [{ code: 'parse', message: expect.stringContaining('Not JSON in bad.awe.json') }] } });
  expect((notJson as { result: { workflow?: unknown } }).result.workflow).toBeUndefined();
  const wrongShape = await handlers.dispatch('workflows.import', { text: JSON.stringify({ mcpServers: { fs: { command: 'npx' } } }) });
  expect(wrongShape).toMatchObject({ ok: true, result: { ok: false, problems: expect.arrayContaining([expect.objectContaining({ code: 'schema' })]) } });
  expect((wrongShape as { result: { workflow?: unknown } }).result.workflow).toBeUndefined();
  expect(engine.listWorkflows()).toEqual([]);
});

it('a valid file opens without being saved: saving is the person’s act', async () => {
  const handlers = createHandlers(engine);
  const good = { id: 'good', name: 'Good', nodes: [{ id: 'a', kind: 'tool', tool: 'text.template', inputs: { template: 'x' } }] };
  expect(await handlers.dispatch('workflows.import', { text: JSON.stringify(good) })).toMatchObject({ ok: true, result: { ok: true, workflow: { id: 'good' }, problems: [] } });
  expect(engine.listWorkflows()).toEqual([]);
});

it('a draft with problems is saved when the person saves it, its problems come back, and it still cannot run', async () => {
  const handlers = createHandlers(engine);
  const opened = (await handlers.dispatch('workflows.import', { text: JSON.stringify(BROKEN) })) as { result: { workflow: unknown } };
  // Without `draft` (the REST API's strict save) it is refused; the editor's Save keeps it as a draft.
  expect(await handlers.dispatch('workflows.save', { workflow: opened.result.workflow })).toMatchObject({ ok: false, error: { code: 'invalid-workflow' } });
  expect(engine.listWorkflows()).toEqual([]);
  const saved = await handlers.dispatch('workflows.save', { workflow: opened.result.workflow, draft: true });
  expect(saved).toMatchObject({ ok: true, result: { workflow: { id: 'broken', version: expect.any(Number) } } });
  const codes = (saved as { result: { problems: { code: string; nodeId?: string }[] } }).result.problems.map((p) => `${p.code}:${p.nodeId ?? ''}`);
  expect(codes).toEqual(expect.arrayContaining(['cycle:a', 'unknown-tool:scan', 'bad-reference:a']));
  expect(engine.listWorkflows().map((w) => w.id)).toEqual(['broken']);
  // Reopened later, it is the same draft; a run of it is refused until the problems are fixed.
  expect(await handlers.dispatch('workflows.get', { id: 'broken' })).toMatchObject({ ok: true, result: { workflow: { nodes: [{ id: 'a' }, { id: 'b' }, { id: 'scan' }] } } });
  expect(await handlers.dispatch('runs.start', { workflowId: 'broken' })).toMatchObject({ ok: false, error: { code: 'invalid-workflow' } });
});

it('exports a workflow from the UI the way the CLI writes it: $schema first, so editors find the JSON Schema', async () => {
  const handlers = createHandlers(engine);
  const doc = { id: 'plain', name: 'Plain', nodes: [{ id: 'a', kind: 'tool', tool: 'text.template', inputs: { template: 'x' } }] };
  const res = (await handlers.dispatch('workflows.export', { workflow: doc })) as { ok: boolean; result: { text: string; fileName: string } };
  expect(res.ok).toBe(true);
  expect(res.result.fileName).toBe('plain.awe.json');
  expect(res.result.text).toMatch(/^\{\n {2}"\$schema": "https:\/\/awe\.dev\/schema\/awe\.schema\.json",\n {2}"id": "plain"/);
  const back = await handlers.dispatch('workflows.import', { text: res.result.text });
  expect(back).toMatchObject({ ok: true, result: { ok: true, workflow: { id: 'plain' }, problems: [] } });
});
