import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../contract';
import type { CommandName } from '../contract';
import { createEngineDouble } from './engine-double.testkit';
import type { EngineDouble } from './engine-double.testkit';
import { createHandlers } from './handlers';
import { EngineError, serializeWorkflow } from '../engine';

const doc = {
  id: 'greeting',
  name: 'Greeting',
  nodes: [
    { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello' } },
    { id: 'shout', kind: 'tool', tool: 'json.transform', inputs: {} },
  ],
  edges: [{ id: 'e1', source: 'greet', target: 'shout' }],
};

let engine: EngineDouble;
let runId: string;
let artifactId: string;
let dir: string;

beforeEach(() => {
  engine = createEngineDouble();
  engine.saveWorkflow(engine.validate(doc).workflow!);
  runId = engine.startRun(engine.getWorkflow('greeting')!).runId;
  dir = mkdtempSync(join(tmpdir(), 'awe-handlers-'));
  writeFileSync(join(dir, 'report.md'), '# Report\nall good');
  artifactId = engine.addArtifact(runId, 'report.md', 'text/markdown', join(dir, 'report.md'), 17).id;
  engine.calls.length = 0;
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A valid request for every command and the engine method it must reach. */
const cases: Record<CommandName, () => { request: unknown; reaches: string }> = {
  'plan': () => ({ request: { goal: 'summarise a page' }, reaches: 'plan' }),
  'workflows.validate': () => ({ request: { workflow: doc }, reaches: 'validate' }),
  'workflows.save': () => ({ request: { workflow: doc }, reaches: 'saveWorkflow' }),
  'workflows.get': () => ({ request: { id: 'greeting' }, reaches: 'getWorkflow' }),
  'workflows.list': () => ({ request: {}, reaches: 'listWorkflows' }),
  'workflows.delete': () => ({ request: { id: 'greeting' }, reaches: 'deleteWorkflow' }),
  'workflows.import': () => ({ request: { text: JSON.stringify(doc) }, reaches: 'validate' }),
  'workflows.export': () => ({ request: { id: 'greeting' }, reaches: 'getWorkflow' }),
  'runs.start': () => ({ request: { workflowId: 'greeting', inputs: { name: 'Ada' } }, reaches: 'startRun' }),
  'workflows.allowRequest': () => ({ request: { workflowId: 'greeting' }, reaches: 'workflowAllowRequest' }),
  'workflows.approveAllowRequest': () => ({ request: { workflow: doc, tools: [] }, reaches: 'approveWorkflowAllowRequest' }),
  'workspaces.get': () => ({ request: { workflowId: 'greeting' }, reaches: 'workspaceOf' }),
  'workspaces.set': () => ({ request: { workflowId: 'greeting', path: tmpdir() }, reaches: 'chooseWorkspace' }),
  'workspaces.browse': () => ({ request: {}, reaches: 'chooseFolder' }),
  'runs.cancel': () => ({ request: { runId }, reaches: 'cancelRun' }),
  'runs.rerunNode': () => ({ request: { runId, nodeId: 'shout', mode: 'only' }, reaches: 'rerunNode' }),
  'runs.retryFailed': () => ({ request: { runId }, reaches: 'retryFailed' }),
  'runs.resume': () => ({ request: {}, reaches: 'resumeRuns' }),
  'runs.approve': () => ({ request: { runId, nodeId: 'greet', approved: true }, reaches: 'approve' }),
  'runs.list': () => ({ request: { limit: 5 }, reaches: 'listRuns' }),
  'runs.get': () => ({ request: { runId }, reaches: 'nodeRuns' }),
  'runs.events': () => ({ request: { runId, afterSeq: 2 }, reaches: 'events' }),
  'runs.scorecard': () => ({ request: { runId }, reaches: 'events' }),
  'tools.list': () => ({ request: {}, reaches: 'listTools' }),
  'mcp.list': () => ({ request: {}, reaches: 'listMcpServers' }),
  'mcp.import': () => ({ request: { text: '{"mcpServers":{"fs":{"command":"npx","args":[]}}}' }, reaches: 'importMcpServers' }),
  'mcp.approve': () => ({ request: { name: 'fs' }, reaches: 'approveMcpServer' }),
  'mcp.remove': () => ({ request: { name: 'fs' }, reaches: 'removeMcpServer' }),
  'settings.get': () => ({ request: {}, reaches: 'getSettings' }),
  'settings.update': () => ({ request: { llm: { apiKey: 'sk-secret' } }, reaches: 'updateSettings' }),
  'servers.list': () => ({ request: {}, reaches: 'teamServers.list' }),
  'servers.save': () => ({ request: { url: 'http://10.0.0.5:8787', token: 't0ken' }, reaches: 'teamServers.save' }),
  'servers.remove': () => ({ request: { url: 'http://10.0.0.5:8787' }, reaches: 'teamServers.remove' }),
  'servers.credentials': () => (engine.teamServers.save('http://10.0.0.5:8787/', 't0ken'), { request: { url: 'http://10.0.0.5:8787' }, reaches: 'teamServers.credentials' }),
  'artifacts.list': () => ({ request: { runId }, reaches: 'listArtifacts' }),
  'artifacts.preview': () => ({ request: { artifactId }, reaches: 'getArtifact' }),
  'artifacts.export': () => ({ request: { artifactId }, reaches: 'getArtifact' }),
  'runs.export': () => ({ request: { runId }, reaches: 'getRun' }),
  'runs.import': () => ({ request: { bundle: Buffer.from('PK\x03\x04').toString('base64'), fileName: 'run.zip' }, reaches: 'importRunBundle' }),
};

describe('createHandlers', () => {
  it.each(COMMAND_NAMES)('%s reaches the engine and answers with a valid response', async (command) => {
    const chooseFolder = async () => (engine.calls.push({ method: 'chooseFolder', args: [] }), '/home/me/data');
    const handlers = createHandlers(engine, { downloadUrl: (kind, id) => `/dl/${kind}/${id}`, chooseFolder });
    const { request, reaches } = cases[command]();
    const res = await handlers.dispatch(command, request);
    expect(res).toMatchObject({ ok: true });
    expect(engine.calls.map((c) => c.method)).toContain(reaches);
  });

  it('passes the validated request to the engine (defaults applied)', async () => {
    const handlers = createHandlers(engine);
    await handlers.dispatch('runs.rerunNode', { runId, nodeId: 'shout' });
    expect(engine.calls.find((c) => c.method === 'rerunNode')?.args).toEqual([runId, 'shout', { mode: 'downstream', inputs: undefined }]);
  });

  it('hands the editor\'s document of a rerun to the engine, checked like any workflow', async () => {
    const handlers = createHandlers(engine);
    const workflow = { id: 'wf', name: 'wf', nodes: [{ id: 'shout', kind: 'tool', tool: 'text.template', inputs: { template: 'hi' } }] };
    await handlers.dispatch('runs.rerunNode', { runId, nodeId: 'shout', mode: 'only', workflow });
    expect(engine.calls.find((c) => c.method === 'rerunNode')?.args).toEqual([runId, 'shout', { mode: 'only', inputs: undefined, workflow: expect.objectContaining({ id: 'wf', nodes: [expect.objectContaining({ id: 'shout' })] }) }]);
    const bad = await handlers.dispatch('runs.rerunNode', { runId, nodeId: 'shout', workflow: { id: 'wf', nodes: 'none' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/workflow\.name: is required.*workflow\.nodes: should be a list, not a text/) } });
  });

  it('rejects malformed payloads with bad-request naming the field, without calling the engine', async () => {
    const handlers = createHandlers(engine);
    for (const [command, request] of [
      ['plan', { goal: '' }],
      ['plan', { goal: 42 }],
      ['runs.events', { runId, afterSeq: -1 }],
      ['runs.list', { limit: 'ten' }],
      ['workflows.list', { extra: true }],
      ['runs.start', 'not an object'],
    ] as const) {
      const res = await handlers.dispatch(command, request);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.error.code).toBe('bad-request');
    }
    const res = await handlers.dispatch('runs.events', { runId, afterSeq: -1 });
    expect(!res.ok && res.error.message).toMatch(/afterSeq/);
    expect(engine.calls.filter((c) => c.method !== 'validate' && c.method !== 'getRun')).toEqual([]);
  });

  it('answers unknown commands with unknown-command', async () => {
    const res = await createHandlers(engine).dispatch('runs.explode', {});
    expect(res).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    const res2 = await createHandlers(engine).dispatch('__proto__', {});
    expect(res2).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
  });

  it('maps unknown ids to not-found and invalid workflows to invalid-workflow with problems', async () => {
    const handlers = createHandlers(engine);
    expect(await handlers.dispatch('runs.get', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await handlers.dispatch('workflows.get', { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await handlers.dispatch('runs.rerunNode', { runId, nodeId: 'ghost' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const bad = { ...doc, edges: [{ id: 'e9', source: 'greet', target: 'ghost' }] };
    const res = await handlers.dispatch('runs.start', { workflow: bad });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-workflow', problems: [{ code: 'dangling-edge', edgeId: 'e9' }] } });
    expect(engine.calls.map((c) => c.method)).not.toContain('startRun');
  });

  it('turns an engine exception into a typed error instead of throwing', async () => {
    engine.listTools = async () => {
      throw new Error('MCP server crashed');
    };
    const res = await createHandlers(engine).dispatch('tools.list', {});
    expect(res).toEqual({ ok: false, error: { code: 'internal', message: 'MCP server crashed' } });
  });

  it('maps the engine’s errors by type: code and problems kept, a message that merely says “not found” stays internal', async () => {
    const handlers = createHandlers(engine);
    engine.approve = () => {
      throw new EngineError('conflict', 'node "ask" is not waiting for approval');
    };
    expect(await handlers.dispatch('runs.approve', { runId, nodeId: 'greet', approved: true })).toEqual({ ok: false, error: { code: 'conflict', message: 'node "ask" is not waiting for approval' } });
    const problems = [{ code: 'cycle' as const, message: 'a → b → a', nodeId: 'a' }];
    engine.plan = async () => {
      throw new EngineError('invalid-workflow', 'no valid plan after 3 rounds', { problems });
    };
    expect(await handlers.dispatch('plan', { goal: 'x' })).toEqual({ ok: false, error: { code: 'invalid-workflow', message: 'no valid plan after 3 rounds', problems } });
    engine.listTools = async () => {
      // Words are not a type: only an EngineError (or a missing file) says what the caller did wrong.
      throw Object.assign(new Error('tool catalog not found'), { code: 'NOT_FOUND', problems });
    };
    expect(await handlers.dispatch('tools.list', {})).toEqual({ ok: false, error: { code: 'internal', message: 'tool catalog not found' } });
  });

  it('exports a workflow as the CLI writes it: $schema first, then the document', async () => {
    const res = await createHandlers(engine).dispatch('workflows.export', { id: 'greeting' });
    expect(res.ok).toBe(true);
    const { text, fileName } = (res as { result: { text: string; fileName: string } }).result;
    expect(fileName).toBe('greeting.awe.json');
    expect(text).toBe(serializeWorkflow(engine.getWorkflow('greeting')!));
    expect(Object.keys(JSON.parse(text))[0]).toBe('$schema');
    expect(JSON.parse(text).$schema).toBe('https://awe.dev/schema/awe.schema.json');
  });

  it('reports a bad import file without saving anything', async () => {
    const res = await createHandlers(engine).dispatch('workflows.import', { text: '{nope', fileName: 'x.awe.json' });
    expect(res).toMatchObject({ ok: true, result: { ok: false, problems: [{ code: 'parse' }] } });
    expect(engine.calls.map((c) => c.method)).not.toContain('saveWorkflow');
  });

  it('previews text artifacts and exports through the platform', async () => {
    const saved: { name: string; bytes: Uint8Array }[] = [];
    const handlers = createHandlers(engine, { exportFile: async (name, bytes) => (saved.push({ name, bytes }), `/home/me/${name}`) });
    expect(await handlers.dispatch('artifacts.preview', { artifactId, maxBytes: 8 })).toMatchObject({ ok: true, result: { text: '# Report', truncated: true } });
    expect(await handlers.dispatch('artifacts.export', { artifactId })).toMatchObject({ ok: true, result: { path: '/home/me/report.md' } });
    expect(new TextDecoder().decode(saved[0].bytes)).toBe('# Report\nall good');
    expect(await handlers.dispatch('runs.export', { runId })).toMatchObject({ ok: true, result: { fileName: `run-${runId}.zip` } });
    expect(saved[1].bytes[0]).toBe(0x50);
  });
});
