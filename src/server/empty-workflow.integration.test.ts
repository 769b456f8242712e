/**
 * Issue 10 item 10: a workflow with no nodes is refused as invalid (a 4xx naming the
 * problem), never run and stored as succeeded behind a 500.
 */
import { describe, expect, it } from 'vitest';
import { useTestServer } from './test-engine.testkit';

const TOKEN = 'empty-workflow-test-token';
const empty = { id: 'empty', name: 'Empty', nodes: [], edges: [] };

const server = useTestServer({ token: TOKEN });

describe('a workflow with no nodes over REST', () => {
  it('is refused with 4xx and the problem, and no run is stored', async () => {
    const started = await server.api('POST', '/api/runs', { workflow: empty });
    expect(started.status).toBeGreaterThanOrEqual(400);
    expect(started.status).toBeLessThan(500);
    expect(JSON.stringify(started.body)).toContain('the workflow has no nodes');

    const saved = await server.api('POST', '/api/workflows', empty);
    expect(saved.status).toBeGreaterThanOrEqual(400);
    expect(saved.status).toBeLessThan(500);

    const runs = await server.api('GET', '/api/runs');
    expect(runs.status).toBe(200);
    expect(JSON.stringify(runs.body)).not.toContain('"empty"');
  });
});
