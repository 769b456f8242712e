import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion, jsonCompletion, startScriptedOpenAI, type ScriptedOpenAI } from '../../../../tests/support/scripted-openai';
import { classifyError } from '../../errors';
import { createLlmClient } from './client';
import { llmJudge } from './judge';

let server: ScriptedOpenAI;
beforeAll(async () => {
  server = await startScriptedOpenAI();
});
afterAll(async () => {
  await server.close();
});

describe('llmJudge', () => {
  it('sends the criteria and the output, asks for a structured verdict and returns it', async () => {
    const llm = createLlmClient({ baseUrl: server.baseUrl, apiKey: 'k', model: 'm' });
    server.enqueue(jsonCompletion({ pass: false, reasons: ['only two risks are listed, three are required'] }));
    const verdict = await llmJudge(['mentions at least three risks'], { risks: ['a', 'b'] }, llm, new AbortController().signal);
    expect(verdict.pass).toBe(false);
    expect(verdict.reasons).toEqual(['only two risks are listed, three are required']);
    const body = server.requests.at(-1)!.body;
    expect(body.response_format.json_schema.name).toBe('verdict');
    expect(body.messages[1].content).toContain('1. mentions at least three risks');
    expect(body.messages[1].content).toContain('"risks"');

    server.enqueue(jsonCompletion({ pass: true, reasons: ['ok'] }));
    expect((await llmJudge(['non-empty'], 'text', llm, new AbortController().signal)).pass).toBe(true);
  });

  it('a verdict of the wrong shape is a permanent error, not a silent pass', async () => {
    const llm = createLlmClient({ baseUrl: server.baseUrl, apiKey: 'k', model: 'm' });
    server.enqueue(completion({ content: '{"pass":"yes"}' }));
    let err: unknown;
    await llmJudge(['x'], 'y', llm, new AbortController().signal).catch((e) => (err = e));
    expect(classifyError(err)).toMatchObject({ class: 'permanent', code: 'JUDGE_BAD_VERDICT' });
  });
});
