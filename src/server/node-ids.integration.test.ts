/**
 * Issue 10 item 12: a node called `__proto__` stays in the REST view of its run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/types';
import { startServer, type RunningServer } from './server';
import { makeTestEngine } from './test-engine.testkit';

const TOKEN = 'node-ids-test-token';
let engine: Engine;
let server: RunningServer;

beforeAll(async () => {
  engine = makeTestEngine();
  server = await startServer({ engine, port: 0, token: TOKEN });
});
afterAll(async () => {
  await server?.close();
  await engine?.close();
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('GET /api/runs/:id with a node called __proto__', () => {
  it('lists the node with its status and output', async () => {
    const workflow = {
      id: 'proto',
      name: 'Proto',
      nodes: [
        { id: '__proto__', kind: 'tool', tool: 'text.template', inputs: { template: 'hi' } },
        { id: 'after', kind: 'tool', tool: 'text.template', inputs: { template: '{{nodes.__proto__.output.text}}!' } },
      ],
      edges: [{ id: 'e', source: '__proto__', target: 'after' }],
    };
    const started = await call('POST', '/api/runs', { workflow });
    expect(started.status).toBeLessThan(300);
    const runId = started.body.run_id ?? started.body.runId;
    let run: Record<string, any> = {};
    for (let i = 0; i < 200; i++) {
      run = (await call('GET', `/api/runs/${runId}`)).body;
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(run.status).toBe('succeeded');
    expect(Object.keys(run.nodes)).toEqual(['__proto__', 'after']);
    expect(run.nodes.__proto__).toMatchObject({ status: 'succeeded', output: { text: 'hi' } });
  });
});
