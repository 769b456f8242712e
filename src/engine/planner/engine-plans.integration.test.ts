/**
 * Offline plans and model nodes through the REAL engine (SQLite store, scheduler, policy
 * gate, tool registry): a plan is only useful if the engine that runs it agrees.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion, jsonCompletion, startScriptedOpenAI, toolCallCompletion, type ScriptedOpenAI } from '../../../tests/support/scripted-openai';
import { Workflow } from '../../contract';
import { createEngine, type LocalEngine } from '../engine';
import { createLlmClient } from '../tools/llm/client';

let server: ScriptedOpenAI;
let engine: LocalEngine;
let dataDir: string;
let workspace: string;

beforeAll(async () => {
  server = await startScriptedOpenAI();
  dataDir = mkdtempSync(path.join(tmpdir(), 'awe-plans-data-'));
  workspace = mkdtempSync(path.join(tmpdir(), 'awe-plans-ws-'));
  mkdirSync(path.join(workspace, 'docs/sub'), { recursive: true });
  writeFileSync(path.join(workspace, 'docs/a.md'), '# Alpha\ntext');
  writeFileSync(path.join(workspace, 'docs/sub/b.md'), 'Beta line');
  writeFileSync(path.join(workspace, 'data.csv'), 'a,b\n1,2\n\n1,2\n3,4\n');
  writeFileSync(path.join(workspace, 'app.ts'), '// TODO x\nconsole.log(1)\n');
  engine = createEngine({
    dataDir,
    secrets: { get: () => undefined, set: () => {} },
    llm: createLlmClient({ baseUrl: server.baseUrl, apiKey: 'k', model: 'm', prices: { m: { prompt: 1, completion: 1 } } }),
  });
});
afterAll(async () => {
  await engine?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
});

async function runGoal(goal: string) {
  const plan = await engine.plan(goal, { planner: 'offline' });
  const handle = engine.startRun(plan.workflow, { workspaceDir: workspace });
  const view = await handle.done;
  const artifacts = engine.listArtifacts(handle.runId).map((a) => ({ name: a.name, text: readFileSync(engine.artifactPath(a.id), 'utf8') }));
  return { plan, view, artifacts };
}

describe('offline plans run in the real engine', () => {
  it('folder index', async () => {
    const { view, artifacts } = await runGoal('Index the markdown files in docs/');
    expect(view.status).toBe('succeeded');
    expect(artifacts[0].name).toBe('index.md');
    expect(artifacts[0].text).toContain('| docs/sub/b.md | 9 | Beta line |');
  });

  it('CSV cleaning', async () => {
    const csv = await runGoal('Clean data.csv');
    expect(csv.artifacts[0].text).toBe('a,b\n1,2\n3,4\n');
  });

  it('code review: rule findings plus the configured model\'s review in one report', async () => {
    const before = server.requests.length;
    // the review, then the critic's judge of the review's acceptance criteria
    server.enqueue(completion({ content: 'Line 2 logs to the console; remove it.' }), jsonCompletion({ pass: true, reasons: ['names line 2', 'suggests removal'] }));
    const review = await runGoal('Review app.ts');
    expect(review.plan.workflow.nodes.map((n) => n.tool)).toEqual(['file.read', 'json.transform', 'llm.generate', 'artifact.save']);
    expect(review.artifacts[0].text).toContain('app.ts:2 — debug-output');
    expect(review.artifacts[0].text).toContain('## Model review\n\nLine 2 logs to the console; remove it.');
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(2);
    expect(sent[0].body.messages[1].content).toContain('console.log(1)');
    expect(sent[1].body.response_format.json_schema.name).toBe('verdict');
    expect(server.pending()).toBe(0);
  });

  it('an unknown goal runs and explains itself', async () => {
    const { view, plan } = await runGoal('what is love');
    expect(view.status).toBe('succeeded');
    expect(plan.workflow.nodes.map((n) => n.id)).toEqual(['explain']);
  });
});

describe('model nodes in the real engine against the scripted server', () => {
  it('an agent node calls an allowed tool through the engine and records usage on the node run', async () => {
    server.enqueue(
      toolCallCompletion([{ id: 'c1', name: 'text_template', arguments: { template: 'from the agent' } }], { promptTokens: 30, completionTokens: 5 }),
      completion({ content: 'Done: from the agent', promptTokens: 40, completionTokens: 6 }),
    );
    const workflow = Workflow.parse({
      id: 'agent-demo',
      name: 'Agent demo',
      nodes: [{ id: 'agent', kind: 'agent', inputs: { goal: 'Render a greeting', tools: ['text.template'] } }],
    });
    const handle = engine.startRun(workflow);
    const view = await handle.done;
    expect(view.status).toBe('succeeded');
    const nodeRun = engine.nodeRuns(handle.runId).find((r) => r.nodeId === 'agent')!;
    const output = nodeRun.output as { text: string; steps: { tool: string; output: unknown }[] };
    expect(output.text).toBe('Done: from the agent');
    expect(output.steps).toEqual([{ tool: 'text.template', input: { template: 'from the agent' }, output: { text: 'from the agent' } }]);
    expect(nodeRun.usage).toMatchObject({ promptTokens: 70, completionTokens: 11 });
    // the model was offered the tool's real input schema
    expect(server.requests.at(-2)!.body.tools[0].function.parameters.properties.template).toBeDefined();
  });
});
