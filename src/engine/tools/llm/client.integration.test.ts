import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completion, jsonCompletion, startScriptedOpenAI, toolCallCompletion, type ScriptedOpenAI } from '../../../../tests/support/scripted-openai';
import { classifyError, ToolError } from '../../errors';
import { createLlmClient, llmConfigFromEnv } from './client';

let server: ScriptedOpenAI;
beforeAll(async () => {
  server = await startScriptedOpenAI();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

const signal = () => new AbortController().signal;
const client = () =>
  createLlmClient({ baseUrl: server.baseUrl, apiKey: 'sk-test', model: 'gpt-4o-mini', prices: { 'gpt-4o-mini': { prompt: 0.15, completion: 0.6 } } });

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('createLlmClient against a scripted OpenAI-compatible server', () => {
  it('sends the messages, model and API key and returns content with usage and cost', async () => {
    server.enqueue(completion({ content: 'Hello there', model: 'gpt-4o-mini-2024-07-18', promptTokens: 1000, completionTokens: 500 }));
    const res = await client().chat({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }] }, signal());
    expect(res.content).toBe('Hello there');
    expect(res.model).toBe('gpt-4o-mini-2024-07-18');
    expect(res.usage.promptTokens).toBe(1000);
    expect(res.usage.completionTokens).toBe(500);
    // prefix match on the price table: 1000 * 0.15/1M + 500 * 0.6/1M
    expect(res.usage.costUsd).toBeCloseTo(0.00045, 10);
    const req = server.requests[0];
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body.model).toBe('gpt-4o-mini');
    expect(req.body.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('asks for structured output with the given JSON Schema', async () => {
    server.enqueue(jsonCompletion({ title: 'x' }));
    const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] };
    const res = await client().chat({ messages: [{ role: 'user', content: 'json please' }], jsonSchema: { name: 'my schema!', schema } }, signal());
    expect(JSON.parse(res.content!)).toEqual({ title: 'x' });
    expect(server.requests[0].body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'my_schema_', schema, strict: false } });
  });

  it('offers function tools and returns the tool calls the model makes', async () => {
    server.enqueue(toolCallCompletion([{ id: 'call_1', name: 'text_template', arguments: { template: 'x' } }]));
    const res = await client().chat(
      {
        messages: [{ role: 'user', content: 'use a tool' }],
        tools: [{ name: 'text_template', description: 'render', parameters: { type: 'object', properties: { template: { type: 'string' } } } }],
      },
      signal(),
    );
    expect(res.toolCalls).toEqual([{ id: 'call_1', name: 'text_template', arguments: '{"template":"x"}' }]);
    expect(res.finishReason).toBe('tool_calls');
    expect(server.requests[0].body.tools[0]).toMatchObject({ type: 'function', function: { name: 'text_template' } });
  });

  it('classifies 429 as transient with the retry-after the server asked for, and does not retry by itself', async () => {
    server.enqueue({ status: 429, retryAfter: '3', message: 'Rate limit reached' }, completion({ content: 'ok' }));
    const err = await failure(client().chat({ messages: [{ role: 'user', content: 'hi' }] }, signal()));
    expect(err).toBeInstanceOf(ToolError);
    const c = classifyError(err);
    expect(c.class).toBe('transient');
    expect(c.code).toBe('HTTP_429');
    expect(c.retryAfterMs).toBe(3000);
    expect(c.message).toContain('Rate limit reached');
    // exactly one HTTP request: the engine's retry policy, not the openai client, retries
    expect(server.requests).toHaveLength(1);
    const second = await client().chat({ messages: [{ role: 'user', content: 'hi' }] }, signal());
    expect(second.content).toBe('ok');
  });

  it('classifies 500 and a dropped connection as transient, 400/401 as permanent', async () => {
    server.enqueue({ status: 500, message: 'boom' });
    expect(classifyError(await failure(client().chat({ messages: [{ role: 'user', content: 'a' }] }, signal())))).toMatchObject({
      class: 'transient',
      code: 'HTTP_500',
    });
    server.enqueue({ hangUp: true });
    expect(classifyError(await failure(client().chat({ messages: [{ role: 'user', content: 'a' }] }, signal()))).class).toBe('transient');
    server.enqueue({ status: 400, message: 'bad model' });
    expect(classifyError(await failure(client().chat({ messages: [{ role: 'user', content: 'a' }] }, signal())))).toMatchObject({
      class: 'permanent',
      code: 'HTTP_400',
    });
    server.enqueue({ status: 401, message: 'Incorrect API key' });
    const auth = classifyError(await failure(client().chat({ messages: [{ role: 'user', content: 'a' }] }, signal())));
    expect(auth.class).toBe('permanent');
    expect(auth.message).toContain('OPENAI_API_KEY');
  });

  it('classifies a malformed 200 body as transient, and an unreachable endpoint as transient naming the URL', async () => {
    server.enqueue({ raw: '{"choices": [ this is not json' });
    expect(classifyError(await failure(client().chat({ messages: [{ role: 'user', content: 'a' }] }, signal()))).class).toBe('transient');

    const dead = createLlmClient({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', model: 'm' });
    const c = classifyError(await failure(dead.chat({ messages: [{ role: 'user', content: 'a' }] }, signal())));
    expect(c.class).toBe('transient');
    expect(c.message).toContain('127.0.0.1:1');
  });

  it('a cancelled call is classified cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    server.enqueue(completion({ content: 'late' }));
    const c = classifyError(await failure(client().chat({ messages: [{ role: 'user', content: 'a' }] }, ac.signal)));
    expect(c.class).toBe('cancelled');
    server.requests.length = 0;
    // drain the unused reply so later tests see their own
    if (server.pending()) await client().chat({ messages: [{ role: 'user', content: 'drain' }] }, signal());
  });
});

describe('llmConfigFromEnv', () => {
  it('reads OPENAI_API_KEY, OPENAI_BASE_URL and AWE_LLM_MODEL with gpt-4o-mini as the default model', () => {
    expect(llmConfigFromEnv({})).toEqual({ apiKey: undefined, baseUrl: undefined, model: 'gpt-4o-mini' });
    expect(llmConfigFromEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://localhost:11434/v1', AWE_LLM_MODEL: 'llama3' })).toEqual({
      apiKey: 'k',
      baseUrl: 'http://localhost:11434/v1',
      model: 'llama3',
    });
  });
});
