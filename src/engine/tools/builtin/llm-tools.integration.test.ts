import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { completion, jsonCompletion, startScriptedOpenAI, toolCallCompletion, type ScriptedOpenAI } from '../../../../tests/support/scripted-openai';
import { toolHarness } from '../../../../tests/support/tool-harness';
import { classifyError } from '../../errors';
import { createLlmClient } from '../llm/client';
import type { ToolSpec } from '../types';
import { agentRunTool, AgentInput } from './agent';
import { llmGenerateTool } from './llm-generate';

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

const llm = () => createLlmClient({ baseUrl: server.baseUrl, apiKey: 'k', model: 'test-model', prices: { 'test-model': { prompt: 1, completion: 2 } } });

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return classifyError(e);
  }
  throw new Error('expected failure');
}

/** A real little tool the agent can call. */
const add: ToolSpec<{ a: number; b: number }, { sum: number }> = {
  name: 'math.add',
  title: 'Add',
  description: 'Adds two numbers',
  version: '1',
  input: z.object({ a: z.number(), b: z.number() }),
  output: z.object({ sum: z.number() }),
  effects: 'pure',
  async run({ a, b }) {
    return { sum: a + b };
  },
};

describe('llm.generate', () => {
  it('returns the text and records usage and cost on the node', async () => {
    server.enqueue(completion({ content: 'A short summary.', model: 'test-model', promptTokens: 100, completionTokens: 20 }));
    const h = toolHarness({ llm: llm() });
    const out = await llmGenerateTool.run({ prompt: 'Summarise: hello', system: 'terse' }, h.ctx);
    expect(out.text).toBe('A short summary.');
    expect(out.usage).toEqual({ promptTokens: 100, completionTokens: 20, costUsd: (100 * 1 + 20 * 2) / 1e6 });
    expect(h.usage).toEqual([{ usage: out.usage, model: 'test-model' }]);
    expect(server.requests[0].body.messages[0]).toEqual({ role: 'system', content: 'terse' });
  });

  it('parses and validates structured output against the schema', async () => {
    const schema = { type: 'object', properties: { risks: { type: 'array', items: { type: 'string' } } }, required: ['risks'] };
    server.enqueue(completion({ content: '```json\n{"risks":["a","b"]}\n```' }));
    const out = await llmGenerateTool.run({ prompt: 'list risks', schema }, toolHarness({ llm: llm() }).ctx);
    expect(out.json).toEqual({ risks: ['a', 'b'] });
    expect(server.requests[0].body.response_format.json_schema.schema).toEqual(schema);

    server.enqueue(jsonCompletion({ risks: 'not a list' }));
    const bad = await failure(llmGenerateTool.run({ prompt: 'list risks', schema }, toolHarness({ llm: llm() }).ctx));
    expect(bad.class).toBe('permanent');
    expect(bad.message).toContain('/risks');
    expect(bad.message).toContain('must be array');

    server.enqueue(completion({ content: 'Sure! Here are the risks' }));
    const notJson = await failure(llmGenerateTool.run({ prompt: 'list risks', schema }, toolHarness({ llm: llm() }).ctx));
    expect(notJson).toMatchObject({ class: 'permanent', code: 'LLM_INVALID_JSON' });
  });

  it('without a configured model fails permanently and says how to configure one', async () => {
    const err = await failure(llmGenerateTool.run({ prompt: 'x' }, toolHarness().ctx));
    expect(err).toMatchObject({ class: 'permanent', code: 'NO_LLM' });
    expect(err.message).toContain('OPENAI_API_KEY');
    expect(err.message).toContain('Settings');
  });
});

describe('agent.run', () => {
  it('calls allowed tools through ctx.callTool over tool-calling turns and returns the answer with every step', async () => {
    server.enqueue(
      toolCallCompletion([{ id: 'c1', name: 'math_add', arguments: { a: 2, b: 3 } }], { promptTokens: 50, completionTokens: 10 }),
      toolCallCompletion([{ id: 'c2', name: 'math_add', arguments: { a: 5, b: 10 } }], { promptTokens: 70, completionTokens: 10 }),
      completion({ content: 'The total is 15.', promptTokens: 90, completionTokens: 5 }),
    );
    const h = toolHarness({ llm: llm(), tools: [add] });
    const out = await agentRunTool.run(AgentInput.parse({ goal: 'add 2, 3 and 10', tools: ['math.add'] }), h.ctx);
    expect(out).toMatchObject({ text: 'The total is 15.', finished: true, stopReason: 'answered' });
    expect(out.steps).toEqual([
      { tool: 'math.add', input: { a: 2, b: 3 }, output: { sum: 5 } },
      { tool: 'math.add', input: { a: 5, b: 10 }, output: { sum: 15 } },
    ]);
    expect(h.calls.map((c) => c.name)).toEqual(['math.add', 'math.add']);
    expect(out.usage.promptTokens).toBe(210);
    expect(out.usage.completionTokens).toBe(25);
    expect(h.usage).toHaveLength(3);
    // the model was offered the tool's JSON Schema and saw the tool result on the next turn
    const first = server.requests[0].body;
    expect(first.tools[0].function).toMatchObject({ name: 'math_add', parameters: { type: 'object', required: ['a', 'b'] } });
    const second = server.requests[1].body.messages;
    expect(second.at(-1)).toEqual({ role: 'tool', tool_call_id: 'c1', content: '{"sum":5}' });
    expect(h.logs.some((l) => l.message.includes('agent calls math.add'))).toBe(true);
  });

  it('feeds a failing or unknown tool call back to the model instead of failing the node', async () => {
    server.enqueue(
      toolCallCompletion([
        { id: 'c1', name: 'math_add', arguments: { a: 'two' } },
        { id: 'c2', name: 'shell_exec', arguments: { cmd: 'rm -rf /' } },
      ]),
      completion({ content: 'I could not add those.' }),
    );
    const h = toolHarness({ llm: llm(), tools: [add] });
    const out = await agentRunTool.run(AgentInput.parse({ goal: 'add', tools: ['math.add'] }), h.ctx);
    expect(out.finished).toBe(true);
    expect(out.steps[0].error).toContain('a:');
    expect(out.steps[1].error).toContain('not available');
    expect(h.calls.map((c) => c.name)).toEqual(['math.add']); // the unlisted tool was never called
    const toolMessages = server.requests[1].body.messages.filter((m: { role: string }) => m.role === 'tool');
    expect(toolMessages).toHaveLength(2);
  });

  it('stops at the step limit and at the token budget with a clear message', async () => {
    server.enqueue(
      toolCallCompletion([{ name: 'math_add', arguments: { a: 1, b: 1 } }]),
      toolCallCompletion([{ name: 'math_add', arguments: { a: 1, b: 1 } }]),
    );
    const h = toolHarness({ llm: llm(), tools: [add] });
    const out = await agentRunTool.run(AgentInput.parse({ goal: 'loop', tools: ['math.add'], maxSteps: 2 }), h.ctx);
    expect(out).toMatchObject({ finished: false, stopReason: 'max-steps' });
    expect(out.text).toContain('step limit (2');
    expect(out.steps).toHaveLength(2);

    server.enqueue(toolCallCompletion([{ name: 'math_add', arguments: { a: 1, b: 1 } }], { promptTokens: 400, completionTokens: 200 }));
    const budget = await agentRunTool.run(AgentInput.parse({ goal: 'loop', tools: ['math.add'], maxTokens: 500 }), toolHarness({ llm: llm(), tools: [add] }).ctx);
    expect(budget).toMatchObject({ finished: false, stopReason: 'token-budget' });
    expect(budget.text).toContain('token budget (500)');
    expect(server.requests).toHaveLength(3);
  });

  it('refuses unknown tool names and a missing model up front', async () => {
    const unknown = await failure(agentRunTool.run(AgentInput.parse({ goal: 'x', tools: ['nope.tool'] }), toolHarness({ llm: llm(), tools: [add] }).ctx));
    expect(unknown.message).toContain('"nope.tool"');
    const noLlm = await failure(agentRunTool.run(AgentInput.parse({ goal: 'x', tools: [] }), toolHarness().ctx));
    expect(noLlm.code).toBe('NO_LLM');
    expect(server.requests).toHaveLength(0);
  });
});
