import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtinCatalog, builtinValidate } from '../../../tests/support/catalog';
import { completion, jsonCompletion, startScriptedOpenAI, type ScriptedOpenAI } from '../../../tests/support/scripted-openai';
import { Workflow } from '../../contract';
import { classifyError } from '../errors';
import { createLlmClient } from '../tools/llm/client';
import { planGoal } from './index';
import { PlanningError, planWithLlm } from './llm';

let server: ScriptedOpenAI;
beforeAll(async () => {
  server = await startScriptedOpenAI();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  expect(server.pending()).toBe(0);
});

const catalog = builtinCatalog();
const validate = builtinValidate();
const llm = () => createLlmClient({ baseUrl: server.baseUrl, apiKey: 'k', model: 'planner-model', prices: { 'planner-model': { prompt: 2, completion: 8 } } });

const goodWorkflow = {
  id: 'greeting',
  name: 'Greeting report',
  nodes: [
    { id: 'write', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello {{input.name}}' } },
    {
      id: 'save',
      kind: 'tool',
      tool: 'artifact.save',
      inputs: { name: 'greeting.md', content: '{{nodes.write.output.text}}', format: 'markdown' },
      acceptance: { nonEmpty: true },
      outputSchema: { type: 'object' },
    },
  ],
  edges: [{ id: 'e1', source: 'write', target: 'save' }],
  settings: { inputs: { name: { type: 'string', default: 'world' } } },
};
const good = { workflow: goodWorkflow, explanation: 'Writes a greeting and saves it.' };
const cyclic = { ...good, workflow: { ...goodWorkflow, edges: [...goodWorkflow.edges, { id: 'e2', source: 'save', target: 'write' }] } };
const unknownTool = {
  ...good,
  workflow: { ...goodWorkflow, nodes: [{ ...goodWorkflow.nodes[0], tool: 'text.render' }, goodWorkflow.nodes[1]] },
};

const lastUserMessage = (i: number): string => server.requests[i].body.messages.at(-1).content;

describe('planWithLlm against a scripted OpenAI-compatible server', () => {
  it('a valid plan on the first answer: sends the goal, catalog and workflow schema as structured output', async () => {
    server.enqueue(jsonCompletion(good, { promptTokens: 1000, completionTokens: 200 }));
    const plan = await planWithLlm('Greet the world in a report', catalog, llm(), { validate });
    expect(plan.rounds).toBe(1);
    expect(plan.workflow.nodes.map((n) => n.id)).toEqual(['write', 'save']);
    expect(plan.workflow.nodes[1].acceptance).toEqual({ nonEmpty: true });
    expect(plan.workflow.nodes[1].outputSchema).toEqual({ type: 'object' });
    expect(plan.explanation).toBe('Writes a greeting and saves it.');
    expect(plan.usage).toMatchObject({ promptTokens: 1000, completionTokens: 200 });
    expect(plan.usage.costUsd).toBeCloseTo((1000 * 2 + 200 * 8) / 1e6, 12);

    const body = server.requests[0].body;
    const user = body.messages[1].content as string;
    expect(user).toContain('Goal: Greet the world in a report');
    for (const name of ['http.fetch', 'file.read', 'json.transform', 'artifact.save', 'llm.generate']) expect(user).toContain(`"name":"${name}"`);
    expect(body.response_format.type).toBe('json_schema');
    const schema = body.response_format.json_schema.schema;
    expect(schema.required).toEqual(['workflow', 'explanation']);
    expect(schema.properties.workflow.properties.nodes.type).toBe('array');
    // The shipped *.awe.json schema, less what describes a file and the tools a plan may not grant itself.
    const shipped = JSON.parse(readFileSync(new URL('../../../resources/awe.schema.json', import.meta.url), 'utf8'));
    const { $schema: _s, $id: _i, title: _t, description: _d, ...fileSchema } = shipped;
    delete fileSchema.properties.settings.properties.allowTools;
    expect(schema.properties.workflow).toEqual(fileSchema);
  });

  it('invalid JSON counts as a failed round and is repaired', async () => {
    server.enqueue(completion({ content: '{"workflow": {"id": "x", "nodes": [' }), jsonCompletion(good));
    const plan = await planWithLlm('Greet', catalog, llm(), { validate });
    expect(plan.rounds).toBe(2);
    expect(lastUserMessage(1)).toContain('not valid JSON');
    // the conversation carries the broken answer so the model can see what it sent
    expect(server.requests[1].body.messages.at(-2)).toEqual({ role: 'assistant', content: '{"workflow": {"id": "x", "nodes": [' });
  });

  it('a plan with a cycle: the validator problems are fed back and the repaired plan is returned', async () => {
    server.enqueue(jsonCompletion(cyclic), jsonCompletion(good));
    const direct = validate(cyclic.workflow);
    const cycleProblem = direct.problems.find((p) => p.code === 'cycle')!;
    expect(cycleProblem).toBeDefined();

    const plan = await planWithLlm('Greet', catalog, llm(), { validate });
    expect(plan.rounds).toBe(2);
    expect(plan.workflow.edges).toHaveLength(1);
    expect(lastUserMessage(1)).toContain('[cycle]');
    expect(lastUserMessage(1)).toContain(cycleProblem.message);
  });

  it('a plan naming an unknown tool is sent back with the tool named', async () => {
    server.enqueue(jsonCompletion(unknownTool), jsonCompletion(good));
    const plan = await planWithLlm('Greet', catalog, llm(), { validate });
    expect(plan.rounds).toBe(2);
    expect(lastUserMessage(1)).toContain('text.render');
    expect(lastUserMessage(1)).toMatch(/unknown-tool|missing-tool/);
  });

  it('after the initial answer and 3 failed repairs it stops with a clear error listing the last problems', async () => {
    server.enqueue(jsonCompletion(cyclic), jsonCompletion(unknownTool), completion({ content: 'I think you should…' }), jsonCompletion(cyclic));
    let err: unknown;
    await planWithLlm('Greet', catalog, llm(), { validate }).catch((e) => (err = e));
    expect(err).toBeInstanceOf(PlanningError);
    const e = err as PlanningError;
    expect(e.message).toContain('after 4 attempts (3 repairs)');
    expect(e.message).toContain('[cycle]');
    expect(e.problems.some((p) => p.code === 'cycle')).toBe(true);
    expect(server.requests).toHaveLength(4);
  });

  it('a 429 surfaces as a transient error with the retry-after, and a 500 as transient', async () => {
    server.enqueue({ status: 429, retryAfter: '7' });
    let err: unknown;
    await planWithLlm('Greet', catalog, llm(), { validate }).catch((e) => (err = e));
    expect(classifyError(err)).toMatchObject({ class: 'transient', code: 'HTTP_429', retryAfterMs: 7000 });

    server.enqueue({ status: 500 });
    await planWithLlm('Greet', catalog, llm(), { validate }).catch((e) => (err = e));
    expect(classifyError(err)).toMatchObject({ class: 'transient', code: 'HTTP_500' });

    server.enqueue(jsonCompletion(good));
    expect((await planWithLlm('Greet', catalog, llm(), { validate })).rounds).toBe(1);
  });
});

describe('planGoal', () => {
  it('auto uses the model when one is configured, offline otherwise; llm without a model is a clear error', async () => {
    server.enqueue(jsonCompletion(good));
    expect((await planGoal('Greet', { catalog, validate, llm: llm() })).planner).toBe('llm');
    const offline = await planGoal('Index the files in docs/', { catalog, validate });
    expect(offline.planner).toBe('offline');
    expect(offline.workflow.nodes[0].tool).toBe('file.list');
    await expect(planGoal('Greet', { catalog, validate, planner: 'llm' })).rejects.toThrow(/OPENAI_API_KEY/);
  });

  it('never lets a plan carry settings.allowTools: the model cannot grant itself tools, a replan keeps the person’s own request', async () => {
    const greedy = { ...good, workflow: { ...goodWorkflow, settings: { ...goodWorkflow.settings, allowTools: ['*'] } } };
    server.enqueue(jsonCompletion(greedy));
    const planned = await planGoal('Greet', { catalog, validate, llm: llm() });
    expect(planned.workflow.settings.allowTools).toBeUndefined();
    expect(planned.workflow.settings.inputs).toEqual(goodWorkflow.settings.inputs);
    expect(JSON.stringify(server.requests.at(-1)!.body.response_format)).not.toContain('allowTools');

    server.enqueue(jsonCompletion({ ...greedy, workflow: { ...greedy.workflow, settings: { allowTools: ['file.write', 'http.fetch'] } } }));
    const current = Workflow.parse({ ...goodWorkflow, settings: { ...goodWorkflow.settings, allowTools: ['file.write'] } });
    expect((await planGoal('Greet again', { catalog, validate, llm: llm(), current })).workflow.settings.allowTools).toEqual(['file.write']);
    expect((await planGoal('Index the files in docs/', { catalog, validate })).workflow.settings.allowTools).toBeUndefined();
  });

  it('auto falls back to the offline plan when the model endpoint fails, and says so', async () => {
    server.enqueue({ status: 503, message: 'overloaded' });
    const res = await planGoal('Write a deploy checklist', { catalog, validate, llm: llm() });
    expect(res.planner).toBe('offline');
    expect(res.explanation).toContain('The LLM planner failed');
    expect(res.workflow.nodes.map((n) => n.tool)).toContain('artifact.save');
    server.enqueue({ status: 503 });
    await expect(planGoal('Write a deploy checklist', { catalog, validate, llm: llm(), planner: 'llm' })).rejects.toThrow(/503|failed/);
  });

  it('replanning keeps hand-edited nodes unless the model lists them in removals, and returns the diff', async () => {
    const current = Workflow.parse({
      ...goodWorkflow,
      nodes: [
        { ...goodWorkflow.nodes[0], position: { x: 10, y: 20 } },
        goodWorkflow.nodes[1],
        { id: 'my_note', kind: 'tool', tool: 'text.template', inputs: { template: 'hand-made' } },
        { id: 'old_step', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } },
      ],
      edges: [...goodWorkflow.edges, { id: 'e9', source: 'write', target: 'my_note' }],
    });
    const proposal = {
      workflow: {
        ...goodWorkflow,
        nodes: [{ ...goodWorkflow.nodes[0], inputs: { template: 'Hi {{input.name}}' } }, goodWorkflow.nodes[1]],
      },
      explanation: 'Friendlier greeting.',
      removals: ['old_step'],
    };
    server.enqueue(jsonCompletion(proposal));
    const res = await planGoal('Greet more warmly', { catalog, validate, llm: llm(), current });
    expect(res.diff).toEqual({ added: [], removed: ['old_step'], changed: ['write'], kept: ['my_note'] });
    expect(res.workflow.nodes.map((n) => n.id)).toEqual(['write', 'save', 'my_note']);
    expect(res.workflow.edges.map((e) => e.id)).toEqual(['e1', 'e9']);
    expect(res.workflow.nodes[0].position).toEqual({ x: 10, y: 20 });
    expect(validate(res.workflow).ok).toBe(true);
    // the model saw the current workflow
    expect(lastUserMessage(0)).toContain('"my_note"');
  });
});
