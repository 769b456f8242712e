/**
 * Issue 10 item 10: a workflow with no nodes is refused as invalid (a 4xx naming the
 * problem), never run and stored as succeeded behind a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/types';
import { startServer, type RunningServer } from './server';
import { makeTestEngine } from './test-engine.testkit';

const TOKEN = 'empty-workflow-test-token';
const empty = { id: 'empty', name: 'Empty', nodes: [], edges: [] };

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

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('a workflow with no nodes over REST', () => {
  it('is refused with 4xx and the problem, and no run is stored', async () => {
    const started = await api('POST', '/api/runs', { workflow: empty });
    expect(started.status).toBeGreaterThanOrEqual(400);
    expect(started.status).toBeLessThan(500);
    expect(JSON.stringify(started.body)).toContain('the workflow has no nodes');

    const saved = await api('POST', '/api/workflows', empty);
    expect(saved.status).toBeGreaterThanOrEqual(400);
    expect(saved.status).toBeLessThan(500);

    const runs = await api('GET', '/api/runs');
    expect(runs.status).toBe(200);
    expect(JSON.stringify(runs.body)).not.toContain('"empty"');
  });
});
