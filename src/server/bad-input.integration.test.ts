/**
 * Bad input the probes answered with 500 (issue 10, item 13) gets a 4xx with a message:
 * MCP commands naming a bad or unknown server, JSON nested thousands of levels deep in
 * REST bodies and WebSocket messages, and workflow imports past the file reader's limits
 * (the UI's import path takes the same size and nesting checks as a file on disk).
 */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createHandlers } from '../host/handlers';
import { MAX_WORKFLOW_FILE_BYTES, MAX_WORKFLOW_NESTING } from '../shared/workflow-text';
import { useTestServer } from './test-engine.testkit';

const server = useTestServer();

async function post(path: string, body: string) {
  const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` }, body });
  return { status: res.status, body: (await res.json()) as any };
}
const health = async () => (await fetch(`${server.url}/health`, { headers: { authorization: `Bearer ${server.token}` } })).status;

/** `{"workflow":` + `[` × depth + `]` × depth + `}`: the shape the probe sent. */
const nested = (depth: number, key = 'workflow') => `{"${key}":${'['.repeat(depth)}${']'.repeat(depth)}}`;

const workflow = (extra: Record<string, unknown> = {}) => ({
  id: 'deep',
  name: 'Deep',
  nodes: [{ id: 'a', kind: 'tool', tool: 'text.template', inputs: { template: 'x', ...extra } }],
  edges: [],
});

describe('bad input gets a 4xx with a message, never a 500', () => {
  it('mcp.import with a bad server name is 400; mcp.approve and mcp.remove of an unknown name are 404', async () => {
    const bad = await post('/api/commands/mcp.import', JSON.stringify({ text: JSON.stringify({ mcpServers: { 'bad name!': { command: 'true' } } }) }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/server 'bad name!': the name may only use letters, digits/);
    for (const command of ['mcp.approve', 'mcp.remove']) {
      const unknown = await post(`/api/commands/${command}`, JSON.stringify({ name: 'nobody' }));
      expect(unknown.status, command).toBe(404);
      expect(unknown.body.error.message, command).toMatch(/no MCP server named 'nobody'/);
    }
  });

  it('REST bodies nested 5,000 levels are 400 naming the depth, and the server keeps answering', async () => {
    for (const path of ['/api/workflows', '/api/commands/workflows.validate', '/api/commands/workflows.save', '/api/runs']) {
      const res = await post(path, nested(5_000));
      expect(res.status, path).toBe(400);
      expect(res.body.error.message, path).toMatch(/nested 5001 levels deep; the limit is 204/);
    }
    // A deep object *inside* a workflow, the way a node's inputs could carry it.
    const deepInput = `{"workflow":${JSON.stringify(workflow()).replace('"template":"x"', `"template":"x","deep":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`)}}`;
    expect((await post('/api/commands/workflows.validate', deepInput)).status).toBe(400);
    expect(await health()).toBe(200);
  });

  it('a WebSocket message nested 5,000 levels is answered with an error', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${server.token}`);
    await new Promise((ok, fail) => (ws.once('open', ok), ws.once('error', fail)));
    const reply = new Promise<any>((ok) => ws.once('message', (d) => ok(JSON.parse(String(d)))));
    ws.send(`{"kind":"call","id":1,"command":"workflows.validate","request":${nested(5_000)}}`);
    expect(await reply).toMatchObject({ kind: 'error', error: { code: 'bad-request', message: expect.stringMatching(/nested \d+ levels deep/) } });
    ws.close();
    expect(await health()).toBe(200);
  });

  it('workflows.import takes the file reader’s size and nesting limits (REST and the in-process path the desktop app uses)', async () => {
    const tooDeep = JSON.stringify(workflow()).replace('"template":"x"', `"template":"x","deep":${'['.repeat(MAX_WORKFLOW_NESTING + 5)}${']'.repeat(MAX_WORKFLOW_NESTING + 5)}`);
    const viaRest = await post('/api/commands/workflows.import', JSON.stringify({ text: tooDeep, fileName: 'deep.awe.json' }));
    expect(viaRest.status).toBe(200);
    expect(viaRest.body).toMatchObject({ ok: false, problems: [{ code: 'too-large', message: expect.stringMatching(/deep\.awe\.json: nested 20\d levels deep; the limit is 200/) }] });
    expect((await post('/api/commands/workflows.list', '{}')).body.workflows.map((w: any) => w.id)).not.toContain('deep');

    // The desktop app calls the same handlers over IPC, with no HTTP body limit in front.
    const handlers = createHandlers(server.engine);
    const big = JSON.stringify(workflow({ pad: 'x'.repeat(MAX_WORKFLOW_FILE_BYTES) }));
    const res = await handlers.dispatch('workflows.import', { text: big, fileName: 'big.awe.json' });
    expect(res).toMatchObject({ ok: true, result: { ok: false, problems: [{ code: 'too-large', message: expect.stringMatching(/the limit is 20 MB/) }] } });
  });
});
