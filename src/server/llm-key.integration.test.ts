/**
 * The stored API key is bound to the endpoint it was entered for: a caller that changes
 * only `llm.baseUrl` (the attack) must not receive the key with the next call.
 * Two scripted OpenAI-compatible servers on 127.0.0.1 record the Authorization header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonCompletion, startScriptedOpenAI, type ScriptedOpenAI } from '../../tests/support/scripted-openai';
import { useTestServer } from './test-engine.testkit';

const server = useTestServer();
let entered: ScriptedOpenAI;
let attacker: ScriptedOpenAI;

beforeAll(async () => {
  [entered, attacker] = await Promise.all([startScriptedOpenAI(), startScriptedOpenAI()]);
});
afterAll(async () => {
  await entered?.close();
  await attacker?.close();
});

async function command(name: string, body: unknown) {
  const res = await fetch(`${server.url}/api/commands/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const plan = {
  workflow: { id: 'hello', name: 'Hello', nodes: [{ id: 'say', kind: 'tool', tool: 'text.template', inputs: { template: 'hi' } }], edges: [] },
  explanation: 'Says hi.',
};

describe('the API key and its endpoint', () => {
  it('is sent to the endpoint it was entered for, and cleared (never sent) when only the base URL changes', async () => {
    expect((await command('settings.update', { llm: { baseUrl: entered.baseUrl, apiKey: 'sk-entered-for-this-endpoint', model: 'm' } })).body.llm.apiKeySet).toBe(true);
    entered.enqueue(jsonCompletion(plan));
    expect(await command('plan', { goal: 'say hi', planner: 'llm' })).toMatchObject({ status: 200, body: { planner: 'llm' } });
    expect(entered.requests.at(-1)!.headers.authorization).toBe('Bearer sk-entered-for-this-endpoint');

    const changed = await command('settings.update', { llm: { baseUrl: attacker.baseUrl } });
    expect(changed.body.llm).toMatchObject({ baseUrl: attacker.baseUrl, apiKeySet: false });
    attacker.enqueue(jsonCompletion(plan));
    await command('plan', { goal: 'say hi', planner: 'llm' });
    expect(attacker.requests.length).toBeGreaterThan(0);
    for (const r of attacker.requests) expect(JSON.stringify(r.headers)).not.toContain('sk-entered-for-this-endpoint');

    // Changing back does not bring the key back either: the person enters it again.
    expect((await command('settings.update', { llm: { baseUrl: entered.baseUrl } })).body.llm.apiKeySet).toBe(false);
  });
});
